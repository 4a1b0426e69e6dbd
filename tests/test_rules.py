"""Every rule denies its malicious cases and allows its near-misses, in OPA and conftest."""

import pytest

from policygen.fixtures import cases_for

from .conftest import cases_as_samples

ENGINES = ["opa", "conftest"]


@pytest.fixture(scope="session")
def fixture_set(reference_plan):
    return cases_as_samples(reference_plan)


@pytest.mark.parametrize("engine", ENGINES)
def test_every_fixture_case(judge, reference_plan, fixture_set, engine):
    samples, by_index = fixture_set
    verdicts = judge(engine, reference_plan, "fixtures", samples)
    wrong = []
    for i, case in by_index.items():
        verdict = verdicts[i]
        if case.fails and case.rule_id not in verdict.rules:
            wrong.append(f"{case.rule_id}/{case.name}: not denied by {case.rule_id}: {sorted(verdict.rules)}")
        if not case.fails and not verdict.allowed:
            wrong.append(f"{case.rule_id}/{case.name}: denied: {[v.message for v in verdict.violations]}")
    assert wrong == []
    assert len(by_index) >= 60


def test_every_rule_has_a_failing_and_a_passing_case(reference_plan):
    cases = cases_for(reference_plan)
    for rule in reference_plan.rules:
        if rule.rule_id == "SC012":
            continue
        mine = [c for c in cases if c.rule_id == rule.rule_id]
        assert any(c.fails for c in mine), rule.rule_id
        assert any(not c.fails for c in mine), rule.rule_id
