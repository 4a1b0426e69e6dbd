"""Kyverno backend: one policies.kyverno.io/v1 policy per rule ID, proven with `kyverno test`.

Every rule but SC012 is a `ValidatingPolicy` rendered from the rule's one CEL
source (backends/cel.py, policygen/rules/<id>/rule.cel.jinja), the same source the `vap`
backend renders into ValidatingAdmissionPolicies. SC012 is an
`ImageValidatingPolicy` that checks cosign signatures with the spec's keys.
Annotations follow Kyverno's own policy library. Pod controllers are matched
explicitly (autogen off), `pods/ephemeralcontainers` and `pods/resize` included; the failure
action is `validationActions` (Deny for `mode: enforce`, Audit for `audit`).
See docs/kyverno.md.

Each policy's `.kyverno-test/` holds the rule's shared cases (policygen.fixtures, written
in the rule's folder), the same ones every other engine runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any


from .. import fixtures
from ..fixtures import Case
from ..plan import Plan, RulePlan
from ..render import dump_yaml_documents, load_own_yaml, to_yaml
from ..rules import CATALOGUE, REGISTRY, RuleInfo
from .cel import (NAMESPACE_NAME_LABEL, POD_RESOURCE_RULES, STATUS_CONDITION, UPDATE_CONDITION, WRITE_OPS, cel_literal, cel_source,
                  covered_condition, enforcement_actions, match_conditions, match_resources, rule_output, template_env)
from .manifest import RuleOutput

API_VERSION = "policies.kyverno.io/v1"
# policies.kyverno.io/v1 ValidatingPolicy and ImageValidatingPolicy are stable since Kyverno 1.17.
KYVERNO_MIN_VERSION = "1.17.0"
KUBERNETES_VERSION = "1.30+"

__all__ = ["KyvernoBackend", "cel_literal", "render_policy", "policy_path"]


def validation_actions(plan: Plan) -> list[str]:
    return ["Deny"] if plan.mode == "enforce" else ["Audit"]


def _metadata(plan: Plan, info: RuleInfo) -> dict[str, Any]:
    return {
        "name": info.policy_name,
        "annotations": {
            "policies.kyverno.io/title": info.title,
            "policies.kyverno.io/category": info.category,
            "policies.kyverno.io/severity": info.severity,
            "policies.kyverno.io/subject": info.subject,
            "policies.kyverno.io/description": info.description,
            "policies.kyverno.io/minversion": KYVERNO_MIN_VERSION,
            "kyverno.io/kyverno-version": KYVERNO_MIN_VERSION,
            "kyverno.io/kubernetes-version": KUBERNETES_VERSION,
            "policygen.dev/rule-id": info.rule_id,
            "policygen.dev/spec": plan.name,
        },
    }


def render_validating_policy(plan: Plan, rule: RulePlan) -> dict[str, Any]:
    info = CATALOGUE[rule.rule_id]
    src = cel_source(plan, rule)
    spec: dict[str, Any] = {
        "validationActions": enforcement_actions(plan, rule.rule_id, validation_actions(plan)),
        "failurePolicy": "Fail",
        # CP002 judges the request's user, which a background scan does not have.
        "evaluation": {"background": {"enabled": rule.rule_id != "CP002"}},
        "matchConstraints": match_resources(rule),
        "variables": src.all_variables(),
        "validations": [src.validation],
    }
    if rule.rule_id.startswith("SC"):
        # The CEL reads a controller's pod template itself; autogen would rewrite it.
        spec["autogen"] = {"podControllers": {"controllers": []}}
    if conditions := match_conditions(src):
        spec["matchConditions"] = conditions
    return {"apiVersion": API_VERSION, "kind": "ValidatingPolicy", "metadata": _metadata(plan, info), "spec": spec}


def _repository_forms(repositories: list[str]) -> list[str]:
    """Every spelling of the approved repositories an image reference may start with, lowercased."""
    forms: set[str] = set()
    for repo in repositories:
        forms.add(repo.lower())
        if repo.startswith("docker.io/"):
            path = repo[len("docker.io/"):]
            forms |= {path, f"index.docker.io/{path}", f"registry-1.docker.io/{path}"}
            if path.startswith("library/"):
                short = path[len("library/"):]
                forms |= {short, f"docker.io/{short}", f"index.docker.io/{short}", f"registry-1.docker.io/{short}"}
    return sorted(forms)


def image_match_expression(repositories: list[str]) -> str:
    """CEL over `ref`: the image is of an approved repository, whatever the registry's case, with a
    tag, a digest or neither. Wider than SC001's parser on purpose: an image verified too many is
    safe, one verified too few is not."""
    return (f"{cel_literal(_repository_forms(repositories))}.exists(f, ref.lowerAscii() == f || "
            f'ref.lowerAscii().startsWith(f + ":") || ref.lowerAscii().startsWith(f + "@"))')


# The pod spec of a Pod or a controller, for the image extractor (which cannot read variables).
_POD_SPEC = ('(object.kind == "Pod" ? object.spec : object.kind == "CronJob" ? '
             'object.spec.jobTemplate.spec.template.spec : object.spec.template.spec)')
SC012_MESSAGE = "SC012/signature an image of an approved sidecar repository is not signed by an approved cosign key"


def render_image_policy(plan: Plan, rule: RulePlan) -> dict[str, Any]:
    """SC012: every image of an approved sidecar repository carries a signature by one of the spec's keys.

    `images.pod` is every image of the pod (any container list, any pod-bearing
    kind); `matchImageReferences` keeps those of the approved repositories, and
    each must be verified by at least one attestor (one per key).
    """
    info = CATALOGUE[rule.rule_id]
    p = rule.params
    attestors = []
    for n, key in enumerate(p["publicKeys"]):
        cosign: dict[str, Any] = {"key": {"data": key}}
        if not p["transparencyLog"]:
            cosign["ctlog"] = {"insecureIgnoreTlog": True, "insecureIgnoreSCT": True}
        attestors.append({"name": f"key{n}", "cosign": cosign})
    names = ", ".join(f"attestors.{a['name']}" for a in attestors)
    lists = " + ".join(f"{_POD_SPEC}.?{f}.orValue([])" for f in ("initContainers", "containers", "ephemeralContainers"))
    spec: dict[str, Any] = {
        "validationActions": enforcement_actions(plan, rule.rule_id, validation_actions(plan)),
        "failurePolicy": "Fail",
        # Verification needs the registry at admission time.
        "evaluation": {"background": {"enabled": False}},
        "autogen": {"podControllers": {"controllers": []}},
        "matchConstraints": {"resourceRules": [dict(r, operations=list(WRITE_OPS)) for r in POD_RESOURCE_RULES],
                             **_excluded_namespaces(p["scope"])},
        "matchImageReferences": [{"expression": image_match_expression(p["repositories"])}],
        "images": [{"name": "pod", "expression": f"({lists}).map(c, c.image)"}],
        "validationConfigurations": {"mutateDigest": False, "verifyDigest": bool(p["requireDigest"]), "required": True},
        "attestors": attestors,
        "variables": _scope_variables(p),
        "validations": [{
            # Outside the mesh no sidecar rule but SC003 applies (SPEC.md): nothing is verified there.
            "expression": f"!variables.inMesh || images.pod.all(image, verifyImageSignatures(image, [{names}]) > 0)",
            "message": SC012_MESSAGE,
        }],
    }
    return {"apiVersion": API_VERSION, "kind": "ImageValidatingPolicy", "metadata": _metadata(plan, info), "spec": spec}


# What the pod rules' CEL reads to decide mesh scope (templates/cel/lib/common.jinja's scope_variables), and no more.
_SCOPE_VARIABLES = ("params", "objectSpec", "template", "podMetaRaw", "labels", "annotations",
                    "objectNamespace", "nsLabels", "selector", "nsInjected", "objectSelected", "inMesh")
_SCOPE_TEMPLATE = """{% import "kyverno/lib/pod.jinja" as pod %}{% import "cel/lib/common.jinja" as c %}
{{ pod.pod_variables(params) }}
{{ c.scope_variables() }}
"""


def _scope_variables(params: dict[str, Any]) -> list[dict[str, str]]:
    """The mesh-scope variables of the pod rules, rendered by the same macros, for SC012's policy."""
    text = template_env().from_string(_SCOPE_TEMPLATE).render(params={"scope": params["scope"]})
    found = load_own_yaml(text)
    return [v for v in found if v["name"] in _SCOPE_VARIABLES]


