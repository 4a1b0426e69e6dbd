"""Every engine says the same: verdict and set of rule IDs, resource by resource.

OPA is the reference point; conftest, gator, kyverno (ValidatingPolicies) and vap
(ValidatingAdmissionPolicies, offline) are compared with it on
the shared corpus, every generated fixture, the labelled reference samples and
malicious mutations of the corpus. A rule an engine cannot evaluate (listed in
its notEvaluated, like SC012 outside Kyverno) is left out of that comparison;
documented exceptions live in EXCEPTIONS, each with its reason in the README.
"""

from __future__ import annotations

import pytest


from .conftest import cases_as_samples

OTHER_ENGINES = ["conftest", "gator", "kyverno", "vap"]
# (engine, rule ID) pairs whose differences are documented in the README.
EXCEPTIONS: set[tuple[str, str]] = set()


def _compare(reference, other, engine):
    differ = []
    for a, b in zip(reference, other, strict=True):
        skip = set(a.not_evaluated) | set(b.not_evaluated) | {r for e, r in EXCEPTIONS if e == engine}
        ra, rb = a.rules - skip, b.rules - skip
        if ra != rb:
            differ.append(f"{a.file}#{a.index} {a.kind} {a.namespace}/{a.name}: opa {sorted(ra) or 'allow'} vs {engine} {sorted(rb) or 'allow'}")
    return differ


def test_every_mutation_trips_its_rule_in_opa(judge, corpus_plan, mutation_set):
    samples, rules = mutation_set
    verdicts = judge("opa", corpus_plan, "mutations", samples)
    missed = [f"{v.file} on {v.kind}/{v.name}: no {rule} in {sorted(v.rules)}" for v, rule in zip(verdicts, rules) if rule not in v.rules]
    assert missed == []
    assert len(verdicts) >= 100


def test_edge_cases_in_opa(judge, reference_plan, edge_set):
    samples, expected = edge_set
    verdicts = judge("opa", reference_plan, "edges", samples)
    wrong = [f"{v.file}: expected {sorted(want)}, got {[x.message for x in v.violations]}"
             for v, want in zip(verdicts, expected) if v.rules != want]
    assert wrong == []
    assert len(verdicts) == len(expected) >= 10


@pytest.mark.parametrize("engine", OTHER_ENGINES)
@pytest.mark.parametrize("dataset", ["corpus", "mutations", "fixtures", "reference-samples", "malformed", "edges"])
def test_engines_agree_with_opa(engine, dataset, judge, corpus_plan, reference_plan, corpus_samples, mutation_set,
                                reference_samples, malformed_set, edge_set):
    if dataset == "corpus":
        plan, samples = corpus_plan, corpus_samples
    elif dataset == "mutations":
        plan, samples = corpus_plan, mutation_set[0]
    elif dataset == "fixtures":
        plan, samples = reference_plan, cases_as_samples(reference_plan)[0]
    elif dataset == "edges":
        plan, samples = reference_plan, edge_set[0]
    elif dataset == "malformed":
        plan, samples = reference_plan, malformed_set
    else:
        plan, samples = reference_plan, reference_samples
    reference = judge("opa", plan, dataset, samples)
    other = judge(engine, plan, dataset, samples)
    assert len(reference) > 0 and len(other) == len(reference)
    differ = _compare(reference, other, engine)
    assert differ == [], f"{len(differ)} of {len(reference)} resources differ:\n" + "\n".join(differ[:60])
