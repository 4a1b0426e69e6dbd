"""Verdicts as the tools around a CI job read them: text, JSON, SARIF, JUnit,
GitHub workflow annotations and a wgpolicyk8s.io PolicyReport.

Each format is one module with one ``render(run) -> str``; the CLI only prints.
Formats a cluster dump's run is read in (json, text) also have ``write(run, out)``,
which writes the report piece by piece instead of building it whole.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import TextIO

from .model import EvalRun, Finding, ResourceResult, rule_action

# format -> its module, imported on use: `generate` and the other commands never pay for SARIF's object model.
_MODULES: dict[str, str] = {
    "text": "text",
    "json": "json_format",
    "sarif": "sarif",
    "junit": "junit",
    "github": "github",
    "policyreport": "policyreport",
}
FORMATS: tuple[str, ...] = tuple(_MODULES)


def _module(fmt: str) -> ModuleType:
    return importlib.import_module(f"{__name__}.{_MODULES[fmt]}")


def render(fmt: str, run: EvalRun) -> str:
    return _module(fmt).render(run)


def write(fmt: str, run: EvalRun, out: TextIO) -> None:
    """render(fmt, run) written to out, piece by piece where the format has a ``write``."""
    module = _module(fmt)
    if hasattr(module, "write"):
        module.write(run, out)
    else:
        out.write(module.render(run))


__all__ = ["EvalRun", "FORMATS", "Finding", "ResourceResult", "render", "rule_action", "write"]
