"""Subresource writes the rules leave unjudged, decided once for the engines that must decide it themselves.

A controller's status write (deployments/status and the like) changes nothing a pod rule reads: the API
server keeps its pod template there, and no pod rule reads the controller's own labels; no policy matches
that subresource in a cluster. The API server keeps a pod's spec on pods/status too, and a Namespace's spec
or status on namespaces/status and namespaces/finalize, so such a write that also leaves the labels and
annotations as they were has nothing new for a rule (every kubelet status update, every namespace
controller's write is one); one that changes them is judged as any update. review.rego's status_unjudged
and metadata_kept, and the CEL's status-changes-metadata condition (policygen/backends/cel.py), say the
same. The Kyverno CLI sends no subresource, and the VAPs match pods/status but no controller's status, so
those engines decide it here.
"""

from __future__ import annotations

from typing import Any

from ..backends.cel import METADATA_SUBRESOURCES
from ..kinds import POD_KINDS


def status_unjudged(review: dict[str, Any], kind: str) -> bool:
    """A status write of a controller of pods, or a metadata subresource write (a pod's status, a Namespace's
    status or finalize) whose object and oldObject carry the same labels and annotations."""
    sub = review.get("subResource")
    if kind in METADATA_SUBRESOURCES:
        return sub in METADATA_SUBRESOURCES[kind] and _metadata_kept(review)
    return kind in POD_KINDS and sub == "status"


def _metadata_kept(review: dict[str, Any]) -> bool:
    obj, old = review.get("object"), review.get("oldObject")
    if not isinstance(obj, dict) or not isinstance(old, dict):
        return False

    return all(_meta(obj, key) == _meta(old, key) for key in ("labels", "annotations"))


def _meta(o: dict[str, Any], key: str) -> Any:
    """A metadata map as the Rego and CEL read it: absent, or under metadata that is no object, it is {}."""
    meta = o.get("metadata")
    return meta.get(key, {}) if isinstance(meta, dict) else {}


def update_keeps_pod(review: dict[str, Any], kind: str) -> bool:
    """An UPDATE of a pod-bearing object that keeps its spec, labels and annotations (a controller removing a
    finalizer): no pod rule judges it. review.rego's update_keeps_pod and the CEL's update-changes-pod
    condition (policygen/backends/cel.py) say the same; the Kyverno CLI hands an UPDATE its object as its
    oldObject, so that engine decides it here."""
    obj, old = review.get("object"), review.get("oldObject")
    if kind not in POD_KINDS or review.get("operation") != "UPDATE" or not isinstance(obj, dict) or not isinstance(old, dict):
        return False
    return _same(obj.get("spec"), old.get("spec")) and all(_same(_meta(obj, k), _meta(old, k)) for k in ("labels", "annotations"))


def _same(a: Any, b: Any) -> bool:
    """JSON equality as Rego and CEL compare values: numbers by value, but true is not 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(v, b[k]) for k, v in a.items())
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b
