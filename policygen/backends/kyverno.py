"""Kyverno backend: one policies.kyverno.io/v1 policy per rule ID, proven with `kyverno test`.

Every rule but SC012 is a `ValidatingPolicy` rendered from the rule's one CEL
source (backends/cel.py, policygen/rules/<id>/rule.cel.jinja), the same source the `vap`
backend renders into ValidatingAdmissionPolicies. SC012 is an
`ImageValidatingPolicy` that checks cosign signatures with the spec's keys.
Annotations follow Kyverno's own policy library. Pod controllers are matched
explicitly (autogen off), `pods/ephemeralcontainers` included; the failure
action is `validationActions` (Deny for `mode: enforce`, Audit for `audit`).
See docs/kyverno.md.

Fixtures are built here from small Python builders (a valid Istio-like pod and
one malicious mutation per check, plus near misses), never copied by hand.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any


from .. import fixtures
from ..images import parse_image
from ..plan import Plan, RulePlan
from ..quantity import parse_quantity
from ..render import dump_yaml_documents, load_own_yaml, to_yaml
from ..rules import CATALOGUE, RuleInfo
from .cel import (NAMESPACE_NAME_LABEL, POD_RESOURCE_RULES, WRITE_OPS, cel_literal, cel_source, covered_condition,
                  enforcement_actions, match_resources)

OUTSIDE_NAMESPACE = fixtures.OUTSIDE_NAMESPACE
UNTRUSTED_USERNAME = "policygen:untrusted-user"
API_VERSION = "policies.kyverno.io/v1"
# policies.kyverno.io/v1 ValidatingPolicy and ImageValidatingPolicy are stable since Kyverno 1.17.
KYVERNO_MIN_VERSION = "1.17.0"
KUBERNETES_VERSION = "1.30+"

__all__ = ["KyvernoBackend", "cel_literal", "render_policy", "policy_path"]


def validation_actions(plan: Plan) -> list[str]:
    return ["Deny"] if plan.mode == "enforce" else ["Audit"]


def _metadata(plan: Plan, info: RuleInfo) -> dict[str, Any]:
    return {
        "name": info.policy_name,
        "annotations": {
            "policies.kyverno.io/title": info.title,
            "policies.kyverno.io/category": info.category,
            "policies.kyverno.io/severity": info.severity,
            "policies.kyverno.io/subject": info.subject,
            "policies.kyverno.io/description": info.description,
            "policies.kyverno.io/minversion": KYVERNO_MIN_VERSION,
            "kyverno.io/kyverno-version": KYVERNO_MIN_VERSION,
            "kyverno.io/kubernetes-version": KUBERNETES_VERSION,
            "policygen.dev/rule-id": info.rule_id,
            "policygen.dev/spec": plan.name,
        },
    }


def render_validating_policy(plan: Plan, rule: RulePlan) -> dict[str, Any]:
    info = CATALOGUE[rule.rule_id]
    src = cel_source(plan, rule)
    spec: dict[str, Any] = {
        "validationActions": enforcement_actions(plan, rule.rule_id, validation_actions(plan)),
        "failurePolicy": "Fail",
        # CP002 judges the request's user, which a background scan does not have.
        "evaluation": {"background": {"enabled": rule.rule_id != "CP002"}},
        "matchConstraints": match_resources(rule),
        "variables": src.all_variables(),
        "validations": [src.validation],
    }
    if rule.rule_id.startswith("SC"):
        # The CEL reads a controller's pod template itself; autogen would rewrite it.
        spec["autogen"] = {"podControllers": {"controllers": []}}
    if src.match_conditions:
        spec["matchConditions"] = src.match_conditions
    return {"apiVersion": API_VERSION, "kind": "ValidatingPolicy", "metadata": _metadata(plan, info), "spec": spec}


def _repository_forms(repositories: list[str]) -> list[str]:
    """Every spelling of the approved repositories an image reference may start with, lowercased."""
    forms: set[str] = set()
    for repo in repositories:
        forms.add(repo.lower())
        if repo.startswith("docker.io/"):
            path = repo[len("docker.io/"):]
            forms |= {path, f"index.docker.io/{path}", f"registry-1.docker.io/{path}"}
            if path.startswith("library/"):
                short = path[len("library/"):]
                forms |= {short, f"docker.io/{short}", f"index.docker.io/{short}", f"registry-1.docker.io/{short}"}
    return sorted(forms)


def image_match_expression(repositories: list[str]) -> str:
    """CEL over `ref`: the image is of an approved repository, whatever the registry's case, with a
    tag, a digest or neither. Wider than SC001's parser on purpose: an image verified too many is
    safe, one verified too few is not."""
    return (f"{cel_literal(_repository_forms(repositories))}.exists(f, ref.lowerAscii() == f || "
            f'ref.lowerAscii().startsWith(f + ":") || ref.lowerAscii().startsWith(f + "@"))')


# The pod spec of a Pod or a controller, for the image extractor (which cannot read variables).
_POD_SPEC = ('(object.kind == "Pod" ? object.spec : object.kind == "CronJob" ? '
             'object.spec.jobTemplate.spec.template.spec : object.spec.template.spec)')
SC012_MESSAGE = "SC012/signature an image of an approved sidecar repository is not signed by an approved cosign key"


def render_image_policy(plan: Plan, rule: RulePlan) -> dict[str, Any]:
    """SC012: every image of an approved sidecar repository carries a signature by one of the spec's keys.

    `images.pod` is every image of the pod (any container list, any pod-bearing
    kind); `matchImageReferences` keeps those of the approved repositories, and
    each must be verified by at least one attestor (one per key).
    """
    info = CATALOGUE[rule.rule_id]
    p = rule.params
    attestors = []
    for n, key in enumerate(p["publicKeys"]):
        cosign: dict[str, Any] = {"key": {"data": key}}
        if not p["transparencyLog"]:
            cosign["ctlog"] = {"insecureIgnoreTlog": True, "insecureIgnoreSCT": True}
        attestors.append({"name": f"key{n}", "cosign": cosign})
    names = ", ".join(f"attestors.{a['name']}" for a in attestors)
    lists = " + ".join(f"{_POD_SPEC}.?{f}.orValue([])" for f in ("initContainers", "containers", "ephemeralContainers"))
    spec: dict[str, Any] = {
        "validationActions": enforcement_actions(plan, rule.rule_id, validation_actions(plan)),
        "failurePolicy": "Fail",
        # Verification needs the registry at admission time.
        "evaluation": {"background": {"enabled": False}},
        "autogen": {"podControllers": {"controllers": []}},
        "matchConstraints": {"resourceRules": [dict(r, operations=list(WRITE_OPS)) for r in POD_RESOURCE_RULES]},
        "matchImageReferences": [{"expression": image_match_expression(p["repositories"])}],
        "images": [{"name": "pod", "expression": f"({lists}).map(c, c.image)"}],
        "validationConfigurations": {"mutateDigest": False, "verifyDigest": bool(p["requireDigest"]), "required": True},
        "attestors": attestors,
        "validations": [{
            "expression": f"images.pod.all(image, verifyImageSignatures(image, [{names}]) > 0)",
            "message": SC012_MESSAGE,
        }],
    }
    return {"apiVersion": API_VERSION, "kind": "ImageValidatingPolicy", "metadata": _metadata(plan, info), "spec": spec}


def render_policy(plan: Plan, rule: RulePlan) -> str:
    if rule.rule_id == "SC012":
        return to_yaml(render_image_policy(plan, rule))
    return to_yaml(render_validating_policy(plan, rule))


def policy_path(info: RuleInfo) -> PurePosixPath:
    return PurePosixPath(info.policy_name) / f"{info.policy_name}.yaml"


# Where the PolicyExceptions go: Kyverno's own namespace, which a default install accepts them in.
EXCEPTION_NAMESPACE = "kyverno"


def render_exceptions(plan: Plan) -> dict[PurePosixPath, str]:
    """exceptions/<name>.yaml: one Kyverno PolicyException per exception in force, naming the policies of its
    rules and holding the objects it covers as a CEL match condition (the reading policygen eval has)."""
    files: dict[PurePosixPath, str] = {}
    for exc in plan.exceptions:
        refs = [{"name": CATALOGUE[r].policy_name, "kind": "ImageValidatingPolicy" if r == "SC012" else "ValidatingPolicy"}
                for r in exc.rules if plan.rule(r) is not None]
        if not refs:
            continue
        doc = {
            "apiVersion": API_VERSION,
            "kind": "PolicyException",
            "metadata": {
                "name": exc.name,
                "namespace": EXCEPTION_NAMESPACE,
                "annotations": {
                    "policygen.dev/spec": plan.name,
                    "policygen.dev/reason": exc.reason,
                    "policygen.dev/expires": exc.expires.isoformat(),
                },
            },
            "spec": {
                "policyRefs": refs,
                "matchConditions": [{"name": "covered", "expression": covered_condition(exc.objects)}],
            },
        }
        files[PurePosixPath("exceptions") / f"{exc.name}.yaml"] = to_yaml(doc)
    return files


class KyvernoBackend:
    name = "kyverno"

    def render(self, plan: Plan) -> dict[PurePosixPath, str]:
        files: dict[PurePosixPath, str] = {}
        for rule in plan.rules:
            info = CATALOGUE[rule.rule_id]
            policy = files[policy_path(info)] = render_policy(plan, rule)
            for rel, text in fixture_files(plan, rule, policy).items():
                files[PurePosixPath(info.policy_name) / ".kyverno-test" / rel] = text
        files.update(render_exceptions(plan))
        return files


# --------------------------------------------------------------------------- fixtures


@dataclass
class Case:
    """One fixture resource and what each rule of its policy must say about it."""

    name: str
    obj: dict[str, Any]
    results: dict[str, str]  # rule name -> pass | fail | skip
    operations: tuple[str, ...] = ("CREATE",)


@dataclass
class FixtureWorld:
    plan: Plan
    mesh_ns: str
    mesh_labels: dict[str, str]
    namespace_labels: dict[str, dict[str, str]] = field(default_factory=dict)

    def rule(self, rule_id: str) -> dict[str, Any]:
        r = self.plan.rule(rule_id)
        return r.params if r else {}


def make_world(plan: Plan) -> FixtureWorld:
    name, labels = fixtures.mesh_namespace(plan)
    world = FixtureWorld(plan, name, labels or {})
    if labels is not None:
        world.namespace_labels[name] = labels
    world.namespace_labels.setdefault(OUTSIDE_NAMESPACE, dict(fixtures.OUTSIDE_LABELS))
    return world


# The approved workload is the engine-neutral one of policygen.fixtures, named per case.
approved_image = fixtures.sidecar_image
approved_sidecar = fixtures.sidecar_container


def approved_pod(world: FixtureWorld, name: str, namespace: str | None = None) -> dict[str, Any]:
    pod, _ = fixtures.baseline_pod(world.plan)
    pod["metadata"].update(name=name, namespace=namespace or world.mesh_ns)
    pod["metadata"]["labels"]["app"] = name
    return pod


as_deployment = fixtures.as_deployment


def _containers(pod: dict[str, Any]) -> list[dict[str, Any]]:
    spec = pod["spec"]
    return list(spec.get("initContainers", [])) + list(spec.get("containers", []))


def _container(pod: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in _containers(pod) if c["name"] == name)


def _first_sidecar(world: FixtureWorld, rule_id: str) -> str | None:
    params = world.rule(rule_id)
    names = [s["name"] for s in params.get("sidecars", [])] if params else []
    return names[0] if names else None


def _mutant(world: FixtureWorld, name: str, change) -> dict[str, Any]:
    pod = approved_pod(world, name)
    change(pod)
    return pod


def _above(quantity: str) -> str:
    return f"{int(parse_quantity(quantity) * 1000) + 1000}m"


def _just_below(quantity: str) -> str:
    q = parse_quantity(quantity)
    return f"{int(q * 1000) - 1}m" if q * 1000 > 1 else quantity


_outside = fixtures.move_outside


def _pod_cases(world: FixtureWorld, rule: RulePlan, rule_names: list[str]) -> list[Case]:
    """Valid, near-miss, out-of-scope and malicious pods for one pod rule."""
    rid = rule.rule_id
    p = rule.params
    passes = {n: "pass" for n in rule_names}
    fails = {n: "fail" for n in rule_names}
    cases = [Case("valid-pod", approved_pod(world, "valid-pod"), dict(passes)),
             Case("valid-deployment", as_deployment(approved_pod(world, "x"), "valid-deployment"), dict(passes))]

    def bad(name: str, change, results: dict[str, str] | None = None) -> None:
        cases.append(Case(name, _mutant(world, name, change), results or dict(fails)))

    def near(name: str, change) -> None:
        cases.append(Case(name, _mutant(world, name, change), dict(passes)))

    proxy = _first_sidecar(world, rid) or (p.get("sidecarNames") or [None])[0]
    image = approved_image(world.plan)
    ref = parse_image(image)
    if rid == "SC001":
        bad("bad-lookalike-registry", lambda pod: _container(pod, proxy).update(image=f"{ref.registry}.evil.example/{ref.path}@{ref.digest}"))
        bad("bad-longer-repository", lambda pod: _container(pod, proxy).update(image=f"{ref.repository}-debug@{ref.digest}"))
        bad("bad-unparseable-image", lambda pod: _container(pod, proxy).update(image=f"{ref.repository}@sha256"))
        alias = f"index.docker.io/{ref.path}" if ref.registry == "docker.io" else ref.repository.upper().replace(ref.path.upper(), ref.path)
        near("near-alias-registry", lambda pod: _container(pod, proxy).update(image=f"{alias}:1.0@{ref.digest}"))
    elif rid == "SC002":
        if p["requireDigest"]:
            bad("bad-no-digest", lambda pod: _container(pod, proxy).update(image=f"{ref.repository}:1.0"))
        if p["digests"]:
            bad("bad-other-digest", lambda pod: _container(pod, proxy).update(image=f"{ref.repository}@sha256:{'b' * 64}"))
        if p["forbiddenTags"]:
            tag = p["forbiddenTags"][0]
            bad("bad-forbidden-tag", lambda pod: _container(pod, proxy).update(image=f"{ref.repository}:{tag}@{ref.digest}"))
        near("near-tag-and-digest", lambda pod: _container(pod, proxy).update(image=f"{ref.repository}:1.0@{ref.digest}"))
    elif rid == "SC003":
        def status(value: str):
            return lambda pod: pod["metadata"]["annotations"].update({"sidecar.istio.io/status": value})
        names = [s["name"] for s in p["sidecars"]]
        bad("bad-proxy-image-as-app", lambda pod: pod["spec"]["containers"].append({"name": "debug", "image": image}))
        bad("bad-native-sidecar", lambda pod: pod["spec"].setdefault("initContainers", []).append(
            {"name": "sneaky", "image": "docker.io/example/tool:1.0", "restartPolicy": "Always"}))
        bad("bad-status-names", status(json.dumps({"initContainers": None, "containers": ["evil-proxy"]})))
        # Evasions of a reader without a JSON parser: an escaped key, a repeated key, not JSON.
        bad("bad-status-escaped-key", status('{"initContainers":null,"contain\\u0065rs":["evil-proxy"]}'))
        bad("bad-status-repeated-key", status(json.dumps({"containers": names[:1]})[:-1] + ',"containers":["evil-proxy"]}'))
        bad("bad-status-not-json", status('{"containers":["' + (names[0] if names else "x") + '"]'))
        bad("bad-containers-null", lambda pod: pod["spec"].update(ephemeralContainers=None))
        misplaced = next((s for s in p["sidecars"] if "containers" not in s["placement"]), None)
        if misplaced:
            def move(pod, name=misplaced["name"]):
                c = _container(pod, name)
                pod["spec"]["initContainers"] = [x for x in pod["spec"].get("initContainers", []) if x is not c]
                pod["spec"]["containers"].append(c)
            bad("bad-placement", move)
        outside = _outside(approved_pod(world, "outside-proxy-image-as-app"))
        outside["spec"]["containers"].append({"name": "debug", "image": image})
        cases.append(Case("outside-proxy-image-as-app", outside, dict(fails)))
        near("near-status-null-lists", status(json.dumps({"initContainers": None, "containers": None})))
        near("near-status-spaced", status(json.dumps({"containers": names, "revision": "default", "n": [1, True, None]}, indent=1)))
        outside_native = _outside(approved_pod(world, "outside-native-sidecar"))
        outside_native["spec"].setdefault("initContainers", []).append(
            {"name": "sneaky", "image": "docker.io/example/tool:1.0", "restartPolicy": "Always"})
        cases.append(Case("outside-native-sidecar", outside_native, dict(passes)))
        return cases
    elif rid == "SC004":
        entry = p["sidecars"][0]
        key = next((e for e in entry["expected"] if not e["defaultsTo"]), entry["expected"][0] if entry["expected"] else None)
        if key is not None:
            wrong = (not key["value"]) if isinstance(key["value"], bool) else (0 if key["value"] else 1)
            bad("bad-security-context", lambda pod: _container(pod, entry["name"])["securityContext"].update({key["key"]: wrong}))
            bad("bad-security-context-missing", lambda pod: _container(pod, entry["name"]).pop("securityContext"))
        if entry["checkCapabilities"]:
            bad("bad-capability-added", lambda pod: _container(pod, entry["name"])["securityContext"]["capabilities"]["add"].append("SYS_ADMIN"))
            if entry["mustDrop"]:
                near("near-drop-lowercase", lambda pod: _container(pod, entry["name"])["securityContext"]["capabilities"].update(
                    drop=["cap_" + d.lower() for d in entry["mustDrop"]]))
        defaulted = next((e for e in entry["expected"] if e["defaultsTo"]), None)
        if defaulted:
            near("near-default-privileged", lambda pod: _container(pod, entry["name"])["securityContext"].pop(defaulted["key"]))
    elif rid == "SC005":
        entry = p["sidecars"][0]
        if entry["forbidCommand"]:
            bad("bad-command", lambda pod: _container(pod, entry["name"]).update(command=["/bin/sh", "-c"]))
        if entry["checkArgs"] and entry["argsPrefix"]:
            bad("bad-args", lambda pod: _container(pod, entry["name"]).update(args=["--evil", *entry["argsPrefix"]]))
        if entry["pinnedEnv"]:
            pinned = entry["pinnedEnv"][0]
            bad("bad-pinned-env", lambda pod: _container(pod, entry["name"])["env"][0].update(value=pinned["value"] + ".evil"))
            bad("bad-pinned-env-valuefrom", lambda pod: _container(pod, entry["name"])["env"][0].update(
                valueFrom={"configMapKeyRef": {"name": "x", "key": "y"}}))
        if entry["forbiddenEnv"]:
            bad("bad-forbidden-env", lambda pod: _container(pod, entry["name"]).setdefault("env", []).append(
                {"name": entry["forbiddenEnv"][0], "value": "/tmp/evil.so"}))
        near("near-extra-env", lambda pod: _container(pod, entry["name"]).setdefault("env", []).append({"name": "EXTRA", "value": "1"}))
    elif rid == "SC006":
        entry = p["sidecars"][0]

        def host_mount(pod, mount_name="host-root"):
            pod["spec"].setdefault("volumes", []).append({"name": mount_name, "hostPath": {"path": "/"}})
            _container(pod, entry["name"]).setdefault("volumeMounts", []).append({"name": mount_name, "mountPath": "/host"})
        bad("bad-hostpath-mount", host_mount)
        if entry["allowed"]:
            bad("bad-allowed-name-hostpath", lambda pod: host_mount(pod, entry["allowed"][-1]))
    elif rid == "SC007":
        entry = next((s for s in p["sidecars"] if s["maxLimits"]), p["sidecars"][0])
        if entry["requireLimits"]:
            bad("bad-no-memory-limit", lambda pod: _container(pod, entry["name"])["resources"]["limits"].pop("memory"))
            bad("bad-zero-cpu-limit", lambda pod: _container(pod, entry["name"])["resources"]["limits"].update(cpu="0"))
        for b in entry["maxLimits"]:
            bad(f"bad-{b['resource']}-limit-above", lambda pod, b=b: _container(pod, entry["name"])["resources"]["limits"].update(
                {b["resource"]: _above(b["max"])}))
            near(f"near-{b['resource']}-limit-below", lambda pod, b=b: _container(pod, entry["name"])["resources"]["limits"].update(
                {b["resource"]: _just_below(b["max"])}))
    elif rid == "SC008":
        if p["forbidden"]:
            bad("bad-forbidden-annotation", lambda pod: pod["metadata"]["annotations"].update({p["forbidden"][0]: "x"}))
        if p["allowedValues"]:
            a = p["allowedValues"][0]
            bad("bad-annotation-value", lambda pod: pod["metadata"]["annotations"].update({a["key"]: a["values"][0] + "-evil"}))
    elif rid == "SC009":
        if p["forbidOptOut"]:
            bad("bad-inject-false", lambda pod: pod["metadata"]["labels"].update({"sidecar.istio.io/inject": "false"}))
            bad("bad-inject-annotation-yes", lambda pod: pod["metadata"]["annotations"].update({"sidecar.istio.io/inject": "yes"}))
            near("near-inject-true", lambda pod: pod["metadata"]["labels"].update({"sidecar.istio.io/inject": "true"}))
        if p["approvedRevisions"]:
            bad("bad-revision", lambda pod: pod["metadata"]["labels"].update({"istio.io/rev": "canary"}))
        if p["requireSidecar"]:
            def drop_proxy(pod):
                for f in ("containers", "initContainers"):
                    pod["spec"][f] = [c for c in pod["spec"].get(f, []) if c["name"] != p["sidecarName"]]
            bad("bad-no-sidecar", drop_proxy)
            no_proxy = approved_pod(world, "x")
            drop_proxy(no_proxy)
            cases.append(Case("near-deployment-without-sidecar", as_deployment(no_proxy, "near-deployment-without-sidecar"),
                              dict(passes)))
    elif rid == "SC010":
        app = lambda pod: _container(pod, "app")  # noqa: E731
        if p["forbiddenRunAsUsers"]:
            uid = p["forbiddenRunAsUsers"][0]
            bad("bad-app-uid", lambda pod: app(pod)["securityContext"].update(runAsUser=uid))

            def pod_level(pod):
                app(pod)["securityContext"].pop("runAsUser")
                pod["spec"]["securityContext"] = {"runAsUser": uid}
            bad("bad-pod-level-uid", pod_level)
        if p["forbiddenCapabilities"]:
            cap = p["forbiddenCapabilities"][0]
            bad("bad-app-capability", lambda pod: app(pod)["securityContext"].update(capabilities={"add": ["cap_" + cap.lower()]}))
        if p["forbidPrivileged"]:
            bad("bad-app-privileged", lambda pod: app(pod)["securityContext"].update(privileged=True))
        near("near-app-unprivileged", lambda pod: app(pod)["securityContext"].update(privileged=False))
    elif rid == "SC011":
        for f in p["forbiddenFields"]:
            bad(f"bad-{f.lower()}", lambda pod, f=f: pod["spec"].update({f: True}))
        near("near-host-fields-false", lambda pod: pod["spec"].update({f: False for f in p["forbiddenFields"]}))
    # Out of scope: the same mutations in a namespace outside the mesh are not judged.
    if rid != "SC003":
        for case in [c for c in cases if c.name.startswith("bad-")][:1]:
            moved = json.loads(json.dumps(case.obj))
            moved["metadata"]["name"] = "outside-" + case.name
            _outside(moved)
            # The policy matches there; its CEL finds the namespace outside the mesh.
            cases.append(Case(moved["metadata"]["name"], moved, dict(passes)))
    return cases


def _cp_cases(world: FixtureWorld, rule: RulePlan, rule_name: str) -> list[Case]:
    rid, p = rule.rule_id, rule.params
    cases: list[Case] = []

    def case(name: str, obj: dict[str, Any], result: str, operations=("CREATE",)) -> None:
        obj.setdefault("metadata", {})["name"] = name
        cases.append(Case(name, obj, {rule_name: result}, tuple(operations)))

    if rid == "CP001":
        svc = p["service"]
        prefix = p["namePrefixes"][0]

        def webhook(**over):
            w = {"name": "sidecar-injector.istio.io", "admissionReviewVersions": ["v1"], "sideEffects": "None",
                 "clientConfig": {"service": dict(svc)}, "failurePolicy": p["failurePolicy"],
                 "rules": [{"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"], "resources": ["pods"]}]}
            w.update(over)
            return {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "MutatingWebhookConfiguration",
                    "metadata": {}, "webhooks": [w]}
        case(f"{prefix}", webhook(), "pass")
        case(f"{prefix}-url", webhook(clientConfig={"url": "https://evil.example/inject"}), "fail")
        case(f"{prefix}-path", webhook(clientConfig={"service": dict(svc, path=svc["path"] + "/evil")}), "fail")
        other = "Ignore" if p["failurePolicy"] == "Fail" else "Fail"
        case(f"{prefix}-failure-policy", webhook(failurePolicy=other), "fail")
        case("evil-pod-mutator", webhook(clientConfig={"url": "https://evil.example/mutate"}), "fail")
        case("near-configmap-mutator", webhook(clientConfig={"url": "https://example.com/m"}, rules=[
            {"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"], "resources": ["configmaps"]}]), "pass")
    elif rid == "CP002":
        def cm(ns):
            return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"namespace": ns}, "data": {"config": "x"}}
        case(p["configMaps"][0], cm(p["namespace"]), "fail", ("CREATE", "UPDATE", "DELETE"))
        case("near-other-configmap", cm(p["namespace"]), "skip")
        # Same name, another namespace: not the injector's.
        other = cm("default")
        other["metadata"]["name"] = p["configMaps"][0]
        cases.append(Case(p["configMaps"][0] + "@default", other, {rule_name: "skip"}))
    elif rid == "CP003":
        def pa(ns, spec):
            return {"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication", "metadata": {"namespace": ns}, "spec": spec}
        ns = p["namespace"]
        case("mesh-wide-strict", pa(ns, {"mtls": {"mode": "STRICT"}}), "pass")
        case("mesh-wide-unset", pa(ns, {"mtls": {"mode": "UNSET"}}), "fail")
        case("permissive", pa(world.mesh_ns, {"selector": {"matchLabels": {"app": "x"}}, "mtls": {"mode": "permissive"}}), "fail")
        case("port-disable", pa(world.mesh_ns, {"mtls": {"mode": "STRICT"}, "portLevelMtls": {"8080": {"mode": "DISABLE"}}}), "fail")
        case("near-workload-unset", pa(world.mesh_ns, {"selector": {"matchLabels": {"app": "x"}}}), "pass")
    elif rid == "CP004":
        def ns_obj(labels):
            return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"labels": labels}}
        if p["meshNamespaces"]:
            mesh = p["meshNamespaces"][0]
            case(mesh, ns_obj({"istio-injection": "enabled"}), "pass")
            cases[-1].name = mesh
            bad = ns_obj({"istio-injection": "disabled"})
            bad["metadata"]["name"] = mesh
            cases.append(Case(mesh + "#disabled", bad, {rule_name: "fail"}))
        if p["excludedNamespaces"]:
            excl = p["excludedNamespaces"][0]
            case(excl, ns_obj({"istio-injection": "enabled"}), "fail")
        case("near-unlisted", ns_obj({}), "pass")
    elif rid == "CP005":
        def role(kind, verbs, resources=("mutatingwebhookconfigurations",)):
            return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": {},
                    "rules": [{"apiGroups": ["admissionregistration.k8s.io"], "resources": list(resources), "verbs": list(verbs)}]}
        case("webhook-writer", role("ClusterRole", ["create"]), "fail")
        case("webhook-star", role("ClusterRole", ["*"], ["*"]), "fail")
        case("near-webhook-reader", role("ClusterRole", ["get", "list", "watch"]), "pass")
        if p["trustedRoles"]:
            case(p["trustedRoles"][0], role("ClusterRole", ["*"]), "pass")
    return cases


def fixture_cases(plan: Plan, rule: RulePlan, policy: dict[str, Any]) -> list[Case]:
    world = make_world(plan)
    rule_names = [policy["metadata"]["name"]]  # a ValidatingPolicy has no named rules: one result per policy
    if rule.rule_id.startswith("CP"):
        return _cp_cases(world, rule, rule_names[0])
    if rule.rule_id == "SC012":
        # Offline, no registry answers: only that a pod without an image of an approved
        # repository has nothing to verify and passes (tests/test_signatures.py does the rest).
        pod = approved_pod(world, "app-only")
        pod["spec"]["containers"] = [c for c in pod["spec"]["containers"] if c["name"] == "app"]
        pod["spec"].pop("initContainers", None)
        return [Case("app-only", pod, {rule_names[0]: "pass"})]
    return _pod_cases(world, rule, rule_names)


def fixture_files(plan: Plan, rule: RulePlan, policy_text: str | None = None) -> dict[str, str]:
    """The rule's kyverno-test folder; policy_text: the policy as render_policy wrote it, when at hand."""
    info = CATALOGUE[rule.rule_id]
    policy = load_own_yaml(policy_text if policy_text is not None else render_policy(plan, rule))
    world = make_world(plan)
    cases = fixture_cases(plan, rule, policy)
    # A case named "x#y" shares its resource name with another case; the CLI keeps
    # resources by name, so such a case gets a test folder of its own.
    groups: dict[str, list[Case]] = {}
    for c in cases:
        groups.setdefault(c.name if ("#" in c.name or "@" in c.name) else "", []).append(c)
    files: dict[str, str] = {}
    kind_flag = "isImageValidatingPolicy" if policy["kind"] == "ImageValidatingPolicy" else "isValidatingPolicy"
    values = values_document(world.namespace_labels, [c.obj for c in cases])
    user = {
        "apiVersion": "cli.kyverno.io/v1alpha1",
        "kind": "UserInfo",
        "metadata": {"name": "user-info"},
        "userInfo": {"username": UNTRUSTED_USERNAME, "groups": ["system:authenticated"]},
    }
    for n, (_, group) in enumerate(sorted(groups.items())):
        folder = "" if n == 0 else f"case-{n}/"
        up = "../" if n == 0 else "../../"
        results = []
        for c in group:
            for operation in c.operations:
                for _, result in sorted(c.results.items()):
                    entry: dict[str, Any] = {
                        "policy": info.policy_name, kind_flag: True, "kind": c.obj["kind"], "result": result,
                        "resources": [_resource_id(c.obj)],
                    }
                    if operation != "CREATE":
                        entry["operation"] = operation
                    results.append(entry)
        files[f"{folder}resource.yaml"] = dump_yaml_documents([c.obj for c in group])
        files[f"{folder}values.yaml"] = to_yaml(values)
        files[f"{folder}user-info.yaml"] = to_yaml(user)
        files[f"{folder}kyverno-test.yaml"] = to_yaml({
            "apiVersion": "cli.kyverno.io/v1alpha1",
            "kind": "Test",
            "metadata": {"name": f"{info.policy_name}{'' if n == 0 else f'-case-{n}'}"},
            "policies": [f"{up}{info.policy_name}.yaml"],
            "resources": ["resource.yaml"],
            "variables": "values.yaml",
            "userinfo": "user-info.yaml",
            "results": sorted(results, key=lambda r: (r["resources"][0], r.get("operation", ""), r["result"])),
        })
    return files


def values_document(namespace_labels: dict[str, dict[str, str]], objects: list[dict[str, Any]]) -> dict[str, Any]:
    """The CLI's values file: each namespace's labels (namespaceObject and namespaceSelector read
    them), with the `kubernetes.io/metadata.name` label the API server puts on every Namespace."""
    labels = {ns: dict(v) for ns, v in namespace_labels.items()}
    for obj in objects:
        ns = (obj.get("metadata") or {}).get("namespace")
        if isinstance(ns, str) and ns:
            labels.setdefault(ns, {})
    for ns, v in labels.items():
        v[NAMESPACE_NAME_LABEL] = ns
    return {
        "apiVersion": "cli.kyverno.io/v1alpha1",
        "kind": "Value",
        "metadata": {"name": "values"},
        "namespaceSelector": [{"name": ns, "labels": v} for ns, v in sorted(labels.items())],
    }


def _resource_id(obj: dict[str, Any]) -> str:
    meta = obj["metadata"]
    return f"{meta['namespace']}/{meta['name']}" if meta.get("namespace") else meta["name"]
