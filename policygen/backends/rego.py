"""Plain Rego for OPA and conftest: a shared library, one package per rule, tests beside each."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any

from ..checks import CHECKS
from ..fixtures import cases_for
from ..inventory import scope_of
from ..kinds import API_GROUPS, CLUSTER_SCOPED_KINDS, rule_kinds
from ..plan import Plan, RulePlan, per_plan
from ..render import escape_unsafe, make_env, render, templates_root
from ..rules import REGISTRY, not_rendered_by
from .. import usual

# Rules no Rego engine can decide (each rule folder says why).
UNSUPPORTED = not_rendered_by("rego")
LIB_MODULES = ("images", "pods", "quantity", "review", "scope")


# One encoder for every literal: json.dumps with a non-default option builds a new one per call (and one
# with an indent is the pure-Python encoder, slower than the recursion below).
_json_encode = json.JSONEncoder(ensure_ascii=False).encode


def _json_literal(value: Any) -> str:
    # Characters a .rego file (and the Gatekeeper template around it) must not hold raw, escaped as JSON reads them.
    return escape_unsafe(_json_encode(value))


# Keys and strings repeat across the fixtures' resources: each is encoded once.
_json_string = lru_cache(maxsize=65536)(_json_literal)


def rego_literal(value: Any, depth: int = 1) -> str:
    """JSON as a Rego literal, laid out exactly as `opa fmt` lays it out: one element a line, indented by
    tabs, a comma after each, the last included.

    JSON is valid Rego term syntax, so a spec value can only ever be data here.
    """
    kind = type(value)
    if kind is dict:
        if not value:
            return "{}"
        tab = "\t" * depth
        inner = [f"{tab}{_json_string(k) if type(k) is str else _json_literal(k)}: {rego_literal(v, depth + 1)},\n"
                 for k, v in sorted(value.items())]
        return "{\n" + "".join(inner) + tab[1:] + "}"
    if kind is list:
        if not value:
            return "[]"
        tab = "\t" * depth
        inner = [f"{tab}{rego_literal(v, depth + 1)},\n" for v in value]
        return "[\n" + "".join(inner) + tab[1:] + "]"
    if kind is str:
        return _json_string(value)
    if isinstance(value, dict | list | tuple):  # subclasses, tuples: as json would write them
        return rego_literal(dict(value) if isinstance(value, dict) else list(value), depth)
    return _json_literal(value)


def rego_set(items: list[str]) -> str:
    """A set of strings as a Rego literal, laid out as `opa fmt` lays it out."""
    return "{" + ", ".join(_json_literal(i) for i in items) + "}"


def rego_set_of(items: list[Any]) -> str:
    """A set of JSON values as a one-line Rego literal; set() when empty ({} is an empty object)."""
    return "{" + ", ".join(_json_literal(i) for i in items) + "}" if items else "set()"


def _member(values: list[Any]) -> str:
    """`== value` or `in {values}`: membership as Regal would have it written."""
    return f"== {_json_literal(values[0])}" if len(values) == 1 else f"in {rego_set_of(values)}"


def _raw(pattern: str) -> str:
    """A regular expression as a raw string where it can be one (it holds no backquote), else JSON."""
    return f"`{pattern}`" if "`" not in pattern and pattern.isprintable() else _json_literal(pattern)


def _body_lines(text: str) -> str:
    """A fragment's lines, each one tab in, as a body holds them."""
    return "".join(f"\t{line.strip()}\n" for line in text.splitlines() if line.strip())


def _usual_render(context: dict[str, Any], rules: list[RulePlan], template: str, **extra: Any) -> str:
    """A usual-pod template rendered with these rules' usual.rego.jinja fragments and the helpers they call."""
    env = make_env()
    modules = [
        (env.get_template(REGISTRY[r.rule_id].usual_template).module, r.params, REGISTRY[r.rule_id].template_context(r.params))
        for r in rules
    ]
    helpers = {"lit": _json_literal, "set_of": rego_set_of, "member": _member, "raw": _raw, "lines": _body_lines,
               "canonical_caps": usual.canonical_caps, "plain_pattern": usual.plain_pattern(),
               # A sidecar's name, as a literal set: a rule's value read in each container's body costs more.
               "names": _member(context["sidecar_names"]) if context["sidecar_names"] else "in set()"}
    return env.get_template(template).render(
        u={**context, **helpers}, modules=modules, fields=("initContainers", "containers", "ephemeralContainers"), **extra,
    )


def _usual_context(plan: Plan) -> dict[str, Any] | None:
    """policygen/usual.py's context for the plan's rendered rules, decided once for both backends that read it."""
    return per_plan(plan, "usual:rego", lambda: usual.context(plan, supported_rules(plan)))


def usual_source(plan: Plan) -> str | None:
    """usual.rego: the usual pod cleared in one body (policygen/usual.py), or None where it cannot be."""
    context = _usual_context(plan)
    if context is None:
        return None
    return _usual_render(context, context["rules"], "rego/usual.rego.jinja")


