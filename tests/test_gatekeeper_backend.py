"""The Gatekeeper backend: what it renders, and gator verify on the rendered suites."""

from __future__ import annotations

import json
import re
from pathlib import Path, PurePosixPath

import pytest
import yaml

from policygen.pipeline import render_all
from policygen.backends.gatekeeper import (
    GatekeeperBackend,
    match_of,
    parameters_schema,
    schema_of,
    template_kind,
    template_name,
)
from policygen.backends.rego import UNSUPPORTED, lib_sources
from policygen.fixtures import cases_for
from policygen.render import to_yaml

from .conftest import backend_files, run_tool


@pytest.fixture(scope="session")
def gk_files(reference_files) -> dict[PurePosixPath, str]:
    return backend_files(reference_files, "gatekeeper")


@pytest.fixture(scope="session")
def suite_files(reference_files) -> dict[PurePosixPath, str]:
    return backend_files(reference_files, "gatekeeper-tests")


@pytest.fixture(scope="session")
def gk_dist(reference_dist) -> Path:
    """The reference spec's dist/gatekeeper, written as `policygen generate` writes it."""
    return reference_dist / "gatekeeper"


@pytest.fixture(scope="session")
def gator_verify(gk_dist):
    """One `gator verify -v` over every suite of the reference dist.

    Run from dist/ with a relative path, as a user would.
    """
    return run_tool("gator", "verify", "-v", "gatekeeper-tests/...", cwd=gk_dist.parent)


def _load(files, path) -> list:
    return [d for d in yaml.safe_load_all(files[PurePosixPath(path)]) if d is not None]


def _policies(plan):
    return [r for r in plan.rules if r.rule_id not in UNSUPPORTED]


def test_one_policy_folder_per_supported_rule(gk_files, reference_plan):
    # constraints/ is the kustomize layer GitOps applies after the templates (policygen/kustomize.py).
    folders = {p.parts[0] for p in gk_files if len(p.parts) > 1} - {"constraints"}
    assert folders == {r.info.policy_name for r in _policies(reference_plan)}
    assert "sc012-sidecar-image-signature" not in folders
    for rule in _policies(reference_plan):
        for name in ("template.yaml", "constraint.yaml"):
            assert PurePosixPath(rule.info.policy_name, name) in gk_files


def test_the_cluster_folder_holds_no_test_objects(gk_files, suite_files, reference_plan):
    """`gator test -f dist/<spec>/gatekeeper/` and `kubectl apply` read every YAML file below it: no samples, no suites."""
    for path, text in gk_files.items():
        kinds = {d.get("kind") for d in yaml.safe_load_all(text) if isinstance(d, dict)}
        assert kinds <= {"ConstraintTemplate", "SyncSet", "Kustomization", *(template_kind(r) for r in _policies(reference_plan))}, path
    assert {p.parts[0] for p in suite_files} == {r.info.policy_name for r in _policies(reference_plan)}
    for rule in _policies(reference_plan):
        assert PurePosixPath(rule.info.policy_name, "suite.yaml") in suite_files


def test_every_file_parses_back(gk_files):
    for path, text in gk_files.items():
        assert path.suffix == ".yaml", path
        docs = list(yaml.safe_load_all(text))
        assert docs and all(isinstance(d, dict) for d in docs), path
        assert text.endswith("\n") and "\r" not in text, path


def test_rendering_is_deterministic(reference_plan, gk_files):
    # The backend renders the policies; the kustomize layers are added over every backend's map.
    layers = {p for p in gk_files if p.parts[0] == "constraints" or p.name == "kustomization.yaml"}
    assert GatekeeperBackend().render(reference_plan) == {p: t for p, t in gk_files.items() if p not in layers}
    assert render_all(reference_plan) == render_all(reference_plan)


def test_template_names_kinds_and_annotations(gk_files, reference_plan):
    for rule in _policies(reference_plan):
        (tmpl,) = _load(gk_files, f"{rule.info.policy_name}/template.yaml")
        assert tmpl["apiVersion"] == "templates.gatekeeper.sh/v1"
        assert tmpl["kind"] == "ConstraintTemplate"
        kind = template_kind(rule)
        assert re.fullmatch(r"Policygen(Sc|Cp)\d{3}[A-Za-z]+", kind), kind
        assert tmpl["metadata"]["name"] == kind.lower() == template_name(rule)
        assert tmpl["spec"]["crd"]["spec"]["names"]["kind"] == kind
        notes = tmpl["metadata"]["annotations"]
        assert notes["metadata.gatekeeper.sh/title"] == rule.info.title
        assert notes["description"] == rule.info.description
    assert template_kind(reference_plan.rule("SC004")) == "PolicygenSc004SidecarSecurityContext"


