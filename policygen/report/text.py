"""The human summary: one line per resource, its violations under it."""

from __future__ import annotations

import io
from typing import TextIO

from .model import EvalRun
from ..visible import visible as _clean  # a pod named with a newline or ESC forges no line and no terminal sequence

_STATE = {"pass": "allowed", "warn": "allowed with warnings", "deny": "denied"}


def write(run: EvalRun, out: TextIO) -> None:
    """Resource by resource: a run over a cluster dump never holds the whole report."""
    counts = {"pass": 0, "warn": 0, "deny": 0}
    for r in run.iter_results():
        v = r.verdict
        counts[r.outcome] += 1
        lines = [_clean(f"{v.file}#{v.index} (line {r.line}) {r.object_ref}") + f": {_STATE[r.outcome]}"]
        for f in r.findings:
            mark = "WARN " if f.action == "warn" else ""
            lines.append(f"  {mark}{_clean(f.message)}")
        for e in v.exempted:
            lines.append(_clean(f"  EXEMPT ({e.exception}, until {e.expires}: {e.reason}) {e.message}"))
        if v.not_evaluated:
            lines.append(_clean(f"  (not evaluated by {v.engine}: {', '.join(v.not_evaluated)})"))
        out.write("\n".join(lines) + "\n")
    out.write(
        _clean(f"{run.engine}: {len(run.verdicts)} resource{'' if len(run.verdicts) == 1 else 's'}, {counts['deny']} denied, {counts['warn']} warned, {counts['pass']} allowed") + "\n"
    )


def render(run: EvalRun) -> str:
    out = io.StringIO()
    write(run, out)
    return out.getvalue()
