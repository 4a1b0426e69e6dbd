"""The public pipeline: spec -> plan -> backends -> dist/ -> engines -> verdicts."""

from __future__ import annotations

import difflib
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Literal, overload

from . import exceptions, tools
from .backends import Backend, all_backends
from .engines import CLUSTER_ENGINES, ENGINES, get_engine
from .engines.base import Engine
from .engines.runner import jobs as _jobs
from .errors import EngineNotInstalled, InputError, PolicygenError
from .forked import Forked
from .kustomize import kustomizations
from .output import Change, FileMap, compare_tree, write_tree
from .plan import Plan, build_plan, plan_of_valid
from .samples import SampleSet, load_samples
from .spec import SidecarPolicy, load_spec
from .verdicts import Verdict
from .verification import Report, build_report

if TYPE_CHECKING:  # only eval's streaming path reads a Spool
    from .spool import Spool


# Rendered in a forked child while this process renders the rest: they share each rule's CEL source,
# and together they take about as long as the others.
_FORKED_BACKENDS = frozenset({"kyverno", "vap"})


def _render_one(plan: Plan, backend: Backend) -> FileMap:
    files = {PurePosixPath(backend.name) / rel: text for rel, text in backend.render(plan).items()}
    # Each cluster backend's folder installs with `kubectl apply -k`, as GitOps installs it.
    files.update(kustomizations(files))
    return files


def render_backends(plan: Plan, backends: list[str] | str | None = None, jobs: int | None = None) -> Iterator[FileMap]:
    """Each backend's files (paths under dist/), a backend at a time, as soon as it is rendered; with more
    than one job (default: POLICYGEN_JOBS, else one per core) the CEL backends render on a second core."""
    if not isinstance(plan, Plan):
        raise TypeError(f"plan: expected a Plan (build_plan(policy) returns one), not {type(plan).__name__}")
    every = all_backends()
    if isinstance(backends, str):
        backends = [backends]
    unknown = [name for name in backends or [] if name not in {b.name for b in every}]
    if unknown:
        raise PolicygenError(f"unknown backend {unknown[0]!r}; choose among: {', '.join(b.name for b in every)}")
    chosen = [b for b in every if backends is None or b.name in backends]
    theirs = [b for b in chosen if b.name in _FORKED_BACKENDS] if _jobs(jobs) > 1 else []
    mine = [b for b in chosen if b not in theirs]
    if not theirs or not mine:
        for backend in chosen:
            yield _render_one(plan, backend)
        return
    with Forked(lambda: [_render_one(plan, b) for b in theirs]) as child:
        for backend in mine:
            yield _render_one(plan, backend)
        yield from child.result()


def render_all(plan: Plan, backends: list[str] | str | None = None) -> FileMap:
    files: FileMap = {}
    for batch in render_backends(plan, backends):
        files.update(batch)
    return files


def _plan_of(spec: SidecarPolicy | Plan | str | Path) -> Plan:
    if isinstance(spec, Plan):
        return spec
    if isinstance(spec, (str, os.PathLike)):
        return plan_of_valid(load_spec(spec))
    if isinstance(spec, SidecarPolicy):
        return build_plan(spec)
    raise TypeError(f"spec: expected a path to a spec file, a SidecarPolicy or a Plan, not {type(spec).__name__}")


@dataclass(frozen=True)
class TreeDiff:
    """What ``generate`` would change in an output folder: the changes and a unified diff."""

    out: Path
    changes: list[Change]
    diff: str
    files: int

    @property
    def stale(self) -> list[Change]:
        return [c for c in self.changes if c.action != "identical"]

    def __bool__(self) -> bool:
        return bool(self.stale)


def _tree_diff(files: FileMap, out: Path) -> TreeDiff:
    changes, old_bytes = compare_tree(files, out)
    by_path = {str(p): text for p, text in files.items()}
    chunks: list[str] = []
    for change in changes:
        if change.action == "identical" or change.note:
            continue  # what is not a regular file is named in its change (change.note), never read
        new = by_path.get(change.path, "")
        old = old_bytes.get(change.path, b"").decode("utf-8", errors="replace")
        chunks.extend(
            difflib.unified_diff(old.splitlines(True), new.splitlines(True), f"a/{change.path}", f"b/{change.path}", n=2)
        )
    return TreeDiff(out, changes, "".join(chunks), len(files))


@overload
def generate(spec: SidecarPolicy | Plan | str | Path, out: str | Path, check: Literal[False] = ...) -> list[Change]: ...
@overload
def generate(spec: SidecarPolicy | Plan | str | Path, out: str | Path, check: Literal[True]) -> TreeDiff: ...
def generate(spec, out, check=False):
    """Write every backend's files for one spec into out/, atomically.

    With ``check=True`` nothing is written: the result is the TreeDiff between
    what is in out/ and what would be written (falsy when out/ is up to date).
    """
    plan = _plan_of(spec)
    if check:
        return _tree_diff(render_all(plan), Path(out))
    return write_tree(render_backends(plan), Path(out))


