"""The README's commands for the engines' own tools, run as written on a generated dist/.

Every command of the README's first shell block under "The engines' own tools
on dist/" is run in order, in a folder holding dist/reference, pod.yaml (a mesh
pod whose proxy breaks SC001 and SC004), the README's exceptions/main.rego and
an inventory.json; a command this file has no check for fails the test, so the
README cannot show one that is not run.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import re
import shlex
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

from policygen.backends.rego import UNSUPPORTED
from policygen.fixtures import baseline_pod
from policygen.output import write_tree
from policygen.pipeline import render_all

from .cli_support import SCHEMAS
from .conftest import ROOT, require_tool

SECTION = "### The engines' own tools on dist/"
TOOLS = ("opa", "conftest", "gator")


def _readme_blocks() -> tuple[list[str], str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index(SECTION):]
    section = section[: section.index("\n## ")]
    blocks = re.findall(r"^```(\w+)\n(.*?)^```$", section, re.MULTILINE | re.DOTALL)
    shell = next(body for lang, body in blocks if lang == "sh")
    rego = next(body for lang, body in blocks if lang == "rego")
    return [line for line in shell.splitlines() if line.strip()], rego


def attack_pod(plan) -> dict:
    """The baseline mesh pod, its proxy from a look-alike repository and adding SYS_ADMIN: SC001 and SC004."""
    pod, _ = baseline_pod(plan)
    pod = copy.deepcopy(pod)
    proxy = next(c for c in pod["spec"]["containers"] if c["name"] == "istio-proxy")
    proxy["image"] = proxy["image"].replace("docker.io/istio/", "docker.io/istio-mirror/", 1)
    proxy["securityContext"].setdefault("capabilities", {})["add"] = ["SYS_ADMIN"]
    return pod


@pytest.fixture(scope="module")
def workdir(tmp_path_factory, reference_files, reference_plan) -> Path:
    work = tmp_path_factory.mktemp("engine-tools")
    write_tree(reference_files, work / "dist" / "reference")
    pod = attack_pod(reference_plan)
    (work / "pod.yaml").write_text(yaml.safe_dump(pod, sort_keys=False), encoding="utf-8")
    (work / "exceptions").mkdir()
    (work / "exceptions" / "main.rego").write_text(_readme_blocks()[1], encoding="utf-8")
    ns = pod["metadata"]["namespace"]
    inventory = {"cluster": {"v1": {"Namespace": {ns: {"apiVersion": "v1", "kind": "Namespace",
                                                        "metadata": {"name": ns, "labels": {"istio-injection": "enabled"}}}}}}}
    (work / "inventory.json").write_text(json.dumps({"inventory": inventory}), encoding="utf-8")
    # The same pod in a namespace no list names, beside the Namespace that turns injection on there.
    moved = copy.deepcopy(pod)
    moved["metadata"]["namespace"] = "shop07"
    for key in ("istio.io/rev", "sidecar.istio.io/inject"):  # no object route: only the Namespace puts it in the mesh
        moved["metadata"].get("labels", {}).pop(key, None)
    injected = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop07", "labels": {"istio-injection": "enabled"}}}
    (work / "shop07.yaml").write_text(yaml.safe_dump_all([injected, moved], sort_keys=False), encoding="utf-8")
    return work


def _run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """The command as shown; its output without the colours conftest prints even to a pipe."""
    proc = subprocess.run([str(require_tool(argv[0])), *argv[1:]], capture_output=True, text=True, cwd=cwd)
    proc.stdout = re.sub(r"\x1b\[[0-9;]*m", "", proc.stdout)
    return proc


def _conftest_json(argv: list[str], cwd: Path) -> list[dict]:
    """The same conftest command with --output json: the structure behind its text."""
    argv = [a for a in argv if a not in ("--output", "sarif")]
    proc = _run([*argv[:2], "--output", "json", *argv[2:]], cwd)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


def _failures(report: list[dict]) -> list[tuple[str, str]]:
    """(namespace, rule ID) of every failure, rule IDs from the results' metadata."""
    found = []
    for entry in report:
        for result in entry.get("failures") or []:
            meta = result["metadata"]
            assert result["msg"].startswith(f"{meta['rule']}/{meta['check']} "), result
            found.append((entry["namespace"], meta["rule"]))
    return sorted(found)


