"""SC012 for real: a loopback OCI registry, test images signed with cosign, the real Kyverno CLI.

Everything is local: `registry` (go-containerregistry's in-memory registry) listens
on 127.0.0.1 on a port it picks, `crane` pushes small images built here, `cosign`
signs them by digest with the reference spec's test key (and one with a key made
here), without a transparency log. The spec is a copy of the reference spec whose
approved repository is `127.0.0.1:<port>/istio/proxyv2`.

Two versions of the generated SC012 ImageValidatingPolicy are run:

- as generated: its cosign attestor asks for a Rekor transparency-log entry,
  so Kyverno needs Sigstore's TUF root, which is unreachable offline: every
  approved-repository image fails (fail closed), none passes.
- with `ctlog: {insecureIgnoreTlog: true, insecureIgnoreSCT: true}` added to
  each attestor (the only change, made here; exactly what the spec option
  `transparencyLog: false` renders; see docs/kyverno.md): the signed image by
  digest passes; unsigned, wrongly signed, and tag-only images fail.
"""

from __future__ import annotations

import copy
import os
import re
import subprocess
import tarfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

import policygen as pg
from policygen import tools
from policygen.backends.kyverno import SC012_MESSAGE, policy_path
from policygen.fixtures import approved_pod, as_deployment
from policygen.engines.kyverno import REGISTRY_ENV, KyvernoEngine
from policygen.rules import CATALOGUE
from policygen.samples import load_samples

from .conftest import require_tool

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT.parent / "shared" / "specs" / "reference.yaml"
TESTKEYS = REFERENCE.parent / "testkeys"
NEEDED = ("registry", "crane", "cosign", "kyverno")
POLICY = CATALOGUE["SC012"].policy_name
REPO = "istio/proxyv2"


@dataclass
class Lab:
    tmp: Path
    port: int
    repo: str  # 127.0.0.1:<port>/istio/proxyv2
    digests: dict[str, str]  # image label -> sha256:...
    spec: Path
    dist: Path
    other_pub: str
    env: dict[str, str] = field(default_factory=dict)

    def ref(self, label: str) -> str:
        return f"{self.repo}@{self.digests[label]}"


def _run(argv: list[str], env: dict[str, str], cwd: Path | None = None) -> str:
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=cwd, timeout=300)
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(argv)} failed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


def _layer(path: Path, text: str) -> Path:
    """A one-file layer tarball; the text makes each image's digest its own."""
    src = path.with_suffix(".txt")
    src.write_text(text, encoding="utf-8")
    with tarfile.open(path, "w") as tar:
        info = tar.gettarinfo(str(src), arcname="policygen-test.txt")
        info.mtime = 0
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        with src.open("rb") as fh:
            tar.addfile(info, fh)
    return path


