"""What every engine adapter shares: running the engine, isolating what it cannot judge, building verdicts.

An engine run is batched: one process or one query judges many resources. A
resource the engine cannot judge (it errors on it, panics, times out, answers
something unexpected) must not take the rest of the batch with it, and must
not pass. So:

* an adapter's ``judge(resources)`` raises ``BatchFailed`` when the engine
  failed on the batch as a whole; ``isolate`` then bisects the batch until
  each failure is pinned on single resources, and every other resource is
  still judged;
* a resource that fails on its own gets a verdict of its own: denied, with one
  violation of rule ``ENGINE`` (check ``unjudged``) carrying the engine's reason;
* when anything failed, a canary (a plain ConfigMap no rule reads) is judged
  alone; if the engine fails on that too, it is dead for the whole run and
  ``EngineError`` is raised (exit status 3), rather than every resource being
  blamed for a broken engine.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import replace
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..checks import CHECKS
from ..errors import EngineError
from ..plan import Plan
from ..samples import Resource, SampleSet, UNTRUSTED_USER
from ..verdicts import Verdict, Violation, sorted_violations
from .base import verdict_shell

TIMEOUT = 600  # seconds for one engine process; a batch that takes longer is bisected

CANARY_OBJECT = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "policygen-canary", "namespace": "default"}}


class BatchFailed(EngineError):
    """The engine could not judge this batch; some resource in it may be the cause."""


Judge = Callable[[list[Resource]], list[list[Violation]]]


def run(argv: Sequence[str], *, cwd: Path | None = None, timeout: float = TIMEOUT) -> subprocess.CompletedProcess:
    """One engine process, argv list, output captured; a timeout is the batch's failure, not the run's."""
    argv = [str(a) for a in argv]
    try:
        return subprocess.run(argv, capture_output=True, text=True, cwd=cwd, timeout=timeout, errors="replace")
    except subprocess.TimeoutExpired as exc:
        raise BatchFailed(f"{Path(argv[0]).name} {argv[1]} did not finish within {timeout}s") from exc
    except OSError as exc:
        raise EngineError(f"cannot run {argv[0]}: {exc}") from exc


def tail(proc: subprocess.CompletedProcess, limit: int = 3000) -> str:
    return ((proc.stderr or "")[-limit:] + (proc.stdout or "")[-limit:]).strip()


def encodable(doc: Any) -> str | None:
    """The JSON an engine is given, or None when Python cannot encode it (too deep, not finite)."""
    try:
        return json.dumps(doc, allow_nan=False)
    except (ValueError, TypeError, RecursionError):
        return None


def _finite_numbers(value: Any, depth: int = 0) -> bool:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return True
    if isinstance(value, int):
        return abs(value) < 10**300  # within a float64, which some engines decode every number into
    if isinstance(value, float):
        return value == value and abs(value) != float("inf")
    if isinstance(value, dict):
        return all(_finite_numbers(v, depth + 1) for v in value.values())
    if isinstance(value, list):
        return all(_finite_numbers(v, depth + 1) for v in value)
    return False


def inventory_namespaces(samples: SampleSet) -> dict[str, Any]:
    """The Namespaces among the inputs that every engine can read as data.

    The inventory goes with every batch, so one Namespace an engine cannot
    decode would fail them all; such a Namespace is left out of it (it still
    gets its own verdict as a resource).
    """
    return {name: ns for name, ns in samples.namespaces.items() if encodable(ns) is not None and _finite_numbers(ns)}


def as_json(res: Resource) -> Resource | None:
    """The resource as engines receive it: plain JSON data (keys strings, no tuples), or None when it has no JSON form.

    YAML can give keys that are numbers or booleans; JSON makes them strings, as
    kubectl would send them, and every adapter then handles one data model.
    """
    source, review = encodable(res.source), encodable(res.review)
    if source is None or review is None:
        return None
    return replace(res, source=json.loads(source), review=json.loads(review))


def canary() -> Resource:
    obj = json.loads(json.dumps(CANARY_OBJECT))
    review = {"operation": "CREATE", "userInfo": dict(UNTRUSTED_USER), "object": obj, "oldObject": None, "namespace": ""}
    return Resource("policygen:canary", 0, review, obj)


def isolate(engine: str, resources: list[Resource], judge: Judge,
            unloadable: Callable[[Resource], str | None] | None = None) -> list[list[Violation]]:
    """Violations per resource, in order; what the engine cannot judge gets an ENGINE violation of its own.

    ``unloadable(resource)`` is the adapter's word on resources its engine is known
    to drop without a result or to fail a whole run on: those are never sent,
    and are denied with its reason instead of passing for want of a result.
    """
    out: list[list[Violation] | None] = [None] * len(resources)
    failed: list[int] = []

    def attempt(indices: list[int]) -> None:
        try:
            found = judge([resources[i] for i in indices])
            if len(found) != len(indices):
                raise BatchFailed(f"{engine} answered for {len(found)} of {len(indices)} resources")
        except BatchFailed as exc:
            if len(indices) == 1:
                out[indices[0]] = [Violation.engine_failure(engine, str(exc))]
                failed.append(indices[0])
                return
            half = len(indices) // 2
            attempt(indices[:half])
            attempt(indices[half:])
            return
        for i, violations in zip(indices, found, strict=True):
            out[i] = violations

    todo = []
    resources = list(resources)
    for i, res in enumerate(resources):
        plain = as_json(res)
        if plain is None:
            out[i] = [Violation.engine_failure(engine, "the resource cannot be encoded as JSON (too deeply nested or not finite)")]
            failed.append(i)
        elif unloadable is not None and (reason := unloadable(plain)) is not None:
            out[i] = [Violation.engine_failure(engine, reason)]
        else:
            resources[i] = plain
            todo.append(i)
    if todo:
        attempt(todo)
    if failed:
        try:
            judge([canary()])
        except BatchFailed as exc:
            raise EngineError(f"{engine} fails even on a plain ConfigMap, so it is broken for the whole run: {exc}") from exc
    return [v if v is not None else [] for v in out]


def structured(engine: str, plan: Plan, found: Any, where: str) -> Violation:
    """One violation from the fields a generated policy sets; anything else is the engine's failure.

    The rule must be one this plan renders and the check one the catalogue lists
    for it, and the message must start with both, so that text and identity
    cannot disagree. The message is shown, never parsed.
    """
    rules = {r.rule_id for r in plan.rules}
    if not isinstance(found, dict):
        raise BatchFailed(f"{engine} reported a violation that is no object for {where}: {str(found)[:300]!r}")
    rule, check, msg = found.get("rule"), found.get("check"), found.get("msg")
    if not (isinstance(rule, str) and isinstance(check, str) and isinstance(msg, str)):
        raise BatchFailed(f"{engine} reported a violation without rule, check and msg for {where}: {str(found)[:300]!r}")
    if rule not in rules or check not in CHECKS.get(rule, {}) or not msg.startswith(f"{rule}/{check} "):
        raise BatchFailed(f"{engine} reported an unknown violation {rule}/{check} for {where}: {msg[:300]!r}")
    return Violation(rule, msg, check)


def verdicts(engine: str, plan: Plan, samples: SampleSet, found: list[list[Violation]], not_evaluated: list[str]) -> list[Verdict]:
    """One verdict per resource, in input order, from each resource's violations."""
    out = []
    for res, violations in zip(samples.resources, found, strict=True):
        verdict = verdict_shell(res, engine)
        verdict.violations = sorted_violations(violations)
        verdict.not_evaluated = list(not_evaluated)
        out.append(verdict)
    return out
