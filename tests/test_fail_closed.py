"""Undefined is never "allowed": malformed fields deny, in every engine."""

import pytest


@pytest.mark.parametrize("engine", ["opa", "conftest"])
def test_every_malformed_pod_is_denied(judge, reference_plan, malformed_set, engine):
    verdicts = judge(engine, reference_plan, "malformed", malformed_set)
    allowed = [v.file for v in verdicts if v.allowed]
    assert allowed == []
    assert len(verdicts) >= 25
