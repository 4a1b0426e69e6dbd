"""The API token the ServiceAccount admission plugin mounts into a Pod (plugin/pkg/admission/serviceaccount).

A cluster runs the plugin again after the injector's webhook has changed the pod (admission
reinvocation), so the injector's sidecars carry the mount too. SC006 approves it field for field
(policygen/rules/sc006); the cluster engine, whose control plane runs without the plugin, and the
tests write it with this module.
"""

from __future__ import annotations

from typing import Any

API_TOKEN_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"
API_TOKEN_PREFIX = "kube-api-access-"


def api_token_sources() -> list[dict[str, Any]]:
    """The plugin's three projected sources, in its order (a fresh copy)."""
    return [
        {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
        {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
        {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}},
    ]


def api_token_volume(name: str) -> dict[str, Any]:
    return {"name": name, "projected": {"defaultMode": 420, "sources": api_token_sources()}}


def api_token_mount(name: str) -> dict[str, Any]:
    return {"name": name, "readOnly": True, "mountPath": API_TOKEN_PATH}


def mount_api_token(spec: dict[str, Any], name: str = API_TOKEN_PREFIX + "pgen0") -> None:
    """What the plugin writes, in place, on a pod spec the API server would decode (mountServiceAccountToken):
    its volume unless one of its names is there, and a mount in each init and app container without one at
    the token path. Anything else, and a pod that opts out, is left as it is, for the server to judge."""
    volumes = spec.get("volumes")
    lists = [spec.get("initContainers"), spec.get("containers")]
    if spec.get("automountServiceAccountToken") is False or not (volumes is None or isinstance(volumes, list)) \
            or any(v is not None and not isinstance(v, list) for v in lists):
        return
    containers = [c for v in lists for c in v or []]
    if not all(isinstance(x, dict) and isinstance(x.get("name"), str) for x in [*(volumes or []), *containers]) \
            or not all(isinstance(c.get("volumeMounts", []), list) and all(isinstance(m, dict) for m in c.get("volumeMounts") or [])
                       for c in containers):
        return
    needed = [c for c in containers if not any(m.get("mountPath") == API_TOKEN_PATH for m in c.get("volumeMounts") or [])]
    if not needed:
        return
    existing = next((v["name"] for v in volumes or [] if v["name"].startswith(API_TOKEN_PREFIX)), None)
    if existing is None:
        spec["volumes"] = [*(volumes or []), api_token_volume(name)]
    for container in needed:
        container["volumeMounts"] = [*(container.get("volumeMounts") or []), api_token_mount(existing or name)]
