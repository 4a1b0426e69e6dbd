"""The Kubernetes kinds the rules read: one table for every backend and engine."""

from __future__ import annotations

from typing import Any

# Pod rules read a Pod's spec, or the pod template of a controller.
POD_KINDS: tuple[str, ...] = (
    "CronJob", "DaemonSet", "Deployment", "Job", "Pod", "ReplicaSet", "ReplicationController", "StatefulSet",
)

# API group of every kind a rule reads ("" is the core group).
API_GROUPS: dict[str, str] = {
    "Pod": "",
    "ReplicationController": "",
    "ConfigMap": "",
    "Namespace": "",
    "Deployment": "apps",
    "StatefulSet": "apps",
    "DaemonSet": "apps",
    "ReplicaSet": "apps",
    "Job": "batch",
    "CronJob": "batch",
    "MutatingWebhookConfiguration": "admissionregistration.k8s.io",
    "PeerAuthentication": "security.istio.io",
    "ClusterRole": "rbac.authorization.k8s.io",
    "Role": "rbac.authorization.k8s.io",
}

NAMESPACED_KINDS = frozenset({*POD_KINDS, "ConfigMap", "PeerAuthentication", "Role"})


def default_api_version(kind: Any) -> str | None:
    """The apiVersion an API server would store a kind the rules read under; None for other kinds."""
    if not isinstance(kind, str) or kind not in API_GROUPS:
        return None
    group = API_GROUPS[kind]
    return f"{group}/v1" if group else "v1"
