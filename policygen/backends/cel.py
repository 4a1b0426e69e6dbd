"""One CEL source per rule, rendered into Kyverno's ValidatingPolicy and Kubernetes' ValidatingAdmissionPolicy.

`policygen/rules/<id>/rule.cel.jinja` renders, as YAML data, the rule's CEL
`variables`, its `problems` expression (a list of messages, each starting
`RULE/check `) and optional `matchConditions`. Both backends take that data
as it is and wrap it the same way: one validation, `size(variables.problems)
== 0`, whose messageExpression joins the first problems. Neither backend
holds a CEL expression of a rule of its own.

A pod rule's `usual.cel.jinja` renders, where its params allow
(`Rule.usual`), one more expression: true only for a pod whose parts are of
the shape an injector writes and in which the rule finds nothing. The
validation is then `variables.usual || size(variables.problems) == 0`. Both
APIs evaluate a variable only when an expression reads it, so such a pod
never pays for `problems`: its parsing of every image, its messages.

Spec values enter the CEL only as literals (`cel_literal`), so that no spec
value can change the logic around it. The match (which requests reach the
rule) is computed here too, as admissionregistration `MatchResources`, which
both APIs share.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any

import jinja2
import yaml

from ..checks import CHECKS
from ..kinds import rule_kinds
from ..plan import Plan, RulePlan, per_plan
from ..render import load_own_yaml, make_env, to_json
from ..rules import REGISTRY, RULES
from .. import usual
from . import cel_split
from .manifest import RuleOutput, kinds_only

# Rules with a CEL source (policygen/rules/<id>/rule.cel.jinja), which runs in the API server too;
# SC012 has none: it needs a registry and is an ImageValidatingPolicy in Kyverno only.
CEL_RULE_IDS = tuple(rule.rule_id for rule in RULES if rule.cel_template)
# The API server refuses a messageExpression result over 5 KiB or with a line
# break; echoed values are cut to 200 characters, at most this many problems
# are joined, and a message still over MESSAGE_BYTES keeps only its codes.
MESSAGE_PROBLEMS = 8
MESSAGE_BYTES = 5000  # the API server's limit is 5 KiB (celconfig.MaxEvaluatedMessageExpressionSizeBytes)
WRITE_OPS = ["CREATE", "UPDATE"]
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"
_CODE = re.compile(r'"((?:SC|CP)\d{3})/([a-z0-9-]+) "')

# Pods and every controller with a pod template, in every
# API version that serves or served them (kinds.LEGACY_API_VERSIONS: manifests kept in Git still use
# extensions/v1beta1, apps/v1beta1 and v1beta2, batch/v1beta1; they are the same controllers). The pod
# subresources that change its spec after admission are matched too: `kubectl debug`'s
# pods/ephemeralcontainers and in-place resize's pods/resize (Kubernetes 1.33+), through which an
# admitted pod's sidecar limits could otherwise be raised past SC007's maxima. Both requests carry the
# whole Pod, judged as an UPDATE of it. SC012's image policy matches these; the pod rules also match
# pods/status (POD_RULE_RESOURCE_RULES), which cannot change a pod's spec but can change its labels and
# annotations (the API server's pod status strategy keeps the old spec only).
POD_RESOURCE_RULES: list[dict[str, Any]] = [
    {"apiGroups": [""], "apiVersions": ["v1"], "resources": ["pods", "pods/ephemeralcontainers", "pods/resize", "replicationcontrollers"]},
    {"apiGroups": ["apps"], "apiVersions": ["*"], "resources": ["daemonsets", "deployments", "replicasets", "statefulsets"]},
    {"apiGroups": ["batch"], "apiVersions": ["*"], "resources": ["cronjobs", "jobs"]},
    {"apiGroups": ["extensions"], "apiVersions": ["*"], "resources": ["daemonsets", "deployments", "replicasets"]},
]
POD_RULE_SUBRESOURCES = ("ephemeralcontainers", "resize", "status")
POD_RULE_RESOURCE_RULES: list[dict[str, Any]] = [
    dict(r, resources=[*r["resources"], "pods/status"]) if "pods" in r["resources"] else r for r in POD_RESOURCE_RULES]
# The subresources through which an object's labels and annotations change while its spec does not: the
# API server's pod status strategy keeps the old spec only, and the Namespace status and finalize strategies
# keep its spec or status, never its metadata. CP004 matches the Namespace's (an injection label removed
# through namespaces/status would otherwise go unseen), the pod rules pods/status.
METADATA_SUBRESOURCES: dict[str, tuple[str, ...]] = {"Pod": ("status",), "Namespace": ("finalize", "status")}
# Every subresource write a rule judges, by the kind its request carries.
JUDGED_SUBRESOURCES: dict[str, tuple[str, ...]] = {"Pod": POD_RULE_SUBRESOURCES, "Namespace": METADATA_SUBRESOURCES["Namespace"]}
# Such a write is judged only where it changes labels or annotations: the kubelet's status updates and the
# namespace controller's status and finalize writes, which never do, are never denied, even for an object
# admitted before the policy was. policygen/engines/status.py and review.rego (metadata_kept) say the same.
STATUS_CONDITION: dict[str, str] = {
    "name": "status-changes-metadata",
    "expression": ('!has(request.subResource) || !(request.subResource in ["status", "finalize"]) || object == null || '
                   'oldObject == null || '
                   'object.?metadata.?labels.orValue({}) != oldObject.?metadata.?labels.orValue({}) || '
                   'object.?metadata.?annotations.orValue({}) != oldObject.?metadata.?annotations.orValue({})'),
}
# An UPDATE that keeps the object's spec, labels and annotations (a controller removing a finalizer) changes
# nothing a pod rule reads, and its pods run as before whatever the verdict: judging it would only keep a pod
# admitted before the policies, or before its namespace joined the mesh, from ever being cleaned up (a red team
# on the local control plane). review.rego's update_keeps_pod and policygen/engines/status.py say the same.
UPDATE_CONDITION: dict[str, str] = {
    "name": "update-changes-pod",
    "expression": ('request.operation != "UPDATE" || object == null || oldObject == null || '
                   'object.?spec.orValue(null) != oldObject.?spec.orValue(null) || '
                   '["labels", "annotations"].exists(k, '
                   '(type(object.?metadata.orValue(null)) == map ? object.metadata[?k].orValue({}) : {}) != '
                   '(type(oldObject.?metadata.orValue(null)) == map ? oldObject.metadata[?k].orValue({}) : {}))'),
}
CP_RESOURCE_RULES: dict[str, list[dict[str, Any]]] = {
    "CP001": [{"apiGroups": ["admissionregistration.k8s.io"], "apiVersions": ["v1"], "resources": ["mutatingwebhookconfigurations"]}],
    "CP002": [{"apiGroups": [""], "apiVersions": ["v1"], "resources": ["configmaps"]}],
    "CP003": [{"apiGroups": ["security.istio.io"], "apiVersions": ["*"], "resources": ["peerauthentications"]}],
    "CP004": [{"apiGroups": [""], "apiVersions": ["v1"], "resources": ["namespaces", "namespaces/finalize", "namespaces/status"]}],
    "CP005": [{"apiGroups": ["rbac.authorization.k8s.io"], "apiVersions": ["v1"], "resources": ["clusterroles", "roles"]}],
}


def _scalar_type(value: Any) -> type | None:
    return type(value) if type(value) in (bool, int, str) else None


def cel_literal(value: Any, nested: bool = False) -> str:
    """A CEL literal for JSON data.

    Kubernetes CEL rejects mixed-type list and map literals, so the elements
    and values of one are wrapped in dyn(); a list or map of strings alone
    (or of integers, or booleans) needs none, and every dyn() call is work for
    the type checker on each compile. A map that is not inside another
    literal keeps dyn() values, so that its fields read as dyn wherever a
    template reads them (as `variables.params`). Scalars are JSON-encoded (a
    JSON string is a valid CEL string), so a spec value stays a literal.
    """
    if isinstance(value, dict):
        items = sorted(value.items())
        wrap = "{}" if nested and _uniform(v for _, v in items) else "dyn({})"
        return "{" + ", ".join(f"{to_json(str(k))}: {wrap.format(cel_literal(v, True))}" for k, v in items) + "}"
    if isinstance(value, (list, tuple)):
        wrap = "{}" if _uniform(value) else "dyn({})"
        return "[" + ", ".join(wrap.format(cel_literal(v, True)) for v in value) + "]"
    if value is None or isinstance(value, (bool, int, str)):
        return to_json(value)
    raise TypeError(f"no CEL literal for {type(value).__name__}")


def _uniform(values: Any) -> bool:
    """All of one scalar type (bool is not int here), so the literal type-checks without dyn()."""
    kinds = {_scalar_type(v) for v in values}
    return len(kinds) == 1 and None not in kinds


def template_env() -> jinja2.Environment:
    """The Jinja environment the CEL templates render in (with the `cel` literal filter)."""
    return _env()


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    env = make_env().overlay()
    env.filters["cel"] = cel_literal
    return env


# --------------------------------------------------------------------------- the source


@dataclass(frozen=True)
class CelSource:
    rule_id: str
    variables: list[dict[str, str]]
    problems: str
    match_conditions: list[dict[str, str]] = field(default_factory=list)
    # CEL true only where `problems` is empty (usual.cel.jinja), or "" where the rule has none for its params.
    usual: str = ""

    def all_variables(self) -> list[dict[str, str]]:
        """The rule's variables, `usual` and `problems`, in evaluation order."""
        usual = [{"name": "usual", "expression": self.usual}] if self.usual else []
        return [*self.variables, *usual, {"name": "problems", "expression": self.problems}]

    @property
    def validation(self) -> dict[str, str]:
        n = MESSAGE_PROBLEMS
        more = f'(size(variables.problems) <= {n} ? "" : " (and " + string(size(variables.problems) - {n}) + " more)")'
        # Escaping can make an echoed value six times its 200 characters; a message over the limit would fall back
        # to the static one and lose every check code, so it keeps only the codes then.
        codes = (f'variables.problems.slice(0, {n}).map(p, p.substring(0, p.indexOf(" ") + 1) + "(message cut: too long)")'
                 f'.join("; ") + {more}')
        return {
            "expression": ("variables.usual || " if self.usual else "") + "size(variables.problems) == 0",
            # A spec's value is echoed as written (its approved values, args, a webhook path): a line break in it
            # is written as \n, where the API server would drop the whole message for the static one.
            "messageExpression": (
                f'[variables.problems.slice(0, size(variables.problems) <= {n} ? size(variables.problems) : {n}).join("; ") + {more}]'
                '.map(m, m.replace("\\n", "\\\\n").replace("\\r", "\\\\r"))'
                f'.map(m, size(bytes(m)) <= {MESSAGE_BYTES} ? m : {codes})[0]'
            ),
        }


