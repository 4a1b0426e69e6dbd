"""The Kyverno admission controller in the local control plane: its CEL-policy path and its legacy one.

A minimal ValidatingPolicy (policies.kyverno.io/v1) and a minimal ClusterPolicy
(kyverno.io/v1) of the test's own, each judged through the real controller's
webhooks, prove the harness before and beside policygen's generated Kyverno
policies (those are proven in tests/test_cluster_parity.py).
"""

from __future__ import annotations

import copy
from pathlib import Path, PurePosixPath

import pytest
import yaml

from policygen.cluster.denials import API_SERVER_RULE, read_answer
from policygen.cluster.processes import ClusterError
from policygen.engines.cluster import ClusterEngine
from policygen.kustomize import backend_kustomizations
from policygen.samples import Resource, SampleSet, _admission_review, _plain_review

from .test_cluster import _pod

VALIDATING_POLICY = {
    "apiVersion": "policies.kyverno.io/v1",
    "kind": "ValidatingPolicy",
    "metadata": {"name": "harness-vpol-sc008", "annotations": {"policygen.dev/rule-id": "SC008"}},
    "spec": {
        "validationActions": ["Deny"],
        "failurePolicy": "Fail",
        "evaluation": {"background": {"enabled": False}},
        "matchConstraints": {"resourceRules": [{
            "apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE", "UPDATE", "DELETE"],
            "resources": ["pods", "configmaps"],
        }]},
        "validations": [
            {"expression": "request.operation == 'DELETE' ? !request.userInfo.username.startsWith('policygen:') : "
                           "!has(object.metadata.annotations) || !('harness/forbidden' in object.metadata.annotations)",
             "messageExpression": "'SC008/annotation-forbidden harness: ' + request.operation + ' by ' + request.userInfo.username"},
            {"expression": "request.operation == 'DELETE' || !has(object.metadata.annotations) || "
                           "!('harness/second' in object.metadata.annotations)",
             "messageExpression": "'SC008/annotation-forbidden second: ' + string(object.metadata.annotations['harness/second'])"},
        ],
    },
}
CLUSTER_POLICY = {
    "apiVersion": "kyverno.io/v1",
    "kind": "ClusterPolicy",
    "metadata": {"name": "harness-cpol-sc011", "annotations": {"policygen.dev/rule-id": "SC011"}},
    "spec": {
        "validationFailureAction": "Enforce",
        "background": False,
        "rules": [{
            "name": "no-host-pid",
            "match": {"any": [{"resources": {"kinds": ["Pod"]}}]},
            "validate": {"message": "SC011/host-namespace harness: hostPID is set",
                         "deny": {"conditions": {"any": [{"key": "{{ request.object.spec.hostPID || `false` }}",
                                                           "operator": "Equals", "value": True}]}}},
        }],
    },
}


@pytest.fixture(scope="session")
def kyverno_dist(tmp_path_factory) -> Path:
    dist = tmp_path_factory.mktemp("kyverno-harness") / "dist"
    files = {PurePosixPath("harness/vpol.yaml"): yaml.safe_dump(VALIDATING_POLICY),
             PurePosixPath("harness/cpol.yaml"): yaml.safe_dump(CLUSTER_POLICY)}
    files.update(backend_kustomizations("kyverno", files))
    for rel, text in files.items():
        (dist / "kyverno" / rel).parent.mkdir(parents=True, exist_ok=True)
        (dist / "kyverno" / rel).write_text(text)
    return dist


def _review(op: str, obj: dict | None, old: dict | None, user: str, groups: list[str]) -> Resource:
    request = {"operation": op, "userInfo": {"username": user, "groups": groups}}
    if obj is not None:
        request["object"] = obj
    if old is not None:
        request["oldObject"] = old
    doc = {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request}
    return Resource("review", 0, _admission_review(doc, "review", "request"), doc, None, True)


def test_kyverno_controller_registers_its_webhooks_by_url_on_loopback(local_cluster, kyverno_controller):
    hooks = local_cluster.client.get("/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations")["items"]
    urls = [w["clientConfig"] for h in hooks if h["metadata"]["name"].startswith("kyverno-") for w in h.get("webhooks") or []]
    assert urls, "Kyverno registered no webhooks"
    for config in urls:
        assert "service" not in config and config["url"].startswith(f"https://127.0.0.1:{kyverno_controller.port}/")
        assert config["caBundle"]


