"""In-place pod resize (`pods/resize`, Kubernetes 1.33+) in real admission: the generated
ValidatingAdmissionPolicies judge it.

An admitted pod's sidecar limits could otherwise be raised after admission,
past SC007's maxima, since a resize goes through its own subresource and a
policy matching `pods` alone never sees it. Here a compliant mesh pod is
created on the session's local control plane (it is never scheduled: no
node runs, and the API server takes a resize of it all the same), the vap
backend as generated is installed with `kubectl apply -k`, and
`kubectl patch --subresource resize` raises istio-proxy's cpu limit.
"""

from __future__ import annotations

import copy
import subprocess
import time

import pytest

from policygen import tools
from policygen.cluster.admission import apply_folder, delete_folder
from policygen.engines.cluster import ClusterEngine, rule_names
from policygen.fixtures import approved_pod
from policygen.output import write_tree
from policygen.pipeline import render_all
from policygen.samples import Resource, SampleSet, _admission_review

from .conftest import require_tool

NAME = "resize-shop"


def _proxy(pod: dict) -> dict:
    return next(c for c in pod["spec"]["containers"] if c["name"] == "istio-proxy")


def _max_cpu_limit(plan) -> str:
    proxy = next(s for s in plan.rule("SC007").params["sidecars"] if s["name"] == "istio-proxy")
    return next(b["max"] for b in proxy["maxLimits"] if b["resource"] == "cpu")


