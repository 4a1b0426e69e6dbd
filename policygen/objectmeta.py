"""Whether an object's metadata decodes as Kubernetes' ObjectMeta.

The API server decodes every object into its typed form before admission,
so an object whose metadata does not decode never reaches a policy; an
engine that judges such an object as unstructured data must deny it instead
of normalising it into something the policies then pass (fail closed).
"""

from __future__ import annotations

import re
from typing import Any

DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_NAME_PART = re.compile(r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?")
_LABEL_VALUE = re.compile(r"([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?")

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
        problem = namespace_body_problem(obj) if obj.get("kind") == "Namespace" else None
        if problem is not None:
            return f"{UNDECODABLE}: {role}.{problem}"
    return None


def is_qualified_name(value: Any) -> bool:
    """A label or annotation key (or finalizer) as Kubernetes validates it: [DNS subdomain prefix/]name."""
    if not isinstance(value, str):
        return False
    prefix, sep, name = value.rpartition("/")
    if sep and not (prefix and len(prefix) <= 253 and DNS_SUBDOMAIN.fullmatch(prefix)):
        return False
    return 0 < len(name) <= 63 and _NAME_PART.fullmatch(name) is not None


def is_label_value(value: Any) -> bool:
    return isinstance(value, str) and len(value) <= 63 and _LABEL_VALUE.fullmatch(value) is not None


def namespace_body_problem(obj: dict[str, Any]) -> str | None:
    """Where a Namespace's spec or status does not decode as core/v1's (gator's typed cache fails on it,
    and the API server refuses it), or None. No rule reads either."""
    spec, status = obj.get("spec"), obj.get("status")
    if spec is not None and not (isinstance(spec, dict) and _strings(spec.get("finalizers"))):
        return "spec is not a Namespace's (a mapping whose finalizers are a list of strings)"
    if status is not None and not (isinstance(status, dict) and isinstance(status.get("phase"), (str, type(None)))
                                   and _objects(status.get("conditions"))):
        return "status is not a Namespace's (a mapping with a string phase and a list of conditions)"
    return None


def refused_namespace(obj: dict[str, Any]) -> str | None:
    """Why the API server would refuse this Namespace (so that its labels are not the namespace's), or None:
    metadata, spec or status that does not decode, or a label, annotation key or finalizer it does not validate."""
    problem = metadata_problem(obj) or namespace_body_problem(obj)
    if problem is not None:
        return problem
    meta = obj.get("metadata") or {}
    labels = meta.get("labels") or {}
    if not all(is_qualified_name(k) and is_label_value(v) for k, v in labels.items()):
        return "a label key or value is not one Kubernetes accepts"
    annotations = meta.get("annotations") or {}
    # The API server checks an annotation key in lower case, and all of them together against 256 KiB.
    if not all(isinstance(k, str) and is_qualified_name(k.lower()) for k in annotations):
        return "an annotation key is not one Kubernetes accepts"
    if sum(len(k.encode()) + len(v.encode()) for k, v in annotations.items()) > ANNOTATIONS_MAX_BYTES:
        return "its annotations are more than 256 KiB"
    finalizers = [*(meta.get("finalizers") or []), *((obj.get("spec") or {}).get("finalizers") or [])]
    if not all(is_finalizer(f) for f in finalizers):
        return "a finalizer is neither qualified by a domain nor a standard one"
    if not all(all(isinstance(ref.get(k), str) and ref[k] for k in ("apiVersion", "kind", "name", "uid"))
               for ref in meta.get("ownerReferences") or []):
        return "an owner reference lacks its apiVersion, kind, name or uid"
    return None


ANNOTATIONS_MAX_BYTES = 256 * 1024

# The finalizers Kubernetes takes without a domain (core validation's IsStandardFinalizerName).
STANDARD_FINALIZERS = frozenset({"kubernetes", "orphan", "foregroundDeletion"})


def is_finalizer(value: Any) -> bool:
    return is_qualified_name(value) and ("/" in value or value in STANDARD_FINALIZERS)


def _strings(value: Any) -> bool:
    return value is None or isinstance(value, list) and all(isinstance(v, str) for v in value)


def _objects(value: Any) -> bool:
    return value is None or isinstance(value, list) and all(isinstance(v, dict) for v in value)