def test_validating_policy_and_cluster_policy_deny_in_real_admission(local_cluster, kyverno_controller, kyverno_dist,
                                                                       reference_plan):
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "kcm", "namespace": "kharness"}, "data": {"a": "1"}}
    cm_bad = copy.deepcopy(cm)
    cm_bad["metadata"]["annotations"] = {"harness/forbidden": "y"}
    docs = [
        _pod("ok", namespace="kharness"),
        _pod("bad", {"harness/forbidden": "x"}, namespace="kharness"),
        _pod("host-pid", namespace="kharness", hostPID=True),
        # Both policies deny, the ValidatingPolicy by both its validations.
        _pod("all", {"harness/forbidden": "x", "harness/second": "z"}, namespace="kharness", hostPID=True),
        # Text that mimics Kyverno's framing, inside a quoted value: it names no extra policy.
        _pod("forged", {"harness/second": '"; Policy harness-cpol-sc011 failed: SC011/x"'}, namespace="kharness"),
    ]
    resources = [Resource(f"doc{i}", i, _plain_review(d), d) for i, d in enumerate(docs)]
    resources += [
        _review("UPDATE", cm_bad, cm, "alice", ["dev"]),
        _review("UPDATE", cm, cm, "alice", ["dev"]),
        _review("DELETE", None, cm, "policygen:someone", []),
        _review("DELETE", None, cm, "admin", ["system:masters"]),
    ]
    probe = _pod("probe", {"harness/forbidden": "p"}, namespace="kharness")
    probe2 = _pod("probe2", namespace="kharness", hostPID=True)
    engine = ClusterEngine("kyverno", cluster=local_cluster, controller=kyverno_controller, probes=[
        ("SC008", Resource("probe", 0, _plain_review(probe), probe)), ("SC011", Resource("probe2", 0, _plain_review(probe2), probe2))])
    verdicts = engine.evaluate(kyverno_dist, reference_plan, SampleSet(resources))
    said = [(v.allowed, sorted(v.rules)) for v in verdicts]
    both = said[3]
    assert said[:3] + said[4:] == [
        (True, []),
        (False, ["SC008"]),
        (False, ["SC011"]),
        (False, ["SC008"]),
        (False, ["SC008"]),  # UPDATE against the stored object
        (True, []),
        (False, ["SC008"]),  # DELETE, impersonated: the policy sees the sample's user
        (True, []),
    ], [(v.file, v.violations) for v in verdicts]
    # Two webhooks deny (vpol's and the ClusterPolicies'); the API server reports the first to answer,
    # and Kyverno stops a ValidatingPolicy at its first failing validation.
    assert not both[0] and both[1] in (["SC008"], ["SC011"], ["SC008", "SC011"]), verdicts[3].violations
    assert all(v.message.startswith(("SC008/annotation-forbidden harness", "SC011/host-namespace")) for v in verdicts[3].violations)
    assert "by alice" in verdicts[5].violations[0].message
    assert "by policygen:someone" in verdicts[7].violations[0].message
    assert "SC011" not in verdicts[4].rules
    # Uninstalled afterwards: the bad pod is admitted again, with the controller still running.
    after = ClusterEngine("kyverno", cluster=local_cluster, controller=kyverno_controller, probes=[])._judge(
        local_cluster.client, reference_plan, [resources[1]], {}, prepared=True)
    assert after[0].allowed, after[0].violations


def test_a_webhook_out_of_time_is_a_rejection_and_one_out_of_reach_an_error():
    """Under failurePolicy Fail the API server rejects a request whose webhook did not answer in time (red team
    15d: a 600 KB pod on a loaded machine), which ended the whole run before; a webhook it cannot reach at all
    means the install is broken, and stays an error. The bodies are the API server's own wording."""
    late = {"message": 'Internal error occurred: failed calling webhook "validation.gatekeeper.sh": failed to call webhook: '
                       'Post "https://127.0.0.1:40123/v1/admit?timeout=3s": context deadline exceeded'}
    out = read_answer(500, late, {}, "t")
    assert not out.admitted and [v.rule for v in out.violations] == ["ENGINE"]
    assert "did not answer in time" in out.violations[0].message
    gone = {"message": 'Internal error occurred: failed calling webhook "validation.gatekeeper.sh": failed to call webhook: '
                       'Post "https://127.0.0.1:40123/v1/admit?timeout=3s": dial tcp 127.0.0.1:40123: connect: connection refused'}
    with pytest.raises(ClusterError, match="could not consult admission"):
        read_answer(500, gone, {}, "t")


