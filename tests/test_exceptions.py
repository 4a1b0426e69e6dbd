"""Exceptions and per-rule enforcement, proven in the real engines.

specs/exceptions.yaml holds four exceptions and two staged rules (SC007 warn,
SC008 audit); samples/exceptions/exceptions.yaml holds what they exempt, the
look-alikes they must not, and the staged rules' violations. Every engine is
run twice: as policygen eval runs it (exceptions applied by eval, each
exemption recorded), and as users run the generated dist/ with the engine's
own tool (conftest test, opa eval of data.main, gator test), where the
exceptions and enforcement are rendered natively. Both must say the same.
"""

from __future__ import annotations

import datetime
import json
import shutil
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

import policygen as pg
from policygen import exceptions as exc_mod
from policygen.backends.cel import STATUS_CONDITION, UPDATE_CONDITION
from policygen.errors import SpecError
from policygen.output import write_tree
from policygen.pipeline import render_all
from policygen.report import EvalRun
from policygen.spec import parse_spec

from .cli_support import policygen
from .conftest import ROOT, require_tool, run_tool

SPEC = ROOT / "specs" / "exceptions.yaml"
SAMPLES = ROOT / "samples" / "exceptions"
TODAY = datetime.date(2026, 12, 3)
AFTER_EVERY_EXPIRY = datetime.date(2100, 1, 1)
ENGINES = ("opa", "conftest", "gator")


@pytest.fixture(scope="module")
def plan():
    return pg.build_plan(pg.load_spec(SPEC), today=TODAY)


@pytest.fixture(scope="module")
def samples():
    return pg.load_samples([SAMPLES])


@pytest.fixture(scope="module")
def evaluated(plan, samples):
    """eval's verdicts per engine."""
    out = {}
    for engine in ENGINES:
        require_tool(engine)
        out[engine] = pg.evaluate(plan, engine, samples)
    return out


@pytest.fixture(scope="module")
def dist(plan, tmp_path_factory):
    out = tmp_path_factory.mktemp("exceptions") / "dist"
    write_tree(render_all(plan), out)
    return out


def _spec_with(**spec_fields):
    doc = yaml.safe_load(SPEC.read_text())
    doc["spec"].update(spec_fields)
    return doc


def _expect(res):
    return res.expect.describe()


# --- eval, every engine -------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_eval_verdicts_hold_the_labels(engine, evaluated, samples):
    for res, verdict in zip(samples.resources, evaluated[engine], strict=True):
        got = "allow" if verdict.allowed else "deny " + " ".join(sorted(verdict.rules))
        assert got == _expect(res), (res.label, res.display, [v.message for v in verdict.violations])


@pytest.mark.parametrize("engine", ENGINES)
def test_excepted_namespace_is_allowed_only_for_its_rule(engine, evaluated, samples):
    by_name = {(r.namespace, r.name): v for r, v in zip(samples.resources, evaluated[engine], strict=True)
               if not r.from_admission_review}
    exempt = by_name[("legacy", "web")]
    assert exempt.allowed and {e.rule for e in exempt.exempted} == {"SC004"}
    assert {e.exception for e in exempt.exempted} == {"legacy-proxy-root"}
    assert all(e.reason.startswith("The legacy namespace") and e.expires == "2099-12-31" for e in exempt.exempted)
    # Same namespace, another rule violated too: SC001 still denies, SC004 is recorded as exempt.
    evil = by_name[("legacy", "web-evil")]
    assert evil.rules == {"SC001"} and {e.rule for e in evil.exempted} == {"SC004"}
    # The look-alike in another mesh namespace: denied, nothing exempt.
    look_alike = by_name[("payments", "web")]
    assert not any(v.exempted for v in [look_alike])


@pytest.mark.parametrize("engine", ENGINES)
def test_exempted_records_are_in_the_json_and_not_denials(engine, plan, evaluated, samples):
    run = EvalRun.of(plan, engine, evaluated[engine], samples.resources)
    records = [v.to_json() for v in evaluated[engine]]
    exempted = [r for r in records if r.get("exempted")]
    assert {e["exception"] for r in exempted for e in r["exempted"]} == {
        "legacy-proxy-root", "payments-batch-runner", "storefront-canary", "legacy-webhook-admin"}
    assert all(e["message"].startswith(f"{e['rule']}/{e['check']} ") for r in exempted for e in r["exempted"])
    assert run.counts()["deny"] == sum(1 for r in samples.resources if not r.expect.allowed
                                       and r.expect.rules - {"SC007", "SC008"})
    assert run.counts()["warn"] == 2


