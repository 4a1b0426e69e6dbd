"""SC006: a sidecar mounts only approved volumes and never a hostPath volume."""

from __future__ import annotations

from pathlib import Path

from ..registry import POD, SIDECAR_CATEGORY, Rule, RuleInfo


def plan(given):
    mounts = [{"name": s.name, "allowed": sorted(s.volume_mounts.allowed)} for s in given.sidecars if s.volume_mounts is not None]
    return {"scope": given.scope, "sidecars": mounts} if mounts else None


def cases(p, kit):
    name = p["sidecars"][0]["name"]
    kit.pod("host_path_mount", True, lambda pod: (
        pod["spec"].setdefault("volumes", []).append({"name": "host-root", "hostPath": {"path": "/"}}),
        kit.sidecar(pod, name).setdefault("volumeMounts", []).append({"name": "host-root", "mountPath": "/host"}),
    ))


RULE = Rule(
    info=RuleInfo("SC006", "sidecar-volume-mounts", "Sidecar volume mounts",
                  "A sidecar mounts only approved volumes and never a hostPath volume.",
                  SIDECAR_CATEGORY, "high", POD),
    checks={
        "mount-not-approved": "a mount of a volume that is not approved",
        "mount-hostpath": "a mount of a hostPath volume",
        "mounts-malformed": "volumeMounts or volumes is not of the shape Kubernetes reads",
    },
    plan=plan,
    cases=cases,
    folder=Path(__file__).parent,
)
