"""CP003: no PeerAuthentication weakens mutual TLS, and the mesh-wide one is STRICT."""

from __future__ import annotations

from pathlib import Path

from ..registry import CONTROL_PLANE_CATEGORY, Rule, RuleInfo


def plan(given):
    cp = given.spec.control_plane
    if not (cp and cp.peer_authentication and cp.peer_authentication.require_strict):
        return None
    return {
        "namespace": cp.namespace,
        "trustedSubjects": sorted(cp.trusted_subjects),
        "trustedGroups": sorted(cp.trusted_groups),
    }


def _peer_authentication(ns, mode, selector=None, ports=None):
    spec = {"mtls": {"mode": mode}}
    if selector:
        spec["selector"] = {"matchLabels": selector}
    if ports:
        spec["portLevelMtls"] = ports
    return {"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication",
            "metadata": {"name": "default", "namespace": ns}, "spec": spec}


def cases(p, kit):
    pa = _peer_authentication
    kit.add("mesh_wide_strict", pa(p["namespace"], "STRICT"), False)
    kit.add("mesh_wide_unset", pa(p["namespace"], "UNSET"), "mesh-wide-not-strict")
    kit.add("workload_unset", pa("shop", "UNSET", {"app": "shop"}), False)
    kit.add("permissive", pa("shop", "PERMISSIVE"), "mtls-weakened")
    kit.add("permissive_lowercase", pa("shop", "permissive", {"app": "shop"}), "mtls-weakened")
    no_mtls = pa("shop", "STRICT", {"app": "shop"})
    del no_mtls["spec"]["mtls"]
    kit.add("workload_without_mtls", no_mtls, False)
    kit.add("port_disable", pa("shop", "STRICT", {"app": "shop"}, {"8080": {"mode": "DISABLE"}}), "mtls-weakened")
    # The API server prunes a null the CRD does not allow: an absent port setting, which inherits.
    kit.add("port_null", pa("shop", "STRICT", {"app": "shop"}, {"8080": None}), False)
    # Removing the mesh-wide policy: a DELETE, or an UPDATE that gives it a selector, by an untrusted user.
    strict = pa(p["namespace"], "STRICT")
    kit.add("mesh_wide_delete", kit.review(strict, "DELETE", kit.untrusted_user), "mesh-wide-removed")
    narrowed = pa(p["namespace"], "STRICT", {"app": "gateway"})
    kit.add("mesh_wide_narrowed", kit.review(narrowed, "UPDATE", kit.untrusted_user, old=strict), "mesh-wide-removed")
    kit.add("mesh_wide_kept", kit.review(strict, "UPDATE", kit.untrusted_user, old=strict), False)
    kit.add("workload_delete", kit.review(pa("shop", "STRICT", {"app": "shop"}), "DELETE", kit.untrusted_user), False)
    if p["trustedSubjects"]:
        kit.add("mesh_wide_delete_trusted", kit.review(strict, "DELETE", p["trustedSubjects"][0]), False)
    # A selector of another shape is malformed (and denied as that), and not read as mesh-wide.
    for name, selector in (("selector_list", []), ("match_labels_list", {"matchLabels": []}), ("match_labels_string", {"matchLabels": ""})):
        odd = pa(p["namespace"], "UNSET")
        odd["spec"]["selector"] = selector
        kit.add(f"mesh_wide_{name}", odd, "peer-authentication-malformed")


RULE = Rule(
    info=RuleInfo("CP003", "strict-mtls", "Strict mTLS",
                  "No PeerAuthentication weakens mutual TLS, and the mesh-wide one is STRICT.",
                  CONTROL_PLANE_CATEGORY, "high", "PeerAuthentication"),
    checks={
        "mtls-weakened": "a PeerAuthentication mode is PERMISSIVE or DISABLE",
        "mesh-wide-not-strict": "the mesh-wide PeerAuthentication is not STRICT",
        "mesh-wide-removed": "an untrusted subject deletes the mesh-wide PeerAuthentication or narrows it by a selector",
        "peer-authentication-malformed": "mtls or portLevelMtls is not of the shape Istio reads",
    },
    plan=plan,
    cases=cases,
    folder=Path(__file__).parent,
    judges_delete=True,
    reads_old_object=True,
)