def test_eval_warns_for_staged_rules_and_exits_per_fail_on(tmp_path):
    require_tool("opa")
    docs = [d for d in yaml.safe_load_all((SAMPLES / "exceptions.yaml").read_text())
            if d and d.get("metadata", {}).get("name") in ("web-nolimits", "web-annotated", "canary-1")]
    assert len(docs) == 3
    path = tmp_path / "staged.yaml"
    path.write_text(yaml.safe_dump_all(docs))
    args = ("eval", "--spec", str(SPEC), "--engine", "opa", "--format", "text", str(path))
    for fail_on, status in (("deny", 0), ("warn", 1), ("never", 0)):
        proc = policygen(*args, "--fail-on", fail_on)
        assert proc.returncode == status, (fail_on, proc.stdout, proc.stderr)
    assert "WARN SC007/" in proc.stdout and "WARN SC008/" in proc.stdout
    assert "0 denied, 2 warned, 1 allowed" in proc.stdout


# --- the engines' own tools on the generated dist/ ------------------------------------------------


def _expected_native(plan, res, verdict):
    """(deny rules, warn rules, audit rules) a native engine must report: eval's verdict minus exemptions, split by action."""
    out = {"deny": set(), "warn": set(), "audit": set()}
    for v in verdict.violations:
        out[plan.action(v.rule)].add(v.rule)
    return out


def test_conftest_renders_exceptions_and_enforcement(plan, dist, samples, evaluated, tmp_path):
    require_tool("conftest")
    files = []
    for i, res in enumerate(samples.resources):
        path = tmp_path / f"r{i:03d}.json"
        path.write_text(json.dumps(res.source))
        files.append(str(path))
    proc = run_tool("conftest", "test", "--no-color", "--output", "json", "--policy", str(dist / "rego"), *files)
    assert proc.returncode in (0, 1), proc.stderr
    report = {Path(e["filename"]).name: e for e in json.loads(proc.stdout)}
    for i, (res, verdict) in enumerate(zip(samples.resources, evaluated["opa"], strict=True)):
        entry = report[f"r{i:03d}.json"]
        want = _expected_native(plan, res, verdict)
        failures = {f["metadata"]["rule"] for f in entry.get("failures") or []}
        warnings = {w["metadata"]["rule"] for w in entry.get("warnings") or []}
        assert failures == want["deny"], (res.display, entry)
        assert warnings == want["warn"] | want["audit"], (res.display, entry)


def test_opa_entry_points_render_exceptions(plan, dist, samples, evaluated, tmp_path):
    require_tool("opa")
    items = tmp_path / "items.json"
    items.write_text(json.dumps({"items": [r.source for r in samples.resources]}))
    # No aggregate deny or warn (conftest would report each violation twice): the per-rule deny_<rule>/warn_<rule>.
    query = ("[{\"deny\": d, \"warn\": w, \"exempted\": x} | some item in input.items; "
             "d := [f | some name, found in data.main with input as item; startswith(name, \"deny_\"); some f in found]; "
             "w := [f | some name, found in data.main with input as item; startswith(name, \"warn_\"); some f in found]; "
             "x := data.main.exempted with input as item]")
    proc = run_tool("opa", "eval", "--format", "json", "-d", str(dist / "rego"), "-i", str(items), query)
    assert proc.returncode == 0, proc.stderr
    answers = json.loads(proc.stdout)["result"][0]["expressions"][0]["value"]
    for res, verdict, answer in zip(samples.resources, evaluated["opa"], answers, strict=True):
        want = _expected_native(plan, res, verdict)
        assert {f["rule"] for f in answer["deny"]} == want["deny"], res.display
        assert {f["rule"] for f in answer["warn"]} == want["warn"] | want["audit"], res.display
        assert {(f["rule"], f["exception"]) for f in answer["exempted"]} == {(e.rule, e.exception) for e in verdict.exempted}


def test_gator_renders_match_exclusions_parameters_and_actions(plan, dist, samples, evaluated, tmp_path):
    require_tool("gator")
    plain = [(r, v) for r, v in zip(samples.resources, evaluated["gator"], strict=True) if not r.from_admission_review]
    inputs = tmp_path / "resources.yaml"
    inputs.write_text(yaml.safe_dump_all([r.source for r, _ in plain]))
    argv = ["test", "--output=json", "--filename", str(inputs)]
    for folder in sorted(p.parent for p in (dist / "gatekeeper").glob("*/template.yaml")):
        argv += ["--filename", str(folder / "template.yaml"), "--filename", str(folder / "constraint.yaml")]
    proc = run_tool("gator", *argv)
    # gator exits 1 when a deny constraint is violated; its JSON report is a list either way.
    assert proc.returncode == 1 and "error" not in proc.stderr.lower(), proc.stderr
    found: dict[tuple[str, str, str], dict[str, set]] = defaultdict(lambda: defaultdict(set))
    for result in json.loads(proc.stdout):
        obj = result["violatingObject"]
        key = (obj["kind"], obj["metadata"].get("namespace", ""), obj["metadata"]["name"])
        found[key][result["enforcementAction"]].add(result["metadata"]["details"]["rule"])
    gk = {"deny": "deny", "warn": "warn", "audit": "dryrun"}
    for res, verdict in plain:
        want = _expected_native(plan, res, verdict)
        key = (res.kind, res.object["metadata"].get("namespace", ""), res.name)
        got = found.get(key, {})
        for action, rules in want.items():
            assert got.get(gk[action], set()) == rules, (res.display, action, dict(got))
    # The native forms are the ones the brief names: excludedNamespaces, parameters, per-rule actions.
    sc004 = yaml.safe_load((dist / "gatekeeper" / "sc004-sidecar-security-context" / "constraint.yaml").read_text())
    assert "legacy" in sc004["spec"]["match"]["excludedNamespaces"]
    assert [e["names"] for e in sc004["spec"]["parameters"]["exceptions"]] == [["batch-runner"]]
    actions = {p.parent.name.split("-")[0]: yaml.safe_load(p.read_text())["spec"]["enforcementAction"]
               for p in (dist / "gatekeeper").glob("*/constraint.yaml")}
    assert actions["sc007"] == "warn" and actions["sc008"] == "dryrun" and actions["sc004"] == "deny"


