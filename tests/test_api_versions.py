"""An object no API server would take under its apiVersion is denied unjudged, the same in every engine.

The Rego judges an object by its kind; the VAP and Kyverno matches name
groups and versions, so they pass over a Pod written as `apps/v1`; gator and
the Kyverno CLI fail a whole batch on an apiVersion such as `a/b/c`. Offline,
the engines would disagree about an object no cluster can hold, and one of
them could break the run. Each such object is denied with ENGINE/unjudged and
one reason, and the rest of the batch is judged as before.
"""

from __future__ import annotations

import copy
import json

import pytest
import yaml

from policygen.backends.cel import CP_RESOURCE_RULES, POD_RESOURCE_RULES
from policygen.fixtures import baseline_pod
from policygen.kinds import API_GROUPS, CONTROL_PLANE_KINDS, POD_KINDS, foreign, served_versions, unserved
from policygen.samples import SampleSet, load_text
from policygen.spool import Records, Record
from policygen.verdicts import ENGINE_RULE

from .cli_support import policygen
from .conftest import REFERENCE_SPEC, require_tool

ENGINES = ["opa", "conftest", "gator", "kyverno", "vap"]


@pytest.mark.parametrize(("kind", "api_version", "served"), [
    ("Pod", "v1", True),
    ("Pod", None, True),  # no apiVersion: the API server takes it from the request's path
    ("Pod", "", True),
    ("Pod", "/", False),  # ParseGroupVersion reads these as the empty or core group; no server serves them
    ("Pod", "/v1", False),
    ("Service", "v1/", False),
    ("Service", " /", False),
    ("Service", "Apps/v1", False),
    ("Service", 3, False),
    ("StatefulSet", "apps.kruise.io/v1beta1", True),  # a custom resource's kind: foreign, not unserved
    ("Job", "batch.volcano.sh/v1alpha1", True),
    ("Role", "iam.aws.crossplane.io/v1beta1", True),
    ("Pod", "networking.k8s.io/v1", False),  # a group Kubernetes owns: no Pod there
    ("PeerAuthentication", "networking.istio.io/v1", False),
    ("Pod", "apps/v1", False),
    ("Pod", "core/v1", False),
    ("Pod", "v2", False),
    ("Pod", 1, False),
    ("Pod", "apps/v1/x", False),
    ("Deployment", "apps/v1", True),
    ("Deployment", "extensions/v1beta1", True),  # legacy manifests kept in Git are judged
    ("Deployment", "v1", False),
    ("Deployment", "apps/", False),
    ("CronJob", "batch/v1beta1", True),
    ("MutatingWebhookConfiguration", "admissionregistration.k8s.io/v1", True),
    ("MutatingWebhookConfiguration", "admissionregistration.k8s.io/v1beta1", False),
    ("ClusterRole", "rbac.authorization.k8s.io/v1beta1", False),
    ("Role", "v1", False),
    ("PeerAuthentication", "security.istio.io/v1beta1", True),
    ("PeerAuthentication", "networking.istio.io/v1", False),
    ("Service", "apps/v1", True),  # no rule reads it
    ("Service", "a/b/c", False),  # but no kind is group/version/more
    # Kinds are case-sensitive: the VAP and Kyverno matches (on lower-case resources) took these for rule kinds.
    ("POD", "v1", False),
    ("pod", None, False),
    ("DEPLOYMENT", "apps/v1", False),
    ("Statefulset", "apps/v1", False),
    ("configmap", "v1", False),
    ("peerauthentication", "security.istio.io/v1", False),
    ("DEPLOYMENT", "apps.kruise.io/v1beta1", True),  # a custom resource's group: its kinds are its own
    ("Pods", "v1", True),  # no rule kind in any case
    # Nor is a rule kind with a space or an invisible character in it: judged as no kind, it was allowed.
    ("Pod ", "v1", False),
    (" Pod", None, False),
    ("Pod\n", "v1", False),
    ("Pod\u200b", "v1", False),
    ("Dep loyment", "apps/v1", False),
    ("Pod ", "example.com/v1", True),  # a custom resource's group: its kinds are its own
])
def test_unserved(kind, api_version, served):
    assert (unserved(kind, api_version) is None) == served


@pytest.mark.parametrize(("kind", "api_version", "expected"), [
    ("StatefulSet", "apps.kruise.io/v1beta1", True),
    ("Role", "iam.aws.crossplane.io/v1beta1", True),
    ("Pod", "apps/v1", False),  # unserved, not foreign
    ("Pod", "gateway.networking.k8s.io/v1", False),
    ("Widget", "example.com/v1", False),  # not a rule kind at all
    ("Pod", "v1", False),
])
def test_foreign(kind, api_version, expected):
    assert foreign(kind, api_version) == expected


def _plural(kind: str) -> str:
    return kind.lower() + "s"


def _matched(kind: str, group: str, version: str) -> bool:
    rule_ids = [r for r, kinds in CONTROL_PLANE_KINDS.items() if kind in kinds]
    rules = POD_RESOURCE_RULES if kind in POD_KINDS else [x for r in rule_ids for x in CP_RESOURCE_RULES[r]]
    return any(group in r["apiGroups"] and ("*" in r["apiVersions"] or version in r["apiVersions"])
               and _plural(kind) in r["resources"] for r in rules)


