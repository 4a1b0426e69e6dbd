"""tools/kyvernocheck and `kyverno apply` give the same verdicts, record for record.

`policygen eval --engine kyverno` judges the ValidatingPolicies with
tools/kyvernocheck: the CLI's own loaders, Kyverno's compiler and engine, each
policy compiled once per run (the CLI compiles every policy for every
resource). That it judges as the CLI does is shown here, on the reference
bundle (every fixture, the reference samples, malformed and edge cases) and on
every adversarial sample: each verdict, violation message and notEvaluated
list the same, but where the CLI cannot see an UPDATE's own oldObject (it
hands the object as the oldObject too) and reports the rules that read it not
evaluated: kyvernocheck is given the oldObject and judges them.
"""

from __future__ import annotations

import os

import pytest

import policygen as pg
from policygen.engines.kyverno import JUDGE_ENV, SC012_TIMEOUT_ENV, judge, sc012_timeout
from policygen.errors import SettingError
from policygen.samples import SampleSet

from .conftest import BUNDLES, _dataset, require_tool


def _bundle(request, name: str) -> SampleSet:
    return SampleSet([res for part in BUNDLES[name] for res in _dataset(request, part).resources])


def _with_judge(chosen: str, plan, samples: SampleSet):
    before = os.environ.get(JUDGE_ENV)
    os.environ[JUDGE_ENV] = chosen
    try:
        return pg.evaluate(plan, "kyverno", samples)
    finally:
        if before is None:
            os.environ.pop(JUDGE_ENV, None)
        else:
            os.environ[JUDGE_ENV] = before


@pytest.mark.parametrize("bundle", ["reference", "adversarial"])
def test_kyvernocheck_judges_as_the_cli(bundle, request, reference_plan):
    require_tool("kyverno")
    require_tool("kyvernocheck")
    samples = _bundle(request, bundle)
    cli = [v.to_json() for v in _with_judge("cli", reference_plan, samples)]
    check = [v.to_json() for v in _with_judge("check", reference_plan, samples)]
    assert len(check) == len(cli) == len(samples.resources) > 100
    assert sum(not v["allowed"] for v in cli) > 50 and sum(v["allowed"] for v in cli) > 20
    differ, seen_old = [], 0
    for a, b in zip(cli, check, strict=True):
        unseen = set(a["notEvaluated"]) - set(b["notEvaluated"])
        if unseen:
            # The CLI could not judge these rules; kyvernocheck did, and kept everything the CLI found.
            seen_old += 1
            a = {**a, "notEvaluated": b["notEvaluated"], "allowed": b["allowed"],
                 "violations": a["violations"] + [v for v in b["violations"] if v["rule"] in unseen]}
            b = {**b, "violations": sorted(b["violations"], key=str)}
            a = {**a, "violations": sorted(a["violations"], key=str)}
        if a != b:
            differ.append(f"{a['file']}#{a['index']}: cli {a['violations']} {a['notEvaluated']}\n"
                          f"   check {b['violations']} {b['notEvaluated']}")
    assert differ == [], f"{len(differ)} of {len(cli)} differ:\n" + "\n".join(differ[:30])
    if bundle == "reference":
        assert seen_old >= 1, "the fixture whose verdict turns on an UPDATE's own oldObject"


def test_the_judge_is_chosen_by_name(monkeypatch):
    monkeypatch.delenv(JUDGE_ENV, raising=False)
    assert judge() == "check"
    monkeypatch.setenv(JUDGE_ENV, "CLI")
    assert judge() == "cli"
    monkeypatch.setenv(JUDGE_ENV, "apply")
    with pytest.raises(SettingError, match=JUDGE_ENV):
        judge()


@pytest.mark.parametrize("raw", ["abc", "nan", "inf", "-1", "0"])
def test_a_bad_sc012_timeout_is_a_clear_error_when_sc012_runs(monkeypatch, raw):
    """It was read at import, so `POLICYGEN_SC012_TIMEOUT=abc` broke every Kyverno run with a traceback (red team 11)."""
    monkeypatch.setenv(SC012_TIMEOUT_ENV, raw)
    with pytest.raises(SettingError, match=SC012_TIMEOUT_ENV):
        sc012_timeout()
    monkeypatch.setenv(SC012_TIMEOUT_ENV, " 2.5 ")
    assert sc012_timeout() == 2.5
    monkeypatch.delenv(SC012_TIMEOUT_ENV)
    assert sc012_timeout() == 180.0
