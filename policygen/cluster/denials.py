"""Reading an API server's answer to a dry-run write: admitted, denied by which rules, or broken.

Rule IDs come from the structured parts of the answer: the name of the
policy, binding or constraint that denied (a fixed prefix the API server or
the controller writes, before any text a policy produced), mapped through the
``policygen.dev/rule-id`` annotations of the objects we installed. Text after
that prefix is shown, never trusted for the rule ID.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..verdicts import Violation
from .processes import ClusterError

# A refusal by the API server itself (decoding, schema or field validation),
# before or instead of admission: a denial that says so.
API_SERVER_RULE = "APISERVER"
_VAP_WARNING = re.compile(r"^Validation failed for ValidatingAdmissionPolicy '([^']+)' with binding '([^']+)': ")
_VAP = re.compile(r"ValidatingAdmissionPolicy '([^']+)' with binding '([^']+)' denied request: ")
_WEBHOOK = re.compile(r'^admission webhook "([^"]+)" denied the request: ')
_GATEKEEPER_LINE = re.compile(r"^\[([a-z0-9.-]+)\] ", re.MULTILINE)


@dataclass
class Outcome:
    admitted: bool
    violations: list[Violation] = field(default_factory=list)


def _message(body: dict) -> str:
    msg = body.get("message")
    return msg if isinstance(msg, str) else ""


def _api_refusal(status: int, body: dict) -> Outcome:
    reason = body.get("reason") or f"status-{status}"
    causes = ((body.get("details") or {}).get("causes")) or []
    fields = sorted({c.get("field") for c in causes if isinstance(c, dict) and c.get("field")})
    where = f" ({', '.join(fields)})" if fields else ""
    text = " ".join(_message(body).split())
    return Outcome(False, [Violation(API_SERVER_RULE, f"{API_SERVER_RULE}/{reason}{where} refused by the API server: {text}")])


def warned(warnings: list[str], rule_of_name: dict[str, str]) -> list[Violation]:
    """Violations a binding with validationActions Warn reports; the server denies with only the first Deny."""
    found = []
    for text in warnings:
        m = _VAP_WARNING.match(text)
        if m and (m.group(1) in rule_of_name or m.group(2) in rule_of_name):
            found.append(Violation(rule_of_name.get(m.group(1)) or rule_of_name[m.group(2)], text[m.end():].strip()))
    return found


def read_answer(status: int, body: dict, rule_of_name: dict[str, str], what: str, warnings: list[str] = ()) -> Outcome:
    """The verdict of one dry-run request; ClusterError when the answer is not a verdict."""
    if status in (200, 201, 202):
        return Outcome(True)
    message = _message(body)
    if status >= 500 or "failed calling webhook" in message or "failed to call webhook" in message:
        raise ClusterError(f"{what}: the API server could not consult admission (status {status}): {message[:1500]}")
    # The API server puts the denying policy's decision in a cause of its own, the fixed prefix first.
    causes = [c.get("message") for c in ((body.get("details") or {}).get("causes") or []) if isinstance(c, dict)]
    vap = [(m, text) for text in causes if isinstance(text, str) and (m := _VAP.match(text))]
    if vap:
        violations = []
        for m, text in vap:
            rule = rule_of_name.get(m.group(1)) or rule_of_name.get(m.group(2))
            if rule is None:
                raise ClusterError(f"{what}: denied by ValidatingAdmissionPolicy {m.group(1)!r}, which policygen did not install")
            violations.append(Violation(rule, text[m.end():].strip()))
        # Only the first denying policy is in the message; any that also warn add theirs.
        violations += warned(list(warnings), rule_of_name)
        return Outcome(False, sorted(set(violations), key=lambda v: (v.rule, v.message)))
    hook = _WEBHOOK.match(message)
    if hook:
        rest = message[hook.end():]
        violations = []
        for m in _GATEKEEPER_LINE.finditer(rest):
            rule = rule_of_name.get(m.group(1))
            if rule is None:
                continue
            line_end = rest.find("\n", m.end())
            violations.append(Violation(rule, rest[m.end(): line_end if line_end >= 0 else len(rest)].strip()))
        if not violations:
            raise ClusterError(f"{what}: webhook {hook.group(1)!r} denied without naming a policygen constraint: {message[:1500]}")
        return Outcome(False, sorted(set(violations), key=lambda v: (v.rule, v.message)))
    if status in (400, 422) or (status == 403 and body.get("reason") == "Forbidden" and "is forbidden: " in message
                                and "cannot " not in message):
        return _api_refusal(status, body)
    raise ClusterError(f"{what}: unexpected answer (status {status}): {message[:1500]}")