def _exceptions(report: list[dict]) -> list[tuple[str, str]]:
    return sorted((e["namespace"], x["msg"]) for e in report for x in e.get("exceptions") or [])


def check_opa_test(proc, argv, work, plan):
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr
    (passed,) = re.findall(r"^PASS: (\d+)/(\d+)$", proc.stdout, re.MULTILINE)
    assert passed[0] == passed[1] and int(passed[0]) >= 60


def check_conftest_main(proc, argv, work, plan):
    assert proc.returncode == 1, proc.stderr
    fails = [line for line in proc.stdout.splitlines() if line.startswith("FAIL")]
    assert len(fails) == 2 and all(" - pod.yaml - main - " in line for line in fails), proc.stdout
    report = _conftest_json(argv, work)
    assert _failures(report) == [("main", "SC001"), ("main", "SC004")]
    queries = {r["metadata"]["query"] for e in report for r in e["failures"]}
    assert queries == {"data.main.deny_sc001", "data.main.deny_sc004"}
    assert _exceptions(report) == []


def check_conftest_exception(proc, argv, work, plan):
    assert proc.returncode == 1, proc.stderr
    assert "1 failure, 1 exception" in proc.stdout, proc.stdout
    report = _conftest_json(argv, work)
    assert _failures(report) == [("main", "SC001")]
    assert _exceptions(report) == [("main", 'data.main.exception[_][_] == "sc004"')]
    # The same exceptions file serves the rule's own package.
    alone = _conftest_json([*argv[:-1], "--namespace", "policygen.sc004", argv[-1]], work)
    assert _failures(alone) == [] and len(_exceptions(alone)) == 1
    # Near-miss: the exception names one pod; another pod with the same faults still fails both rules.
    other = yaml.safe_load((work / "pod.yaml").read_text())
    other["metadata"]["name"] = "shop-2"
    (work / "other.yaml").write_text(yaml.safe_dump(other), encoding="utf-8")
    report = _conftest_json([*argv[:-1], "other.yaml"], work)
    assert _failures(report) == [("main", "SC001"), ("main", "SC004")] and _exceptions(report) == []


def check_conftest_one_namespace(proc, argv, work, plan):
    assert proc.returncode == 1, proc.stderr
    assert _failures(_conftest_json(argv, work)) == [("policygen.sc004", "SC004")]


def check_conftest_all_namespaces(proc, argv, work, plan):
    # It crashed before: a library function named `violation` is a deny rule to conftest.
    assert proc.returncode == 1, proc.stderr
    assert _failures(_conftest_json(argv, work)) == [
        ("main", "SC001"), ("main", "SC004"), ("policygen.sc001", "SC001"), ("policygen.sc004", "SC004"),
    ]


def check_conftest_sarif(proc, argv, work, plan):
    assert proc.returncode == 1, proc.stderr
    log = json.loads(proc.stdout)
    schema = json.loads((SCHEMAS / "sarif-2.1.0.json").read_text())
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    assert not list(validator.iter_errors(log))
    (run,) = log["runs"]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    namespaces = {rid.split("/")[0] for rid in rules}
    assert namespaces == {f"policygen.{r.rule_id.lower()}" for r in plan.rules if r.rule_id not in UNSUPPORTED}
    errors = sorted(r["ruleId"] for r in run["results"] if r["level"] == "error")
    assert errors == ["policygen.sc001/deny", "policygen.sc004/deny"]
    for rid in errors:
        assert rules[rid]["properties"]["rule"] == rid.split("/")[0].split(".")[1].upper()


def check_conftest_data(proc, argv, work, plan):
    assert proc.returncode == 1, proc.stderr
    assert _failures(_conftest_json(argv, work)) == [("main", "SC001"), ("main", "SC004")]


def check_conftest_combine(proc, argv, work, plan):
    # One input of every document: the Namespace beside the pod puts it in the mesh, as in policygen eval.
    assert proc.returncode == 1, proc.stdout[-2000:]
    assert _failures(_conftest_json(argv, work)) == [("main", "SC001"), ("main", "SC004")]
    # Each document alone, the Namespace is not seen: the README says to use --combine (a red team, 14b).
    alone = _conftest_json([a for a in argv if a != "--combine"], work)
    assert _failures(alone) == []


