"""Requests no rule judges are allowed by every engine alike.

The pod rules and CP001, CP003, CP004 and CP005 judge what a CREATE or UPDATE
would store, CP002 also a DELETE (docs/semantics.md). A CONNECT (`kubectl
exec`, `port-forward`) stores nothing; the Kyverno adapter used to send it as
a CREATE, so it alone denied one on a bad object.
"""

from __future__ import annotations

import copy

import pytest
import yaml

from policygen.fixtures import baseline_pod
from policygen.samples import SampleSet, load_text

ENGINES = ["opa", "conftest", "gator", "kyverno", "vap"]


def _review(obj, operation):
    meta = obj.get("metadata", {})
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
        "uid": "1", "operation": operation, "userInfo": {"username": "alice", "groups": []},
        "namespace": meta.get("namespace", ""), "name": meta.get("name", ""), "object": obj}}


@pytest.fixture(scope="module")
def connects(reference_plan):
    pod, _ = baseline_pod(reference_plan)
    bad = copy.deepcopy(pod)
    bad["spec"]["hostNetwork"] = True
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "istio-sidecar-injector", "namespace": "istio-system"}}
    pa = {"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication",
          "metadata": {"name": "default", "namespace": "istio-system"}, "spec": {"mtls": {"mode": "DISABLE"}}}
    role = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "all"},
            "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]}
    docs = [_review(o, "CONNECT") for o in (bad, cm, pa, role)] + [_review(o, "CREATE") for o in (bad, cm, pa, role)]
    return SampleSet(load_text(yaml.safe_dump_all(docs), "connect.yaml"))


@pytest.mark.parametrize("engine", ENGINES)
def test_connect_is_judged_by_no_rule(engine, judge, reference_plan, connects):
    verdicts = judge(engine, reference_plan, "connect-requests", connects)
    said = [v.allowed for v in verdicts]
    assert said == [True] * 4 + [False] * 4, [(v.object, sorted(v.rules)) for v in verdicts]