def _start_registry(binary: Path, tmp: Path) -> tuple[subprocess.Popen, int]:
    log = tmp / "registry.log"
    with log.open("w") as out:
        proc = subprocess.Popen([str(binary), "-port", "0"], stdout=out, stderr=subprocess.STDOUT, cwd=tmp)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        m = re.search(r"serving on port (\d+)", log.read_text())
        if m:
            return proc, int(m.group(1))
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    raise AssertionError(f"the test registry did not start:\n{log.read_text()}")


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    for name in NEEDED:
        require_tool(name)
    tmp = tmp_path_factory.mktemp("signatures")
    home = tmp / "home"
    (home / "docker").mkdir(parents=True)
    # No user credentials, no user TUF cache; the empty password opens the imported keys.
    env = dict(os.environ, HOME=str(home), DOCKER_CONFIG=str(home / "docker"), TUF_ROOT=str(home / "tuf"),
               COSIGN_PASSWORD="", COSIGN_YES="true")
    crane, cosign = str(tools.find("crane")), str(tools.find("cosign"))
    registry, port = _start_registry(tools.find("registry"), tmp)
    try:
        repo = f"127.0.0.1:{port}/{REPO}"
        digests = {}
        for label in ("signed", "unsigned", "wrongkey", "bundle"):
            layer = _layer(tmp / f"{label}.tar", f"policygen SC012 test image: {label}\n")
            _run([crane, "append", "-f", str(layer), "-t", f"{repo}:{label}"], env)
            digests[label] = _run([crane, "digest", f"{repo}:{label}"], env).strip()
            assert re.fullmatch(r"sha256:[0-9a-f]{64}", digests[label]), digests[label]

        # The test key is a plain PEM "EC PRIVATE KEY"; cosign signs only with its own
        # encrypted format, so import it (empty password) into the temp dir.
        keys = tmp / "keys"
        keys.mkdir()
        _run([cosign, "import-key-pair", "--key", str(TESTKEYS / "cosign-test.key"),
              "--output-key-prefix", str(keys / "test")], env)
        _run([cosign, "generate-key-pair", "--output-key-prefix", "other"], env, cwd=keys)
        classic = ["--tlog-upload=false", "--use-signing-config=false", "--new-bundle-format=false", "-y"]
        _run([cosign, "sign", "--key", str(keys / "test.key"), *classic, f"{repo}@{digests['signed']}"], env)
        _run([cosign, "sign", "--key", str(keys / "other.key"), *classic, f"{repo}@{digests['wrongkey']}"], env)
        # cosign v3's default format: a Sigstore bundle stored as an OCI referrer.
        _run([cosign, "sign", "--key", str(keys / "test.key"), "--tlog-upload=false", "--use-signing-config=false",
              "-y", f"{repo}@{digests['bundle']}"], env)
        # cosign agrees with itself before Kyverno is asked.
        _run([cosign, "verify", "--key", str(TESTKEYS / "cosign-test.pub"), "--insecure-ignore-tlog=true",
              f"{repo}@{digests['signed']}"], env)

        doc = yaml.safe_load(REFERENCE.read_text(encoding="utf-8"))
        doc["spec"]["images"]["repositories"] = [repo]
        doc["spec"]["images"]["digests"] = sorted(digests.values())  # SC002 approves them all: SC012 decides
        assert doc["spec"]["images"].get("requireDigest") is True
        spec = tmp / "spec.yaml"
        spec.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
        dist = tmp / "dist"
        pg.generate(spec, dist)
        yield Lab(tmp, port, repo, digests, spec, dist, (keys / "other.pub").read_text(), env)
    finally:
        registry.terminate()
        try:
            registry.wait(timeout=10)
        except subprocess.TimeoutExpired:
            registry.kill()


def _offline_tlog(policy: dict) -> dict:
    """The generated policy with the transparency log and SCT checks turned off, nothing else."""
    policy = copy.deepcopy(policy)
    assert policy["kind"] == "ImageValidatingPolicy"
    for attestor in policy["spec"]["attestors"]:
        attestor["cosign"]["ctlog"] = {"insecureIgnoreTlog": True, "insecureIgnoreSCT": True}
    return policy


def _generated(lab: Lab) -> dict:
    return yaml.safe_load((lab.dist / "kyverno" / str(policy_path(CATALOGUE["SC012"]))).read_text(encoding="utf-8"))


def _pods(lab: Lab) -> dict[str, dict]:
    """name -> resource; every sidecar image is replaced by the case's image."""
    plan = pg.build_plan(pg.load_spec(lab.spec))

    def pod(name: str, image: str, where: str = "all") -> dict:
        p = approved_pod(plan, name)
        for key in ("containers", "initContainers"):
            for c in p["spec"].get(key, []):
                if c["name"] != "app" and (where == "all" or c["name"] == where):
                    c["image"] = image
        return p

    pods = {
        "signed": pod("signed", lab.ref("signed")),
        "unsigned": pod("unsigned", lab.ref("unsigned")),
        "wrongkey": pod("wrongkey", lab.ref("wrongkey")),
        "tag-only": pod("tag-only", f"{lab.repo}:signed"),  # signed image, but no digest
        "bundle": pod("bundle", lab.ref("bundle")),
    }
    mixed = pod("mixed", lab.ref("signed"))  # istio-proxy signed, one sidecar not
    sidecars = [c for k in ("initContainers", "containers") for c in mixed["spec"].get(k, []) if c["name"] != "app"]
    assert len(sidecars) >= 2, "the reference spec has istio-init and istio-proxy"
    sidecars[0]["image"] = lab.ref("unsigned")
    pods["mixed"] = mixed
    pods["deploy-signed"] = as_deployment(pod("deploy-signed", lab.ref("signed")), "deploy-signed")
    pods["deploy-unsigned"] = as_deployment(pod("deploy-unsigned", lab.ref("unsigned")), "deploy-unsigned")
    app_only = approved_pod(plan, "app-only")
    app_only["spec"]["containers"] = [c for c in app_only["spec"]["containers"] if c["name"] == "app"]
    app_only["spec"].pop("initContainers", None)
    pods["app-only"] = app_only
    for name, obj in pods.items():
        obj["metadata"]["uid"] = f"uid-{name}"
    return pods


