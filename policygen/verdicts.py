"""Verdict records: what one engine said about one resource."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_RULE_PREFIX = re.compile(r"^((?:SC|CP)\d{3})\b")


def rule_of(message: str) -> str:
    """The rule ID a message starts with; every backend puts it first."""
    m = _RULE_PREFIX.match(message)
    return m.group(1) if m else "UNKNOWN"


@dataclass(frozen=True)
class Violation:
    rule: str
    message: str

    @classmethod
    def from_message(cls, message: str) -> "Violation":
        return cls(rule_of(message), message)


@dataclass
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

    @property
    def allowed(self) -> bool:
        return not self.violations

    @property
    def rules(self) -> frozenset[str]:
        return frozenset(v.rule for v in self.violations)

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "index": self.index,
            "kind": self.kind,
            "namespace": self.namespace,
            "name": self.name,
            "engine": self.engine,
            "allowed": self.allowed,
            "violations": [{"rule": v.rule, "message": v.message} for v in self.violations],
            "notEvaluated": list(self.not_evaluated),
            "document": self.document,
            "line": self.line,
            "object": self.object,
        }


def sorted_violations(messages: list[str]) -> list[Violation]:
    return [Violation.from_message(m) for m in sorted(set(messages))]
