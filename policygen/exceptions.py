"""Exceptions: which objects each rule leaves alone, until when, and why.

One matcher, written here in Python for ``policygen eval`` and in
``templates/rego/exceptions.rego.jinja`` for OPA, conftest and Gatekeeper,
with the same reading of an object: the object under review (the old one of a
DELETE), its kind, its name, its ``metadata.labels``, and its namespace as the
rules read it (the object's, else the request's, else ``default``; a
Namespace's own name; none for other cluster-scoped kinds). Every criterion an
exception gives must hold; values compare exactly.

An expired exception is in no backend's output and exempts nothing (fail
closed); ``policygen generate --check`` fails on it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from .kinds import is_cluster_scoped, rule_kinds
from .plan import ExceptionPlan, ObjectMatch, Plan
from .samples import Resource
from .verdicts import Exemption, Verdict


@dataclass(frozen=True)
class ObjectFacts:
    kind: Any
    namespace: str | None
    name: Any
    labels: Any


def target(review: dict[str, Any]) -> dict[str, Any]:
    """The object the rules judge; a DELETE carries only the old one (lib/review.rego's target)."""
    old, obj = review.get("oldObject"), review.get("object")
    if review.get("operation") == "DELETE" and isinstance(old, dict):
        return old
    return obj if isinstance(obj, dict) else {}


def facts(review: dict[str, Any]) -> ObjectFacts:
    obj = target(review)
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    kind = obj.get("kind")
    namespace: str | None
    if not isinstance(kind, str):
        namespace = None  # the Rego reads no namespace of a kindless object either
    elif kind == "Namespace":
        namespace = meta.get("name") if isinstance(meta.get("name"), str) else None
    elif is_cluster_scoped(kind):
        namespace = None
    elif isinstance(meta.get("namespace"), str) and meta["namespace"]:
        namespace = meta["namespace"]
    elif isinstance(review.get("namespace"), str) and review["namespace"]:
        namespace = review["namespace"]
    else:
        namespace = "default"
    return ObjectFacts(kind, namespace, meta.get("name"), meta.get("labels"))


def matches(objects: ObjectMatch, review: dict[str, Any]) -> bool:
    f = facts(review)
    if objects.kinds and f.kind not in objects.kinds:
        return False
    if objects.namespaces and f.namespace not in objects.namespaces:
        return False
    if objects.names and not (isinstance(f.name, str) and f.name in objects.names):
        return False
    if objects.labels:
        if not isinstance(f.labels, dict):
            return False
        if any(f.labels.get(key) != value for key, value in objects.labels):
            return False
    return True


def exempting(plan: Plan, review: dict[str, Any]) -> dict[str, ExceptionPlan]:
    """Rule ID -> the exception in force that exempts this object from it (the first by name)."""
    found: dict[str, ExceptionPlan] = {}
    for exc in plan.exceptions:
        if matches(exc.objects, review):
            for rule in exc.rules:
                found.setdefault(rule, exc)
    return found


def apply(plan: Plan, resources: list[Resource], verdicts: list[Verdict]) -> list[Verdict]:
    """Each verdict with the violations an exception in force covers moved to ``exempted``: recorded, not denied.

    Engine failures (rule ENGINE) are never exempted: an object no engine could judge stays denied.
    """
    if not plan.exceptions:
        return verdicts
    out = []
    for res, verdict in zip(resources, verdicts, strict=True):
        by_rule = exempting(plan, res.review)
        kept, exempted = [], list(verdict.exempted)
        for v in verdict.violations:
            exc = by_rule.get(v.rule)
            if exc is None:
                kept.append(v)
            else:
                exempted.append(Exemption(v.rule, v.message, v.check, exc.name, exc.reason, exc.expires.isoformat()))
        out.append(replace(verdict, violations=kept, exempted=sorted(exempted)))
    return out


def for_rule(plan: Plan, rule_id: str) -> list[dict[str, Any]]:
    """The exceptions in force for one rule, as the object criteria a native exception needs.

    For backends whose engines have their own exception objects (Kyverno's
    PolicyException, a ValidatingAdmissionPolicy's matchConditions): each entry
    has ``name``, ``kinds`` (never empty: the exception's kinds, else every kind
    the rule reads), ``namespaces``, ``names``, ``labels`` (matchLabels) and
    ``reason``/``expires``. Empty namespaces, names or labels constrain nothing.
    Expired exceptions are not in the plan's ``exceptions``, so never here.
    """
    own = rule_kinds(rule_id)
    out = []
    for exc in plan.exceptions_for(rule_id):
        kinds = [k for k in own if not exc.objects.kinds or k in exc.objects.kinds]
        if not kinds:
            continue  # it names only kinds this rule never reads: it exempts nothing here
        out.append({
            "name": exc.name,
            "kinds": sorted(kinds),
            "namespaces": list(exc.objects.namespaces),
            "names": list(exc.objects.names),
            "labels": dict(exc.objects.labels),
            "reason": exc.reason,
            "expires": exc.expires.isoformat(),
        })
    return out


def expiry_messages(plan: Plan, source: str) -> tuple[list[str], list[str]]:
    """(errors for expired exceptions, warnings for those expiring within EXPIRY_WARNING_DAYS), naming the spec file."""
    errors = [
        f"{source}: spec.exceptions {e.name!r} expired on {e.expires.isoformat()} (today is {plan.today}): it exempts "
        f"nothing and is left out of every policy; renew its expiry or remove it"
        for e in plan.expired_exceptions
    ]
    warnings = [
        f"{source}: spec.exceptions {e.name!r} expires on {e.expires.isoformat()} "
        f"(in {(e.expires - plan.today).days} day(s)); renew it or remove it"
        for e in plan.expiring_exceptions()
        if plan.today is not None
    ]
    return errors, warnings
