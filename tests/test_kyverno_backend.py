"""Kyverno backend: the generated ClusterPolicies, their fixtures, and the real CLI.

Engine runs are session-scoped: one `kyverno test` over the whole dist and one
batched `policygen.evaluate` per sample set.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from policygen import build_plan, load_spec
from policygen.backends.kyverno import KyvernoBackend
from policygen.rules import CATALOGUE

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


def test_every_rule_id_has_a_template():
    root = Path(__file__).resolve().parents[1] / "templates" / "kyverno" / "rules"
    for rule_id in CATALOGUE:
        assert (root / f"{rule_id}.yaml.jinja").is_file(), rule_id


def test_policies_carry_catalogue_annotations_and_mode(plan, files):
    for rule in plan.rules:
        info = CATALOGUE[rule.rule_id]
        doc = yaml.safe_load(files[next(p for p in files if str(p) == f"{info.policy_name}/{info.policy_name}.yaml")])
        ann = doc["metadata"]["annotations"]
        assert ann["policies.kyverno.io/title"] == info.title
        assert ann["policies.kyverno.io/description"] == info.description
        assert ann["policies.kyverno.io/severity"] == info.severity
        for r in doc["spec"]["rules"]:
            action = (r.get("validate") or {}).get("failureAction") or r.get("verifyImages", [{}])[0].get("failureAction")
            assert action == ("Enforce" if plan.mode == "enforce" else "Audit")


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
            policies[doc["metadata"]["name"]] = {r["name"] for r in doc["spec"]["rules"]}
        resources = set()
        for rel in test["resources"]:
            key = next(p for p in files if Path(str(p)) == folder / rel)
            for doc in yaml.safe_load_all(files[key]):
                meta = doc["metadata"]
                resources.add(f"{meta['namespace']}/{meta['name']}" if meta.get("namespace") else meta["name"])
        for result in test["results"]:
            assert result["policy"] in policies, (test_path, result)
            assert result["rule"] in policies[result["policy"]], (test_path, result)
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


def test_each_pod_rule_has_a_failing_and_a_passing_fixture(files):
    for rule_id, info in CATALOGUE.items():
        if rule_id == "SC012":
            continue
        key = next((p for p in files if str(p) == f"{info.policy_name}/.kyverno-test/kyverno-test.yaml"), None)
        if key is None:
            continue
        results = {r["result"] for r in yaml.safe_load(files[key])["results"]}
        # CP002's allowed case needs a trusted user: the engine test covers it.
        assert "fail" in results and results & {"pass", "skip"}, rule_id


def test_kyverno_test_passes_on_dist(kyverno_test_run):
    out = kyverno_test_run.stdout + kyverno_test_run.stderr
    assert kyverno_test_run.returncode == 0, out[-6000:]
    assert "0 tests failed" in out
    assert "Policies Skipped" not in out and "Invalid Policy" not in out
