"""Gatekeeper: one ConstraintTemplate and Constraint per rule; gator suites in a folder of their own.

The template's Rego is a thin entry point; the logic is the Rego backend's
library, passed verbatim as the template's ``libs`` (Rego v1 syntax, opted in
with ``code[].source.version: v1``). Each rule's plan parameters become the
Constraint's ``spec.parameters``, with an openAPIV3Schema derived from their
shapes here in Python.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

from ..fixtures import Case, cases_for
from ..plan import GATEKEEPER_ACTIONS, ExceptionPlan, Plan, RulePlan
from ..render import dump_yaml_documents, render, to_json, to_yaml
from ..kinds import CONTROL_PLANE_KINDS, api_groups, is_cluster_scoped, rule_kinds
from .manifest import RuleOutput
from .rego import UNSUPPORTED, gatekeeper_usual_source, lib_sources

TARGET = "admission.k8s.gatekeeper.sh"
TEMPLATE_VERSION = "1.0.0"

# Rules that apply in every namespace, excluded ones included (SC003 (a) and (e)):
# their match must not exclude namespaces; the Rego applies the mesh scope itself.
EVERY_NAMESPACE = frozenset({"SC003"})
# Parameter keys whose values are maps with data for keys (label selectors).
MAP_KEYS = frozenset({"matchLabels"})
NAMESPACE_GVK = {"group": "", "version": "v1", "kind": "Namespace"}
# metadata.gatekeeper.sh/requires-sync-data: the templates that read data.inventory Namespaces.
REQUIRES_SYNC_NAMESPACES = {"groups": [""], "versions": ["v1"], "kinds": ["Namespace"]}
ANY_VALUE = {"x-kubernetes-preserve-unknown-fields": True}
# The items of an empty list: unknown, so any value is kept, but a sibling list's items decide.
_UNKNOWN_ITEMS: dict[str, Any] = dict(ANY_VALUE)


def template_kind(rule: RulePlan) -> str:
    """PolicygenSc004SidecarSecurityContext for SC004."""
    words = rule.info.policy_name.split("-")
    return "Policygen" + "".join(w[:1].upper() + w[1:] for w in words)


def template_name(rule: RulePlan) -> str:
    return template_kind(rule).lower()


def entry_package(rule: RulePlan) -> str:
    return template_name(rule)


def schema_of(value: Any, key: str | None = None) -> dict[str, Any]:
    """A structural openAPIV3Schema for a parameter value, from its shape.

    Every field is declared, so that an API server's pruning never drops a
    parameter; where the shape says nothing (null, an empty list, mixed
    types) the schema keeps whatever value is there.
    """
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int):
        return {"type": "integer"}
    if isinstance(value, float):
        return {"type": "number"}
    if isinstance(value, str):
        return {"type": "string"}
    if value is None:
        return {"nullable": True, **ANY_VALUE}
    if isinstance(value, list):
        return {"type": "array", "items": _merge([schema_of(v) for v in value])}
    if isinstance(value, dict):
        if key in MAP_KEYS:
            return {"type": "object", "additionalProperties": _merge([schema_of(v) for v in value.values()])}
        return {"type": "object", "properties": {k: schema_of(v, k) for k, v in sorted(value.items())}}
    raise TypeError(f"parameter of type {type(value).__name__} has no schema")


def _merge(schemas: list[dict[str, Any]]) -> dict[str, Any]:
    known = [s for s in schemas if s is not _UNKNOWN_ITEMS]
    if not known:
        return _UNKNOWN_ITEMS
    schemas = known
    first = schemas[0]
    if all(s == first for s in schemas):
        return first
    if all(s.get("type") == "object" and "properties" in s for s in schemas):
        keys = sorted({k for s in schemas for k in s["properties"]})
        return {
            "type": "object",
            "properties": {k: _merge([s["properties"][k] for s in schemas if k in s["properties"]]) for k in keys},
        }
    if all(s.get("type") == "array" for s in schemas):
        return {"type": "array", "items": _merge([s["items"] for s in schemas])}
    return dict(ANY_VALUE)


def parameters_schema(rule: RulePlan, plan: Plan | None = None) -> dict[str, Any]:
    schema = schema_of(rule.params)
    if plan is not None and param_exceptions(plan, rule):
        strings = {"type": "array", "items": {"type": "string"}}
        schema["properties"]["exceptions"] = {"type": "array", "items": {"type": "object", "properties": {
            "kinds": strings, "namespaces": strings, "names": strings,
            "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        }}}
    return schema


def _namespace_only(plan: Plan, rule: RulePlan, exc: ExceptionPlan) -> bool:
    """An exception Constraint match can express as excludedNamespaces: namespaces alone decide it.

    Not so when it names default: gator reviews an object without metadata.namespace
    under no namespace, where the rules (and so the exception) read default. Nor for a
    rule that reads a cluster-scoped kind other than Namespace: a namespace written into
    such an object (which the API server would clear) would match excludedNamespaces in
    `gator test`, where the rules read no namespace at all.
    """
    objects = exc.objects
    kinds = rule_kinds(rule.rule_id)
    every_kind = not objects.kinds or set(kinds) <= set(objects.kinds)
    unscoped = any(is_cluster_scoped(k) and k != "Namespace" for k in kinds)
    return every_kind and not unscoped and not objects.names and not objects.labels and "default" not in objects.namespaces


def match_exclusions(plan: Plan, rule: RulePlan) -> list[str]:
    return sorted({n for e in plan.exceptions_for(rule.rule_id) if _namespace_only(plan, rule, e) for n in e.objects.namespaces})


def param_exceptions(plan: Plan, rule: RulePlan) -> list[dict[str, Any]]:
    """The exceptions Constraint match cannot express (names, labels, some of the kinds): the template applies them."""
    return [e.objects.to_json() for e in plan.exceptions_for(rule.rule_id) if not _namespace_only(plan, rule, e)]


def constraint_params(plan: Plan, rule: RulePlan) -> dict[str, Any]:
    extra = param_exceptions(plan, rule)
    return {**rule.params, "exceptions": extra} if extra else rule.params


def match_of(plan: Plan, rule: RulePlan) -> dict[str, Any]:
    """spec.match: the kinds the rule reads; excluded namespaces where the rule's scope is the mesh."""
    if rule.rule_id.startswith("SC"):
        kinds = plan.pod_kinds
    else:
        kinds = CONTROL_PLANE_KINDS[rule.rule_id]
    # A kind is matched in every group that serves or served it (extensions/v1beta1 Deployments in Git).
    groups: dict[tuple[str, ...], list[str]] = {}
    for kind in kinds:
        groups.setdefault(api_groups(kind), []).append(kind)
    match: dict[str, Any] = {
        "kinds": [{"apiGroups": list(group), "kinds": sorted(names)} for group, names in sorted(groups.items())],
    }
    scope = rule.params.get("scope")
    excluded = set(match_exclusions(plan, rule))
    if scope and scope["excludedNamespaces"] and rule.rule_id not in EVERY_NAMESPACE:
        excluded |= set(scope["excludedNamespaces"])
    if excluded:
        match["excludedNamespaces"] = sorted(excluded)
    return match


