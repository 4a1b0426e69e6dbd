"""The Kubernetes kinds the rules read: one table for every backend and engine."""

from __future__ import annotations

import re
from typing import Any

# Pod rules read a Pod's spec, or the pod template of a controller.
POD_KINDS: tuple[str, ...] = (
    "CronJob", "DaemonSet", "Deployment", "Job", "Pod", "ReplicaSet", "ReplicationController", "StatefulSet",
)

# The kinds each control-plane rule reads; every SC rule reads POD_KINDS.
CONTROL_PLANE_KINDS: dict[str, tuple[str, ...]] = {
    "CP001": ("MutatingWebhookConfiguration",),
    "CP002": ("ConfigMap",),
    "CP003": ("PeerAuthentication",),
    "CP004": ("Namespace",),
    "CP005": ("ClusterRole", "Role"),
}


def rule_kinds(rule_id: str) -> tuple[str, ...]:
    return POD_KINDS if rule_id.startswith("SC") else CONTROL_PLANE_KINDS[rule_id]


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

# Older API versions of the pod controllers, still found in manifests kept in Git (conftest and gator judge
# them offline). They are the same controllers: every pod rule applies. apps/v1beta1 and apps/v1beta2 share
# the group of apps/v1, batch/v1beta1 that of batch/v1; only extensions/v1beta1 is another group.
LEGACY_API_VERSIONS: dict[str, tuple[str, ...]] = {
    "Deployment": ("extensions/v1beta1", "apps/v1beta1", "apps/v1beta2"),
    "DaemonSet": ("extensions/v1beta1", "apps/v1beta2"),
    "ReplicaSet": ("extensions/v1beta1", "apps/v1beta2"),
    "StatefulSet": ("apps/v1beta1", "apps/v1beta2"),
    "CronJob": ("batch/v1beta1", "batch/v2alpha1"),
}


def api_groups(kind: str) -> tuple[str, ...]:
    """Every API group that serves (or served) the kind, current first: what a match on the kind must list."""
    groups = [API_GROUPS[kind]]
    for version in LEGACY_API_VERSIONS.get(kind, ()):
        group = version.rpartition("/")[0]
        if group not in groups:
            groups.append(group)
    return tuple(groups)


# The versions an API server serves each kind in, as the generated VAP and Kyverno matches list them
# (backends/cel.py's resource rules; a test holds the two together): "*" is every version of the group.
# The pod controllers' legacy groups are served here because the rules judge the manifests kept in Git
# that still use them; admissionregistration and rbac v1beta1 are not, as no matching policy names them.
def served_versions(kind: str) -> dict[str, tuple[str, ...]]:
    every = kind == "PeerAuthentication" or (kind in POD_KINDS and API_GROUPS[kind] != "")
    return {group: ("*",) if every else ("v1",) for group in api_groups(kind)}


def _shown(text: str) -> str:
    return text if len(text) <= 100 else text[:100] + "..."


# apiVersion as an API server can name it: a version, or group/version, each as Kubernetes names them
# (the group a DNS subdomain, the version a DNS label). apimachinery's ParseGroupVersion takes "/", "/v1"
# and "apps/" too, but no API server serves an empty group with a slash or an empty version, and gator and
# the Kyverno CLI fail a whole batch on some of them.
_GROUP_VERSION = re.compile(r"(?:([a-z0-9](?:[-a-z0-9.]*[a-z0-9])?)/)?([a-z0-9]+)")


def _owned(group: str) -> bool:
    """A group whose kinds Kubernetes or Istio define. Any other group with a dot is a custom resource's,
    whose kinds are its own, whatever they are called (a Kruise StatefulSet, a Volcano Job)."""
    return "." not in group or group in API_GROUPS.values() or group.endswith((".k8s.io", ".kubernetes.io", ".istio.io"))


def _group_version(api_version: str) -> tuple[str, str] | None:
    m = _GROUP_VERSION.fullmatch(api_version)
    return (m.group(1) or "", m.group(2)) if m else None


_KINDS_FOLDED = {kind.lower(): kind for kind in API_GROUPS}


def _folded(kind: str) -> str:
    """A kind as a reader skimming it would take it: case, spaces and every other character a kind cannot
    hold (a kind is letters and digits) left out, so that `Pod `, `Pod\n` and `Pod\u200b` read as Pod."""
    return "".join(ch for ch in kind if ch.isascii() and ch.isalnum()).lower()


