"""CLI engines across cores: jobs=2 gives jobs=1's verdicts, in input order, poisons included.

Each worker runs its own engine process on its share of the resources; a
share the engine fails on is bisected on its own, so one poison costs its
share a few extra runs and never another share a verdict.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from policygen import tools
from policygen.engines import get_engine
from policygen.engines.runner import BATCH_MOST, jobs, spread
from policygen.errors import SettingError
from policygen.output import write_tree
from policygen.pipeline import render_all
from policygen.samples import SampleSet

from .conftest import require_tool
from .test_batch_isolation import poisoned  # noqa: F401  (the fixture)


def _comparable(record: dict) -> dict:
    # An unjudged resource's message quotes the engine's error, which names the run's scratch files.
    violations = [{**v, "message": "ENGINE/unjudged"} if v["rule"] == "ENGINE" else v for v in record["violations"]]
    return {**record, "violations": violations}


def _evaluate(engine: str, plan, samples: SampleSet, workers: int):
    require_tool(tools.ENGINE_TOOLS[engine])
    adapter = type(get_engine(engine))(jobs=workers)
    with tempfile.TemporaryDirectory() as tmp:
        dist = Path(tmp) / "dist"
        write_tree(render_all(plan, [adapter.backend]), dist)
        return [_comparable(v.to_json()) for v in adapter.evaluate(dist, plan, samples)]


@pytest.mark.parametrize("engine,size", [("conftest", 60), ("gator", 40), ("kyverno", 14)])
def test_two_workers_give_one_workers_verdicts(engine, size, reference_plan, reference_samples):
    # Every third sample, so that allowed and denied resources of every rule alternate across the shares.
    samples = SampleSet(reference_samples.resources[::3][:size])
    one = _evaluate(engine, reference_plan, samples, 1)
    two = _evaluate(engine, reference_plan, samples, 2)
    assert len(one) == len(samples.resources)
    assert {v["allowed"] for v in one} == {True, False}
    assert two == one


@pytest.mark.parametrize("engine", ["conftest", "gator"])
def test_bisection_works_inside_each_share(engine, reference_plan, poisoned):  # noqa: F811
    samples, roles = poisoned
    one = _evaluate(engine, reference_plan, samples, 1)
    two = _evaluate(engine, reference_plan, samples, 2)
    assert two == one
    for verdict, (role, what) in zip(two, roles, strict=True):
        if role == "poison":
            assert not verdict["allowed"], what


def test_jobs_come_from_the_caller_the_environment_or_the_cores(monkeypatch):
    monkeypatch.delenv("POLICYGEN_JOBS", raising=False)
    assert jobs() >= 1
    assert jobs(3) == 3
    monkeypatch.setenv("POLICYGEN_JOBS", "5")
    assert jobs() == 5
    monkeypatch.setenv("POLICYGEN_JOBS", "many")
    with pytest.raises(SettingError, match="POLICYGEN_JOBS"):
        jobs()
    with pytest.raises(SettingError):
        jobs(0)
    assert [spread(n, 2) for n in (0, 1, 2, 3, 10)] == [1, 1, 1, 2, 5]
    # Each engine process holds its batch whole: a cluster dump is many batches per worker, not one.
    assert spread(100_000, 2) == spread(BATCH_MOST + 1, 1) == BATCH_MOST
