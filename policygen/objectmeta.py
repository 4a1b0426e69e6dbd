"""Whether an object's metadata decodes as Kubernetes' ObjectMeta.

The API server decodes every object into its typed form before admission,
so an object whose metadata does not decode never reaches a policy; an
engine that judges such an object as unstructured data must deny it instead
of normalising it into something the policies then pass (fail closed).
"""

from __future__ import annotations

from typing import Any

_META_STRINGS = ("name", "generateName", "namespace", "selfLink", "uid", "resourceVersion")
_META_INTEGERS = ("generation", "deletionGracePeriodSeconds")
_META_TIMES = ("creationTimestamp", "deletionTimestamp")
_META_LISTS = {"finalizers": str, "ownerReferences": dict, "managedFields": dict}


def metadata_problem(obj: dict[str, Any]) -> str | None:
    """Where an object's metadata does not decode as ObjectMeta's typed fields, or None."""
    meta = obj.get("metadata")
    if meta is None:
        return None
    if not isinstance(meta, dict):
        return f"metadata is {type(meta).__name__}, not an object"
    for key, value in meta.items():
        if value is None:
            continue
        if key in _META_STRINGS and not isinstance(value, str):
            return f"metadata.{key} is {type(value).__name__}, not a string"
        if key in _META_INTEGERS and (isinstance(value, bool) or not isinstance(value, int) or not -(2**63) <= value < 2**63):
            return f"metadata.{key} is not a whole number"
        if key in _META_TIMES and not (isinstance(value, str) and value):
            return f"metadata.{key} is not a timestamp"
        if key in ("labels", "annotations") and not (isinstance(value, dict) and all(isinstance(v, str) for v in value.values())):
            return f"metadata.{key} is not a map of strings"
        if key in _META_LISTS and not (isinstance(value, list) and all(isinstance(v, _META_LISTS[key]) for v in value)):
            return f"metadata.{key} is not a list of {'strings' if _META_LISTS[key] is str else 'objects'}"
    return None


# Said in every verdict of an engine that denies an object because the API server could not decode it.
UNDECODABLE = "the API server cannot decode it"


def undecodable(review: dict[str, Any]) -> str | None:
    """Why the API server would refuse the object (or old object) of this review before admission, or None."""
    for role in ("object", "oldObject"):
        obj = review.get(role)
        if obj is None:
            continue
        if not isinstance(obj, dict):
            return f"{UNDECODABLE}: {role} is {type(obj).__name__}, not an object"
        problem = metadata_problem(obj)
        if problem is not None:
            return f"{UNDECODABLE}: {role}.{problem}"
    return None
