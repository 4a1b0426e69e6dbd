"""VAP backend: ValidatingAdmissionPolicies and bindings, and what the offline evaluator says of them."""

from __future__ import annotations

import copy

import pytest
import yaml

import policygen
from policygen.backends.cel import CEL_RULE_IDS, NAMESPACE_NAME_LABEL
from policygen.rules.sc003.status import status_patterns
from policygen.fixtures import approved_pod, as_deployment
from policygen.rules import CATALOGUE

from .conftest import REFERENCE_SPEC as REFERENCE
from .conftest import backend_files, require_tool


@pytest.fixture(scope="session")
def files(reference_files):
    return backend_files(reference_files, "vap")


def _docs(files, rule_id):
    name = CATALOGUE[rule_id].policy_name
    return list(yaml.safe_load_all(files[next(p for p in files if str(p) == f"{name}.yaml")]))


def test_one_policy_and_binding_per_rule_and_a_kustomization(reference_plan, files):
    kustomization = yaml.safe_load(files[next(p for p in files if str(p) == "kustomization.yaml")])
    expected = [f"{CATALOGUE[r].policy_name}.yaml" for r in reference_plan.rule_ids if r in CEL_RULE_IDS]
    assert kustomization["resources"] == expected
    assert {str(p) for p in files} == {"kustomization.yaml", *expected}  # cluster objects only, no test data
    for rule_id in reference_plan.rule_ids:
        if rule_id not in CEL_RULE_IDS:
            continue
        policy, binding = _docs(files, rule_id)
        assert policy["apiVersion"] == binding["apiVersion"] == "admissionregistration.k8s.io/v1"
        assert (policy["kind"], binding["kind"]) == ("ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding")
        assert binding["spec"]["policyName"] == policy["metadata"]["name"] == CATALOGUE[rule_id].policy_name
        assert binding["spec"]["validationActions"] == (["Deny"] if reference_plan.mode == "enforce" else ["Audit", "Warn"])
        assert policy["spec"]["failurePolicy"] == "Fail"


# CEL's reserved words: an identifier the API server refuses as a variable name (cel-go's grammar).
CEL_RESERVED = frozenset("as break const continue else false for function if import in let loop package "
                         "namespace null return true var void while".split())


def test_variable_names_are_cel_identifiers_the_api_server_takes(reference_plan, files):
    """A variable named `namespace` passed the offline evaluator and was refused by kube-apiserver."""
    import re

    for rule_id in reference_plan.rule_ids:
        if rule_id not in CEL_RULE_IDS:
            continue
        policy, _ = _docs(files, rule_id)
        for variable in policy["spec"].get("variables") or []:
            name = variable["name"]
            assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) and name not in CEL_RESERVED, (rule_id, name)


def test_sc012_has_no_vap(files):
    assert not [p for p in files if "sc012" in str(p)]


def test_mesh_rules_leave_excluded_namespaces_out_by_name_label(reference_plan, files):
    excluded = sorted(reference_plan.rule("SC004").params["scope"]["excludedNamespaces"])
    _, binding = _docs(files, "SC004")
    assert binding["spec"]["matchResources"]["namespaceSelector"] == {
        "matchExpressions": [{"key": NAMESPACE_NAME_LABEL, "operator": "NotIn", "values": excluded}]}
    # SC003's sidecar-image check holds in every namespace.
    _, binding = _docs(files, "SC003")
    assert "namespaceSelector" not in binding["spec"]["matchResources"]


def test_every_message_expression_starts_with_a_rule_code(reference_plan, files):
    for rule_id in reference_plan.rule_ids:
        if rule_id not in CEL_RULE_IDS:
            continue
        policy, _ = _docs(files, rule_id)
        # problems, or the parts it is cut into (backends/cel_split.py)
        problems = "\n".join(v["expression"] for v in policy["spec"]["variables"] if v["name"].startswith("problems"))
        assert f'"{rule_id}/' in problems
        assert "variables.problems" in policy["spec"]["validations"][0]["messageExpression"]


def test_status_patterns_escape_names_and_take_no_escapes():
    import re

    p = status_patterns(["istio-proxy", "a.b"])
    assert "a\\x{2e}b" in p["approvedNames"]
    # Python's re reads these RE2 patterns alike for the ASCII cases below.
    py = {k: re.compile(v.replace("\\x{", "\\x").replace("}", "") if k == "approvedNames" else v) for k, v in p.items()
          if k != "approvedNames"}
    assert py["document"].match('{"initContainers":null,"containers":["istio-proxy"],"revision":"default"}')
    assert not py["document"].match('{"contain\\u0065rs":["evil"]}')
    assert not py["document"].match('{"containers":{"x":1}}')
    assert len(py["member"].findall('{"containers":["a"],"x":"containers","containers":null}')) == 2


