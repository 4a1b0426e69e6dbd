"""The public pipeline: spec -> plan -> backends -> dist/ -> engines -> verdicts."""

from __future__ import annotations

import tempfile
from pathlib import Path, PurePosixPath

from .backends import all_backends
from .engines import get_engine
from .engines.base import Engine
from .kustomize import kustomizations
from .output import Change, FileMap, write_tree
from .plan import Plan, build_plan
from .samples import SampleSet, load_samples
from .spec import SidecarPolicy, load_spec
from .verdicts import Verdict


def render_all(plan: Plan, backends: list[str] | None = None) -> FileMap:
    files: FileMap = {}
    for backend in all_backends():
        if backends is not None and backend.name not in backends:
            continue
        for rel, text in backend.render(plan).items():
            files[PurePosixPath(backend.name) / rel] = text
    # Each cluster backend's folder installs with `kubectl apply -k`, as GitOps installs it.
    files.update(kustomizations(files))
    return files


def _plan_of(spec: SidecarPolicy | Plan | str | Path) -> Plan:
    if isinstance(spec, Plan):
        return spec
    if isinstance(spec, SidecarPolicy):
        return build_plan(spec)
    return build_plan(load_spec(spec))


def generate(spec: SidecarPolicy | Plan | str | Path, out: str | Path) -> list[Change]:
    """Write every backend's files for one spec into out/, atomically."""
    return write_tree(render_all(_plan_of(spec)), Path(out))


def evaluate(
    spec: SidecarPolicy | Plan | str | Path,
    engine: str | Engine,
    paths: list[str | Path] | SampleSet,
) -> list[Verdict]:
    """Judge every resource under paths with one engine; one verdict per resource, in input order."""
    plan = _plan_of(spec)
    samples = paths if isinstance(paths, SampleSet) else load_samples(list(paths))
    adapter = get_engine(engine) if isinstance(engine, str) else engine
    with tempfile.TemporaryDirectory(prefix="policygen-eval-") as tmp:
        dist = Path(tmp) / "dist"
        write_tree(render_all(plan, [adapter.backend]), dist)
        if not samples.resources:
            return []
        return adapter.evaluate(dist, plan, samples)
