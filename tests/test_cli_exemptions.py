"""Ready-made exemptions for users' other policies, proven in the real Kyverno CLI and gator.

The user policies here are written by us, of the kinds the exemptions are
for: a Kyverno ClusterPolicy with a podSecurity subrule at restricted, and a
gatekeeper-library-style capabilities template with an exemptImages
parameter. The genuine sidecars pass; a look-alike in another container, in
another placement or with another image still fails.
"""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

import policygen as pg
from policygen.backends.exemptions import ExemptionsBackend
from policygen.exemptions import compute

from .cli_support import closed_schema, crd_schema
from .conftest import REFERENCE_SPEC, require_tool

DIGEST = "sha256:0d4d5c8e5d5e2f0f1b6a7c3e9b2a4d6f8e1c3a5b7d9f0e2c4a6b8d0f2e4c6a8b"
GENUINE = f"docker.io/istio/proxyv2@{DIGEST}"
APP_SC = {"runAsNonRoot": True, "runAsUser": 1000, "allowPrivilegeEscalation": False,
          "capabilities": {"drop": ["ALL"]}}


def _pod(name: str, *, init_image=GENUINE, proxy_image=GENUINE, extra_init=None, app_sc=None,
         init_in_containers=False) -> dict:
    init = {"name": "istio-init", "image": init_image, "args": ["istio-iptables"],
            "securityContext": {"runAsUser": 0, "runAsNonRoot": False, "allowPrivilegeEscalation": False,
                                "privileged": False,
                                "capabilities": {"add": ["NET_ADMIN", "NET_RAW"], "drop": ["ALL"]}}}
    proxy = {"name": "istio-proxy", "image": proxy_image, "args": ["proxy", "sidecar"],
             "securityContext": {"runAsUser": 1337, "runAsGroup": 1337, "runAsNonRoot": True,
                                 "allowPrivilegeEscalation": False, "privileged": False,
                                 "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]}}}
    app = {"name": "app", "image": "registry.example/shop/web@sha256:" + "1" * 64,
           "securityContext": app_sc if app_sc is not None else dict(APP_SC)}
    spec = {"securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
            "initContainers": [] if init_in_containers else [init],
            "containers": [app, proxy] + ([init] if init_in_containers else [])}
    if extra_init:
        spec["initContainers"].append(extra_init)
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "payments"}, "spec": spec}


