"""SC010: an app container does not run as the proxy's UID or GID, capture traffic or run privileged."""

from __future__ import annotations

from pathlib import Path

from ..registry import POD, SIDECAR_CATEGORY, Rule, RuleInfo


def plan(given):
    app = given.spec.app_containers
    if not (app and (app.forbidden_run_as_users or app.forbidden_run_as_groups or app.forbidden_capabilities or app.forbid_privileged
                     or app.require_declared_identity or app.forbid_supplemental_groups or app.forbidden_volumes)):
        return None
    return {
        "scope": given.scope,
        "sidecarNames": given.sidecar_names,
        "forbiddenRunAsUsers": sorted(app.forbidden_run_as_users),
        "forbiddenRunAsGroups": sorted(app.forbidden_run_as_groups),
        "forbiddenCapabilities": sorted(app.forbidden_capabilities),
        "forbidPrivileged": app.forbid_privileged,
        "requireDeclaredIdentity": app.require_declared_identity,
        "forbidSupplementalGroups": app.forbid_supplemental_groups,
        "forbiddenVolumes": sorted(set(app.forbidden_volumes)),
    }


def cases(p, kit):
    app = lambda pod: pod["spec"]["containers"][0]  # noqa: E731
    if p["forbiddenRunAsUsers"]:
        uid = p["forbiddenRunAsUsers"][0]
        kit.pod("app_runs_as_proxy_uid", "run-as-forbidden", lambda pod: app(pod)["securityContext"].update(runAsUser=uid))
        kit.pod("app_runs_as_proxy_uid_outside_mesh", False, lambda pod: app(pod)["securityContext"].update(runAsUser=uid),
                outside=True)
        kit.pod("pod_level_proxy_uid", "run-as-forbidden", lambda pod: (
            pod["spec"].update(securityContext={"runAsUser": uid}),
            pod["spec"]["containers"][0]["securityContext"].pop("runAsUser"),
        ))
    if p["forbiddenCapabilities"]:
        cap = p["forbiddenCapabilities"][0]
        kit.pod("app_adds_capability", "capability-forbidden", lambda pod: pod["spec"]["containers"][0]["securityContext"].update(
            capabilities={"add": [f"CAP_{cap}"]}))
        kit.pod("app_adds_capability_lowercase", "capability-forbidden", lambda pod: app(pod)["securityContext"].update(
            capabilities={"add": ["cap_" + cap.lower()]}))
        # ALL adds every capability, the forbidden ones too, whether or not the spec lists ALL.
        kit.pod("app_adds_all", "capability-forbidden", lambda pod: app(pod)["securityContext"].update(
            capabilities={"add": ["all"]}))
    if p["forbidPrivileged"]:
        kit.pod("privileged_app", "privileged", lambda pod: pod["spec"]["containers"][0]["securityContext"].update(privileged=True))
    kit.pod("unprivileged_app", False, lambda pod: app(pod)["securityContext"].update(privileged=False))
    if p["requireDeclaredIdentity"]:
        def undeclared(*keys):
            return lambda pod: [app(pod)["securityContext"].pop(key) for key in keys]

        kit.pod("app_identity_undeclared", "identity-undeclared", undeclared("runAsUser", "runAsGroup"))
        kit.pod("app_group_undeclared", "identity-undeclared", undeclared("runAsGroup"))
        kit.deployment("template_app_user_undeclared", "identity-undeclared", undeclared("runAsUser"))
        # The image's user cannot be seen, but the pod's declared one is what the container runs as.
        kit.pod("app_identity_declared_on_pod", False, lambda pod: (
            pod["spec"].update(securityContext={k: app(pod)["securityContext"][k] for k in ("runAsUser", "runAsGroup")}),
            undeclared("runAsUser", "runAsGroup")(pod),
        ))
        kit.pod("app_identity_undeclared_outside_mesh", False, undeclared("runAsUser", "runAsGroup"), outside=True)
    if p["forbidSupplementalGroups"]:
        gid = p["forbiddenRunAsGroups"][0] if p["forbiddenRunAsGroups"] else 1337

        def pod_groups(**values):
            return lambda pod: pod["spec"].setdefault("securityContext", {}).update(values)

        checks = "supplemental-group-forbidden" if p["forbiddenRunAsGroups"] else False
        kit.pod("fs_group_forbidden", checks, pod_groups(fsGroup=gid))
        kit.pod("supplemental_group_forbidden", checks, pod_groups(supplementalGroups=[1000, gid]))
        kit.deployment("template_supplemental_group_forbidden", checks, pod_groups(supplementalGroups=[gid]))
        kit.pod("supplemental_groups_not_a_list", "supplemental-group-forbidden", pod_groups(supplementalGroups=str(gid)))
        kit.pod("supplemental_groups_other", False, pod_groups(fsGroup=2000, supplementalGroups=[1000, 2000]))
        kit.pod("fs_group_forbidden_outside_mesh", False, pod_groups(fsGroup=gid), outside=True)
    if p["forbiddenVolumes"]:
        volume = p["forbiddenVolumes"][0]

        def mounts(value, where="containers"):
            def apply(pod):
                target = next(c for c in pod["spec"][where] if c["name"] not in p["sidecarNames"]) if where == "containers" else None
                if target is None:
                    # The app's identity too, so that requireDeclaredIdentity finds nothing else to deny.
                    app = next(c for c in pod["spec"]["containers"] if c["name"] not in p["sidecarNames"])
                    target = {"name": "setup", "image": "registry.example.com/tools/setup:1",
                              **({"securityContext": dict(app["securityContext"])} if "securityContext" in app else {})}
                    pod["spec"].setdefault("initContainers", []).insert(0, target)
                target["volumeMounts"] = value
            return apply

        kit.pod("app_mounts_forbidden_volume", "volume-forbidden", mounts([{"name": volume, "mountPath": "/proxy"}]))
        kit.pod("app_init_mounts_forbidden_volume", "volume-forbidden", mounts([{"name": volume, "mountPath": "/proxy"}], "initContainers"))
        kit.pod("app_volume_mounts_not_a_list", "volume-forbidden", mounts({"name": volume, "mountPath": "/proxy"}))
        kit.pod("app_mounts_other_volume", False, mounts([{"name": "policygen-other", "mountPath": "/data"}]))
        kit.pod("app_mounts_forbidden_volume_outside_mesh", False, mounts([{"name": volume, "mountPath": "/proxy"}]), outside=True)


