"""Near misses of an approved pod: one change each to what the rules read of a container or its pod.

The inputs on which a body that clears the usual case before the checks (a rule's own usual case, or
the whole set's usual pod, policygen/usual.py) could differ from the checks. bench/rego_differential.py
samples them on the real corpus; tests/test_usual_pod.py applies every one to each plan's approved pods.
"""

from __future__ import annotations

import copy
from typing import Any

from policygen.kinds import POD_KINDS

from .mutations import pod_meta, pod_spec

# One change each to what the rules read of a container or its pod, near what an approved pod holds: the
# inputs on which a shortcut for the usual case (a body that clears it before the checks) could differ.
CONTAINER_EDITS: list[tuple[str, Any]] = [
    ("securityContext", None), ("securityContext", "x"), ("securityContext", {}),
    ("securityContext.privileged", True), ("securityContext.privileged", None), ("securityContext.privileged", "false"),
    ("securityContext.allowPrivilegeEscalation", True), ("securityContext.allowPrivilegeEscalation", None),
    ("securityContext.runAsUser", 0), ("securityContext.runAsUser", 1337), ("securityContext.runAsUser", 1337.0),
    ("securityContext.runAsUser", "1337"), ("securityContext.runAsGroup", 1337), ("securityContext.runAsNonRoot", False),
    ("securityContext.readOnlyRootFilesystem", False), ("securityContext.capabilities", None),
    ("securityContext.capabilities", {}), ("securityContext.capabilities", "x"),
    ("securityContext.capabilities.add", ["net_admin"]), ("securityContext.capabilities.add", ["CAP_NET_ADMIN"]),
    ("securityContext.capabilities.add", ["NET_ADMIN", "SYS_ADMIN"]), ("securityContext.capabilities.add", ["ALL"]),
    ("securityContext.capabilities.add", [1]), ("securityContext.capabilities.add", [""]),
    ("securityContext.capabilities.add", None), ("securityContext.capabilities.add", "NET_ADMIN"),
    ("securityContext.capabilities.add", []), ("securityContext.capabilities.drop", ["all"]),
    ("securityContext.capabilities.drop", ["CAP_ALL"]), ("securityContext.capabilities.drop", []),
    ("securityContext.capabilities.drop", None), ("securityContext.capabilities.drop", "ALL"),
    ("securityContext.capabilities.drop", ["NET_RAW"]), ("securityContext.capabilities.drop", ["ALL", 1]),
    ("command", []), ("command", ["/bin/sh"]), ("command", None), ("args", None), ("args", []), ("args", "proxy"),
    ("args", ["--evil"]), ("envFrom", []), ("envFrom", [{"configMapRef": {"name": "x"}}]), ("envFrom", None),
    ("env", None), ("env", []), ("env", "x"), ("env+", {"name": "LD_PRELOAD", "value": "/x.so"}),
    ("env+", {"name": "CA_ADDR", "value": "evil:15012"}), ("env+", {"name": "CA_ADDR", "value": "istiod.istio-system.svc:15012"}),
    ("env+", {"name": "CA_ADDR", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}),
    ("env+", {"name": "CA_ADDR", "value": "istiod.istio-system.svc:15012", "valueFrom": None}),
    ("env+", {"name": "PILOT_CERT_PROVIDER"}), ("env+", {"name": "PILOT_CERT_PROVIDER", "value": ""}),
    ("env+", {"value": "x"}), ("env+", {"name": 1}), ("env+", "LD_PRELOAD"), ("env+", {"name": "ISTIO_META_CERT_SIGNER"}),
    ("env-", 0), ("env-", 1), ("volumeMounts", None), ("volumeMounts", []), ("volumeMounts", "x"),
    ("volumeMounts+", {"name": "host-root", "mountPath": "/host"}), ("volumeMounts+", {"mountPath": "/x"}),
    ("volumeMounts+", "istio-envoy"), ("volumeDevices", []), ("volumeDevices", [{"name": "istio-envoy", "devicePath": "/d"}]),
    ("volumeDevices", None), ("resources", None), ("resources", {}), ("resources.limits", None),
    ("resources.limits.cpu", "0"), ("resources.limits.cpu", "3"), ("resources.limits.cpu", "2001m"),
    ("resources.limits.cpu", "1.5"), ("resources.limits.cpu", 2), ("resources.limits.cpu", None),
    ("resources.limits.cpu", "02"), ("resources.limits.memory", "2Gi"), ("resources.limits.memory", "1.5Gi"),
    ("resources.limits.memory", "1073741825"), ("resources.limits.memory", "1G"), ("resources.limits.memory", None),
    ("resources.requests", None), ("resources.requests", {}), ("resources.requests.cpu", None),
    ("resources.requests.cpu", "3"), ("resources.requests.memory", "4Gi"), ("resources.requests.memory", "-1"),
    ("restartPolicy", "Never"), ("restartPolicy", None), ("name", "istio-proxy"), ("name", "istio-init"),
    ("image@", None), ("image:", "latest"), ("image:", "1.0.1"), ("image@", "sha256:" + "e" * 64),
    ("image@", "sha512:" + "e" * 128), ("image", None), ("image", 1), ("image", "Docker.io/istio/proxyv2:1.0"),
]
POD_EDITS: list[tuple[str, Any]] = [
    ("securityContext", None), ("securityContext", "x"), ("securityContext.runAsUser", 1337),
    ("securityContext.runAsGroup", 1337), ("securityContext.runAsUser", 1000), ("volumes", None), ("volumes", "x"),
    ("volumes+", {"name": "host-root", "hostPath": {"path": "/"}}), ("volumes+", {"name": "istio-envoy", "hostPath": {"path": "/"}}),
    ("volumes+", {"hostPath": {"path": "/"}}), ("volumes+", "x"), ("hostNetwork", True), ("hostPID", True),
    ("hostIPC", True), ("shareProcessNamespace", True), ("hostNetwork", "false"), ("hostNetwork", False),
    ("ephemeralContainers+", {"name": "debug", "image": "registry.example.com/tools/debug:1", "targetContainerName": "istio-proxy"}),
    ("ephemeralContainers+", {"name": "debug", "image": "registry.example.com/tools/debug:1", "targetContainerName": 1}),
    ("ephemeralContainers+", {"name": "debug", "image": "registry.example.com/tools/debug:1"}),
    ("ephemeralContainers+", {"name": "istio-proxy", "image": "registry.example.com/tools/debug:1"}),
    ("ephemeralContainers", []), ("ephemeralContainers", None),
    ("hostAliases", [{"ip": "10.0.0.1", "hostnames": ["istiod.istio-system.svc"]}]), ("hostAliases", []),
    ("dnsPolicy", "None"), ("dnsPolicy", "ClusterFirst"), ("dnsConfig", {"nameservers": ["10.0.0.1"]}), ("dnsConfig", {}),
    ("initContainers+", {"name": "setup", "image": "registry.example.com/tools/setup:1"}),
    ("initContainers+", {"name": "setup", "image": "registry.example.com/tools/setup:1", "restartPolicy": "Always"}),
    ("containers+", {"name": "shadow", "image": "docker.io/istio/proxyv2:1.24.0"}),
    ("containers+", {"name": "shadow", "image": "registry.istio.io/testing/proxyv2:latest"}),
]
META_EDITS: list[tuple[str, Any]] = [
    ("namespace", None), ("namespace", 1), ("namespace", ""), ("name", None), ("name", ["x"]), ("labels", None),
    ("labels", {"a": 1}), ("annotations", {"a": None}), ("annotations", "x"), ("labels", []),
    ("labels:sidecar.istio.io/inject", "false"), ("labels:sidecar.istio.io/inject", "true"),
    ("annotations:sidecar.istio.io/inject", "false"), ("labels:istio.io/rev", "canary"), ("annotations:istio.io/rev", "canary"),
    ("annotations:sidecar.istio.io/proxyImage", "evil/proxy:1"), ("annotations:inject.istio.io/templates", "evil"),
    ("annotations:sidecar.istio.io/interceptionMode", "TPROXY"), ("annotations:sidecar.istio.io/status", ""),
    ("annotations:sidecar.istio.io/status", '{"initContainers":["evil"],"containers":["istio-proxy"]}'),
    ("annotations:sidecar.istio.io/status", '{"containers":["istio-proxy"],"extra":1}'),
    ("annotations:unrelated.example.com/x", "y"),
]


