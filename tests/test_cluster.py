"""The local control plane, and real admission through it with a ValidatingAdmissionPolicy of this test's own."""

from __future__ import annotations

import base64
import subprocess
import sys
import time
from pathlib import Path, PurePosixPath

import pytest
import yaml

from policygen.cluster.client import ApiClient, Credentials, load_kubeconfig
from policygen.cluster.denials import API_SERVER_RULE
from policygen.cluster.processes import ClusterError, Component
from policygen.engines.cluster import ClusterEngine
from policygen.kustomize import backend_kustomizations
from policygen.samples import Resource, SampleSet, _admission_review, _plain_review

from .conftest import ROOT, require_tool

# A policy of the test's own, so the harness is proven before any backend renders VAPs.
# Its rule ID is borrowed (SC008: a forbidden annotation); its CEL is not policygen's.
POLICY = {
    "apiVersion": "admissionregistration.k8s.io/v1",
    "kind": "ValidatingAdmissionPolicy",
    "metadata": {"name": "harness-sc008", "annotations": {"policygen.dev/rule-id": "SC008"}},
    "spec": {
        "failurePolicy": "Fail",
        "matchConstraints": {"resourceRules": [{
            "apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE", "UPDATE", "DELETE"], "resources": ["pods", "configmaps"],
        }]},
        "validations": [{
            "expression": "request.operation == 'DELETE' ? !(request.userInfo.username.startsWith('policygen:')) : "
                          "!has(object.metadata.annotations) || !('harness/forbidden' in object.metadata.annotations)",
            "messageExpression": "'SC008/annotation-forbidden harness: ' + request.operation + ' by ' + request.userInfo.username",
        }],
    },
}
BINDING = {
    "apiVersion": "admissionregistration.k8s.io/v1",
    "kind": "ValidatingAdmissionPolicyBinding",
    "metadata": {"name": "harness-sc008", "annotations": {"policygen.dev/rule-id": "SC008"}},
    "spec": {"policyName": "harness-sc008", "validationActions": ["Deny"]},
}


def _pod(name: str, annotations: dict | None = None, namespace: str = "harness", **spec) -> dict:
    meta = {"name": name, "namespace": namespace}
    if annotations:
        meta["annotations"] = annotations
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta,
            "spec": {"containers": [{"name": "app", "image": "registry.example/app:1"}], **spec}}


@pytest.fixture(scope="session")
def harness_dist(tmp_path_factory) -> Path:
    dist = tmp_path_factory.mktemp("harness") / "dist"
    files = {PurePosixPath("harness/policy.yaml"): yaml.safe_dump(POLICY), PurePosixPath("harness/binding.yaml"): yaml.safe_dump(BINDING)}
    files.update(backend_kustomizations("vap", files))
    for rel, text in files.items():
        (dist / "vap" / rel).parent.mkdir(parents=True, exist_ok=True)
        (dist / "vap" / rel).write_text(text)
    return dist


def test_server_reports_its_release(local_cluster):
    assert local_cluster.client.get("/version")["gitVersion"] == "v1.37.2"


def test_rbac_is_on_and_anonymous_gets_nothing(local_cluster):
    anonymous = ApiClient(Credentials(local_cluster.server, str(local_cluster.ca_path)))
    assert anonymous.request("GET", "/api/v1/namespaces").status in (401, 403)
    nobody = local_cluster.client.request("GET", "/api/v1/namespaces", impersonate={"username": "system:anonymous", "groups": []})
    assert nobody.status == 403


def test_kubeconfig_is_private_and_usable(local_cluster):
    assert (local_cluster.kubeconfig.stat().st_mode & 0o077) == 0
    assert (local_cluster.folder.stat().st_mode & 0o077) == 0
    creds = load_kubeconfig(local_cluster.kubeconfig)
    assert ApiClient(creds).get("/version")["gitVersion"] == "v1.37.2"
    out = subprocess.run([str(require_tool("kubectl")), "--kubeconfig", str(local_cluster.kubeconfig), "auth", "whoami", "-o", "yaml"],
                         capture_output=True, text=True, check=True).stdout
    assert "system:masters" in out


