"""Every eval output format, from real OPA verdicts, checked against its official schema."""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET

import jsonschema
import pytest
import xmlschema
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import policygen as pg
from policygen.report import EvalRun, github, render
from policygen.rules import CATALOGUE

from .cli_support import SCHEMAS, closed_schema, crd_schema, policygen
from .conftest import REFERENCE_SAMPLES, REFERENCE_SPEC, require_tool

ATTACK = """\
apiVersion: v1
kind: Pod
metadata:
  name: "evil\\n::warning file=x::forged"
  namespace: payments
spec:
  containers:
  - name: app
    image: nginx
  - name: istio-proxy
    image: "evil.example/proxy%0A::error::forged\\r\\n::add-mask::x,y:z"
    args: [proxy, sidecar]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "webhook-writer\\r\\n::error::forged"}
rules:
- apiGroups: [admissionregistration.k8s.io]
  resources: [mutatingwebhookconfigurations]
  verbs: [update]
"""


@pytest.fixture(scope="module")
def reference_run(reference_plan):
    require_tool("opa")
    samples = pg.load_samples([REFERENCE_SAMPLES])
    verdicts = pg.evaluate(reference_plan, "opa", samples)
    return EvalRun.of(reference_plan, "opa", verdicts, samples.resources)


@pytest.fixture(scope="module")
def audit_plan(tmp_path_factory):
    text = REFERENCE_SPEC.read_text().replace("  mode: enforce", "  mode: audit", 1)
    assert "mode: audit" in text
    path = tmp_path_factory.mktemp("audit") / "audit.yaml"
    path.write_text(text)
    return pg.build_plan(pg.load_spec(path)), path


@pytest.fixture(scope="module")
def audit_run(audit_plan):
    require_tool("opa")
    plan, _ = audit_plan
    samples = pg.load_samples([REFERENCE_SAMPLES / "sc004.yaml", REFERENCE_SAMPLES / "cp005.yaml"])
    return EvalRun.of(plan, "opa", pg.evaluate(plan, "opa", samples), samples.resources)


@pytest.fixture(scope="module")
def attack_run(reference_plan, tmp_path_factory):
    require_tool("opa")
    path = tmp_path_factory.mktemp("attack") / "inject.yaml"
    path.write_text(ATTACK)
    samples = pg.load_samples([path])
    return EvalRun.of(reference_plan, "opa", pg.evaluate(reference_plan, "opa", samples), samples.resources)


def test_the_data_set_has_denials_and_passes(reference_run):
    counts = reference_run.counts()
    assert counts["deny"] >= 50 and counts["pass"] >= 20 and counts["warn"] == 0


# --- json: SPEC.md's contract, unchanged --------------------------------------

def test_json_is_the_spec_contract(reference_run):
    records = json.loads(render("json", reference_run))
    assert records == [v.to_json() for v in reference_run.verdicts]
    assert all(set(r) >= {"file", "index", "kind", "namespace", "name", "engine", "allowed", "violations",
                          "notEvaluated"} for r in records)


# --- SARIF ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def sarif_schema():
    return json.loads((SCHEMAS / "sarif-2.1.0.json").read_text())


def _sarif_valid(log, schema):
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def test_sarif_validates_against_the_official_schema(reference_run, sarif_schema):
    _sarif_valid(json.loads(render("sarif", reference_run)), sarif_schema)


