"""verify's counting: an expected denial that an engine could not judge is never a pass."""

from __future__ import annotations

from pathlib import Path

from policygen.samples import load_samples
from policygen.verdicts import Verdict, Violation
from policygen.verification import build_report, format_report

SAMPLE = """\
# expect: deny CP003
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: PERMISSIVE}}
---
# expect: deny SC001 SC012
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: payments}
spec: {containers: [{name: istio-proxy, image: evil.example/proxyv2:1}]}
"""


def _verdict(engine: str, rules: list[str], unevaluated: list[str]) -> Verdict:
    return Verdict("s.yaml", 0, "Pod", "ns", "n", engine, [Violation(r, f"{r}/x found", "x") for r in rules], unevaluated)


def _report(tmp_path: Path, by_engine: dict[str, list[Verdict]]):
    path = tmp_path / "s.yaml"
    path.write_text(SAMPLE)
    return build_report(load_samples([path]).resources, by_engine)


def test_an_allow_with_the_expected_rule_unevaluated_is_not_a_pass(tmp_path):
    report = _report(tmp_path, {
        "opa": [_verdict("opa", ["CP003"], ["SC012"]), _verdict("opa", ["SC001"], ["SC012"])],
        "kyverno": [_verdict("kyverno", [], ["CP003"]), _verdict("kyverno", ["SC001", "SC012"], [])],
    })
    text = format_report(report)
    assert "  n/e  kyverno   allow  (not evaluated: CP003)" in text
    assert "kyverno: 1 passed, 0 failed, 1 not evaluated" in text
    # A denial whose evaluated rules match is verified; the unevaluated SC012 is noted, not failed.
    assert "opa: 2 passed, 0 failed" in text
    # opa judged the first resource, so the verification as a whole is complete.
    assert report.ok and "INCOMPLETE" not in text


def test_an_expected_denial_no_engine_could_judge_makes_verify_fail(tmp_path):
    report = _report(tmp_path, {"kyverno": [_verdict("kyverno", [], ["CP003"]), _verdict("kyverno", ["SC001", "SC012"], [])]})
    assert not report.ok
    assert "INCOMPLETE: 1 resource(s) whose expected denial no engine given could judge" in format_report(report)


def test_a_wrong_rule_beside_an_unevaluated_one_still_fails(tmp_path):
    report = _report(tmp_path, {"opa": [_verdict("opa", ["CP003"], []), _verdict("opa", ["SC004"], ["SC012"])]})
    assert report.failures("opa") == 1 and report.unchecked("opa") == 0 and not report.ok
