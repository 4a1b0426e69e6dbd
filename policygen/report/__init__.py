"""Verdicts as the tools around a CI job read them: text, JSON, SARIF, JUnit,
GitHub workflow annotations and a wgpolicyk8s.io PolicyReport.

Each format is one module with one ``render(run) -> str``; the CLI only prints.
"""

from __future__ import annotations

from collections.abc import Callable

from .model import EvalRun, Finding, ResourceResult, rule_action
from . import github, json_format, junit, policyreport, sarif, text

FORMATTERS: dict[str, Callable[[EvalRun], str]] = {
    "text": text.render,
    "json": json_format.render,
    "sarif": sarif.render,
    "junit": junit.render,
    "github": github.render,
    "policyreport": policyreport.render,
}
FORMATS: tuple[str, ...] = tuple(FORMATTERS)


def render(fmt: str, run: EvalRun) -> str:
    return FORMATTERS[fmt](run)


__all__ = ["EvalRun", "FORMATS", "Finding", "ResourceResult", "render", "rule_action"]
