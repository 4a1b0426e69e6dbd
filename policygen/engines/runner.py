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

import contextvars
import json
import os
import subprocess
import threading
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from ..checks import CHECKS
from ..errors import EngineError, RunInterrupted, SettingError
from ..kinds import POD_KINDS
from ..plan import Plan
from ..samples import Resource, SampleSet, UNTRUSTED_USER
from ..verdicts import Verdict, Violation, sorted_violations
from .base import verdict_shell

T = TypeVar("T")

TIMEOUT = 600  # seconds for one engine process; a batch that takes longer is bisected

CANARY_OBJECT = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "policygen-canary", "namespace": "default"}}


class BatchFailed(EngineError):
    """The engine could not judge this batch; some resource in it may be the cause."""


Judge = Callable[[list[Resource]], list[list[Violation]]]


class _Run:
    """The engine processes of one isolate_stream's workers, so that an interrupted run ends them (a worker
    thread sees no SIGINT or SIGTERM) and starts no more: gator's went on bisecting after SIGTERM."""

    def __init__(self) -> None:
        self.stopping = threading.Event()
        self.live: set[subprocess.Popen] = set()
        self.lock = threading.Lock()

    def stop(self) -> None:
        self.stopping.set()
        with self.lock:
            live = list(self.live)
        for proc in live:
            try:
                proc.kill()
            except OSError:
                pass


_current_run: contextvars.ContextVar[_Run | None] = contextvars.ContextVar("policygen_engine_run", default=None)


def run(argv: Sequence[str], *, cwd: Path | None = None, timeout: float = TIMEOUT) -> subprocess.CompletedProcess:
    """One engine process, argv list, output captured; a timeout is the batch's failure, not the run's."""
    argv = [str(a) for a in argv]
    owner = _current_run.get()
    if owner is not None and owner.stopping.is_set():
        raise RunInterrupted
    try:
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd, errors="replace")
    except OSError as exc:
        raise EngineError(f"cannot run {argv[0]}: {exc}") from exc
    if owner is not None:
        with owner.lock:
            owner.live.add(proc)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        proc.kill()
        proc.communicate()
        raise BatchFailed(f"{Path(argv[0]).name} {argv[1]} did not finish within {timeout}s") from exc
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    finally:
        if owner is not None:
            with owner.lock:
                owner.live.discard(proc)
    if owner is not None and owner.stopping.is_set():
        raise RunInterrupted
    return subprocess.CompletedProcess(argv, proc.returncode, out, err)


def tail(proc: subprocess.CompletedProcess, limit: int = 3000) -> str:
    return ((proc.stderr or "")[-limit:] + (proc.stdout or "")[-limit:]).strip()


def encodable(doc: Any) -> str | None:
    """The JSON an engine is given, or None when Python cannot encode it (too deep, not finite)."""
    try:
        return json.dumps(doc, allow_nan=False)
    except (ValueError, TypeError, RecursionError):
        return None


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


def jobs(requested: int | None = None) -> int:
    """How many batches an engine judges (or backends render) at once: the caller's number, POLICYGEN_JOBS, or one
    per core; a SettingError (bad input) when it is no whole number of 1 or more."""
    if requested is not None:
        if requested < 1:
            raise SettingError(f"jobs must be at least 1, not {requested}")
        return requested
    raw = os.environ.get("POLICYGEN_JOBS", "").strip()
    if not raw:
        return os.cpu_count() or 1
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise SettingError(f"POLICYGEN_JOBS={raw!r} is not a whole number of parallel runs, 1 or more")
    return value


# A CLI engine holds its whole batch (gator about 0.45 MiB per resource, conftest 0.3), so a batch
# bigger than this would make its memory grow with the input; a process start costs well under a
# second, which at this size is a few percent of the batch's time.
BATCH_MOST = 250


