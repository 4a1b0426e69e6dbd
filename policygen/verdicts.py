"""Verdict records: what one engine said about one resource.

A violation's identity is (rule, check). Both come from structured engine
output (fields the generated policy sets from its own plan, the policy or
constraint that reported it), never from message text, which echoes values
an attacker chose (names, images, annotations).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# The rule ID of a verdict whose engine could not judge the resource: it is
# denied with the engine's reason, never allowed (see engines/runner.py).
ENGINE_RULE = "ENGINE"
ENGINE_CHECK = "unjudged"

@dataclass(frozen=True, order=True)
class Violation:
    rule: str
    message: str
    check: str = ""

    @classmethod
    def engine_failure(cls, engine: str, reason: str) -> "Violation":
        """The violation of a resource its engine could not judge: denied, with the engine's reason."""
        reason = " ".join(reason.split())
        if len(reason) > 600:
            reason = reason[:600] + f"...(cut, {len(reason)} characters)"
        return cls(ENGINE_RULE, f"{ENGINE_RULE}/{ENGINE_CHECK} {engine} could not judge this resource: {reason}", ENGINE_CHECK)


@dataclass(frozen=True, order=True)
class Exemption:
    """A violation an exception in force covers: recorded with the exception's name and reason, never a denial."""

    rule: str
    message: str
    check: str
    exception: str
    reason: str
    expires: str

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "check": self.check, "message": self.message,
                "exception": self.exception, "reason": self.reason, "expires": self.expires}


# Slots: a run over a cluster dump keeps one of these per resource until its report is written.
@dataclass(slots=True)
class Verdict:
    file: str
    index: int
    kind: str
    namespace: str
    name: str
    engine: str
    violations: list[Violation] = field(default_factory=list)
    # Rule IDs this engine cannot decide (SC012 outside Kyverno): never "passed".
    not_evaluated: list[str] = field(default_factory=list)
    # Where the object came from (1-based document and line in its file; 0 when not from a file), and its name
    # as `Kind namespace/name` (`Kind name` when cluster-scoped).
    document: int = 0
    line: int = 0
    object: str = ""
    # Violations that exceptions in force cover (policygen/exceptions.py): shown, not denied.
    exempted: list[Exemption] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return not self.violations

    @property
    def rules(self) -> frozenset[str]:
        return frozenset(v.rule for v in self.violations)

    @property
    def checks(self) -> frozenset[tuple[str, str]]:
        """(rule, check) pairs; check is "" where an engine reports none."""
        return frozenset((v.rule, v.check) for v in self.violations)

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "index": self.index,
            "kind": self.kind,
            "namespace": self.namespace,
            "name": self.name,
            "engine": self.engine,
            "allowed": self.allowed,
            "violations": [{"rule": v.rule, "check": v.check, "message": v.message} for v in self.violations],
            "notEvaluated": list(self.not_evaluated),
            "document": self.document,
            "line": self.line,
            "object": self.object,
            **({"exempted": [e.to_json() for e in self.exempted]} if self.exempted else {}),
        }


def sorted_violations(found: list[Violation]) -> list[Violation]:
    """Each violation once, in a stable order: rule, then message."""
    return sorted(set(found), key=lambda v: (v.rule, v.message, v.check))