def test_template_libs_are_the_rego_backend_library_byte_for_byte(gk_files, reference_plan):
    lib = lib_sources(reference_plan)
    for rule in _policies(reference_plan):
        own = f"lib/rules/{rule.rule_id.lower()}.rego"
        expected = [lib[p] for p in sorted(lib, key=str) if str(p).count("/") == 1 or str(p) == own]
        assert len(expected) == 6 and lib[PurePosixPath(own)] in expected
        (tmpl,) = _load(gk_files, f"{rule.info.policy_name}/template.yaml")
        (target,) = tmpl["spec"]["targets"]
        assert target["target"] == "admission.k8s.gatekeeper.sh"
        (code,) = target["code"]
        assert code["engine"] == "Rego"
        source = code["source"]
        assert source["version"] == "v1"
        assert source["libs"] == expected
        # The entry point only calls the library: no rule logic is restated.
        rego = source["rego"]
        assert f"data.lib.policygen.rules.{rule.rule_id.lower()} as rule" in rego
        assert "rule.violations(review.from_gatekeeper(input.review), input.parameters, namespaces)" in rego
        assert "data.inventory.cluster.v1.Namespace" in rego
        # The entry point adds only the rule ID, from the plan, before the library's check and text.
        assert rego.count("sprintf") == 2 and 'sprintf("%s/%s %s", [rule_id, found.check, found.detail])' in rego
        assert f"rule_id := {json.dumps(rule.rule_id)}" in rego


def test_constraints_carry_the_plan_params_and_the_mode(gk_files, reference_plan):
    for rule in _policies(reference_plan):
        (con,) = _load(gk_files, f"{rule.info.policy_name}/constraint.yaml")
        assert con["apiVersion"] == "constraints.gatekeeper.sh/v1beta1"
        assert con["kind"] == template_kind(rule)
        assert con["metadata"]["name"] == rule.info.policy_name
        assert con["spec"]["parameters"] == rule.params
        assert con["spec"]["enforcementAction"] == ("deny" if reference_plan.mode == "enforce" else "warn")
        assert con["spec"]["match"] == match_of(reference_plan, rule)


def test_match_never_narrows_a_rule_beyond_the_semantics(reference_plan):
    excluded = reference_plan.rule("SC001").params["scope"]["excludedNamespaces"]
    # SC003 (a) and (e) apply in every namespace, excluded ones included.
    assert "excludedNamespaces" not in match_of(reference_plan, reference_plan.rule("SC003"))
    for rule in _policies(reference_plan):
        match = match_of(reference_plan, rule)
        assert "namespaceSelector" not in match and "namespaces" not in match
        if rule.rule_id.startswith("SC") and rule.rule_id != "SC003":
            assert match["excludedNamespaces"] == excluded
            kinds = {k for entry in match["kinds"] for k in entry["kinds"]}
            assert kinds == set(reference_plan.pod_kinds)
    groups = {tuple(e["apiGroups"]): e["kinds"] for e in match_of(reference_plan, reference_plan.rule("SC001"))["kinds"]}
    # extensions/v1beta1 controllers (old manifests in Git) are the same controllers: matched too.
    assert groups == {("",): ["Pod", "ReplicationController"], ("apps",): ["StatefulSet"],
                      ("apps", "extensions"): ["DaemonSet", "Deployment", "ReplicaSet"], ("batch",): ["CronJob", "Job"]}


def test_schema_declares_every_parameter(reference_plan):
    def check(value, schema, where):
        if schema.get("x-kubernetes-preserve-unknown-fields"):
            return
        if isinstance(value, dict):
            assert schema["type"] == "object", where
            for k, v in value.items():
                sub = schema["properties"][k] if "properties" in schema else schema["additionalProperties"]
                check(v, sub, f"{where}.{k}")
        elif isinstance(value, list):
            assert schema["type"] == "array", where
            for i, v in enumerate(value):
                check(v, schema["items"], f"{where}[{i}]")
        else:
            expected = {bool: "boolean", int: "integer", float: "number", str: "string"}[type(value)]
            assert schema["type"] == expected, where

    for rule in _policies(reference_plan):
        check(rule.params, parameters_schema(rule), rule.rule_id)


def test_schema_of_shapes():
    assert schema_of({"a": [1, 2], "b": None, "c": []}) == {
        "type": "object",
        "properties": {
            "a": {"type": "array", "items": {"type": "integer"}},
            "b": {"nullable": True, "x-kubernetes-preserve-unknown-fields": True},
            "c": {"type": "array", "items": {"x-kubernetes-preserve-unknown-fields": True}},
        },
    }
    # An empty list's items yield to a sibling's; mixed scalars keep any value.
    merged = schema_of([{"add": []}, {"add": ["NET_ADMIN"]}, {"add": [], "value": 1}, {"value": True}])
    assert merged["items"]["properties"]["add"] == {"type": "array", "items": {"type": "string"}}
    assert merged["items"]["properties"]["value"] == {"x-kubernetes-preserve-unknown-fields": True}
    assert schema_of({"matchLabels": {"a/b": "x"}}) == {
        "type": "object",
        "properties": {"matchLabels": {"type": "object", "additionalProperties": {"type": "string"}}},
    }


