"""Trusted means what it says (issue 7.6): trustedSubjects are usernames, trustedGroups groups, in every engine."""

from __future__ import annotations

import copy

import pytest
import yaml

import policygen as pg
from policygen.samples import Expectation, Resource, SampleSet, _admission_review
from policygen.spec import parse_spec

from .conftest import REFERENCE_SPEC

ENGINES = ["opa", "conftest", "gator", "kyverno", "vap"]
ISTIOD = "system:serviceaccount:istio-system:istiod"


@pytest.fixture(scope="session")
def trust_plan():
    data = yaml.safe_load(REFERENCE_SPEC.read_text())
    data["spec"]["controlPlane"]["trustedGroups"] = ["mesh-admins"]
    return pg.build_plan(parse_spec(data, "trust-spec"))


def _configmap_update(username: str, groups: list[str]) -> dict:
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "istio-sidecar-injector", "namespace": "istio-system"},
          "data": {"config": "policy: enabled\n"}}
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
            "request": {"uid": "00000000-0000-4000-8000-000000000001", "operation": "UPDATE", "namespace": "istio-system",
                        "kind": {"group": "", "version": "v1", "kind": "ConfigMap"},
                        "userInfo": {"username": username, "groups": groups}, "object": cm, "oldObject": copy.deepcopy(cm)}}


def _pod_mutator(username: str, groups: list[str]) -> dict:
    hook = {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "MutatingWebhookConfiguration", "metadata": {"name": "zz-mutator"},
            "webhooks": [{"name": "m.example", "clientConfig": {"service": {"name": "m", "namespace": "tools", "path": "/"}},
                          "rules": [{"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"], "resources": ["pods"]}],
                          "sideEffects": "None", "admissionReviewVersions": ["v1"]}]}
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
            "request": {"uid": "00000000-0000-4000-8000-000000000002", "operation": "CREATE",
                        "kind": {"group": "admissionregistration.k8s.io", "version": "v1", "kind": "MutatingWebhookConfiguration"},
                        "userInfo": {"username": username, "groups": groups}, "object": hook}}


# (what, document, rule IDs it must get)
CASES = [
    ("member of a trusted group", _configmap_update("carol@example.com", ["mesh-admins"]), set()),
    ("username equal to a trusted group's name", _configmap_update("mesh-admins", ["developers"]), {"CP002"}),
    ("group equal to a trusted username", _configmap_update("mallory@example.com", [ISTIOD]), {"CP002"}),
    ("trusted username", _configmap_update(ISTIOD, ["system:serviceaccounts"]), set()),
    ("pod mutator by a trusted group's member", _pod_mutator("carol@example.com", ["mesh-admins"]), set()),
    ("pod mutator by a group named like istiod", _pod_mutator("mallory@example.com", [ISTIOD]), {"CP001"}),
    ("pod mutator by a user named like the trusted group", _pod_mutator("mesh-admins", []), {"CP001"}),
]


@pytest.fixture(scope="session")
def trust_samples() -> SampleSet:
    resources = []
    for i, (what, doc, rules) in enumerate(CASES):
        review = _admission_review(doc, "trust", what)
        resources.append(Resource(f"trust:{what}", i, review, doc, Expectation(not rules, frozenset(rules)), True))
    return SampleSet(resources)


@pytest.mark.parametrize("engine", ENGINES)
def test_groups_and_usernames_are_never_confused(judge, trust_plan, trust_samples, engine):
    verdicts = judge(engine, trust_plan, "trust", trust_samples)
    got = {res.file: verdict.rules for res, verdict in zip(trust_samples.resources, verdicts, strict=True)}
    assert got == {f"trust:{what}": rules for what, _, rules in CASES}


def test_trusted_groups_reach_every_backend(trust_plan):
    from policygen.pipeline import render_all

    files = render_all(trust_plan)
    for backend in ("rego", "gatekeeper", "kyverno", "vap"):
        assert any("mesh-admins" in text for path, text in files.items() if path.parts[0] == backend), backend