# --- expiry: fail closed -------------------------------------------------------------------------


def test_expired_exceptions_exempt_nothing_anywhere(samples):
    expired = pg.build_plan(pg.load_spec(SPEC), today=AFTER_EVERY_EXPIRY)
    assert expired.exceptions == () and len(expired.expired_exceptions) == 4
    files = render_all(expired)
    rendered = "".join(files.values())
    assert "exception_list" not in rendered and "legacy-proxy-root" not in rendered
    sc004 = yaml.safe_load(next(t for p, t in files.items() if str(p) == "gatekeeper/sc004-sidecar-security-context/constraint.yaml"))
    assert "legacy" not in sc004["spec"]["match"]["excludedNamespaces"]
    for engine in ("opa", "gator"):
        require_tool(engine)
        for res, verdict in zip(samples.resources, pg.evaluate(expired, engine, samples), strict=True):
            assert not verdict.exempted
            if res.name in ("web", "batch-runner", "canary-1") and res.namespace in ("legacy", "payments", "storefront") \
                    and not (res.namespace == "payments" and res.name == "web"):
                assert not verdict.allowed, (engine, res.display)
            if res.name == "legacy:webhook-admin" and res.kind == "ClusterRole":
                assert verdict.rules == {"CP005"}, engine


def test_generate_check_fails_loudly_on_an_expired_exception(tmp_path):
    out = tmp_path / "dist"
    proc = policygen("generate", str(SPEC), "-o", str(out), env={"POLICYGEN_TODAY": "2026-12-03"})
    assert proc.returncode == 0, proc.stderr
    ok = policygen("generate", str(SPEC), "-o", str(out), "--check", env={"POLICYGEN_TODAY": "2026-12-03"})
    assert ok.returncode == 0 and "up to date" in ok.stdout, ok.stderr
    late = policygen("generate", str(SPEC), "-o", str(out), "--check", env={"POLICYGEN_TODAY": "2099-07-01"})
    assert late.returncode == 1
    assert (f"{SPEC}: spec.exceptions 'payments-batch-runner' expired on 2099-06-30 (today is 2099-07-01)"
            in late.stderr), late.stderr
    assert "'storefront-canary' expired on 2099-03-31" in late.stderr


def test_expired_exception_fails_check_even_when_dist_is_up_to_date(tmp_path):
    out = tmp_path / "dist"
    env = {"POLICYGEN_TODAY": "2099-07-01"}
    assert policygen("generate", str(SPEC), "-o", str(out), env=env).returncode == 0
    proc = policygen("generate", str(SPEC), "-o", str(out), "--check", env=env)
    assert proc.returncode == 1 and "up to date" not in proc.stdout
    assert "policygen: error:" in proc.stderr and "'payments-batch-runner' expired on 2099-06-30" in proc.stderr


def test_exception_expiring_within_14_days_is_a_warning(tmp_path):
    out = tmp_path / "dist"
    env = {"POLICYGEN_TODAY": "2099-03-17"}
    assert policygen("generate", str(SPEC), "-o", str(out), env=env).returncode == 0
    proc = policygen("generate", str(SPEC), "-o", str(out), "--check", env=env)
    assert proc.returncode == 0, proc.stderr
    assert "warning: " in proc.stderr and "'storefront-canary' expires on 2099-03-31 (in 14 day(s))" in proc.stderr
    calm = policygen("generate", str(SPEC), "-o", str(out), "--check", env={"POLICYGEN_TODAY": "2099-03-16"})
    assert "storefront-canary" not in calm.stderr


def test_exception_is_in_force_through_its_expiry_day(plan):
    policy = pg.load_spec(SPEC)
    on_the_day = pg.build_plan(policy, today=datetime.date(2099, 3, 31))
    day_after = pg.build_plan(policy, today=datetime.date(2099, 4, 1))
    assert "storefront-canary" in {e.name for e in on_the_day.exceptions}
    assert "storefront-canary" in {e.name for e in day_after.expired_exceptions}


