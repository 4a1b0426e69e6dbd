"""Engine-neutral test cases for the generated policies, built from the plan.

For each rule in a plan: a benign near-miss that must pass and malicious
variants that must fail, all derived from the plan's own parameters so that
any spec gets fixtures that mean something. Each rule's folder
(policygen/rules/<id>/) writes its own cases through a CaseKit. Every backend renders these into
its engine's own test format (src_test.rego, gator suites, kyverno-test.yaml).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from .checks import CHECKS
from .inventory import in_mesh, scope_of
from .plan import Plan, per_plan
from .quantity import parse_quantity
from .rules import REGISTRY
from .samples import UNTRUSTED_USER

UNTRUSTED = UNTRUSTED_USER
FAKE_DIGEST = "sha256:" + "e" * 64


@dataclass(frozen=True)
class Case:
    name: str  # snake_case, unique within a rule
    rule_id: str
    resource: dict[str, Any]  # a plain resource or an AdmissionReview
    # The rule's sub-check codes the case must trip, exactly (empty: the rule allows it).
    checks: tuple[str, ...]
    namespaces: dict[str, Any] = field(default_factory=dict)  # inventory: name -> Namespace

    @property
    def fails(self) -> bool:
        return bool(self.checks)

    @property
    def operation(self) -> str:
        return self.resource["request"]["operation"] if self.is_admission_review else "CREATE"

    @property
    def user(self) -> dict[str, Any]:
        """Who sends the request: the review's user, or the untrusted one every plain resource is sent by."""
        if self.is_admission_review:
            return self.resource["request"]["userInfo"]
        return dict(UNTRUSTED_USER)

    @property
    def is_admission_review(self) -> bool:
        return self.resource.get("kind") == "AdmissionReview"

    @property
    def old_object_differs(self) -> bool:
        """An UPDATE whose oldObject is not its object: what the Kyverno CLI cannot give a policy."""
        req = self.resource.get("request", {}) if self.is_admission_review else {}
        return self.operation == "UPDATE" and isinstance(req.get("oldObject"), dict) and req["oldObject"] != req.get("object")

    @property
    def object(self) -> dict[str, Any]:
        if self.is_admission_review:
            req = self.resource["request"]
            return req.get("object") or req.get("oldObject")
        return self.resource


MESH_FALLBACK_NAMESPACE = "policygen-mesh"
NAME_LABEL = "kubernetes.io/metadata.name"
# A namespace no spec makes a mesh namespace (its Namespace carries only this label).
OUTSIDE_NAMESPACE = "policygen-outside"
OUTSIDE_LABELS = {"policygen.dev/fixture": "outside"}


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
    # The API server gives every Namespace its own name as this label, whatever its object says: a selector
    # on it selects the namespace of that name only (red team 15d: fixtures in policygen-mesh were outside).
    return labels.get(NAME_LABEL, MESH_FALLBACK_NAMESPACE), labels


def _mesh_namespace(plan: Plan) -> tuple[str, dict[str, Any]]:
    """The mesh namespace and the inventory (name -> Namespace) that makes it one."""
    name, labels = mesh_namespace(plan)
    if labels is None:
        return name, {}
    return name, {name: {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}}


def sidecar_image(plan: Plan) -> str:
    """An image every image rule of the plan approves."""
    sc001, sc003 = plan.rule("SC001"), plan.rule("SC003")
    # Without sidecars there is no SC001, but SC003 still knows the approved repositories.
    if sc001:
        repo = sc001.params["repositories"][0]
    elif sc003 and sc003.params.get("sidecarRepositoriesAnyPort"):
        repo = sc003.params["sidecarRepositoriesAnyPort"][0]
    else:
        repo = "docker.io/istio/proxyv2"
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
        paths = next((w["paths"] for w in sc6.get("paths", []) if w["name"] == sc6["allowed"][0]), ["/etc/istio/proxy"])
        container["volumeMounts"] = [{"name": sc6["allowed"][0], "mountPath": paths[0]}]
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


