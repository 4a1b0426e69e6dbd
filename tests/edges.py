"""Edge cases where engines could drift apart, each with the verdict docs/semantics.md gives."""

from __future__ import annotations

import copy
from typing import Any

from policygen.fixtures import baseline_pod


def _proxy(pod):
    return next(c for c in pod["spec"]["containers"] if c["name"] == "istio-proxy")


def edge_cases(plan) -> list[tuple[str, dict[str, Any], frozenset[str]]]:
    base, _ = baseline_pod(plan)
    out: list[tuple[str, dict[str, Any], frozenset[str]]] = []

    def pod(name, rules, mutate):
        p = copy.deepcopy(base)
        mutate(p)
        out.append((name, p, frozenset(rules)))

    pod("memory_limit_exponent_within", [], lambda p: _proxy(p)["resources"]["limits"].update(memory="1e9"))
    pod("memory_limit_exponent_over", ["SC007"], lambda p: _proxy(p)["resources"]["limits"].update(memory="2e9"))
    pod("cpu_limit_as_integer", [], lambda p: _proxy(p)["resources"]["limits"].update(cpu=1))
    pod("memory_limit_bytes_over", ["SC007"], lambda p: _proxy(p)["resources"]["limits"].update(memory="1073741825"))
    pod("request_defaults_to_limit", ["SC007"], lambda p: _proxy(p)["resources"].pop("requests"))
    pod("capability_with_cap_prefix", [], lambda p: _proxy(p)["securityContext"]["capabilities"].update(drop=["cap_all"]))
    pod("env_value_from_null", [], lambda p: _proxy(p)["env"][0].update(valueFrom=None))
    pod("status_annotation_null_lists", [], lambda p: p["metadata"]["annotations"].update(
        {"sidecar.istio.io/status": '{"initContainers":null,"containers":null}'}))
    webhook = {
        "apiVersion": "admissionregistration.k8s.io/v1", "kind": "MutatingWebhookConfiguration",
        "metadata": {"name": "istio-sidecar-injector"}, "webhooks": None,
    }
    out.append(("injector_webhooks_null", webhook, frozenset()))
    out.append(("injector_webhooks_mapping", dict(webhook, webhooks={"a": 1}), frozenset({"CP001"})))
    absent = copy.deepcopy(webhook)
    del absent["webhooks"]
    out.append(("injector_webhooks_absent", absent, frozenset()))
    role = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "r", "namespace": "payments"},
            "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]}
    out.append(("role_all_wildcards", role, frozenset({"CP005"})))
    pa = {"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication",
          "metadata": {"name": "default", "namespace": "istio-system"}, "spec": {"selector": {}, "mtls": {"mode": "UNSET"}}}
    out.append(("mesh_wide_empty_selector_unset", pa, frozenset({"CP003"})))
    return out
