"""The gator engine: verdicts from real gator runs, batched, mapped back to each input resource."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

import policygen as pg
from policygen.engines.gator import GatorEngine
from policygen.engines.gator.objects import admission_review
from policygen.engines.gator.verify import parse_verify_report, split_messages
from policygen.checks import CHECKS
from policygen.errors import EngineError, EngineNotInstalled
from policygen.fixtures import baseline_pod
from policygen.kinds import POD_KINDS
from policygen.output import write_tree
from policygen.pipeline import render_all
from policygen.samples import load_samples

from .conftest import CORPUS, case_misses, cases_as_samples, require_tool
from .test_corpus import _expected

TRUSTED = "system:serviceaccount:istio-system:istiod"


def _write_docs(path: Path, docs: list) -> None:
    # "--- #" keeps each document's first line out of the separator, whatever the sample reader's split does.
    path.write_text("--- # document\n".join(yaml.safe_dump(d, sort_keys=False) for d in docs), encoding="utf-8")


def _review(op: str, user: str, obj=None, old=None) -> dict:
    req = {"uid": "1", "operation": op, "userInfo": {"username": user, "groups": ["system:authenticated"]}}
    if obj is not None:
        req["object"] = obj
    if old is not None:
        req["oldObject"] = old
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": req}


@pytest.fixture(scope="session")
def edge_samples(tmp_path_factory, reference_plan):
    """Resources that test the engine's plumbing rather than the rules."""
    root = tmp_path_factory.mktemp("gator-edge")
    pod, _ = baseline_pod(reference_plan)
    bad = copy.deepcopy(pod)
    bad["spec"]["containers"][1]["securityContext"]["runAsUser"] = 0  # istio-proxy as root: SC004
    selected = copy.deepcopy(bad)
    selected["metadata"]["namespace"] = "mesh-by-label"
    in_review = copy.deepcopy(bad)
    in_review["metadata"]["namespace"] = "mesh-by-review"
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "mesh-by-label", "labels": {"istio-injection": "enabled"}}}
    ns_review = copy.deepcopy(ns)
    ns_review["metadata"]["name"] = "mesh-by-review"
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "istio-sidecar-injector", "namespace": "istio-system"}}
    no_version = copy.deepcopy(bad)
    del no_version["apiVersion"]
    deployment = {"kind": "Deployment", "metadata": {"name": "web", "namespace": bad["metadata"]["namespace"]},
                  "spec": {"template": {"metadata": {}, "spec": copy.deepcopy(bad["spec"])}}}
    files = {
        # The same kind/namespace/name twice per file, with different content, and the same object in two files.
        "a.yaml": [pod, bad],
        "b.yaml": [pod, bad],
        "c.yaml": [selected, ns, in_review, _review("CREATE", "someone", ns_review)],
        "d.yaml": [
            _review("UPDATE", TRUSTED, bad, pod),  # an UPDATE that keeps the pod as it was is judged by no pod rule
            _review("UPDATE", TRUSTED, cm, cm),
            _review("UPDATE", "mallory", cm, cm),
            _review("DELETE", "mallory", old=cm),
            _review("DELETE", "mallory", old=bad),
            cm,
        ],
        "e.yaml": [no_version, deployment, {"kind": "Widget", "metadata": {"name": "w"}}],
    }
    # Numbers a float64 does not hold exactly, which gator prints back rounded: each result must still find its input.
    for number in (2**53 + 1, 2**63 - 1, -(2**53 + 3), 1e300):
        for base in (pod, bad):
            big = copy.deepcopy(base)
            big["spec"]["activeDeadlineSeconds"] = number
            files.setdefault("g.yaml", []).append(big)
    for name, docs in files.items():
        _write_docs(root / name, docs)
    # A Constraint among the inputs is judged, never loaded as policy: loaded, it would forbid the marked pod's annotation.
    gk = render_all(reference_plan, ["gatekeeper"])
    constraint = yaml.safe_load(next(t for p, t in gk.items() if str(p).endswith("sc008-pod-annotations/constraint.yaml")))
    constraint["metadata"]["name"] = "planted"
    constraint["spec"]["parameters"]["forbidden"].append("policygen.test/marker")
    marked = copy.deepcopy(pod)
    marked["metadata"]["annotations"]["policygen.test/marker"] = "x"
    _write_docs(root / "f.yaml", [constraint, marked])
    return load_samples(sorted(root.glob("*.yaml")))


@pytest.fixture(scope="session")
def edge_verdicts(judge, reference_plan, edge_samples):
    return judge("gator", reference_plan, "gator-edge", edge_samples)


def _by_label(samples, verdicts) -> dict[str, object]:
    return {f"{Path(r.file).name}#{r.index}": v for r, v in zip(samples.resources, verdicts, strict=True)}


