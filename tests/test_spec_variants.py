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

from .conftest import ROOT, case_misses, cases_as_samples, require_tool

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


@pytest.mark.parametrize("variant", VARIANTS)
def test_each_variant_spec_proves_its_own_fixture_cases(variant, judge):
    """The cases `generate` writes for a spec's own engine tests hold under that spec (red team 15d: under a
    selector on kubernetes.io/metadata.name the mesh fixtures sat in a namespace the selector cannot select,
    so the generated opa test failed, and real admission waited for a probe that could never be denied)."""
    require_tool("opa")
    plan = pg.build_plan(pg.load_spec(ROOT / "tests" / "variants" / variant / "spec.yaml"))
    samples, by_index = cases_as_samples(plan)
    assert by_index, variant
    # The session's OPA server, not one started per variant.
    verdicts = judge("opa", plan, f"fixtures-of-{variant}", samples)
    # Rule by rule, as each engine's own test runner reads them: a near miss of one rule may break another
    # rule of the spec (a debug container without an identity, under requireDeclaredIdentity).
    wrong = [miss for i, case in by_index.items() if case.fails for miss in case_misses(case, verdicts[i])]
    wrong += [f"{case.rule_id}/{case.name}: denied by its own rule" for i, case in by_index.items()
              if not case.fails and case.rule_id in verdicts[i].rules]
    assert wrong == []


def test_every_variant_holds_a_denial_and_a_near_miss():
    for variant in VARIANTS:
        samples = pg.load_samples([ROOT / "tests" / "variants" / variant / "samples.yaml"])
        expects = [res.expect.allowed for res in samples.resources]
        assert True in expects and False in expects, variant


@pytest.mark.parametrize("expressions", [
    [{"key": "env", "operator": "NotIn", "values": ["dev"]}],
    [{"key": "tier", "operator": "DoesNotExist"}],
    [{"key": "env", "operator": "NotIn", "values": ["dev"]}, {"key": "tier", "operator": "DoesNotExist"}],
], ids=["not-in", "does-not-exist", "both"])
def test_generated_fixtures_outside_the_mesh_stay_outside_a_selector_that_holds_without_its_key(expressions):
    """A NotIn or DoesNotExist requirement holds for a namespace without the key: the generated fixtures'
    namespace outside the mesh carries the label that makes it fail, or its cases would be judged inside
    (red team 9, F4), and the engines' own tests on dist/ (gator verify, kyverno test) would fail."""
    import yaml

    from policygen.fixtures import OUTSIDE_NAMESPACE
    from policygen.inventory import in_mesh, scope_of

    from .conftest import REFERENCE_SPEC, case_misses, cases_as_samples

    require_tool("opa")
    data = yaml.safe_load(REFERENCE_SPEC.read_text())
    data["spec"]["scope"]["meshNamespaceSelector"] = {"matchExpressions": expressions}
    plan = pg.build_plan(_load(data))
    samples, by_index = cases_as_samples(plan)
    outside = [c for c in by_index.values() if OUTSIDE_NAMESPACE in c.namespaces]
    assert len(outside) >= 5
    for case in outside:
        labels = case.namespaces[OUTSIDE_NAMESPACE]["metadata"]["labels"]
        assert not in_mesh(OUTSIDE_NAMESPACE, labels, scope_of(plan)), (case.name, labels)
    verdicts = pg.evaluate(plan, "opa", samples)
    assert [m for i, case in by_index.items() for m in case_misses(case, verdicts[i])] == []


def _load(data: dict):
    import tempfile

    import yaml

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "spec.yaml"
        path.write_text(yaml.safe_dump(data))
        return pg.load_spec(path)


def _port_first(spec):
    spec["images"]["repositories"] = ["registry.corp.example:5000/mesh/proxyv2"]


def _large_maxima(spec):
    for sidecar in spec["sidecars"]:
        sidecar["resources"]["maxLimits"] = {"cpu": "1e3", "memory": "2Ti"}


def _sys_admin_approved(spec):
    for sidecar in spec["sidecars"]:
        sidecar["securityContext"]["capabilities"]["mayAdd"] = ["SYS_ADMIN"]


def _fff_digest_approved(spec):
    spec["images"]["digests"] = ["sha256:" + "f" * 64, *spec["images"]["digests"]]


def _images_without_sidecars(spec):
    del spec["sidecars"]
    spec["injection"].pop("requireSidecar", None)
    spec["images"]["repositories"] = ["registry.example.com/mesh/proxy"]


@pytest.mark.parametrize("change", [_port_first, _large_maxima, _sys_admin_approved, _fff_digest_approved, _images_without_sidecars],
                         ids=lambda f: f.__name__.strip("_"))
def test_generated_fixtures_hold_for_unusual_valid_specs(change):
    """The fixtures policygen writes for a spec (the engines' own tests in dist/) get their labels in the engine for
    valid specs the reference one does not show (red team 9, F3 and F4): a registry with a port first among the
    repositories, maxima above the fixtures' fixed "too high" values, SYS_ADMIN approved to add, the fixtures'
    unapproved digest approved, approved images but no sidecars (SC003 alone knows the repositories)."""
    import yaml

    from .conftest import REFERENCE_SPEC, case_misses, cases_as_samples

    require_tool("opa")
    data = yaml.safe_load(REFERENCE_SPEC.read_text())
    change(data["spec"])
    plan = pg.build_plan(_load(data))
    samples, by_index = cases_as_samples(plan)
    verdicts = pg.evaluate(plan, "opa", samples)
    assert [m for i, case in by_index.items() for m in case_misses(case, verdicts[i])] == []
