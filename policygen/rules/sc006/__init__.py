"""SC006: a sidecar mounts only approved volumes and never a hostPath volume."""

from __future__ import annotations

from pathlib import Path

from ..registry import POD, SIDECAR_CATEGORY, Rule, RuleInfo, per_sidecar


def _sidecar(sidecar):
    if sidecar.volume_mounts is None:
        return None
    return {"name": sidecar.name, "allowed": sorted(sidecar.volume_mounts.allowed),
            "sources": [{"name": k, "sources": sorted(set(v))} for k, v in sorted(sidecar.volume_mounts.sources.items())],
            "paths": [{"name": k, "paths": sorted(set(v))} for k, v in sorted(sidecar.volume_mounts.paths.items())]}


def plan(given):
    return per_sidecar(given, _sidecar)


def cases(p, kit):
    side = p["sidecars"][0]
    name = side["name"]

    def host_mount(pod, volume="host-root"):
        pod["spec"]["volumes"] = [v for v in pod["spec"].get("volumes", []) if v["name"] != volume]
        pod["spec"]["volumes"].append({"name": volume, "hostPath": {"path": "/"}})
        kit.sidecar(pod, name)["volumeMounts"] = [m for m in kit.sidecar(pod, name).get("volumeMounts", []) if m["name"] != volume]
        kit.sidecar(pod, name)["volumeMounts"].append({"name": volume, "mountPath": "/host"})
    kit.pod("host_path_mount", ("mount-hostpath", "mount-not-approved"), host_mount)
    if side["allowed"]:
        # An approved volume name does not make a hostPath volume approved.
        last = side["allowed"][-1]
        sourced = any(w["name"] == last and "hostPath" not in w["sources"] for w in side["sources"])
        placed = any(w["name"] == last and "/host" not in w["paths"] for w in side["paths"])
        checks = ("mount-hostpath", *(["volume-source-not-approved"] if sourced else []), *(["mount-path-not-approved"] if placed else []))
        kit.pod("host_path_under_approved_name", checks, lambda pod: host_mount(pod, last))
    kit.pod("host_path_mount_outside_mesh", False, host_mount, outside=True)
    # A mount that is no mapping names no volume, even when its text is an approved name.
    named = next((s for s in p["sidecars"] if s["allowed"]), side)
    kit.pod("mount_not_a_mapping", "mount-not-approved", lambda pod: kit.sidecar(pod, named["name"]).setdefault(
        "volumeMounts", []).append((named["allowed"] or ["istio-envoy"])[0]))
    # Volumes that are no list (a differential fuzzer, 2026-12-05: read as a list of none, all named).
    kit.pod("volumes_not_a_list", "mounts-malformed", lambda pod: pod["spec"].update(
        volumes={"name": "host", "hostPath": {"path": "/"}}))
    kit.pod("volume_not_a_mapping", "mounts-malformed", lambda pod: pod["spec"].setdefault("volumes", []).append("host"))
    # A raw block device of a volume, given without a mount.
    kit.pod("unapproved_block_device", "mount-not-approved", lambda pod: (
        pod["spec"].setdefault("volumes", []).append({"name": "policygen-block", "persistentVolumeClaim": {"claimName": "disk"}}),
        kit.sidecar(pod, name).setdefault("volumeDevices", []).append({"name": "policygen-block", "devicePath": "/dev/xvda"})))
    # The volume the baseline pod's sidecar mounts (policygen.fixtures), when the spec names its sources: another
    # source in its place, and beside it (two sources are no volume the API server accepts, nor one to trust).
    mounted = side["allowed"][0] if side["allowed"] else None
    want = next((w for w in side["sources"] if w["name"] == mounted), None)
    if want is not None:
        foreign = {"hostPath": {"path": "/"}} if "nfs" in want["sources"] else {"nfs": {"server": "attacker.example", "path": "/"}}
        checks = ("volume-source-not-approved", "mount-hostpath") if "hostPath" in foreign else "volume-source-not-approved"

        def volume(pod):
            return next(v for v in pod["spec"]["volumes"] if v["name"] == want["name"])

        def swap_source(pod):
            named = volume(pod)
            for key in [k for k in named if k != "name"]:
                del named[key]
            named.update(foreign)
        kit.pod("volume_source_swapped", checks, swap_source)
        kit.pod("volume_source_added", checks, lambda pod: volume(pod).update(foreign))
    # The volume the baseline pod's sidecar mounts, when the spec names its paths: elsewhere (over the proxy's
    # programs), the approved path written another way, a second mount beside the approved one, a raw device.
    placed = next((w for w in side["paths"] if w["name"] == mounted), None)
    if placed is not None:
        def mount(pod):
            return next(m for m in kit.sidecar(pod, name)["volumeMounts"] if m["name"] == placed["name"])
        approved_path = placed["paths"][0]
        kit.pod("mount_path_moved", "mount-path-not-approved", lambda pod: mount(pod).update(mountPath="/usr/local/bin"))
        kit.pod("mount_path_trailing_slash", "mount-path-not-approved", lambda pod: mount(pod).update(mountPath=approved_path + "/"))
        kit.pod("mount_path_backstep", "mount-path-not-approved",
                lambda pod: mount(pod).update(mountPath=approved_path + "/../../../usr/local/bin"))
        kit.pod("mount_path_not_a_string", "mount-path-not-approved", lambda pod: mount(pod).update(mountPath=["/usr/local/bin"]))
        kit.pod("mount_path_missing", "mount-path-not-approved", lambda pod: mount(pod).pop("mountPath"))
        kit.pod("mount_path_second_mount", "mount-path-not-approved", lambda pod: kit.sidecar(pod, name)["volumeMounts"].append(
            {"name": placed["name"], "mountPath": "/usr/local/bin"}))
        kit.pod("mount_path_sub_path", False, lambda pod: mount(pod).update(subPath="proxy"))
    kit.pod("unapproved_mount", "mount-not-approved", lambda pod: (
        pod["spec"].setdefault("volumes", []).append({"name": "policygen-unapproved", "emptyDir": {}}),
        kit.sidecar(pod, name).setdefault("volumeMounts", []).append({"name": "policygen-unapproved", "mountPath": "/x"}),
    ))


def usual(params):
    """Whether usual.rego.jinja can clear this rule's sidecars: only without sources or paths, as problems()'s usual case."""
    return all(side["sources"] == [] and side["paths"] == [] for side in params["sidecars"])


RULE = Rule(
    info=RuleInfo("SC006", "sidecar-volume-mounts", "Sidecar volume mounts",
                  "A sidecar mounts only approved volumes and never a hostPath volume.",
                  SIDECAR_CATEGORY, "high", POD),
    checks={
        "mount-not-approved": "a mount of a volume that is not approved",
        "mount-hostpath": "a mount of a hostPath volume",
        "mounts-malformed": "volumeMounts or volumes is not of the shape Kubernetes reads",
        "volume-source-not-approved": "a mount of a volume whose source is not one the spec approves for its name",
        "mount-path-not-approved": "a mount of a volume at a path the spec does not approve for its name",
    },
    plan=plan,
    cases=cases,
    folder=Path(__file__).parent,
    usual=usual,
)