def test_today_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("POLICYGEN_TODAY", "2099-07-01")
    assert pg.build_plan(pg.load_spec(SPEC)).today == datetime.date(2099, 7, 1)
    monkeypatch.setenv("POLICYGEN_TODAY", "tomorrow")
    with pytest.raises(pg.PolicygenError, match="POLICYGEN_TODAY"):
        pg.build_plan(pg.load_spec(SPEC))


# --- the spec: strict, every mistake named ---------------------------------------------------------


def _errors(doc) -> list[str]:
    with pytest.raises(SpecError) as info:
        parse_spec(doc, "x.yaml")
    return str(info.value).splitlines()


def _one(**fields):
    base = {"name": "e", "objects": {"namespaces": ["legacy"]}, "rules": ["SC004"], "reason": "why", "expires": "2099-01-01"}
    return _spec_with(exceptions=[base | fields])


@pytest.mark.parametrize("fields,where,words", [
    ({"rules": []}, "spec.exceptions[0].rules", "at least 1"),
    ({"rules": ["SC999"]}, "spec.exceptions[0].rules[0]", "is not a rule ID"),
    ({"rules": ["SC005"]}, "spec.exceptions[0].rules[0]", "not a rule this spec turns on"),
    ({"reason": "  "}, "spec.exceptions[0]", "reason is blank"),
    ({"reason": "a\nb"}, "spec.exceptions[0]", "control characters"),
    ({"expires": "31/12/2099"}, "spec.exceptions[0].expires", "not an ISO date"),
    ({"expires": "2099-02-30"}, "spec.exceptions[0].expires", "not a calendar date"),
    ({"expires": datetime.datetime(2099, 1, 1, 12)}, "spec.exceptions[0].expires", "timestamp"),
    ({"objects": {"namespaces": ["legacy*"]}}, "spec.exceptions[0].objects.namespaces[0]", "pattern"),
    ({"objects": {"namespaces": ["legacy"], "names": ["web-*"]}}, "spec.exceptions[0].objects.names[0]", "wildcard"),
    ({"objects": {"namespaces": ["legacy"], "kinds": ["Secret"]}}, "spec.exceptions[0].objects.kinds[0]", "not a kind any rule reads"),
    ({"objects": {"namespaces": ["legacy"], "kinds": ["ConfigMap"]}}, "spec.exceptions[0].objects.kinds[0]", "reads ConfigMap"),
    ({"objects": {"labelSelector": {"matchLabels": {"app": "x"}}}}, "spec.exceptions[0].objects", "labels and kinds alone"),
    ({"objects": {"names": ["web"]}}, "spec.exceptions[0].objects", "only cluster-scoped kinds"),
    ({"objects": {"namespaces": ["legacy"], "labelSelector": {"matchLabels": {"app": "a b"}}}},
     "spec.exceptions[0].objects.labelSelector.matchLabels.app", "not a Kubernetes label value"),
    ({"objects": {"namespaces": ["legacy"], "labelSelector": {"matchExpressions": []}}},
     "spec.exceptions[0].objects.labelSelector.matchExpressions", "unknown field"),
    ({"objects": {"namespaces": ["legacy"], "labelSelector": {"matchLabels": {}}}},
     "spec.exceptions[0].objects.labelSelector.matchLabels", "at least 1"),
    ({"name": "Not_A_Name"}, "spec.exceptions[0].name", "pattern"),
    ({"reason": None}, "spec.exceptions[0].reason", "string"),
])
def test_bad_exception_names_the_field(fields, where, words):
    lines = _errors(_one(**fields))
    assert any(line.startswith(f"x.yaml: {where}: ") and words in line for line in lines), lines


def test_missing_reason_and_expiry_are_named():
    base = {"name": "e", "objects": {"namespaces": ["legacy"]}, "rules": ["SC004"]}
    lines = _errors(_spec_with(exceptions=[base]))
    assert "x.yaml: spec.exceptions[0].reason: required field is missing" in lines
    assert "x.yaml: spec.exceptions[0].expires: required field is missing" in lines


def test_duplicate_exception_names_are_refused():
    doc = _spec_with(exceptions=[_one()["spec"]["exceptions"][0]] * 2)
    assert any("exception name 'e' is listed twice" in line for line in _errors(doc))


@pytest.mark.parametrize("enforcement,where,words", [
    ({"SC004": "block"}, "spec.enforcement.SC004", "'deny', 'warn' or 'audit'"),
    ({"SC099": "warn"}, "spec.enforcement.SC099", "not a rule ID"),
    ({"SC005": "warn"}, "spec.enforcement.SC005", "not a rule this spec turns on"),
])
def test_bad_enforcement_names_the_field(enforcement, where, words):
    lines = _errors(_spec_with(enforcement=enforcement))
    assert any(line.startswith(f"x.yaml: {where}") and words in line for line in lines), lines


def test_cluster_scoped_names_may_be_rbac_path_segments():
    doc = _spec_with(exceptions=[{"name": "e", "objects": {"kinds": ["ClusterRole"], "names": ["system:x"]},
                                  "rules": ["CP005"], "reason": "why", "expires": "2099-01-01"}])
    assert parse_spec(doc, "x.yaml").spec.exceptions[0].objects.names == ["system:x"]


