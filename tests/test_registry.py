"""The rule registry: every rule's whole life in its own folder, and nothing missing from any.

Adding a rule is one folder under policygen/rules/ and one line in its
__init__.py; these tests name what the folder must hold.
"""

import json
import re
from pathlib import Path

import pytest

import policygen as pg
from policygen.backends.cel import CEL_RULE_IDS
from policygen.backends.rego import UNSUPPORTED as REGO_UNSUPPORTED
from policygen.backends.vap import UNSUPPORTED as VAP_UNSUPPORTED
from policygen.checks import CHECKS
from policygen.fixtures import cases_for
from policygen.kinds import rule_kinds
from policygen.rules import ALL_RULE_IDS, CATALOGUE, REGISTRY, RULES
from policygen.rules.registry import BACKENDS_WITH_GAPS, CEL_SOURCE, REGO_SOURCE

from .conftest import case_misses, cases_as_samples

RULES_ROOT = Path(pg.__file__).resolve().parent / "rules"
RULE_SPEC = "spec.yaml"
# Rego names a check as a string literal (in {"check": ...}, review.finding(...) or a helper's
# argument); CEL through c.code("<RULE>", "<check>").
_REGO_STRING = re.compile(r'"([a-z0-9]+(?:-[a-z0-9]+)*)"')
_CEL_CHECK = re.compile(r'c\.code\("((?:SC|CP)\d{3})", "([a-z0-9-]+)"\)')


def _folders() -> list[Path]:
    return sorted(p for p in RULES_ROOT.iterdir() if (p / "__init__.py").is_file())


def test_every_rule_folder_is_registered_and_nothing_else_is():
    assert [p.name for p in _folders()] == sorted(r.rule_id.lower() for r in RULES)
    for rule in RULES:
        assert rule.folder == RULES_ROOT / rule.rule_id.lower(), rule.rule_id
        assert rule.info.policy_name.startswith(rule.rule_id.lower() + "-")
    assert list(CATALOGUE) == list(ALL_RULE_IDS) == [r.rule_id for r in RULES]
    # Rule IDs in SPEC.md order: SC001..SC012, then CP001..CP005.
    assert list(ALL_RULE_IDS) == sorted(ALL_RULE_IDS, key=lambda r: (r[:2] != "SC", r))


@pytest.mark.parametrize("rule_id", ALL_RULE_IDS)
def test_every_rule_has_every_part(rule_id):
    rule = REGISTRY[rule_id]
    info = rule.info
    assert info.title and info.description and info.severity in ("critical", "high", "medium", "low")
    assert rule.checks and all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", c) for c in rule.checks), rule.checks
    assert callable(rule.plan)
    assert set(rule.not_rendered) <= set(BACKENDS_WITH_GAPS)
    assert all(why.strip() for why in rule.not_rendered.values())
    # A source exists exactly where the rule does not say why it cannot have one.
    assert (rule.folder / REGO_SOURCE).is_file() == rule.renders_in("rego")
    assert (rule.folder / CEL_SOURCE).is_file() == rule.renders_in("vap")
    assert rule.cases is not None
    assert (rule.folder / RULE_SPEC).is_file()
    assert CHECKS[rule_id] == dict(rule.checks)
    # Lines in the whole set's usual pod (policygen/usual.py) exactly where the rule says when they apply;
    # a pod rule without them leaves every spec's main.violations asking every rule.
    assert (rule.folder / "usual.rego.jinja").is_file() == (rule.usual is not None)
    assert rule.usual is None or (rule.renders_in("rego") and "Pod" in rule_kinds(rule_id))
    # And its CEL policies' usual case (tests/test_usual_cel.py) where the same predicate says.
    assert (rule.folder / "usual.cel.jinja").is_file() == (rule.usual is not None)
    assert rule.usual is None or rule.cel_template is not None


def test_backends_read_their_gaps_from_the_rule_folders():
    assert REGO_UNSUPPORTED == {r.rule_id for r in RULES if not r.renders_in("rego")} == {"SC012"}
    assert VAP_UNSUPPORTED == {r.rule_id for r in RULES if not r.renders_in("vap")} == {"SC012"}
    assert set(CEL_RULE_IDS) == set(ALL_RULE_IDS) - VAP_UNSUPPORTED


@pytest.mark.parametrize("rule_id", [r for r in ALL_RULE_IDS if r != "SC012"])
def test_sources_emit_only_their_own_checks_and_every_check_somewhere(rule_id):
    rule = REGISTRY[rule_id]
    rego = (rule.folder / REGO_SOURCE).read_text()
    cel = (rule.folder / CEL_SOURCE).read_text()
    in_rego = set(_REGO_STRING.findall(rego)) & set(rule.checks)
    cel_codes = _CEL_CHECK.findall(cel)
    assert {r for r, _ in cel_codes} <= {rule_id}, cel_codes
    in_cel = {c for _, c in cel_codes}
    assert in_cel <= set(rule.checks), in_cel - set(rule.checks)
    # The same checks in both languages: a CEL rule that lost a check fails here before parity does.
    assert in_rego == in_cel, {"only in Rego": in_rego - in_cel, "only in CEL": in_cel - in_rego}
    # Shared library code (templates/rego/lib, templates/cel/lib) reports the malformed-shape checks of some rules.
    assert set(rule.checks) - in_rego <= {c for c in rule.checks if c.endswith("-malformed")}, set(rule.checks) - in_rego


def _rule_plan(rule_id):
    return pg.build_plan(pg.load_spec(REGISTRY[rule_id].folder / RULE_SPEC))


@pytest.mark.parametrize("rule_id", ALL_RULE_IDS)
def test_every_rule_has_a_spec_of_its_own_that_switches_it_on(rule_id):
    plan = _rule_plan(rule_id)
    assert rule_id in plan.rule_ids
    mine = [c for c in cases_for(plan) if c.rule_id == rule_id]
    # SC012's failing cases need a registry (tests/test_signatures.py).
    assert (any(c.fails for c in mine) or rule_id == "SC012") and any(not c.fails for c in mine), [c.name for c in mine]
    # Every failing case names the sub-checks it must trip, from the rule's own.
    assert all(set(c.checks) <= set(REGISTRY[rule_id].checks) for c in mine)


@pytest.mark.parametrize("engine", ["opa", "vap"])
def test_each_rule_spec_proves_its_own_cases(judge, engine):
    """Each rule under the smallest spec that switches it on: its cases hold in the engine, rule by rule."""
    wrong = []
    for rule_id in ALL_RULE_IDS:
        plan = _rule_plan(rule_id)
        samples, by_index = cases_as_samples(plan)
        verdicts = judge(engine, plan, f"rule-spec-{rule_id}", samples)
        for i, case in by_index.items():
            wrong += [f"{rule_id} spec: {miss}" for miss in case_misses(case, verdicts[i])]
    assert wrong == []


def test_rendering_leaves_the_shared_cases_as_they_are(reference_plan):
    """cases_for builds a plan's cases once and hands every reader the same objects: no backend may change them."""
    before = json.dumps([(c.resource, c.namespaces) for c in cases_for(reference_plan)], sort_keys=True)
    pg.render_all(reference_plan)
    assert json.dumps([(c.resource, c.namespaces) for c in cases_for(reference_plan)], sort_keys=True) == before
