"""CP001: the injector's webhooks point only at the approved service; no untrusted webhook mutates pods."""

from __future__ import annotations

import copy
from pathlib import Path

from ..registry import CONTROL_PLANE_CATEGORY, Rule, RuleInfo


def plan(given):
    cp = given.spec.control_plane
    if not (cp and cp.injector_webhooks):
        return None
    wh = cp.injector_webhooks
    return {
        "trustedSubjects": sorted(cp.trusted_subjects),
        "trustedGroups": sorted(cp.trusted_groups),
        "namePrefixes": sorted(wh.name_prefixes),
        "service": {"namespace": wh.service.namespace, "name": wh.service.name, "path": wh.service.path},
        "failurePolicy": wh.failure_policy,
        # Kubernetes' webhook matcher cuts each rules[].resources entry at its first "/" and matches a
        # request when the resource part is the request's or "*" and the subresource part is the
        # request's or "*"; a pod CREATE has no subresource, so each of these intercepts it.
        "podCreateResources": [f"{resource}{sub}" for resource in ("*", "pods") for sub in ("", "/", "/*")],
    } | ({"guardedWrites": [
        # The same matching, for the writes CP002 and CP003 judge by their writer (forbidUntrustedConfigMutators).
        {"groups": ["", "*"], "resources": [f"{r}{sub}" for r in ("*", "configmaps") for sub in ("", "/", "/*")]},
        {"groups": ["*", "security.istio.io"], "resources": [f"{r}{sub}" for r in ("*", "peerauthentications") for sub in ("", "/", "/*")]},
    ]} if cp.forbid_untrusted_config_mutators else {})


def cases(p, kit):
    good = {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "MutatingWebhookConfiguration",
        "metadata": {"name": p["namePrefixes"][0]},
        "webhooks": [{
            "name": "sidecar-injector.istio.io",
            "clientConfig": {"service": dict(p["service"])},
            "failurePolicy": p["failurePolicy"],
            "rules": [{"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"], "resources": ["pods"]}],
            # Required by the API server, so that the fixture also proves the rule in real admission.
            "sideEffects": "None",
            "admissionReviewVersions": ["v1"],
        }],
    }
    kit.add("approved_injector", good, False)
    bad = copy.deepcopy(good)
    bad["webhooks"][0]["clientConfig"] = {"url": "https://evil.example/inject"}
    kit.add("injector_to_url", bad, "injector-target")
    path = copy.deepcopy(good)
    path["webhooks"][0]["clientConfig"]["service"]["path"] = p["service"]["path"] + "/evil"
    kit.add("injector_other_path", path, "injector-target")
    policy = copy.deepcopy(good)
    policy["webhooks"][0]["failurePolicy"] = "Ignore" if p["failurePolicy"] == "Fail" else "Fail"
    kit.add("injector_other_failure_policy", policy, "injector-failure-policy")
    configmaps = copy.deepcopy(good)
    configmaps["metadata"]["name"] = "configmap-mutator"
    configmaps["webhooks"][0]["clientConfig"] = {"url": "https://example.com/mutate"}
    configmaps["webhooks"][0]["rules"][0]["resources"] = ["configmaps"]
    guarded = "untrusted-guarded-mutator" if "guardedWrites" in p else False
    kit.add("configmap_mutator", configmaps, guarded)
    other = copy.deepcopy(good)
    other["metadata"]["name"] = "shadow-injector"
    kit.add("untrusted_pod_mutator", other, "untrusted-pod-mutator")
    # Every resource, but only cluster-scoped ones: a Pod (namespaced) never reaches it.
    cluster_scoped = copy.deepcopy(configmaps)
    cluster_scoped["metadata"]["name"] = "cluster-scoped-mutator"
    cluster_scoped["webhooks"][0]["rules"][0].update(apiGroups=["*"], resources=["*"], scope="Cluster")
    kit.add("cluster_scoped_mutator", cluster_scoped, False)
    namespaced = copy.deepcopy(cluster_scoped)
    namespaced["metadata"]["name"] = "namespaced-mutator"
    namespaced["webhooks"][0]["rules"][0]["scope"] = "Namespaced"
    # Every resource is ConfigMaps too, where those are guarded.
    kit.add("namespaced_mutator", namespaced, ("untrusted-pod-mutator", "untrusted-guarded-mutator") if guarded else "untrusted-pod-mutator")
    # "pods/*" and "pods/" match a pod CREATE (no subresource); "pods/status" and "*/*x" do not.
    for i, resources in enumerate((["pods/*"], ["pods/"], ["*/"])):
        spelled = copy.deepcopy(other)
        spelled["metadata"]["name"] = f"shadow-injector-{i}"
        spelled["webhooks"][0]["rules"][0]["resources"] = resources
        both = guarded and resources[0].startswith("*")  # "*/" is every resource: ConfigMaps too
        kit.add(f"pod_mutator_spelled_{i}", spelled, ("untrusted-pod-mutator", "untrusted-guarded-mutator") if both else "untrusted-pod-mutator")
    status = copy.deepcopy(configmaps)
    status["metadata"]["name"] = "pod-status-mutator"
    status["webhooks"][0]["rules"][0]["resources"] = ["pods/status", "pods/ephemeralcontainers", "pods/*/x", "pod"]
    kit.add("pod_subresource_mutator", status, False)
    # The API server reads a null failurePolicy as an absent one: Fail.
    null_policy = copy.deepcopy(good)
    null_policy["webhooks"][0]["failurePolicy"] = None
    kit.add("injector_null_failure_policy", null_policy, False if p["failurePolicy"] == "Fail" else "injector-failure-policy")
    if p["trustedSubjects"]:
        kit.add("trusted_pod_mutator", kit.review(other, "CREATE", p["trustedSubjects"][0]), False)
    if "guardedWrites" in p:
        guarded_cases(p, kit, configmaps)


