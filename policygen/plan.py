"""The rule plan: what the spec asks for, decided once, engine-neutral.

One entry per rule ID the spec switches on, planned by the rule's own folder
(policygen/rules/<id>/), carrying plain JSON parameters. Backends render these
parameters and decide nothing; Gatekeeper passes them as constraint
parameters, the Rego backend as a JSON data literal, Kyverno as literals in
its expressions.
"""

from __future__ import annotations

import datetime
import json
import os
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .kinds import POD_KINDS
from .rules import CATALOGUE, RULES, PlanInputs, RuleInfo
from .spec import PolicySpec, Scope, SidecarPolicy, revalidated


@dataclass(frozen=True)
class RulePlan:
    rule_id: str
    params: dict[str, Any]

    @property
    def info(self) -> RuleInfo:
        return CATALOGUE[self.rule_id]

    @property
    def params_json(self) -> str:
        return json.dumps(self.params, sort_keys=True, separators=(",", ":"))


# An exception this close to its expiry (in days) is reported, so that it is renewed or removed in time.
EXPIRY_WARNING_DAYS = 14
TODAY_ENV = "POLICYGEN_TODAY"


def today_utc() -> datetime.date:
    """The day exceptions are judged on: POLICYGEN_TODAY (YYYY-MM-DD) when set, so tests never read the clock."""
    pinned = os.environ.get(TODAY_ENV)
    if pinned:
        try:
            return datetime.date.fromisoformat(pinned)
        except ValueError:
            from .errors import SettingError

            raise SettingError(f"{TODAY_ENV}={pinned!r} is not an ISO date (YYYY-MM-DD)") from None
    return datetime.datetime.now(datetime.timezone.utc).date()


@dataclass(frozen=True)
class ObjectMatch:
    """The objects an exception covers; an empty criterion is no constraint, the others must all hold."""

    kinds: tuple[str, ...] = ()
    namespaces: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    labels: tuple[tuple[str, str], ...] = ()  # matchLabels, sorted by key

    def to_json(self) -> dict[str, Any]:
        return {
            "kinds": list(self.kinds),
            "namespaces": list(self.namespaces),
            "names": list(self.names),
            "labels": dict(self.labels),
        }


@dataclass(frozen=True)
class ExceptionPlan:
    name: str
    rules: tuple[str, ...]
    objects: ObjectMatch
    reason: str
    expires: datetime.date

    def expired(self, today: datetime.date) -> bool:
        # Valid through its expiry day; from the next day on it exempts nothing.
        return today > self.expires

    def expiring(self, today: datetime.date) -> bool:
        return not self.expired(today) and (self.expires - today).days <= EXPIRY_WARNING_DAYS

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "rules": list(self.rules),
            "objects": self.objects.to_json(),
            "reason": self.reason,
            "expires": self.expires.isoformat(),
        }


# What each enforcement does in each engine's own switch (docs/exceptions.md).
GATEKEEPER_ACTIONS = {"deny": "deny", "warn": "warn", "audit": "dryrun"}


@dataclass(frozen=True)
class Plan:
    name: str
    description: str
    mode: str  # enforce | audit
    rules: tuple[RulePlan, ...]
    # Kinds the pod rules read, for backends that must list them.
    pod_kinds: tuple[str, ...] = POD_KINDS
    # Per-rule overrides of mode: rule ID -> deny | warn | audit.
    enforcement: dict[str, str] = field(default_factory=dict)
    # Exceptions in force on `today` (rendered and applied); expired ones are kept apart, applied nowhere.
    exceptions: tuple[ExceptionPlan, ...] = ()
    expired_exceptions: tuple[ExceptionPlan, ...] = ()
    today: datetime.date | None = None

    def rule(self, rule_id: str) -> RulePlan | None:
        return next((r for r in self.rules if r.rule_id == rule_id), None)

    def action(self, rule_id: str) -> str:
        """deny, warn or audit: what a violation of the rule does (the spec's audit mode is warn everywhere)."""
        return self.enforcement.get(rule_id) or ("deny" if self.mode == "enforce" else "warn")

    def exceptions_for(self, rule_id: str) -> tuple[ExceptionPlan, ...]:
        return tuple(e for e in self.exceptions if rule_id in e.rules)

    def expiring_exceptions(self) -> tuple[ExceptionPlan, ...]:
        return tuple(e for e in self.exceptions if self.today is not None and e.expiring(self.today))

    def without_exceptions(self) -> "Plan":
        """The same rules with no exception in force: what policygen eval runs before it applies them itself."""
        from dataclasses import replace

        return replace(self, exceptions=())

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(r.rule_id for r in self.rules)