CASES = {
    # name: (pod, passes with the exemption)
    "genuine": (_pod("genuine"), True),
    "genuine-short-spelling": (_pod("genuine-short-spelling", init_image=f"istio/proxyv2@{DIGEST}"), True),
    "other-image": (_pod("other-image", init_image=f"evil.example/istio/proxyv2@{DIGEST}"), False),
    "prefix-image": (_pod("prefix-image", init_image=f"docker.io/istio/proxyv2-debug@{DIGEST}"), False),
    "tag-and-digest": (_pod("tag-and-digest", init_image=f"docker.io/istio/proxyv2:1.24.0@{DIGEST}"), False),
    "other-container": (_pod("other-container", extra_init={
        "name": "setup", "image": GENUINE, "securityContext": {
            "runAsUser": 0, "runAsNonRoot": False, "allowPrivilegeEscalation": False,
            "capabilities": {"add": ["NET_ADMIN"], "drop": ["ALL"]}}}), False),
    "other-placement": (_pod("other-placement", init_in_containers=True), False),
    "app-root": (_pod("app-root", app_sc=dict(APP_SC, runAsNonRoot=False, runAsUser=0)), False),
    "app-no-run-as-non-root": (_pod("app-no-run-as-non-root", app_sc={
        "allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}), False),
    "app-net-admin": (_pod("app-net-admin", app_sc=dict(APP_SC, capabilities={"add": ["NET_ADMIN"], "drop": ["ALL"]})),
                      False),
}


def _deployment(name: str, pod: dict) -> dict:
    template = copy.deepcopy(pod)
    template["metadata"] = {"labels": {"app": name}}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "payments"},
            "spec": {"selector": {"matchLabels": {"app": name}}, "template": template}}


@pytest.fixture(scope="module")
def exemption_files(reference_plan) -> dict[str, str]:
    return {str(p): text for p, text in ExemptionsBackend().render(reference_plan).items()}


def test_images_are_exact(reference_plan):
    ex = compute(reference_plan)
    assert GENUINE in ex.images and f"istio/proxyv2@{DIGEST}" in ex.images
    assert all("@sha256:" in i and "*" not in i and "?" not in i for i in ex.images)
    assert len(ex.images) == 6  # 2 repositories x 2 digests, plus the Docker Hub short spelling


def test_no_digests_no_exemption(tmp_path):
    text = REFERENCE_SPEC.read_text()
    start = text.index("    digests:")
    end = text.index("    forbiddenTags")
    spec = tmp_path / "nodigest.yaml"
    spec.write_text(text[:start] + text[end:])
    files = ExemptionsBackend().render(pg.build_plan(pg.load_spec(spec)))
    assert [str(p) for p in files] == ["README.md"]
    assert "approves no digests" in next(iter(files.values()))


def test_kyverno_exception_matches_its_crd(exemption_files):
    doc = yaml.safe_load(exemption_files["kyverno/pod-security-exception.yaml"])
    schema = closed_schema(crd_schema("config/crds/kyverno/kyverno.io_policyexceptions.yaml", "v2"))
    errors = list(jsonschema.Draft7Validator(schema).iter_errors(doc))
    assert not errors, [e.message for e in errors[:3]]


def test_gatekeeper_parameters_are_exact(exemption_files, reference_plan):
    doc = yaml.safe_load(exemption_files["gatekeeper/exempt-images.yaml"])
    assert doc == {"exemptImages": list(compute(reference_plan).images)}
    assert not any(i.endswith("*") for i in doc["exemptImages"])


def test_psa_doc_lists_what_each_sidecar_fails(exemption_files):
    doc = exemption_files["pod-security-admission.md"]
    assert "| `istio-init` | initContainers | baseline | Capabilities | NET_ADMIN, NET_RAW |" in doc
    assert "| `istio-init` | initContainers | restricted | Running as Non-root user | 0 |" in doc
    assert "no per-container" in doc and GENUINE in doc


# --- Kyverno ---------------------------------------------------------------------

USER_PSS_POLICY = {
    "apiVersion": "kyverno.io/v1",
    "kind": "ClusterPolicy",
    "metadata": {"name": "podsecurity-subrule-restricted"},
    "spec": {
        "background": True,
        "validationFailureAction": "Enforce",
        "rules": [{
            "name": "restricted",
            "match": {"any": [{"resources": {"kinds": ["Pod"]}}]},
            "validate": {"podSecurity": {"level": "restricted", "version": "latest"}},
        }],
    },
}


def _kyverno_apply(tmp: Path, resources: list[dict], exception: str | None) -> dict[str, str]:
    binary = require_tool("kyverno")
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "policy.yaml").write_text(yaml.safe_dump(USER_PSS_POLICY))
    (tmp / "resources.yaml").write_text(yaml.safe_dump_all(resources))
    argv = [str(binary), "apply", str(tmp / "policy.yaml"), "--resource", str(tmp / "resources.yaml"),
            "--policy-report", "--output-format", "json", "--remove-color"]
    if exception is not None:
        (tmp / "exception.yaml").write_text(exception)
        argv += ["--exception", str(tmp / "exception.yaml")]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    assert proc.returncode in (0, 1) and "panic:" not in proc.stderr, proc.stderr[-3000:] + proc.stdout[-3000:]
    assert "Policies Skipped" not in proc.stdout, proc.stdout[-3000:]
    report = next(json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{"))
    outcome: dict[str, str] = {}
    for result in report.get("results") or []:
        for ref in result.get("resources") or []:
            # fail or error wins over pass/skip for the same resource
            previous = outcome.get(ref["name"])
            if previous in ("fail", "error"):
                continue
            outcome[ref["name"]] = result["result"]
    return outcome


@pytest.fixture(scope="module")
def kyverno_outcomes(tmp_path_factory, exemption_files):
    pods = [pod for pod, _ in CASES.values()]
    deployments = [_deployment("deploy-" + name, pod) for name, (pod, _) in CASES.items()
                   if name in ("genuine", "other-container")]
    resources = pods + deployments
    base = tmp_path_factory.mktemp("kyverno")
    with_exc = _kyverno_apply(base / "with", resources, exemption_files["kyverno/pod-security-exception.yaml"])
    without = _kyverno_apply(base / "without", resources, None)
    return with_exc, without


def test_without_the_exception_the_genuine_pod_fails(kyverno_outcomes):
    _, without = kyverno_outcomes
    assert without["genuine"] == "fail"
    assert without["deploy-genuine"] == "fail"


@pytest.mark.parametrize("name", list(CASES))
def test_kyverno_exception_exempts_the_genuine_sidecars_only(kyverno_outcomes, name):
    with_exc, _ = kyverno_outcomes
    _, passes = CASES[name]
    got = with_exc.get(name)
    if passes:
        assert got in ("pass", "skip"), got
    else:
        assert got == "fail", got


def test_kyverno_exception_covers_pod_controllers(kyverno_outcomes):
    with_exc, _ = kyverno_outcomes
    assert with_exc["deploy-genuine"] in ("pass", "skip")
    assert with_exc["deploy-other-container"] == "fail"


# A ValidatingPolicy (CEL) with an image check that skips exceptions.allowedImages, written here.
USER_IMAGE_POLICY = {
    "apiVersion": "policies.kyverno.io/v1",
    "kind": "ValidatingPolicy",
    "metadata": {"name": "restrict-image-registries"},
    "spec": {
        "validationActions": ["Deny"],
        "matchConstraints": {"resourceRules": [{"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE", "UPDATE"],
                                                "resources": ["pods"]}]},
        "validations": [{
            "expression": (
                "object.spec.containers.all(c, c.image.startsWith('registry.example/') || c.image in exceptions.allowedImages)"
                " && (!has(object.spec.initContainers) || object.spec.initContainers.all(c, "
                "c.image.startsWith('registry.example/') || c.image in exceptions.allowedImages))"
            ),
            "message": "images come from registry.example",
        }],
    },
}


def _kyverno_apply_vpol(tmp: Path, resources: list[dict], exception: str | None) -> dict[str, str]:
    binary = require_tool("kyverno")
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "policy.yaml").write_text(yaml.safe_dump(USER_IMAGE_POLICY))
    (tmp / "resources.yaml").write_text(yaml.safe_dump_all(resources))
    argv = [str(binary), "apply", str(tmp / "policy.yaml"), "--resource", str(tmp / "resources.yaml"),
            "--policy-report", "--output-format", "json", "--remove-color"]
    if exception is not None:
        (tmp / "exception.yaml").write_text(exception)
        argv += ["--exception", str(tmp / "exception.yaml")]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    assert proc.returncode in (0, 1) and "panic:" not in proc.stderr, proc.stderr[-3000:] + proc.stdout[-3000:]
    reports = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    assert reports, proc.stdout[-3000:] + proc.stderr[-3000:]
    outcome: dict[str, str] = {}
    for result in reports[0].get("results") or []:
        for ref in result.get("resources") or []:
            if outcome.get(ref["name"]) in ("fail", "error"):
                continue
            outcome[ref["name"]] = result["result"]
    return outcome


