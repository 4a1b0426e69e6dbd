import subprocess
import sys
from pathlib import Path

import pytest

import policygen as pg
from policygen.errors import SpecErrors
from policygen.images import ImageRefError, normalize_repository, parse_image
from policygen.quantity import parse_quantity

BAD = Path(__file__).parent / "bad_specs"
ROOT = Path(__file__).resolve().parent.parent


def test_reference_spec_loads_unchanged(reference_spec_path):
    policy = pg.load_spec(reference_spec_path)
    assert policy.spec.images.repositories == ["docker.io/istio/proxyv2", "registry.corp.example:5000/mesh/proxyv2"]
    assert [s.name for s in policy.spec.sidecars] == ["istio-proxy", "istio-init", "istio-validation"]
    assert policy.spec.signatures.cosign.public_keys[0].startswith("-----BEGIN PUBLIC KEY-----")
    assert policy.spec.control_plane.injector_webhooks.service.path == "/inject"


def test_repo_copy_of_reference_spec_is_identical(reference_spec_path):
    assert (ROOT / "specs" / "reference.yaml").read_bytes() == reference_spec_path.read_bytes()


def test_every_reference_field_reaches_the_plan(reference_plan):
    # Every section of the reference spec yields its rules; SC012 too (Kyverno's).
    assert reference_plan.rule_ids == (
        "SC001", "SC002", "SC003", "SC004", "SC005", "SC006", "SC007", "SC008", "SC009", "SC010", "SC011", "SC012",
        "CP001", "CP002", "CP003", "CP004", "CP005",
    )


@pytest.mark.parametrize("ref,repo", [
    ("istio/proxyv2", "docker.io/istio/proxyv2"),
    ("docker.io/istio/proxyv2", "docker.io/istio/proxyv2"),
    ("index.docker.io/istio/proxyv2", "docker.io/istio/proxyv2"),
    ("nginx", "docker.io/library/nginx"),
    ("docker.io.evil.example/istio/proxyv2", "docker.io.evil.example/istio/proxyv2"),
    ("evil.example/docker.io/istio/proxyv2", "evil.example/docker.io/istio/proxyv2"),
    ("docker.io/istio/proxyv2-debug", "docker.io/istio/proxyv2-debug"),
    ("registry.corp.example:5000/mesh/proxyv2:1.2", "registry.corp.example:5000/mesh/proxyv2"),
])
def test_image_repositories(ref, repo):
    assert parse_image(ref).repository == repo


def test_digest_decides_and_tag_is_kept():
    ref = parse_image("istio/proxyv2:1.24@sha256:" + "a" * 64)
    assert (ref.tag, ref.digest) == ("1.24", "sha256:" + "a" * 64)


@pytest.mark.parametrize("ref", ["istio/Proxyv2", "a b", "x@sha256", "x@sha256:", "a:b:c", "", " istio/proxyv2", "a" * 64, 42, None])
def test_unparseable_images(ref):
    with pytest.raises(ImageRefError):
        parse_image(ref)


def test_repository_rejects_tags():
    with pytest.raises(ImageRefError):
        normalize_repository("docker.io/istio/proxyv2:latest")


@pytest.mark.parametrize("a,b", [("1Gi", "1000Mi"), ("2", "1500m"), ("1k", "999"), ("1Mi", "1M")])
def test_quantities_compare_as_quantities(a, b):
    assert parse_quantity(a) > parse_quantity(b)


@pytest.mark.parametrize("path", sorted(BAD.glob("*.yaml")), ids=lambda p: p.stem)
def test_bad_spec_exits_2_naming_file_and_field_and_writes_nothing(path, tmp_path):
    expected = (path.with_suffix(".stderr")).read_text(encoding="utf-8").strip()
    out = tmp_path / "dist"
    proc = subprocess.run(
        [sys.executable, "-m", "policygen", "generate", str(path), "-o", str(out)], capture_output=True, text=True
    )
    assert proc.returncode == 2, proc.stderr
    assert str(path) in proc.stderr
    assert expected in proc.stderr.replace(str(path), "SPEC")
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".dist")]


def test_spec_errors_collect_every_problem(tmp_path):
    spec = tmp_path / "s.yaml"
    spec.write_text("apiVersion: policygen.dev/v1alpha1\nkind: SidecarPolicy\nmetadata: {name: x}\n"
                    "spec:\n  scope: {meshNamespaces: [a]}\n  mode: block\n  pod: {forbidHostNetwork: 1}\n")
    with pytest.raises(SpecErrors) as exc:
        pg.load_spec(spec)
    locs = [e.loc for e in exc.value.errors]
    assert locs == ["spec.mode", "spec.pod.forbidHostNetwork"]


HUGE = "9" * 5000


@pytest.mark.parametrize("old, new, field", [
    ("runAsUser: 1337", f"runAsUser: {HUGE}", "line 45"),
    ('maxLimits: {cpu: "2", memory: 1Gi}', f'maxLimits: {{cpu: "{HUGE}", memory: 1Gi}}',
     "spec.sidecars[0].resources.maxLimits.cpu"),
])
def test_numbers_of_thousands_of_digits_are_refused_with_exit_2(tmp_path, reference_spec_path, old, new, field):
    spec = tmp_path / "spec.yaml"
    text = reference_spec_path.read_text()
    assert old in text
    spec.write_text(text.replace(old, new, 1))
    proc = subprocess.run([sys.executable, "-m", "policygen", "generate", str(spec), "-o", str(tmp_path / "out")],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert f"{spec}: {field}" in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr) < 3000  # the number is not echoed whole
