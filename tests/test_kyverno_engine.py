"""`policygen.evaluate(spec, "kyverno", ...)` on built samples: one batched engine session."""

from __future__ import annotations

import copy

import pytest
import yaml

import policygen
from policygen import build_plan, load_spec
from policygen.fixtures import approved_pod, as_deployment

from .conftest import REFERENCE_SPEC as REFERENCE
from .conftest import require_tool
TRUSTED = {"username": "system:serviceaccount:istio-system:istiod", "groups": ["system:serviceaccounts"]}


def _review(op, obj, user, old=None):
    req = {"uid": "x", "operation": op, "userInfo": user, "object": obj if op != "DELETE" else None,
           "oldObject": old if old is not None else (obj if op == "DELETE" else None)}
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": req}


@pytest.fixture(scope="session")
def verdicts(tmp_path_factory):
    require_tool("kyverno")
    plan = build_plan(load_spec(REFERENCE))
    good = approved_pod(plan, "web")
    twin = copy.deepcopy(good)  # same kind/namespace/name, one bad: must map back separately
    twin["spec"]["containers"][0]["securityContext"]["runAsUser"] = 1337
    no_ns = copy.deepcopy(good)
    del no_ns["metadata"]["namespace"]  # default: outside the mesh
    # A pod that asks for injection itself is injected in an unlabelled namespace (docs/semantics.md).
    for key in ("sidecar.istio.io/inject", "istio.io/rev"):
        no_ns["metadata"].get("labels", {}).pop(key, None)
    no_ns["spec"]["hostNetwork"] = True
    selected = copy.deepcopy(good)
    selected["metadata"]["namespace"] = "labelled"
    selected["spec"]["hostPID"] = True
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "labelled", "labels": {"istio-injection": "enabled"}}}
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "istio-sidecar-injector", "namespace": "istio-system"}}
    untrusted = {"username": "mallory", "groups": ["system:authenticated"]}
    docs = [
        good, twin, no_ns, ns, selected, as_deployment(twin, "web"),
        _review("DELETE", cm, untrusted), _review("DELETE", cm, TRUSTED), _review("UPDATE", cm, untrusted),
        _review("DELETE", good, untrusted),
    ]
    path = tmp_path_factory.mktemp("samples") / "samples.yaml"
    path.write_text(yaml.safe_dump_all(docs, sort_keys=True))
    return policygen.evaluate(REFERENCE, "kyverno", [path])


def test_one_verdict_per_resource_in_order(verdicts):
    assert [v.index for v in verdicts] == list(range(10))
    assert all(v.engine == "kyverno" for v in verdicts)


def test_valid_pod_allowed_and_twin_denied(verdicts):
    assert verdicts[0].allowed, verdicts[0].violations
    assert verdicts[1].rules == {"SC010"}
    assert verdicts[1].violations[0].message.startswith("SC010/run-as-forbidden container")


def test_namespace_defaults_outside_mesh(verdicts):
    assert verdicts[2].namespace == "default"
    assert verdicts[2].allowed, verdicts[2].violations


def test_namespace_selected_by_labels_of_input_namespace(verdicts):
    assert verdicts[4].rules == {"SC011"}


def test_controller_template_checked(verdicts):
    assert verdicts[5].kind == "Deployment" and verdicts[5].rules == {"SC010"}


def test_cp002_by_operation_and_user(verdicts):
    assert verdicts[6].rules == {"CP002"}
    assert verdicts[7].allowed
    assert verdicts[8].rules == {"CP002"}


def test_delete_of_pod_judged_by_no_pod_rule(verdicts):
    assert verdicts[9].allowed


def test_sc012_reported_not_evaluated(verdicts):
    assert verdicts[0].not_evaluated == ["SC012"]
    assert "SC012" not in verdicts[0].rules


def test_values_go_yaml_reads_as_no_string_reach_the_cli_as_strings(tmp_path):
    # A red team (2026-12-05): the values and user-info files were written by yaml.safe_dump, which leaves
    # y, n and 1234e56 plain, and the CLI (go-yaml v2) read them as a bool or a number and refused the
    # whole run (exit 3). Each of these is a valid label value, user name or namespace name.
    require_tool("kyverno")
    require_tool("opa")
    ns = {"apiVersion": "v1", "kind": "Namespace",
          "metadata": {"name": "shop", "labels": {"istio-injection": "enabled", "git-sha": "1234e56", "backup": "y"}}}
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "istio-sidecar-injector", "namespace": "istio-system"}}
    plan = build_plan(load_spec(REFERENCE))
    pod = approved_pod(plan, "y")
    pod["metadata"]["namespace"] = "n"
    pod["spec"]["containers"][0]["securityContext"]["privileged"] = True
    docs = [ns, _review("UPDATE", cm, {"username": "y", "groups": ["N"]}), pod]
    path = tmp_path / "samples.json"
    path.write_text("\n".join(__import__("json").dumps(d) for d in docs))
    said = {engine: [(v.allowed, sorted({x.rule for x in v.violations})) for v in policygen.evaluate(REFERENCE, engine, path)]
            for engine in ("opa", "kyverno")}
    assert said["kyverno"] == said["opa"]
    assert said["opa"][1] == (False, ["CP002"])


def test_an_update_is_judged_by_its_own_old_object_unless_of_another_kind(tmp_path):
    """kyvernocheck gets an UPDATE's own oldObject: a mesh-wide PeerAuthentication narrowed by a selector is
    CP003/mesh-wide-removed. An oldObject of another kind (no API server sends one) is not handed over, and
    CP003 stays not evaluated there, never passed."""
    require_tool("kyvernocheck")
    namespace = build_plan(load_spec(REFERENCE)).rule("CP003").params["namespace"]
    strict = {"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication",
              "metadata": {"name": "default", "namespace": namespace}, "spec": {"mtls": {"mode": "STRICT"}}}
    narrowed = copy.deepcopy(strict)
    narrowed["spec"]["selector"] = {"matchLabels": {"app": "one"}}
    other_kind = {**copy.deepcopy(strict), "kind": "ConfigMap", "apiVersion": "v1"}
    untrusted = {"username": "mallory", "groups": ["system:authenticated"]}
    docs = [_review("UPDATE", narrowed, untrusted, old=strict), _review("UPDATE", strict, untrusted, old=strict),
            _review("UPDATE", narrowed, untrusted, old=other_kind)]
    path = tmp_path / "updates.yaml"
    path.write_text(yaml.safe_dump_all(docs, sort_keys=True))
    removed, kept, odd = policygen.evaluate(REFERENCE, "kyverno", [path])
    assert ("CP003", "mesh-wide-removed") in removed.checks and "CP003" not in removed.not_evaluated
    assert kept.allowed and kept.not_evaluated == []
    assert "CP003" in odd.not_evaluated and ("CP003", "mesh-wide-removed") not in odd.checks
