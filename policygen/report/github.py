"""GitHub Actions workflow commands: one ``::error``/``::warning`` annotation per violation.

Messages carry attacker-chosen text (container names, env values, annotation
keys from the judged pod). GitHub reads a command only at the start of a
line, so escaping ``%``, CR and LF in the message, and also ``:`` and ``,`` in
properties, leaves no way to start a second command or forge a property.
Before that, every control character (ESC, NUL, the C1 controls, line
separators; ``visible``) is made visible text: the runner's log is a terminal
stream, and a raw ESC in it would be a terminal sequence, not text.
"""

from __future__ import annotations

from .model import EvalRun
from ..visible import visible


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **props: str | int) -> str:
    """One workflow command; message and property values are shown as text (``visible``), then escaped."""
    fields = ",".join(f"{key}={escape_property(visible(str(value)))}" for key, value in props.items())
    data = escape_data(visible(message))
    return f"::{name} {fields}::{data}" if fields else f"::{name}::{data}"


def render(run: EvalRun) -> str:
    lines: list[str] = []
    for r in run.results:
        for f in r.findings:
            title = f"{f.check or f.rule} {r.object_ref}"
            level = "warning" if f.action == "warn" else "error"
            lines.append(command(level, f.message, file=r.verdict.file, line=r.line, title=title))
        if r.unread and not r.findings:
            lines.append(command("warning", r.unread_note, file=r.verdict.file, line=r.line, title=f"not evaluated {r.object_ref}"))
        for e in r.verdict.exempted:
            # A notice: visible in the run, never a failure.
            lines.append(command("notice", f"exempted by {e.exception} until {e.expires} ({e.reason}): {e.message}",
                                 file=r.verdict.file, line=r.line, title=f"{e.check or e.rule} {r.object_ref} exempted"))
    for rule in run.not_evaluated:
        lines.append(command("notice", f"{rule} was not evaluated by {run.engine}: not counted as passed", title=f"{rule} not evaluated"))
    counts = run.counts()
    lines.append(
        escape_data(visible(f"policygen {run.engine}: {len(run.verdicts)} resource{'' if len(run.verdicts) == 1 else 's'}, {counts['deny']} denied, "
                    f"{counts['warn']} warned, {counts['pass']} allowed"))
    )
    return "\n".join(lines) + "\n"
