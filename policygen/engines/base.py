"""The one shape every engine adapter has."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from ..plan import Plan
from ..samples import SampleSet
from ..verdicts import Verdict


class Engine(Protocol):
    name: str
    tool: str  # the name in policygen.tools.TOOLS
    backend: str  # the dist/ folder it runs

    def evaluate(self, dist: Path, plan: Plan, samples: SampleSet) -> list[Verdict]:
        """Judge every resource of the sample set with the artifacts under dist/<backend>.

        One engine start (or one batched CLI run) for the whole set, never one per
        resource. Returns one Verdict per resource, in input order, built by
        runner.verdicts from structured engine output. A resource the engine cannot
        judge gets an ENGINE violation of its own (runner.isolate); an engine broken
        for the whole run raises EngineError. Neither ever yields "allowed".
        """
        ...


def verdict_shell(res, engine: str) -> Verdict:
    return Verdict(res.file, res.index, res.kind, res.namespace, res.name, engine,
                   document=res.document, line=res.line, object=res.display)
