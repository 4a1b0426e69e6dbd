"""What backends hand the engine adapters: per rule, files that exist in the render and a match that means something."""

import pytest

from policygen.backends.gatekeeper import GatekeeperBackend
from policygen.backends.kyverno import KyvernoBackend
from policygen.backends.vap import VapBackend
from policygen.rules import REGISTRY

RENDERS = {GatekeeperBackend: "rego", KyvernoBackend: None, VapBackend: "vap"}


@pytest.mark.parametrize("backend", list(RENDERS), ids=lambda b: b.name)
def test_outputs_name_rendered_files_of_every_rule(reference_plan, backend):
    files = backend().render(reference_plan)
    outputs = backend.outputs(reference_plan)
    gap = RENDERS[backend]
    assert [o.rule_id for o in outputs] == [r.rule_id for r in reference_plan.rules if gap is None or REGISTRY[r.rule_id].renders_in(gap)]
    for out in outputs:
        assert out.files and all(rel in files for rel in out.files), out


def test_a_match_selects_by_group_and_kind(reference_plan):
    by_rule = {o.rule_id: o for o in GatekeeperBackend.outputs(reference_plan)}
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment"}
    assert by_rule["SC001"].matches(deployment) and by_rule["SC001"].matches({"apiVersion": "v1", "kind": "Pod"})
    assert not by_rule["SC001"].matches({"apiVersion": "v1", "kind": "ConfigMap"})
    # The kind in another group is another resource.
    assert not by_rule["SC001"].matches({"apiVersion": "example.com/v1", "kind": "Deployment"})
    assert by_rule["CP002"].matches({"apiVersion": "v1", "kind": "ConfigMap"})
    cel = {o.rule_id: o for o in KyvernoBackend.outputs(reference_plan)}
    assert "Pod" in cel["SC001"].kinds and "DELETE" not in cel["SC001"].operations
    assert {"CREATE", "UPDATE", "DELETE"} <= cel["CP002"].operations