def test_the_yaml_writer_round_trips_any_text():
    """Rego sources reach templates as plain strings through the one YAML writer: whatever their shape, they read back."""
    for text in ["package x\n\nimport data.y\n\tz := 1\n", "no newline", "two\n\n", " leading", "trail \nx\n", "tab\t\n",
                 "bell\x07\n", "bom\ufeff\nx", "sep\u2028x\n", "# not a comment\n- not a list\n"]:
        assert yaml.safe_load(to_yaml({"key": text})) == {"key": text}, text


def test_samples_mirror_the_fixture_cases(gk_files, suite_files, reference_plan):
    cases = cases_for(reference_plan)
    for rule in _policies(reference_plan):
        folder = rule.info.policy_name
        (suite,) = _load(suite_files, f"{folder}/suite.yaml")
        assert suite["kind"] == "Suite" and suite["apiVersion"] == "test.gatekeeper.sh/v1alpha1"
        mine = [c for c in cases if c.rule_id == rule.rule_id]
        assert [t["name"] for t in suite["tests"]] == [c.name.replace("_", "-") for c in mine]
        for test, case in zip(suite["tests"], mine):
            # the shipped template and constraint, not copies: the suite tests what is installed
            assert test["template"] == f"../../gatekeeper/{folder}/template.yaml"
            assert test["constraint"] == f"../../gatekeeper/{folder}/constraint.yaml"
            (c,) = test["cases"]
            example = "example_disallowed.yaml" if case.fails else "example_allowed.yaml"
            assert c["object"].endswith("/" + example)
            assert _load(suite_files, f"{folder}/{c['object']}") == [case.resource]
            if case.namespaces:
                assert _load(suite_files, f"{folder}/{c['inventory'][0]}") == [case.namespaces[n] for n in sorted(case.namespaces)]
            # One assertion per sub-check the case must trip, each by its code at the start of a message.
            if case.fails:
                assert c["assertions"] == [{"violations": "yes", "message": f"^{re.escape(f'{rule.rule_id}/{check}')} "}
                                           for check in case.checks]
            else:
                assert c["assertions"] == [{"violations": "no"}]


def test_sync_set_for_the_namespace_inventory(gk_files, reference_plan):
    (sync,) = _load(gk_files, "sync.yaml")
    assert sync["kind"] == "SyncSet"
    assert sync["spec"]["gvks"] == [{"group": "", "version": "v1", "kind": "Namespace"}]
    (tmpl,) = _load(gk_files, "sc004-sidecar-security-context/template.yaml")
    needs = json.loads(tmpl["metadata"]["annotations"]["metadata.gatekeeper.sh/requires-sync-data"])
    assert needs == [[{"groups": [""], "versions": ["v1"], "kinds": ["Namespace"]}]]


def test_gator_verify_passes_on_the_generated_suites(gator_verify, reference_plan):
    out = gator_verify.stdout + gator_verify.stderr
    assert gator_verify.returncode == 0, out[-4000:]
    assert out.rstrip().endswith("PASS")
    assert "FAIL" not in out
    passed = re.findall(r"^    --- PASS: example-(?:allowed|disallowed)\t", out, re.MULTILINE)
    expected = [c for c in cases_for(reference_plan) if c.rule_id not in UNSUPPORTED]
    assert len(passed) == len(expected) >= 60
    assert len(re.findall(r"^ok\t", out, re.MULTILINE)) == len(_policies(reference_plan))


def test_gator_rejects_a_constraint_its_schema_does_not_allow(tmp_path, gk_dist, reference_plan):
    """The derived schema bites: a wrongly typed parameter is an invalid constraint, for every template."""
    tests = []
    for rule in _policies(reference_plan):
        folder = gk_dist / rule.info.policy_name
        con = yaml.safe_load((folder / "constraint.yaml").read_text())
        con["spec"]["parameters"]["policygenTypo"] = None  # unknown field: fine, it is not typed
        first = sorted(k for k in rule.params if k != "scope")[0]
        con["spec"]["parameters"][first] = {"not": "the declared type"}
        (tmp_path / f"{rule.rule_id}.yaml").write_text(to_yaml(con))
        tests.append({"name": rule.rule_id, "template": str(folder / "template.yaml"), "constraint": f"{rule.rule_id}.yaml",
                      "invalid": True})
    # Templates are referenced relative to the suite: copy them beside it.
    for t in tests:
        src = Path(t["template"])
        (tmp_path / f"{t['name']}-template.yaml").write_bytes(src.read_bytes())
        t["template"] = f"{t['name']}-template.yaml"
    (tmp_path / "suite.yaml").write_text(to_yaml({"apiVersion": "test.gatekeeper.sh/v1alpha1", "kind": "Suite",
                                                  "metadata": {"name": "invalid"}, "tests": tests}))
    proc = run_tool("gator", "verify", "-v", str(tmp_path / "suite.yaml"))
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    assert len(re.findall(r"^--- PASS: ", proc.stdout, re.MULTILINE)) == len(tests)