def test_sarif_schema_check_can_fail(reference_run, sarif_schema):
    log = json.loads(render("sarif", reference_run))
    log["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(AssertionError):
        _sarif_valid(log, sarif_schema)


def test_sarif_one_result_per_violation_with_rule_severity_and_location(reference_run):
    log = json.loads(render("sarif", reference_run))
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(CATALOGUE)
    for r in rules:
        assert r["properties"]["security-severity"]
    results = run["results"]
    violations = [(v.file, v.index, x.rule, x.message) for v in reference_run.verdicts for x in v.violations]
    assert len(results) == len(violations)
    for result, (file, index, rule, message) in zip(results, violations, strict=True):
        assert result["ruleId"] == rule
        assert rules[result["ruleIndex"]]["id"] == rule
        assert result["message"]["text"] == message
        # The catalogue's severity decides: CP rules are critical/high, SC007 medium.
        expected = {"critical": "error", "high": "error", "medium": "warning"}[CATALOGUE[rule].severity]
        assert result.get("level", "warning") == expected
        loc = result["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"] == os.path.relpath(file)
        assert loc["region"]["startLine"] >= 1
        assert result["properties"]["index"] == index
    assert run["invocations"][0]["toolExecutionNotifications"][0]["descriptor"]["id"] == "SC012"


def test_sarif_audit_mode_rules_are_warnings(audit_run, sarif_schema):
    log = json.loads(render("sarif", audit_run))
    _sarif_valid(log, sarif_schema)
    results = log["runs"][0]["results"]
    assert results and all(r.get("level", "warning") == "warning" for r in results)
    assert {r["properties"]["action"] for r in results} == {"warn"}


# --- JUnit ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def junit_schema():
    return xmlschema.XMLSchema(str(SCHEMAS / "junit-10.xsd"))


def test_junit_validates_against_the_xsd(reference_run, junit_schema):
    junit_schema.validate(render("junit", reference_run))


def test_junit_xsd_check_can_fail(junit_schema):
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        junit_schema.validate('<testsuites><testsuite name="x" tests="one"/></testsuites>')


def test_junit_a_case_per_resource_a_failure_per_denial(reference_run):
    root = ET.fromstring(render("junit", reference_run))
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == len(reference_run.verdicts)
    for case, verdict in zip(cases, reference_run.verdicts, strict=True):
        assert case.get("classname") == verdict.file
        failures = case.findall("failure")
        if verdict.allowed:
            assert failures == []
        else:
            assert len(failures) == 1
            assert failures[0].text.split("\n") == [v.message for v in verdict.violations]
            assert failures[0].get("type") == " ".join(sorted(verdict.rules))
    suite = root.find("testsuite")
    assert int(suite.get("failures")) == reference_run.counts()["deny"]


def test_junit_audit_mode_warnings_do_not_fail(audit_run, junit_schema):
    text = render("junit", audit_run)
    junit_schema.validate(text)
    root = ET.fromstring(text)
    assert root.find("testsuite").get("failures") == "0"
    outs = [c.findtext("system-out") for c in root.iter("testcase")]
    assert any("WARN SC004" in o for o in outs)


# --- GitHub annotations ----------------------------------------------------------

_COMMAND = re.compile(r"^::(error|warning|notice)( [^:]*)?::")


def test_github_one_annotation_per_violation(reference_run):
    lines = render("github", reference_run).splitlines()
    errors = [line for line in lines if line.startswith("::error ")]
    assert len(errors) == sum(len(v.violations) for v in reference_run.verdicts)
    assert all(_COMMAND.match(line) for line in lines[:-1])
    assert re.search(r"^::error file=(?:\S*/)?samples/reference/sc004\.yaml,line=\d+,title=SC004(?:/[a-z-]+)? Pod payments/", "\n".join(lines), re.M)


def test_github_attacker_text_cannot_inject_commands(attack_run):
    text = render("github", attack_run)
    lines = text.splitlines()
    # Every line is one of ours: no newline got through, so no forged command starts a line.
    assert all(_COMMAND.match(line) for line in lines[:-1]), lines
    assert not lines[-1].startswith("::")
    assert len([line for line in lines if line.startswith("::error ")]) == sum(len(v.violations) for v in attack_run.verdicts)
    for line in lines[:-1]:
        props = line.split("::")[1]
        # Properties are name=value pairs separated by commas; none forged from the pod's name.
        keys = [p.split("=", 1)[0] for p in props.split(" ", 1)[1].split(",")] if " " in props else []
        assert set(keys) <= {"file", "line", "title"}, line
        assert "\r" not in line
    # The name's line feed is shown as text (policygen/visible.py), then the property's ":" escaped.
    assert "evil\\x0a%3A%3Awarning file=x%3A%3Aforged" in text


def test_text_attacker_text_cannot_forge_lines(attack_run):
    lines = render("text", attack_run).splitlines()
    # One line per resource, one per message, one for notEvaluated, and the summary: nothing more.
    assert len(lines) == sum(1 + len(v.violations) + bool(v.not_evaluated) for v in attack_run.verdicts) + 1
    assert lines[0].endswith(": denied") and "evil\\x0a::warning" in lines[0]


def test_github_escaping_rules():
    assert github.escape_data("a%b\r\nc") == "a%25b%0D%0Ac"
    assert github.escape_property("x,y:z\n") == "x%2Cy%3Az%0A"
    # Attacker text's controls become visible text first; escape_data still guards policygen's own text.
    assert github.command("error", "m\n::warning::x", file="a,b", line=3) == "::error file=a%2Cb,line=3::m\\x0a::warning::x"
    assert github.command("error", "50%\x1b[2J\x9b", title="t\r") == "::error title=t\\x0d::50%25\\x1b[2J\\x9b"


def test_github_audit_mode_is_warning(audit_run):
    lines = render("github", audit_run).splitlines()
    assert any(line.startswith("::warning ") for line in lines)
    assert not any(line.startswith("::error ") for line in lines)


# --- PolicyReport -----------------------------------------------------------------

@pytest.fixture(scope="module")
def report_schemas():
    return {
        "PolicyReport": closed_schema(crd_schema("config/crds/policyreport/wgpolicyk8s.io_policyreports.yaml", "v1alpha2")),
        "ClusterPolicyReport": closed_schema(
            crd_schema("config/crds/policyreport/wgpolicyk8s.io_clusterpolicyreports.yaml", "v1alpha2")),
    }


def _reports_valid(docs, schemas):
    for doc in docs:
        errors = list(jsonschema.Draft7Validator(schemas[doc["kind"]]).iter_errors(doc))
        assert not errors, "\n".join(f"{doc['kind']} {list(e.path)}: {e.message}" for e in errors[:5])


def test_policyreport_validates_against_the_crd(reference_run, report_schemas):
    docs = list(yaml.safe_load_all(render("policyreport", reference_run)))
    assert {d["kind"] for d in docs} == {"PolicyReport", "ClusterPolicyReport"}
    _reports_valid(docs, report_schemas)


def test_policyreport_crd_check_can_fail(reference_run, report_schemas):
    docs = list(yaml.safe_load_all(render("policyreport", reference_run)))
    docs[0]["results"][0]["result"] = "denied"
    with pytest.raises(AssertionError):
        _reports_valid(docs, report_schemas)
    docs[0]["results"][0]["result"] = "fail"
    docs[0]["results"][0]["ruleId"] = "SC004"
    with pytest.raises(AssertionError):
        _reports_valid(docs, report_schemas)


def test_policyreport_counts_and_scopes(reference_run):
    docs = list(yaml.safe_load_all(render("policyreport", reference_run)))
    fails = sum(d["summary"]["fail"] for d in docs)
    assert fails == sum(len(v.violations) for v in reference_run.verdicts)
    assert sum(d["summary"]["pass"] for d in docs) == reference_run.counts()["pass"]
    for doc in docs:
        for result in doc["results"]:
            for ref in result["resources"]:
                if doc["kind"] == "PolicyReport":
                    assert ref["namespace"] == doc["metadata"]["namespace"]
                else:
                    assert "namespace" not in ref
            if result["result"] == "fail":
                assert result["severity"] == CATALOGUE[result["rule"]].severity


def test_policyreport_audit_mode_is_warn(audit_run, report_schemas):
    docs = list(yaml.safe_load_all(render("policyreport", audit_run)))
    _reports_valid(docs, report_schemas)
    assert sum(d["summary"]["warn"] for d in docs) > 0
    assert sum(d["summary"]["fail"] for d in docs) == 0


# --- text -----------------------------------------------------------------------

def test_text_names_object_file_and_line(reference_run):
    text = render("text", reference_run)
    assert re.search(r"^(?:\S*/)?samples/reference/cp005\.yaml#\d+ \(line \d+\) ClusterRole [a-z0-9-]+: denied$", text, re.M)
    assert re.search(r"^(?:\S*/)?samples/reference/sc004\.yaml#0 \(line \d+\) Pod payments/s4-root: denied$", text, re.M)
    assert text.rstrip().splitlines()[-1].startswith("opa: ")


# --- through the command line ----------------------------------------------------

@pytest.mark.parametrize("fmt", ["sarif", "junit", "github", "policyreport", "text"])
def test_cli_prints_each_format(fmt, tmp_path):
    require_tool("opa")
    out = tmp_path / f"report.{fmt}"
    proc = policygen("eval", "--spec", str(REFERENCE_SPEC), "--engine", "opa", "--format", fmt, "-o", str(out),
                     str(REFERENCE_SAMPLES / "sc004.yaml"))
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == ""
    text = out.read_text()
    assert "SC004" in text
    if fmt == "sarif":
        assert json.loads(text)["runs"][0]["results"][0]["ruleId"] == "SC004"


def test_check_codes_come_from_the_violation_record_and_the_catalogue():
    from types import SimpleNamespace

    from policygen.report.model import check_of

    assert check_of(SimpleNamespace(rule="SC004", check="capability-added")) == "SC004/capability-added"
    assert check_of(SimpleNamespace(rule="SC004", check="SC004/capability-added")) == "SC004/capability-added"
    # Not in the catalogue: never shown as if it were a code a reader could look up.
    assert check_of(SimpleNamespace(rule="SC004", check="made-up")) == ""
    assert check_of(SimpleNamespace(rule="SC004", message="SC004/capability-added ...")) == ""


# The JSON report is written record by record (report/json_format.py); it must stay byte for byte the array
# json.dumps would give, whatever the names hold: line breaks, quotes, lone surrogates, separators.
_HOSTILE_TEXT = st.text(alphabet=st.characters(blacklist_categories=()), max_size=40)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(st.tuples(_HOSTILE_TEXT, _HOSTILE_TEXT, st.booleans()), max_size=6))
def test_the_streamed_json_report_is_the_whole_array(reference_plan, names):
    from policygen.verdicts import Verdict, Violation

    verdicts = [
        Verdict(f"f{i}.yaml", i, "Pod", ns, name, "opa",
                [Violation("SC001", f"SC001/image-not-approved {name}\n{ns}", "image-not-approved")] if denied else [],
                ["SC012"], document=i + 1, line=3 * i + 1, object=f"Pod {ns}/{name}")
        for i, (ns, name, denied) in enumerate(names)
    ]
    run = EvalRun.of(reference_plan, "opa", verdicts)
    assert render("json", run) == json.dumps([v.to_json() for v in verdicts], indent=2) + "\n"
    assert json.loads(render("json", run)) == [v.to_json() for v in verdicts]


