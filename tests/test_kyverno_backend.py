"""Kyverno backend: the generated ValidatingPolicies, their fixtures, and the real CLI.

Engine runs are session-scoped: one `kyverno test` over the whole dist and one
batched `policygen.evaluate` per sample set.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from policygen import build_plan, load_spec
from policygen.backends.cel import CEL_RULE_IDS, cel_source, codes_in
from policygen.backends.kyverno import KyvernoBackend
from policygen.checks import CHECKS
from policygen.rules import CATALOGUE, REGISTRY

from .conftest import REFERENCE_SPEC as REFERENCE
from .conftest import backend_files, require_tool


@pytest.fixture(scope="session")
def plan(reference_plan):
    return reference_plan


@pytest.fixture(scope="session")
def files(reference_files):
    return backend_files(reference_files, "kyverno")


@pytest.fixture(scope="session")
def dist(reference_dist) -> Path:
    return reference_dist / "kyverno"


@pytest.fixture(scope="session")
def kyverno_test_run(dist):
    binary = require_tool("kyverno")
    proc = subprocess.run([str(binary), "test", str(dist), "--remove-color"], capture_output=True, text=True, timeout=900)
    return proc


def test_one_policy_per_rule_with_its_test(plan, files):
    for rule in plan.rules:
        name = CATALOGUE[rule.rule_id].policy_name
        assert Path(name, f"{name}.yaml") in {Path(str(p)) for p in files}
        assert Path(name, ".kyverno-test", "kyverno-test.yaml") in {Path(str(p)) for p in files}


def test_every_cel_rule_has_one_cel_source():
    for rule_id in CEL_RULE_IDS:
        assert (REGISTRY[rule_id].folder / "rule.cel.jinja").is_file(), rule_id
    # No second, Kyverno-only copy of any rule's expressions.
    templates = Path(__file__).resolve().parents[1] / "templates"
    assert not (templates / "kyverno" / "rules").exists() and not (templates / "cel" / "rules").exists()


def test_policies_are_current_api_with_catalogue_annotations_and_mode(plan, files):
    for rule in plan.rules:
        info = CATALOGUE[rule.rule_id]
        doc = yaml.safe_load(files[next(p for p in files if str(p) == f"{info.policy_name}/{info.policy_name}.yaml")])
        assert doc["apiVersion"] == "policies.kyverno.io/v1"
        assert doc["kind"] == ("ImageValidatingPolicy" if rule.rule_id == "SC012" else "ValidatingPolicy")
        ann = doc["metadata"]["annotations"]
        assert ann["policies.kyverno.io/title"] == info.title
        assert ann["policies.kyverno.io/description"] == info.description
        assert ann["policies.kyverno.io/severity"] == info.severity
        assert ann["policies.kyverno.io/subject"] == info.subject
        assert ann["kyverno.io/kyverno-version"] and ann["kyverno.io/kubernetes-version"]
        assert doc["spec"]["validationActions"] == (["Deny"] if plan.mode == "enforce" else ["Audit"])
        assert doc["spec"]["failurePolicy"] == "Fail"


def test_nothing_emits_the_deprecated_api(files):
    assert not [p for p, text in files.items() if "kyverno.io/v1\nkind: ClusterPolicy" in text or "apiVersion: kyverno.io/" in text]


def test_pod_rules_cover_controllers_and_ephemeral_containers(plan, files):
    for rule in plan.rules:
        if not rule.rule_id.startswith("SC"):
            continue
        info = CATALOGUE[rule.rule_id]
        doc = yaml.safe_load(files[next(p for p in files if str(p) == f"{info.policy_name}/{info.policy_name}.yaml")])
        resources = {r for rr in doc["spec"]["matchConstraints"]["resourceRules"] for r in rr["resources"]}
        assert {"pods", "pods/ephemeralcontainers", "deployments", "statefulsets", "daemonsets", "replicasets",
                "replicationcontrollers", "jobs", "cronjobs"} <= resources, rule.rule_id


def test_one_cel_source_renders_both_backends(plan, reference_files):
    """The VP's and the VAP's variables and validations are the same CEL, character for character."""
    vap = backend_files(reference_files, "vap")
    for rule in plan.rules:
        if rule.rule_id not in CEL_RULE_IDS:
            continue
        info = CATALOGUE[rule.rule_id]
        vp = yaml.safe_load(backend_files(reference_files, "kyverno")[next(
            p for p in backend_files(reference_files, "kyverno") if str(p) == f"{info.policy_name}/{info.policy_name}.yaml")])
        vap_policy = next(yaml.safe_load_all(vap[next(p for p in vap if str(p) == f"{info.policy_name}.yaml")]))
        for key in ("variables", "validations"):
            assert vp["spec"][key] == vap_policy["spec"][key], (rule.rule_id, key)
        assert vp["spec"].get("matchConditions") == vap_policy["spec"].get("matchConditions")


def test_every_message_code_is_in_the_catalogue(plan):
    for rule in plan.rules:
        if rule.rule_id in CEL_RULE_IDS:
            codes = codes_in(cel_source(plan, rule))
            assert codes, rule.rule_id
            assert all(c.split("/")[1] in CHECKS[rule.rule_id] for c in codes), (rule.rule_id, codes)


def test_output_is_deterministic(plan):
    assert KyvernoBackend().render(plan) == KyvernoBackend().render(build_plan(load_spec(REFERENCE)))


def test_every_yaml_parses(files):
    for path, text in files.items():
        assert list(yaml.safe_load_all(text)), path


def test_fixture_results_name_real_policies_rules_and_resources(files):
    """A misspelled rule or resource in an expected result must not pass silently."""
    tests = [p for p in files if str(p).endswith("kyverno-test.yaml")]
    assert tests
    for test_path in tests:
        test = yaml.safe_load(files[test_path])
        folder = Path(str(test_path)).parent
        policies = {}
        for rel in test["policies"]:
            target = Path(*[p for p in (folder / rel).parts])
            key = next(p for p in files if Path(str(p)) == Path(_normalise(target)))
            doc = yaml.safe_load(files[key])
            policies[doc["metadata"]["name"]] = doc["kind"]
        resources = set()
        for rel in test["resources"]:
            key = next(p for p in files if Path(str(p)) == folder / rel)
            for doc in yaml.safe_load_all(files[key]):
                meta = doc["metadata"]
                resources.add(f"{meta['namespace']}/{meta['name']}" if meta.get("namespace") else meta["name"])
        for result in test["results"]:
            assert result["policy"] in policies, (test_path, result)
            flag = "isImageValidatingPolicy" if policies[result["policy"]] == "ImageValidatingPolicy" else "isValidatingPolicy"
            assert result.get(flag) is True and "rule" not in result, (test_path, result)
            for res in result["resources"]:
                assert res in resources, (test_path, result)
            assert result["result"] in ("pass", "fail", "skip")


def _normalise(path: Path) -> str:
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            parts.pop()
        else:
            parts.append(part)
    return "/".join(parts)


def test_each_rule_has_a_failing_and_a_passing_fixture(files):
    for rule_id, info in CATALOGUE.items():
        if rule_id == "SC012":
            continue
        tests = [p for p in files if str(p).startswith(f"{info.policy_name}/.kyverno-test/") and p.name == "kyverno-test.yaml"]
        if not tests:
            continue
        results = {r["result"] for p in tests for r in yaml.safe_load(files[p])["results"]}
        assert "fail" in results and results & {"pass", "skip"}, rule_id


def test_kyverno_test_passes_on_dist(kyverno_test_run):
    out = kyverno_test_run.stdout + kyverno_test_run.stderr
    assert kyverno_test_run.returncode == 0, out[-6000:]
    assert "0 tests failed" in out
    assert "Policies Skipped" not in out and "Invalid Policy" not in out