def _apply(lab: Lab, policy: dict, pods: dict[str, dict], tag: str) -> dict[str, list[tuple[str, str]]]:
    """`kyverno apply` of one policy over the pods; name -> [(result, message)]."""
    work = lab.tmp / f"apply-{tag}"
    work.mkdir()
    (work / "policy.yaml").write_text(yaml.safe_dump(policy, sort_keys=False), encoding="utf-8")
    (work / "resources.yaml").write_text(yaml.safe_dump_all(list(pods.values()), sort_keys=False), encoding="utf-8")
    argv = [str(tools.find("kyverno")), "apply", str(work / "policy.yaml"), "--resource", str(work / "resources.yaml"),
            "--policy-report", "--output-format", "json", "--remove-color"]
    proc = subprocess.run(argv, capture_output=True, text=True, env=lab.env, timeout=300)
    assert proc.returncode in (0, 1) and "panic:" not in proc.stderr, proc.stderr[-3000:]
    assert "Policies Skipped" not in proc.stdout, proc.stdout[-3000:]
    reports = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    assert len(reports) == 1, proc.stdout[-3000:] + proc.stderr[-3000:]
    by_uid = {obj["metadata"]["uid"]: name for name, obj in pods.items()}
    results: dict[str, list[tuple[str, str]]] = {name: [] for name in pods}
    for r in yaml.safe_load(reports[0]).get("results") or []:
        assert r["policy"] == POLICY, r
        for ref in r["resources"]:
            results[by_uid[ref["uid"]]].append((r["result"], " ".join(str(r.get("message", "")).split())))
    return results


def _outcome(results: list[tuple[str, str]]) -> str:
    kinds = {r for r, _ in results}
    if kinds & {"fail", "error"}:
        return "fail"
    return "pass" if "pass" in kinds else "none"


@pytest.fixture(scope="session")
def verifiable(lab):
    """The generated policy with ignoreTlog/ignoreSCT, applied once to every case."""
    return _apply(lab, _offline_tlog(_generated(lab)), _pods(lab), "verifiable")


EXPECTED = {
    "signed": "pass",
    "unsigned": "fail",
    "wrongkey": "fail",
    "tag-only": "fail",
    # cosign v3 bundle format (an OCI referrer), signed by the approved key: the ImageValidatingPolicy
    # verifies it (verifyImages read only .sig tags and failed it, a limitation, not a rule).
    "bundle": "pass",
    "mixed": "fail",
    "deploy-signed": "pass",
    "deploy-unsigned": "fail",
    "app-only": "pass",  # no image of an approved repository: nothing to verify
}


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_kyverno_cli_verifies_sc012(verifiable, case):
    assert _outcome(verifiable[case]) == EXPECTED[case], verifiable[case]


def test_failures_say_why(verifiable, lab):
    def text(case):
        return " | ".join(m for r, m in verifiable[case] if r == "fail")

    assert text("unsigned").startswith(SC012_MESSAGE)
    assert text("wrongkey").startswith(SC012_MESSAGE)
    # The tag-only image is signed: only the digest requirement rejects it.
    assert f"image {lab.repo}:signed does not have a digest" in text("tag-only")
    assert all(r == "pass" for r, _ in verifiable["signed"]), verifiable["signed"]


