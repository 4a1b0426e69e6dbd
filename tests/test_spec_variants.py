"""Specs other than the reference one (tests/variants/<name>/spec.yaml), each with the resources its own
settings must deny and the near misses they must allow, judged in every engine.

The reference spec lists ALL among the forbidden capabilities, requires digests and lists its mesh
namespaces by name, which hid what these settings do elsewhere: an app container adding ALL where only
NET_ADMIN and NET_RAW are forbidden, an image with neither tag nor digest (pulled as latest) where
latest is forbidden, a selector on `kubernetes.io/metadata.name` (which the API server gives every
Namespace), drop/mayAdd ALL, an env variable whose value is left out (""), a webhook that leaves its
path out ("/").
"""

from __future__ import annotations

from pathlib import Path

import pytest

import policygen as pg

from .conftest import ROOT, require_tool

VARIANTS = sorted(p.name for p in (ROOT / "tests" / "variants").iterdir() if (p / "spec.yaml").is_file())
ENGINES = ("opa", "conftest", "gator", "vap", "kyverno")


@pytest.fixture(scope="module")
def judged():
    """variant -> engine -> (samples, verdicts), each engine run once per variant."""
    cache: dict[tuple[str, str], tuple] = {}

    def get(variant: str, engine: str):
        if (variant, engine) not in cache:
            require_tool(engine if engine != "vap" else "celcheck")
            folder = ROOT / "tests" / "variants" / variant
            plan = pg.build_plan(pg.load_spec(folder / "spec.yaml"))
            samples = pg.load_samples([folder / "samples.yaml"])
            cache[(variant, engine)] = (samples, pg.evaluate(plan, engine, samples))
        return cache[(variant, engine)]

    return get


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("variant", VARIANTS)
def test_each_variant_gets_its_labels_in_every_engine(judged, variant, engine):
    samples, verdicts = judged(variant, engine)
    assert len(samples.resources) >= 3
    wrong = []
    for res, v in zip(samples.resources, verdicts, strict=True):
        assert res.expect is not None, res.label
        said = set(v.rules) - set(v.not_evaluated)
        if v.allowed != res.expect.allowed or (not v.allowed and said != set(res.expect.rules)):
            wrong.append(f"{res.label} {res.kind}/{res.name}: expected {res.expect.describe()}, {engine} said "
                         f"{[x.message[:160] for x in v.violations] or 'allow'}")
    assert wrong == [], "\n".join(wrong)


def test_every_variant_holds_a_denial_and_a_near_miss():
    for variant in VARIANTS:
        samples = pg.load_samples([ROOT / "tests" / "variants" / variant / "samples.yaml"])
        expects = [res.expect.allowed for res in samples.resources]
        assert True in expects and False in expects, variant
