"""Pod controllers under their older API groups are judged as the controllers they are, in every engine.

`extensions/v1beta1`, `apps/v1beta1`, `apps/v1beta2` and `batch/v1beta1` are
gone from API servers but not from manifests kept in Git, which conftest and
gator judge offline. A malicious pod template under one of them is denied by
every engine; its benign twin under the same group is allowed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from policygen.kinds import LEGACY_API_VERSIONS

ENGINES = ["opa", "conftest", "gator", "kyverno"]


def _legacy(samples):
    return [(i, r) for i, r in enumerate(samples.resources) if Path(r.file).name == "legacy-groups.yaml"]


def test_the_samples_cover_every_legacy_version(reference_samples):
    seen = {(r.kind, r.object["apiVersion"]) for _, r in _legacy(reference_samples)}
    wanted = {(kind, version) for kind, versions in LEGACY_API_VERSIONS.items() for version in versions}
    assert wanted - {("CronJob", "batch/v2alpha1")} <= seen


@pytest.mark.parametrize("engine", ENGINES)
def test_malicious_legacy_controllers_are_denied_and_benign_ones_allowed(engine, judge, reference_plan, reference_samples):
    verdicts = judge(engine, reference_plan, "reference-samples", reference_samples)
    legacy = _legacy(reference_samples)
    assert len(legacy) == 20
    wrong = []
    for i, res in legacy:
        v = verdicts[i]
        got = "allow" if v.allowed else "deny " + " ".join(sorted(v.rules))
        if got != res.expect.describe():
            wrong.append(f"{res.object['apiVersion']} {res.display}: {got}, expected {res.expect.describe()}")
    assert not wrong, "\n".join(wrong)
    denied = {res.object["apiVersion"] for i, res in legacy if not verdicts[i].allowed and res.kind == "Deployment"}
    assert denied == {"extensions/v1beta1", "apps/v1beta1", "apps/v1beta2"}
