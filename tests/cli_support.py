"""Shared by the CLI tests: running the command as a user does, and the pinned Kyverno module's files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import pytest

from policygen import tools

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "tests" / "schemas"


def policygen(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None, stdin: str | None = None,
              timeout: float | None = None):
    full_env = dict(os.environ, **(env or {}))
    full_env["PYTHONPATH"] = str(ROOT) + os.pathsep + full_env.get("PYTHONPATH", "")
    return subprocess.run(
        [sys.executable, "-m", "policygen", *args],
        capture_output=True, text=True, cwd=cwd, env=full_env, input=stdin, timeout=timeout,
    )


@lru_cache(maxsize=1)
def kyverno_module_dir() -> Path:
    """The pinned Kyverno module's source (its CRDs), as the Kyverno CLI build downloads it."""
    go = shutil.which("go")
    if not go:
        message = "Go is needed to read the pinned Kyverno module's CRDs; install Go 1.26+"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    tool = tools.TOOLS["kyverno"]
    proc = subprocess.run([go, "mod", "download", "-json", f"{tool.module}@{tool.version}"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return Path(json.loads(proc.stdout)["Dir"])


def crd_schema(relative: str, version: str) -> dict:
    """The openAPIV3Schema of one version of a CRD in the pinned Kyverno module."""
    import yaml

    crd = yaml.safe_load((kyverno_module_dir() / relative).read_text())
    for v in crd["spec"]["versions"]:
        if v["name"] == version:
            return v["schema"]["openAPIV3Schema"]
    raise AssertionError(f"{relative} has no version {version}")


def closed_schema(schema: dict) -> dict:
    """A CRD schema as JSON Schema that also refuses unknown fields, as the API server prunes them.

    Kubernetes drops unknown fields silently; a report reader would lose them.
    Refusing them here makes a misspelt field a test failure, not a lost field.
    """
    schema = {k: v for k, v in schema.items() if not k.startswith("x-kubernetes-")}
    if "properties" in schema and "additionalProperties" not in schema:
        schema = dict(schema, additionalProperties=False)
    for key in ("properties",):
        if key in schema:
            schema[key] = {name: closed_schema(sub) for name, sub in schema[key].items()}
    if isinstance(schema.get("items"), dict):
        schema["items"] = closed_schema(schema["items"])
    if isinstance(schema.get("additionalProperties"), dict):
        schema["additionalProperties"] = closed_schema(schema["additionalProperties"])
    return schema
