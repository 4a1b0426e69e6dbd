"""What a backend hands the engine adapters: per rule, the files it rendered and what they match.

An adapter loads a rule's files and sends it only the objects its match
selects; the rule ID travels with the files, so no adapter reads it back out of
a folder name or a policy document.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

ANY = "*"


@dataclass(frozen=True)
class RuleOutput:
    rule_id: str
    # Relative to the backend's folder in dist/, in the order an engine loads them.
    files: tuple[PurePosixPath, ...]
    # (apiGroups, kinds) pairs the rule's match selects, "*" for any; empty: every object.
    match: tuple[tuple[frozenset[str], frozenset[str]], ...] = ()
    # The operations the rule's match selects; empty: every one.
    operations: frozenset[str] = frozenset()

    @property
    def kinds(self) -> frozenset[str]:
        """Every kind the match names ("*" when it names any)."""
        return frozenset(k for _, kinds in self.match for k in kinds) if self.match else frozenset({ANY})

    def matches(self, obj: Any) -> bool:
        """The rule's match selects obj (by its group and kind; a shape no match reads is selected)."""
        if not self.match:
            return True
        if not isinstance(obj, dict):
            return True
        api, kind = obj.get("apiVersion"), obj.get("kind")
        group = api.rpartition("/")[0] if isinstance(api, str) else ""
        return any((ANY in groups or group in groups) and (ANY in kinds or kind in kinds) for groups, kinds in self.match)


def kinds_only(kinds: Any) -> tuple[tuple[frozenset[str], frozenset[str]], ...]:
    """A match on kinds in any group."""
    return ((frozenset({ANY}), frozenset(kinds)),)