def test_embedded_credentials_leave_no_file_behind(tmp_path):
    """Keys embedded in a kubeconfig are written out for requests, and removed when the process ends."""
    data = base64.b64encode(b"not a real key").decode()
    config = {"apiVersion": "v1", "kind": "Config", "current-context": "c",
              "contexts": [{"name": "c", "context": {"cluster": "k", "user": "u"}}],
              "clusters": [{"name": "k", "cluster": {"server": "https://127.0.0.1:6443", "certificate-authority-data": data}}],
              "users": [{"name": "u", "user": {"client-certificate-data": data, "client-key-data": data}}]}
    plain = {**config, "clusters": [{"name": "k", "cluster": {"server": "https://127.0.0.1:6443"}}],
             "users": [{"name": "u", "user": {"token": "t"}}]}
    for name, doc in (("embedded", config), ("plain", plain)):
        (tmp_path / f"{name}.yaml").write_text(yaml.safe_dump(doc))
    script = ("import sys; from pathlib import Path; from policygen.cluster.client import load_kubeconfig\n"
              "for p in sys.argv[1:]:\n"
              "    c = load_kubeconfig(Path(p)); print(c.ca if isinstance(c.ca, str) else '-')\n"
              "    print(c.cert[1] if c.cert else '-')")
    out = subprocess.run([sys.executable, "-c", script, str(tmp_path / "embedded.yaml"), str(tmp_path / "plain.yaml")],
                         capture_output=True, text=True, check=True, cwd=ROOT).stdout.split()
    ca, key, plain_ca, plain_key = out
    assert Path(ca).name == "certificate-authority" and Path(key).name == "client-key"
    assert (plain_ca, plain_key) == ("-", "-")  # nothing embedded: no scratch folder at all
    assert not Path(ca).parent.exists(), "embedded credentials outlived the process"


def test_a_dead_component_is_an_error(tmp_path):
    component = Component("short-lived", [sys.executable, "-c", "print('bye')"], tmp_path / "log")
    component.proc.wait(10)
    with pytest.raises(ClusterError, match="short-lived exited"):
        component.check()