def _resize(cluster, namespace: str, cpu_limit: str, dry_run: bool) -> subprocess.CompletedProcess:
    patch = '{"spec":{"containers":[{"name":"istio-proxy","resources":{"limits":{"cpu":"%s"}}}]}}' % cpu_limit
    argv = [str(tools.find("kubectl")), "--kubeconfig", str(cluster.kubeconfig), "patch", "pod", NAME, "-n", namespace,
            "--subresource", "resize", "--type", "strategic", "-p", patch]
    if dry_run:
        argv.append("--dry-run=server")
    return subprocess.run(argv, capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def resizable_pod(local_cluster, reference_plan):
    """A compliant mesh pod whose istio-proxy cpu limit is half the spec's maximum, created with no policy installed."""
    pod = approved_pod(reference_plan, NAME)
    namespace = pod["metadata"]["namespace"]
    # The API server's ServiceAccount plugin is off (no controller-manager); name one as the cluster engine does.
    pod["spec"]["serviceAccountName"] = "default"
    _proxy(pod)["resources"]["limits"]["cpu"] = "1"
    _proxy(pod)["resources"]["requests"]["cpu"] = "500m"
    client = local_cluster.client
    resp = client.request("POST", "/api/v1/namespaces", body={"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
    assert resp.status in (201, 409), resp.body
    path = f"/api/v1/namespaces/{namespace}/pods"
    client.request("DELETE", f"{path}/{NAME}", params={"gracePeriodSeconds": "0"})
    resp = client.request("POST", path, body=pod)
    assert resp.status == 201, resp.body
    assert not (resp.body.get("spec") or {}).get("nodeName")  # never scheduled: no scheduler, no node
    yield pod
    client.request("DELETE", f"{path}/{NAME}", params={"gracePeriodSeconds": "0"})


def test_the_server_serves_pods_resize(local_cluster, resizable_pod, reference_plan):
    """Without policies a resize past the maximum is accepted: whatever denies it below is admission."""
    namespace = resizable_pod["metadata"]["namespace"]
    proc = _resize(local_cluster, namespace, "3", dry_run=True)
    assert proc.returncode == 0, proc.stderr
    assert "pod/resize-shop patched" in proc.stdout


def test_vap_denies_a_resize_past_sc007_and_allows_one_within(local_cluster, resizable_pod, reference_plan, tmp_path_factory):
    dist = tmp_path_factory.mktemp("resize") / "dist"
    write_tree(render_all(reference_plan, ["vap"]), dist)
    folder = dist / "vap"
    sc007 = next(name for name, rule in rule_names(folder).items() if rule == "SC007")
    namespace = resizable_pod["metadata"]["namespace"]
    maximum = _max_cpu_limit(reference_plan)
    over = str(int(maximum) + 1)
    apply_folder(local_cluster.kubeconfig, folder)
    try:
        # Enforced once the API server has compiled the policies (a few seconds): dry runs change nothing.
        deadline = time.monotonic() + 90
        while (proc := _resize(local_cluster, namespace, over, dry_run=True)).returncode == 0:
            assert time.monotonic() < deadline, "the resize past the maximum was still admitted 90 s after install"
            time.sleep(0.5)
        assert f"ValidatingAdmissionPolicy '{sc007}'" in proc.stderr, proc.stderr
        assert "SC007/" in proc.stderr and "istio-proxy" in proc.stderr, proc.stderr
        # For real now: denied, and the stored pod keeps its limit.
        proc = _resize(local_cluster, namespace, over, dry_run=False)
        assert proc.returncode != 0 and f"ValidatingAdmissionPolicy '{sc007}'" in proc.stderr, proc.stderr
        # Up to the maximum itself: allowed by every installed policy, and stored.
        proc = _resize(local_cluster, namespace, maximum, dry_run=False)
        assert proc.returncode == 0, proc.stderr
        stored = local_cluster.client.request("GET", f"/api/v1/namespaces/{namespace}/pods/{NAME}").body
        assert _proxy(stored)["resources"]["limits"]["cpu"] == maximum
    finally:
        delete_folder(local_cluster.kubeconfig, folder)
        # Lifted before the next test's install: the resize past the maximum is admitted again.
        deadline = time.monotonic() + 90
        while _resize(local_cluster, namespace, over, dry_run=True).returncode != 0 and time.monotonic() < deadline:
            time.sleep(0.5)


@pytest.mark.parametrize("backend", ["vap", "gatekeeper", "kyverno"])
def test_every_backend_judges_a_resize_review(backend, local_cluster, reference_plan, tmp_path_factory, request):
    """A sample AdmissionReview with subResource resize is judged as that request (the engine PUTs to
    pods/NAME/resize): past the maximum denied by SC007, up to it admitted, in every admission backend."""
    for name in tools.CLUSTER_BACKEND_TOOLS[backend]:
        require_tool(name)
    # Kyverno runs once per session; Gatekeeper is started by the engine for its install.
    controller = request.getfixturevalue("kyverno_controller") if backend == "kyverno" else None
    maximum = _max_cpu_limit(reference_plan)
    resources = []
    # One pod per request: two UPDATEs of one object would take two installs (ClusterEngine._rounds).
    for i, cpu in enumerate((str(int(maximum) + 1), maximum)):
        old = approved_pod(reference_plan, f"resize-{backend}-{i}")
        old["spec"]["serviceAccountName"] = "default"
        _proxy(old)["resources"]["limits"]["cpu"] = "1"
        _proxy(old)["resources"]["requests"]["cpu"] = "500m"
        new = copy.deepcopy(old)
        _proxy(new)["resources"]["limits"]["cpu"] = cpu
        doc = {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
            "operation": "UPDATE", "subResource": "resize", "object": new, "oldObject": old,
            "userInfo": {"username": "alice", "groups": ["dev"]}}}
        resources.append(Resource("resize", i, _admission_review(doc, "resize", "request"), doc, None, True))
    dist = tmp_path_factory.mktemp(f"resize-{backend}") / "dist"
    write_tree(render_all(reference_plan, [backend]), dist)
    engine = ClusterEngine(backend, cluster=local_cluster, controller=controller)
    verdicts = engine.evaluate(dist, reference_plan, SampleSet(resources))
    assert [sorted(v.rules) for v in verdicts] == [["SC007"], []], [v.violations for v in verdicts]
