"""conftest: one run over every resource, each written to its own file so verdicts map back.

The generated deny (or warn) rules return objects, {msg, rule, check}; conftest
reports msg and puts the other keys in each result's metadata, where the rule
ID and check code are read from.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from .. import tools
from ..plan import Plan
from ..samples import Resource, SampleSet
from ..spool import Spool
from ..verdicts import Verdict, Violation
from . import runner
from .rego_common import inventory
from .runner import BatchFailed


class ConftestEngine:
    name = "conftest"
    tool = "conftest"
    backend = "rego"

    def __init__(self, jobs: int | None = None) -> None:
        self.jobs = jobs  # processes at once; None: POLICYGEN_JOBS, else one per core

    def evaluate(self, dist: Path, plan: Plan, samples: SampleSet) -> list[Verdict]:
        return self._evaluate(dist, plan, samples.resources, runner.judgeable(samples.resources), inventory(samples, plan))

    def evaluate_spooled(self, dist: Path, plan: Plan, spool: Spool) -> list[Verdict]:
        """Verdicts for resources read once and spooled (policygen eval's path): each batch is read back as it is made."""
        return self._evaluate(dist, plan, spool.records, spool.judgeable(), spool.inventory(plan))

    def _evaluate(self, dist: Path, plan: Plan, records: Sequence[Any], items: Iterable[tuple[int, Resource | None]],
                  inv: dict[str, Any]) -> list[Verdict]:
        binary = tools.find(self.tool)
        with tempfile.TemporaryDirectory(prefix="policygen-conftest-") as tmp:
            root = Path(tmp)
            (root / "data").mkdir()
            (root / "data" / "inventory.json").write_text(json.dumps({"inventory": inv}), encoding="utf-8")
            runs = iter(range(1 << 30))

            def judge(batch: list[Resource]) -> list[list[Violation]]:
                folder = root / f"run{next(runs)}"
                folder.mkdir()
                files = []
                for i, res in enumerate(batch):
                    path = folder / f"{i:06d}.json"
                    path.write_text(json.dumps(res.source), encoding="utf-8")
                    files.append(path)
                return self._judge(binary, root, dist, plan, files)

            # One process per core, each on its share of the resources; a failed share is bisected on its own.
            workers = runner.jobs(self.jobs)
            found = runner.isolate(self.name, len(records), items, judge, workers=workers,
                                   chunk=runner.spread(len(records), workers))
        return runner.verdicts(self.name, plan, records, found, runner.signatures_undecided(plan, records))

    def _judge(self, binary: Path, root: Path, dist: Path, plan: Plan, files: list[Path]) -> list[list[Violation]]:
        argv = [
            binary, "test", "--no-color", "--output", "json",
            "--policy", dist / "rego", "--data", root / "data", "--namespace", "main",
            *files,
        ]
        proc = runner.run(argv, cwd=root)
        if proc.returncode not in (0, 1):
            raise BatchFailed(f"conftest failed (exit {proc.returncode}): {runner.tail(proc)}")
        try:
            report = json.loads(proc.stdout)
        except json.JSONDecodeError as exc:
            raise BatchFailed(f"conftest printed no JSON report: {runner.tail(proc)}") from exc
        if not isinstance(report, list):
            raise BatchFailed(f"conftest printed {str(report)[:300]!r}, not a list of file results")
        by_file: dict[str, list[Violation]] = {}
        for entry in report:
            if not isinstance(entry, dict) or not isinstance(entry.get("filename"), str):
                raise BatchFailed(f"conftest printed a result without a filename: {str(entry)[:300]!r}")
            name = Path(entry["filename"]).name
            if entry.get("exceptions"):
                raise BatchFailed(f"conftest reported exceptions for {name}: {str(entry['exceptions'])[:1000]}")
            found = by_file.setdefault(name, [])
            for key in ("failures", "warnings"):
                for result in entry.get(key) or []:
                    meta = result.get("metadata") if isinstance(result, dict) else None
                    fields = {**meta, "msg": result.get("msg")} if isinstance(meta, dict) else result
                    found.append(runner.structured(self.name, plan, fields, name))
        missing = [f.name for f in files if f.name not in by_file]
        if missing:
            raise BatchFailed(f"conftest reported nothing for {len(missing)} inputs (first: {missing[0]})")
        return [by_file[f.name] for f in files]