def template_libs(lib: dict[PurePosixPath, str], rule: RulePlan) -> list[str]:
    """The shared modules and the rule's own module, verbatim, sorted by path.

    Gatekeeper compiles each template alone, so each carries what its entry
    point reaches: lib/*.rego and lib/rules/<id>.rego (rule modules import
    only the shared ones).
    """
    own = PurePosixPath("lib/rules") / f"{rule.rule_id.lower()}.rego"
    return [lib[p] for p in sorted(lib, key=str) if p.parent == PurePosixPath("lib") or p == own]


def reads_namespaces(rule: RulePlan) -> bool:
    scope = rule.params.get("scope")
    return bool(scope and scope.get("meshNamespaceSelector"))


def enforcement_action(plan: Plan, rule: RulePlan | None = None) -> str:
    # The spec's audit mode: users see warnings at admission and audit records them; nothing is blocked.
    # A rule's own audit is dryrun: recorded by Gatekeeper's audit only.
    if rule is not None:
        return GATEKEEPER_ACTIONS[plan.action(rule.rule_id)]
    return "deny" if plan.mode == "enforce" else "warn"



def constraint_template(rule: RulePlan, kind: str, sync: bool, plan: Plan, libs: list[str], entry: str) -> dict[str, Any]:
    annotations = {
        "description": rule.info.description,
        "metadata.gatekeeper.sh/title": rule.info.title,
        "metadata.gatekeeper.sh/version": TEMPLATE_VERSION,
        "policygen.dev/rule-id": rule.rule_id,
        "policygen.dev/severity": rule.info.severity,
    }
    if sync:
        annotations["metadata.gatekeeper.sh/requires-sync-data"] = to_json([[REQUIRES_SYNC_NAMESPACES]])
    return {
        "apiVersion": "templates.gatekeeper.sh/v1",
        "kind": "ConstraintTemplate",
        "metadata": {"annotations": annotations, "name": template_name(rule)},
        "spec": {
            "crd": {"spec": {"names": {"kind": kind}, "validation": {"openAPIV3Schema": parameters_schema(rule, plan)}}},
            "targets": [{
                "code": [{"engine": "Rego", "source": {"libs": libs, "rego": entry, "version": "v1"}}],
                "target": "admission.k8s.gatekeeper.sh",
            }],
        },
    }


def constraint_doc(plan: Plan, rule: RulePlan, kind: str) -> dict[str, Any]:
    return {
        "apiVersion": "constraints.gatekeeper.sh/v1beta1",
        "kind": kind,
        "metadata": {
            "annotations": {
                "description": rule.info.description,
                "metadata.gatekeeper.sh/title": rule.info.title,
                "policygen.dev/policy": plan.name,
                "policygen.dev/rule-id": rule.rule_id,
            },
            "name": rule.info.policy_name,
        },
        "spec": {
            "enforcementAction": enforcement_action(plan, rule),
            "match": match_of(plan, rule),
            "parameters": constraint_params(plan, rule),
        },
    }


