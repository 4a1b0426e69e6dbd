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

import yaml

from ..verdicts import Violation
from .processes import ClusterError

# A refusal by the API server itself (decoding, schema or field validation),
# before or instead of admission: a denial that says so.
API_SERVER_RULE = "APISERVER"
_VAP_WARNING = re.compile(r"^Validation failed for ValidatingAdmissionPolicy '([^']+)' with binding '([^']+)': ")
# Go's words for a call that ran out of time: the context's deadline, or the HTTP client's timeout.
_TIMED_OUT = re.compile(r"context deadline exceeded|Client\.Timeout exceeded|i/o timeout|timed out")
_VAP = re.compile(r"ValidatingAdmissionPolicy '([^']+)' with binding '([^']+)' denied request: ")
_WEBHOOK = re.compile(r'^admission webhook "([^"]+)" denied the request: ')
_GATEKEEPER_LINE = re.compile(r"^\[([a-z0-9.-]+)\] ", re.MULTILINE)
# Kyverno's webhooks: its resource webhook for kyverno.io ClusterPolicies, and the
# vpol/ivpol ones for policies.kyverno.io (a hash may follow the failure policy).
_KYVERNO_HOOK = re.compile(r"^(?:(i?vpol)\.)?validate\.kyverno\.svc-(?:fail|ignore)(?:-[a-z0-9.-]+)?$")
# ClusterPolicy denials: a fixed header, then YAML {policy: {rule: message}} (yaml-encoded, so quoted).
_KYVERNO_BLOCKED = re.compile(r"^\s*resource \S+ was blocked due to the following policies \n\n")
# CEL-policy denials: "Policy <name> failed: <message>" joined by "; ".
_KYVERNO_POLICY = re.compile(r"Policy ([a-z0-9][a-z0-9.-]*) (failed|error): ")


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
    if status == 409 and body.get("reason") == "AlreadyExists":
        # A create runs validating admission before storage looks for the name (apiserver's
        # registry.Store.create): the name was taken only after admission had let the object through.
        return Outcome(True)
    message = _message(body)
    if ("failed calling webhook" in message or "failed to call webhook" in message) and _TIMED_OUT.search(message):
        # The webhook was reached but did not answer in time (a huge pod, a loaded machine: red team 15d): under
        # failurePolicy Fail the API server rejects the request, unjudged, as an offline engine over its budget does.
        # A webhook that cannot be reached at all stays an error below: the install is broken, not the request.
        return Outcome(False, [Violation.engine_failure("admission webhook", f"the API server rejected the request as its "
                                                        f"webhook did not answer in time (failurePolicy Fail): {message[:300]}")])
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
    if hook and _KYVERNO_HOOK.match(hook.group(1)):
        return Outcome(False, _kyverno_violations(message[hook.end():], rule_of_name, what, hook.group(1)))
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


def _outside_quotes(text: str) -> list[bool]:
    """For each character, whether it is outside a double-quoted string (backslash escapes honoured)."""
    out, quoted, escaped = [], False, False
    for ch in text:
        out.append(not quoted)
        if escaped:
            escaped = False
        elif ch == "\\" and quoted:
            escaped = True
        elif ch == '"':
            quoted = not quoted
    return out


def _kyverno_violations(rest: str, rule_of_name: dict[str, str], what: str, hook: str) -> list[Violation]:
    """Rule IDs from Kyverno's denial: policy names in its fixed framing, never from policy text.

    ClusterPolicy answers are YAML, so a policy's message cannot forge a key. A
    CEL policy's are "Policy <name> failed: <message>" joined by "; ": a name
    counts only at the start or right after "; ", outside any double-quoted
    string (policygen quotes every value it echoes), and only if it is a policy
    we installed; text that mimics the framing stays inside the message before it.
    """
    violations: list[Violation] = []
    blocked = _KYVERNO_BLOCKED.match(rest)
    if blocked:
        try:
            failures = yaml.safe_load(rest[blocked.end():])
        except yaml.YAMLError:
            failures = None
        if not isinstance(failures, dict):
            raise ClusterError(f"{what}: Kyverno's denial is not its policy map: {rest[:1500]}")
        for policy, rules in failures.items():
            rule = rule_of_name.get(policy)
            if rule is None or not isinstance(rules, dict):
                raise ClusterError(f"{what}: denied by Kyverno policy {policy!r}, which policygen did not install")
            for text in rules.values():
                violations.append(_kyverno_message(rule, " ".join(str(text).split()), False))
    else:
        free = _outside_quotes(rest)
        starts = [m for m in _KYVERNO_POLICY.finditer(rest)
                  if (m.start() == 0 or rest[max(0, m.start() - 2):m.start()] == "; ") and free[m.start()]
                  and m.group(1) in rule_of_name]
        if not starts or starts[0].start() != 0:
            raise ClusterError(f"{what}: webhook {hook!r} denied without naming a policygen policy: {rest[:1500]}")
        for m, nxt in zip(starts, starts[1:] + [None]):
            rule = rule_of_name[m.group(1)]
            text = rest[m.end(): nxt.start() - 2 if nxt else len(rest)].strip()
            # One policy's several checks come joined by "; " too, each starting with its code.
            for part in ([text] if m.group(2) == "error" else re.split(f"; (?={re.escape(rule)}/)", text)):
                violations.append(_kyverno_message(rule, part, m.group(2) == "error"))
    return sorted(set(violations), key=lambda v: (v.rule, v.message))


def _kyverno_message(rule: str, text: str, error: bool) -> Violation:
    if error:
        # Fail closed, as the offline Kyverno engine does: the rule could not show the resource is fine.
        return Violation(rule, f"{rule} kyverno could not evaluate the policy: {text}")
    return Violation(rule, text if text.startswith(rule + "/") else f"{rule} {text}")