# A volume of each source kind as the API server accepts it, for the baseline pod.
_SOURCE_BODIES: dict[str, dict[str, Any]] = {
    "emptyDir": {}, "configMap": {"name": "policygen-fixture"}, "secret": {"secretName": "policygen-fixture"},
    "projected": {"sources": [{"configMap": {"name": "policygen-fixture"}}]},
    "downwardAPI": {"items": [{"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}}]},
    "persistentVolumeClaim": {"claimName": "policygen-fixture"}, "csi": {"driver": "csi.policygen.test"},
}


def _volume(plan: Plan, spec: dict[str, Any], name: str) -> dict[str, Any]:
    """The pod's volume of that name: of the first source the spec approves for it in a sidecar that mounts it."""
    sc6 = plan.rule("SC006")
    mounting = {c["name"] for fld in ("containers", "initContainers") for c in spec.get(fld, [])
                if any(m["name"] == name for m in c.get("volumeMounts", []))}
    kinds = [k for s in (sc6.params["sidecars"] if sc6 else []) if s["name"] in mounting
             for w in s.get("sources", []) if w["name"] == name for k in w["sources"]]
    kind = next((k for k in kinds if k in _SOURCE_BODIES), kinds[0] if kinds else "emptyDir")
    return {"name": name, kind: dict(_SOURCE_BODIES.get(kind, {}))}


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
        spec["volumes"] = [_volume(plan, spec, v) for v in volumes]
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


def approved_pod(plan: Plan, name: str, namespace: str | None = None) -> dict[str, Any]:
    """The baseline pod named name (its app label too), in the mesh namespace unless namespace says otherwise."""
    pod, _ = baseline_pod(plan)
    pod["metadata"].update(name=name, namespace=namespace or pod["metadata"]["namespace"])
    pod["metadata"]["labels"]["app"] = name
    return pod


def _sidecar_path(pod: dict[str, Any], name: str) -> dict[str, Any]:
    for fld in ("containers", "initContainers", "ephemeralContainers"):
        for c in pod["spec"].get(fld, []):
            if c["name"] == name:
                return c
    raise KeyError(name)


def _review(obj: dict[str, Any], operation: str, username: str, old: dict[str, Any] | None = None) -> dict[str, Any]:
    """The AdmissionReview of obj's operation by username; an UPDATE given old carries it as oldObject."""
    group, _, version = str(obj.get("apiVersion", "v1")).rpartition("/")
    req: dict[str, Any] = {
        "uid": "00000000-0000-0000-0000-000000000000",
        "operation": operation,
        "userInfo": {"username": username, "groups": ["system:authenticated"]},
        "namespace": obj.get("metadata", {}).get("namespace", ""),
        "kind": {"group": group, "version": version, "kind": obj["kind"]},
    }
    req["oldObject" if operation == "DELETE" else "object"] = obj
    if old is not None:
        req["oldObject"] = old
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": req}


def _flip(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1 if value == 0 else 0
    return "changed"


def as_deployment(pod: dict[str, Any], name: str | None = None) -> dict[str, Any]:
    """pod as a Deployment's template; name renames the Deployment and its app label (the pod's own otherwise)."""
    meta = pod["metadata"]
    labels = dict(meta["labels"], app=name) if name else dict(meta["labels"])
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name or meta["name"], "namespace": meta["namespace"]},
        "spec": {
            "selector": {"matchLabels": {"app": labels["app"]}},
            "template": {"metadata": {"labels": labels, "annotations": dict(meta["annotations"])}, "spec": pod["spec"]},
        },
    }


def _outside_inventory(plan: Plan) -> dict[str, Any]:
    """The inventory of a case outside the mesh: its namespace, labelled as a fixture's, and so that the spec's
    selector does not select it (a NotIn or DoesNotExist requirement holds for a namespace without the key)."""
    labels = dict(OUTSIDE_LABELS)
    scope = scope_of(plan)
    selector = (scope or {}).get("meshNamespaceSelector") or {}
    for req in selector.get("matchExpressions", []):
        if scope is None or not in_mesh(OUTSIDE_NAMESPACE, labels, scope):
            break
        key, op, values = req["key"], req["operator"], req.get("values") or []
        # Never a label that would put it in the mesh by Istio's own webhooks, nor the API server's own.
        if key in ("istio.io/rev", "kubernetes.io/metadata.name"):
            continue
        if op == "NotIn" and values and not (key == "istio-injection" and values[0] == "enabled"):
            labels[key] = values[0]
        elif op == "DoesNotExist":
            labels[key] = OUTSIDE_NAMESPACE
    return {OUTSIDE_NAMESPACE: {"apiVersion": "v1", "kind": "Namespace",
                                "metadata": {"name": OUTSIDE_NAMESPACE, "labels": labels}}}


def move_outside(obj: dict[str, Any]) -> dict[str, Any]:
    """obj moved outside the mesh: no injection label of its own either, which Istio's object
    selectors would inject in an unlabelled namespace (docs/semantics.md)."""
    obj["metadata"]["namespace"] = OUTSIDE_NAMESPACE
    for meta in (obj.get("metadata"), ((obj.get("spec") or {}).get("template") or {}).get("metadata")):
        if isinstance(meta, dict) and isinstance(meta.get("labels"), dict):
            for key in ("sidecar.istio.io/inject", "istio.io/rev"):
                meta["labels"].pop(key, None)
    return obj


# False, or the sub-check code(s) a case must trip.
Trips = str | tuple[str, ...] | Literal[False]


class CaseKit:
    """What a rule folder's ``cases`` writes its cases with: the plan's baseline pod and helpers around it.

    ``trips`` is False for a case the rule allows, else the sub-check code (or codes) it must
    trip, from the rule's own ``checks``. Pods and controllers are named after their case, so
    that every case of a rule is a resource of its own in engines that key resources by name.
    """

    untrusted_user = UNTRUSTED["username"]

    def __init__(self, plan: Plan, rule_id: str, base: dict[str, Any], inventory: dict[str, Any], into: list[Case]) -> None:
        self.plan = plan
        self.rule_id = rule_id
        self.base = base
        self._inventory = inventory
        self._cases = into

    def _checks(self, name: str, trips: Trips) -> tuple[str, ...]:
        if trips is False:
            return ()
        codes = (trips,) if isinstance(trips, str) else trips
        if not isinstance(codes, tuple) or not codes or not all(c in CHECKS[self.rule_id] for c in codes):
            raise ValueError(f"{self.rule_id}/{name}: trips must be False or codes of {sorted(CHECKS[self.rule_id])}, not {trips!r}")
        return tuple(sorted(set(codes)))

    def _named_pod(self, name: str, mutate: Callable[[dict[str, Any]], Any]) -> dict[str, Any]:
        pod = json.loads(json.dumps(self.base))  # a deep copy, several times faster than copy.deepcopy
        pod["metadata"]["name"] = name.replace("_", "-")
        mutate(pod)
        return pod

    def pod(self, name: str, trips: Trips, mutate: Callable[[dict[str, Any]], Any], *, outside: bool = False) -> None:
        """A case from a copy of the baseline pod that mutate changes in place; outside: in a namespace outside the mesh."""
        pod = self._named_pod(name, mutate)
        if not outside:
            self._cases.append(Case(name, self.rule_id, pod, self._checks(name, trips), self._inventory))
            return
        move_outside(pod)
        self._cases.append(Case(name, self.rule_id, pod, self._checks(name, trips), _outside_inventory(self.plan)))

    def deployment(self, name: str, trips: Trips, mutate: Callable[[dict[str, Any]], Any]) -> None:
        """The mutated baseline pod as a Deployment's template: pod rules judge every controller's pods."""
        pod = self._named_pod(name, mutate)
        self._cases.append(Case(name, self.rule_id, as_deployment(pod), self._checks(name, trips), self._inventory))

    def ephemeral(self, name: str, trips: Trips, mutate: Callable[[dict[str, Any]], Any], *, outside: bool = False) -> None:
        """What `kubectl debug` sends: the pods/ephemeralcontainers UPDATE of the baseline pod (its oldObject) to
        the copy mutate gives ephemeral containers. A Pod created with them is refused before admission."""
        old, new = self._named_pod(name, lambda _: None), self._named_pod(name, mutate)
        inventory = self._inventory
        if outside:
            move_outside(old)
            move_outside(new)
            inventory = _outside_inventory(self.plan)
        review = _review(new, "UPDATE", self.untrusted_user, old=old)
        review["request"].update(subResource="ephemeralcontainers", name=new["metadata"]["name"],
                                 resource={"group": "", "version": "v1", "resource": "pods"})
        self._cases.append(Case(name, self.rule_id, review, self._checks(name, trips), inventory))

    def add(self, name: str, resource: dict[str, Any], trips: Trips) -> None:
        self._cases.append(Case(name, self.rule_id, resource, self._checks(name, trips)))

    sidecar = staticmethod(_sidecar_path)
    review = staticmethod(_review)
    flip = staticmethod(_flip)

    def sidecar_image(self) -> str:
        return sidecar_image(self.plan)


def cases_for(plan: Plan) -> list[Case]:
    """Every rule's cases under plan (a fresh list; the cases themselves are shared, built once per plan for
    the three backends and the cluster engine: read them, never change them)."""
    return list(per_plan(plan, "fixtures", lambda: tuple(_build_cases(plan))))


def _build_cases(plan: Plan) -> list[Case]:
    base, inv = baseline_pod(plan)
    cases: list[Case] = []
    for rule in plan.rules:
        write = REGISTRY[rule.rule_id].cases
        if write is None:
            continue
        kit = CaseKit(plan, rule.rule_id, base, inv, cases)
        if rule.info.subject == "Pod" and REGISTRY[rule.rule_id].baseline_cases:
            kit.pod("approved_pod", False, lambda pod: None)
            kit.deployment("approved_deployment", False, lambda pod: None)
        write(rule.params, kit)
    return cases
