"""gator, Gatekeeper's CLI, running the generated ConstraintTemplates and Constraints.

Two batched runs at most per batch, never one per resource, one module each:

* audit.py, ``gator test -o json``: every plain resource in one process, as
  Gatekeeper's audit reviews it;
* verify.py, ``gator verify`` on a generated Suite: AdmissionReviews (their
  operation and user as given) and the resources ``gator test`` would load as
  policy.

objects.py shapes objects as gator takes them. The templates and constraints
come from the gatekeeper backend's outputs for the plan, each with its rule ID
and its match.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ... import tools
from ...backends.gatekeeper import GatekeeperBackend
from ...backends.manifest import RuleOutput
from ...errors import EngineError
from ...plan import Plan
from ...samples import Resource, SampleSet
from ...spool import Spool
from ...verdicts import Verdict, Violation
from .. import runner
from .audit import judge_plain
from .objects import is_gatekeeper_object, judgeable, unloadable, with_api_version
from .verify import judge_reviewed


class GatorEngine:
    name = "gator"
    tool = "gator"
    backend = "gatekeeper"

    def __init__(self, jobs: int | None = None) -> None:
        self.jobs = jobs  # processes at once; None: POLICYGEN_JOBS, else one per core

    def evaluate(self, dist: Path, plan: Plan, samples: SampleSet) -> list[Verdict]:
        return self._evaluate(dist, plan, samples.resources, runner.judgeable(samples.resources), samples.inventory(plan))

    def evaluate_spooled(self, dist: Path, plan: Plan, spool: Spool) -> list[Verdict]:
        """Verdicts for resources read once and spooled (policygen eval's path): each batch is read back as it is made."""
        return self._evaluate(dist, plan, spool.records, spool.judgeable(), spool.namespaces(plan))

    def _evaluate(self, dist: Path, plan: Plan, records: Sequence[Any], items: Iterable[tuple[int, Resource | None]],
                  by_name: dict[str, dict[str, Any]]) -> list[Verdict]:
        binary = tools.find(self.tool)
        root = Path(dist) / self.backend
        outputs = GatekeeperBackend.outputs(plan)
        missing = [root / rel for out in outputs for rel in out.files if not (root / rel).is_file()]
        if not outputs or missing:
            raise EngineError(f"{self.name}: generated policy missing: {missing[0] if missing else root}; "
                              f"generate the gatekeeper backend first")
        # The same inventory for every process, however the run is split (policygen/inventory.py): its normal
        # form is what gator's typed cache holds, and it is stored after each batch's own objects.
        namespaces = list(by_name.values())
        with tempfile.TemporaryDirectory(prefix="policygen-gator-") as tmp:
            runs = iter(range(1 << 30))

            def judge(batch: list[Resource]) -> list[list[Violation]]:
                work = Path(tmp) / f"run{next(runs)}"
                work.mkdir()
                return self._judge(binary, work, root, outputs, plan, batch, namespaces)

            # One process per core, each on its share of the resources; a failed share is bisected on its own.
            workers = runner.jobs(self.jobs)
            found = runner.isolate(self.name, len(records), items, judge, workers=workers,
                                   chunk=runner.spread(len(records), workers), unloadable=unloadable)
        return runner.verdicts(self.name, plan, records, found, runner.signatures_undecided(plan, records))

    @staticmethod
    def _judge(binary: Path, work: Path, root: Path, outputs: list[RuleOutput], plan: Plan, batch: list[Resource],
               namespaces: list[dict[str, Any]]) -> list[list[Violation]]:
        plain: list[int] = []
        reviewed: list[int] = []
        for i, res in enumerate(batch):
            obj = with_api_version(res.object)
            if not judgeable(obj):
                continue  # a kind no rule reads, without a version gator could store it under: no violations
            if res.from_admission_review or is_gatekeeper_object(obj):
                reviewed.append(i)
            else:
                plain.append(i)
        found: list[list[Violation]] = [[] for _ in batch]
        if plain:
            for i, violations in judge_plain(binary, work, root, outputs, plan, batch, plain, namespaces).items():
                found[i].extend(violations)
        if reviewed:
            for i, violations in judge_reviewed(binary, work, root, outputs, plan, batch, reviewed, namespaces).items():
                found[i].extend(violations)
        return found
