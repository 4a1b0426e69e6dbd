"""Violations out of a CEL policy's message, for the Kyverno and VAP adapters.

The rule ID is never read here: the caller takes it from structured output
(the policy that reported the result, whose name the plan maps to one rule
ID). The message only says which checks of that rule failed: the generated
CEL joins its problems with "; ", each starting `RULE/check `, and echoes
every value the resource's author chose inside a quoted string
(`strings.quote`). So the message is split only outside quoted strings, and a
part's check is taken only when its leading token names that very rule and a
check the catalogue (policygen/checks.py) has for it.
"""

from __future__ import annotations

import re

from ..checks import CHECKS
from ..verdicts import Violation

_TOKEN = re.compile(r"^([A-Z]{2}\d{3})/([a-z][a-z0-9-]*) ")


def split_outside_quotes(text: str, sep: str = "; ") -> list[str]:
    """text cut at each sep that is not inside a double-quoted string (backslash escapes honoured)."""
    parts, start, i, quoted = [], 0, 0, False
    while i < len(text):
        ch = text[i]
        if quoted:
            if ch == "\\":
                i += 2
                continue
            if ch == '"':
                quoted = False
        elif ch == '"':
            quoted = True
        elif text.startswith(sep, i):
            parts.append(text[start:i])
            i += len(sep)
            start = i
            continue
        i += 1
    parts.append(text[start:])
    return [p for p in (p.strip() for p in parts) if p]


def violations(rule_id: str, message: str) -> list[Violation]:
    """The violations of one failed result of the policy for rule_id."""
    text = " ".join(str(message).split())
    out = []
    for part in split_outside_quotes(text) or [""]:
        m = _TOKEN.match(part)
        if m and m.group(1) == rule_id and m.group(2) in CHECKS.get(rule_id, {}):
            out.append(Violation(rule_id, part, m.group(2)))
        else:
            # Not a message of ours: still a denial by this rule, with no check claimed.
            out.append(Violation(rule_id, f"{rule_id} {part}".strip(), ""))
    return out