def test_schema_describes_exceptions_and_enforcement():
    from policygen.schema import spec_json_schema

    text = json.dumps(spec_json_schema())
    for word in ("ExceptionEntry", "ExceptionObjects", "labelSelector", "expires", "enforcement", "audit"):
        assert word in text, word


# --- the plan: what other backends render -----------------------------------------------------


def test_plan_exposes_exceptions_per_rule_for_kyverno_and_vap(plan):
    sc010 = exc_mod.for_rule(plan, "SC010")
    assert [e["name"] for e in sc010] == ["payments-batch-runner", "storefront-canary"]
    assert sc010[0]["kinds"] == ["Deployment"] and sc010[0]["names"] == ["batch-runner"]
    assert sc010[1]["kinds"] == sorted(pg.plan.POD_KINDS) and sc010[1]["labels"] == {"app": "canary", "track": "canary"}
    assert exc_mod.for_rule(plan, "CP005")[0]["kinds"] == ["ClusterRole"]
    assert exc_mod.for_rule(plan, "SC001") == []
    assert plan.action("SC007") == "warn" and plan.action("SC008") == "audit" and plan.action("SC004") == "deny"


def test_python_matcher_reads_objects_as_the_rego_does():
    objects = pg.plan.ObjectMatch(namespaces=("legacy",))
    pod = {"kind": "Pod", "metadata": {"name": "x"}}
    assert not exc_mod.matches(objects, {"operation": "CREATE", "object": pod, "namespace": ""})  # default, not legacy
    assert exc_mod.matches(objects, {"operation": "CREATE", "object": pod, "namespace": "legacy"})
    moved = {"kind": "Pod", "metadata": {"name": "x", "namespace": "payments"}}
    assert not exc_mod.matches(objects, {"operation": "CREATE", "object": moved, "namespace": "legacy"})
    ns = {"kind": "Namespace", "metadata": {"name": "legacy"}}
    assert exc_mod.matches(objects, {"operation": "CREATE", "object": ns, "namespace": ""})
    cr = {"kind": "ClusterRole", "metadata": {"name": "legacy"}}
    assert not exc_mod.matches(objects, {"operation": "CREATE", "object": cr, "namespace": "legacy"})
    labelled = pg.plan.ObjectMatch(namespaces=("legacy",), labels=(("app", "a"),))
    bad_labels = {"kind": "Pod", "metadata": {"name": "x", "namespace": "legacy", "labels": ["app", "a"]}}
    assert not exc_mod.matches(labelled, {"operation": "CREATE", "object": bad_labels})


def test_reference_spec_output_is_unchanged_by_the_new_sections(reference_plan):
    assert reference_plan.exceptions == () and reference_plan.enforcement == {}
    main = render_all(reference_plan)
    text = next(t for p, t in main.items() if str(p) == "rego/main.rego")
    assert "exempted_rules" not in text and "exception_list" not in text
    assert "deny_sc004 contains found if {\n\tsome found in policygen.sc004.violations\n}" in text


# --- the generated Rego and Gatekeeper files are held to the same bar as the reference's ---------


def test_generated_rego_is_formatted_strict_linted_and_its_fixtures_pass(dist):
    rego = dist / "rego"
    for args in (("fmt", "--diff", str(rego)), ("check", "--strict", str(rego)), ("test", str(rego))):
        proc = run_tool("opa", *args)
        assert proc.returncode == 0 and (args[0] != "fmt" or not proc.stdout.strip()), (args, proc.stdout, proc.stderr)
    lint = run_tool("regal", "lint", "--config-file", str(rego / ".regal" / "config.yaml"), str(rego))
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_gator_suites_pass_with_exceptions_in_the_constraints(dist):
    proc = run_tool("gator", "verify", str(dist / "gatekeeper") + "/...")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]


def test_conftest_exception_rules_apply_to_per_rule_deny_rules(dist, samples, tmp_path):
    """conftest's own exception form: the generated deny_<rule> rules, and one a user adds (either case), are excepted."""
    require_tool("conftest")
    policy = tmp_path / "policy"
    shutil.copytree(dist / "rego", policy)
    (policy / "per_rule.rego").write_text(
        "package main\n\n"
        "deny_sc004 contains found if {\n\tsome found in violations\n\tfound.rule == \"SC004\"\n}\n\n"
        "deny_SC010 contains found if {\n\tsome found in violations\n\tfound.rule == \"SC010\"\n}\n"
    )
    picked = {(r.namespace, r.name): r for r in samples.resources if not r.from_admission_review}
    files = {}
    for key in (("legacy", "web"), ("payments", "web"), ("storefront", "canary-1"), ("storefront", "canary-2")):
        path = tmp_path / f"{key[0]}-{key[1]}.json"
        path.write_text(json.dumps(picked[key].source))
        files[key] = path
    proc = run_tool("conftest", "test", "--no-color", "--output", "json", "--policy", str(policy), *map(str, files.values()))
    assert proc.returncode in (0, 1), proc.stderr
    report = {Path(e["filename"]).stem: e for e in json.loads(proc.stdout)}

    def excepted(key):
        return [x["msg"] for x in report[f"{key[0]}-{key[1]}"].get("exceptions") or []]

    def failed(key):
        return {f["metadata"]["rule"] for f in report[f"{key[0]}-{key[1]}"].get("failures") or []}

    assert any('"sc004"' in m for m in excepted(("legacy", "web"))) and failed(("legacy", "web")) == set()
    assert excepted(("payments", "web")) == [] and failed(("payments", "web")) == {"SC004"}
    assert any('"sc010"' in m.lower() for m in excepted(("storefront", "canary-1"))) and failed(("storefront", "canary-1")) == set()
    assert excepted(("storefront", "canary-2")) == [] and failed(("storefront", "canary-2")) == {"SC010"}