def test_second_key_is_accepted(lab):
    """count: 1 over the entries: any one of the spec's keys suffices."""
    doc = yaml.safe_load(lab.spec.read_text(encoding="utf-8"))
    doc["spec"]["signatures"]["cosign"]["publicKeys"].append(lab.other_pub)
    spec = lab.tmp / "spec-two-keys.yaml"
    spec.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    dist = lab.tmp / "dist-two-keys"
    pg.generate(spec, dist)
    policy = yaml.safe_load((dist / "kyverno" / str(policy_path(CATALOGUE["SC012"]))).read_text(encoding="utf-8"))
    pods = {k: v for k, v in _pods(lab).items() if k in ("signed", "unsigned", "wrongkey")}
    results = _apply(lab, _offline_tlog(policy), pods, "two-keys")
    outcomes = {k: _outcome(v) for k, v in results.items()}
    assert outcomes == {"signed": "pass", "wrongkey": "pass", "unsigned": "fail"}, results


def test_transparency_log_option_renders_exactly_the_offline_policy(lab):
    """`signatures.cosign.transparencyLog: false` is the spec's way to the policy the tests verify with."""
    doc = yaml.safe_load(lab.spec.read_text(encoding="utf-8"))
    doc["spec"]["signatures"]["cosign"]["transparencyLog"] = False
    spec = lab.tmp / "spec-no-tlog.yaml"
    spec.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    dist = lab.tmp / "dist-no-tlog"
    pg.generate(spec, dist)
    policy = yaml.safe_load((dist / "kyverno" / str(policy_path(CATALOGUE["SC012"]))).read_text(encoding="utf-8"))
    assert policy == _offline_tlog(_generated(lab))
    results = _apply(lab, policy, {k: v for k, v in _pods(lab).items() if k in ("signed", "unsigned")}, "no-tlog-spec")
    assert {k: _outcome(v) for k, v in results.items()} == {"signed": "pass", "unsigned": "fail"}, results


def test_generated_policy_fails_closed_without_transparency_log(lab):
    """As generated, the key attestor needs Rekor's keys from Sigstore's TUF root: offline every image fails."""
    pods = {k: v for k, v in _pods(lab).items() if k != "app-only"}
    results = _apply(lab, _generated(lab), pods, "as-generated")
    assert {k: _outcome(v) for k, v in results.items()} == {k: "fail" for k in pods}, results


def _verifiable_dist(lab: Lab, tmp_path: Path) -> Path:
    """The lab's Kyverno policies, SC012's without the transparency log (none is reachable here)."""
    dist = tmp_path / "dist"
    for sub in (lab.dist / "kyverno").rglob("*.yaml"):
        target = dist / "kyverno" / sub.relative_to(lab.dist / "kyverno")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(sub.read_bytes())
    sc012 = dist / "kyverno" / str(policy_path(CATALOGUE["SC012"]))
    sc012.write_text(yaml.safe_dump(_offline_tlog(_generated(lab)), sort_keys=False), encoding="utf-8")
    return dist


def _eval(lab: Lab, dist: Path, monkeypatch, registry: bool):
    pods = _pods(lab)
    path = lab.tmp / f"eval-{'on' if registry else 'off'}-{dist.name}.yaml"
    path.write_text(yaml.safe_dump_all(list(pods.values()), sort_keys=False), encoding="utf-8")
    if registry:
        monkeypatch.setenv(REGISTRY_ENV, "1")
    else:
        monkeypatch.delenv(REGISTRY_ENV, raising=False)
    plan = pg.build_plan(pg.load_spec(lab.spec))
    verdicts = KyvernoEngine().evaluate(dist, plan, load_samples([path]))
    return dict(zip(pods, verdicts))


