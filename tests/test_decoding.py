"""Objects read as the API server decodes them, alike in every engine.

Found by a differential fuzzer run over all five engines: a null label value
(Helm's unset value) was malformed everywhere though the API server stores
`""`; metadata the API server cannot decode was denied by the CEL engines
only; an AdmissionReview inside a List was judged as an object of kind
AdmissionReview (allowed) by three engines and unwrapped (denied) by the Rego;
two pods whose kinds differ only in case panicked the Kyverno CLI. Such a kind (pod, POD) is no kind an
API server serves: every engine denies it unjudged, as it does an object under a wrong apiVersion (the
CEL engines had judged a miscased Deployment as one, the Rego none; a red team, 2026-12-05).
"""

from __future__ import annotations

import copy

import pytest
import yaml

from policygen.errors import InputError
from policygen.fixtures import baseline_pod
from policygen.samples import SampleSet, load_text
from policygen.verdicts import ENGINE_RULE

ENGINES = ["opa", "conftest", "gator", "kyverno", "vap"]


@pytest.fixture(scope="module")
def decoded(reference_plan):
    pod, _ = baseline_pod(reference_plan)
    nulls = copy.deepcopy(pod)
    nulls["metadata"]["name"] = "null-values"
    nulls["metadata"].setdefault("labels", {})["team"] = None
    nulls["metadata"].setdefault("annotations", {})["example.com/owner"] = None
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment",
                  "metadata": {"name": "null-template", "namespace": pod["metadata"]["namespace"]},
                  "spec": {"selector": {"matchLabels": {"app": "x"}},
                           "template": {"metadata": {"labels": {"app": "x", "team": None}, "annotations": copy.deepcopy(
                               pod["metadata"].get("annotations", {}))}, "spec": copy.deepcopy(pod["spec"])}}}
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "batch-jobs", "labels": {"owner": None}}}
    outside = copy.deepcopy(pod)
    outside["metadata"].update(name="plain", namespace="batch-jobs", labels={"app": "plain"}, annotations={})
    outside["spec"]["containers"] = [c for c in outside["spec"]["containers"] if c["name"] != "istio-proxy"]
    outside["spec"].pop("initContainers", None)
    undecodable = copy.deepcopy(outside)
    undecodable["metadata"].update(name="version-number", resourceVersion=5)
    finalizers = copy.deepcopy(outside)
    finalizers["metadata"].update(name="finalizers-map", finalizers={"a": "b"})
    same = [dict(copy.deepcopy(outside), kind=kind) for kind in ("pod", "POD")]
    docs = [nulls, deployment, namespace, outside, undecodable, finalizers, *same]
    return SampleSet(load_text(yaml.safe_dump_all(docs), "decoded.yaml"))


def test_null_label_and_annotation_values_read_as_empty(decoded):
    pod, deployment, namespace = (r.object for r in decoded.resources[:3])
    assert pod["metadata"]["labels"]["team"] == "" and pod["metadata"]["annotations"]["example.com/owner"] == ""
    assert deployment["spec"]["template"]["metadata"]["labels"]["team"] == ""
    assert namespace["metadata"]["labels"] == {"owner": ""}


@pytest.mark.parametrize("engine", ENGINES)
def test_every_engine_reads_them_alike(engine, judge, reference_plan, decoded):
    verdicts = judge(engine, reference_plan, "decoded", decoded)
    said = [(v.name, sorted(v.rules)) for v in verdicts]
    assert said == [
        ("null-values", []), ("null-template", []), ("batch-jobs", []), ("plain", []),
        ("version-number", [ENGINE_RULE]), ("finalizers-map", [ENGINE_RULE]), ("plain", [ENGINE_RULE]), ("plain", [ENGINE_RULE]),
    ], said


def test_an_admission_review_in_a_list_is_refused():
    review = {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
              "request": {"uid": "1", "operation": "CREATE", "object": {"apiVersion": "v1", "kind": "Pod",
                                                                        "metadata": {"name": "p"}}}}
    text = yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": [review]})
    with pytest.raises(InputError) as err:
        load_text(text, "list.yaml")
    assert "items[0]" in str(err.value) and "AdmissionReview" in str(err.value)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_name_that_is_no_string_is_said_beside_what_the_policies_found(engine, judge, reference_plan):
    """The Kyverno CLI needs a string name, so the engine writes one in its place and no policy sees the
    number: it said so only when no policy denied, and SC003's finding was missing from its report
    beside SC010's (red team 8). Every engine now says the name is wrong, in its own terms."""
    pod, _ = baseline_pod(reference_plan)
    pod = copy.deepcopy(pod)
    pod["metadata"]["name"] = 1
    app = next(c for c in pod["spec"]["containers"] if c["name"] != "istio-proxy")
    app.setdefault("securityContext", {})["privileged"] = True
    verdicts = judge(engine, reference_plan, "renamed", SampleSet(load_text(yaml.safe_dump(pod), "renamed.yaml")))
    rules = sorted(verdicts[0].rules)
    assert rules == sorted([ENGINE_RULE if engine == "kyverno" else "SC003", "SC010"]), rules