def test_sarif_records_exemptions_as_suppressed_results(plan, evaluated, samples):
    import jsonschema

    from policygen.report import render

    from .cli_support import SCHEMAS

    log = json.loads(render("sarif", EvalRun.of(plan, "opa", evaluated["opa"], samples.resources)))
    schema = json.loads((SCHEMAS / "sarif-2.1.0.json").read_text())
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    assert not [e.message for e in validator.iter_errors(log)]
    suppressed = [r for r in log["runs"][0]["results"] if r.get("suppressions")]
    assert {r["properties"]["exception"] for r in suppressed} == {
        "legacy-proxy-root", "payments-batch-runner", "storefront-canary", "legacy-webhook-admin"}
    assert all(r["suppressions"][0]["kind"] == "external" and "until 2099-" in r["suppressions"][0]["justification"]
               for r in suppressed)


# --- Kyverno's PolicyException and the ValidatingAdmissionPolicies' matchConditions ---------------


@pytest.mark.parametrize("engine", ["vap", "kyverno"])
def test_cel_engines_render_exceptions_natively(engine, plan, dist, samples, evaluated):
    """The CEL backends' own exception forms, run by their engines on the generated dist/: what eval exempts, they
    let through, and what eval still denies (or warns or audits), they report. Kyverno gets the PolicyExceptions of
    dist/kyverno/exceptions/ (`kyverno apply --exception`), the VAPs their matchConditions."""
    from policygen.engines import get_engine

    require_tool("celcheck" if engine == "vap" else "kyverno")
    native = get_engine(engine).evaluate(dist, plan, samples)
    exempted = 0
    for res, want, got in zip(samples.resources, evaluated["opa"], native, strict=True):
        skip = set(got.not_evaluated)
        assert got.rules - skip == want.rules - skip, (res.display, sorted(got.rules), [v.message for v in got.violations])
        exempted += bool(want.exempted)
    assert exempted >= 4  # the samples exercise every exception


def test_cel_exception_conditions_are_negated_per_rule_and_name_every_criterion(plan, dist):
    sc004 = list(yaml.safe_load_all((dist / "vap" / "sc004-sidecar-security-context.yaml").read_text()))
    conditions = {c["name"]: c["expression"] for c in sc004[0]["spec"]["matchConditions"]
                  if c not in (STATUS_CONDITION, UPDATE_CONDITION)}
    assert set(conditions) == {"legacy-proxy-root", "payments-batch-runner"}
    assert all(e.startswith("!(") for e in conditions.values())
    assert '"batch-runner"' in conditions["payments-batch-runner"] and '"Deployment"' in conditions["payments-batch-runner"]
    actions = {p.stem.split("-")[0]: list(yaml.safe_load_all(p.read_text()))[1]["spec"]["validationActions"]
               for p in (dist / "vap").glob("*.yaml") if p.name != "kustomization.yaml"}
    assert actions["sc007"] == ["Warn"] and actions["sc008"] == ["Audit"] and actions["sc004"] == ["Deny"]
    canary = yaml.safe_load((dist / "kyverno" / "exceptions" / "storefront-canary.yaml").read_text())
    assert canary["kind"] == "PolicyException" and canary["spec"]["policyRefs"] == [
        {"name": "sc010-app-container-identity", "kind": "ValidatingPolicy"}]
    assert '[?"track"].orValue("") == "canary"' in canary["spec"]["matchConditions"][0]["expression"]
    kyverno_actions = {p.parent.name.split("-")[0]: yaml.safe_load(p.read_text())["spec"]["validationActions"]
                       for p in (dist / "kyverno").glob("*/*.yaml") if p.parent.name != "exceptions"}
    assert kyverno_actions["sc007"] == ["Warn"] and kyverno_actions["sc008"] == ["Audit"]


