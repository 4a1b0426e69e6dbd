"""Each ConstraintTemplate's usual pod (templates/gatekeeper/usual.rego.jinja) clears nothing its rule denies.

Gatekeeper asks each template alone, so each template of a pod rule gets its own usual body: its rule's
lines (the rule folder's usual.rego.jinja), under exactly the parameters the plan gave its Constraint.
The whole set's test (test_usual_pod) shows the rules' lines together clear nothing; here each rule's
lines must do so alone. For every spec the project ships or tests, on the same inputs as that test
(fixtures, near misses of the approved pods, type-confusion mutants, the corpus and its near misses),
reviewed as Gatekeeper reviews a Pod's CREATE and as its audit and gator review it: wherever a template's usual body holds, its rule's
violations must be empty, and the body must be taken often enough that this means something.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

import policygen as pg
from policygen import usual
from policygen.backends.rego import supported_rules
from policygen.fixtures import cases_for
from policygen.output import write_tree
from policygen.pipeline import render_all

from .conftest import run_tool
from .test_usual_pod import SPECS, _digest_without_list, _in_namespace, _inputs, corpus_docs  # noqa: F401

CHECK_HEAD = """package gatekeeper_usual_check

import data.lib.policygen.review

# Each input as the review of its CREATE at admission, and as audit and gator review it (no operation).
gatekeeper_reviews(doc) := [
	{"object": doc, "operation": "CREATE", "kind": {"group": "", "version": "v1", "kind": "Pod"}},
	{"object": doc, "kind": {"group": "", "version": "v1", "kind": "Pod"}},
]
"""

# Per template: for each input, whether its usual body held and, where it did, how many violations its
# rule finds (null where it did not hold: the rule's answer is then the template's, as before).
CHECK_TEMPLATE = """
results_{id} := [[held, found] |
	some doc in input.docs
	some rev in gatekeeper_reviews(doc)
	gk := {{"review": rev, "parameters": input.parameters.{id}}}
	held := held_{id}(gk)
	found := violations_{id}(held, gk)
]

held_{id}(gk) := true if data.{package}.usual with input as gk

else := false

violations_{id}(true, gk) := [v | some v in data.lib.policygen.rules.{id}.violations(review.from_gatekeeper(gk.review), gk.parameters, {{}})]

