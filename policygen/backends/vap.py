"""ValidatingAdmissionPolicy backend: CEL enforced by the API server itself, no policy engine installed.

One `ValidatingAdmissionPolicy` and its `ValidatingAdmissionPolicyBinding`
per rule ID (`dist/<spec>/vap/<policy-name>.yaml`), rendered from the same
CEL source as the Kyverno ValidatingPolicies (backends/cel.py), and a
`kustomization.yaml` listing them: cluster objects only, no test data.

Parameters are inlined as CEL literals, not read from a params resource: the
spec is the single source of the policy, a literal cannot be changed in the
cluster without changing the policy object itself (a ConfigMap or CRD params
object could be edited by anyone who may write it, and a binding whose params
object is missing fails open or closed depending on `parameterNotFoundAction`),
and the Kyverno ValidatingPolicies, which take no params, render the very same
expressions.

SC012 (cosign signatures) needs a registry, which CEL in the API server cannot
reach: it has no VAP and is reported in notEvaluated. See docs/vap.md.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from ..plan import Plan, RulePlan
from ..render import dump_yaml_documents, to_yaml
from ..rules import CATALOGUE, RuleInfo, not_rendered_by
from .cel import CEL_RULE_IDS, cel_source, enforcement_actions, exception_match_conditions, match_conditions, match_resources, rule_output
from .manifest import RuleOutput

API_VERSION = "admissionregistration.k8s.io/v1"
# ext.Lists version 3 (lists.range, flatten, slice) enters the API server's CEL
# at compatibility version 1.34, which a 1.35 API server offers by default.
KUBERNETES_VERSION = "1.35+"
UNSUPPORTED = not_rendered_by("vap")


def validation_actions(plan: Plan) -> list[str]:
    return ["Deny"] if plan.mode == "enforce" else ["Audit", "Warn"]


def _metadata(plan: Plan, info: RuleInfo) -> dict[str, Any]:
    return {
        "name": info.policy_name,
        "annotations": {
            "policygen.dev/rule-id": info.rule_id,
            "policygen.dev/spec": plan.name,
            "policygen.dev/title": info.title,
            "policygen.dev/description": info.description,
            "policygen.dev/kubernetes-version": KUBERNETES_VERSION,
        },
        "labels": {"app.kubernetes.io/managed-by": "policygen"},
    }


def render_policy(plan: Plan, rule: RulePlan) -> list[dict[str, Any]]:
    """The policy and its binding."""
    info = CATALOGUE[rule.rule_id]
    src = cel_source(plan, rule)
    match = match_resources(rule)
    spec: dict[str, Any] = {
        "failurePolicy": "Fail",
        "matchConstraints": {"resourceRules": match["resourceRules"]},
        "variables": src.all_variables(),
        "validations": [src.validation],
    }
    # The spec's exceptions in force: each one a condition the policy applies under (its negation).
    conditions = match_conditions(src)
    conditions += exception_match_conditions(plan, rule.rule_id, {c["name"] for c in conditions})
    if conditions:
        spec["matchConditions"] = conditions
    policy = {"apiVersion": API_VERSION, "kind": "ValidatingAdmissionPolicy", "metadata": _metadata(plan, info), "spec": spec}
    # The binding repeats the resource rules (it may only narrow the policy's) and
    # carries the namespace scope: excluded namespaces by their name label.
    binding = {
        "apiVersion": API_VERSION,
        "kind": "ValidatingAdmissionPolicyBinding",
        "metadata": _metadata(plan, info),
        "spec": {"policyName": info.policy_name, "validationActions": enforcement_actions(plan, rule.rule_id, validation_actions(plan)),
                 "matchResources": match},
    }
    return [policy, binding]


def cluster_objects(plan: Plan) -> list[dict[str, Any]]:
    """Every ValidatingAdmissionPolicy and binding of the plan, in apply order (a policy before
    its binding): what `kubectl apply -k dist/<spec>/vap` creates, for a real API server."""
    return [doc for rule in plan.rules if rule.rule_id in CEL_RULE_IDS for doc in render_policy(plan, rule)]


def policy_file(info: RuleInfo) -> PurePosixPath:
    return PurePosixPath(f"{info.policy_name}.yaml")


class VapBackend:
    name = "vap"

    @staticmethod
    def outputs(plan: Plan) -> list[RuleOutput]:
        """Per rule rendered: its policy and binding file, the kinds it reads and the operations it matches."""
        return [rule_output(rule, policy_file(CATALOGUE[rule.rule_id])) for rule in plan.rules if rule.rule_id in CEL_RULE_IDS]

    def render(self, plan: Plan) -> dict[PurePosixPath, str]:
        files: dict[PurePosixPath, str] = {}
        resources = []
        for rule in plan.rules:
            if rule.rule_id not in CEL_RULE_IDS:
                continue
            info = CATALOGUE[rule.rule_id]
            files[policy_file(info)] = dump_yaml_documents(render_policy(plan, rule))
            resources.append(str(policy_file(info)))
        files[PurePosixPath("kustomization.yaml")] = to_yaml({
            "apiVersion": "kustomize.config.k8s.io/v1beta1",
            "kind": "Kustomization",
            "resources": resources,
        })
        return files