def test_junit_github_and_policyreport_show_exemptions_without_failing(plan, evaluated, samples):
    """Every report format shows what an exception let through (name, expiry, reason), never as a failure."""
    import xml.etree.ElementTree as ET

    import jsonschema
    import xmlschema

    from policygen.report import render

    from .cli_support import SCHEMAS
    from .test_cli_formats import closed_schema, crd_schema

    run = EvalRun.of(plan, "opa", evaluated["opa"], samples.resources)
    names = {"legacy-proxy-root", "payments-batch-runner", "storefront-canary", "legacy-webhook-admin"}

    junit = render("junit", run)
    xmlschema.XMLSchema(str(SCHEMAS / "junit-10.xsd")).validate(junit)
    cases = ET.fromstring(junit).iter("testcase")
    exempt_out = [c.findtext("system-out") or "" for c in cases if "EXEMPT (" in (c.findtext("system-out") or "")]
    assert {n for n in names if any(f"EXEMPT ({n}, until 2099-" in o for o in exempt_out)} == names

    github = render("github", run).splitlines()
    notices = [line for line in github if line.startswith("::notice ") and " exempted::" in line]
    assert {n for n in names if any(f"exempted by {n} until" in line for line in notices)} == names

    docs = list(yaml.safe_load_all(render("policyreport", run)))
    schemas = {k: closed_schema(crd_schema(f"config/crds/policyreport/wgpolicyk8s.io_{k.lower()}s.yaml", "v1alpha2"))
               for k in ("PolicyReport", "ClusterPolicyReport")}
    for doc in docs:
        assert not list(jsonschema.Draft7Validator(schemas[doc["kind"]]).iter_errors(doc))
    skips = [r for d in docs for r in d["results"] if r["result"] == "skip"]
    assert {r["properties"]["exception"] for r in skips} == names
    assert sum(d["summary"]["skip"] for d in docs) == len(skips)
    # An exempted-only resource fails nothing in any format.
    legacy_web = next(v for r, v in zip(samples.resources, evaluated["opa"], strict=True)
                      if (r.namespace, r.name) == ("legacy", "web"))
    assert legacy_web.allowed and legacy_web.exempted


# --- found by a red team: native forms that departed from eval ------------------------------------


def _list_of(obj, **list_meta):
    return {"apiVersion": "v1", "kind": "List", "metadata": list_meta, "items": [obj]}


def test_conftest_judges_each_list_item_by_its_own_exceptions(dist, samples, tmp_path):
    """A List's own metadata exempts nothing (kubectl ignores it); each item is exempted by its own, in package main
    and in the per-rule packages alike."""
    require_tool("conftest")
    picked = {(r.namespace, r.name): r.source for r in samples.resources if not r.from_admission_review}
    files = {
        # A root proxy in payments, in a List that claims the legacy namespace: still SC004.
        "claims-legacy": _list_of(picked[("payments", "web")], namespace="legacy"),
        # The legacy pod the exception covers, in a List: exempted.
        "legacy-item": _list_of(picked[("legacy", "web")]),
    }
    for name, doc in files.items():
        (tmp_path / f"{name}.json").write_text(json.dumps(doc))

    def failed(name, *extra):
        proc = run_tool("conftest", "test", "--no-color", "--output", "json", "--policy", str(dist / "rego"), *extra,
                        str(tmp_path / f"{name}.json"))
        assert proc.returncode in (0, 1), proc.stderr
        return {f["metadata"]["rule"] for e in json.loads(proc.stdout) for f in e.get("failures") or []}

    assert failed("claims-legacy") == {"SC004"}
    assert failed("claims-legacy", "--namespace", "policygen.sc004") == {"SC004"}
    assert failed("legacy-item") == set()
    assert failed("legacy-item", "--namespace", "policygen.sc004") == set()
    assert "SC004" not in failed("legacy-item", "--all-namespaces")


def _spec_with_exceptions(exceptions):
    doc = yaml.safe_load(SPEC.read_text())
    doc["spec"]["exceptions"] = exceptions
    return parse_spec(doc, "exceptions.yaml")


def _exception(name, objects, rules):
    return {"name": name, "objects": objects, "rules": rules, "reason": "red-team case", "expires": "2099-01-01"}


@pytest.mark.parametrize("engine", ["vap", "kyverno"])
def test_cel_exception_for_an_empty_label_value_leaves_unlabelled_objects_judged(engine, samples, tmp_path):
    """An object without labels is not covered by {label: ""}, and reading its labels is no error (a VAP's
    failurePolicy: Fail would deny every such pod)."""
    from policygen.engines import get_engine
    from policygen.samples import SampleSet, load_text

    require_tool("celcheck" if engine == "vap" else "kyverno")
    spec = _spec_with_exceptions([_exception("empty-label", {"namespaces": ["payments"],
                                                             "labelSelector": {"matchLabels": {"legacy-mode": ""}}}, ["SC004"])])
    plan = pg.build_plan(spec, today=TODAY)
    unlabelled = []
    for res in samples.resources:
        if not res.from_admission_review and res.namespace == "payments" and res.kind == "Pod":
            obj = json.loads(json.dumps(res.source))
            obj["metadata"].pop("labels", None)
            unlabelled.append(obj)
    chosen = SampleSet(load_text(yaml.safe_dump_all(unlabelled), "unlabelled.yaml"))
    write_tree(render_all(plan), tmp_path / "dist")
    native = get_engine(engine).evaluate(tmp_path / "dist", plan, chosen)
    want = pg.evaluate(plan, "opa", chosen)
    assert len(native) >= 2 and [v.rules for v in native] == [v.rules for v in want]
    assert all("ENGINE" not in v.rules for v in native)


