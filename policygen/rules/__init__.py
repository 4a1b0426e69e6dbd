"""The rule registry: every rule ID, each in its own folder (policygen/rules/<id>/).

A folder holds the rule's whole life: catalogue entry, sub-check codes, the
planner, rule.rego.jinja, rule.cel.jinja, a pod rule's usual.rego.jinja, its
cases and what no backend of a kind can render. Adding a rule is one folder and one line below; the plan, the
backends, the fixtures, coverage and docs loop over RULES.
"""

from __future__ import annotations

from . import cp001, cp002, cp003, cp004, cp005
from . import sc001, sc002, sc003, sc004, sc005, sc006, sc007, sc008, sc009, sc010, sc011, sc012
from .registry import PlanInputs, Rule, RuleInfo

RULES: tuple[Rule, ...] = (
    sc001.RULE,
    sc002.RULE,
    sc003.RULE,
    sc004.RULE,
    sc005.RULE,
    sc006.RULE,
    sc007.RULE,
    sc008.RULE,
    sc009.RULE,
    sc010.RULE,
    sc011.RULE,
    sc012.RULE,
    cp001.RULE,
    cp002.RULE,
    cp003.RULE,
    cp004.RULE,
    cp005.RULE,
)
REGISTRY: dict[str, Rule] = {r.rule_id: r for r in RULES}
CATALOGUE: dict[str, RuleInfo] = {r.rule_id: r.info for r in RULES}
ALL_RULE_IDS: tuple[str, ...] = tuple(REGISTRY)
POD_RULE_IDS: tuple[str, ...] = tuple(r for r in ALL_RULE_IDS if r.startswith("SC"))


def not_rendered_by(backend: str) -> frozenset[str]:
    """Rule IDs the backend ("rego" or "vap") cannot render; each rule folder says why."""
    return frozenset(r.rule_id for r in RULES if not r.renders_in(backend))


__all__ = ["ALL_RULE_IDS", "CATALOGUE", "POD_RULE_IDS", "REGISTRY", "RULES", "PlanInputs", "Rule", "RuleInfo", "not_rendered_by"]