SYNC_COMMENT = """# Gatekeeper replicates these kinds into data.inventory, where the mesh-scoped
# templates read the labels that meshNamespaceSelector selects.
"""


def case_folder(case: Case) -> str:
    return case.name.replace("_", "-")


def example_file(case: Case) -> str:
    return "example_disallowed.yaml" if case.fails else "example_allowed.yaml"


def policy_folder(rule: RulePlan) -> PurePosixPath:
    return PurePosixPath(rule.info.policy_name)


class GatekeeperBackend:
    name = "gatekeeper"

    @staticmethod
    def outputs(plan: Plan) -> list[RuleOutput]:
        """Per rule rendered: its ConstraintTemplate and Constraint, and the kinds the Constraint matches."""
        outs = []
        for rule in plan.rules:
            if rule.rule_id in UNSUPPORTED:
                continue
            folder = policy_folder(rule)
            match = tuple((frozenset(k["apiGroups"]), frozenset(k["kinds"])) for k in match_of(plan, rule)["kinds"])
            outs.append(RuleOutput(rule.rule_id, (folder / "template.yaml", folder / "constraint.yaml"), match))
        return outs

    def render(self, plan: Plan) -> dict[PurePosixPath, str]:
        files: dict[PurePosixPath, str] = {}
        lib = lib_sources(plan)
        needs_sync = False
        for rule in plan.rules:
            if rule.rule_id in UNSUPPORTED:
                continue
            folder = policy_folder(rule)
            kind = template_kind(rule)
            sync = reads_namespaces(rule)
            needs_sync = needs_sync or sync
            entry = render(
                "gatekeeper/entry.rego.jinja",
                info=rule.info,
                rule_id=rule.rule_id,
                package=entry_package(rule),
                lib=rule.rule_id.lower(),
                exceptions=bool(param_exceptions(plan, rule)),
                usual=gatekeeper_usual_source(plan, rule, constraint_params(plan, rule)),
            )
            libs = template_libs(
                lib if param_exceptions(plan, rule) else {p: t for p, t in lib.items() if p.name != "exceptions.rego"}, rule)
            files[folder / "template.yaml"] = to_yaml(constraint_template(rule, kind, sync, plan, libs, entry))
            files[folder / "constraint.yaml"] = to_yaml(constraint_doc(plan, rule, kind))
        if needs_sync:
            files[PurePosixPath("sync.yaml")] = SYNC_COMMENT + to_yaml({
                "apiVersion": "syncset.gatekeeper.sh/v1alpha1",
                "kind": "SyncSet",
                "metadata": {"name": f"{plan.name}-namespaces"},
                "spec": {"gvks": [NAMESPACE_GVK]},
            })
        return files


class GatorSuitesBackend:
    """gator verify suites and their sample objects, in the Gatekeeper library's layout.

    They live beside dist/<spec>/gatekeeper, never in it: `gator test -f` and
    `kubectl apply` of that folder read every YAML file below it, and would take
    our samples for the user's resources. Each suite names the shipped template
    and constraint (../../gatekeeper/<policy>/), so it tests what is installed.
    """

    name = "gatekeeper-tests"

    def render(self, plan: Plan) -> dict[PurePosixPath, str]:
        files: dict[PurePosixPath, str] = {}
        cases = cases_for(plan)
        for rule in plan.rules:
            if rule.rule_id in UNSUPPORTED:
                continue
            folder = PurePosixPath(rule.info.policy_name)
            policy = PurePosixPath("..", "..", GatekeeperBackend.name, rule.info.policy_name)
            tests: list[dict[str, Any]] = []
            for case in (c for c in cases if c.rule_id == rule.rule_id):
                sample = PurePosixPath("samples") / case_folder(case)
                files[folder / sample / example_file(case)] = to_yaml(case.resource)
                inventory = ""
                if case.namespaces:
                    inventory = str(sample / "example_inventory.yaml")
                    files[folder / inventory] = dump_yaml_documents([case.namespaces[n] for n in sorted(case.namespaces)])
                case_doc: dict[str, Any] = {
                    "assertions": [{"message": f"^{re.escape(f'{rule.rule_id}/{check}')} ", "violations": "yes"}
                                   for check in case.checks] or [{"violations": "no"}],
                    "name": "example-disallowed" if case.fails else "example-allowed",
                    "object": str(sample / example_file(case)),
                }
                if inventory:
                    case_doc["inventory"] = [inventory]
                tests.append({"cases": [case_doc], "constraint": str(policy / "constraint.yaml"), "name": case_folder(case),
                              "template": str(policy / "template.yaml")})
            files[folder / "suite.yaml"] = to_yaml({
                "apiVersion": "test.gatekeeper.sh/v1alpha1", "kind": "Suite", "metadata": {"name": rule.info.policy_name}, "tests": tests})
        return files