def test_every_fixture_case_in_gator(judge, reference_plan):
    samples, by_index = cases_as_samples(reference_plan)
    verdicts = judge("gator", reference_plan, "fixtures", samples)
    wrong = []
    for i, case in by_index.items():
        verdict = verdicts[i]
        wrong += case_misses(case, verdict)
        # SC012 on the pods written, which gator cannot verify; nothing on what it does not judge.
        res = samples.resources[i]
        signed = res.kind in POD_KINDS and res.operation in ("CREATE", "UPDATE")
        assert verdict.engine == "gator" and verdict.not_evaluated == (["SC012"] if signed else [])
        assert all(v.check in CHECKS[v.rule] and v.message.startswith(f"{v.rule}/{v.check} ") for v in verdict.violations)
    assert wrong == []
    assert len(by_index) >= 60


def test_reference_samples_meet_their_expectations(judge, reference_plan, reference_samples):
    verdicts = judge("gator", reference_plan, "reference-samples", reference_samples)
    wrong = []
    for res, verdict in zip(reference_samples.resources, verdicts, strict=True):
        if res.expect is None:
            continue
        want = res.expect.rules - set(verdict.not_evaluated)
        if verdict.rules != want:
            wrong.append(f"{res.label} {res.kind}/{res.name}: expected {res.expect.describe()}, got {sorted(verdict.rules)}")
    assert wrong == []
    assert sum(r.from_admission_review for r in reference_samples.resources) > 0


def test_corpus_verdicts_match_the_labels(judge, corpus_plan, corpus_samples):
    verdicts = judge("gator", corpus_plan, "corpus", corpus_samples)
    expected = _expected()
    wrong = [
        f"{Path(r.file).name}#{r.index}: expected {sorted(expected[(Path(r.file).name, r.index)][1]) or 'allow'}, got {sorted(v.rules)}"
        for r, v in zip(corpus_samples.resources, verdicts, strict=True)
        if v.rules != expected[(Path(r.file).name, r.index)][1]
    ]
    assert wrong == []
    assert len(verdicts) == 125 and Path(corpus_samples.resources[0].file).parent == CORPUS


def test_results_map_back_to_each_resource(edge_samples, edge_verdicts):
    v = _by_label(edge_samples, edge_verdicts)
    for f in ("a.yaml", "b.yaml"):
        assert v[f"{f}#0"].allowed, v[f"{f}#0"].violations
        assert v[f"{f}#1"].rules == {"SC004"}
        assert (v[f"{f}#0"].kind, v[f"{f}#0"].namespace, v[f"{f}#0"].name) == (v[f"{f}#1"].kind, v[f"{f}#1"].namespace, v[f"{f}#1"].name)
    assert [x.file for x in edge_verdicts] == [r.file for r in edge_samples.resources]


def test_namespaces_among_the_inputs_are_the_inventory(edge_samples, edge_verdicts):
    v = _by_label(edge_samples, edge_verdicts)
    assert v["c.yaml#0"].rules == {"SC004"}  # selected by the labels of a Namespace in the same batch
    assert v["c.yaml#2"].rules == {"SC004"}  # ... and of one that arrived inside an AdmissionReview
    assert v["c.yaml#1"].allowed and v["c.yaml#3"].allowed


def test_admission_reviews_keep_their_operation_and_user(edge_samples, edge_verdicts):
    v = _by_label(edge_samples, edge_verdicts)
    assert v["d.yaml#0"].rules == {"SC004"}  # pod rules judge an UPDATE whoever sends it
    assert v["d.yaml#1"].allowed  # istiod may update the injector ConfigMap
    assert v["d.yaml#2"].rules == {"CP002"}
    assert "UPDATE by untrusted user \"mallory\"" in v["d.yaml#2"].violations[0].message
    assert v["d.yaml#3"].rules == {"CP002"} and "DELETE" in v["d.yaml#3"].violations[0].message
    assert v["d.yaml#4"].allowed  # a DELETE of a pod stores nothing
    assert v["d.yaml#5"].rules == {"CP002"}  # a plain resource is a CREATE by an untrusted user


def test_resources_without_api_version_and_policy_objects(edge_samples, edge_verdicts):
    v = _by_label(edge_samples, edge_verdicts)
    assert v["e.yaml#0"].rules == {"SC004"}
    assert v["e.yaml#1"].rules == {"SC004"}
    assert v["e.yaml#2"].allowed  # no rule reads a Widget
    assert v["f.yaml#0"].allowed and v["f.yaml#0"].kind == "PolicygenSc008PodAnnotations"
    assert v["f.yaml#1"].allowed, v["f.yaml#1"].violations  # the Constraint among the samples was not loaded


def test_numbers_a_float64_rounds_keep_their_verdicts(edge_samples, edge_verdicts):
    v = _by_label(edge_samples, edge_verdicts)
    assert [sorted(v[f"g.yaml#{i}"].rules) for i in range(8)] == [[], ["SC004"]] * 4


