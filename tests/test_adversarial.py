"""The hand-written evasions of samples/adversarial, judged in every engine.

Each engine judges the whole folder in one batched run per session; every
resource must get exactly the verdict its `# expect:` directive states (rule IDs
an engine reports as not evaluated aside). A denial that comes back "allowed" is
an evasion that got through; an allowed near miss that comes back denied is a
rule that is too coarse to deploy.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from .conftest import ADVERSARIAL_SAMPLES

ENGINES = ["opa", "conftest", "gator", "kyverno", "vap"]
RULE_FILE = re.compile(r"^(sc|cp)\d{3}$")
# (engine, file, resource name) -> the other verdict that engine may give today, and why.
# Still denied (never an evasion), but missing a rule the expectation names; the
# entry goes once the engine gives the expected set (either is accepted meanwhile).
KNOWN_SHORTFALLS: dict[tuple[str, str, str], tuple[frozenset[str], str]] = {
    # The Kyverno CLI reads an object whose metadata.namespace is not a string as one in no namespace,
    # outside every policy's match; the adapter denies it as one the API server would not decode.
    ("kyverno", "cp002.yaml", "istio-sidecar-injector"): (frozenset({"ENGINE"}), "kyverno CLI: namespace not a string"),
    ("kyverno", "sc003.yaml", "s3-namespace-list"): (frozenset({"ENGINE"}), "kyverno CLI: namespace not a string"),
    # The Kyverno CLI needs a name and admission sees none: in the injector's namespace the name decides
    # CP002, so the adapter denies the nameless write unjudged (engines/kyverno.py NAMELESS).
    ("kyverno", "cp002.yaml", ""): (frozenset({"ENGINE"}), "kyverno CLI: no name where CP002 reads it"),
    ("kyverno", "cp003.yaml", ""): (frozenset({"ENGINE"}), "kyverno CLI: no name where CP003 reads it"),
    # gator caches every Namespace as a typed object, and one whose label value is no string fails the whole
    # run; the adapter denies it unjudged instead (its namespace is still in the inventory, as a mesh namespace).
    ("gator", "scope.yaml", "adv-tier"): (frozenset({"ENGINE"}), "gator: a label value that is no string"),
}


@pytest.mark.parametrize("engine", ENGINES)
def test_every_evasion_is_denied_and_every_near_miss_allowed(judge, reference_plan, adversarial_samples, engine):
    verdicts = judge(engine, reference_plan, "adversarial", adversarial_samples)
    wrong, used = [], set()
    for res, verdict in zip(adversarial_samples.resources, verdicts, strict=True):
        assert res.expect is not None, f"{res.label}: no # expect: directive"
        want = res.expect.rules - set(verdict.not_evaluated)
        shortfall = KNOWN_SHORTFALLS.get((engine, Path(res.file).name, res.name))
        known = shortfall is not None and verdict.rules == shortfall[0] - set(verdict.not_evaluated)
        if known and verdict.rules != want:
            used.add((engine, Path(res.file).name, res.name))
        if verdict.rules != want and not known:
            wrong.append(f"{res.label} {res.kind} {res.namespace}/{res.name}: expected {res.expect.describe()}, "
                         f"got {sorted(verdict.rules) or 'allow'}")
        assert all(v.message.startswith((v.rule + "/", v.rule + " ")) for v in verdict.violations)
    assert wrong == []
    stale = sorted(k for k in KNOWN_SHORTFALLS if k[0] == engine and k not in used)
    assert stale == [], "the engine now gives the expected verdict: remove these KNOWN_SHORTFALLS entries"


def test_each_rule_has_five_evasions_and_five_near_misses(adversarial_samples):
    denials: Counter[str] = Counter()
    near_misses: Counter[str] = Counter()
    for res in adversarial_samples.resources:
        rule = Path(res.file).stem
        if not RULE_FILE.match(rule):
            continue
        if res.expect.allowed:
            near_misses[rule] += 1
        else:
            assert rule.upper() in res.expect.rules, f"{res.label}: a {rule} sample that does not deny {rule.upper()}"
            denials[rule] += 1
    files = sorted(p.stem for p in ADVERSARIAL_SAMPLES.glob("*.yaml") if RULE_FILE.match(p.stem))
    assert files == sorted([f"sc{i:03d}" for i in range(1, 12)] + [f"cp{i:03d}" for i in range(1, 6)])
    short = {rule: (denials[rule], near_misses[rule]) for rule in files if denials[rule] < 5 or near_misses[rule] < 5}
    assert short == {}, "rules with fewer than five evasions or five near misses: (evasions, near misses)"
