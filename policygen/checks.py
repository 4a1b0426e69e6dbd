"""Sub-check codes: the stable second half of every violation's identity.

A violation is (rule ID, check code), e.g. ``SC004/capability-added``. Every
message in every engine starts with ``<rule>/<check> `` so that parity can be
compared check by check, not only rule by rule: a CEL rule that lost one of its
checks no longer hides behind another check of the same rule.

Codes are stable API: add new ones, never rename one.
"""

from __future__ import annotations

from .rules import RULES

# Each rule folder (policygen/rules/<id>/) declares its own codes.
CHECKS: dict[str, dict[str, str]] = {rule.rule_id: dict(rule.checks) for rule in RULES}


def code(rule_id: str, check: str) -> str:
    """The ``RULE/check`` code; raises KeyError for a check the catalogue lacks."""
    CHECKS[rule_id][check]
    return f"{rule_id}/{check}"