def edited(target: dict[str, Any], path: str, value: Any) -> None:
    """Applies one edit: a dotted path set (parents created), "+" to append to a list, "-" to drop a member,
    or "field:key" to set one key of a map (a label or annotation, whose key holds dots)."""
    if path in ("image@", "image:"):
        # The container's own image with its digest (image@) or tag (image:) replaced, None to drop it.
        image = target.get("image")
        if isinstance(image, str):
            name, _, digest = image.partition("@")
            repo, _, tag = name.rpartition(":") if ":" in name.rsplit("/", 1)[-1] else (name, "", "")
            if path == "image@":
                target["image"] = name + (f"@{value}" if value else "")
            else:
                target["image"] = f"{repo}:{value}" + (f"@{digest}" if digest else "")
        return
    if ":" in path:
        field, key = path.split(":", 1)
        if not isinstance(target.get(field), dict):
            target[field] = {}
        target[field][key] = value
        return
    if path.endswith("+") or path.endswith("-"):
        field = path[:-1]
        current = target.get(field)
        if not isinstance(current, list):
            current = []
        current = list(current)
        if path.endswith("+"):
            current.append(value)
        elif len(current) > value:
            del current[value]
        target[field] = current
        return
    *parents, last = path.split(".")
    for key in parents:
        if not isinstance(target.get(key), dict):
            target[key] = {}
        target = target[key]
    target[last] = value


def edits_of(doc: dict[str, Any]) -> list[tuple[str, tuple[str, int] | None, tuple[str, Any]]]:
    """Every edit above that applies to one document: (where, the container's place, the edit)."""
    spec = pod_spec(doc) if doc.get("kind") in POD_KINDS else None
    if not isinstance(spec, dict):
        return []
    places = [(field, i) for field in ("initContainers", "containers") for i, c in enumerate(spec.get(field) or [])
              if isinstance(c, dict)]
    return ([("container", p, e) for p in places for e in CONTAINER_EDITS]
            + [("pod", None, e) for e in POD_EDITS] + [("meta", None, e) for e in META_EDITS])


def near_miss(doc: dict[str, Any], where: str, place: tuple[str, int] | None, edit: tuple[str, Any],
              namespace: str | None = None) -> dict[str, Any]:
    """A copy of the document with one edit of edits_of() applied, in namespace if one is given."""
    new = copy.deepcopy(doc)
    if namespace and isinstance(new.get("metadata"), dict):
        new["metadata"]["namespace"] = namespace
    path, value = edit
    if where == "container":
        edited(pod_spec(new)[place[0]][place[1]], path, copy.deepcopy(value))
    elif where == "pod":
        edited(pod_spec(new), path, copy.deepcopy(value))
    else:
        edited(pod_meta(new), path, copy.deepcopy(value))
    return new


def every_near_miss(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Every edit above applied alone to one pod-bearing document: each container's, the pod's and its metadata's."""
    return [near_miss(doc, where, place, edit) for where, place, edit in edits_of(doc)]
