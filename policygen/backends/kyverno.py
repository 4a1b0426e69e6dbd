"""Kyverno backend: one ClusterPolicy per rule ID, proven with `kyverno test`.

Pod and control-plane rules are `validate.cel` rules (Kubernetes CEL with its
regex, quantity, strings and lists libraries); the plan's parameters enter each
rule as one CEL literal variable (`variables.params`), so a spec value can never
change the logic around it. SC003's status-annotation check needs JSON parsing,
which CEL lacks: it is a JMESPath `deny` rule with `parse_json`. SC012 is a
`verifyImages` rule. Mesh scope is the match block (names and the namespace
selector), excluded namespaces the exclude block. See docs/kyverno.md.

Fixtures are built here from small Python builders (a valid Istio-like pod and
one malicious mutation per check, plus near misses), never copied by hand.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any

import jinja2
import yaml

from .. import fixtures
from ..images import parse_image
from ..kinds import POD_KINDS
from ..plan import Plan, RulePlan
from ..quantity import parse_quantity
from ..render import dump_yaml_documents, make_env, to_json, to_yaml
from ..rules import CATALOGUE, RuleInfo

# `kubectl debug` adds ephemeral containers through this subresource.
POD_MATCH_KINDS = (*POD_KINDS, "Pod/ephemeralcontainers")
WRITE_OPS = ["CREATE", "UPDATE"]
OUTSIDE_NAMESPACE = "policygen-outside"
UNTRUSTED_USERNAME = "policygen:untrusted-user"


def cel_literal(value: Any) -> str:
    """A CEL literal for JSON data.

    Kyverno's CEL rejects mixed-type list and map literals, so every element
    and value is wrapped in dyn(); scalars are JSON-encoded (a JSON string is a
    valid CEL string), so a spec value stays a literal.
    """
    if isinstance(value, dict):
        return "{" + ", ".join(f"{to_json(str(k))}: dyn({cel_literal(v)})" for k, v in sorted(value.items())) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(f"dyn({cel_literal(v)})" for v in value) + "]"
    if value is None or isinstance(value, (bool, int, str)):
        return to_json(value)
    raise TypeError(f"no CEL literal for {type(value).__name__}")


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    env = make_env().overlay()
    env.filters["cel"] = cel_literal
    return env


def _render(template: str, **context: Any) -> str:
    return _env().get_template(template).render(**context)


def failure_action(plan: Plan) -> str:
    return "Enforce" if plan.mode == "enforce" else "Audit"


# --------------------------------------------------------------------------- match blocks


def _resources(kinds, **extra) -> dict[str, Any]:
    out: dict[str, Any] = {"kinds": list(kinds)}
    out.update({k: v for k, v in extra.items() if v})
    return {"resources": out}


def _selector(scope: dict[str, Any]) -> dict[str, Any] | None:
    sel = scope.get("meshNamespaceSelector")
    if not sel:
        return None
    return {k: v for k, v in (("matchLabels", sel.get("matchLabels")), ("matchExpressions", sel.get("matchExpressions"))) if v}


def match_blocks(rule: RulePlan) -> dict[str, Any]:
    p = rule.params
    blocks: dict[str, Any] = {
        "all": {"any": [_resources(POD_MATCH_KINDS, operations=WRITE_OPS)]},
        "pods_everywhere": {"any": [_resources(POD_MATCH_KINDS, operations=WRITE_OPS)]},
        "webhooks": {"any": [_resources(["MutatingWebhookConfiguration"], operations=WRITE_OPS)]},
        "peerauthentications": {"any": [_resources(["PeerAuthentication"], operations=WRITE_OPS)]},
        "namespaces": {"any": [_resources(["Namespace"], operations=WRITE_OPS)]},
        "roles": {"any": [_resources(["ClusterRole", "Role"], operations=WRITE_OPS)]},
        "mesh": None,
        "mesh_exclude": None,
        "configmaps": None,
        "trusted_exclude": None,
    }
    scope = p.get("scope")
    if scope is not None:
        anys = []
        if scope["meshNamespaces"]:
            anys.append(_resources(POD_MATCH_KINDS, operations=WRITE_OPS, namespaces=scope["meshNamespaces"]))
        selector = _selector(scope)
        if selector:
            anys.append(_resources(POD_MATCH_KINDS, operations=WRITE_OPS, namespaceSelector=selector))
        # Namespaces Istio's injector injects are in the mesh whatever the spec's selector says.
        for injected in INJECTED_NAMESPACES:
            anys.append(_resources(POD_MATCH_KINDS, operations=WRITE_OPS, namespaceSelector=injected))
        blocks["mesh"] = {"any": anys}
        if scope["excludedNamespaces"]:
            blocks["mesh_exclude"] = {"any": [_resources(POD_MATCH_KINDS, namespaces=scope["excludedNamespaces"])]}
    if rule.rule_id == "CP002":
        blocks["configmaps"] = {"any": [_resources(
            ["ConfigMap"], operations=["CREATE", "UPDATE", "DELETE"], namespaces=[p["namespace"]], names=p["configMaps"])]}
        # Usernames as User (a service account's username included), groups as Group:
        # a group is never matched against a username entry.
        subjects = [{"kind": "User", "name": s} for s in p["trustedSubjects"]]
        subjects += [{"kind": "Group", "name": g} for g in p["trustedGroups"]]
        if subjects:
            blocks["trusted_exclude"] = {"any": [{"subjects": subjects}]}
    return blocks


# Istio's injector webhooks (manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml):
# a namespace labelled istio-injection: enabled, or with a revision label and no istio-injection.
INJECTED_NAMESPACES = (
    {"matchLabels": {"istio-injection": "enabled"}},
    {"matchExpressions": [{"key": "istio-injection", "operator": "DoesNotExist"},
                          {"key": "istio.io/rev", "operator": "Exists"}]},
)
# Its object-selector webhooks: a namespace with neither label, a pod that asks for injection.
UNLABELLED_NAMESPACE = {"matchExpressions": [{"key": "istio-injection", "operator": "DoesNotExist"},
                                             {"key": "istio.io/rev", "operator": "DoesNotExist"}]}
POD_METADATA = (
    ("pod", ["Pod", "Pod/ephemeralcontainers"], "metadata"),
    ("template", ["DaemonSet", "Deployment", "Job", "ReplicaSet", "ReplicationController", "StatefulSet"],
     "spec.template.metadata"),
    ("cronjob", ["CronJob"], "spec.jobTemplate.spec.template.metadata"),
)


def _object_selected(path: str) -> dict[str, Any]:
    """JMESPath preconditions: the pod's labels ask Istio for injection (null-safe on any shape)."""
    inject = "{{ request.object." + path + '.labels."sidecar.istio.io/inject" || \'\' }}'
    revision = "{{ request.object." + path + '.labels."istio.io/rev" != null }}'
    return {
        "all": [{"key": inject, "operator": "NotEquals", "value": "false"}],
        "any": [{"key": inject, "operator": "Equals", "value": "true"},
                {"key": revision, "operator": "Equals", "value": True}],
    }