def usual(params):
    """Whether usual.rego.jinja can clear app containers: only where problems()'s usual case can."""
    return (params["requireDeclaredIdentity"] is False and params["forbidSupplementalGroups"] is False
            and params["forbiddenVolumes"] == [])


RULE = Rule(
    info=RuleInfo("SC010", "app-container-identity", "App container identity",
                  "An app container does not run as the proxy's UID or GID, adds no traffic-capturing capability and is not privileged.",
                  SIDECAR_CATEGORY, "high", POD),
    checks={
        "run-as-forbidden": "an app container runs as a forbidden UID or GID",
        "capability-forbidden": "an app container adds a forbidden capability",
        "privileged": "an app container is privileged",
        "identity-undeclared": "requireDeclaredIdentity: an app container declares no runAsUser or runAsGroup, nor does its pod, "
                               "so it runs as its image's user, which may be the proxy's",
        "supplemental-group-forbidden": "forbidSupplementalGroups: the pod's fsGroup or supplementalGroups gives an app container a forbidden GID, "
                                        "or is not a whole number (a list of them) the API server accepts",
        "volume-forbidden": "an app container mounts one of appContainers.forbiddenVolumes (the proxy's own), "
                            "or has volumeMounts that are not a list of mappings named by strings",
        "security-context-malformed": "an app container's securityContext, capabilities or capabilities.add is not of the shape Kubernetes reads",
    },
    plan=plan,
    cases=cases,
    folder=Path(__file__).parent,
    usual=usual,
)
