"""CP005: only trusted roles may write admission webhook configurations."""

from __future__ import annotations

from pathlib import Path

from ..registry import CONTROL_PLANE_CATEGORY, Rule, RuleInfo

# deletecollection removes every webhook configuration at once (the policy engines' own included).
WEBHOOK_WRITE_VERBS = ("*", "create", "delete", "deletecollection", "patch", "update")
WEBHOOK_RESOURCES = ("mutatingwebhookconfigurations", "validatingwebhookconfigurations")


def plan(given):
    cp = given.spec.control_plane
    if not cp:
        return None
    return {
        "trustedRoles": sorted(cp.trusted_roles),
        "resources": list(WEBHOOK_RESOURCES),
        "verbs": list(WEBHOOK_WRITE_VERBS),
    }


def _cluster_role(name, verbs, resources=("mutatingwebhookconfigurations",), group="admissionregistration.k8s.io"):
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": name},
            "rules": [{"apiGroups": [group], "resources": list(resources), "verbs": verbs}]}


def cases(p, kit):
    kit.add("untrusted_writer", _cluster_role("webhook-editor", ["get", "patch"]), "webhook-write-granted")
    kit.add("untrusted_reader", _cluster_role("webhook-viewer", ["get", "list", "watch"]), False)
    kit.add("untrusted_wildcards", _cluster_role("everything-editor", ["*"], ["*"], "*"), "webhook-write-granted")
    kit.add("untrusted_deletecollection", _cluster_role("webhook-sweeper", ["deletecollection"], ["validatingwebhookconfigurations"]), "webhook-write-granted")
    role = _cluster_role("webhook-editor", ["update"])
    role["kind"] = "Role"
    role["metadata"]["namespace"] = "default"
    kit.add("untrusted_namespaced_role", role, "webhook-write-granted")
    if p["trustedRoles"]:
        kit.add("trusted_writer", _cluster_role(p["trustedRoles"][0], ["*"]), False)


RULE = Rule(
    info=RuleInfo("CP005", "webhook-rbac", "Webhook RBAC",
                  "Only trusted roles may write admission webhook configurations.",
                  CONTROL_PLANE_CATEGORY, "critical", "ClusterRole, Role"),
    checks={
        "webhook-write-granted": "an untrusted role may write webhook configurations",
        "rules-malformed": "rules is not of the shape Kubernetes reads",
    },
    plan=plan,
    cases=cases,
    folder=Path(__file__).parent,
)