def with_object_selected(rules: list[dict[str, Any]], blocks: dict[str, Any]) -> list[dict[str, Any]]:
    """Each mesh-scoped rule again for pods that Istio's object selectors inject, one copy per metadata path."""
    if blocks["mesh"] is None:
        return rules
    out = list(rules)
    for rule in rules:
        kinds = {k for entry in (rule.get("match") or {}).get("any", []) for k in entry["resources"].get("kinds", [])}
        is_mesh = rule.get("match") == blocks["mesh"] or "-status-" in rule["name"]
        if not is_mesh:
            continue
        for suffix, group_kinds, path in POD_METADATA:
            kept = [k for k in group_kinds if k in kinds]
            if not kept:
                continue
            copy_ = dict(rule, name=f"{rule['name']}-injected-{suffix}")
            copy_["match"] = {"any": [_resources(kept, operations=WRITE_OPS, namespaceSelector=UNLABELLED_NAMESPACE)]}
            pre = _object_selected(path)
            old = rule.get("preconditions") or {}
            copy_["preconditions"] = {"all": list(old.get("all", [])) + pre["all"], "any": list(old.get("any", [])) + pre["any"]}
            out.append(copy_)
    return out


def _status_groups(rule: RulePlan, blocks: dict[str, Any]) -> list[dict[str, Any]]:
    """SC003 (c) in JMESPath: one rule per place a pod template keeps its metadata."""
    groups = []
    for suffix, kinds, path in (
        ("pod", ["Pod", "Pod/ephemeralcontainers"], "metadata"),
        ("template", ["DaemonSet", "Deployment", "Job", "ReplicaSet", "ReplicationController", "StatefulSet"],
         "spec.template.metadata"),
        ("cronjob", ["CronJob"], "spec.jobTemplate.spec.template.metadata"),
    ):
        anys = []
        for entry in blocks["mesh"]["any"]:
            res = dict(entry["resources"], kinds=kinds)
            anys.append({"resources": res})
        groups.append({"suffix": suffix, "match": {"any": anys}, "path": path})
    return groups


