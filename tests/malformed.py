"""Malformed variants of an approved pod: each must be denied (SPEC.md, Fail closed)."""

from __future__ import annotations

import copy
from typing import Any, Callable

from policygen.fixtures import baseline_pod

PROXY = "istio-proxy"


def _proxy(pod: dict[str, Any]) -> dict[str, Any]:
    for field in ("containers", "initContainers"):
        for c in pod["spec"].get(field) or []:
            if c.get("name") == PROXY:
                return c
    raise KeyError(PROXY)


def _app(pod):
    return pod["spec"]["containers"][0]


VARIANTS: dict[str, Callable[[dict[str, Any]], None]] = {
    "proxy_security_context_null": lambda p: _proxy(p).update(securityContext=None),
    "proxy_security_context_string": lambda p: _proxy(p).update(securityContext="restricted"),
    "proxy_security_context_list": lambda p: _proxy(p).update(securityContext=[]),
    "proxy_run_as_user_string": lambda p: _proxy(p)["securityContext"].update(runAsUser="1337"),
    "proxy_privileged_string": lambda p: _proxy(p)["securityContext"].update(allowPrivilegeEscalation="false"),
    "proxy_capabilities_drop_string": lambda p: _proxy(p)["securityContext"]["capabilities"].update(drop="ALL"),
    "proxy_capabilities_add_string": lambda p: _proxy(p)["securityContext"]["capabilities"].update(add="NET_ADMIN"),
    "proxy_image_number": lambda p: _proxy(p).update(image=42),
    "proxy_image_missing": lambda p: _proxy(p).pop("image"),
    "proxy_image_unparseable": lambda p: _proxy(p).update(image="docker.io/Istio/ProxyV2:1"),
    "proxy_args_string": lambda p: _proxy(p).update(args="proxy sidecar"),
    "proxy_args_null": lambda p: _proxy(p).update(args=None),
    "proxy_env_mapping": lambda p: _proxy(p).update(env={"CA_ADDR": "istiod.istio-system.svc:15012"}),
    "proxy_env_value_number": lambda p: _proxy(p)["env"][0].update(value=15012),
    "proxy_volume_mounts_string": lambda p: _proxy(p).update(volumeMounts="istio-envoy"),
    "proxy_limits_string": lambda p: _proxy(p)["resources"].update(limits="unlimited"),
    "proxy_memory_limit_garbage": lambda p: _proxy(p)["resources"]["limits"].update(memory="lots"),
    "proxy_memory_limit_bool": lambda p: _proxy(p)["resources"]["limits"].update(memory=True),
    "containers_null": lambda p: p["spec"].update(containers=None),
    "containers_mapping": lambda p: p["spec"].update(containers={"app": {"image": "x"}}),
    "init_containers_string": lambda p: p["spec"].update(initContainers="istio-init"),
    "container_without_name": lambda p: _app(p).pop("name"),
    "container_name_number": lambda p: _app(p).update(name=7),
    "app_image_number": lambda p: _app(p).update(image=1),
    "app_run_as_user_string": lambda p: _app(p)["securityContext"].update(runAsUser="1337"),
    "app_privileged_string": lambda p: _app(p)["securityContext"].update(privileged="true"),
    "host_network_string": lambda p: p["spec"].update(hostNetwork="true"),
    "status_annotation_not_json": lambda p: p["metadata"]["annotations"].update({"sidecar.istio.io/status": "{not json"}),
    "status_annotation_names_number": lambda p: p["metadata"]["annotations"].update(
        {"sidecar.istio.io/status": '{"containers":[1]}'}),
    "spec_null": lambda p: p.update(spec=None),
}


def malformed_pods(plan) -> list[tuple[str, dict[str, Any]]]:
    base, _ = baseline_pod(plan)
    out = []
    for name, fn in VARIANTS.items():
        pod = copy.deepcopy(base)
        fn(pod)
        out.append((name, pod))
    return out