@pytest.fixture(scope="session")
def verdicts(tmp_path_factory):
    require_tool("celcheck")
    plan = policygen.build_plan(policygen.load_spec(REFERENCE))
    good = approved_pod(plan, "web")
    twin = copy.deepcopy(good)
    twin["spec"]["containers"][0]["securityContext"]["runAsUser"] = 1337
    excluded = copy.deepcopy(twin)
    excluded["metadata"]["namespace"] = "kube-system"
    selected = copy.deepcopy(good)
    selected["metadata"]["namespace"] = "labelled"
    selected["spec"]["hostPID"] = True
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "labelled", "labels": {"istio-injection": "enabled"}}}
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "istio-sidecar-injector", "namespace": "istio-system"}}
    untrusted = {"username": "mallory", "groups": ["system:authenticated"]}
    trusted = {"username": "system:serviceaccount:istio-system:istiod", "groups": ["system:serviceaccounts"]}

    def review(op, obj, user):
        return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
            "uid": "x", "operation": op, "userInfo": user, "object": obj if op != "DELETE" else None,
            "oldObject": obj if op == "DELETE" else None}}
    docs = [good, twin, excluded, ns, selected, as_deployment(twin, "web"),
            review("DELETE", cm, untrusted), review("DELETE", cm, trusted), review("DELETE", twin, untrusted)]
    path = tmp_path_factory.mktemp("vap-samples") / "samples.yaml"
    path.write_text(yaml.safe_dump_all(docs, sort_keys=True))
    return policygen.evaluate(REFERENCE, "vap", [path])


def test_vap_engine_verdicts(verdicts):
    assert [v.engine for v in verdicts] == ["vap"] * 9
    assert verdicts[0].allowed, verdicts[0].violations
    assert verdicts[1].rules == {"SC010"} and verdicts[1].violations[0].message.startswith("SC010/run-as-forbidden ")
    assert verdicts[2].allowed, "kube-system is excluded by the binding's namespace selector"
    assert verdicts[4].rules == {"SC011"}, "namespaceObject's labels select the namespace"
    assert verdicts[5].rules == {"SC010"}
    assert verdicts[6].rules == {"CP002"} and verdicts[7].allowed
    assert verdicts[8].allowed, "a pod DELETE reaches no pod rule"
    assert verdicts[0].not_evaluated == ["SC012"]


STATUS_CASES = {
    # name: (annotation, OPA's verdict has SC003, VAP's verdict has SC003)
    "escaped-key": ('{"initContainers":null,"contain\\u0065rs":["evil-proxy"]}', True, True),
    "repeated-key": ('{"containers":["istio-proxy"],"containers":["evil-proxy"]}', True, True),
    "not-json": ('{"containers":["istio-proxy"]', True, True),
    "names-not-strings": ('{"containers":[1]}', True, True),
    "near-spaced": ('{\n "containers": [ "istio-proxy" ],\n "revision": "default", "n": [1, true, null]\n}', False, False),
    "near-null-lists": ('{"initContainers":null,"containers":null}', False, False),
    # Valid JSON the injector never writes: the Rego holds it to the CEL's grammar, and both refuse it (docs/vap.md).
    "nested-object": ('{"containers":["istio-proxy"],"extra":{"a":1}}', True, True),
    "escaped-array": ('{"containers":["istio-proxy"],"volumes":["a\\u0062"]}', True, True),
}


@pytest.fixture(scope="session")
def status_verdicts(tmp_path_factory, judge, reference_plan):
    require_tool("celcheck")
    require_tool("opa")
    from policygen.samples import Resource, SampleSet, _plain_review

    resources = []
    for i, (name, (value, _, _)) in enumerate(sorted(STATUS_CASES.items())):
        pod = approved_pod(reference_plan, f"status-{name}")
        pod["metadata"]["annotations"]["sidecar.istio.io/status"] = value
        resources.append(Resource(f"status:{name}", i, _plain_review(pod), pod))
    samples = SampleSet(resources)
    return {engine: dict(zip(sorted(STATUS_CASES), judge(engine, reference_plan, "status-annotation", samples)))
            for engine in ("opa", "vap")}


@pytest.mark.parametrize("case", sorted(STATUS_CASES))
def test_status_annotation_evasions_and_near_misses(status_verdicts, case):
    _, in_opa, in_vap = STATUS_CASES[case]
    assert ("SC003" in status_verdicts["opa"][case].rules) == in_opa, status_verdicts["opa"][case].violations
    assert ("SC003" in status_verdicts["vap"][case].rules) == in_vap, status_verdicts["vap"][case].violations
    assert status_verdicts["vap"][case].rules <= {"SC003"}