def check_conftest_verify(proc, argv, work, plan):
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr
    (counts,) = re.findall(r"^(\d+) tests?, (\d+) passed", proc.stdout, re.MULTILINE)
    assert counts[0] == counts[1] and int(counts[0]) >= 60


def check_conftest_doc(proc, argv, work, plan):
    assert proc.returncode == 0, proc.stdout + proc.stderr  # it panicked before (a negative heading depth)
    doc = (work / "rego.md").read_text()  # conftest names it for the folder, in the working directory
    assert f"# main - {plan.name}\n" in doc
    for rule in plan.rules:
        if rule.rule_id in UNSUPPORTED:
            continue
        short = rule.rule_id.lower()
        assert f"\n## policygen.{short} - {rule.info.title}\n\n{rule.info.description}\n" in doc, rule.rule_id
        assert f"\n## main.deny_{short} - {rule.rule_id}\n" in doc, rule.rule_id


def check_gator_test(proc, argv, work, plan):
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    assert len(lines) == 2 and all(line.startswith("v1/Pod ") for line in lines), proc.stdout
    folder = argv[argv.index("--filename") + 1]
    report = json.loads(_run([*argv, "--output", "json"], work).stdout)
    assert sorted(r["metadata"]["details"]["rule"] for r in report) == ["SC001", "SC004"]
    assert {r["violatingObject"]["metadata"]["name"] for r in report} == {"shop"}
    # The folder alone: no sample of ours is taken for a resource to judge.
    alone = _run(["gator", "test", "--filename", folder, "--output", "json"], work)
    assert alone.returncode == 0 and json.loads(alone.stdout or "[]") in ([], None), alone.stdout[-2000:]


def check_gator_verify(proc, argv, work, plan):
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0 and out.rstrip().endswith("PASS"), out[-2000:]
    assert len(re.findall(r"^ok\t", out, re.MULTILINE)) == len([r for r in plan.rules if r.rule_id not in UNSUPPORTED])


def _check_for(argv: list[str]):
    tool, sub = argv[0], argv[1]
    if tool == "opa" and sub == "test":
        return check_opa_test
    if tool == "gator":
        return {"test": check_gator_test, "verify": check_gator_verify}.get(sub)
    if tool != "conftest":
        return None
    if sub in ("verify", "doc"):
        return {"verify": check_conftest_verify, "doc": check_conftest_doc}[sub]
    policies = [argv[i + 1] for i, a in enumerate(argv) if a == "--policy"]
    if "--output" in argv:
        return check_conftest_sarif
    if "--all-namespaces" in argv:
        return check_conftest_all_namespaces
    if "--namespace" in argv:
        return check_conftest_one_namespace
    if "--combine" in argv:
        return check_conftest_combine
    if "--data" in argv:
        return check_conftest_data
    if len(policies) == 2:
        return check_conftest_exception
    return check_conftest_main


def test_readme_shows_each_tool_and_switch():
    commands, rego = _readme_blocks()
    checks = [_check_for(shlex.split(line, comments=True)) for line in commands]
    assert None not in checks, [c for c, k in zip(commands, checks) if k is None]
    for wanted in (check_conftest_exception, check_conftest_one_namespace, check_conftest_all_namespaces,
                   check_conftest_sarif, check_conftest_combine, check_conftest_doc, check_gator_test, check_gator_verify):
        assert wanted in checks, wanted.__name__
    assert 'exception contains ["sc004"]' in rego


@pytest.mark.parametrize("line", _readme_blocks()[0], ids=lambda line: " ".join(shlex.split(line, comments=True)[:2]))
def test_readme_command_runs_as_shown(line, workdir, reference_plan):
    argv = shlex.split(line, comments=True)
    for tool in TOOLS:
        if argv[0] == tool:
            require_tool(tool)
    check = _check_for(argv)
    assert check is not None, line
    check(_run(argv, workdir), argv, workdir, reference_plan)


