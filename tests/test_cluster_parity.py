"""Real admission in the local control plane, each backend's dist/ installed with `kubectl apply -k`.

Every labelled reference sample gets its verdict, every real Istio-injected
corpus resource is admitted, and each backend agrees with OPA resource by
resource. What the real API server does that offline runners cannot is
stated, never hidden: a resource the server refuses before admission is a
denial by APISERVER, and a kind it never sends to admission (webhook
configurations, CP001) comes back with that rule not evaluated.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from policygen import tools
from policygen.backends import all_backends
from policygen.cluster.denials import API_SERVER_RULE
from policygen.cluster.processes import ClusterError
from policygen.engines.cluster import BACKENDS, ClusterEngine, not_sent
from policygen.engines.opa import OpaEngine
from policygen.output import write_tree
from policygen.pipeline import render_all

from .conftest import ROOT, require_tool

# Every cluster backend policygen.backends provides: vap joins as soon as its backend exists.
PROVIDED = [b for b in BACKENDS if b in {x.name for x in all_backends()}]


def _legacy_kyverno() -> bool:
    """Whether the Kyverno backend still renders kyverno.io/v1 ClusterPolicies (before the CEL rewrite)."""
    import yaml

    for path in (ROOT / "dist" / "reference" / "kyverno").glob("*/*.yaml"):
        if any(isinstance(d, dict) and d.get("kind") == "ClusterPolicy" for d in yaml.safe_load_all(path.read_text())):
            return True
    return False


# Measured: the real Kyverno admission controller refuses 11 of the 17 generated ClusterPolicies
# ("background scan enabled with subresource Pod/ephemeralcontainers"; the kyverno CLI does not check
# this), so they cannot be installed. The ValidatingPolicy rewrite (issue 9) replaces them; strict, so
# that the day they install this mark must go.
_KYVERNO_REFUSED = pytest.mark.xfail(
    _legacy_kyverno(), strict=True, raises=ClusterError,
    reason="Kyverno's policy webhook refuses ClusterPolicies with background: true that match Pod/ephemeralcontainers")
BACKEND_PARAMS = [pytest.param(b, marks=_KYVERNO_REFUSED) if b == "kyverno" else b for b in PROVIDED]


class Runs:
    """Each (backend, spec) judged once per session in the local cluster; opa once per spec."""

    def __init__(self, cluster, opa_server, request):
        self.cluster, self.opa_server, self.request = cluster, opa_server, request
        self.cache: dict = {}
        self.stats: dict = {}

    def cluster_verdicts(self, backend, plan, samples):
        key = (backend, id(plan), id(samples))
        if key not in self.cache:
            for name in tools.CLUSTER_BACKEND_TOOLS[backend]:
                require_tool(name)
            # Kyverno runs once per session; Gatekeeper is started by the engine for each install.
            controller = self.request.getfixturevalue("kyverno_controller") if backend == "kyverno" else None
            engine = ClusterEngine(backend, cluster=self.cluster, controller=controller)
            with tempfile.TemporaryDirectory() as tmp:
                dist = Path(tmp) / "dist"
                write_tree(render_all(plan, [backend]), dist)
                self.cache[key] = engine.evaluate(dist, plan, samples)
            self.stats[key] = dict(engine.stats)
        return self.cache[key]

    def opa_verdicts(self, plan, samples):
        key = ("opa", id(plan), id(samples))
        if key not in self.cache:
            with tempfile.TemporaryDirectory() as tmp:
                dist = Path(tmp) / "dist"
                write_tree(render_all(plan, ["rego"]), dist)
                self.cache[key] = OpaEngine(self.opa_server).evaluate(dist, plan, samples)
        return self.cache[key]


@pytest.fixture(scope="session")
def runs(local_cluster, opa_server, request):
    yield (r := Runs(local_cluster, opa_server, request))
    for (backend, _, _), stats in r.stats.items():
        if stats.get("seconds"):
            print(f"\n[cluster {backend}] {stats['requests']:.0f} dry-runs in {stats['seconds']:.1f}s "
                  f"({stats['requests'] / stats['seconds']:.0f}/s); installed to enforced in {stats.get('install_to_enforced_s', 0):.1f}s")


# The API server reports only the first ValidatingAdmissionPolicy that denies (a binding may not
# both Deny and Warn), so under vap a denial names one of the rules, never all of them.
FIRST_DENIAL_ONLY = frozenset({"vap"})
# Kyverno registers several webhooks (one for its ClusterPolicies, one for CEL policies, and a
# fine-grained one per CEL policy with match conditions); the API server reports the first webhook
# that denies, which names all of its own policies' rules: a denial names some of the rules, never others.
FIRST_WEBHOOK_ONLY = frozenset({"kyverno"})


def _agrees(backend: str, said: set, want: set) -> bool:
    if backend in FIRST_DENIAL_ONLY and want:
        return len(said) == 1 and said <= want
    if backend in FIRST_WEBHOOK_ONLY and want:
        return bool(said) and said <= want
    return said == want


# Inputs whose only offline violation is a list written as null: offline it is denied as malformed
# (fail closed), while the API server decodes null as an absent list before admission, so the
# object that reaches the policies has no such list and nothing to deny. Measured, per input.
NULL_READ_AS_ABSENT = {
    "fixture:SC003:containers_null": {("SC003", "pod-spec-malformed")},  # initContainers: null
}


def _compare(opa, real, backend):
    """Differences between opa and real admission that no documented reason explains."""
    differ = []
    for o, c in zip(opa, real, strict=True):
        where = f"{o.file}#{o.index} {o.kind} {o.namespace}/{o.name}"
        if c.rules == {API_SERVER_RULE}:
            # Refused by the API server before admission: a denial, never of something opa admits,
            # except the measured corpus objects that are not valid Kubernetes objects at all.
            if o.allowed and (Path(o.file).name, o.index) not in REFUSED_BEFORE_ADMISSION:
                differ.append(f"{where}: opa allows, the API server refuses it: {c.violations[0].message[:200]}")
            continue
        if o.file in NULL_READ_AS_ABSENT and c.allowed and {(v.rule, v.check) for v in o.violations} == NULL_READ_AS_ABSENT[o.file]:
            continue
        skip = set(o.not_evaluated) | set(c.not_evaluated)
        if o.kind in not_sent(backend):
            assert c.not_evaluated, where  # never a silent "allowed"
        if not _agrees(backend, c.rules - skip, o.rules - skip):
            differ.append(f"{where}: opa {sorted(o.rules - skip) or 'allow'} vs {backend} {sorted(c.rules - skip) or 'allow'}"
                          f" {[v.message[:160] for v in c.violations]}")
    return differ


@pytest.mark.parametrize("backend", BACKEND_PARAMS)
def test_reference_samples_in_real_admission(runs, reference_plan, reference_samples, backend):
    assert "gatekeeper" in PROVIDED
    for backend in [backend]:
        verdicts = runs.cluster_verdicts(backend, reference_plan, reference_samples)
        wrong = []
        for res, v in zip(reference_samples.resources, verdicts, strict=True):
            if res.expect is None:
                continue
            skip = set(v.not_evaluated)
            want = set(res.expect.rules) - skip
            # Refused by the API server before admission: right only for a sample that must be denied.
            ok = not res.expect.allowed if API_SERVER_RULE in v.rules else _agrees(backend, set(v.rules), want)
            if not ok:
                wrong.append(f"{res.label} {res.kind}/{res.name}: expected {res.expect.describe()}, "
                             f"{backend} said {[x.message[:160] for x in v.violations] or 'allow'} (not evaluated {sorted(skip)})")
        assert wrong == [], "\n".join(wrong)
        assert _compare(runs.opa_verdicts(reference_plan, reference_samples), verdicts, backend) == []


# Corpus resources (test inputs of Istio's injector, not objects from a cluster) that a real API
# server refuses before any admission, measured; each must stay refused, with the field named.
REFUSED_BEFORE_ADMISSION = {
    ("only-proxy-container.yaml.injected", 0): "spec.template.spec.containers",  # no containers: required
    ("sidecar-spire.yaml.injected", 0): "spec.template.spec.containers[1].image",  # a second istio-proxy with no image
    ("status_annotations.yaml.injected", 0): "metadata.name",  # "statusPort": not a lowercase RFC 1123 name
    ("status_annotations_zeroport.yaml.injected", 0): "metadata.name",
    ("status_params.yaml.injected", 0): "metadata.name",
    ("user-volume.yaml.injected", 0): "spec.template.spec.volumes[10].configMap.items[0].path",
}


@pytest.mark.parametrize("backend", BACKEND_PARAMS)
def test_istio_corpus_in_real_admission(runs, corpus_plan, corpus_samples, backend):
    """The real injector output gets its labelled verdict (tests/corpus/expected.yaml) from the real API server."""
    from .test_corpus import _expected

    expected = _expected()
    for backend in [backend]:
        verdicts = runs.cluster_verdicts(backend, corpus_plan, corpus_samples)
        wrong = []
        for res, v in zip(corpus_samples.resources, verdicts, strict=True):
            allowed, rules, reason = expected[(Path(res.file).name, res.index)]
            refused = REFUSED_BEFORE_ADMISSION.get((Path(res.file).name, res.index))
            if refused is not None:
                if v.rules != {API_SERVER_RULE} or refused not in v.violations[0].message:
                    wrong.append(f"{Path(res.file).name}#{res.index}: expected a refusal naming {refused}, got {v.violations}")
                continue
            if not _agrees(backend, set(v.rules), rules - set(v.not_evaluated)):
                wrong.append(f"{Path(res.file).name}#{res.index} {res.kind}/{res.name}: expected {sorted(rules) or 'allow'} "
                             f"({reason[:80]}), {backend} said {[x.message[:200] for x in v.violations] or 'allow'}")
        assert wrong == [], "\n".join(wrong)
        assert sum(v.allowed for v in verdicts) >= len(verdicts) // 2
        assert _compare(runs.opa_verdicts(corpus_plan, corpus_samples), verdicts, backend) == []


@pytest.mark.parametrize("backend", BACKEND_PARAMS)
def test_fixtures_and_mutations_in_real_admission(runs, reference_plan, corpus_plan, mutation_set, backend):
    """Every generated fixture (AdmissionReviews keep their operation and user) and every malicious mutation of
    the corpus, through the real admission chain: in parity with opa, and each mutation denied (by its rule, or
    refused by the API server before admission)."""
    from .conftest import cases_as_samples

    fixtures = cases_as_samples(reference_plan)[0]
    verdicts = runs.cluster_verdicts(backend, reference_plan, fixtures)
    assert _compare(runs.opa_verdicts(reference_plan, fixtures), verdicts, backend) == []
    samples, rules = mutation_set
    verdicts = runs.cluster_verdicts(backend, corpus_plan, samples)
    assert len(verdicts) >= 100
    missed = [f"{v.file} {v.kind}/{v.name}: {rule} not in {sorted(v.rules) or 'allow'}"
              for v, rule in zip(verdicts, rules, strict=True)
              if v.allowed and rule not in v.not_evaluated]
    assert missed == []
    assert _compare(runs.opa_verdicts(corpus_plan, samples), verdicts, backend) == []


@pytest.fixture(scope="session")
def admission_only_samples():
    """Adversarial samples whose verdict depends on what only a real API server does with the request: pod and
    Namespace writes through their status (or finalize) subresource (labels and annotations change there), an
    object whose namespace the server
    cannot decode, and a user that HTTP cannot carry unchanged as an impersonation header."""
    from policygen.samples import SampleSet, load_samples

    loaded = load_samples(sorted((ROOT / "samples" / "adversarial").glob("*.yaml")))

    def picked(res) -> bool:
        request = res.source.get("request") if res.from_admission_review else None
        user = (res.review.get("userInfo") or {}).get("username")
        meta = res.object.get("metadata") if isinstance(res.object.get("metadata"), dict) else {}
        return ((isinstance(request, dict) and request.get("subResource") in ("status", "finalize"))
                or (isinstance(user, str) and user != user.strip())
                or not isinstance(meta.get("namespace", ""), str))

    chosen = SampleSet([res for res in loaded.resources if picked(res)])
    assert len(chosen.resources) >= 11, [r.label for r in chosen.resources]
    return chosen


@pytest.mark.parametrize("backend", BACKEND_PARAMS)
def test_admission_only_samples_in_real_admission(runs, reference_plan, admission_only_samples, backend):
    """A status write that changes a pod's labels or annotations is judged like any update of the pod, one that
    changes neither (the kubelet's) is left alone; what the engine cannot send as written is denied, never
    reported allowed."""
    verdicts = runs.cluster_verdicts(backend, reference_plan, admission_only_samples)
    wrong = []
    for res, v in zip(admission_only_samples.resources, verdicts, strict=True):
        if res.expect.allowed != v.allowed or (v.rules and not v.rules & ({API_SERVER_RULE, "ENGINE"} | set(res.expect.rules))):
            wrong.append(f"{res.label} {res.kind}/{res.name}: expected {res.expect.describe()}, "
                         f"{backend} said {[x.message[:160] for x in v.violations] or 'allow'}")
    assert wrong == [], "\n".join(wrong)
