"""The API server's CEL, offline: build and run tools/celcheck on generated ValidatingAdmissionPolicies.

tools/celcheck is a small Go program of ours on k8s.io/apiserver (the version
the local control plane runs): it compiles every expression of a policy the
way the API server validates a new policy, and evaluates it on an object with
the admission plugin's own validator under the runtime budget of one binding,
reporting the cost spent. `policygen tools install celcheck` builds it from
the Go module proxy once per source version into the tools cache, like the
engines.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import tools
from .errors import EngineError
from .render import safe_dump_all


@dataclass(frozen=True)
class CelReport:
    policy: str
    compile_errors: list[str]
    evaluated: bool
    matched: bool
    allowed: bool
    errors: list[str]
    messages: list[str]
    cost: int
    budget: int
    per_call_limit: int

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "CelReport":
        return cls(data["policy"], data["compileErrors"] or [], data["evaluated"], data["matched"], data["allowed"],
                   data["errors"] or [], data["messages"] or [], data["cost"], data["budget"], data["perCallLimit"])


def check(policy_files: list[Path], obj: dict[str, Any], namespace: dict[str, Any] | None = None,
          operation: str = "CREATE") -> list[CelReport]:
    """Compile each ValidatingAdmissionPolicy in the files and evaluate it on obj."""
    exe = tools.find("celcheck")
    with tempfile.TemporaryDirectory(prefix="policygen-celcheck-") as tmp:
        obj_path = Path(tmp) / "object.yaml"
        obj_path.write_text(safe_dump_all([obj], sort_keys=True), encoding="utf-8")
        argv = [str(exe), "-object", str(obj_path), "-operation", operation]
        if namespace is not None:
            ns_path = Path(tmp) / "namespace.yaml"
            ns_path.write_text(safe_dump_all([namespace], sort_keys=True), encoding="utf-8")
            argv += ["-namespace", str(ns_path)]
        proc = subprocess.run([*argv, *map(str, policy_files)], capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        raise EngineError(f"celcheck failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    return [CelReport.from_json(json.loads(line)) for line in proc.stdout.split("\n") if line.strip()]