def test_audit_mode_warns_per_rule_and_exceptions_still_name_one(tmp_path, reference_plan):
    """Audit mode: warn_<rule> in main and in each rule's package, never a failure; an exception still skips one rule."""
    require_tool("conftest")
    plan = dataclasses.replace(reference_plan, mode="audit")
    write_tree(render_all(plan, ["rego"]), tmp_path / "dist")
    (tmp_path / "pod.yaml").write_text(yaml.safe_dump(attack_pod(plan)), encoding="utf-8")
    (tmp_path / "exceptions").mkdir()
    (tmp_path / "exceptions" / "main.rego").write_text(_readme_blocks()[1], encoding="utf-8")
    base = ["conftest", "test", "--policy", "dist/rego"]

    def warnings(*extra: str) -> tuple[list[tuple[str, str]], int]:
        report = _conftest_json([*base, *extra, "pod.yaml"], tmp_path)
        assert _failures(report) == []
        found = sorted((e["namespace"], w["metadata"]["rule"]) for e in report for w in e.get("warnings") or [])
        return found, len(_exceptions(report))

    assert warnings() == ([("main", "SC001"), ("main", "SC004")], 0)
    assert warnings("--namespace", "policygen.sc004") == ([("policygen.sc004", "SC004")], 0)
    assert warnings("--policy", "exceptions") == ([("main", "SC001")], 1)
    plain = _run([*base, "pod.yaml"], tmp_path)
    assert plain.returncode == 0 and "2 warnings, 0 failures" in plain.stdout, plain.stdout


@pytest.mark.parametrize("folder", ["samples/reference", "samples/adversarial"])
def test_conftest_combine_finds_all_that_policygen_eval_finds(folder, workdir, judge, reference_plan):
    """conftest --combine over a folder of samples, their Namespaces among them, finds every violation the opa
    engine finds (numbers aside, which eval hands the engines as quantity text): the same on the labelled samples;
    a superset on the adversarial ones, where a namespace of several versions is held in the mesh."""
    import policygen as pg
    from collections import Counter

    combined = _conftest_json(["conftest", "test", "--combine", "--policy", "dist/reference/rego", str(ROOT / folder)], workdir)
    found = Counter()
    for entry in combined:
        for result in entry.get("failures") or []:
            msg = result["msg"]
            found[msg[: msg.rindex(" (" + str(ROOT / folder))]] += 1
    samples = pg.load_samples([ROOT / folder])
    verdicts = judge("opa", reference_plan, f"combine-{folder.replace('/', '-')}", samples)
    wanted = Counter(v.message for verdict in verdicts for v in verdict.violations if v.rule != "ENGINE")
    missing = [m for m in wanted - found if not re.search(r" is \"[0-9]+\", approved at most", m)]
    assert missing == []
    if folder == "samples/reference":
        assert found == wanted


def test_conftest_combine_judges_alike_named_documents_and_keeps_the_inventorys_namespace(workdir):
    """Red team 14c: two documents named alike stopped conftest --combine with a conflict and no verdict; a
    Namespace among the inputs replaced the one conftest --data gave, where both are versions of it."""
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "evil", "namespace": "shop"},
           "spec": {"hostNetwork": True, "containers": [{"name": "web", "image": "registry.corp.example:5000/shop/web:2.3.1"}]}}
    listed = {"apiVersion": "v1", "kind": "List", "metadata": {"name": "L"}, "items": [dict(pod, metadata={"name": "evil", "namespace": "payments"})]}
    alike = {"apiVersion": "v1", "kind": "List", "metadata": {"name": "L items[0]"}}
    (workdir / "alike.yaml").write_text(yaml.safe_dump_all([listed, alike]), encoding="utf-8")
    report = _conftest_json(["conftest", "test", "--combine", "--policy", "dist/reference/rego", "alike.yaml"], workdir)
    assert ("main", "SC011") in _failures(report)
    off = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop", "labels": {"istio-injection": "disabled"}}}
    (workdir / "shop-off.yaml").write_text(yaml.safe_dump_all([off, pod]), encoding="utf-8")
    inventory = {"inventory": {"cluster": {"v1": {"Namespace": {"shop": {
        "apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop", "labels": {"istio-injection": "enabled"}}}}}}}}
    (workdir / "shop-on.json").write_text(json.dumps(inventory), encoding="utf-8")
    both = _conftest_json(["conftest", "test", "--combine", "--policy", "dist/reference/rego", "--data", "shop-on.json", "shop-off.yaml"], workdir)
    assert ("main", "SC011") in _failures(both)
    # Near miss: without the inventory, the one version turns injection off.
    alone = _conftest_json(["conftest", "test", "--combine", "--policy", "dist/reference/rego", "shop-off.yaml"], workdir)
    assert _failures(alone) == []
