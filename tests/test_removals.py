"""Taking a field away: every engine says the same, and what the API server requires is no way through.

Removal mutants (tests/adversarial/removals.py): one key a rule reads, or one
item of a list a rule reads, taken out of a labelled reference sample or a
generated fixture, allowed and denied alike. The full population is about
34,000; each engine judges the same seeded sample of ``REMOVALS``
(tests/conftest.py) in one batched run per session, beside every original;
gator a seeded subset of ``GATOR_REMOVALS`` that still holds every (field,
denied) pair.

The Kyverno CLI needs a name: an object without a name of its own (or
without a metadata mapping) is judged under one the adapter gives it, or not
at all (``ENGINE``, unjudged). There it must get OPA's verdict, with no check
OPA does not find (README, Known limits).
"""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path, PurePosixPath

import pytest

from policygen.engines.opa import OpaEngine
from policygen.output import write_tree
from policygen.pipeline import render_all

from .adversarial.removals import every_removal
from .adversarial.type_confusion import READ_KEYS
from .conftest import GATOR_REMOVALS, REMOVALS, require_tool
from .test_parity import OTHER_ENGINES, _compare, kyverno_named_agrees, kyverno_names_it

ENGINES = ["opa", *OTHER_ENGINES]


def _judged(judge, engine: str, plan, removal_sets):
    """(the removal set this engine judges, its verdicts on it)."""
    if engine == "gator":
        return removal_sets[1], judge(engine, plan, "removals-gator", removal_sets[1].samples)
    return removal_sets[0], judge(engine, plan, "removals", removal_sets[0].samples)


@pytest.mark.parametrize("engine", OTHER_ENGINES)
def test_every_engine_agrees_with_opa_on_removals(engine, judge, reference_plan, removal_sets, capsys):
    removals, other = _judged(judge, engine, reference_plan, removal_sets)
    resources = removals.samples.resources
    if engine == "gator":
        reference = judge("opa", reference_plan, "removals-gator", removals.samples)
    else:
        reference = judge("opa", reference_plan, "removals", removals.samples)
    assert len(other) == len(reference) == len(resources)
    apart = [i for i, res in enumerate(resources) if engine == "kyverno" and kyverno_names_it(res)]
    kept = [i for i in range(len(resources)) if i not in set(apart)]
    differ = _compare([reference[i] for i in kept], [other[i] for i in kept], engine)
    for i in apart:
        if not kyverno_named_agrees(reference[i], other[i]):
            differ.append(f"{resources[i].file} (no name of its own): opa {sorted(reference[i].checks) or 'allow'} "
                          f"vs kyverno {sorted(other[i].checks) or 'allow'}")
    flips = Counter(r.field for i, o, r in removals.pairs if not reference[o].allowed and reference[i].allowed)
    with capsys.disabled():
        print(f"\nremovals [{engine}]: {removals.total} generated, {len(removals.pairs)} judged, "
              f"{len(apart)} nameless, {len(differ)} differ from opa; denied originals that opa allows "
              f"without the field, by field: {dict(flips.most_common(8))}")
    assert differ == [], f"{len(differ)} of {len(reference)} resources differ:\n" + "\n".join(differ[:60])


@pytest.mark.parametrize("engine", ENGINES)
def test_no_required_field_taken_away_lets_a_denied_pod_through(engine, judge, reference_plan, removal_sets):
    """A pod spec without containers, a container without a name or an image: denied wherever the original is."""
    removal_set, verdicts = _judged(judge, engine, reference_plan, removal_sets)
    required = [(i, o, r) for i, o, r in removal_set.pairs if r.required]
    judged = [(i, r) for i, o, r in required if not verdicts[o].allowed]
    through = [f"{r.name}: original denied for {sorted(verdicts[o].rules)}, allowed without it"
               for i, o, r in required if not verdicts[o].allowed and verdicts[i].allowed]
    assert len(judged) >= (200 if engine == "gator" else 500), "too few removals of required fields from denied originals"
    assert {r.at[-1] for _, r in judged} == {"containers", "name", "image"}
    assert through == [], f"{len(through)} in {engine}:\n" + "\n".join(through[:40])


def test_the_removal_population_covers_what_the_rules_read(reference_samples, reference_plan, removal_sets):
    removal_set, subset = removal_sets
    everything = every_removal(reference_samples, reference_plan)
    assert len(everything) > 30_000 and removal_set.total == len(everything)
    assert removal_set.refused == subset.refused == []
    assert (len(removal_set.pairs), len(subset.pairs)) == (REMOVALS, GATOR_REMOVALS)
    fields = {r.field for r in everything}
    # Every key a rule reads that the originals carry is removed somewhere, each list item kind too.
    assert {"image", "name", "containers", "containers[]", "initContainers[]", "securityContext", "env[]",
            "volumes[]", "annotations.*", "labels.*", "limits.*", "webhooks[]", "rules[]", "verbs[]"} <= fields
    assert {f for f in fields if not f.endswith(("[]", ".*"))} <= READ_KEYS | {"namespace"}
    # Either sample holds every (field, denied-or-allowed original) pair of the population.
    pairs = {(r.field, r.denied) for r in everything}
    assert pairs <= {(r.field, r.denied) for _, _, r in removal_set.pairs}
    assert pairs <= {(r.field, r.denied) for _, _, r in subset.pairs}


def test_the_agreement_check_catches_an_image_less_container_let_through(judge, reference_plan, removal_set):
    """The test can fail: with SC003 reading an app container's image as in d3eeaa8 (a container without
    an image left unjudged), OPA allows removals that the VAPs deny."""
    require_tool("opa")
    files = render_all(reference_plan, ["rego"])
    path = PurePosixPath("rego/lib/rules/sc003.rego")
    fixed = 'images.plainly_other(object.get(entry.container, "image", null)'
    assert fixed in files[path], "SC003's image read moved; point this self-check at it again"
    files[path] = files[path].replace(fixed, "images.plainly_other(entry.container.image")
    with tempfile.TemporaryDirectory() as tmp:
        dist = Path(tmp) / "dist"
        write_tree(files, dist)
        broken = OpaEngine().evaluate(dist, reference_plan, removal_set.samples)
    vap = judge("vap", reference_plan, "removals", removal_set.samples)
    differ = _compare(broken, vap, "vap")
    assert any(d.startswith("removal:") and ".image#" in d for d in differ), differ[:5]