def _image_references(repositories: list[str]) -> list[str]:
    """Exact repositories as Kyverno image patterns: a tag or a digest must follow."""
    refs: list[str] = []
    for repo in repositories:
        forms = [repo]
        if repo.startswith("docker.io/"):
            path = repo[len("docker.io/"):]
            forms += [f"index.docker.io/{path}", f"registry-1.docker.io/{path}"]
            if path.startswith("library/"):
                forms.append(f"docker.io/{path[len('library/'):]}")
        for form in forms:
            refs += [f"{form}:*", f"{form}@*"]
    return sorted(set(refs))


# --------------------------------------------------------------------------- policies


def render_policy(plan: Plan, rule: RulePlan) -> str:
    info: RuleInfo = CATALOGUE[rule.rule_id]
    blocks = match_blocks(rule)
    context: dict[str, Any] = {
        "params": rule.params,
        "info": info,
        "action": failure_action(plan),
        "match": blocks,
    }
    if rule.rule_id == "SC003":
        context["status_groups"] = _status_groups(rule, blocks)
    if rule.rule_id == "SC012":
        context["image_references"] = _image_references(rule.params["repositories"])
        offline_keys = {} if rule.params["transparencyLog"] else {"rekor": {"ignoreTlog": True}, "ctlog": {"ignoreSCT": True}}
        context["key_entries"] = [{"keys": {"publicKeys": key, **offline_keys}} for key in rule.params["publicKeys"]]
        context["verify_digest"] = rule.params["requireDigest"]
    rules_text = _render(f"kyverno/rules/{rule.rule_id}.yaml.jinja", **context)
    rules = yaml.safe_load(rules_text)
    if not isinstance(rules, list) or not rules:
        raise ValueError(f"kyverno/rules/{rule.rule_id}.yaml.jinja rendered no rules")
    rules = with_object_selected(rules, blocks)
    doc = yaml.safe_load(_render(
        "kyverno/policy.yaml.jinja",
        info=info,
        plan_name=plan.name,
        pod_rule=rule.rule_id.startswith("SC"),
        # CP002 judges the request's user, which a background scan does not have;
        # SC012 needs the registry at admission time.
        background=rule.rule_id not in ("CP002", "SC012"),
        rules=rules,
    ))
    return to_yaml(doc)


def policy_path(info: RuleInfo) -> PurePosixPath:
    return PurePosixPath(info.policy_name) / f"{info.policy_name}.yaml"


class KyvernoBackend:
    name = "kyverno"

    def render(self, plan: Plan) -> dict[PurePosixPath, str]:
        files: dict[PurePosixPath, str] = {}
        for rule in plan.rules:
            info = CATALOGUE[rule.rule_id]
            files[policy_path(info)] = render_policy(plan, rule)
            for rel, text in fixture_files(plan, rule).items():
                files[PurePosixPath(info.policy_name) / ".kyverno-test" / rel] = text
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
    world.namespace_labels.setdefault(OUTSIDE_NAMESPACE, {"policygen.dev/fixture": "outside"})
    return world


# The approved workload is the engine-neutral one of policygen.fixtures, named per case.
approved_image = fixtures.sidecar_image
approved_sidecar = fixtures.sidecar_container


def approved_pod(world: FixtureWorld, name: str, namespace: str | None = None) -> dict[str, Any]:
    pod, _ = fixtures.baseline_pod(world.plan)
    pod["metadata"].update(name=name, namespace=namespace or world.mesh_ns)
    pod["metadata"]["labels"]["app"] = name
    return pod


