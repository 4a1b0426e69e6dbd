"""A ``wgpolicyk8s.io/v1alpha2`` PolicyReport stream: what Kyverno, Policy Reporter
and other report readers show.

One PolicyReport per namespace and one ClusterPolicyReport for cluster-scoped
objects; each violation is a ``fail`` (or ``warn`` in audit mode) result, each
clean resource a ``pass`` (a ``skip`` where it keeps containers no rule reads). No timestamps, so a report diff shows only change.
"""

from __future__ import annotations

from typing import Any

from ..render import safe_dump_all
from ..rules import CATALOGUE
from .model import EvalRun, ResourceResult

API_VERSION = "wgpolicyk8s.io/v1alpha2"
SOURCE = "policygen"
# PolicyReport severities are critical, high, medium, low, info: the catalogue's already.


def _ref(r: ResourceResult) -> dict[str, str]:
    v = r.verdict
    ref = {"apiVersion": r.api_version, "kind": v.kind, "name": v.name}
    if r.namespaced:
        ref["namespace"] = v.namespace
    return {k: val for k, val in ref.items() if val}


def _results(run: EvalRun, r: ResourceResult) -> list[dict[str, Any]]:
    v = r.verdict
    where = {"engine": run.engine, "file": v.file, "line": str(r.line), "index": str(v.index)}
    if not r.findings and not v.exempted:
        return [{
            "policy": run.plan.name,
            "rule": "all",
            # Containers no rule reads are skipped, never passed.
            "result": "skip" if r.unread else "pass",
            "scored": True,
            "source": SOURCE,
            "message": r.unread_note if r.unread else "no rule of the spec is violated",
            "resources": [_ref(r)],
            "properties": where,
        }]
    out = []
    for f in r.findings:
        info = CATALOGUE.get(f.rule)
        item: dict[str, Any] = {
            "policy": info.policy_name if info else f.rule.lower(),
            "rule": f.rule,
            "result": "warn" if f.action == "warn" else "fail",
            "scored": True,
            "source": SOURCE,
            "message": f.message,
            "resources": [_ref(r)],
            "properties": dict(where, check=f.check) if f.check else where,
        }
        if info:
            item["severity"] = info.severity
            item["category"] = info.category
        out.append(item)
    # An exempted violation is a skip, as Kyverno reports a PolicyException's: shown, never a failure.
    for e in v.exempted:
        info = CATALOGUE.get(e.rule)
        out.append({
            "policy": info.policy_name if info else e.rule.lower(),
            "rule": e.rule,
            "result": "skip",
            "scored": True,
            "source": SOURCE,
            "message": e.message,
            "resources": [_ref(r)],
            "properties": dict(where, check=e.check, exception=e.exception, expires=e.expires, reason=e.reason[:500]),
        })
    return out


def _summary(results: list[dict[str, Any]]) -> dict[str, int]:
    summary = {"pass": 0, "fail": 0, "warn": 0, "error": 0, "skip": 0}
    for item in results:
        summary[item["result"]] += 1
    return summary


def build(run: EvalRun) -> list[dict[str, Any]]:
    by_scope: dict[str | None, list[dict[str, Any]]] = {}
    for r in run.results:
        key = r.verdict.namespace if r.namespaced else None
        by_scope.setdefault(key, []).extend(_results(run, r))
    reports = []
    for scope in sorted(by_scope, key=lambda s: (s is not None, s or "")):
        results = by_scope[scope]
        meta: dict[str, Any] = {
            "name": f"policygen-{run.plan.name}-{run.engine}",
            "labels": {"app.kubernetes.io/managed-by": "policygen"},
        }
        if scope is not None:
            meta["namespace"] = scope
        reports.append({
            "apiVersion": API_VERSION,
            "kind": "PolicyReport" if scope is not None else "ClusterPolicyReport",
            "metadata": meta,
            "summary": _summary(results),
            "results": results,
        })
    return reports


def render(run: EvalRun) -> str:
    return safe_dump_all(build(run), sort_keys=True, default_flow_style=False, width=10_000)
