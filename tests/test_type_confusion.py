"""Type confusion never fails open: a denied resource stays denied whatever shape its fields take.

Every field that a rule reads, in every denied reference sample and every
failing generated fixture, is replaced with each wrong shape
(tests/adversarial/type_confusion.py). Wherever an engine denies the
well-formed original, it must deny the mutant too, and no mutant is left out
of any engine's judgement: what an engine cannot load is denied with rule
ENGINE, check unjudged, and the reason. One batched run per engine and
session; no batch may fail (a failed batch is bisected by the runner and
shows as an ENGINE verdict whose reason is not a refusal made up front).

Size (all seeded, SEED below): the full cross product is about 112,000
mutants of ~150 originals. Each engine judges a seeded sample that holds one
mutant of each (field, shape) pair, then of each (rule, field, shape) triple:

* ``POLICYGEN_FUZZ_MUTANTS`` (default 4500): OPA and conftest. About a
  minute each of CPU on 2 cores.
* ``POLICYGEN_FUZZ_GATOR_MUTANTS`` (default 1000): gator, a seeded subset of
  the same sample that still holds every (field, shape) pair; its
  AdmissionReviews go through ``gator verify``, one case per template and
  check code, which costs most.
* ``POLICYGEN_FUZZ_KYVERNO_MUTANTS`` (default 2000): Kyverno (tools/kyvernocheck),
  a seeded subset of the same sample, as large as the VAP one. With
  ``POLICYGEN_KYVERNO_JUDGE=cli``, which compiles every policy again for each
  resource and judges a few resources a second, set it to about 200.
* ``POLICYGEN_FUZZ_VAP_MUTANTS`` (default 2000): the ValidatingAdmissionPolicies
  in celcheck, a seeded subset; an object whose metadata the API server
  could not decode, and that no policy denies, is denied as such
  (policygen/objectmeta.py).
* ``POLICYGEN_FUZZ_ENGINES`` (default ``opa,conftest,gator,vap,kyverno``): the
  engines judged; a subset runs only those.

The largest sample also judges every original, so every engine that judges it
proves each one denied; a subset judges only the originals its mutants come from.

Every run prints, per engine: mutants generated, judged, refused as bad input,
denied as unloadable, batch failures, fail-opens, and judged/fail-open per rule.

Fields each rule reads, and so must be mutated in originals denied for it
(``field`` as type_confusion.py names it: ``key``, ``key[]`` for an item of
a list, ``key.*`` for a value of a map), checked by
test_every_rule_has_its_read_fields_mutated: see RULE_FIELDS.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pytest

from policygen.engines.gator.objects import UNLOADABLE
from policygen.engines.kyverno import NAMELESS
from policygen.objectmeta import UNDECODABLE
from policygen.engines.opa import OpaEngine
from policygen.errors import InputError
from policygen.fixtures import cases_for
from policygen.output import write_tree
from policygen.pipeline import render_all
from policygen.samples import Resource, SampleSet, _admission_review, _plain_review
from policygen.verdicts import ENGINE_RULE

from .conftest import ROOT, require_tool
from .test_parity import kyverno_named_agrees, kyverno_names_it
from .adversarial.type_confusion import Mutant, field_types, mutants_of, sample

SEED = 20261202


def _env_count(name: str, default: int) -> int:
    text = os.environ.get(name, "")
    if not text:
        return default
    if not text.isdigit() or int(text) < 1:
        raise pytest.UsageError(f"{name}={text!r}: a positive whole number of mutants")
    return int(text)


MUTANTS = _env_count("POLICYGEN_FUZZ_MUTANTS", 4500)
# Each engine's sample size; the smaller ones are seeded subsets of the largest.
ENGINE_MUTANTS = {
    "opa": MUTANTS,
    "conftest": MUTANTS,
    # gator verify judges each AdmissionReview once per (template, check code): a quarter of the
    # sample still holds every (field, shape) pair (about 580), at about the Rego engines' cost.
    "gator": min(MUTANTS, _env_count("POLICYGEN_FUZZ_GATOR_MUTANTS", 1000)),
    "kyverno": min(MUTANTS, _env_count("POLICYGEN_FUZZ_KYVERNO_MUTANTS", 2000)),
    # celcheck judges the whole batch in one process; half the sample still holds every (field, shape) pair.
    "vap": min(MUTANTS, _env_count("POLICYGEN_FUZZ_VAP_MUTANTS", 2000)),
}
ENGINES = [e for e in os.environ.get("POLICYGEN_FUZZ_ENGINES", "opa,conftest,gator,vap,kyverno").split(",") if e]
if unknown := [e for e in ENGINES if e not in ENGINE_MUTANTS]:
    raise pytest.UsageError(f"POLICYGEN_FUZZ_ENGINES: unknown engine(s) {unknown}; choose from {sorted(ENGINE_MUTANTS)}")

# What each rule reads (policygen/rules/<id>/rule.rego.jinja, SPEC.md). Pod rules also see every
# container field through their originals; these are the ones that decide them.
POD_LISTS = {"containers", "containers[]", "initContainers", "initContainers[]", "name", "image", "spec", "metadata"}
RULE_FIELDS: dict[str, set[str]] = {
    "SC001": POD_LISTS,
    "SC002": POD_LISTS,
    "SC003": POD_LISTS | {"ephemeralContainers", "ephemeralContainers[]", "restartPolicy", "annotations",
                          "annotations.*", "namespace"},
    "SC004": POD_LISTS | {"securityContext", "capabilities", "add", "add[]", "drop", "drop[]", "privileged",
                          "allowPrivilegeEscalation", "runAsUser", "runAsGroup", "runAsNonRoot",
                          "readOnlyRootFilesystem", "template", "jobTemplate"},
    "SC005": POD_LISTS | {"args", "args[]", "command", "command[]", "env", "env[]", "value", "valueFrom",
                          "envFrom", "envFrom[]"},
    "SC006": POD_LISTS | {"volumes", "volumes[]", "volumeMounts", "volumeMounts[]", "hostPath", "path"},
    "SC007": POD_LISTS | {"resources", "limits", "limits.*", "requests", "requests.*"},
    "SC008": POD_LISTS | {"annotations", "annotations.*"},
    "SC009": POD_LISTS | {"labels", "labels.*", "annotations.*", "namespace", "selector", "matchLabels"},
    "SC010": POD_LISTS | {"securityContext", "runAsUser", "runAsGroup", "capabilities", "add", "add[]",
                          "privileged"},
    "SC011": POD_LISTS | {"hostNetwork", "hostPID", "hostIPC", "shareProcessNamespace"},
    "CP001": {"metadata", "name", "webhooks", "webhooks[]", "clientConfig", "service", "url", "path",
              "failurePolicy", "rules", "rules[]", "operations", "operations[]", "resources", "resources[]",
              "apiGroups", "apiGroups[]"},
    "CP002": {"metadata", "name", "namespace", "operation", "userInfo", "username", "groups", "groups[]"},
    "CP003": {"metadata", "name", "namespace", "spec", "mtls", "mode", "portLevelMtls", "portLevelMtls.*",
              "selector", "matchLabels", "matchLabels.*"},
    "CP004": {"metadata", "name", "labels", "labels.*"},
    "CP005": {"metadata", "name", "rules", "rules[]", "verbs", "verbs[]", "resources", "resources[]",
              "apiGroups", "apiGroups[]"},
}
# Rules with no field mutated, and why (never silently).
NOT_FUZZED = {"SC012": "the image signature is checked against a registry by Kyverno's verifyImages only (test_signatures.py)"}


@dataclass
class Fuzz:
    total: int  # every mutant of every original, before sampling
    samples: SampleSet
    mutants: list[tuple[int, int, Mutant]]  # (mutant index, reference index, mutant)
    originals: list[int]  # indexes of the well-formed originals
    refused: list[Mutant]  # mutants the sample loader refuses as bad input


def _originals(reference_samples, plan) -> list[tuple[str, str, dict]]:
    found = []
    for res in reference_samples.resources:
        if res.expect is not None and not res.expect.allowed:
            # Named relative to the repository, so that the seeded sample is the same from any checkout.
            label = f"{os.path.relpath(res.file, ROOT)}#{res.index}"
            found.append((label, "+".join(sorted(res.expect.rules)), res.source))
    for case in cases_for(plan):
        if case.fails:
            found.append((f"fixture:{case.rule_id}:{case.name}", case.rule_id, case.resource))
    return found


def _review(doc: dict, where: str) -> dict:
    if doc.get("kind") == "AdmissionReview":
        return _admission_review(doc, "type-confusion", where)
    return _plain_review(doc)


def _well_formed(reference_samples, plan) -> list[dict]:
    docs = [res.source for res in reference_samples.resources if res.expect is not None and res.expect.allowed]
    return docs + [case.resource for case in cases_for(plan) if not case.fails]


def _all_mutants(reference_samples, plan) -> list[Mutant]:
    types = field_types(_well_formed(reference_samples, plan))
    return [m for origin, rule, doc in _originals(reference_samples, plan) for m in mutants_of(origin, rule, doc, types)]


def _assemble(reference_samples, plan, chosen: list[Mutant], total: int, *, all_originals: bool = True) -> Fuzz:
    """The batch one engine judges; a subset sample may carry only the originals its mutants come from."""
    resources: list[Resource] = []
    # Namespace objects of the samples: the inventory that selects mesh namespaces by label.
    for res in reference_samples.resources:
        if res.kind == "Namespace" and (res.expect is None or res.expect.allowed):
            resources.append(Resource(f"context:{res.label}", len(resources), res.review, res.source))
    index_of: dict[str, int] = {}

    def add(doc: dict, label: str) -> int:
        key = json.dumps(doc, sort_keys=True)
        if key not in index_of:
            index_of[key] = len(resources)
            resources.append(Resource(label, len(resources), _review(doc, label), doc, None, doc.get("kind") == "AdmissionReview"))
        return index_of[key]

    wanted = {m.origin for m in chosen}
    originals = [add(doc, f"original:{origin}") for origin, _, doc in _originals(reference_samples, plan)
                 if all_originals or origin in wanted]
    pairs, refused = [], []
    for m in chosen:
        try:
            review = _review(m.doc, m.name)
        except InputError:
            refused.append(m)  # bad input: policygen exits 2 on it, no engine sees it
            continue
        ref = add(m.reference, f"reference:{m.name}")
        resources.append(Resource(f"mutant:{m.name}", len(resources), review, m.doc, None,
                                  m.doc.get("kind") == "AdmissionReview"))
        pairs.append((len(resources) - 1, ref, m))
    return Fuzz(total, SampleSet(resources), pairs, originals, refused)


@pytest.fixture(scope="session")
def all_mutants(reference_samples, reference_plan) -> list[Mutant]:
    return _all_mutants(reference_samples, reference_plan)


@pytest.fixture(scope="session")
def fuzz_sets(reference_samples, reference_plan, all_mutants):
    """The fuzz set of a given size, built once per size; smaller ones are subsets of the largest."""
    largest = sample(all_mutants, max(ENGINE_MUTANTS.values()), SEED)
    built: dict[int, Fuzz] = {}

    def of_size(limit: int) -> Fuzz:
        if limit not in built:
            chosen = largest if limit >= len(largest) else sample(largest, limit, SEED + 1)
            # The largest sample proves every original denied; a subset (a slow engine's) judges only its own.
            built[limit] = _assemble(reference_samples, reference_plan, chosen, len(all_mutants),
                                     all_originals=chosen is largest)
        return built[limit]

    return of_size


def fail_opens(verdicts, fuzz: Fuzz) -> list[tuple[Mutant, str]]:
    """Mutants an engine allows although it denies the resource they are judged against."""
    return [
        (m, f"{m.name} ({m.field}/{m.shape}): reference denied for {sorted(verdicts[ref].rules)}, mutant allowed")
        for i, ref, m in fuzz.mutants
        if not verdicts[ref].allowed and verdicts[i].allowed
    ]


def _engine_verdicts(verdicts) -> tuple[list[int], list[int]]:
    """(refused up front, failed in a batch): indexes of verdicts that carry an ENGINE violation."""
    refused, failed = [], []
    for i, v in enumerate(verdicts):
        engine = [x for x in v.violations if x.rule == ENGINE_RULE]
        if engine:
            (refused if all(any(m in x.message for m in (UNLOADABLE, UNDECODABLE, NAMELESS)) for x in engine) else failed).append(i)
    return refused, failed


@pytest.mark.parametrize("engine", ENGINES)
def test_no_type_confusion_fails_open(engine, judge, reference_plan, fuzz_sets, capsys):
    fuzz = fuzz_sets(ENGINE_MUTANTS[engine])
    verdicts = judge(engine, reference_plan, f"type-confusion-{ENGINE_MUTANTS[engine]}", fuzz.samples)
    assert len(verdicts) == len(fuzz.samples.resources)
    # Self-check: a mutant proves something only if its original is denied here.
    # An original the engine says it could not judge (the Kyverno CLI and an UPDATE's own oldObject) proves nothing.
    not_denied = [fuzz.samples.resources[i].file for i in fuzz.originals
                  if verdicts[i].allowed and not set(verdicts[i].not_evaluated) - {"SC012"}]
    assert not_denied == [], f"{engine} allows originals that the samples say it denies"
    found = fail_opens(verdicts, fuzz)
    refused, failed = _engine_verdicts(verdicts)
    per_rule = Counter(r for _, _, m in fuzz.mutants for r in m.rule.split("+"))
    open_rule = Counter(r for m, _ in found for r in m.rule.split("+"))
    with capsys.disabled():
        print(f"\ntype confusion [{engine}]: {fuzz.total} mutants generated, {len(fuzz.mutants)} judged "
              f"(seed {SEED}), {len(fuzz.refused)} refused as bad input (exit 2), "
              f"{len(refused)} denied as unloadable by the engine, {len(failed)} batch failures, {len(found)} fail-open")
        print("  per rule (judged/fail-open): " + ", ".join(f"{r} {n}/{open_rule[r]}" for r, n in sorted(per_rule.items())))
    assert found == [], f"{len(found)} mutants fail open in {engine}:\n" + "\n".join(text for _, text in found[:80])
    failures = [f"{fuzz.samples.resources[i].file}: {verdicts[i].violations[0].message[:300]}" for i in failed]
    assert failures == [], f"{engine} failed on batches, pinned by bisection on:\n" + "\n".join(failures[:40])


@pytest.mark.parametrize("engine", [e for e in ENGINES if e != "opa"])
def test_every_engine_finds_what_opa_finds_in_each_mutant(engine, judge, reference_plan, fuzz_sets, capsys):
    """The same (rule, check) pairs as OPA on every resource both judge (an engine's sample is a subset of
    OPA's). An engine that refused a resource up front (ENGINE, unjudged: it cannot load or decode it, or
    the Kyverno CLI cannot name it) must deny it where OPA does; its check set is then unknown. The Kyverno
    CLI judges an object without a name of its own under one the adapter gives it: OPA's verdict, and
    no check OPA does not find (test_parity.kyverno_names_it)."""
    if "opa" not in ENGINES:
        pytest.skip("POLICYGEN_FUZZ_ENGINES leaves out opa, the reference")
    ours = fuzz_sets(ENGINE_MUTANTS[engine])
    theirs = fuzz_sets(ENGINE_MUTANTS["opa"])
    verdicts = judge(engine, reference_plan, f"type-confusion-{ENGINE_MUTANTS[engine]}", ours.samples)
    opa = judge("opa", reference_plan, f"type-confusion-{ENGINE_MUTANTS['opa']}", theirs.samples)
    by_label = {res.file: v for res, v in zip(theirs.samples.resources, opa)}
    refused = set(_engine_verdicts(verdicts)[0])
    differ, compared = [], 0
    for i, (res, v) in enumerate(zip(ours.samples.resources, verdicts)):
        o = by_label.get(res.file)
        if o is None or res.file.startswith("context:"):
            continue
        compared += 1
        skip = set(o.not_evaluated) | set(v.not_evaluated)
        if i in refused:
            if o.allowed != v.allowed:
                differ.append(f"{res.file}: opa {sorted(o.checks) or 'allow'} vs {engine} {sorted(v.checks)}")
            continue
        if engine == "kyverno" and kyverno_names_it(res):
            if not kyverno_named_agrees(o, v):
                differ.append(f"{res.file} (no name of its own): opa {sorted(o.checks) or 'allow'} vs kyverno {sorted(v.checks)}")
            continue
        if {c for c in o.checks if c[0] not in skip} != {c for c in v.checks if c[0] not in skip}:
            differ.append(f"{res.file}: opa {sorted(o.checks) or 'allow'} vs {engine} {sorted(v.checks) or 'allow'}")
    with capsys.disabled():
        print(f"\ntype confusion [{engine}]: {compared} resources compared with opa, {len(refused)} refused up front, "
              f"{len(differ)} differ")
    assert compared >= 900
    assert differ == [], f"{len(differ)} differ:\n" + "\n".join(differ[:60])


def test_fuzzer_covers_every_shape(fuzz_sets, all_mutants):
    """The fuzzer finds mutants at all, of every shape, and the sample is the size asked for."""
    fuzz = fuzz_sets(MUTANTS)
    shapes = {m.shape for m in all_mutants}
    assert {"string", "map", "list-of-strings", "null", "bool", "float-whole", "float-fraction",
            "int-negative", "int-2^63", "int-2^64", "empty-string", "nested-list"} <= shapes
    assert len(all_mutants) > 50_000
    assert len(fuzz.mutants) + len(fuzz.refused) == min(MUTANTS, len(all_mutants))
    # An AdmissionReview whose operation is no operation is bad input, never judged.
    assert all(m.field == "operation" for m in fuzz.refused)
    pairs = {(m.field, m.shape) for m in all_mutants}
    for engine in ENGINES:
        if ENGINE_MUTANTS[engine] >= 1000:  # the defaults of opa, conftest and gator hold every (field, shape) pair
            subset = fuzz_sets(ENGINE_MUTANTS[engine])
            judged = {(m.field, m.shape) for _, _, m in subset.mutants} | {(m.field, m.shape) for m in subset.refused}
            assert pairs <= judged, f"{engine}: (field, shape) pairs missing from its sample: {sorted(pairs - judged)[:20]}"


def _fields_by_rule(mutants) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for m in mutants:
        for rule in m.rule.split("+"):
            found[rule].add(m.field)
    return found


def test_every_rule_has_its_read_fields_mutated(reference_plan, all_mutants, fuzz_sets):
    """Every rule ID of the plan has mutated fields, and every field it reads is among them (RULE_FIELDS)."""
    rules = {r.rule_id for r in reference_plan.rules}
    assert rules == set(RULE_FIELDS) | set(NOT_FUZZED), "a rule was added or removed: list the fields it reads in RULE_FIELDS"
    population = _fields_by_rule(all_mutants)
    missing = {rule: sorted(fields - population.get(rule, set())) for rule, fields in RULE_FIELDS.items()}
    assert {r: f for r, f in missing.items() if f} == {}, "fields a rule reads that no original denied for it offers to mutate"
    fuzz = fuzz_sets(MUTANTS)
    judged = _fields_by_rule([m for _, _, m in fuzz.mutants] + fuzz.refused)
    assert sorted(r for r in RULE_FIELDS if not judged.get(r)) == [], "a rule ID has no mutated field in the judged sample"
    triples = {(m.rule, m.field, m.shape) for m in all_mutants}
    if "POLICYGEN_FUZZ_MUTANTS" not in os.environ:
        assert MUTANTS >= len(triples), "raise the default of POLICYGEN_FUZZ_MUTANTS: it must hold every (rule, field, shape) triple"
    if MUTANTS >= len(triples):
        gaps = {rule: sorted(fields - judged.get(rule, set())) for rule, fields in RULE_FIELDS.items()}
        assert {r: f for r, f in gaps.items() if f} == {}


def test_an_unfixed_policy_is_caught(reference_samples, reference_plan, all_mutants):
    """The test can fail: with one fix undone (a UID read as any number), the fuzzer finds fail-opens in OPA."""
    require_tool("opa")
    mutants = [m for m in all_mutants if m.rule == "SC010" and m.field in ("runAsUser", "runAsGroup")]
    fuzz = _assemble(reference_samples, reference_plan, mutants, len(all_mutants))
    files = render_all(reference_plan, ["rego"])
    path = PurePosixPath("rego/lib/rules/sc010.rego")
    fix = "\tfloor(value) == value\n\tvalue >= 0\n\tvalue <= 2147483647\n"
    assert fix in files[path], "the SC010 identity fix moved; point this self-check at it again"
    files[path] = files[path].replace(fix, "")
    assert len(fuzz.mutants) >= 50
    with tempfile.TemporaryDirectory() as tmp:
        dist = Path(tmp) / "dist"
        write_tree(files, dist)
        verdicts = OpaEngine().evaluate(dist, reference_plan, fuzz.samples)  # its own server: the shared one keeps the real policy
    found = [text for _, text in fail_opens(verdicts, fuzz)]
    assert any("float-fraction" in f for f in found) and any("int-2^64" in f for f in found), found


def test_gator_denies_what_it_cannot_load_and_judges_the_rest(reference_plan, reference_samples):
    """A Namespace whose metadata gator cannot decode fails a whole gator run; the adapter denies it alone."""
    require_tool("gator")
    from policygen.engines.gator import GatorEngine

    denied = next(r for r in reference_samples.resources
                  if r.kind == "Pod" and r.expect is not None and r.expect.rules == frozenset({"SC011"}))
    bad = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "payments", "labels": {"istio-injection": 1}}}
    also_bad = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "fuzz-ns", "generation": "1"}}
    resources = [Resource("bad", 0, _plain_review(bad), bad), Resource("pod", 1, denied.review, denied.source),
                 Resource("also-bad", 2, _plain_review(also_bad), also_bad)]
    with tempfile.TemporaryDirectory() as tmp:
        dist = Path(tmp) / "dist"
        write_tree(render_all(reference_plan, ["gatekeeper"]), dist)
        verdicts = GatorEngine().evaluate(dist, reference_plan, SampleSet(resources))
    for verdict, problem in ((verdicts[0], "metadata.labels is not a map of strings"), (verdicts[2], "metadata.generation")):
        assert not verdict.allowed and [(v.rule, v.check) for v in verdict.violations] == [(ENGINE_RULE, "unjudged")]
        assert UNLOADABLE in verdict.violations[0].message and problem in verdict.violations[0].message
        assert "the API server would refuse" in verdict.violations[0].message
    assert verdicts[1].rules == {"SC011"}
