"""The rule plan: what the spec asks for, decided once, engine-neutral.

One entry per rule ID, carrying plain JSON parameters. Backends render these
parameters and decide nothing; Gatekeeper passes them as constraint
parameters, the Rego backend as a JSON data literal, Kyverno as literals in
its expressions.
"""

from __future__ import annotations

import datetime
import json
import os
from dataclasses import dataclass, field
from typing import Any

from .kinds import POD_KINDS
from .rules import CATALOGUE, RuleInfo
from .spec import PolicySpec, Scope, Sidecar, SidecarPolicy

# Kubernetes' defaults where a missing securityContext key means the approved
# value anyway (SPEC.md SC004); allowPrivilegeEscalation is never defaulted.
SECURITY_CONTEXT_DEFAULTS: dict[str, Any] = {"privileged": False}
SECURITY_CONTEXT_KEYS = (
    "privileged",
    "allowPrivilegeEscalation",
    "runAsNonRoot",
    "runAsUser",
    "runAsGroup",
    "readOnlyRootFilesystem",
)
# deletecollection removes every webhook configuration at once (the policy engines' own included).
WEBHOOK_WRITE_VERBS = ("*", "create", "delete", "deletecollection", "patch", "update")
WEBHOOK_RESOURCES = ("mutatingwebhookconfigurations", "validatingwebhookconfigurations")


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
            from .errors import PolicygenError

            raise PolicygenError(f"{TODAY_ENV}={pinned!r} is not an ISO date (YYYY-MM-DD)") from None
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


def _security_context(sidecar: Sidecar) -> dict[str, Any] | None:
    sc = sidecar.security_context
    if sc is None:
        return None
    dumped = sc.model_dump(by_alias=True, exclude_none=True)
    expected = [
        {"key": key, "value": dumped[key], "defaultsTo": SECURITY_CONTEXT_DEFAULTS.get(key) == dumped[key]}
        for key in SECURITY_CONTEXT_KEYS
        if key in dumped
    ]
    caps = sc.capabilities
    return {
        "name": sidecar.name,
        "expected": expected,
        "checkCapabilities": caps is not None,
        "mustDrop": sorted(caps.must_drop) if caps else [],
        "mayAdd": sorted(caps.may_add) if caps else [],
    }


def _command_args_env(sidecar: Sidecar) -> dict[str, Any] | None:
    if sidecar.args is None and sidecar.command_allowed is not False and sidecar.env is None:
        return None
    env = sidecar.env
    return {
        "name": sidecar.name,
        "forbidCommand": sidecar.command_allowed is False,
        "checkArgs": sidecar.args is not None,
        "argsPrefix": list(sidecar.args.prefix) if sidecar.args else [],
        "pinnedEnv": [{"name": k, "value": v} for k, v in sorted(env.pinned.items())] if env else [],
        "forbiddenEnv": sorted(env.forbidden) if env else [],
    }


