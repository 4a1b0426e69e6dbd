"""Removal mutants: one key a rule reads, or one item of a list a rule reads, taken out of a resource.

The type-confusion fuzzer (type_confusion.py) gives a field every wrong shape
but never takes it away, and compares each engine only with itself. An
image-less app container passed SC003 in the Rego for a while (f7823bf) and
it never noticed. Here every key a rule reads (type_confusion.READ_KEYS and
the values of READ_MAPS), and every item of a list a rule reads, is removed
in turn from the labelled reference samples and the generated fixtures,
allowed and denied alike: an attacker starts from a resource that passes as
often as from one that fails.

What a removal mutant must do (tests/test_removals.py, tests/test_parity.py):

* every engine gives it the verdict and (rule, check) set that OPA gives;
* a pod spec whose ``containers`` is taken away, or a container, init or
  ephemeral container whose ``name`` or ``image`` is (the API server refuses
  each), is denied wherever its original is: SPEC.md's fail closed, a missing
  field never lets through what fails with the field present.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from dataclasses import field as dc_field
from functools import cached_property
from pathlib import Path
from typing import Any

from policygen.errors import InputError
from policygen.fixtures import cases_for
from policygen.samples import Resource, SampleSet, _admission_review, _plain_review

from .type_confusion import Path_, _at, _copy, _delete, _roots, _show, _walk, stratified

ROOT = Path(__file__).resolve().parents[2]
CONTAINER_LISTS = frozenset({"containers", "initContainers", "ephemeralContainers"})
# What the API server refuses a container without: its absence is never a way through.
REQUIRED_IN_CONTAINER = frozenset({"name", "image"})


@dataclass(frozen=True)
class Removal:
    origin: str  # where the original comes from (sample file#index or fixture name)
    denied: bool  # what the original's label (or fixture) says of it
    path: str  # the removed key or item, e.g. spec.containers[1].image
    field: str  # type_confusion's unit: key, key[] for a list item, key.* for a map value
    original: dict[str, Any] = dc_field(repr=False, compare=False)
    at: Path_ = dc_field(default=(), repr=False, compare=False)

    @cached_property
    def doc(self) -> dict[str, Any]:
        mutated = _copy(self.original)
        _delete(mutated, self.at)
        return mutated

    @property
    def name(self) -> str:
        return f"{self.origin}:-{self.path}"

    @property
    def required(self) -> bool:
        """A pod spec's containers, a container's name or image: what the API server refuses a pod without."""
        if self.at[-1] == "containers":
            return True
        return (len(self.at) >= 3 and self.at[-1] in REQUIRED_IN_CONTAINER and isinstance(self.at[-2], int)
                and self.at[-3] in CONTAINER_LISTS)


def removals_of(origin: str, denied: bool, doc: dict[str, Any]) -> list[Removal]:
    """Every removal of one key a rule reads, or one item of a list a rule reads, from doc."""
    out = []
    for root in _roots(doc):
        top = _at(doc, root)
        # An AdmissionReview's operation is what makes it a request at all: without it, it is bad input.
        if root and root[-1] == "operation":
            continue
        parent = root[-1] if root and root[-1] == "userInfo" else None
        for path, field, _ in _walk(top, (), parent):
            out.append(Removal(origin, denied, _show(root + path), field, doc, root + path))
    return out


def sample(removals: list[Removal], limit: int, seed: int) -> list[Removal]:
    """A deterministic subset of at most limit removals: first one per (field, denied original), then each
    removal of what the API server requires from a denied original (they carry the second oracle), then
    one per (origin, field), then the rest, each stratum in a seeded order."""
    return stratified(removals, limit, seed, (
        lambda r: (r.field, r.denied),
        lambda r: (r.at[-1], r.origin) if r.required and r.denied else None,
        lambda r: (r.origin, r.field),
        lambda r: r.name,
    ))


@dataclass
class RemovalSet:
    samples: SampleSet
    pairs: list[tuple[int, int, Removal]]  # (mutant index, original index, removal)
    total: int  # every removal of every original, before sampling
    refused: list[Removal]  # bad input: policygen exits 2 on it, no engine sees it


def _review(doc: dict[str, Any], where: str) -> dict[str, Any]:
    if doc.get("kind") == "AdmissionReview":
        return _admission_review(doc, "removal", where)
    return _plain_review(doc)


def originals(reference_samples: SampleSet, plan) -> list[tuple[str, bool, dict[str, Any]]]:
    """(origin, denied, document) of every labelled reference sample and every generated fixture."""
    # Named relative to the repository, so that the seeded sample is the same from any checkout.
    found = [(f"{os.path.relpath(res.file, ROOT)}#{res.index}", not res.expect.allowed, res.source)
             for res in reference_samples.resources if res.expect is not None]
    return found + [(f"fixture:{case.rule_id}:{case.name}", case.fails, case.resource) for case in cases_for(plan)]


def every_removal(reference_samples: SampleSet, plan) -> list[Removal]:
    return [r for origin, denied, doc in originals(reference_samples, plan) for r in removals_of(origin, denied, doc)]


def assemble(reference_samples: SampleSet, plan, chosen: list[Removal], total: int, *, all_originals: bool = True
             ) -> RemovalSet:
    """One batch: the samples' and fixtures' Namespaces (the inventory), the originals (every one, or those
    of the chosen removals), the chosen removals. Judged on its own, so that a removal from a Namespace
    changes no other set's inventory."""
    resources: list[Resource] = []
    for res in reference_samples.resources:
        if res.kind == "Namespace" and (res.expect is None or res.expect.allowed):
            resources.append(Resource(f"context:{res.label}", len(resources), res.review, res.source))
    for case in cases_for(plan):
        for ns in case.namespaces.values():
            resources.append(Resource(f"context:fixture:{case.name}", len(resources), _plain_review(ns), ns))
    wanted = {r.origin for r in chosen}
    index: dict[str, int] = {}
    for origin, _, doc in originals(reference_samples, plan):
        if all_originals or origin in wanted:
            index[origin] = len(resources)
            resources.append(Resource(f"original:{origin}", len(resources), _review(doc, origin), doc, None,
                                      doc.get("kind") == "AdmissionReview"))
    pairs, refused = [], []
    for r in chosen:
        try:
            review = _review(r.doc, r.name)
        except InputError:
            refused.append(r)
            continue
        resources.append(Resource(f"removal:{r.name}", len(resources), review, r.doc, None,
                                  r.doc.get("kind") == "AdmissionReview"))
        pairs.append((len(resources) - 1, index[r.origin], r))
    return RemovalSet(SampleSet(resources), pairs, total, refused)
