"""Every backend judges the pod subresources that change a pod's spec after admission.

`kubectl debug` adds containers through `pods/ephemeralcontainers`; an
in-place resize (Kubernetes 1.33+) changes resources through `pods/resize`.
A policy matching `pods` alone sees neither, so an admitted pod's sidecar
limits could be raised past SC007's maxima. Both requests carry the whole Pod
(kind Pod) as an UPDATE. Real admission of a resize: tests/test_cluster_resize.py.

`pods/status` cannot change a pod's spec (the API server keeps the old one) but
takes new labels and annotations: the pod rules match it, under a condition
that leaves the kubelet's status writes (which change neither) unjudged. The
adversarial samples sc003/sc008/sc009 `*-status` run it in every engine and in
real admission (tests/test_cluster_parity.py).
"""

from __future__ import annotations

import json
import re
import subprocess
import textwrap
from pathlib import Path

import yaml

from policygen.backends.cel import CEL_RULE_IDS, CP_RESOURCE_RULES, STATUS_CONDITION
from policygen.cluster.admission import GATEKEEPER_WEBHOOK_RESOURCES
from policygen.pipeline import render_all

from .conftest import require_tool

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
            conditions = policies[rule]["spec"].get("matchConditions") or []
            if rule == "SC012":
                # Images cannot change through pods/status: the signature check never sees the kubelet's writes.
                assert "pods/status" not in match["resources"] and STATUS_CONDITION not in conditions, (backend, match)
            else:
                assert "pods/status" in match["resources"], (backend, rule, match)
                assert STATUS_CONDITION in conditions, (backend, rule, conditions)
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
    for sub in (*POD_SUBRESOURCES, "pods/status"):
        assert sub in GATEKEEPER_WEBHOOK_RESOURCES
    assert "*" in GATEKEEPER_WEBHOOK_RESOURCES


def test_the_status_condition_leaves_only_the_kubelets_status_writes_unjudged(tmp_path):
    """The condition the VAPs, the ValidatingPolicies and the local Gatekeeper webhook share, evaluated by the
    API server's own CEL (celcheck): only a pods/status write that leaves labels and annotations is unmatched."""
    require_tool("celcheck")
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "n", "labels": {"a": "1"},
                                                          "annotations": {"b": "2"}}, "spec": {"containers": []}}
    relabelled = {**pod, "metadata": {**pod["metadata"], "labels": {"a": "2"}}}
    reannotated = {**pod, "metadata": {**pod["metadata"], "annotations": {}}}
    running = {**pod, "status": {"phase": "Running"}}
    unlabelled = {**pod, "metadata": {"name": "p", "namespace": "n"}}
    requests = [  # (subResource, object, oldObject, matched)
        ("status", running, pod, False),
        ("status", relabelled, pod, True),
        ("status", reannotated, pod, True),
        ("status", unlabelled, pod, True),
        ("status", unlabelled, unlabelled, False),
        ("", running, pod, True),
        ("resize", running, pod, True),
        ("ephemeralcontainers", relabelled, pod, True),
    ]
    assert_condition_agrees(tmp_path, requests, "Pod", ("pods", "pods/status", "pods/resize", "pods/ephemeralcontainers"))


def assert_condition_agrees(tmp_path, requests, kind, resources):
    """engines/status.py and STATUS_CONDITION (evaluated by the API server's own CEL) leave exactly the requests
    not `matched` unjudged: (subResource, object, oldObject, matched) each."""
    from policygen.engines.status import status_unjudged

    for sub, obj, old, matched in requests:
        assert status_unjudged({"subResource": sub, "object": obj, "oldObject": old}, kind) is (not matched), (sub, obj, old)
    _celcheck_condition(tmp_path, requests, resources)


def _celcheck_condition(tmp_path, requests, resources):
    """Each request through a ValidatingAdmissionPolicy whose only matchCondition is STATUS_CONDITION and
    whose validation always fails: a request is denied exactly where the condition matches it."""
    from policygen import tools

    policy = {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicy",
              "metadata": {"name": "status-condition"},
              "spec": {"failurePolicy": "Fail",
                       "matchConstraints": {"resourceRules": [{"apiGroups": [""], "apiVersions": ["v1"], "operations": ["UPDATE"],
                                                               "resources": list(resources)}]},
                       "matchConditions": [STATUS_CONDITION],
                       "validations": [{"expression": "false", "message": "matched"}]}}
    binding = {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicyBinding",
               "metadata": {"name": "status-condition"},
               "spec": {"policyName": "status-condition", "validationActions": ["Deny"]}}
    (tmp_path / "policy.yaml").write_text(yaml.safe_dump_all([policy, binding]))
    batch = [{"operation": "UPDATE", "object": obj, "oldObject": old, "namespace": "" if obj["kind"] == "Namespace" else "n",
              "subResource": sub,
              "userInfo": {"username": "u", "groups": []}} for sub, obj, old, _ in requests]
    (tmp_path / "requests.json").write_text(json.dumps(batch))
    (tmp_path / "namespaces.json").write_text(json.dumps([{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "n"}}]))
    proc = subprocess.run([str(tools.find("celcheck")), "-requests", str(tmp_path / "requests.json"),
                           "-namespaces", str(tmp_path / "namespaces.json"), str(tmp_path / "policy.yaml")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    denied = {json.loads(line)["index"] for line in proc.stdout.splitlines() if json.loads(line).get("messages")}
    assert denied == {i for i, (_, _, _, matched) in enumerate(requests) if matched}, proc.stdout


def test_docs_give_gatekeeper_users_the_status_condition_the_code_registers():
    text = (Path(__file__).resolve().parent.parent / "docs" / "gatekeeper.md").read_text()
    block = re.search(r"```yaml\n( *validatingWebhookSubResources:.*?)```", text, re.S).group(1)
    values = yaml.safe_load(textwrap.dedent(block))
    assert "pods/status" in values["validatingWebhookSubResources"]
    assert values["validatingWebhookMatchConditions"] == [STATUS_CONDITION]
