"""The generated ValidatingAdmissionPolicies under the API server's own CEL: they compile, and a
worst-case pod stays within the runtime cost budget.

tools/celcheck (k8s.io/apiserver) compiles each expression as the API server
validates a new policy (the API server estimates no static cost for a VAP:
its `object` is untyped) and evaluates the policy on a pod with the admission
plugin's validator under one binding's runtime budget.
"""

from __future__ import annotations

import copy

import pytest

from policygen import cost
from policygen.fixtures import approved_pod, mesh_namespace

from .conftest import require_tool

CONTAINERS = 60
INIT_CONTAINERS = 20
ENV_PER_CONTAINER = 40
SIDECAR_ENV = 1000


@pytest.fixture(scope="session")
def celcheck():
    return require_tool("celcheck")


@pytest.fixture(scope="session")
def vap_files(reference_dist):
    root = reference_dist / "vap"
    return sorted(p for p in root.glob("*.yaml") if p.name != "kustomization.yaml")


def _worst_case(plan, malicious: bool) -> tuple[dict, dict]:
    """A pod as large as a real one gets: many containers, long env lists, many mounts and annotations."""
    pod = approved_pod(plan, "worst-case")
    _, mesh_labels = mesh_namespace(plan)
    spec = pod["spec"]
    template = next(c for c in spec["containers"] if c["name"] == "app")
    for i in range(CONTAINERS):
        c = copy.deepcopy(template)
        c["name"] = f"app-{i}"
        c["env"] = [{"name": f"VAR_{j}", "value": "x" * 64} for j in range(ENV_PER_CONTAINER)]
        c["volumeMounts"] = [{"name": f"data-{j}", "mountPath": f"/data/{j}"} for j in range(10)]
        if malicious:
            c["image"] = "docker.io/istio/proxyv2:latest"
            c["securityContext"] = {"runAsUser": 1337, "privileged": True, "capabilities": {"add": ["NET_ADMIN"] * 5}}
        spec["containers"].append(c)
    for i in range(INIT_CONTAINERS):
        c = copy.deepcopy(template)
        c["name"] = f"init-{i}"
        if malicious:
            c["restartPolicy"] = "Always"
        spec.setdefault("initContainers", []).append(c)
    spec["volumes"] = spec.get("volumes", []) + [{"name": f"data-{j}", "emptyDir": {}} for j in range(10)]
    proxy = next(c for c in spec.get("initContainers", []) + spec["containers"] if c["name"] == "istio-proxy")
    proxy["env"] = proxy.get("env", []) + [{"name": f"EXTRA_{j}", "value": "y" * 32} for j in range(SIDECAR_ENV)]
    proxy["args"] = proxy.get("args", []) + [f"--flag-{j}" for j in range(200)]
    pod["metadata"]["annotations"].update({f"example.com/note-{j}": "z" * 100 for j in range(100)})
    if malicious:
        proxy["env"].append({"name": "LD_PRELOAD", "value": "/tmp/x.so"})
        # Near the API server's 256 KiB limit on all annotations: SC003's grammar reads it whole.
        members = ",".join(f'"containers":["evil-{j}","istio-proxy"]' for j in range(5000))
        pod["metadata"]["annotations"]["sidecar.istio.io/status"] = "{" + members + "}"
        spec["containers"][-1]["image"] = "docker.io/istio/" + "a" * 100_000 + ":latest"
    namespace = {"apiVersion": "v1", "kind": "Namespace",
                 "metadata": {"name": pod["metadata"]["namespace"],
                              "labels": {**(mesh_labels or {}),
                                         "kubernetes.io/metadata.name": pod["metadata"]["namespace"]}}}
    return pod, namespace


@pytest.fixture(scope="session")
def reports(celcheck, reference_plan, vap_files):
    out = {}
    for malicious in (False, True):
        pod, namespace = _worst_case(reference_plan, malicious)
        out[malicious] = cost.check(vap_files, pod, namespace)
    return out


def test_every_generated_vap_compiles_as_the_api_server_compiles_it(reports, vap_files, reference_files):
    names = {p.stem for p in vap_files}
    for report in reports[False]:
        assert report.compile_errors == [], (report.policy, report.compile_errors)
    assert {r.policy for r in reports[False]} == names


@pytest.mark.parametrize("malicious", [False, True])
def test_worst_case_pod_stays_within_the_runtime_budget(reports, malicious):
    pod_rules = [r for r in reports[malicious] if r.policy.startswith("sc")]
    assert pod_rules
    for r in pod_rules:
        assert r.evaluated and r.errors == [], (r.policy, r.errors)
        assert 0 < r.cost < r.budget, (r.policy, r.cost, r.budget)
    # The benign giant passes every rule; the malicious one is denied, with messages the API server keeps.
    if malicious:
        denied = {r.policy for r in pod_rules if not r.allowed}
        assert {"sc003-unapproved-sidecar", "sc005-sidecar-command-args-env", "sc010-app-container-identity"} <= denied
        for r in pod_rules:
            for m in r.messages:
                assert m.startswith(r.policy[:5].upper() + "/") and len(m.encode()) <= 5 * 1024 and "\n" not in m, m
    else:
        assert [r.policy for r in pod_rules if not r.allowed] == []


def test_costs_are_reported(reports, capsys):
    with capsys.disabled():
        for r in sorted(reports[True], key=lambda r: -r.cost):
            print(f"\n  {r.policy}: cost {r.cost} of {r.budget}", end="")
    assert max(r.cost for r in reports[True]) > 0
