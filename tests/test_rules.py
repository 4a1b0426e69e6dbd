"""Every rule denies its malicious cases, by the sub-checks each names, and allows its near-misses, in every engine."""

import pytest

from policygen.fixtures import cases_for

from .conftest import case_misses, cases_as_samples

# The fixture set is judged once per session by every engine (conftest.BUNDLES): checking it here costs nothing.
ENGINES = ["opa", "conftest", "gator", "kyverno", "vap"]


@pytest.fixture(scope="session")
def fixture_set(reference_plan):
    return cases_as_samples(reference_plan)


@pytest.mark.parametrize("engine", ENGINES)
def test_every_fixture_case(judge, reference_plan, fixture_set, engine):
    samples, by_index = fixture_set
    verdicts = judge(engine, reference_plan, "fixtures", samples)
    wrong = []
    for i, case in by_index.items():
        wrong += case_misses(case, verdicts[i])
    assert wrong == []
    assert len(by_index) >= 60


def test_every_rule_has_a_failing_and_a_passing_case(reference_plan):
    cases = cases_for(reference_plan)
    for rule in reference_plan.rules:
        mine = [c for c in cases if c.rule_id == rule.rule_id]
        # SC012's failing cases need a registry: tests/test_signatures.py.
        assert any(c.fails for c in mine) or rule.rule_id == "SC012", rule.rule_id
        assert any(not c.fails for c in mine), rule.rule_id


def test_kyverno_judges_an_update_by_its_own_old_object(judge, reference_plan, fixture_set):
    """`kyverno apply` hands an UPDATE's policies its object as the oldObject too; kyvernocheck is given the
    UPDATE's own oldObject, so the case whose verdict turns on it is judged as in every other engine, and no
    case is left unjudged but SC012 (tests/test_kyverno_judges.py shows the CLI leaving it not evaluated)."""
    samples, by_index = fixture_set
    verdicts = judge("kyverno", reference_plan, "fixtures", samples)
    unseen = sorted(f"{case.rule_id}/{case.name}" for i, case in by_index.items()
                    if set(verdicts[i].not_evaluated) - {"SC012"})
    assert unseen == []
    narrowed = next(i for i, case in by_index.items() if case.name == "mesh_wide_narrowed")
    for engine in ("opa", "conftest", "gator", "vap", "kyverno"):
        assert ("CP003", "mesh-wide-removed") in judge(engine, reference_plan, "fixtures", samples)[narrowed].checks, engine