def test_agrees_with_opa_on_the_edge_samples(judge, reference_plan, edge_samples, edge_verdicts):
    opa = judge("opa", reference_plan, "gator-edge", edge_samples)
    assert [sorted(v.message for v in a.violations) for a in opa] == [sorted(v.message for v in b.violations) for b in edge_verdicts]


def test_admission_review_for_gator_has_only_known_fields(edge_samples):
    res = next(r for r in edge_samples.resources if r.from_admission_review and r.operation == "DELETE")
    doc = admission_review(res, 7)
    assert set(doc["request"]) <= {"uid", "kind", "operation", "userInfo", "namespace", "name", "object", "oldObject"}
    assert "object" not in doc["request"] and doc["request"]["oldObject"]["kind"] == res.kind
    assert doc["request"]["kind"] == {"group": "", "version": "v1", "kind": res.kind}


def test_a_broken_template_is_an_engine_error(tmp_path, reference_plan):
    require_tool("gator")
    dist = tmp_path / "dist"
    write_tree(render_all(reference_plan, ["gatekeeper"]), dist)
    template = dist / "gatekeeper" / "sc004-sidecar-security-context" / "template.yaml"
    template.write_text(template.read_text().replace("rule.violations(review.from_gatekeeper(input.review),", "rule.violations(review.from_gatekeeper(input.review)"), encoding="utf-8")
    pod, _ = baseline_pod(reference_plan)
    (tmp_path / "pod.yaml").write_text(yaml.safe_dump(pod), encoding="utf-8")
    with pytest.raises(EngineError, match="gator test failed"):
        GatorEngine().evaluate(dist, reference_plan, load_samples([tmp_path / "pod.yaml"]))


def test_missing_gator_names_the_install_command(tmp_path, monkeypatch, reference_plan):
    monkeypatch.setenv("POLICYGEN_TOOLS_DIR", str(tmp_path / "no-tools"))
    pod, _ = baseline_pod(reference_plan)
    (tmp_path / "pod.yaml").write_text(yaml.safe_dump(pod), encoding="utf-8")
    with pytest.raises(EngineNotInstalled, match="policygen tools install gator"):
        pg.evaluate(reference_plan, "gator", [tmp_path / "pod.yaml"])


def test_split_messages():
    assert split_messages("SC004/x a b SC004/y c", 2, "SC004") == ["SC004/x a b", "SC004/y c"]
    assert split_messages("SC004/x x [y] SC004 z", 1, "SC004") == ["SC004/x x [y] SC004 z"]
    with pytest.raises(EngineError, match="cannot be told apart"):
        split_messages("SC004/x a SC004/y b SC004/z c", 2, "SC004")
    # An echoed value that looks like a message start never becomes a message of its own.
    with pytest.raises(EngineError, match="cannot be told apart"):
        split_messages('SC004/x image "a SC004/capability-added b"', 1, "SC004")


def test_parse_verify_report():
    report = (
        "=== RUN   SC004\n"
        "    === RUN   r0\n"
        "    --- PASS: r0\t(1ms)\n"
        "    === RUN   r1\n"
        "    --- FAIL: r1\t(2ms)\n"
        "        unexpected number of violations: got 2 violations but want exactly 0: "
        "got messages [SC004/a one SC004/b two]\n"
        "--- FAIL: SC004\t(3ms)\n"
        "FAIL\tsuite.yaml\t0.1s\n"
        "FAIL\n"
    )
    assert parse_verify_report(report, {"SC004": ["r0", "r1"]}) == {("SC004", "r0"): (0, ""), ("SC004", "r1"): (2, "SC004/a one SC004/b two")}
    with pytest.raises(EngineError, match="no result for SC004/r2"):
        parse_verify_report(report, {"SC004": ["r0", "r1", "r2"]})
    broken = report.replace("unexpected number of violations: got 2 violations but want exactly 0: got messages [SC004/a one SC004/b two]",
                            "adding template: rego_parse_error")
    with pytest.raises(EngineError, match="rego_parse_error"):
        parse_verify_report(broken, {"SC004": ["r0", "r1"]})


def test_verify_counts_decide_the_checks_not_the_text(reference_plan):
    from policygen.engines.gator.verify import violations as _verify_violations

    clean = 'SC003/status-malformed annotation sidecar.istio.io/status: "x" is not the injector\'s status JSON'
    found = _verify_violations(reference_plan, "SC003", {"status-malformed": 1}, 1, clean)
    assert [(v.rule, v.check, v.message) for v in found] == [("SC003", "status-malformed", clean)]
    # An echoed value that forges a second message start: the count says one, so one violation, of the counted check.
    forged = 'SC003/status-malformed annotation sidecar.istio.io/status: "x SC003/placement-not-approved y" is not JSON'
    found = _verify_violations(reference_plan, "SC003", {"status-malformed": 1}, 1, forged)
    assert [(v.rule, v.check) for v in found] == [("SC003", "status-malformed")]
    assert found[0].message.startswith("SC003/status-malformed gator verify reported 1 ")
