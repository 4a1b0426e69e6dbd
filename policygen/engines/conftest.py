"""conftest: one run over every resource, each written to its own file so verdicts map back."""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

from .. import tools
from ..errors import EngineError
from ..plan import Plan
from ..samples import SampleSet
from ..verdicts import Verdict
from .opa import verdicts_from
from .rego_common import inputs, inventory


class ConftestEngine:
    name = "conftest"
    tool = "conftest"
    backend = "rego"

    def evaluate(self, dist: Path, plan: Plan, samples: SampleSet) -> list[Verdict]:
        binary = tools.find("conftest")
        with tempfile.TemporaryDirectory(prefix="policygen-conftest-") as tmp:
            root = Path(tmp)
            (root / "data").mkdir()
            (root / "data" / "inventory.json").write_text(json.dumps({"inventory": inventory(samples)}), encoding="utf-8")
            files = []
            for i, doc in enumerate(inputs(samples)):
                path = root / "in" / f"{i:06d}.json"
                path.parent.mkdir(exist_ok=True)
                path.write_text(json.dumps(doc), encoding="utf-8")
                files.append(path)
            argv = [
                str(binary), "test", "--no-color", "--output", "json",
                "--policy", str(dist / "rego"), "--data", str(root / "data"), "--namespace", "main",
                *[str(f) for f in files],
            ]
            proc = subprocess.run(argv, capture_output=True, text=True, cwd=root)
            if proc.returncode not in (0, 1):
                raise EngineError(f"conftest failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}")
            try:
                report = json.loads(proc.stdout)
            except json.JSONDecodeError as exc:
                raise EngineError(f"conftest printed no JSON report: {proc.stdout[:500]!r} {proc.stderr[-2000:]!r}") from exc
            by_file: dict[str, list[str]] = {}
            for entry in report:
                msgs = [r["msg"] for key in ("failures", "warnings") for r in (entry.get(key) or [])]
                if entry.get("exceptions"):
                    raise EngineError(f"conftest reported exceptions for {entry.get('filename')}: {entry['exceptions']}")
                by_file.setdefault(Path(entry["filename"]).name, []).extend(msgs)
            missing = [f.name for f in files if f.name not in by_file]
            if missing:
                raise EngineError(f"conftest reported nothing for {len(missing)} inputs (first: {missing[0]})")
            results = [by_file[f.name] for f in files]
        return verdicts_from(self.name, plan, samples, results)
