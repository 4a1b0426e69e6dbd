"""The Namespace inventory: which labels each namespace carries, built once for every engine.

Mesh scope reads a namespace's name and labels and nothing else, so the
inventory holds exactly that, in one normal form every engine can hold (OPA's
and conftest's data, gator's typed cache, the Kyverno CLI's values file, the
VAP evaluator's namespace objects, a real API server)::

    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ..., "labels": {str: str}}}

whatever apiVersion, extra fields or numbers the Namespace object was written
with. Every engine, and every batch or job of one engine's run, is handed the
same inventory. What the normal form cannot hold fails closed, never open:

* labels that are not a map of strings to strings (a number, a boolean, a
  list, a map), or anything else for which the API server would refuse the
  Namespace (a label key or value, annotation key or finalizer it does not
  validate, metadata, spec or status that does not decode: objectmeta's
  refused_namespace), leave its real labels unknown, and make the namespace
  a mesh namespace: it is held as labelled
  ``istio-injection: enabled``, the label Istio's injector and every engine
  read as "in the mesh" (an excluded namespace stays excluded: that is by name);
* two or more Namespace objects of one name whose labels differ (a folder of
  alternative versions, or a stream that relabels a namespace half-way
  through) are held as the one that puts the namespace's pods furthest into
  the mesh: in the mesh under its labels, else without Istio's injection
  labels (so pods that ask for injection are mesh pods), else any. Every rule
  judges a mesh pod for everything it judges an outside one for, so a pod is
  denied when any of its namespace's versions would deny it, whichever order
  the objects come in. Identical duplicates are one namespace.

The Namespace objects themselves are still judged as resources, as written.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .objectmeta import refused_namespace

if TYPE_CHECKING:
    from .plan import Plan
    from .samples import Resource

# The labels a namespace whose labels cannot be represented is held under: in the mesh, in every engine.
FAIL_CLOSED_LABELS = {"istio-injection": "enabled"}


def namespace_labels(obj: dict[str, Any]) -> dict[str, str] | None:
    """The Namespace's labels as a map of strings, or None when they are no such map (null or absent is {})."""
    meta = obj.get("metadata")
    labels = meta.get("labels") if isinstance(meta, dict) else None
    if labels is None:
        return {}
    if not isinstance(labels, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in labels.items()):
        return None
    return dict(labels)


def normal_form(name: str, labels: dict[str, str]) -> dict[str, Any]:
    """A Namespace as every engine's inventory holds it: version, kind, name and labels only."""
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": dict(sorted(labels.items()))}}


def entries(res: Resource) -> list[tuple[str, dict[str, str]]]:
    """(name, labels as the inventory holds them) of each Namespace version the resource shows.

    A Namespace of any apiVersion counts (the engines that read the inputs' Namespaces never looked at
    it); a DELETE adds nothing (the API server creates no pod in a namespace being deleted), and a
    Namespace without a string name names no namespace a resource could be in. An UPDATE shows two
    versions, its oldObject's too: an update that takes a namespace out of the mesh must not take its
    pods' violations out with it, so both count, as two Namespace objects of one name do.

    What no API server would store as a Namespace (a custom resource named Namespace, one under an
    apiVersion no server serves, a request of another operation than CREATE or UPDATE) may put the
    namespace further into the mesh, never less far than no Namespace at all: it also shows a version
    without labels, so that its own labels can not take the namespace's pods out of the mesh. So does a
    dry run, which the API server stores nothing of.
    """
    if res.operation == "DELETE":
        return []
    # A dry run stores nothing (red team 14b).
    doubtful = (res.operation not in ("CREATE", "UPDATE") or res.unserved is not None or res.foreign
                or res.review.get("dryRun") not in (None, False))
    found = []
    for obj in (res.review.get("object"), res.review.get("oldObject") if res.operation == "UPDATE" else None):
        if not isinstance(obj, dict) or obj.get("kind") != "Namespace":
            continue
        meta = obj.get("metadata")
        name = meta.get("name") if isinstance(meta, dict) else None
        if isinstance(name, str):
            # A Namespace the API server would refuse leaves its namespace's real labels unknown (red team 14b).
            labels = None if refused_namespace(obj) is not None else namespace_labels(obj)
            found.append((name, dict(FAIL_CLOSED_LABELS) if labels is None else labels))
            if doubtful:
                found.append((name, {}))
    return found


def scope_of(plan: Plan) -> dict[str, Any] | None:
    """The plan's mesh scope (every rule that reads one has the spec's), or None when no rule reads it."""
    return next((r.params["scope"] for r in plan.rules if isinstance(r.params.get("scope"), dict)), None)


# The scope as templates/rego/lib/scope.rego and templates/cel/lib/common.jinja decide it, for the
# namespace alone: only to choose among a namespace's versions, never to judge a resource.
def _selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    if any(labels.get(k) != v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for r in selector.get("matchExpressions", []):
        key, op, values = r["key"], r["operator"], r.get("values", [])
        held = {"In": key in labels and labels[key] in values,
                "NotIn": not (key in labels and labels[key] in values),
                "Exists": key in labels,
                "DoesNotExist": key not in labels}[op]
        if not held:
            return False
    return True


def in_mesh(name: str, labels: dict[str, str], scope: dict[str, Any]) -> bool:
    """Whether the namespace is a mesh namespace under these labels (scope.rego's in_mesh)."""
    if name in scope["excludedNamespaces"]:
        return False
    injected = labels.get("istio-injection") == "enabled" or ("istio-injection" not in labels and "istio.io/rev" in labels)
    selector = scope.get("meshNamespaceSelector")
    # The API server labels every namespace with its own name, and the engines' selectors read that label too.
    named = {**labels, "kubernetes.io/metadata.name": name}
    return name in scope["meshNamespaces"] or injected or (selector is not None and _selects(selector, named))


def _reach(name: str, labels: dict[str, str], scope: dict[str, Any] | None) -> int:
    """How far into the mesh these labels put the namespace's pods: 2 all of them, 1 those that ask for
    injection (no istio-injection or istio.io/rev label: Istio's object selectors), 0 none."""
    if scope is not None and in_mesh(name, labels, scope):
        return 2
    return 0 if "istio-injection" in labels or "istio.io/rev" in labels else 1


class Inventory:
    """Namespaces by name, fed one resource at a time (a spool) or all at once (a SampleSet)."""

    def __init__(self, resources: Iterable[Resource] = ()) -> None:
        self._versions: dict[str, dict[str, dict[str, str]]] = {}  # name -> canonical labels -> labels
        for res in resources:
            self.add(res)

    def add(self, res: Resource) -> None:
        """Take the resource's Namespace, if it is one."""
        for name, labels in entries(res):
            self._versions.setdefault(name, {})[json.dumps(labels, sort_keys=True)] = labels

    def namespaces(self, plan: Plan) -> dict[str, dict[str, Any]]:
        """name -> Namespace in normal form, sorted by name: data.inventory.cluster.v1.Namespace.

        Of a name's versions, the one that reaches furthest into the mesh under the plan's scope
        (ties: the first by its labels' JSON, so that input order changes nothing).
        """
        scope = scope_of(plan)
        out = {}
        for name in sorted(self._versions):
            versions = self._versions[name]
            key = min(versions, key=lambda k: (-_reach(name, versions[k], scope), k))
            out[name] = normal_form(name, versions[key])
        return out