@pytest.mark.parametrize("kind", sorted(API_GROUPS))
def test_served_versions_are_what_the_cel_matches_name(kind):
    """kinds.served_versions and the VAP/Kyverno resource rules say the same of every group and version."""
    groups = {"", "core", "apps", "batch", "extensions", "admissionregistration.k8s.io",
              "rbac.authorization.k8s.io", "security.istio.io", "networking.istio.io", "apps.kruise.io"}
    for group in sorted(groups):
        for version in ("v1", "v1beta1", "v2alpha1", "v7"):
            api = f"{group}/{version}" if group else version
            judged = unserved(kind, api) is None and not foreign(kind, api)
            assert judged == _matched(kind, group, version), (kind, api, served_versions(kind))


def _documents(plan):
    pod, _ = baseline_pod(plan)
    bad = copy.deepcopy(pod)
    bad["spec"]["containers"][0].setdefault("securityContext", {})["privileged"] = True
    docs = []
    for n, api in enumerate(["apps/v1", "v2", "core/v1", "apps/v1/x", 7, "/", "/v1", "v1/"]):
        doc = copy.deepcopy(bad)
        doc["apiVersion"] = api
        doc["metadata"]["name"] = f"unserved-{n}"
        docs.append(doc)
    docs.append({"apiVersion": "v1", "kind": "Deployment", "metadata": {"name": "d", "namespace": pod["metadata"]["namespace"]},
                 "spec": {"template": {"metadata": copy.deepcopy(bad["metadata"]), "spec": copy.deepcopy(bad["spec"])}}})
    docs.append({"apiVersion": "admissionregistration.k8s.io/v1beta1", "kind": "MutatingWebhookConfiguration",
                 "metadata": {"name": "evil"}, "webhooks": [{"name": "evil.example.com", "clientConfig": {"url": "https://evil.example"},
                 "rules": [{"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"], "resources": ["pods"]}],
                 "sideEffects": "None", "admissionReviewVersions": ["v1"]}]})
    docs.append({"apiVersion": "a/b/c", "kind": "Service", "metadata": {"name": "s", "namespace": "default"}})
    docs.append({"apiVersion": "apps/", "kind": "Service", "metadata": {"name": "s2", "namespace": "default"}})
    # A red team (2026-12-05): vap and kyverno judged a miscased kind as the rule kind, the Rego as no kind at all.
    docs.append({"apiVersion": "apps/v1", "kind": "DEPLOYMENT", "metadata": {"name": "d2", "namespace": pod["metadata"]["namespace"]},
                 "spec": {"template": {"metadata": copy.deepcopy(bad["metadata"]), "spec": copy.deepcopy(bad["spec"])}}})
    docs.append({"apiVersion": "v1", "kind": "configmap", "metadata": {"name": "istio-sidecar-injector", "namespace": "istio-system"}})
    served = copy.deepcopy(bad)
    served["metadata"]["name"] = "served"
    docs.append(served)  # judged as before, in the same batch
    docs.append({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "plain", "namespace": "default"}})
    # A custom resource named like a pod controller, its template as bad as the pods above: no rule reads it.
    docs.append({"apiVersion": "apps.kruise.io/v1beta1", "kind": "StatefulSet",
                 "metadata": {"name": "kruise", "namespace": pod["metadata"]["namespace"]},
                 "spec": {"template": {"metadata": copy.deepcopy(bad["metadata"]), "spec": copy.deepcopy(bad["spec"])}}})
    return docs


@pytest.fixture(scope="module")
def unserved_set(reference_plan):
    return SampleSet(load_text(yaml.safe_dump_all(_documents(reference_plan)), "unserved.yaml"))


@pytest.mark.parametrize("engine", ENGINES)
def test_every_engine_denies_an_unserved_object_unjudged(engine, judge, reference_plan, unserved_set):
    verdicts = judge(engine, reference_plan, "unserved-api-versions", unserved_set)
    *unserved_ones, served, plain, kruise = verdicts
    for v, res in zip(unserved_ones, unserved_set.resources, strict=False):
        assert not v.allowed, v.object
        assert v.rules == frozenset({ENGINE_RULE}), (v.object, [x.message for x in v.violations])
        assert v.violations[0].message.endswith(res.unserved), v.violations[0].message
    assert ENGINE_RULE not in served.rules and "SC010" in served.rules, [x.message for x in served.violations]
    assert plain.allowed
    assert kruise.allowed, [x.message for x in kruise.violations]


def test_a_record_keeps_why_its_object_is_unserved(unserved_set):
    records = Records()
    for res in unserved_set.resources:
        records.append(Record.of(res))
    assert [r.unserved for r in records] == [res.unserved for res in unserved_set.resources]
    assert [r.foreign for r in records] == [res.foreign for res in unserved_set.resources]
    assert records[0].unserved is not None and records[-1].unserved is None and records[-1].foreign


def test_eval_streams_the_same_verdict(tmp_path, reference_plan):
    """policygen eval --engine opa reads through the spool, whose records carry the reason."""
    require_tool("opa")
    path = tmp_path / "unserved.yaml"
    path.write_text(yaml.safe_dump_all(_documents(reference_plan)))
    proc = policygen("eval", "--spec", str(REFERENCE_SPEC), "--engine", "opa", "--format", "json", str(path))
    assert proc.returncode == 1, proc.stderr
    records = json.loads(proc.stdout)
    assert [r["allowed"] for r in records] == [False] * 15 + [True, True]
    assert all({v["rule"] for v in r["violations"]} == {ENGINE_RULE} for r in records[:14])
    assert ENGINE_RULE not in {v["rule"] for v in records[14]["violations"]}