def _excluded_namespaces(scope: dict[str, Any]) -> dict[str, Any]:
    """Pods in excluded namespaces get no sidecar rule but SC003 (SPEC.md): by their immutable name label."""
    excluded = scope.get("excludedNamespaces") or []
    if not excluded:
        return {}
    return {"namespaceSelector": {"matchExpressions": [{"key": NAMESPACE_NAME_LABEL, "operator": "NotIn", "values": sorted(excluded)}]}}


def policy_doc(plan: Plan, rule: RulePlan) -> dict[str, Any]:
    return render_image_policy(plan, rule) if rule.rule_id == "SC012" else render_validating_policy(plan, rule)


def render_policy(plan: Plan, rule: RulePlan) -> str:
    return to_yaml(policy_doc(plan, rule))


def policy_path(info: RuleInfo) -> PurePosixPath:
    return PurePosixPath(info.policy_name) / f"{info.policy_name}.yaml"


# Where the PolicyExceptions go: Kyverno's own namespace, which a default install accepts them in.
EXCEPTION_NAMESPACE = "kyverno"


def render_exceptions(plan: Plan) -> dict[PurePosixPath, str]:
    """exceptions/<name>.yaml: one Kyverno PolicyException per exception in force, naming the policies of its
    rules and holding the objects it covers as a CEL match condition (the reading policygen eval has)."""
    files: dict[PurePosixPath, str] = {}
    for exc in plan.exceptions:
        refs = [{"name": CATALOGUE[r].policy_name, "kind": "ImageValidatingPolicy" if r == "SC012" else "ValidatingPolicy"}
                for r in exc.rules if plan.rule(r) is not None]
        if not refs:
            continue
        doc = {
            "apiVersion": API_VERSION,
            "kind": "PolicyException",
            "metadata": {
                "name": exc.name,
                "namespace": EXCEPTION_NAMESPACE,
                "annotations": {
                    "policygen.dev/spec": plan.name,
                    "policygen.dev/reason": exc.reason,
                    "policygen.dev/expires": exc.expires.isoformat(),
                },
            },
            "spec": {
                "policyRefs": refs,
                "matchConditions": [{"name": "covered", "expression": covered_condition(exc.objects)}],
            },
        }
        files[PurePosixPath("exceptions") / f"{exc.name}.yaml"] = to_yaml(doc)
    return files


