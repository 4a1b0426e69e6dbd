"""Session-wide engines: one OPA server and one batched run per engine and sample set."""

from __future__ import annotations

import copy
import os
import subprocess
from pathlib import Path, PurePosixPath

import pytest

import policygen as pg
from policygen import tools
from policygen.engines.opa import OpaEngine, OpaServer
from policygen.errors import EngineNotInstalled
from policygen.fixtures import cases_for
from policygen.output import write_tree
from policygen.pipeline import render_all
from policygen.samples import Resource, SampleSet, _admission_review, _plain_review, load_samples

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
REFERENCE_SPEC = SHARED / "specs" / "reference.yaml"
CORPUS = SHARED / "corpus" / "istio-injected"
CORPUS_SPEC = ROOT / "tests" / "corpus" / "spec.yaml"
REFERENCE_SAMPLES = ROOT / "samples" / "reference"
ADVERSARIAL_SAMPLES = ROOT / "samples" / "adversarial"


def require_tool(name: str) -> Path:
    """The engine's binary; else a loud skip naming the install command, and in CI a failure."""
    try:
        return tools.find(name)
    except EngineNotInstalled as exc:
        message = f"ENGINE NOT INSTALLED: {exc.engine} {tools.TOOLS[name].version}; run: {exc.install_hint}"
        if os.environ.get("CI"):
            pytest.fail(f"{message} (CI installs every engine first: `make test`)")
        pytest.skip(message)


def run_tool(name: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(require_tool(name)), *args], capture_output=True, text=True, cwd=cwd)


@pytest.fixture(scope="session")
def reference_spec_path() -> Path:
    if not REFERENCE_SPEC.is_file():
        pytest.fail(f"{REFERENCE_SPEC} is missing: CI runs with ../shared beside the clone")
    return REFERENCE_SPEC


@pytest.fixture(scope="session")
def reference_plan(reference_spec_path):
    return pg.build_plan(pg.load_spec(reference_spec_path))


@pytest.fixture(scope="session")
def corpus_plan():
    return pg.build_plan(pg.load_spec(CORPUS_SPEC))


@pytest.fixture(scope="session")
def reference_files(reference_plan):
    """Every backend's files for the reference spec, rendered once per session."""
    return render_all(reference_plan)


@pytest.fixture(scope="session")
def reference_dist(tmp_path_factory, reference_files) -> Path:
    """The reference spec's dist/, written as `policygen generate` writes it."""
    out = tmp_path_factory.mktemp("dist") / "reference"
    write_tree(reference_files, out)
    return out


def backend_files(files, backend: str) -> dict:
    """One backend's files out of render_all's map, paths relative to its folder."""
    return {PurePosixPath(*p.parts[1:]): text for p, text in files.items() if p.parts[0] == backend}


@pytest.fixture(scope="session")
def opa_server():
    require_tool("opa")
    with OpaServer() as server:
        yield server


def cases_as_samples(plan) -> tuple[SampleSet, dict]:
    """The plan's fixtures as one sample set, and which case each resource index is."""
    cases = cases_for(plan)
    by_index = {}
    resources = []
    for case in cases:
        doc = copy.deepcopy(case.resource)
        if case.is_admission_review:
            review = _admission_review(doc, "fixtures", f"case {case.name}")
        else:
            review = _plain_review(doc)
        by_index[len(resources)] = case
        resources.append(Resource(f"fixture:{case.rule_id}:{case.name}", len(resources), review, doc, None, case.is_admission_review))
        for ns in case.namespaces.values():
            resources.append(Resource(f"fixture-ns:{case.name}", len(resources), _plain_review(ns), ns))
    return SampleSet(resources), by_index