def guarded_cases(p, kit, configmaps):
    def mutator(name, **rule):
        hook = copy.deepcopy(configmaps)
        hook["metadata"]["name"] = name
        hook["webhooks"][0]["rules"][0].update(rule)
        return hook
    kit.add("peerauthentication_mutator", mutator("mtls-tuner", apiGroups=["security.istio.io"], apiVersions=["*"],
                                                  resources=["peerauthentications"], operations=["UPDATE"]), "untrusted-guarded-mutator")
    kit.add("configmap_mutator_every_operation", mutator("config-tuner", operations=["*"]), "untrusted-guarded-mutator")
    # Near misses: deletes carry nothing to rewrite; a subresource is no write of the object; another group's kind.
    kit.add("configmap_mutator_on_delete", mutator("config-reaper", operations=["DELETE"]), False)
    kit.add("configmap_subresource_mutator", mutator("config-status", resources=["configmaps/status"]), False)
    kit.add("other_group_peerauthentication_mutator", mutator("other-pa", apiGroups=["example.com"], resources=["peerauthentications"]), False)
    if p["trustedSubjects"]:
        kit.add("trusted_configmap_mutator", kit.review(mutator("istio-tuner"), "CREATE", p["trustedSubjects"][0]), False)


RULE = Rule(
    info=RuleInfo("CP001", "injector-webhook", "Injector webhook",
                  "The sidecar injector's webhooks point only at the approved service, and no untrusted webhook mutates pods at creation.",
                  CONTROL_PLANE_CATEGORY, "critical", "MutatingWebhookConfiguration"),
    checks={
        "injector-target": "an injector webhook points elsewhere than the approved service",
        "injector-failure-policy": "an injector webhook has another failurePolicy",
        "untrusted-pod-mutator": "an untrusted webhook mutates pods at CREATE",
        "untrusted-guarded-mutator": "an untrusted webhook mutates ConfigMaps or PeerAuthentications at CREATE or UPDATE, "
                                     "while forbidUntrustedConfigMutators",
        "webhooks-malformed": "webhooks is not of the shape Kubernetes reads",
        "object-malformed": "the configuration's metadata or name is not of the shape Kubernetes reads",
    },
    plan=plan,
    cases=cases,
    folder=Path(__file__).parent,
    coverage_notes={
        "ValidatingAdmissionPolicy": "yes: admission policies, unlike webhooks, see webhook configurations",
    },
)