class KyvernoBackend:
    name = "kyverno"

    @staticmethod
    def outputs(plan: Plan) -> list[RuleOutput]:
        """Per rule: its policy file, the kinds it reads and the operations it matches."""
        return [rule_output(rule, policy_path(CATALOGUE[rule.rule_id])) for rule in plan.rules]

    def render(self, plan: Plan) -> dict[PurePosixPath, str]:
        files: dict[PurePosixPath, str] = {}
        cases = fixtures.cases_for(plan)
        for rule in plan.rules:
            info = CATALOGUE[rule.rule_id]
            policy = policy_doc(plan, rule)
            files[policy_path(info)] = to_yaml(policy)
            mine = [c for c in cases if c.rule_id == rule.rule_id]
            for rel, text in fixture_files(plan, policy, mine).items():
                files[PurePosixPath(info.policy_name) / ".kyverno-test" / rel] = text
        files.update(render_exceptions(plan))
        return files


# --------------------------------------------------------------------------- fixtures


@dataclass
class _Folder:
    """One kyverno-test folder: the CLI keys resources by kind and name and reads one user per test."""

    user: dict[str, Any]
    objects: dict[tuple[str, str, str, str], dict[str, Any]] = field(default_factory=dict)
    namespaces: dict[str, dict[str, str]] = field(default_factory=dict)
    results: list[dict[str, Any]] = field(default_factory=list)

    def takes(self, user: dict[str, Any], key: tuple[str, str, str, str], obj: dict[str, Any]) -> bool:
        return user == self.user and self.objects.get(key, obj) == obj


def _key(obj: dict[str, Any]) -> tuple[str, str, str, str]:
    meta = obj["metadata"]
    return obj["apiVersion"], obj["kind"], meta.get("namespace") or "", meta["name"]


def _expected(case: Case, matched_only_by_violations: bool) -> str:
    if case.fails:
        return "fail"
    # Where matchConditions select exactly the violations, an allowed object is not matched at all.
    return "skip" if matched_only_by_violations else "pass"