def case_misses(case, verdict) -> list[str]:
    """How verdict departs from what case expects: denied by its rule's sub-checks exactly, or allowed."""
    got = tuple(sorted(c for r, c in verdict.checks if r == case.rule_id))
    if case.fails and case.rule_id in verdict.not_evaluated and not got:
        # Said in the verdict, never passed: the Kyverno CLI cannot give a policy an UPDATE's own oldObject.
        return []
    if case.fails and got != case.checks:
        return [f"{case.rule_id}/{case.name}: wants {list(case.checks)}, got {sorted(verdict.checks) or 'allow'}"]
    if not case.fails and not verdict.allowed:
        return [f"{case.rule_id}/{case.name}: denied: {[v.message for v in verdict.violations]}"]
    return []


# The data sets judged under each spec. Each engine judges all of a spec's data
# sets in one batched run per session; tests read their slice of it.
BUNDLES: dict[str, list[str]] = {
    "reference": ["fixtures", "reference-samples", "malformed", "edges"],
    "corpus": ["corpus", "mutations", "corpus-api-token"],
    # Judged on their own: their Namespace objects must not join another set's inventory.
    "adversarial": ["adversarial"],
    "removals": ["removals"],
}


def _dataset(request, name: str) -> SampleSet:
    if name == "fixtures":
        return cases_as_samples(request.getfixturevalue("reference_plan"))[0]
    fixture = {
        "reference-samples": "reference_samples",
        "malformed": "malformed_set",
        "edges": "edge_set",
        "corpus": "corpus_samples",
        "mutations": "mutation_set",
        "corpus-api-token": "corpus_api_token_set",
        "adversarial": "adversarial_samples",
        "removals": "removal_set",
    }[name]
    value = request.getfixturevalue(fixture)
    return value.samples if name == "removals" else value[0] if isinstance(value, tuple) else value


def _run(engine: str, plan, samples: SampleSet, opa_server):
    require_tool(tools.ENGINE_TOOLS[engine])
    if engine != "opa":
        return pg.evaluate(plan, engine, samples)
    import tempfile

    from policygen.pipeline import unread_templates

    with tempfile.TemporaryDirectory() as tmp:
        dist = Path(tmp) / "dist"
        write_tree(render_all(plan, ["rego"]), dist)
        # What pg.evaluate adds to every engine's verdicts: containers no rule reads are not evaluated.
        return unread_templates(plan, samples.resources, OpaEngine(opa_server).evaluate(dist, plan, samples))


class EvalCache:
    """Judges each spec's bundle of data sets once per engine and session, and hands out slices."""

    def __init__(self, request):
        self._request = request
        self._cache: dict = {}

    def __call__(self, engine: str, plan, dataset: str, samples: SampleSet):
        bundle = next((b for b, names in BUNDLES.items() if dataset in names), None)
        if bundle is None:  # a test's own data set: judged once, on its own
            key = (engine, id(plan), dataset)
            if key not in self._cache:
                self._cache[key] = _run(engine, plan, samples, self._request.getfixturevalue("opa_server"))
            return self._cache[key]
        key = (engine, id(plan), bundle)
        if key not in self._cache:
            parts = {name: _dataset(self._request, name) for name in BUNDLES[bundle]}
            merged = SampleSet([res for part in parts.values() for res in part.resources])
            verdicts = _run(engine, plan, merged, self._request.getfixturevalue("opa_server"))
            offset, slices = 0, {}
            for name, part in parts.items():
                slices[name] = verdicts[offset:offset + len(part.resources)]
                offset += len(part.resources)
            self._cache[key] = slices
        found = self._cache[key][dataset]
        assert [(v.file, v.index) for v in found] == [(r.file, r.index) for r in samples.resources], (
            f"{dataset}: the test's samples are not the bundle's"
        )
        return found


@pytest.fixture(scope="session")
def judge(request):
    return EvalCache(request)


@pytest.fixture(scope="session")
def reference_samples() -> SampleSet:
    if not REFERENCE_SAMPLES.is_dir():
        pytest.fail(f"{REFERENCE_SAMPLES} is missing")
    return load_samples([REFERENCE_SAMPLES])


