"""A Markdown page per spec: each generated rule, its parameters and where it is enforced."""

from __future__ import annotations

import json
from pathlib import PurePosixPath

from ..coverage import ENGINE_SUPPORT
from ..plan import Plan
from ..render import render


class DocsBackend:
    name = "docs"

    def render(self, plan: Plan) -> dict[PurePosixPath, str]:
        rules = []
        for rule in plan.rules:
            engines = [e for e, (_, unsupported) in ENGINE_SUPPORT.items() if rule.rule_id not in unsupported]
            rules.append({
                "id": rule.rule_id,
                "info": rule.info,
                "engines": ", ".join(engines),
                "params": json.dumps(rule.params, indent=2, sort_keys=True, ensure_ascii=False),
            })
        return {PurePosixPath("policies.md"): render("docs/policies.md.jinja", plan=plan, rules=rules)}