def evaluate(
    spec: SidecarPolicy | Plan | str | Path,
    engine: str | Engine,
    paths: list[str | Path] | str | Path | SampleSet,
) -> list[Verdict]:
    """Judge every resource under paths with one engine; one verdict per resource, in input order."""
    plan = _plan_of(spec)
    samples = paths if isinstance(paths, SampleSet) else load_samples(paths)
    adapter = _adapter(engine)
    # The engine judges without exceptions, so that each exempted violation is recorded with the
    # exception that covers it; the one matcher in exceptions.py then applies them for every engine.
    judged = plan.without_exceptions()
    with tempfile.TemporaryDirectory(prefix="policygen-eval-") as tmp:
        dist = Path(tmp) / "dist"
        write_tree(render_backends(judged, [adapter.backend]), dist)
        if not samples.resources:
            return []
        verdicts = adapter.evaluate(dist, judged, samples)
    return unread_templates(plan, samples.resources, exceptions.apply(plan, samples.resources, verdicts))


def evaluate_spool(spec: SidecarPolicy | Plan | str | Path, engine: str | Engine, spool: Spool) -> list[Verdict]:
    """evaluate() for resources already read into a Spool; the engine must stream (``evaluate_spooled``).

    Not for plans with exceptions: applying them needs each parsed resource, which a spool lets go of.
    """
    plan = _plan_of(spec)
    if plan.exceptions:
        raise ValueError("evaluate_spool() judges plans without exceptions; evaluate() applies them")
    adapter = _adapter(engine)
    with tempfile.TemporaryDirectory(prefix="policygen-eval-") as tmp:
        dist = Path(tmp) / "dist"
        write_tree(render_backends(plan, [adapter.backend]), dist)
        if not spool.records:
            return []
        return unread_templates(plan, spool.records, adapter.evaluate_spooled(dist, plan, spool))


def unread_templates(plan: Plan, resources, verdicts: list[Verdict]) -> list[Verdict]:
    """Every pod rule in notEvaluated where a resource keeps a pod template that no rule reads (an Argo Rollout, a
    DeploymentConfig, a PodTemplate: kinds.unread_pod_template), in every engine alike: never counted as passed."""
    rules = [r.rule_id for r in plan.rules if r.rule_id.startswith("SC")]
    if rules:
        for res, verdict in zip(resources, verdicts, strict=True):
            if res.unread_template is not None:
                verdict.not_evaluated = sorted(set(verdict.not_evaluated) | set(rules))
    return verdicts


def _adapter(engine: str | Engine) -> Engine:
    if isinstance(engine, str):
        return get_engine(engine)
    if callable(getattr(engine, "evaluate", None)) and isinstance(getattr(engine, "backend", None), str):
        return engine
    raise TypeError(f"engine: expected an engine's name ({', '.join({**ENGINES, **CLUSTER_ENGINES})}) or an Engine, "
                    f"not {type(engine).__name__}")


def streams(engine: str | Engine) -> bool:
    """Whether the engine judges from a Spool, so that eval need not hold every parsed resource."""
    adapter = _adapter(engine)
    return callable(getattr(adapter, "evaluate_spooled", None))


def verify(
    spec: SidecarPolicy | Plan | str | Path,
    samples: list[str | Path] | str | Path | SampleSet,
    engines: list[str] | str | None = None,
    on_skip: Callable[[str, str], None] | None = None,
) -> Report:
    """Judge labelled samples in each engine and compare with their expectations.

    ``engines`` None means every engine that is installed (each one skipped is
    passed to ``on_skip(engine, install_hint)`` and recorded in the report);
    a named engine that is missing raises EngineNotInstalled. A sample set with
    no resource is an InputError: a verification of nothing proves nothing.
    """
    plan = _plan_of(spec)
    if isinstance(samples, (str, os.PathLike)):
        samples = [samples]
    if isinstance(engines, str):
        engines = [engines]
    unknown = [e for e in engines or [] if e not in ENGINES]
    if unknown:
        raise PolicygenError(f"unknown engine {unknown[0]!r} to verify with; choose among: {', '.join(ENGINES)}")
    sample_set = samples if isinstance(samples, SampleSet) else load_samples(list(samples))
    if not sample_set.resources:
        raise InputError(", ".join(str(s) for s in samples) if not isinstance(samples, SampleSet) else "<samples>",
                         "no resource to verify: the paths hold no Kubernetes object")
    chosen: list[str] = []
    skipped: list[str] = []
    for engine in engines or list(ENGINES):
        if tools.is_installed(tools.ENGINE_TOOLS[engine]):
            chosen.append(engine)
        elif engines:
            raise EngineNotInstalled(engine, tools.install_hint(engine))
        else:
            skipped.append(engine)
            if on_skip:
                on_skip(engine, tools.install_hint(engine))
    if not chosen:
        raise EngineNotInstalled("opa", tools.install_hint("opa"))
    by_engine = {engine: evaluate(plan, engine, sample_set) for engine in chosen}
    report = build_report(sample_set.resources, by_engine)
    report.skipped_engines = skipped
    return report
