"""Every backend judges the pod subresources that change a pod's spec after admission.

`kubectl debug` adds containers through `pods/ephemeralcontainers`; an
in-place resize (Kubernetes 1.33+) changes resources through `pods/resize`.
A policy matching `pods` alone sees neither, so an admitted pod's sidecar
limits could be raised past SC007's maxima. Both requests carry the whole Pod
(kind Pod) as an UPDATE. Real admission of a resize: tests/test_cluster_resize.py.
"""

from __future__ import annotations

import yaml

from policygen.backends.cel import CEL_RULE_IDS, CP_RESOURCE_RULES
from policygen.cluster.admission import GATEKEEPER_WEBHOOK_RESOURCES
from policygen.pipeline import render_all

POD_SUBRESOURCES = ("pods/ephemeralcontainers", "pods/resize")
POD_RULES = sorted(set(CEL_RULE_IDS) - set(CP_RESOURCE_RULES)) + ["SC012"]


def _policies(plan, backend: str) -> dict[str, dict]:
    """rule ID -> the generated policy object of that backend (bindings and tests left out)."""
    found: dict[str, dict] = {}
    for rel, text in render_all(plan, [backend]).items():
        if rel.suffix != ".yaml" or {"samples", ".kyverno-test"} & set(rel.parts) or rel.name == "kustomization.yaml":
            continue
        for doc in yaml.safe_load_all(text):
            if not isinstance(doc, dict) or "Binding" in doc.get("kind", ""):
                continue
            rule = ((doc.get("metadata") or {}).get("annotations") or {}).get("policygen.dev/rule-id")
            if rule and doc.get("kind") in ("ValidatingAdmissionPolicy", "ValidatingPolicy", "ImageValidatingPolicy"):
                found[rule] = doc
    return found


def _core_pod_rule(policy: dict) -> dict:
    rules = policy["spec"]["matchConstraints"]["resourceRules"]
    return next(r for r in rules if r["apiGroups"] == [""] and "pods" in r["resources"])


def test_vap_and_kyverno_pod_rules_match_the_spec_changing_subresources(reference_plan):
    for backend, rules in (("vap", [r for r in POD_RULES if r != "SC012"]), ("kyverno", POD_RULES)):
        policies = _policies(reference_plan, backend)
        assert set(rules) <= set(policies), (backend, sorted(policies))
        for rule in rules:
            match = _core_pod_rule(policies[rule])
            for sub in POD_SUBRESOURCES:
                assert sub in match["resources"], (backend, rule, match)
            # A resize is an UPDATE of the pod: judged wherever pod updates are.
            assert "UPDATE" in match["operations"], (backend, rule, match)
        # Control-plane rules match their own kinds, never pods.
        for rule in CP_RESOURCE_RULES:
            resources = [res for r in policies[rule]["spec"]["matchConstraints"]["resourceRules"] for res in r["resources"]]
            assert not any(res.startswith("pods") for res in resources), (backend, rule)


def test_gatekeeper_constraints_match_the_pod_kind_a_subresource_request_carries(reference_plan):
    """Gatekeeper matches by the object's kind: a pods/resize request carries a Pod, matched as any Pod update."""
    constraints = {}
    for rel, text in render_all(reference_plan, ["gatekeeper"]).items():
        if rel.name == "constraint.yaml":
            doc = yaml.safe_load(text)
            constraints[doc["metadata"]["annotations"]["policygen.dev/rule-id"]] = doc
    for rule in [r for r in POD_RULES if r != "SC012"]:
        kinds = constraints[rule]["spec"]["match"]["kinds"]
        assert any("" in k["apiGroups"] and "Pod" in k["kinds"] for k in kinds), (rule, kinds)


def test_the_local_gatekeeper_webhook_intercepts_them_as_gatekeepers_chart_does():
    for sub in POD_SUBRESOURCES:
        assert sub in GATEKEEPER_WEBHOOK_RESOURCES
    assert "*" in GATEKEEPER_WEBHOOK_RESOURCES
