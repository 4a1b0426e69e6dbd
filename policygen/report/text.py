"""The human summary: one line per resource, its violations under it."""

from __future__ import annotations

from .model import EvalRun

_STATE = {"pass": "allowed", "warn": "allowed with warnings", "deny": "denied"}


def render(run: EvalRun) -> str:
    lines: list[str] = []
    for r in run.results:
        v = r.verdict
        lines.append(f"{v.file}#{v.index} (line {r.line}) {r.object_ref}: {_STATE[r.outcome]}")
        for f in r.findings:
            mark = "WARN " if f.action == "warn" else ""
            lines.append(f"  {mark}{f.message}")
        if v.not_evaluated:
            lines.append(f"  (not evaluated by {v.engine}: {', '.join(v.not_evaluated)})")
    counts = run.counts()
    lines.append(
        f"{run.engine}: {len(run.verdicts)} resources, {counts['deny']} denied, {counts['warn']} warned, {counts['pass']} allowed"
    )
    return "\n".join(lines) + "\n"
