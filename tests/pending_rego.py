"""Fail-closed checks the CEL policies report that the Rego of this branch does not report yet.

They are the type-confusion fixes of issue 7.1 (a wrong-typed field the API
server would refuse is denied rather than read as empty). The CEL side landed
with issue 9; the Rego side of the very same checks lands with issue 7.1, and
then these are no differences at all. Until then a test tolerates such a
check only as an extra one in Kyverno or VAP: never a verdict that OPA allows.
"""

from __future__ import annotations

CEL_ENGINES = frozenset({"kyverno", "vap"})
PENDING_REGO_CHECKS: frozenset[tuple[str, str]] = frozenset({
    ("SC005", "env-malformed"),
    ("SC003", "pod-metadata-malformed"),
})


def without_pending(engine: str, verdict, reference_rules: frozenset[str] | set[str]) -> frozenset[str]:
    """verdict's rule IDs less a rule whose every violation is a pending check, when the reference
    (OPA's rules, or a sample's expectation) still denies the resource for some rule."""
    if engine not in CEL_ENGINES or not reference_rules:
        return frozenset(verdict.rules)
    pending_only = {r for r in verdict.rules
                    if r not in reference_rules and all((v.rule, v.check) in PENDING_REGO_CHECKS for v in verdict.violations if v.rule == r)}
    return frozenset(verdict.rules) - pending_only