def unserved(kind: Any, api_version: Any) -> str | None:
    """Why no API server would take this object under its apiVersion, or None.

    Offline, the Rego judges an object by its kind while the VAP and Kyverno
    matches pass over one of another group or version, so the engines would
    disagree on an object no cluster can hold; every engine denies it instead,
    unjudged, for this reason. A rule kind of a custom resource's group is
    another kind (foreign), not unserved.
    """
    right = _KINDS_FOLDED.get(_folded(kind)) if isinstance(kind, str) and kind not in API_GROUPS else None
    miscased = (f"the API server serves no kind {_shown(kind)!r}: kinds are matched exactly, and the rules read {right}"
                if right else None)
    if api_version is None or api_version == "":
        return miscased  # the API server takes the version from the request's path, as it does for a bare object
    if not isinstance(api_version, str):
        return f"apiVersion is {type(api_version).__name__}, not a string"
    shown = _shown(api_version)
    parsed = _group_version(api_version)
    if parsed is None:
        return f"apiVersion {shown!r} is not a version or group/version"
    if miscased:
        # The VAP and Kyverno matches name resources, which are lower case, so they took `kind: POD` for a Pod
        # where the Rego reads none; a custom resource's group may have a kind of any spelling.
        return miscased if _owned(parsed[0]) else None
    if not isinstance(kind, str) or kind not in API_GROUPS:
        return None
    group, version = parsed
    if not _owned(group):
        return None
    versions = served_versions(kind).get(group)
    if versions is None or ("*" not in versions and version not in versions):
        return f"the API server serves no {kind} in apiVersion {shown!r}"
    return None


def foreign(kind: Any, api_version: Any) -> bool:
    """A custom resource that shares its kind's name with one the rules read (apps.kruise.io's StatefulSet):
    no rule reads it, in any engine; the Rego would otherwise judge it by its kind alone."""
    if not isinstance(kind, str) or kind not in API_GROUPS or not isinstance(api_version, str):
        return False
    parsed = _group_version(api_version)
    return parsed is not None and not _owned(parsed[0])


_CONTAINER_LISTS = ("containers", "initContainers", "ephemeralContainers")


def unread_pod_template(kind: Any, api_version: Any, obj: Any) -> str | None:
    """Where an object of a kind no rule reads (or a custom resource named like one: foreign()) keeps containers, as a
    path to the first mapping that holds a container list (or, as in an Argo Workflow, a `container` with an image):
    an Argo Rollout's, a DeploymentConfig's or a Knative Service's spec.template.spec, a PodTemplate's template.spec,
    an OpenKruise SidecarSet's spec, a training job's replica templates. None for every other object. Such containers
    are judged nowhere offline (the pods a controller makes of them are judged at admission only), so the report must
    say so. Metadata and status are not searched."""
    if not isinstance(obj, dict):
        return None
    if (kind in POD_KINDS or any(kind in kinds for kinds in CONTROL_PLANE_KINDS.values())) and not foreign(kind, api_version):
        return None
    stack: list[tuple[Any, str, int]] = [(value, key, 1) for key, value in reversed(list(obj.items()))
                                         if key not in ("metadata", "status")]
    while stack:
        node, path, depth = stack.pop()
        if isinstance(node, dict):
            if any(isinstance(node.get(field), list) and any(isinstance(c, dict) for c in node[field])
                   for field in _CONTAINER_LISTS) or (isinstance(node.get("container"), dict) and "image" in node["container"]):
                return path
            children = [(value, f"{path}.{key}", depth + 1) for key, value in node.items()]
        elif isinstance(node, list):
            children = [(value, f"{path}[{i}]", depth + 1) for i, value in enumerate(node)]
        else:
            continue
        if depth < 64:
            stack.extend(reversed(children))
    return None


NAMESPACED_KINDS = frozenset({*POD_KINDS, "ConfigMap", "PeerAuthentication", "Role"})

# Built-in kinds that live outside namespaces (and the policy kinds policygen writes). A record of one of
# these carries no namespace, as `kubectl get` shows none; a namespace written in its metadata is ignored
# by the API server. Other kinds are taken as namespaced, as most custom resources are.
CLUSTER_SCOPED_KINDS = frozenset({
    "APIService", "CSIDriver", "CSINode", "CertificateSigningRequest", "ClusterRole", "ClusterRoleBinding",
    "ComponentStatus", "CustomResourceDefinition", "FlowSchema", "IngressClass", "MutatingAdmissionPolicy",
    "MutatingAdmissionPolicyBinding", "MutatingWebhookConfiguration", "Namespace", "Node", "PersistentVolume",
    "PodSecurityPolicy", "PriorityClass", "PriorityLevelConfiguration", "RuntimeClass", "StorageClass",
    "StorageVersionMigration", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding",
    "ValidatingWebhookConfiguration", "VolumeAttachment", "VolumeAttributesClass", "DeviceClass",
    "ResourceSlice", "SelfSubjectReview", "TokenReview", "SubjectAccessReview", "SelfSubjectAccessReview",
    "SelfSubjectRulesReview", "IPAddress", "ServiceCIDR",
    "ClusterPolicy", "ClusterPolicyReport", "ClusterCleanupPolicy", "ConstraintTemplate",
})


def is_cluster_scoped(kind: Any) -> bool:
    return isinstance(kind, str) and kind in CLUSTER_SCOPED_KINDS


def default_api_version(kind: Any) -> str | None:
    """The apiVersion an API server would store a kind the rules read under; None for other kinds."""
    if not isinstance(kind, str) or kind not in API_GROUPS:
        return None
    group = API_GROUPS[kind]
    return f"{group}/v1" if group else "v1"