def test_engine_sc012_with_registry_access(lab, tmp_path, monkeypatch):
    """`policygen eval --engine kyverno` with POLICYGEN_KYVERNO_REGISTRY=1 on a verifiable SC012 policy."""
    dist = _verifiable_dist(lab, tmp_path)
    verdicts = _eval(lab, dist, monkeypatch, registry=True)
    for name, expected in EXPECTED.items():
        v = verdicts[name]
        assert "SC012" not in v.not_evaluated, (name, v)
        assert ("SC012" in v.rules) == (expected == "fail"), (name, v.violations)
    # The other rules judged the same pods as usual: the signed pod is fully allowed.
    assert verdicts["signed"].allowed and verdicts["deploy-signed"].allowed, verdicts["signed"].violations


def test_engine_sc012_reads_legacy_versions_and_judges_the_mesh_only(lab, tmp_path, monkeypatch):
    """A controller in a legacy apiVersion is verified (the CLI cannot map one: it once failed the whole run),
    and a pod in an excluded namespace, or in one outside the mesh, gets no SC012, as it gets no other
    sidecar rule but SC003."""
    dist = _verifiable_dist(lab, tmp_path)
    pods = _pods(lab)
    excluded = sorted(pg.load_spec(lab.spec).spec.scope.excluded_namespaces)[0]
    cases = {}
    for name, api in (("legacy-unsigned", "extensions/v1beta1"), ("legacy-signed", "apps/v1beta2")):
        obj = copy.deepcopy(pods["deploy-unsigned" if "unsigned" in name else "deploy-signed"])
        obj["apiVersion"], obj["metadata"]["name"] = api, name
        cases[name] = obj
    outside = copy.deepcopy(pods["unsigned"])
    outside["metadata"].update(name="excluded-unsigned", namespace=excluded)
    cases["excluded-unsigned"] = outside
    nowhere = copy.deepcopy(pods["unsigned"])
    nowhere["metadata"].update(name="outside-unsigned", namespace="not-in-any-mesh")
    nowhere["metadata"]["labels"].pop("istio.io/rev")  # which would put it in the mesh by Istio's object selector
    cases["outside-unsigned"] = nowhere
    cases["unsigned"] = pods["unsigned"]
    path = tmp_path / "cases.yaml"
    path.write_text(yaml.safe_dump_all(list(cases.values()), sort_keys=False), encoding="utf-8")
    monkeypatch.setenv(REGISTRY_ENV, "1")
    verdicts = dict(zip(cases, KyvernoEngine().evaluate(dist, pg.build_plan(pg.load_spec(lab.spec)), load_samples([path]))))
    assert "SC012" in verdicts["legacy-unsigned"].rules, verdicts["legacy-unsigned"]
    assert "SC012" not in verdicts["legacy-signed"].rules | set(verdicts["legacy-signed"].not_evaluated), verdicts["legacy-signed"]
    assert "SC012" not in verdicts["excluded-unsigned"].rules, verdicts["excluded-unsigned"].violations
    assert "SC012" not in verdicts["outside-unsigned"].rules, verdicts["outside-unsigned"].violations
    assert "SC012" in verdicts["unsigned"].rules, verdicts["unsigned"]


def test_engine_sc012_fails_closed_without_transparency_log(lab, monkeypatch):
    """Registry access on, policy as generated: Rekor is unreachable, so no approved-repository image passes.

    Kyverno's verifyImageSignatures counts the attestors that verified and logs
    why the others did not: an unreachable transparency log reads like a
    missing signature, an SC012 violation, never a pass.
    """
    verdicts = _eval(lab, lab.dist, monkeypatch, registry=True)
    for name in EXPECTED:
        v = verdicts[name]
        if name == "app-only":
            assert "SC012" not in v.not_evaluated and "SC012" not in v.rules, v
        else:
            assert "SC012" in v.rules or v.not_evaluated == ["SC012"], (name, v)
            assert not ("SC012" not in v.rules and not v.not_evaluated), (name, v)


def test_engine_sc012_default_is_not_evaluated(lab, monkeypatch):
    verdicts = _eval(lab, lab.dist, monkeypatch, registry=False)
    assert all(v.not_evaluated == ["SC012"] and "SC012" not in v.rules for v in verdicts.values()), verdicts