violations_{id}(false, _) := null
"""


def _rendered(spec: Path, dist: Path) -> tuple[Any, dict[str, tuple[str, str, dict[str, Any]]]]:
    """The spec's plan, and per template with a usual body: rule id (lower case) -> (entry package, entry
    Rego, Constraint parameters), read from the generated YAML; the libraries every template carries
    verbatim (rego/lib) are written under dist/rego/lib."""
    plan = pg.build_plan(pg.load_spec(spec))
    files = render_all(plan, ["rego", "gatekeeper"])
    write_tree({p: t for p, t in files.items() if p.parts[:2] == ("rego", "lib")}, dist)
    found = {}
    for path, text in files.items():
        if path.parts[0] != "gatekeeper" or path.name != "template.yaml":
            continue
        # policygen writes one target whose code holds one Rego source (policygen/backends/gatekeeper.py).
        source = yaml.safe_load(text)["spec"]["targets"][0]["code"][0]["source"]
        if "\nusual if {" not in source["rego"]:
            continue
        constraint = yaml.safe_load(files[path.parent / "constraint.yaml"])
        rule_id = constraint["metadata"]["annotations"]["policygen.dev/rule-id"].lower()
        package = next(line.split()[1] for line in source["rego"].splitlines() if line.startswith("package "))
        found[rule_id] = (package, source["rego"], constraint["spec"].get("parameters", {}))
    return plan, found


@pytest.fixture(scope="module")
def verdicts(opa_server, tmp_path_factory, corpus_docs) -> dict[str, dict[str, tuple[list[Any], list[Any], int]]]:
    """Per spec, per template with a usual body: its inputs, [held, violations] for each, how many approved pods."""
    out: dict[str, dict[str, tuple[list[Any], list[Any], int]]] = {}
    expected: dict[str, set[str]] = {}
    opa_server.set_inventory({})
    for spec in [*SPECS, _digest_without_list(tmp_path_factory.mktemp("specs"))]:
        name = spec.parent.name if spec.name == "spec.yaml" else spec.stem
        dist = tmp_path_factory.mktemp("gk-usual") / "dist"
        plan, templates = _rendered(spec, dist)
        out[name] = {}
        context = usual.context(plan, supported_rules(plan))
        expected[name] = {r.rule_id.lower() for r in context["rules"]} if context else set()
        if not templates:
            continue
        check = CHECK_HEAD
        for rule_id, (package, rego, _) in sorted(templates.items()):
            (dist / "rego" / f"{rule_id}_template.rego").write_text(rego)
            check += CHECK_TEMPLATE.format(id=rule_id, package=package)
        mesh = plan.rule("SC003").params["scope"]["meshNamespaces"][:1]
        docs, approved = _inputs(plan, [_in_namespace(d, ns) for d in corpus_docs for ns in mesh], name == "corpus")
        parameters = {rule_id: params for rule_id, (_, _, params) in templates.items()}
        check += "\nresults := {" + ", ".join(f'"{r}": results_{r}' for r in sorted(templates)) + "}\n"
        (dist / "rego" / "gatekeeper_usual_check.rego").write_text(check)
        opa_server.load(dist / "rego")
        answer = opa_server.client.query_rule({"docs": docs, "parameters": parameters}, "gatekeeper_usual_check", "results")
        for rule_id in sorted(templates):
            # Two reviews per input (gatekeeper_reviews): each input is listed twice, in step with them.
            out[name][rule_id] = ([d for d in docs for _ in range(2)], answer["result"][rule_id], approved * 2)
    return out, expected


def test_template_usual_pod_clears_nothing_its_rule_denies(verdicts):
    differ = []
    for name, templates in verdicts[0].items():
        for rule_id, (docs, results, _) in templates.items():
            assert len(results) == len(docs)
            differ += [(name, rule_id, docs[i], found) for i, (held, found) in enumerate(results) if held and found]
    assert not differ, "\n".join(json.dumps({"spec": n, "rule": r, "input": d, "violations": f})[:3000]
                                 for n, r, d, f in differ[:5])


def test_template_usual_pod_is_taken(verdicts):
    """Not vacuous: every template of a rule the whole set's usual pod reads has one, and in the shipped
    specs it clears every approved pod and some near misses, never every input. (A variant's own approved
    pods may fall outside its lines, as sc004-capabilities-all's add capabilities the lines do not count:
    there only the first test applies.)"""
    verdicts, expected = verdicts
    for name, templates in verdicts.items():
        assert set(templates) == expected[name], name
    for name in ("reference", "corpus", "exceptions", "digest-without-list"):
        assert expected[name], f"{name}: no usual pod"
        for rule_id, (docs, results, approved) in verdicts[name].items():
            held = sum(1 for h, _ in results if h)
            assert approved > 0 and held > approved, f"{name} {rule_id}: the usual pod held for {held} of {len(docs)} inputs"
            assert held < len(docs), f"{name} {rule_id}: the usual pod held for every input"


def test_template_usual_pod_asks_for_its_own_parameters(opa_server, tmp_path):
    """Other parameters (a Constraint edited by hand) leave the pod to the rule, which judges them."""
    dist = tmp_path / "dist"
    plan, templates = _rendered(Path(SPECS[0]), dist)
    package, rego, params = templates["sc007"]
    (dist / "rego" / "sc007_template.rego").write_text(rego)
    opa_server.load(dist / "rego")
    pod = next(c.resource for c in cases_for(plan) if c.name == "approved_pod" and c.rule_id == "SC007")
    review = {"object": pod, "operation": "CREATE", "kind": {"group": "", "version": "v1", "kind": "Pod"}}
    tightened = json.loads(json.dumps(params))
    for sidecar in tightened["sidecars"]:
        for bound in sidecar["maxLimits"]:
            bound["max"], bound["maxNano"] = "1m", "1000000"
    held = opa_server.client.query_rule({"review": review, "parameters": params}, package, "usual")
    assert held.get("result") is True
    assert "result" not in opa_server.client.query_rule({"review": review, "parameters": tightened}, package, "usual")
    found = opa_server.client.query_rule({"review": review, "parameters": tightened}, package, "violation")
    assert {v["details"]["check"] for v in found["result"]} == {"limit-exceeded"}


def test_template_entry_points_pass_opa_check_strict_and_fmt(tmp_path):
    """Every spec's templates, usual bodies included, as `opa check --strict` and `opa fmt` want them."""
    for spec in SPECS:
        dist = tmp_path / spec.parent.name / spec.stem
        _, templates = _rendered(spec, dist)
        if not templates:
            continue
        entries = dist / "entries"
        entries.mkdir()
        for rule_id, (_, rego, _) in templates.items():
            (entries / f"{rule_id}.rego").write_text(rego)
        proc = run_tool("opa", "check", "--strict", str(dist / "rego" / "lib"), str(entries))
        assert proc.returncode == 0, f"{spec}: {proc.stdout}{proc.stderr}"
        proc = run_tool("opa", "fmt", "--diff", str(entries))
        assert proc.returncode == 0 and proc.stdout == "", f"{spec}: {proc.stdout[:3000]}{proc.stderr}"
