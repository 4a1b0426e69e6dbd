"""CP002: only trusted subjects create, change or delete the injector's ConfigMaps."""

from __future__ import annotations

import copy
from pathlib import Path

from ..registry import CONTROL_PLANE_CATEGORY, Rule, RuleInfo


def plan(given):
    cp = given.spec.control_plane
    if not (cp and cp.injector_config_maps):
        return None
    return {
        "trustedSubjects": sorted(cp.trusted_subjects),
        "trustedGroups": sorted(cp.trusted_groups),
        "namespace": cp.namespace,
        "configMaps": sorted(cp.injector_config_maps),
        # istiod of revision R reads <name>-R (pilot/pkg/bootstrap/sidecarinjector.go), and revision names
        # are free: every such name is the injector's ConfigMap of some revision.
        "revisionPrefixes": sorted(f"{name}-" for name in cp.injector_config_maps),
    }


def cases(p, kit):
    cm = {"apiVersion": "v1", "kind": "ConfigMap",
          "metadata": {"name": p["configMaps"][0], "namespace": p["namespace"]}, "data": {"config": "policy: enabled"}}
    kit.add("untrusted_create", copy.deepcopy(cm), "untrusted-write")
    kit.add("untrusted_update", kit.review(cm, "UPDATE", kit.untrusted_user), "untrusted-write")
    kit.add("untrusted_delete", kit.review(cm, "DELETE", kit.untrusted_user), "untrusted-write")
    if p["trustedSubjects"]:
        kit.add("trusted_update", kit.review(cm, "UPDATE", p["trustedSubjects"][0]), False)
    revision = copy.deepcopy(cm)
    revision["metadata"]["name"] = p["revisionPrefixes"][0] + "stable"
    kit.add("untrusted_revision_create", revision, "untrusted-write")
    # The same name without its "-": another ConfigMap.
    near = copy.deepcopy(cm)
    near["metadata"]["name"] = p["configMaps"][0] + "s"
    kit.add("near_name_configmap", near, False)
    other = copy.deepcopy(cm)
    other["metadata"]["name"] = "app-settings"
    kit.add("other_configmap", other, False)
    # The injector's name in another namespace is not the injector's ConfigMap.
    elsewhere = copy.deepcopy(cm)
    elsewhere["metadata"]["namespace"] = "default" if p["namespace"] != "default" else "policygen-elsewhere"
    # A DELETE carries its oldObject, which the cluster engine stores before it asks.
    kit.add("same_name_other_namespace", kit.review(elsewhere, "DELETE", kit.untrusted_user), False)


RULE = Rule(
    info=RuleInfo("CP002", "injector-configmap", "Injector ConfigMap",
                  "Only trusted subjects create, change or delete the injector's ConfigMaps.",
                  CONTROL_PLANE_CATEGORY, "critical", "ConfigMap"),
    checks={
        "untrusted-write": "an untrusted subject writes an injector ConfigMap",
    },
    plan=plan,
    cases=cases,
    folder=Path(__file__).parent,
    judges_delete=True,
)