def gatekeeper_usual_source(plan: Plan, rule: RulePlan, parameters: dict[str, Any]) -> str | None:
    """The usual pod of one rule's ConstraintTemplate (templates/gatekeeper/usual.rego.jinja), cleared under
    exactly the parameters its Constraint is given; None where the whole set gets no usual pod or the rule
    reads no Pod."""
    context = _usual_context(plan)
    if context is None or rule not in context["rules"]:
        return None
    return _usual_render(context, [rule], "gatekeeper/usual.rego.jinja", parameters=rego_literal(parameters, 2))


def package_of(rule: RulePlan) -> str:
    return f"policygen.{rule.rule_id.lower()}"


def lib_sources(plan: Plan) -> dict[PurePosixPath, str]:
    """The library modules, shared verbatim with Gatekeeper's template libs."""
    # Rendered once per plan: the Rego and Gatekeeper backends both ship them.
    return dict(per_plan(plan, "rego-lib", lambda: _lib_sources(plan)))


def _lib_sources(plan: Plan) -> dict[PurePosixPath, str]:
    files: dict[PurePosixPath, str] = {}
    root = templates_root() / "rego"
    for name in LIB_MODULES:
        files[PurePosixPath("lib") / f"{name}.rego"] = (root / "lib" / f"{name}.rego").read_text(encoding="utf-8")
    if plan.exceptions:
        files[PurePosixPath("lib/exceptions.rego")] = exceptions_lib()
    for rule in plan.rules:
        if rule.rule_id in UNSUPPORTED:
            continue
        files[PurePosixPath("lib/rules") / f"{rule.rule_id.lower()}.rego"] = render(
            REGISTRY[rule.rule_id].rego_template, rule=rule, info=rule.info, **REGISTRY[rule.rule_id].template_context(rule.params)
        )
    return files


def supported_rules(plan: Plan) -> list[RulePlan]:
    return [r for r in plan.rules if r.rule_id not in UNSUPPORTED]


def conftest_verdicts(plan: Plan, rules: list[RulePlan]) -> dict[str, str]:
    """Each rule's conftest verdict (lower-case rule ID -> deny or warn).

    conftest has no audit: an audit rule warns, as the spec's audit mode does.
    """
    return {r.rule_id.lower(): "deny" if plan.action(r.rule_id) == "deny" else "warn" for r in rules}


def exceptions_lib() -> str:
    """lib/exceptions.rego: the object matcher, shared with Gatekeeper's templates."""
    # Only kinds some rule reads: objects of other kinds never violate anything to exempt.
    kinds = sorted(k for k in API_GROUPS if k in CLUSTER_SCOPED_KINDS)
    return render("rego/exceptions.rego.jinja", cluster_scoped=rego_set(kinds))


class RegoBackend:
    name = "rego"

    def render(self, plan: Plan) -> dict[PurePosixPath, str]:
        files = lib_sources(plan)
        rules = supported_rules(plan)
        cases = cases_for(plan)
        verdict_of = conftest_verdicts(plan, rules)
        for rule in rules:
            folder = PurePosixPath(rule.info.policy_name)
            files[folder / "src.rego"] = render(
                "rego/policy.rego.jinja",
                rule=rule,
                info=rule.info,
                package=package_of(rule),
                lib=rule.rule_id.lower(),
                params=rego_literal(rule.params, depth=2),
                kinds=rego_set(sorted({*rule_kinds(rule.rule_id), "AdmissionReview"})),
                verdict=verdict_of[rule.rule_id.lower()],
                exempts=any(rule.rule_id in e.rules for e in plan.exceptions),
            )
            rule_cases = [
                {
                    "name": c.name,
                    "fails": c.fails,
                    "input_name": f"{c.name}_input",
                    "inventory_name": f"{c.name}_namespaces",
                    "input": rego_literal(c.resource),
                    "namespaces": rego_literal(c.namespaces),
                }
                for c in cases
                if c.rule_id == rule.rule_id
            ]
            files[folder / "src_test.rego"] = render(
                "rego/test.rego.jinja",
                package=package_of(rule),
                short=rule.rule_id.lower(),
                rule_id=rule.rule_id,
                checks=rego_set(sorted(CHECKS[rule.rule_id])),
                cases=rule_cases,
            )
        usual_rego = usual_source(plan)
        if usual_rego is not None:
            files[PurePosixPath("usual.rego")] = usual_rego
        files[PurePosixPath("main.rego")] = render(
            "rego/main.rego.jinja",
            usual=usual_rego is not None,
            plan_name=plan.name,
            mode=plan.mode,
            rules=[r.rule_id.lower() for r in rules],
            verdict_of=verdict_of,
            exceptions=rego_literal([e.to_json() for e in plan.exceptions]) if plan.exceptions else "",
        )
        files[PurePosixPath("batch.rego")] = render("rego/batch.rego.jinja")
        files[PurePosixPath("lists.rego")] = render("rego/lists.rego.jinja", scope=rego_literal(scope_of(plan)))
        # Package heads for `conftest doc`, which crashes unless the first package it sorts has a one-part name.
        files[PurePosixPath("lib/lib.rego")] = render("rego/lib_index.rego.jinja")
        files[PurePosixPath("policygen.rego")] = render("rego/rules_index.rego.jinja")
        files[PurePosixPath(".regal/config.yaml")] = render("rego/regal.yaml.jinja")
        return files