def _resources(sidecar: Sidecar) -> dict[str, Any] | None:
    res = sidecar.resources
    if res is None:
        return None

    def bounds(b) -> list[dict[str, str]]:
        if b is None:
            return []
        return [{"resource": k, "max": str(v)} for k, v in (("cpu", b.cpu), ("memory", b.memory)) if v is not None]

    return {
        "name": sidecar.name,
        "requireLimits": res.require_limits,
        "maxLimits": bounds(res.max_limits),
        "maxRequests": bounds(res.max_requests),
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
    spec: PolicySpec = policy.spec
    scope = _scope(spec.scope)
    sidecar_names = sorted(s.name for s in spec.sidecars)
    repositories = sorted(spec.images.repositories) if spec.images else []
    rules: list[RulePlan] = []

    def add(rule_id: str, params: dict[str, Any]) -> None:
        rules.append(RulePlan(rule_id, params))

    if spec.images and spec.sidecars:
        add("SC001", {"scope": scope, "sidecarNames": sidecar_names, "repositories": repositories})
        img = spec.images
        if img.require_digest or img.digests or img.forbidden_tags:
            add("SC002", {
                "scope": scope,
                "sidecarNames": sidecar_names,
                "requireDigest": img.require_digest,
                "digests": sorted(img.digests),
                "forbiddenTags": sorted(img.forbidden_tags),
            })
    if spec.sidecars or spec.images:
        add("SC003", {
            "scope": scope,
            "sidecarRepositories": repositories,
            "sidecars": [{"name": s.name, "placement": sorted(s.placement)} for s in sorted(spec.sidecars, key=lambda s: s.name)],
        })

    by_name = sorted(spec.sidecars, key=lambda s: s.name)
    for rule_id, build in (("SC004", _security_context), ("SC005", _command_args_env), ("SC007", _resources)):
        entries = [e for e in (build(s) for s in by_name) if e is not None]
        if entries:
            add(rule_id, {"scope": scope, "sidecars": entries})
        if rule_id == "SC005":
            mounts = [
                {"name": s.name, "allowed": sorted(s.volume_mounts.allowed)} for s in by_name if s.volume_mounts is not None
            ]
            if mounts:
                add("SC006", {"scope": scope, "sidecars": mounts})

    ann = spec.annotations
    if ann and (ann.forbidden or ann.allowed_values):
        add("SC008", {
            "scope": scope,
            "forbidden": sorted(ann.forbidden),
            "allowedValues": [{"key": k, "values": list(v)} for k, v in sorted(ann.allowed_values.items())],
        })

    inj = spec.injection
    if (inj and (inj.forbid_opt_out or inj.require_sidecar)) or spec.scope.approved_revisions:
        add("SC009", {
            "scope": scope,
            "forbidOptOut": bool(inj and inj.forbid_opt_out),
            "approvedRevisions": sorted(spec.scope.approved_revisions),
            "requireSidecar": bool(inj and inj.require_sidecar),
            "sidecarName": inj.sidecar_name if inj else "istio-proxy",
        })

    app = spec.app_containers
    if app and (app.forbidden_run_as_users or app.forbidden_run_as_groups or app.forbidden_capabilities or app.forbid_privileged):
        add("SC010", {
            "scope": scope,
            "sidecarNames": sidecar_names,
            "forbiddenRunAsUsers": sorted(app.forbidden_run_as_users),
            "forbiddenRunAsGroups": sorted(app.forbidden_run_as_groups),
            "forbiddenCapabilities": sorted(app.forbidden_capabilities),
            "forbidPrivileged": app.forbid_privileged,
        })

    pod = spec.pod
    if pod:
        fields = [
            name
            for name, on in (
                ("hostNetwork", pod.forbid_host_network),
                ("hostPID", pod.forbid_host_pid),
                ("hostIPC", pod.forbid_host_ipc),
                ("shareProcessNamespace", pod.forbid_share_process_namespace),
            )
            if on
        ]
        if fields:
            add("SC011", {"scope": scope, "forbiddenFields": fields})

    if spec.signatures and spec.images:
        add("SC012", {
            "repositories": repositories,
            "sidecarNames": sidecar_names,
            "publicKeys": list(spec.signatures.cosign.public_keys),
            "transparencyLog": spec.signatures.cosign.transparency_log,
            "requireDigest": spec.images.require_digest,
        })

    cp = spec.control_plane
    if cp:
        trusted = sorted(cp.trusted_subjects)
        groups = sorted(cp.trusted_groups)
        if cp.injector_webhooks:
            wh = cp.injector_webhooks
            add("CP001", {
                "trustedSubjects": trusted,
                "trustedGroups": groups,
                "namePrefixes": sorted(wh.name_prefixes),
                "service": {"namespace": wh.service.namespace, "name": wh.service.name, "path": wh.service.path},
                "failurePolicy": wh.failure_policy,
            })
        if cp.injector_config_maps:
            add("CP002", {"trustedSubjects": trusted, "trustedGroups": groups, "namespace": cp.namespace, "configMaps": sorted(cp.injector_config_maps)})
        if cp.peer_authentication and cp.peer_authentication.require_strict:
            add("CP003", {"namespace": cp.namespace})
        if spec.scope.mesh_namespaces or spec.scope.excluded_namespaces:
            add("CP004", {
                "meshNamespaces": sorted(set(spec.scope.mesh_namespaces) - set(spec.scope.excluded_namespaces)),
                "excludedNamespaces": sorted(spec.scope.excluded_namespaces),
                "approvedRevisions": sorted(spec.scope.approved_revisions),
            })
        add("CP005", {
            "trustedRoles": sorted(cp.trusted_roles),
            "resources": list(WEBHOOK_RESOURCES),
            "verbs": list(WEBHOOK_WRITE_VERBS),
        })

    order = list(CATALOGUE)
    rules.sort(key=lambda r: order.index(r.rule_id))
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