@pytest.fixture(scope="session")
def adversarial_samples() -> SampleSet:
    if not ADVERSARIAL_SAMPLES.is_dir():
        pytest.fail(f"{ADVERSARIAL_SAMPLES} is missing")
    return load_samples([ADVERSARIAL_SAMPLES])


@pytest.fixture(scope="session")
def corpus_samples() -> SampleSet:
    files = sorted(CORPUS.glob("*.injected"))
    if len(files) != 120:
        pytest.fail(f"expected the 120 files of {CORPUS}, found {len(files)}")
    return load_samples(files)


@pytest.fixture(scope="session")
def corpus_api_token_set(corpus_samples) -> SampleSet:
    """The corpus as a cluster stores it: with the API token mount the ServiceAccount plugin adds to every
    container, the injector's sidecars included (tests/mutations.py with_api_token)."""
    from .mutations import with_api_token

    return SampleSet([Resource(r.file, r.index, _plain_review(with_api_token(r.object)), with_api_token(r.object))
                      for r in corpus_samples.resources])


@pytest.fixture(scope="session")
def malformed_set(reference_plan) -> SampleSet:
    from .malformed import malformed_pods

    pods = malformed_pods(reference_plan)
    return SampleSet([Resource(f"malformed:{name}", i, _plain_review(pod), pod) for i, (name, pod) in enumerate(pods)])


@pytest.fixture(scope="session")
def edge_set(reference_plan) -> tuple[SampleSet, list[frozenset[str]]]:
    from .edges import edge_cases

    cases = edge_cases(reference_plan)
    resources = [Resource(f"edge:{name}", i, _plain_review(obj), obj) for i, (name, obj, _) in enumerate(cases)]
    return SampleSet(resources), [rules for _, _, rules in cases]


@pytest.fixture(scope="session")
def mutation_set(corpus_samples):
    from .mutations import mutate_all

    resources, rules = [], []
    for name, rule, obj in mutate_all([r.object for r in corpus_samples.resources]):
        resources.append(Resource(f"mutation:{name}", len(resources), _plain_review(obj), obj))
        rules.append(rule)
    return SampleSet(resources), rules


# Removal mutants (tests/adversarial/removals.py): each (field, denied) pair and each removal the API
# server refuses from a denied original first. gator verify costs most per resource: it judges a seeded
# subset of the same sample, beside only the originals its removals come from.
REMOVALS = 1500
GATOR_REMOVALS = 400
REMOVAL_SEED = 20261206


@pytest.fixture(scope="session")
def removal_sets(reference_samples, reference_plan):
    """(the sample every engine but gator judges, gator's subset of it)."""
    from .adversarial.removals import assemble, every_removal, sample

    everything = every_removal(reference_samples, reference_plan)
    chosen = sample(everything, REMOVALS, REMOVAL_SEED)
    subset = sample(chosen, GATOR_REMOVALS, REMOVAL_SEED + 1)
    return (assemble(reference_samples, reference_plan, chosen, len(everything)),
            assemble(reference_samples, reference_plan, subset, len(everything), all_originals=False))


@pytest.fixture(scope="session")
def removal_set(removal_sets):
    return removal_sets[0]


@pytest.fixture(scope="session")
def local_cluster():
    """One local control plane (etcd + kube-apiserver on 127.0.0.1) for the whole session."""
    from policygen.cluster import LocalCluster

    for name in tools.CLUSTER_TOOLS:
        require_tool(name)
    with LocalCluster() as cluster:
        yield cluster


@pytest.fixture(scope="session")
def kyverno_controller(local_cluster):
    """The Kyverno admission controller, one process for the session, in the session's control plane."""
    from policygen.cluster.admission import KyvernoController

    require_tool("kyverno-controller")
    controller = KyvernoController(local_cluster)
    try:
        controller.start()
        yield controller
    finally:
        controller.stop()
