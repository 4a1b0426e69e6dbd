"""Objects as gator takes them: versions filled in, numbers as it decodes them, requests it accepts."""

from __future__ import annotations

import json
from typing import Any

from ...kinds import default_api_version, is_cluster_scoped
from ...leaves import with_leaves
from ...objectmeta import metadata_problem, namespace_body_problem
from ...samples import Resource


def canonical(obj: Any) -> str:
    """The key that maps a gator result back to its input: the object's JSON with numbers as gator prints them."""
    return json.dumps(_as_decoded(obj), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _as_decoded(value: Any) -> Any:
    """Numbers as Kubernetes' JSON decoding leaves them: an int64 when the number is one, else a float64.

    gator prints back what it decoded, so 1337.0 returns as 1337, 2**53 + 1 as
    2**53 and 2**63 as 9223372036854775808.0's shortest form; keyed as sent, such
    a result would match no input and fail the batch.
    """
    return with_leaves(value, _number_as_decoded)


def _number_as_decoded(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    # Beyond 2**53 gator prints an integer back through a float64 (2**53 + 1 returns as 2**53),
    # so it is keyed by its float64 rounding (a red team, 2026-12-06).
    if isinstance(value, int) and -(2**53) <= value <= 2**53:
        return value
    try:
        number = float(value)
    except OverflowError:
        return value  # no float64 holds it: gator fails on it, and bisection pins the resource
    return int(number) if number.is_integer() and -(2**63) <= number < 2**63 else number


# Said in every verdict of a resource gator cannot load (see unloadable).
UNLOADABLE = "gator cannot load it"


def unloadable(res: Resource) -> str | None:
    """Why gator cannot judge this resource at all, or None.

    gator caches every Namespace as a typed object for its inventory, and one
    whose metadata, spec or status does not decode as Kubernetes' fails the whole
    run ("cannot cache Namespace"). Such a Namespace is never sent (nor put in
    any batch's inventory) and is denied with this reason instead. Other kinds
    are judged as unstructured objects, whatever their metadata.
    """
    for role in ("object", "oldObject"):
        obj = res.review.get(role)
        if not isinstance(obj, dict) or obj.get("kind") != "Namespace":
            continue
        problem = metadata_problem(obj) or namespace_body_problem(obj)
        if problem is not None:
            where = f" (request.{role})" if res.from_admission_review else ""
            return (f"{UNLOADABLE}{where}: {problem}; the API server would refuse this Namespace too, "
                    f"as it does not decode")
    return None


def _group(obj: dict[str, Any]) -> str:
    api = obj.get("apiVersion")
    return api.rpartition("/")[0] if isinstance(api, str) else ""


def is_gatekeeper_object(obj: dict[str, Any]) -> bool:
    """gator test would load it as policy (templates, constraints, mutators, expansions), not judge it."""
    group = _group(obj)
    return group == "gatekeeper.sh" or group.endswith(".gatekeeper.sh")


def with_api_version(obj: Any) -> Any:
    """The object as an API server stores it: a kind the rules read gets its apiVersion when it has none,
    and a cluster-scoped kind loses any metadata.namespace (the API server clears it).

    gator matches constraints on the object's own group and cannot store an
    object without a version; the Rego reads only the kind. A namespace left on
    a ClusterRole or a webhook configuration would let a constraint's
    excludedNamespaces (a namespace-only exception) pass it, which no cluster does.
    """
    if not isinstance(obj, dict):
        return obj
    meta = obj.get("metadata")
    if is_cluster_scoped(obj.get("kind")) and isinstance(meta, dict) and "namespace" in meta:
        obj = {**obj, "metadata": {k: v for k, v in meta.items() if k != "namespace"}}
    if isinstance(obj.get("apiVersion"), str) and obj["apiVersion"]:
        return obj
    api_version = default_api_version(obj.get("kind"))
    return obj if api_version is None else {**obj, "apiVersion": api_version}


def judgeable(obj: dict[str, Any]) -> bool:
    """gator can store and match it: it has an apiVersion (after with_api_version)."""
    return isinstance(obj.get("apiVersion"), str) and bool(obj["apiVersion"])


def _user_info(user: Any) -> dict[str, Any]:
    """The fields of userInfo that authentication/v1 can hold; anything else reads as untrusted."""
    if not isinstance(user, dict):
        return {}
    out: dict[str, Any] = {}
    if isinstance(user.get("username"), str):
        out["username"] = user["username"]
    if isinstance(user.get("uid"), str):
        out["uid"] = user["uid"]
    groups = user.get("groups")
    if isinstance(groups, list):
        out["groups"] = [g for g in groups if isinstance(g, str)]
    return out


def _request_namespace(res: Resource) -> str:
    """The namespace the object is judged in: its own, as in every engine; else the request's as written (the
    Rego falls back to it, then to default). Gatekeeper matches a constraint's namespaces on the request's,
    so a request naming an excluded namespace for a pod of a mesh one passed gator alone (a red team,
    2026-12-05); the API server never sends the two apart."""
    if is_cluster_scoped(res.kind):
        ns = res.source.get("request", {}).get("namespace") if res.from_admission_review else ""
        return ns if isinstance(ns, str) else ""
    meta = res.object.get("metadata")
    ns = meta.get("namespace") if isinstance(meta, dict) else None
    if isinstance(ns, str) and ns:
        return ns
    ns = res.source.get("request", {}).get("namespace") if res.from_admission_review else None
    return ns if isinstance(ns, str) else ""


def admission_review(res: Resource, index: int) -> dict[str, Any]:
    """The request policygen judges, as an AdmissionReview gator verify accepts (no unknown fields)."""
    rev = res.review
    obj = with_api_version(res.object)
    api = obj.get("apiVersion") if isinstance(obj.get("apiVersion"), str) else ""
    group, _, version = api.rpartition("/")
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    request: dict[str, Any] = {
        "uid": f"00000000-0000-0000-0000-{index:012d}",
        "kind": {"group": group, "version": version, "kind": res.kind},
        "operation": rev["operation"],
        "userInfo": _user_info(rev.get("userInfo")),
        "namespace": _request_namespace(res),
    }
    if isinstance(meta.get("name"), str):
        request["name"] = meta["name"]
    if isinstance(rev.get("object"), dict):
        request["object"] = with_api_version(rev["object"])
    if isinstance(rev.get("oldObject"), dict):
        request["oldObject"] = with_api_version(rev["oldObject"])
    if rev.get("subResource"):
        request["subResource"] = rev["subResource"]
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request}
