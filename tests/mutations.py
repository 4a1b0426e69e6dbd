"""Malicious mutations of real injector output, each with the rule it must trip."""

from __future__ import annotations

import copy
from typing import Any, Callable

from policygen.kinds import POD_KINDS
from policygen.serviceaccount import mount_api_token

PROXY = "istio-proxy"


def pod_spec(obj: dict[str, Any]) -> dict[str, Any] | None:
    kind = obj.get("kind")
    spec = obj.get("spec") or {}
    if kind == "Pod":
        return spec
    if kind == "CronJob":
        return spec.get("jobTemplate", {}).get("spec", {}).get("template", {}).get("spec")
    return spec.get("template", {}).get("spec")


def pod_meta(obj: dict[str, Any]) -> dict[str, Any]:
    if obj.get("kind") == "Pod":
        return obj.setdefault("metadata", {})
    if obj.get("kind") == "CronJob":
        return obj["spec"]["jobTemplate"]["spec"]["template"].setdefault("metadata", {})
    return obj["spec"]["template"].setdefault("metadata", {})


def proxy(obj: dict[str, Any]) -> dict[str, Any] | None:
    spec = pod_spec(obj) or {}
    for field in ("containers", "initContainers"):
        for c in spec.get(field) or []:
            if c.get("name") == PROXY:
                return c
    return None


def app(obj: dict[str, Any]) -> dict[str, Any] | None:
    spec = pod_spec(obj) or {}
    return next((c for c in spec.get("containers") or [] if not c.get("name", "").startswith("istio-")), None)


def _set(target: dict, **kv) -> None:
    target.update(kv)


MUTATIONS: dict[str, tuple[str, Callable[[dict[str, Any]], None]]] = {
    "evil_proxy_image": ("SC001", lambda o: _set(proxy(o), image="docker.io.evil.example/istio/proxyv2:1.0")),
    "proxy_as_root": ("SC004", lambda o: proxy(o).setdefault("securityContext", {}).update(runAsUser=0)),
    "proxy_without_security_context": ("SC004", lambda o: proxy(o).pop("securityContext", None)),
    "bootstrap_override": ("SC008", lambda o: pod_meta(o).setdefault("annotations", {}).update(
        {"sidecar.istio.io/bootstrapOverride": "evil"})),
    "host_network": ("SC011", lambda o: pod_spec(o).update(hostNetwork=True)),
    "app_as_proxy_uid": ("SC010", lambda o: app(o).setdefault("securityContext", {}).update(runAsUser=1337)),
    "ld_preload": ("SC005", lambda o: proxy(o).setdefault("env", []).append({"name": "LD_PRELOAD", "value": "/tmp/x.so"})),
    "proxy_memory_2gi": ("SC007", lambda o: proxy(o).setdefault("resources", {}).setdefault("limits", {}).update(memory="2Gi")),
    "inject_label_false_like": ("SC009", lambda o: pod_meta(o).setdefault("labels", {}).update({"sidecar.istio.io/inject": "True"})),
    "renamed_sidecar_image": ("SC003", lambda o: pod_spec(o)["containers"].append(
        {"name": "debug", "image": proxy(o)["image"]})),
    "host_path_mount": ("SC006", lambda o: (
        pod_spec(o).setdefault("volumes", []).append({"name": "host", "hostPath": {"path": "/"}}),
        proxy(o).setdefault("volumeMounts", []).append({"name": "host", "mountPath": "/host"}),
    )),
}


def mutate_all(objects: list[dict[str, Any]], limit: int = 12) -> list[tuple[str, str, dict[str, Any]]]:
    """(mutation, rule, object) for the first `limit` objects that carry a proxy and an app container."""
    chosen = [
        o for o in objects
        if o.get("kind") in POD_KINDS
        and (o.get("metadata") or {}).get("namespace", "default") == "default"  # the corpus spec's mesh namespace
        and pod_spec(o) is not None and proxy(o) is not None and app(o) is not None
    ][:limit]
    out = []
    for obj in chosen:
        for name, (rule, fn) in MUTATIONS.items():
            mutated = copy.deepcopy(obj)
            fn(mutated)
            out.append((name, rule, mutated))
    return out


def with_api_token(obj: dict[str, Any]) -> dict[str, Any]:
    """A copy of obj with the ServiceAccount plugin's token volume and mounts in its pod spec, as a cluster
    stores a pod (policygen/serviceaccount.py), whatever the kind: its controllers' pods get them too."""
    out = copy.deepcopy(obj)
    spec = pod_spec(out)
    if isinstance(spec, dict):
        mount_api_token(spec, "kube-api-access-7xk2p")
    return out