def cel_source(plan: Plan, rule: RulePlan) -> CelSource:
    """Render the rule's policygen/rules/<id>/rule.cel.jinja for one rule of the plan (once per plan and
    rule: both CEL backends read it)."""
    if plan.rule(rule.rule_id) is not rule:  # a rule the plan does not hold: nothing to share
        return _cel_source(plan, rule)
    return per_plan(plan, f"cel:{rule.rule_id}", lambda: _cel_source(plan, rule))


def _cel_source(plan: Plan, rule: RulePlan) -> CelSource:
    rid = rule.rule_id
    context: dict[str, Any] = {**REGISTRY[rid].template_context(rule.params), "params": rule.params, "rule_id": rid}
    template = REGISTRY[rid].cel_template
    text = _env().get_template(template).render(**context)
    try:
        data = load_own_yaml(text)
    except yaml.YAMLError as exc:  # a template bug, never user input
        raise ValueError(f"{template} rendered invalid YAML: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("problems"), str) or not isinstance(data.get("variables"), list):
        raise ValueError(f"{template} must render `variables` and `problems`")
    for m in _CODE.finditer(text):
        if m.group(1) != rid or m.group(2) not in CHECKS[rid]:
            raise ValueError(f"{template}: message code {m.group(1)}/{m.group(2)} is not a check of {rid} (policygen/rules/{rid.lower()}/)")
    lists = frozenset(v["name"] for v in data["variables"] if cel_split.yields_list(v.get("expression", "")))
    problems, parts = cel_split.split(data["problems"].strip(), lists=lists)
    taken = {v.get("name") for v in data["variables"]}
    if any(v["name"] in taken for v in parts):
        raise ValueError(f"{template}: a variable is named like a part of `problems` ({cel_split.__name__})")
    if "usual" in taken:
        raise ValueError(f"{template}: `usual` is the name of the variable usual.cel.jinja renders")
    return CelSource(rid, [*data["variables"], *parts], problems, data.get("matchConditions") or [],
                     _usual(plan, rule, context))


def _usual(plan: Plan, rule: RulePlan, context: dict[str, Any]) -> str:
    """The rule's usual.cel.jinja rendered for its params, or "" where it has none or they are not covered."""
    spec = REGISTRY[rule.rule_id]
    if spec.usual_cel_template is None or spec.usual is None or not spec.usual(rule.params):
        return ""
    text = _env().get_template(spec.usual_cel_template).render(**context, u=usual.cel_context(plan))
    # A literal holds no raw line break (cel_literal writes JSON), so stripping lines leaves every literal whole.
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def codes_in(source: CelSource) -> set[str]:
    text = "\n".join(v["expression"] for v in source.all_variables())
    return {f"{a}/{b}" for a, b in _CODE.findall(text)}


# --------------------------------------------------------------------------- match


def match_resources(rule: RulePlan) -> dict[str, Any]:
    """admissionregistration MatchResources for one rule.

    Pod rules match every pod-bearing resource (no autogen: the CEL reads a
    controller's template itself). Excluded namespaces are left out by their
    immutable `kubernetes.io/metadata.name` label, except for SC003, whose
    sidecar-image check holds in every namespace; whether a namespace is a
    mesh namespace (listed, or selected by its labels) is the CEL's
    `variables.inMesh`, read from `namespaceObject`.
    """
    rid = rule.rule_id
    if rid.startswith("SC"):
        rules = [dict(r, operations=list(WRITE_OPS)) for r in POD_RULE_RESOURCE_RULES]
        out: dict[str, Any] = {"resourceRules": rules}
        excluded = rule.params.get("scope", {}).get("excludedNamespaces") or []
        if rid != "SC003" and excluded:
            out["namespaceSelector"] = {"matchExpressions": [
                {"key": NAMESPACE_NAME_LABEL, "operator": "NotIn", "values": sorted(excluded)}]}
        return out
    ops = ["CREATE", "UPDATE", "DELETE"] if REGISTRY[rid].judges_delete else list(WRITE_OPS)
    return {"resourceRules": [dict(r, operations=ops) for r in CP_RESOURCE_RULES[rid]]}


def match_conditions(src: CelSource) -> list[dict[str, str]]:
    """The rule's own matchConditions, and for a rule that matches a metadata subresource (every pod rule,
    CP004) the one that leaves the writes that change no label or annotation alone; for a pod rule, also the
    one that leaves alone an UPDATE that keeps what it reads."""
    subresources = src.rule_id.startswith("SC") or any(
        "/" in res for r in CP_RESOURCE_RULES.get(src.rule_id, []) for res in r["resources"])
    pod_rule = [UPDATE_CONDITION] if src.rule_id.startswith("SC") else []
    return [*src.match_conditions, STATUS_CONDITION, *pod_rule] if subresources else list(src.match_conditions)


def operations(rule: RulePlan) -> list[str]:
    return sorted({op for r in match_resources(rule)["resourceRules"] for op in r["operations"]})


def rule_output(rule: RulePlan, path: PurePosixPath) -> RuleOutput:
    """What a CEL policy hands the engines: its file, the kinds it reads and the operations it matches."""
    return RuleOutput(rule.rule_id, (path,), kinds_only(rule_kinds(rule.rule_id)), frozenset(operations(rule)))


# --------------------------------------------------------------------------- exceptions and enforcement

# The object the rules judge: the old one of a DELETE (policygen/exceptions.py's target).
_TARGET = '(request.operation == "DELETE" ? oldObject : object)'
# An action of the spec's enforcement section as a ValidatingPolicy's or ValidatingAdmissionPolicy's validationActions.
ENFORCEMENT_ACTIONS = {"deny": ["Deny"], "warn": ["Warn"], "audit": ["Audit"]}


def enforcement_actions(plan: Plan, rule_id: str, mode_actions: list[str]) -> list[str]:
    """The rule's validationActions: its entry in the spec's enforcement, else the spec mode's (mode_actions)."""
    action = plan.enforcement.get(rule_id)
    return list(ENFORCEMENT_ACTIONS[action]) if action else list(mode_actions)


def covered_condition(objects: Any) -> str:
    """CEL, true when the object under review is one an exception's objects cover.

    The same reading as policygen/exceptions.py's ``matches`` and the Rego's
    ``covers``: kind, the namespace as the rules read it (a Namespace's own
    name; none for other cluster-scoped kinds), name and labels, each compared
    exactly. Spec values reach the expression only as CEL literals. A field of
    the wrong type compares unequal, or errors, and an error never exempts.
    """
    from ..kinds import API_GROUPS, CLUSTER_SCOPED_KINDS

    # Only the cluster-scoped kinds some rule reads: the policies match no other kind.
    t = _TARGET
    kind = f"{t}.?kind.orValue(\"\")"
    terms = []
    if objects.kinds:
        terms.append(f"{kind} in {cel_literal(sorted(objects.kinds))}")
    if objects.namespaces:
        own = f"{t}.?metadata.?namespace.orValue(\"\")"
        namespace = (f"({kind} == \"Namespace\" ? {t}.?metadata.?name.orValue(\"\") : "
                     f"{kind} in {cel_literal(sorted(k for k in API_GROUPS if k in CLUSTER_SCOPED_KINDS and k != 'Namespace'))} ? \"\" : "
                     f"{own} != \"\" ? {own} : request.namespace != \"\" ? request.namespace : \"default\")")
        terms.append(f"{namespace} in {cel_literal(sorted(n for n in objects.namespaces if n))}")
    if objects.names:
        terms.append(f"{t}.?metadata.?name.orValue(\"\") in {cel_literal(sorted(objects.names))}")
    for key, value in objects.labels:
        terms.append(f"{t}.?metadata.?labels[?{to_json(key)}].orValue(\"\") == {to_json(value)}")
        if value == "":
            # An absent label reads as "" above; an exception for the empty value needs the key present.
            # Read optionally: an object with no labels is simply not covered, never an error (which a
            # VAP's failurePolicy: Fail would turn into a denial).
            terms.append(f"{to_json(key)} in {t}.?metadata.?labels.orValue({{}})")
    return " && ".join(terms) if terms else "true"


# The API server takes at most 64 matchConditions per policy (admissionregistration validation).
MAX_MATCH_CONDITIONS = 64


def exception_match_conditions(plan: Plan, rule_id: str, taken: set[str]) -> list[dict[str, str]]:
    """A ValidatingAdmissionPolicy's matchConditions that leave out what the rule's exceptions in force cover:
    the policy applies only when every condition holds, so each is the negation of one exception. More
    exceptions than the API server's limit leaves room for are one condition, the negation of them all."""
    exceptions = plan.exceptions_for(rule_id)
    if len(exceptions) > MAX_MATCH_CONDITIONS - len(taken):
        name = next(n for n in (f"exceptions-{i}" if i else "exceptions" for i in range(len(taken) + 1)) if n not in taken)
        either = " || ".join(f"({covered_condition(exc.objects)})" for exc in exceptions)
        return [{"name": name, "expression": f"!({either})"}]
    out = []
    for exc in exceptions:
        name = exc.name if exc.name not in taken else f"exception-{len(out)}-{exc.name}"[:63]
        taken.add(name)
        out.append({"name": name, "expression": f"!({covered_condition(exc.objects)})"})
    return out
