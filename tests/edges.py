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
    # containerd prefixes CAP_ to every drop entry but ALL: cap_all drops nothing there (CAP_CAP_ALL).
    pod("capability_with_cap_prefix", ["SC004"], lambda p: _proxy(p)["securityContext"]["capabilities"].update(drop=["cap_all"]))
    pod("capability_drop_all_any_case", [], lambda p: _proxy(p)["securityContext"]["capabilities"].update(drop=["All"]))
    pod("env_value_from_null", [], lambda p: _proxy(p)["env"][0].update(valueFrom=None))
    pod("status_annotation_null_lists", [], lambda p: p["metadata"]["annotations"].update(
        {"sidecar.istio.io/status": '{"initContainers":null,"containers":null}'}))
    # Parsers (policygen/images.py, quantity.py, capabilities.py): each evasion beside a benign near miss.
    digest = _proxy(base)["image"].split("@", 1)[1]
    img = lambda ref: (lambda p: _proxy(p).update(image=ref))  # noqa: E731
    pod("image_registry_case_folded", [], img(f"Docker.IO/istio/proxyv2:1.0.0@{digest}"))
    pod("image_registry_kelvin_sign", ["SC001"], img(f"doc\u212aer.io/istio/proxyv2@{digest}"))
    pod("image_path_upper_case", ["SC001"], img(f"docker.io/Istio/proxyv2@{digest}"))
    pod("image_ipv6_registry", ["SC001"], img(f"[::1]:5000/istio/proxyv2@{digest}"))
    pod("image_digest_upper_hex", ["SC002"], img("docker.io/istio/proxyv2@" + digest.upper().replace("SHA", "sha")))
    pod("image_digest_unregistered_algorithm", ["SC002"], img("docker.io/istio/proxyv2@md5:" + "a" * 32))
    pod("image_digest_sha512", ["SC002"], img("docker.io/istio/proxyv2@sha512:" + "a" * 128))
    pod("image_digest_not_the_grammar", ["SC001"], img("docker.io/istio/proxyv2@sha256"))
    pod("image_id_not_reference", ["SC001"], img(digest.split(":", 1)[1]))
    pod("quantity_beyond_float_precision", ["SC007"],
        lambda p: _proxy(p)["resources"]["limits"].update(memory="1073741824.000000000001"))
    pod("quantity_at_bound_exactly", [], lambda p: _proxy(p)["resources"]["limits"].update(memory="1073741824.000000000000"))
    pod("quantity_finer_than_nano", [], lambda p: _proxy(p)["resources"]["requests"].update(cpu="0.0000000001"))
    pod("quantity_zero_limit_by_rounding", ["SC007"], lambda p: _proxy(p)["resources"]["limits"].update(cpu="-0.0000000001"))
    pod("quantity_huge_exponent", ["SC007"], lambda p: _proxy(p)["resources"]["limits"].update(memory="1e-2147483647"))
    pod("quantity_binary_fraction", [], lambda p: _proxy(p)["resources"]["limits"].update(memory="0.5Gi"))
    pod("capability_long_s", ["SC004"], lambda p: _proxy(p)["securityContext"]["capabilities"].update(add=["\u017fys_admin"]))
    pod("capability_dotless_i_drop", ["SC004"], lambda p: _proxy(p)["securityContext"]["capabilities"].update(drop=["\u0251ll"]))
    pod("capability_lower_case_drop", [], lambda p: _proxy(p)["securityContext"]["capabilities"].update(drop=["all"]))
    pod("app_capability_long_s", ["SC010"], lambda p: p["spec"]["containers"][0].setdefault("securityContext", {}).update(
        capabilities={"add": ["\u017fys_admin"]}))
    pod("app_capability_allowed", [], lambda p: p["spec"]["containers"][0].setdefault("securityContext", {}).update(
        capabilities={"add": ["cap_chown"]}))
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
    # A map where a list belongs, and a list where a map belongs: malformed alone in every engine (the Rego
    # used to read the entries too, and the CEL split its own "; " into a second violation with no check).
    out.append(("port_level_mtls_list", {"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication",
                "metadata": {"name": "pl-list", "namespace": "payments"}, "spec": {"portLevelMtls": [{"mode": "PERMISSIVE"}]}},
                frozenset({"CP003"})))
    out.append(("role_rules_mapping", dict(copy.deepcopy(role), rules={"0": {"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}}),
                frozenset({"CP005"})))
    out.append(("other_webhooks_mapping", {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "MutatingWebhookConfiguration",
                "metadata": {"name": "wh-map"}, "webhooks": {"0": {"name": "x.example.com"}}}, frozenset({"CP001"})))
    return out