def _samples() -> SampleSet:
    docs = [
        _pod("plain-ok"),
        _pod("plain-bad", {"harness/forbidden": "x"}),
        # --allow-privileged: a privileged pod reaches admission instead of being refused before it.
        {**_pod("privileged-ok"), "spec": {"containers": [
            {"name": "app", "image": "registry.example/app:1", "securityContext": {"privileged": True}}]}},
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "Not_A_Name", "namespace": "harness"},
         "spec": {"containers": [{"name": "app", "image": "x"}]}},
    ]
    resources = [Resource(f"doc{i}", i, _plain_review(d), d) for i, d in enumerate(docs)]
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "namespace": "harness"}, "data": {"a": "1"}}
    cm_bad = {**cm, "metadata": {**cm["metadata"], "annotations": {"harness/forbidden": "y"}}}
    reviews = [
        {"operation": "UPDATE", "object": cm_bad, "oldObject": cm, "userInfo": {"username": "alice", "groups": ["dev"]}},
        {"operation": "UPDATE", "object": cm, "oldObject": cm, "userInfo": {"username": "alice", "groups": ["dev"]}},
        {"operation": "DELETE", "oldObject": cm, "userInfo": {"username": "policygen:someone", "groups": []}},
        {"operation": "DELETE", "oldObject": cm, "userInfo": {"username": "admin", "groups": ["system:masters"]}},
    ]
    for review in reviews:
        doc = {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": review}
        resources.append(Resource("review", len(resources), _admission_review(doc, "review", "request"), doc, None, True))
    return SampleSet(resources)


def test_vap_harness_denies_in_real_admission(local_cluster, harness_dist, reference_plan):
    samples = _samples()
    probe = _pod("probe", {"harness/forbidden": "p"})
    engine = ClusterEngine("vap", cluster=local_cluster, probes=[("SC008", Resource("probe", 0, _plain_review(probe), probe))])
    verdicts = engine.evaluate(harness_dist, reference_plan, samples)
    said = [(v.allowed, sorted(v.rules)) for v in verdicts]
    assert said == [
        (True, []),
        (False, ["SC008"]),
        (True, []),
        (False, [API_SERVER_RULE]),  # refused by the API server's own validation, before admission
        (False, ["SC008"]),  # UPDATE against the stored object
        (True, []),
        (False, ["SC008"]),  # DELETE, impersonated: the policy sees the sample's user
        (True, []),
    ], [(v.file, v.violations) for v in verdicts]
    assert "by alice" in verdicts[4].violations[0].message
    assert "by policygen:someone" in verdicts[6].violations[0].message
    # Uninstalled afterwards (the engine waits for its probe to be admitted again): the bad pod is admitted.
    after = ClusterEngine("vap", cluster=local_cluster, probes=[])._judge(
        local_cluster.client, reference_plan, [samples.resources[1]], {}, prepared=True)
    assert after[0].allowed, after[0].violations


def test_a_rule_no_probe_can_show_is_judged_after_a_warning(local_cluster, harness_dist, reference_plan, capsys):
    """A spec can leave a rule nothing to deny that the API server accepts (SC005 with an empty args prefix: red
    team 15b's spec). Its probes are all refused before admission; the run warns and judges, where it ended
    with an error (exit 3) before."""
    refused = {**_pod("Not_A_Probe", {"harness/forbidden": "p"})}
    engine = ClusterEngine("vap", cluster=local_cluster, probes=[("SC008", Resource("probe", 0, _plain_review(refused), refused))])
    bad, ok = _pod("bad", {"harness/forbidden": "x"}), _pod("ok")
    verdicts = engine.evaluate(harness_dist, reference_plan, SampleSet([Resource("bad", 0, _plain_review(bad), bad),
                                                                        Resource("ok", 1, _plain_review(ok), ok)]))
    assert [(v.allowed, sorted(v.rules)) for v in verdicts] == [(False, ["SC008"]), (True, [])]
    assert "every known-bad fixture of SC008 is refused by the API server" in capsys.readouterr().err


def test_a_review_whose_object_names_another_namespace_is_refused_never_judged_as_another(local_cluster, harness_dist,
                                                                                           reference_plan):
    """An AdmissionReview whose object names another namespace than its request: the harness judged it in the
    request's namespace (the object rewritten into it) and allowed it where every offline engine denies it (red
    team 15d). An API server refuses such a request before admission."""
    bad = _pod("moved", {"harness/forbidden": "x"}, namespace="elsewhere")
    reviews = [
        {"operation": "CREATE", "namespace": "harness", "object": bad, "userInfo": {"username": "alice", "groups": []}},
        {"operation": "CREATE", "namespace": "harness", "object": _pod("same"), "userInfo": {"username": "alice", "groups": []}},
    ]
    resources = []
    for i, review in enumerate(reviews):
        doc = {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": review}
        resources.append(Resource("review", i, _admission_review(doc, "review", "request"), doc, None, True))
    probe = _pod("probe", {"harness/forbidden": "p"})
    engine = ClusterEngine("vap", cluster=local_cluster, probes=[("SC008", Resource("probe", 0, _plain_review(probe), probe))])
    verdicts = engine.evaluate(harness_dist, reference_plan, SampleSet(resources))
    assert [(v.allowed, sorted(v.rules)) for v in verdicts] == [(False, [API_SERVER_RULE]), (True, [])], [v.violations for v in verdicts]
    assert "namespace-mismatch" in verdicts[0].violations[0].message


def test_kinds_no_server_serves_are_refused_and_never_break_the_run(local_cluster, harness_dist, reference_plan):
    """A rule kind in a version no API server serves is refused (as offline it is denied unjudged); a kind
    no CRD can stand for (a protected *.k8s.io group, a group that is no DNS name) is not evaluated. Before,
    the engine tried to make each a CRD, and one the server refused ended the run (exit 3)."""
    docs = [
        {**_pod("as-apps"), "apiVersion": "apps/v1"},
        {"apiVersion": "admissionregistration.k8s.io/v1beta1", "kind": "MutatingWebhookConfiguration",
         "metadata": {"name": "old-hook"}, "webhooks": []},
        {"apiVersion": "a/b/c", "kind": "Service", "metadata": {"name": "s", "namespace": "harness"}},
        {"apiVersion": "evil.k8s.io/v1", "kind": "Widget", "metadata": {"name": "w", "namespace": "harness"}},
        {"apiVersion": "bad_group.example/v1", "kind": "Widget", "metadata": {"name": "w", "namespace": "harness"}},
        _pod("plain-bad", {"harness/forbidden": "x"}),
    ]
    samples = SampleSet([Resource(f"doc{i}", i, _plain_review(d), d) for i, d in enumerate(docs)])
    probe = _pod("probe", {"harness/forbidden": "p"})
    engine = ClusterEngine("vap", cluster=local_cluster, probes=[("SC008", Resource("probe", 0, _plain_review(probe), probe))])
    verdicts = engine.evaluate(harness_dist, reference_plan, samples)
    said = [(v.allowed, sorted(v.rules)) for v in verdicts]
    assert said == [
        (False, [API_SERVER_RULE]),
        (False, [API_SERVER_RULE]),
        (False, [API_SERVER_RULE]),
        (True, []),
        (False, [API_SERVER_RULE]),  # a group that is no DNS name: no server serves it
        (False, ["SC008"]),
    ], [(v.file, v.violations) for v in verdicts]
    assert set(verdicts[3].not_evaluated) == set(reference_plan.rule_ids)
    assert all("APISERVER/not-served " in v.violations[0].message for v in verdicts[:3])


def test_cli_cluster_up_env_down(tmp_path, monkeypatch):
    for name in ("etcd", "kube-apiserver"):
        require_tool(name)
    env = {"POLICYGEN_STATE_DIR": str(tmp_path / "state"), "PATH": "/usr/bin:/bin"}
    import os

    env = dict(os.environ, **env)
    run = lambda *a: subprocess.run([sys.executable, "-m", "policygen.cli", "cluster", *a], capture_output=True, text=True, cwd=ROOT, env=env)
    up = run("up")
    assert up.returncode == 0, up.stderr
    try:
        kubeconfig = next(line.split(": ", 1)[1] for line in up.stdout.splitlines() if line.startswith("kubeconfig: "))
        assert ApiClient(load_kubeconfig(Path(kubeconfig))).get("/version")["gitVersion"] == "v1.37.2"
        assert run("env").stdout.strip() == f"export KUBECONFIG={kubeconfig}"
    finally:
        down = run("down")
    assert down.returncode == 0 and "stopped" in down.stdout
    assert not Path(kubeconfig).exists()
    assert run("env").returncode == 1


def test_eval_with_kubeconfig_installs_nothing_and_only_dry_runs(local_cluster, reference_plan, tmp_path):
    """`policygen eval --engine cluster --kubeconfig`: a user's cluster judges with what it holds; nothing is
    written. A rule whose policy the cluster does not hold is not evaluated, and a cluster that holds none of
    them is an error, never a run of admitted dry-runs (red team 11: a CI gate pointed at such a cluster passed)."""
    import json
    import os

    from policygen.engines.cluster import UNSUPPORTED, missing_rules, rule_objects

    client = local_cluster.client
    kubectl = require_tool("kubectl")

    def objects() -> dict:
        return {path: sorted(i["metadata"]["name"] for i in client.get(path).get("items", []))
                for path in ("/api/v1/pods", "/api/v1/configmaps", "/apis/rbac.authorization.k8s.io/v1/clusterroles",
                             "/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies")}

    samples = ROOT / "samples" / "reference"

    def run():
        return subprocess.run(
            [sys.executable, "-m", "policygen.cli", "eval", "--spec", str(ROOT / "specs" / "reference.yaml"), "--engine", "cluster",
             "--backend", "vap", "--fail-on", "never", "--kubeconfig", str(local_cluster.kubeconfig), str(samples)],
            capture_output=True, text=True, cwd=ROOT, env=dict(os.environ))

    vap = ROOT / "dist" / "reference" / "vap"
    ours = rule_objects(vap)
    judged = {rule for *_, rule in ours} - UNSUPPORTED["vap"]
    absent = missing_rules(client, ours)
    if absent >= judged:
        before = objects()
        proc = run()
        assert proc.returncode == 3 and "holds none of the vap backend's policies" in proc.stderr, proc.stderr
        assert proc.stdout == "" and objects() == before
    # The samples' namespaces, as a user's cluster has them (the session's cluster may not yet).
    ClusterEngine(backend="vap")._ensure_namespaces(client, reference_plan, SampleSet(_load(samples)))
    sc004 = vap / "sc004-sidecar-security-context.yaml"
    installed_here = "SC004" in absent
    if installed_here:
        subprocess.run([str(kubectl), "--kubeconfig", str(local_cluster.kubeconfig), "apply", "-f", str(sc004)],
                       check=True, capture_output=True)
    try:
        absent = missing_rules(client, ours)
        assert "SC004" not in absent
        before = objects()
        # The API server enforces a new policy within a second or two; the probe below waits for it.
        deadline = time.monotonic() + 60
        while True:
            proc = run()
            assert proc.returncode == 0, proc.stderr
            verdicts = json.loads(proc.stdout)
            if any(x["rule"] == "SC004" for v in verdicts for x in v["violations"]) or time.monotonic() > deadline:
                break
            time.sleep(1)
        assert len(verdicts) == len(_load(samples)) and all(v["engine"] == "cluster" for v in verdicts)
        assert objects() == before
        assert any(x["rule"] == "SC004" for v in verdicts for x in v["violations"])
        held = {name for names in before.values() for name in names}
        for v, res in zip(verdicts, _load(samples)):
            # What the cluster holds no policy for is said, never passed.
            assert absent <= set(v["notEvaluated"]), v
            if res.operation in ("UPDATE", "DELETE") and res.name not in held:
                # An UPDATE or DELETE of an object this cluster does not hold cannot be judged, and says so.
                assert not v["violations"] and v["notEvaluated"], v
            else:
                assert all(x["rule"] in {API_SERVER_RULE} | judged - absent for x in v["violations"]), v
    finally:
        if installed_here:
            subprocess.run([str(kubectl), "--kubeconfig", str(local_cluster.kubeconfig), "delete", "-f", str(sc004),
                            "--ignore-not-found", "--wait=true"], check=True, capture_output=True)


def _load(path):
    from policygen.samples import load_samples

    return load_samples([path]).resources


def test_a_crashed_admission_controller_is_an_error_never_a_verdict(local_cluster, reference_plan):
    """Gatekeeper dies: the next request fails closed (failurePolicy Fail) and the engine raises, never admits."""
    from policygen.cluster.admission import GatekeeperController

    require_tool("gatekeeper-manager")
    controller = GatekeeperController(local_cluster)
    controller.start()
    try:
        controller.component.proc.kill()
        controller.component.proc.wait(10)
        with pytest.raises(ClusterError, match="gatekeeper exited"):
            local_cluster.check()
        pod = _pod("after-crash", namespace="default")
        engine = ClusterEngine("gatekeeper", cluster=local_cluster, probes=[])
        with pytest.raises(ClusterError, match="could not consult admission"):
            engine._judge(local_cluster.client, reference_plan, [Resource("crash", 0, _plain_review(pod), pod)], {}, prepared=True)
    finally:
        controller.stop()
    local_cluster.check()
