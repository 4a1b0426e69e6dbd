"""SC011: a mesh pod shares no host namespace and no process namespace."""

from __future__ import annotations

from pathlib import Path

from ..registry import POD, SIDECAR_CATEGORY, Rule, RuleInfo


def plan(given):
    pod = given.spec.pod
    if not pod:
        return None
    switches = (
        ("hostNetwork", pod.forbid_host_network),
        ("hostPID", pod.forbid_host_pid),
        ("hostIPC", pod.forbid_host_ipc),
        ("shareProcessNamespace", pod.forbid_share_process_namespace),
    )
    fields = [name for name, on in switches if on]
    return {"scope": given.scope, "forbiddenFields": fields} if fields else None


def cases(p, kit):
    for fld in p["forbiddenFields"]:
        kit.pod(f"{fld.lower()}_true", "host-namespace", lambda pod, f=fld: pod["spec"].update({f: True}))
    first = p["forbiddenFields"][0]
    kit.pod(f"{first.lower()}_false", False, lambda pod: pod["spec"].update({first: False}))
    kit.pod("every_field_false", False, lambda pod: pod["spec"].update({f: False for f in p["forbiddenFields"]}))
    kit.pod(f"{first.lower()}_true_outside_mesh", False, lambda pod: pod["spec"].update({first: True}), outside=True)


RULE = Rule(
    info=RuleInfo("SC011", "pod-host-namespaces", "Pod host namespaces",
                  "A mesh pod shares no host namespace and no process namespace, through which the proxy could be bypassed.",
                  SIDECAR_CATEGORY, "high", POD),
    checks={
        "host-namespace": "the pod shares a host namespace or its process namespace",
    },
    plan=plan,
    cases=cases,
    folder=Path(__file__).parent,
)