def as_deployment(pod: dict[str, Any], name: str) -> dict[str, Any]:
    meta = pod["metadata"]
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": meta["namespace"]},
        "spec": {
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": dict(meta["labels"], app=name), "annotations": dict(meta["annotations"])},
                         "spec": pod["spec"]},
        },
    }


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
        everywhere, mesh = rule_names[0], rule_names[1]
        status_pod = rule_names[2]
        only = lambda *names: {n: ("fail" if n in names else "pass") for n in rule_names}  # noqa: E731
        bad("bad-proxy-image-as-app", lambda pod: pod["spec"]["containers"].append({"name": "debug", "image": image}),
            only(everywhere))
        bad("bad-native-sidecar", lambda pod: pod["spec"].setdefault("initContainers", []).append(
            {"name": "sneaky", "image": "docker.io/example/tool:1.0", "restartPolicy": "Always"}), only(mesh))
        bad("bad-status-names", lambda pod: pod["metadata"]["annotations"].update(
            {"sidecar.istio.io/status": json.dumps({"initContainers": None, "containers": ["evil-proxy"]})}), only(status_pod))
        bad("bad-containers-null", lambda pod: pod["spec"].update(ephemeralContainers=None), only(everywhere))
        misplaced = next((s for s in p["sidecars"] if "containers" not in s["placement"]), None)
        if misplaced:
            def move(pod, name=misplaced["name"]):
                c = _container(pod, name)
                pod["spec"]["initContainers"] = [x for x in pod["spec"].get("initContainers", []) if x is not c]
                pod["spec"]["containers"].append(c)
            bad("bad-placement", move, only(mesh))
        outside = approved_pod(world, "outside-proxy-image-as-app", OUTSIDE_NAMESPACE)
        outside["spec"]["containers"].append({"name": "debug", "image": image})
        cases.append(Case("outside-proxy-image-as-app", outside,
                          {everywhere: "fail", mesh: "skip", status_pod: "skip"}))
        near("near-status-null-lists", lambda pod: pod["metadata"]["annotations"].update(
            {"sidecar.istio.io/status": json.dumps({"initContainers": None, "containers": None})}))
        # The status check is one rule per place that keeps pod metadata; the others skip.
        status_rules = {"Pod": rule_names[2], "Deployment": rule_names[3], "CronJob": rule_names[4]}
        for case in cases:
            status = case.results.pop(status_pod, "pass")
            for kind, rule_name in status_rules.items():
                case.results[rule_name] = status if kind == case.obj["kind"] else "skip"
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
            moved["metadata"]["namespace"] = OUTSIDE_NAMESPACE
            cases.append(Case(moved["metadata"]["name"], moved, {n: "skip" for n in rule_names}))
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
    # The object-selector copies of mesh rules (with_object_selected) are proven by the
    # adversarial samples (tests/test_adversarial.py); these fixtures keep to the originals.
    rule_names = [r["name"] for r in policy["spec"]["rules"] if "-injected-" not in r["name"]]
    if rule.rule_id.startswith("CP"):
        return _cp_cases(world, rule, rule_names[0])
    if rule.rule_id == "SC012":
        # Offline, no registry answers: only that app images are not matched (skip).
        pod = approved_pod(world, "app-only")
        pod["spec"]["containers"] = [c for c in pod["spec"]["containers"] if c["name"] == "app"]
        pod["spec"].pop("initContainers", None)
        return [Case("app-only", pod, {rule_names[0]: "skip"})]
    return _pod_cases(world, rule, rule_names)


def fixture_files(plan: Plan, rule: RulePlan) -> dict[str, str]:
    info = CATALOGUE[rule.rule_id]
    policy = yaml.safe_load(render_policy(plan, rule))
    world = make_world(plan)
    cases = fixture_cases(plan, rule, policy)
    # A case named "x#y" shares its resource name with another case; the CLI keeps
    # resources by name, so such a case gets a test folder of its own.
    groups: dict[str, list[Case]] = {}
    for c in cases:
        groups.setdefault(c.name if ("#" in c.name or "@" in c.name) else "", []).append(c)
    files: dict[str, str] = {}
    values = {
        "apiVersion": "cli.kyverno.io/v1alpha1",
        "kind": "Value",
        "metadata": {"name": "values"},
        "namespaceSelector": [{"name": ns, "labels": labels} for ns, labels in sorted(world.namespace_labels.items())],
    }
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
                for rule_name, result in sorted(c.results.items()):
                    entry: dict[str, Any] = {
                        "policy": info.policy_name, "rule": rule_name, "kind": c.obj["kind"], "result": result,
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
            "results": sorted(results, key=lambda r: (r["rule"], r["resources"][0], r.get("operation", ""), r["result"])),
        })
    return files


def _resource_id(obj: dict[str, Any]) -> str:
    meta = obj["metadata"]
    return f"{meta['namespace']}/{meta['name']}" if meta.get("namespace") else meta["name"]
