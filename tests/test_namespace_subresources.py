"""CP004 judges the Namespace writes that change its labels through a subresource.

The API server's Namespace status strategy keeps the old spec, its finalize
strategy the old status; both take new labels and annotations. A policy that
matches `namespaces` alone would let a user who may write `namespaces/status`
remove `istio-injection: enabled` from a mesh namespace, or turn injection on
in an excluded one (red team 9, F1). CP004 matches both subresources under
the condition the pod rules use for pods/status, so the namespace
controller's own writes, which change no label, are never denied. The
adversarial samples cp004 `namespaces/status` and `namespaces/finalize` run in
every engine (tests/test_adversarial.py) and in real admission
(tests/test_cluster_parity.py::test_admission_only_samples_in_real_admission).
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import yaml

from policygen.backends.cel import STATUS_CONDITION
from policygen.cluster.admission import GATEKEEPER_WEBHOOK_RESOURCES

from .conftest import require_tool
from .test_pod_subresources import _policies, assert_condition_agrees

SUBRESOURCES = ("namespaces/finalize", "namespaces/status")


def test_cp004_matches_the_namespace_subresources_under_the_status_condition(reference_plan):
    for backend in ("vap", "kyverno"):
        policy = _policies(reference_plan, backend)["CP004"]
        resources = [res for r in policy["spec"]["matchConstraints"]["resourceRules"] for res in r["resources"]]
        assert {"namespaces", *SUBRESOURCES} <= set(resources), (backend, resources)
        assert STATUS_CONDITION in (policy["spec"].get("matchConditions") or []), backend
        # The other control-plane rules match no subresource, and carry no condition for one.
        for rule in ("CP001", "CP002", "CP003", "CP005"):
            other = _policies(reference_plan, backend).get(rule)
            if other is not None:
                assert STATUS_CONDITION not in (other["spec"].get("matchConditions") or []), (backend, rule)


def test_the_local_gatekeeper_webhook_and_the_docs_name_them():
    for sub in SUBRESOURCES:
        assert sub in GATEKEEPER_WEBHOOK_RESOURCES
    text = (Path(__file__).resolve().parent.parent / "docs" / "gatekeeper.md").read_text()
    block = re.search(r"```yaml\n( *validatingWebhookSubResources:.*?)```", text, re.S).group(1)
    assert set(SUBRESOURCES) <= set(yaml.safe_load(textwrap.dedent(block))["validatingWebhookSubResources"])


def test_only_the_writes_that_change_no_label_go_unjudged(tmp_path):
    require_tool("celcheck")
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "payments", "labels": {"istio-injection": "enabled"}}}
    unlabelled = {**ns, "metadata": {"name": "payments"}}
    annotated = {**ns, "metadata": {**ns["metadata"], "annotations": {"a": "b"}}}
    terminating = {**ns, "status": {"phase": "Terminating"}}
    finalized = {**ns, "spec": {"finalizers": []}}
    requests = [  # (subResource, object, oldObject, matched)
        ("status", unlabelled, ns, True),
        ("status", annotated, ns, True),
        ("status", terminating, ns, False),
        ("finalize", unlabelled, ns, True),
        ("finalize", finalized, ns, False),
        ("", terminating, ns, True),
    ]
    assert_condition_agrees(tmp_path, requests, "Namespace", ("namespaces", *SUBRESOURCES))
