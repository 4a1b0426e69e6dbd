"""Verification: every labelled sample against what each engine said."""

from __future__ import annotations

from dataclasses import dataclass, field

from .samples import Resource
from .verdicts import Verdict
from .visible import visible


@dataclass
class Row:
    resource: Resource
    verdicts: dict[str, Verdict] = field(default_factory=dict)

    def expected_for(self, engine: str) -> frozenset[str] | None:
        if self.resource.expect is None:
            return None
        skipped = set(self.verdicts[engine].not_evaluated)
        return frozenset(r for r in self.resource.expect.rules if r not in skipped)

    def ok(self, engine: str) -> bool:
        want = self.expected_for(engine)
        return want is not None and self.verdicts[engine].rules == want and not self.unchecked(engine)

    def unchecked(self, engine: str) -> bool:
        """A denial was expected and the engine evaluated none of its rules: it allowed the resource only
        because it could not judge it, which is neither a pass nor a failure."""
        expect = self.resource.expect
        return (expect is not None and bool(expect.rules) and self.verdicts[engine].allowed
                and expect.rules <= set(self.verdicts[engine].not_evaluated))

    def failed(self, engine: str) -> bool:
        return not self.ok(engine) and not self.unchecked(engine)

    @property
    def engines_agree(self) -> bool:
        """The same rules from every engine, among those every engine evaluated on this resource."""
        skipped = {r for v in self.verdicts.values() for r in v.not_evaluated}
        seen = {v.rules - skipped for v in self.verdicts.values()}
        return len(seen) <= 1


@dataclass
class Report:
    engines: list[str]
    rows: list[Row]
    # Engines left out because they are not installed: the verification is incomplete.
    skipped_engines: list[str] = field(default_factory=list)

    def failures(self, engine: str) -> int:
        return sum(1 for r in self.rows if r.failed(engine))

    def unchecked(self, engine: str) -> int:
        return sum(1 for r in self.rows if r.unchecked(engine))

    @property
    def unjudged(self) -> list[Row]:
        """Rows whose expected denial no engine could judge: nothing verified them."""
        return [r for r in self.rows if self.engines and all(r.unchecked(e) for e in self.engines)]

    @property
    def disagreements(self) -> list[Row]:
        return [r for r in self.rows if not r.engines_agree]

    @property
    def ok(self) -> bool:
        """Every engine matched every expectation, they agree, none was skipped, some engine judged every
        expected denial, and there was something to check."""
        return (
            bool(self.rows)
            and all(self.failures(e) == 0 for e in self.engines)
            and not self.disagreements
            and not self.skipped_engines
            and not self.unjudged
        )


def build_report(resources: list[Resource], by_engine: dict[str, list[Verdict]]) -> Report:
    rows = [Row(res) for res in resources]
    for engine, verdicts in by_engine.items():
        for row, verdict in zip(rows, verdicts, strict=True):
            row.verdicts[engine] = verdict
    return Report(list(by_engine), rows)


def _said(verdict: Verdict) -> str:
    return "allow" if verdict.allowed else "deny " + " ".join(sorted(verdict.rules))


def _why_unevaluated(rule: str) -> str:
    if rule == "SC012":
        return "signatures need Kyverno with registry access, POLICYGEN_KYVERNO_REGISTRY=1; see README"
    return "the engine cannot judge it on these resources offline; see docs/semantics.md"


def format_report(report: Report) -> str:
    lines: list[str] = []
    for row in report.rows:
        res = row.resource
        want = res.expect.describe() if res.expect else "(no expectation)"
        where = f"{res.file}:{res.line}" if res.line else f"{res.file}#{res.index}"
        lines.append(f"{where} {res.display}  expected: {want}")
        for engine in report.engines:
            verdict = row.verdicts[engine]
            mark = "ok  " if row.ok(engine) else "n/e " if row.unchecked(engine) else "FAIL"
            extra = f"  (not evaluated: {', '.join(verdict.not_evaluated)})" if verdict.not_evaluated and res.expect and set(verdict.not_evaluated) & set(res.expect.rules) else ""
            lines.append(f"  {mark} {engine:9} {_said(verdict)}{extra}")
        if not row.engines_agree:
            lines.append("  DISAGREE: the engines' rule sets differ")
    lines.append("")
    skipped = sorted({r for row in report.rows for v in row.verdicts.values() for r in v.not_evaluated})
    for rule in skipped:
        engines = [e for e in report.engines if any(rule in row.verdicts[e].not_evaluated for row in report.rows)]
        count = sum(any(rule in v.not_evaluated for v in row.verdicts.values()) for row in report.rows)
        expected = any(row.resource.expect and rule in row.resource.expect.rules for row in report.rows)
        lines.append(f"NOTE {rule} was not evaluated by {', '.join(engines)} on {count} resource(s)"
                     + (": where a sample expected it, that part is not counted as passed" if expected else "")
                     + f" ({_why_unevaluated(rule)})")
    for engine in report.engines:
        failed, unchecked = report.failures(engine), report.unchecked(engine)
        lines.append(f"{engine}: {len(report.rows) - failed - unchecked} passed, {failed} failed"
                     + (f", {unchecked} not evaluated (n/e: a denial expected, none of its rules judged)" if unchecked else ""))
    lines.append(f"engines agree on {len(report.rows) - len(report.disagreements)} of {len(report.rows)} resources")
    if report.unjudged:
        lines.append(f"INCOMPLETE: {len(report.unjudged)} resource(s) whose expected denial no engine given could judge")
    if report.skipped_engines:
        lines.append(f"INCOMPLETE: {len(report.skipped_engines)} engine(s) skipped ({', '.join(report.skipped_engines)})")
    # One report line per entry: a file or object name with ESC or a line feed is shown as text (visible()).
    return "\n".join(visible(line) for line in lines)