def spread(count: int, workers: int) -> int:
    """The batch size that gives each of the workers one batch of a CLI engine's run (one process start each),
    but no batch over BATCH_MOST resources: each engine process holds its batch whole."""
    return max(1, min(BATCH_MOST, -(-count // max(1, workers))))


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive runs of at most size items, read lazily."""
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


UNENCODABLE = "the resource cannot be encoded as JSON (too deeply nested or not finite)"


R = TypeVar("R")


def in_order(engine: str, chunks: Iterable[T], work: Callable[[T], R], workers: int = 1) -> Iterator[R]:
    """work(chunk) of each chunk, in input order: up to ``workers`` chunks at once, and no more than twice
    that many read ahead, so that memory holds a few chunks, never the whole input."""
    pending: deque[Future] = deque()
    this_run = _Run()

    def submit(pool: ThreadPoolExecutor, chunk: T) -> Future:
        context = contextvars.copy_context()  # one per task: a context is entered by one thread at a time
        context.run(_current_run.set, this_run)
        return pool.submit(context.run, work, chunk)

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"policygen-{engine}") as pool:
        try:
            for chunk in chunks:
                pending.append(submit(pool, chunk))
                while len(pending) >= 2 * workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        except BaseException:
            # SIGINT, SIGTERM, an error in the main thread or a worker's: the workers' engine processes end now,
            # and the chunks they are working on start no more (RunInterrupted), so that leaving the pool does
            # not wait on them.
            this_run.stop()
            raise
        finally:
            for future in pending:
                future.cancel()


def isolate_stream(engine: str, chunks: Iterable[list[tuple[int, Any]]], judge: Callable[[list[Any]], list[list[Violation]]],
                   workers: int = 1, on_failure: Callable[[], None] | None = None,
                   unloadable: Callable[[Any], str | None] | None = None) -> Iterator[tuple[int, list[Violation]]]:
    """(index, violations) for every (index, item) of every chunk, chunk by chunk in input order.

    An item of None could not be encoded: it is failed without asking the
    engine. Up to ``workers`` chunks are judged at once (each bisected on its
    own when the engine fails on it), and no more than twice that many are
    read ahead, so memory holds a few chunks, never the whole input. The
    canary runs once, after the last chunk, when anything failed.

    ``unloadable(item)`` is the adapter's word on items its engine is known to
    drop without a result or to fail a whole run on: those are never sent, and
    are denied with its reason instead of passing for want of a result.
    """
    failed = False

    def one_chunk(chunk: list[tuple[int, Any]]) -> tuple[list[tuple[int, list[Violation]]], bool]:
        out: dict[int, list[Violation]] = {}
        bad = False

        def attempt(part: list[tuple[int, Any]]) -> None:
            nonlocal bad
            try:
                found = judge([item for _, item in part])
                if len(found) != len(part):
                    raise BatchFailed(f"{engine} answered for {len(found)} of {len(part)} resources")
            except BatchFailed as exc:
                if len(part) == 1:
                    out[part[0][0]] = [Violation.engine_failure(engine, str(exc))]
                    bad = True
                    return
                half = len(part) // 2
                attempt(part[:half])
                attempt(part[half:])
                return
            for (i, _), violations in zip(part, found, strict=True):
                out[i] = violations

        todo = []
        for i, item in chunk:
            if item is None:
                out[i] = [Violation.engine_failure(engine, UNENCODABLE)]
                bad = True
            elif unloadable is not None and (reason := unloadable(item)) is not None:
                out[i] = [Violation.engine_failure(engine, reason)]
            else:
                todo.append((i, item))
        if todo:
            attempt(todo)
        return [(i, out[i]) for i, _ in chunk], bad

    for results, bad in in_order(engine, chunks, one_chunk, workers):
        failed |= bad
        yield from results
    if failed:
        try:
            judge([on_failure() if on_failure is not None else canary()])
        except BatchFailed as exc:
            raise EngineError(f"{engine} fails even on a plain ConfigMap, so it is broken for the whole run: {exc}") from exc


def judgeable(resources: Iterable[Resource]) -> Iterator[tuple[int, Resource | None]]:
    """(index, resource as JSON data, or None when it has none) of each resource an engine is sent.

    An object no API server would take is denied unjudged by verdict(), whatever an engine says; some fail
    their whole batch on it, so it is never sent.
    """
    return ((i, as_json(res)) for i, res in enumerate(resources) if res.unserved is None and not res.foreign)


def isolate(engine: str, count: int, items: Iterable[tuple[int, Resource | None]], judge: Judge, *, workers: int = 1,
            chunk: int | None = None, unloadable: Callable[[Any], str | None] | None = None) -> list[list[Violation]]:
    """Violations of each of ``count`` resources, in order, from the (index, resource) items (``judgeable``)
    sent to the engine; what the engine cannot judge gets an ENGINE violation of its own.

    ``chunk`` splits the items into batches of that size (default: one
    batch), judged ``workers`` at a time; verdicts do not depend on either.
    Items are read as their batches are made, so a spool's are never all held.
    """
    out: list[list[Violation]] = [[] for _ in range(count)]
    for i, violations in isolate_stream(engine, chunked(items, chunk or max(1, count)), judge, workers, unloadable=unloadable):
        out[i] = violations
    return out


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


def verdict(engine: str, res: Resource, violations: Iterable[Violation], not_evaluated: list[str]) -> Verdict:
    """The verdict of one resource: its violations once each, in a stable order.

    An object no API server would take under its apiVersion, or whose metadata it would not decode and in
    which no rule found anything, is denied unjudged by every engine, whatever this one made of it: some judge it by its kind, the matches of others pass over it. A custom resource
    named like a rule kind is no object any rule reads, in every engine.
    """
    violations = list(violations)
    if (reason := res.unserved) is not None:
        violations = [Violation.engine_failure(engine, reason)]
    elif res.foreign:
        violations = []
    elif not violations and (reason := res.undecodable) is not None:
        # The API server refuses it before admission; an engine that reads raw data and finds nothing
        # to deny must not pass it either, whichever engine it is.
        violations = [Violation.engine_failure(engine, reason)]
    out = verdict_shell(res, engine)
    out.violations = sorted_violations(list(violations))
    out.not_evaluated = not_evaluated
    return out


def signatures_undecided(plan: Plan, resources: Sequence[Any]) -> Callable[[int], list[str]]:
    """For an engine that cannot verify signatures: SC012 for each pod-bearing object written (the writes SC012
    judges), and nothing for any other resource, in every such engine alike."""
    if plan.rule("SC012") is None:
        return lambda i: []
    sc012 = ["SC012"]
    return lambda i: sc012 if resources[i].kind in POD_KINDS and resources[i].operation in ("CREATE", "UPDATE") else []


def verdicts(engine: str, plan: Plan, resources: Sequence[Any], found: Sequence[Iterable[Violation]],
             not_evaluated: list[str] | Callable[[int], list[str]]) -> list[Verdict]:
    """One verdict per resource (a Resource, or a spool's Record), in input order, from each resource's
    violations; not_evaluated: the rule IDs the engine could not decide, for every resource or per resource index."""
    undecided = not_evaluated if callable(not_evaluated) else (lambda i: list(not_evaluated))
    return [verdict(engine, res, violations, undecided(i))
            for i, (res, violations) in enumerate(zip(resources, found, strict=True))]
