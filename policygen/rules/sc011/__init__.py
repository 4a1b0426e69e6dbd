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
    if not fields and not pod.forbid_custom_name_resolution:
        return None
    params = {"scope": given.scope, "forbiddenFields": fields}
    if pod.forbid_custom_name_resolution:
        params["forbidCustomNameResolution"] = True
    if pod.forbid_share_process_namespace:
        # An ephemeral container whose targetContainerName names a sidecar joins that sidecar's process
        # namespace (kubectl debug --target): shareProcessNamespace given to one container.
        params["sidecarNames"] = given.sidecar_names
    return params


def cases(p, kit):
    for fld in p["forbiddenFields"]:
        kit.pod(f"{fld.lower()}_true", "host-namespace", lambda pod, f=fld: pod["spec"].update({f: True}))
    if p["forbiddenFields"]:
        first = p["forbiddenFields"][0]
        kit.pod(f"{first.lower()}_false", False, lambda pod: pod["spec"].update({first: False}))
        kit.pod("every_field_false", False, lambda pod: pod["spec"].update({f: False for f in p["forbiddenFields"]}))
        kit.pod(f"{first.lower()}_true_outside_mesh", False, lambda pod: pod["spec"].update({first: True}), outside=True)
    if "sidecarNames" in p:
        process_target_cases(p, kit)
    if p.get("forbidCustomNameResolution"):
        name_resolution_cases(kit)


def set_spec(**fields):
    return lambda pod: pod["spec"].update(fields)


def name_resolution_cases(kit):
    elsewhere = [{"ip": "203.0.113.7", "hostnames": ["istiod.istio-system.svc"]}]
    kit.pod("host_aliases", "custom-name-resolution", set_spec(hostAliases=elsewhere))
    kit.deployment("template_host_aliases", "custom-name-resolution", set_spec(hostAliases=elsewhere))
    kit.pod("host_aliases_outside_mesh", False, set_spec(hostAliases=elsewhere), outside=True)
    kit.pod("host_aliases_empty", False, set_spec(hostAliases=[]))
    kit.pod("host_aliases_null", False, set_spec(hostAliases=None))
    kit.pod("dns_policy_none", "custom-name-resolution",
            set_spec(dnsPolicy="None", dnsConfig={"nameservers": ["203.0.113.7"]}))
    # "" is defaulted to ClusterFirst by the API server (red team 14c).
    for policy in ("", "ClusterFirst", "ClusterFirstWithHostNet", "Default"):
        kit.pod(f"dns_policy_{policy.lower() or 'empty'}", False, set_spec(dnsPolicy=policy))
    # The API server refuses any other spelling; read as a policy of the author's own, it is denied.
    kit.pod("dns_policy_lower_case", "custom-name-resolution", set_spec(dnsPolicy="clusterfirst"))
    kit.pod("dns_policy_not_string", "custom-name-resolution", set_spec(dnsPolicy=1))
    # Under ClusterFirst the pod's nameservers follow the cluster's, and `options: rotate` sends them queries.
    kit.pod("nameserver_under_cluster_first", "custom-name-resolution",
            set_spec(dnsConfig={"nameservers": ["203.0.113.7"], "options": [{"name": "rotate"}]}))
    kit.pod("dns_config_searches_only", False,
            set_spec(dnsConfig={"searches": ["example.internal"], "options": [{"name": "ndots", "value": "2"}]}))
    kit.pod("dns_config_nameservers_empty", False, set_spec(dnsConfig={"nameservers": []}))
    kit.pod("dns_config_not_mapping", "custom-name-resolution", set_spec(dnsConfig=["203.0.113.7"]))


def debugger(target):
    """An ephemeral container as `kubectl debug --target` adds it; target None sets no targetContainerName."""
    container = {"name": "debugger", "image": "registry.example.com/tools/busybox:1.36", "stdin": True, "tty": True}
    if target is not None:
        container["targetContainerName"] = target
    return lambda pod: pod["spec"].setdefault("ephemeralContainers", []).append(container)


def process_target_cases(p, kit):
    app = kit.base["spec"]["containers"][0]["name"]
    # As kubectl debug sends them (a Pod created with ephemeral containers is refused before admission).
    for side in p["sidecarNames"][:1]:
        kit.ephemeral("debugger_targets_sidecar", "sidecar-process-target", debugger(side))
        # (A target that names no container of the pod, the sidecar's name in another case or with a space, is
        # refused by the API server before admission, so it is no near miss a cluster could judge.)
        kit.ephemeral("debugger_targets_sidecar_outside_mesh", False, debugger(side), outside=True)
        # The rules read every container list of a template alike, though only the subresource sets this one.
        kit.deployment("template_debugger_targets_sidecar", "sidecar-process-target", debugger(side))
    # A target that is no string could name anything once a reader coerces it: fail closed.
    kit.ephemeral("debugger_target_not_string", "sidecar-process-target", debugger(p["sidecarNames"][:1] or [app]))
    kit.ephemeral("debugger_targets_app", False, debugger(app))
    kit.ephemeral("debugger_no_target", False, debugger(None))
    kit.ephemeral("debugger_target_empty", False, debugger(""))


RULE = Rule(
    info=RuleInfo("SC011", "pod-host-namespaces", "Pod host namespaces",
                  "A mesh pod shares no host namespace and no process namespace, through which the proxy could be bypassed.",
                  SIDECAR_CATEGORY, "high", POD),
    checks={
        "host-namespace": "the pod shares a host namespace or its process namespace",
        "custom-name-resolution": "the pod resolves names its own way (hostAliases, dnsPolicy None or another value, "
                                  "dnsConfig nameservers), while custom name resolution is forbidden",
        "sidecar-process-target": "an ephemeral container targets an approved sidecar's process namespace (targetContainerName), "
                                  "or names its target by something other than a string, while shareProcessNamespace is forbidden",
    },
    plan=plan,
    cases=cases,
    folder=Path(__file__).parent,
    usual=lambda params: True,
)