def fixture_files(plan: Plan, policy: dict[str, Any], cases: list[Case]) -> dict[str, str]:
    """The kyverno-test folders of one rendered policy, from its rule's shared cases (policygen.fixtures):
    a folder per user and per clash of resource names, the first one at the top."""
    name = policy["metadata"]["name"]
    kind_flag = "isImageValidatingPolicy" if policy["kind"] == "ImageValidatingPolicy" else "isValidatingPolicy"
    # The status condition always holds in `kyverno test`, which sends no subresource, and so does the update
    # condition for the CREATEs below.
    matched_only_by_violations = any(c not in (STATUS_CONDITION, UPDATE_CONDITION) for c in policy["spec"].get("matchConditions") or [])
    folders: list[_Folder] = []
    for case in cases:
        if case.old_object_differs and REGISTRY[case.rule_id].reads_old_object:
            # `kyverno test` hands an UPDATE's policies its object as the oldObject too: such a case cannot run there.
            continue
        obj, user = case.object, case.user
        key = _key(obj)
        folder = next((f for f in folders if f.takes(user, key, obj)), None)
        if folder is None:
            folder = _Folder(user)
            folders.append(folder)
        folder.objects[key] = obj
        for ns in case.namespaces.values():
            folder.namespaces[ns["metadata"]["name"]] = dict(ns["metadata"].get("labels") or {})
        entry: dict[str, Any] = {"policy": name, kind_flag: True, "kind": obj["kind"],
                                 "result": _expected(case, matched_only_by_violations), "resources": [_resource_id(obj)]}
        # A pod rule's UPDATE goes as a CREATE of its object: `kyverno test` hands the object as its own oldObject,
        # which the update-changes-pod condition reads as an update that changes nothing. The rules judge the
        # object the same either way; kyvernocheck, which gives an UPDATE its oldObject, runs the condition.
        if case.operation != "CREATE" and not (case.operation == "UPDATE" and case.rule_id.startswith("SC")):
            entry["operation"] = case.operation
        clash = next((r for r in folder.results if {**r, "result": ""} == {**entry, "result": ""}), None)
        if clash is not None and clash["result"] != entry["result"]:
            raise ValueError(f"{name}/{case.name}: the same request is expected to {entry['result']} and to {clash['result']}")
        if clash is None:
            folder.results.append(entry)
    mesh_name, mesh_labels = fixtures.mesh_namespace(plan)
    files: dict[str, str] = {}
    for n, folder in enumerate(folders):
        prefix, up = ("", "../") if n == 0 else (f"case-{n}/", "../../")
        labels = dict(folder.namespaces)
        if mesh_labels is not None:
            labels.setdefault(mesh_name, dict(mesh_labels))
        files[f"{prefix}resource.yaml"] = dump_yaml_documents(list(folder.objects.values()))
        files[f"{prefix}values.yaml"] = to_yaml(values_document(labels, list(folder.objects.values())))
        files[f"{prefix}user-info.yaml"] = to_yaml({
            "apiVersion": "cli.kyverno.io/v1alpha1",
            "kind": "UserInfo",
            "metadata": {"name": "user-info"},
            "userInfo": folder.user,
        })
        files[f"{prefix}kyverno-test.yaml"] = to_yaml({
            "apiVersion": "cli.kyverno.io/v1alpha1",
            "kind": "Test",
            "metadata": {"name": name if n == 0 else f"{name}-case-{n}"},
            "policies": [f"{up}{name}.yaml"],
            "resources": ["resource.yaml"],
            "variables": "values.yaml",
            "userinfo": "user-info.yaml",
            "results": sorted(folder.results, key=lambda r: (r["resources"][0], r["kind"], r.get("operation", ""))),
        })
    return files


def values_document(namespace_labels: dict[str, dict[str, str]], objects: list[dict[str, Any]]) -> dict[str, Any]:
    """The CLI's values file: each namespace's labels (namespaceObject and namespaceSelector read
    them), with the `kubernetes.io/metadata.name` label the API server puts on every Namespace."""
    labels = {ns: dict(v) for ns, v in namespace_labels.items()}
    for obj in objects:
        ns = (obj.get("metadata") or {}).get("namespace")
        if isinstance(ns, str) and ns:
            labels.setdefault(ns, {})
    for ns, v in labels.items():
        v[NAMESPACE_NAME_LABEL] = ns
    return {
        "apiVersion": "cli.kyverno.io/v1alpha1",
        "kind": "Value",
        "metadata": {"name": "values"},
        "namespaceSelector": [{"name": ns, "labels": v} for ns, v in sorted(labels.items())],
    }


def _resource_id(obj: dict[str, Any]) -> str:
    meta = obj["metadata"]
    return f"{meta['namespace']}/{meta['name']}" if meta.get("namespace") else meta["name"]