IMAGE_CASES = {
    "genuine": True,
    "genuine-short-spelling": True,
    "other-image": False,
    "prefix-image": False,
    "tag-and-digest": False,
    "other-container": False,
    "other-placement": False,
}


@pytest.fixture(scope="module")
def kyverno_image_outcomes(tmp_path_factory, exemption_files):
    pods = [CASES[name][0] for name in IMAGE_CASES]
    base = tmp_path_factory.mktemp("kyverno-vpol")
    with_exc = _kyverno_apply_vpol(base / "with", pods, exemption_files["kyverno/image-exception.yaml"])
    without = _kyverno_apply_vpol(base / "without", pods, None)
    return with_exc, without


def test_kyverno_image_exception_matches_its_crd(exemption_files):
    doc = yaml.safe_load(exemption_files["kyverno/image-exception.yaml"])
    schema = closed_schema(crd_schema("config/crds/policies.kyverno.io/policies.kyverno.io_policyexceptions.yaml", "v1"))
    errors = list(jsonschema.Draft7Validator(schema).iter_errors(doc))
    assert not errors, [e.message for e in errors[:3]]


@pytest.mark.parametrize("name", list(IMAGE_CASES))
def test_kyverno_image_exception_allows_the_genuine_images_only(kyverno_image_outcomes, name):
    with_exc, without = kyverno_image_outcomes
    assert without[name] == "fail"
    if IMAGE_CASES[name]:
        assert with_exc[name] in ("pass", "skip"), with_exc[name]
    else:
        assert with_exc[name] == "fail", with_exc[name]


# --- Gatekeeper --------------------------------------------------------------------