def test_a_report_cut_short_leaves_no_file(tmp_path, reference_plan):
    from policygen import cli

    target = tmp_path / "report.json"

    def broken(out):
        out.write("[\n  {")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        cli._write_output(broken, str(target))
    assert list(tmp_path.iterdir()) == []


def test_a_policyreport_names_a_resource_as_kubectl_reads_it(tmp_path):
    # A red team (2026-12-05): a pod named y in namespace n was reported as `name: y`, `namespace: n`, which
    # kubectl (go-yaml v2) reads as true and false, so `kubectl apply` of the report refused it.
    from policygen.kubeyaml import load_yaml_chunk, split_documents

    require_tool("opa")
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "y", "namespace": "n"},
           "spec": {"containers": [{"name": "on", "image": "busybox"}]}}
    path = tmp_path / "pod.json"
    path.write_text(json.dumps(pod))
    proc = policygen("eval", "--spec", str(REFERENCE_SPEC), "--engine", "opa", "--format", "policyreport",
                     "--fail-on", "never", str(path))
    assert proc.returncode == 0, proc.stderr
    docs = [load_yaml_chunk(proc.stdout[chunk.start:chunk.end]).value for chunk in split_documents(proc.stdout)]
    report = next(d for d in docs if d["kind"] == "PolicyReport")
    assert report["metadata"]["namespace"] == "n"
    assert [(s["name"], s["namespace"]) for r in report["results"] for s in r["resources"]] == [("y", "n")] * len(report["results"])