def test_kyverno_denials_name_only_installed_policies():
    names = {"sc001-x": "SC001", "sc003-y": "SC003"}
    hook = 'admission webhook "vpol.validate.kyverno.svc-fail-5c85d639" denied the request: '
    body = {"message": hook + 'Policy sc001-x failed: SC001/repository-not-approved image "a; Policy sc003-y failed: b"'}
    out = read_answer(400, body, names, "t")
    assert [v.rule for v in out.violations] == ["SC001"]
    body = {"message": hook + "Policy sc001-x failed: SC001/a one; SC001/b two; Policy sc003-y error: boom"}
    out = read_answer(400, body, names, "t")
    assert sorted((v.rule, v.message) for v in out.violations) == [
        ("SC001", "SC001/a one"), ("SC001", "SC001/b two"), ("SC003", "SC003 kyverno could not evaluate the policy: boom")]
    with pytest.raises(ClusterError, match="without naming a policygen policy"):
        read_answer(400, {"message": hook + "Policy someone-elses failed: no"}, names, "t")
    blocked = ('admission webhook "validate.kyverno.svc-fail" denied the request: \n\nresource Pod/ns/p was blocked due to '
               'the following policies \n\nsc003-y:\n  rule-a: \'SC003/x "sc001-x: forged"\'\n')
    assert [v.rule for v in read_answer(400, {"message": blocked}, names, "t").violations] == ["SC003"]
    assert read_answer(422, {"reason": "Invalid", "message": "x"}, names, "t").violations[0].rule == API_SERVER_RULE
    # A create whose name is taken got past validating admission first (registry.Store.create); any other
    # conflict is no verdict.
    assert read_answer(409, {"reason": "AlreadyExists", "message": 'configmaps "x" already exists'}, names, "t").admitted
    with pytest.raises(ClusterError, match="unexpected answer"):
        read_answer(409, {"reason": "Conflict", "message": "the object has been modified"}, names, "t")


def test_a_refused_install_is_an_error_and_leaves_nothing_installed(local_cluster, kyverno_controller, reference_plan,
                                                                     tmp_path):
    """Kyverno's policy webhook refuses a ClusterPolicy that the kyverno CLI accepts: the engine says so, and removes the rest.

    (background: true with a subresource kind: what today's generated ClusterPolicies do, measured.)
    """
    refused = copy.deepcopy(CLUSTER_POLICY)
    refused["metadata"]["name"] = "harness-cpol-refused"
    refused["spec"]["background"] = True
    refused["spec"]["rules"][0]["match"]["any"][0]["resources"]["kinds"] = ["Pod", "Pod/ephemeralcontainers"]
    files = {PurePosixPath("a/vpol.yaml"): yaml.safe_dump(VALIDATING_POLICY), PurePosixPath("b/cpol.yaml"): yaml.safe_dump(refused)}
    files.update(backend_kustomizations("kyverno", files))
    for rel, text in files.items():
        (tmp_path / "kyverno" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "kyverno" / rel).write_text(text)
    pod = _pod("bad", {"harness/forbidden": "x"}, namespace="kharness")
    probe = [("SC008", Resource("probe", 0, _plain_review(pod), pod))]
    engine = ClusterEngine("kyverno", cluster=local_cluster, controller=kyverno_controller, probes=probe)
    with pytest.raises(ClusterError, match="background scan enabled with subresource Pod/ephemeralcontainers"):
        engine.evaluate(tmp_path, reference_plan, SampleSet([probe[0][1]]))
    left = local_cluster.client.get("/apis/policies.kyverno.io/v1/validatingpolicies")["items"]
    assert [p["metadata"]["name"] for p in left] == []
    after = engine._judge(local_cluster.client, reference_plan, [probe[0][1]], {}, prepared=True)
    assert after[0].allowed, after[0].violations