# A capabilities template in the style of gatekeeper-library's (its parameters:
# allowedCapabilities, requiredDropCapabilities, exemptImages with exact match or
# a trailing "*" prefix), written here.
USER_TEMPLATE = {
    "apiVersion": "templates.gatekeeper.sh/v1",
    "kind": "ConstraintTemplate",
    "metadata": {"name": "usercapabilities"},
    "spec": {
        "crd": {"spec": {"names": {"kind": "UserCapabilities"}, "validation": {"openAPIV3Schema": {
            "type": "object",
            "properties": {
                "allowedCapabilities": {"type": "array", "items": {"type": "string"}},
                "requiredDropCapabilities": {"type": "array", "items": {"type": "string"}},
                "exemptImages": {"type": "array", "items": {"type": "string"}},
            }}}}},
        "targets": [{"target": "admission.k8s.gatekeeper.sh", "code": [{"engine": "Rego", "source": {"version": "v1", "rego": """
package usercapabilities

containers contains c if some c in input.review.object.spec.containers
containers contains c if some c in input.review.object.spec.initContainers
containers contains c if some c in input.review.object.spec.ephemeralContainers

exempt(c) if {
    some pattern in object.get(input.parameters, "exemptImages", [])
    not endswith(pattern, "*")
    c.image == pattern
}

exempt(c) if {
    some pattern in object.get(input.parameters, "exemptImages", [])
    endswith(pattern, "*")
    startswith(c.image, trim_suffix(pattern, "*"))
}

violation contains {"msg": msg} if {
    some c in containers
    not exempt(c)
    allowed := {x | some x in object.get(input.parameters, "allowedCapabilities", [])}
    some cap in object.get(object.get(object.get(c, "securityContext", {}), "capabilities", {}), "add", [])
    not cap in allowed
    msg := sprintf("container %v adds %v", [c.name, cap])
}
"""}}]}],
    },
}


def _gator_suite(tmp: Path, parameters: dict, with_policygen: Path | None) -> Path:
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "template.yaml").write_text(yaml.safe_dump(USER_TEMPLATE))
    constraint = {"apiVersion": "constraints.gatekeeper.sh/v1beta1", "kind": "UserCapabilities",
                  "metadata": {"name": "user-capabilities"},
                  "spec": {"match": {"kinds": [{"apiGroups": [""], "kinds": ["Pod"]}]},
                           "parameters": dict(parameters, allowedCapabilities=[])}}
    (tmp / "constraint.yaml").write_text(yaml.safe_dump(constraint))
    return tmp


def _gator_violations(tmp: Path, pod: dict, extra: list[Path]) -> list[str]:
    binary = require_tool("gator")
    (tmp / "pod.yaml").write_text(yaml.safe_dump(pod))
    argv = [str(binary), "test", "-f", str(tmp / "template.yaml"), "-f", str(tmp / "constraint.yaml"),
            "-f", str(tmp / "pod.yaml"), "-o", "json"]
    for path in extra:
        argv += ["-f", str(path)]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    assert proc.returncode in (0, 1), proc.stderr[-3000:]
    results = json.loads(proc.stdout) if proc.stdout.strip() else []
    return sorted(r.get("constraint", {}).get("kind", "") + ": " + r.get("msg", "") for r in results or [])


@pytest.fixture(scope="module")
def gatekeeper_setup(tmp_path_factory, exemption_files, reference_dist):
    params = yaml.safe_load(exemption_files["gatekeeper/exempt-images.yaml"])
    suite = _gator_suite(tmp_path_factory.mktemp("gator"), params, None)
    sc003 = reference_dist / "gatekeeper" / "sc003-unapproved-sidecar"
    return suite, [sc003 / "template.yaml", sc003 / "constraint.yaml"]


@pytest.mark.parametrize("name", ["genuine", "genuine-short-spelling", "other-image", "prefix-image", "tag-and-digest",
                                  "app-net-admin"])
def test_gatekeeper_exempt_images_exempt_the_exact_images_only(gatekeeper_setup, name):
    suite, _ = gatekeeper_setup
    pod, passes = CASES[name]
    user = [v for v in _gator_violations(suite, pod, []) if v.startswith("UserCapabilities")]
    assert (user == []) is passes, user


def test_gatekeeper_image_under_another_name_is_denied_by_policygen(gatekeeper_setup):
    # exemptImages matches images only, so the user's template lets the look-alike
    # container pass; policygen's SC003, deployed beside it, denies it.
    suite, sc003 = gatekeeper_setup
    pod, _ = CASES["other-container"]
    violations = _gator_violations(suite, pod, sc003)
    assert not [v for v in violations if v.startswith("UserCapabilities")]
    assert any("SC003" in v for v in violations), violations
    genuine = _gator_violations(suite, CASES["genuine"][0], sc003)
    assert genuine == [], genuine
