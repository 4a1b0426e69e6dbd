"""Status writes the pod rules leave unjudged, decided once for the engines that must decide it themselves.

The API server keeps a pod's spec on pods/status and a controller's pod template on deployments/status
and the like, so a status write that also leaves the object's labels and annotations as they were has
nothing new for a pod rule (every kubelet and controller status update is one); one that changes them
is judged as any update. review.rego's status_leaves_metadata and the CEL's status-changes-metadata
condition (policygen/backends/cel.py) say the same. The Kyverno CLI sends no subresource, and the VAPs
match pods/status but no controller's status, so those engines decide it here.
"""

from __future__ import annotations

from typing import Any


def status_leaves_metadata(review: dict[str, Any]) -> bool:
    """A status write whose object and oldObject carry the same labels and annotations."""
    obj, old = review.get("object"), review.get("oldObject")
    if review.get("subResource") != "status" or not isinstance(obj, dict) or not isinstance(old, dict):
        return False

    def at(o: dict[str, Any], key: str) -> Any:
        meta = o.get("metadata")
        return meta.get(key, {}) if isinstance(meta, dict) else {}

    return all(at(obj, key) == at(old, key) for key in ("labels", "annotations"))