def _scope(scope: Scope) -> dict[str, Any]:
    selector = None
    if scope.mesh_namespace_selector is not None:
        sel = scope.mesh_namespace_selector
        selector = {
            "matchLabels": dict(sorted(sel.match_labels.items())),
            "matchExpressions": [
                {"key": r.key, "operator": r.operator, "values": sorted(r.values)} for r in sel.match_expressions
            ],
        }
    return {
        "meshNamespaces": sorted(scope.mesh_namespaces),
        "excludedNamespaces": sorted(scope.excluded_namespaces),
        "meshNamespaceSelector": selector,
    }


def _exception(exc) -> ExceptionPlan:
    objects = exc.objects
    labels = objects.label_selector.match_labels if objects.label_selector else {}
    return ExceptionPlan(
        name=exc.name,
        rules=tuple(sorted(exc.rules)),
        objects=ObjectMatch(
            kinds=tuple(sorted(objects.kinds)),
            namespaces=tuple(sorted(objects.namespaces)),
            names=tuple(sorted(objects.names)),
            labels=tuple(sorted(labels.items())),
        ),
        reason=exc.reason,
        expires=exc.expires,
    )


def build_plan(policy: SidecarPolicy, today: datetime.date | None = None) -> Plan:
    """Decide every rule the spec asks for, with its parameters; exceptions as in force on today (UTC)."""
    return plan_of_valid(revalidated(policy), today)


def plan_of_valid(policy: SidecarPolicy, today: datetime.date | None = None) -> Plan:
    """build_plan() of a policy that has just passed validation."""
    spec: PolicySpec = policy.spec
    given = PlanInputs(
        spec=spec,
        scope=_scope(spec.scope),
        sidecar_names=sorted(s.name for s in spec.sidecars),
        repositories=sorted(spec.images.repositories) if spec.images else [],
        sidecars=sorted(spec.sidecars, key=lambda s: s.name),
    )
    rules = [RulePlan(rule.rule_id, params) for rule in RULES if (params := rule.plan(given)) is not None]
    today = today or today_utc()
    exceptions = sorted((_exception(e) for e in spec.exceptions), key=lambda e: e.name)
    return Plan(
        name=policy.metadata.name,
        description=policy.metadata.description,
        mode=spec.mode,
        rules=tuple(rules),
        enforcement=dict(sorted(spec.enforcement.items())),
        exceptions=tuple(e for e in exceptions if not e.expired(today)),
        expired_exceptions=tuple(e for e in exceptions if e.expired(today)),
        today=today,
    )


_T = TypeVar("_T")
# What several backends derive from one plan, kept while the plan lives (a Plan holds dicts, so it cannot
# be a key; its id is one while it lives, and its entries go when it does).
_PER_PLAN: dict[tuple[int, str], Any] = {}


def per_plan(plan: Plan, key: str, build: Callable[[], _T]) -> _T:
    """build(), once for this plan and key."""
    slot = (id(plan), key)
    if slot not in _PER_PLAN:
        _PER_PLAN[slot] = build()
        weakref.finalize(plan, _PER_PLAN.pop, slot, None)
    return _PER_PLAN[slot]
