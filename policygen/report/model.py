"""One evaluation run seen from outside: each resource, where it came from, and
whether each of its violations denies or only warns."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ..checks import CHECKS
from ..kinds import NAMESPACED_KINDS
from ..plan import Plan
from ..rules import CATALOGUE
from ..samples import Resource
from ..verdicts import Verdict, Violation


def rule_action(plan: Plan, rule_id: str) -> str:
    """"deny" or "warn": what the generated policies do with a violation of this rule.

    A spec in audit mode blocks nothing (Gatekeeper dryrun/warn, Kyverno Audit),
    so its violations are warnings. A per-rule enforcement, where the plan has
    one, wins over the spec's mode.
    """
    per_rule: dict[str, str] = getattr(plan, "enforcement", None) or {}
    mode = per_rule.get(rule_id, plan.mode)
    return "warn" if mode in ("audit", "warn", "dryrun") else "deny"


def check_of(violation: Violation) -> str:
    """The sub-check code (``SC004/capability-added``) when the engine adapter recorded one."""
    check = getattr(violation, "check", "") or ""
    if not check:
        return ""
    code = check if "/" in check else f"{violation.rule}/{check}"
    rule, _, name = code.partition("/")
    # Only codes of the catalogue: an unknown one says nothing a reader can look up.
    return code if name in CHECKS.get(rule, {}) else ""


@dataclass(frozen=True)
class Finding:
    rule: str
    check: str
    message: str
    action: str  # deny | warn

    @property
    def severity(self) -> str:
        info = CATALOGUE.get(self.rule)
        return info.severity if info else "high"


@dataclass(frozen=True)
class ResourceResult:
    verdict: Verdict
    line: int
    findings: tuple[Finding, ...]
    api_version: str
    # Where the object keeps containers in a kind no rule reads (kinds.unread_pod_template): judged by no pod rule.
    unread: str | None = None

    @property
    def unread_note(self) -> str:
        return (f"containers at {self.unread}, in a kind no rule reads: the pod rules were not evaluated "
                f"({', '.join(self.verdict.not_evaluated)}), not passed")

    @property
    def outcome(self) -> str:
        """deny when any violation denies, warn when violations only warn, pass otherwise."""
        if any(f.action == "deny" for f in self.findings):
            return "deny"
        return "warn" if self.findings else "pass"

    @property
    def namespaced(self) -> bool:
        return self.verdict.kind in NAMESPACED_KINDS or self.verdict.kind not in _CLUSTER_KINDS

    @property
    def object_ref(self) -> str:
        """``Kind namespace/name``, no namespace for cluster-scoped kinds."""
        v = self.verdict
        name = v.name or "(unnamed)"
        return f"{v.kind or '(no kind)'} {v.namespace}/{name}" if self.namespaced else f"{v.kind} {name}"

    @property
    def location(self) -> str:
        return f"{self.verdict.file}:{self.line}"


_CLUSTER_KINDS = frozenset({
    "Namespace", "ClusterRole", "ClusterRoleBinding", "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration", "CustomResourceDefinition", "Node", "PersistentVolume",
})


def _line(resource: Resource | None, verdict: Verdict) -> int:
    # The loader records where a document starts, where it knows; 1 otherwise.
    for source in (verdict, resource):
        line = getattr(source, "line", None)
        if isinstance(line, int) and line >= 1:
            return line
    return 1


@dataclass
class EvalRun:
    plan: Plan
    engine: str
    verdicts: Sequence[Verdict]
    # Resources or spooled records (policygen.spool.Records, decoded on reading): read one at a time, never copied.
    resources: Sequence[Resource | None]

    def __post_init__(self) -> None:
        if len(self.resources) != len(self.verdicts):
            raise ValueError("one resource per verdict")

    @classmethod
    def of(cls, plan: Plan, engine: str, verdicts: Sequence[Verdict], resources: Sequence[Resource] | None = None) -> "EvalRun":
        return cls(plan, engine, verdicts, resources if resources is not None else [None] * len(verdicts))

    @property
    def results(self) -> list[ResourceResult]:
        return list(self.iter_results())

    def iter_results(self) -> Iterator[ResourceResult]:
        """Each resource's result in input order, built on reading: a streamed report holds one at a time."""
        for verdict, resource in zip(self.verdicts, self.resources, strict=True):
            findings = tuple(
                Finding(v.rule, check_of(v), v.message, rule_action(self.plan, v.rule)) for v in verdict.violations
            )
            api = resource.object.get("apiVersion") if resource is not None else None
            unread = getattr(resource, "unread_template", None) if resource is not None else None
            yield ResourceResult(verdict, _line(resource, verdict), findings, api if isinstance(api, str) else "",
                                 unread if isinstance(unread, str) else None)

    def counts(self) -> dict[str, int]:
        counts = {"pass": 0, "warn": 0, "deny": 0}
        for verdict in self.verdicts:
            counts[self.outcome(verdict)] += 1
        return counts

    def outcome(self, verdict: Verdict) -> str:
        """ResourceResult.outcome of one verdict, without building its findings."""
        actions = {rule_action(self.plan, v.rule) for v in verdict.violations}
        return "deny" if "deny" in actions else "warn" if actions else "pass"

    def exit_status(self, fail_on: str) -> int:
        """0, or 1 when a resource reaches the --fail-on level (deny, warn, never)."""
        counts = self.counts()
        if fail_on == "never":
            return 0
        if counts["deny"] or (fail_on == "warn" and counts["warn"]):
            return 1
        return 0

    @property
    def not_evaluated(self) -> list[str]:
        return sorted({r for v in self.verdicts for r in v.not_evaluated})


def iter_json_records(run: EvalRun) -> Iterator[dict[str, Any]]:
    return (v.to_json() for v in run.verdicts)
