"""CP004: mesh namespaces turn injection on; excluded namespaces never do."""

from __future__ import annotations

from pathlib import Path

from ..registry import CONTROL_PLANE_CATEGORY, Rule, RuleInfo


def plan(given):
    spec = given.spec
    if not (spec.control_plane and (spec.scope.mesh_namespaces or spec.scope.excluded_namespaces)):
        return None
    return {
        "meshNamespaces": sorted(set(spec.scope.mesh_namespaces) - set(spec.scope.excluded_namespaces)),
        "excludedNamespaces": sorted(spec.scope.excluded_namespaces),
        "approvedRevisions": sorted(spec.scope.approved_revisions),
    }


def _namespace(name, labels):
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}


def cases(p, kit):
    if p["meshNamespaces"]:
        mesh = p["meshNamespaces"][0]
        kit.add("mesh_enabled", _namespace(mesh, {"istio-injection": "enabled"}), False)
        kit.add("mesh_unlabelled", _namespace(mesh, {}), "mesh-injection-off")
        kit.add("mesh_disabled_with_revision", _namespace(mesh, {
            "istio-injection": "disabled", "istio.io/rev": (p["approvedRevisions"] or ["default"])[0]}), "mesh-injection-off")
    if p["excludedNamespaces"]:
        excl = p["excludedNamespaces"][0]
        kit.add("excluded_plain", _namespace(excl, {}), False)
        kit.add("excluded_with_revision", _namespace(excl, {"istio.io/rev": "default"}), "excluded-injection-on")
        kit.add("excluded_injection_enabled", _namespace(excl, {"istio-injection": "enabled"}), "excluded-injection-on")
    kit.add("unlisted_plain", _namespace("policygen-unlisted", {}), False)


RULE = Rule(
    info=RuleInfo("CP004", "namespace-injection", "Namespace injection labels",
                  "Mesh namespaces turn injection on; excluded namespaces never do.",
                  CONTROL_PLANE_CATEGORY, "high", "Namespace"),
    checks={
        "mesh-injection-off": "a mesh namespace does not turn injection on",
        "excluded-injection-on": "an excluded namespace turns injection on",
        "namespace-malformed": "the Namespace's metadata, name or labels are not of the shape Kubernetes reads",
    },
    plan=plan,
    cases=cases,
    folder=Path(__file__).parent,
)