def test_more_exceptions_than_match_conditions_allow_are_one_condition(samples, tmp_path):
    """The API server takes at most 64 matchConditions; 70 exceptions of one rule become one condition, which the
    API server's own CEL compiles and applies as eval does."""
    from policygen.engines import get_engine

    require_tool("celcheck")
    many = [_exception(f"team-{i}", {"namespaces": [f"team-{i}"]}, ["SC004"]) for i in range(69)]
    many.append(_exception("legacy", {"namespaces": ["legacy"]}, ["SC004"]))
    plan = pg.build_plan(_spec_with_exceptions(many), today=TODAY)
    files = render_all(plan)
    policy = next(yaml.safe_load_all(next(c for p, c in files.items() if str(p) == "vap/sc004-sidecar-security-context.yaml")))
    conditions = [c for c in policy["spec"]["matchConditions"] if c not in (STATUS_CONDITION, UPDATE_CONDITION)]
    assert len(conditions) == 1 and conditions[0]["name"] == "exceptions" and conditions[0]["expression"].count("||") == 69
    write_tree(files, tmp_path / "dist")
    native = get_engine("vap").evaluate(tmp_path / "dist", plan, samples)
    want = pg.evaluate(plan, "opa", samples)
    assert [v.rules for v in native] == [v.rules for v in want]
    assert any(v.exempted for v in want)


def test_a_namespace_exception_never_excludes_cluster_scoped_objects_in_gator(tmp_path):
    """A namespace written into a webhook configuration or a ClusterRole (which the API server clears) does not
    make gator's constraint match skip it."""
    require_tool("gator")
    reference = yaml.safe_load((ROOT / "specs" / "reference.yaml").read_text())
    reference["spec"]["exceptions"] = [_exception("legacy-ns", {"namespaces": ["legacy"]}, ["SC004", "CP001", "CP005"])]
    plan = pg.build_plan(parse_spec(reference, "reference.yaml"), today=TODAY)
    out = tmp_path / "dist"
    write_tree(render_all(plan), out)
    for folder in ("cp001-injector-webhook", "cp005-webhook-rbac"):
        constraint = yaml.safe_load((out / "gatekeeper" / folder / "constraint.yaml").read_text())
        assert "legacy" not in constraint["spec"].get("match", {}).get("excludedNamespaces", [])
    sc004 = yaml.safe_load((out / "gatekeeper" / "sc004-sidecar-security-context" / "constraint.yaml").read_text())
    assert "legacy" in sc004["spec"]["match"]["excludedNamespaces"]
    webhook = {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "MutatingWebhookConfiguration",
               "metadata": {"name": "shadow", "namespace": "legacy"},
               "webhooks": [{"name": "m.example", "clientConfig": {"url": "https://evil.example/m"}, "sideEffects": "None",
                             "admissionReviewVersions": ["v1"], "rules": [{"operations": ["CREATE"], "apiGroups": [""],
                                                                             "apiVersions": ["v1"], "resources": ["pods"]}]}]}
    role = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "writer", "namespace": "legacy"},
            "rules": [{"apiGroups": ["admissionregistration.k8s.io"], "resources": ["mutatingwebhookconfigurations"], "verbs": ["create"]}]}
    objects = tmp_path / "objects.yaml"
    objects.write_text(yaml.safe_dump_all([webhook, role]))
    proc = run_tool("gator", "test", "--output=json", "--filename", str(out / "gatekeeper" / "cp001-injector-webhook"),
                    "--filename", str(out / "gatekeeper" / "cp005-webhook-rbac"), "--filename", str(objects))
    said = {r["violatingObject"]["kind"] for r in json.loads(proc.stdout or "[]")}
    assert said == {"MutatingWebhookConfiguration", "ClusterRole"}, proc.stdout[-2000:]
    from policygen.samples import SampleSet, load_text
    verdicts = pg.evaluate(plan, "gator", SampleSet(load_text(objects.read_text(), "objects.yaml")))
    assert [sorted(v.rules) for v in verdicts] == [["CP001"], ["CP005"]]


def test_for_rule_leaves_out_exceptions_of_kinds_the_rule_never_reads():
    spec = _spec_with_exceptions([_exception("legacy-ns", {"kinds": ["Namespace"], "names": ["legacy"]}, ["CP004", "SC004"])])
    plan = pg.build_plan(spec, today=TODAY)
    assert exc_mod.for_rule(plan, "SC004") == []
    assert [e["kinds"] for e in exc_mod.for_rule(plan, "CP004")] == [["Namespace"]]
