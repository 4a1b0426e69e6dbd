"""The 120 real outputs of Istio's injector, judged under tests/corpus/spec.yaml.

Each resource's verdict and rule IDs are written in tests/corpus/expected.yaml,
reasoned from the spec and docs/semantics.md (see tests/corpus/README.md).
"""

from pathlib import Path

import pytest
import yaml

from .conftest import CORPUS, CORPUS_SPEC

EXPECTED = Path(__file__).parent / "corpus" / "expected.yaml"


def _expected():
    table = yaml.safe_load(EXPECTED.read_text(encoding="utf-8"))
    out = {}
    for file, entries in table.items():
        for entry in entries:
            words = entry["expect"].split()
            out[(file, entry["index"])] = (words[0] == "allow", frozenset(words[1:]), entry.get("reason", ""))
    return out


def test_every_corpus_file_is_labelled(corpus_samples):
    labelled = {f for f, _ in _expected()}
    assert labelled == {p.name for p in CORPUS.glob("*.injected")}
    assert {(Path(r.file).name, r.index) for r in corpus_samples.resources} == set(_expected())


@pytest.mark.parametrize("engine", ["opa", "conftest", "gator", "kyverno", "vap"])
def test_corpus_verdicts_match_the_labels(judge, corpus_plan, corpus_samples, engine):
    verdicts = judge(engine, corpus_plan, "corpus", corpus_samples)
    expected = _expected()
    wrong = []
    for res, verdict in zip(corpus_samples.resources, verdicts):
        allowed, rules, reason = expected[(Path(res.file).name, res.index)]
        if verdict.rules != rules:
            wrong.append(f"{Path(res.file).name}#{res.index}: expected {sorted(rules) or 'allow'} ({reason[:80]}), got "
                         f"{[v.message for v in verdict.violations]}")
    assert wrong == [], "\n".join(wrong)
    allowed_count = sum(v.allowed for v in verdicts)
    # Most real injector output is allowed; the denials are the files that use what the spec forbids.
    assert allowed_count >= len(verdicts) // 2


@pytest.mark.parametrize("engine", ["opa", "conftest", "gator", "kyverno", "vap"])
def test_the_api_token_mount_of_a_cluster_changes_no_verdict(judge, corpus_plan, corpus_api_token_set, engine):
    """In a cluster the ServiceAccount plugin runs again after the injector (admission reinvocation) and
    mounts the pod's API token into the sidecars too: every corpus resource keeps its labels with it."""
    verdicts = judge(engine, corpus_plan, "corpus-api-token", corpus_api_token_set)
    expected = _expected()
    wrong = [f"{Path(res.file).name}#{res.index}: expected {sorted(expected[(Path(res.file).name, res.index)][1]) or 'allow'}, "
             f"got {[v.message for v in verdict.violations]}"
             for res, verdict in zip(corpus_api_token_set.resources, verdicts)
             if verdict.rules != expected[(Path(res.file).name, res.index)][1]]
    assert wrong == [], "\n".join(wrong)
    mounted = sum(1 for res in corpus_api_token_set.resources if "kube-api-access-" in str(res.object))
    assert mounted >= 100


# The source of each of istio-proxy's volumes as Istio's injector writes it (SC006 volumeMounts.sources): none
# for the sockets and certificates (an emptyDir, as the API server defaults it), csi for SPIRE's workload socket.
INJECTOR_SOURCES = {
    "workload-socket": ["emptyDir", "csi"], "credential-socket": "emptyDir", "workload-certs": "emptyDir",
    "istio-envoy": "emptyDir", "istio-data": "emptyDir", "istio-podinfo": "downwardAPI", "istio-token": "projected",
    "istiod-ca-cert": "configMap", "istio-ca-crl": "configMap",
}


INJECTOR_PATHS = {
    "workload-socket": "/var/run/secrets/workload-spiffe-uds", "credential-socket": "/var/run/secrets/credential-uds",
    "workload-certs": "/var/run/secrets/workload-spiffe-credentials", "istio-envoy": "/etc/istio/proxy",
    "istio-data": "/var/lib/istio/data", "istio-podinfo": "/etc/istio/pod", "istio-token": "/var/run/secrets/tokens",
    "istiod-ca-cert": "/var/run/secrets/istio", "istio-ca-crl": "/var/run/secrets/istio/crl",
}

# The programs the injector's hooks run (pilot-agent's wait and drain); istio-init and istio-validation run none.
INJECTOR_EXEC = [["pilot-agent", "request"], ["pilot-agent", "wait"]]


@pytest.fixture(scope="module")
def injector_settings_plan(tmp_path_factory):
    import policygen as pg

    spec = yaml.safe_load(CORPUS_SPEC.read_text(encoding="utf-8"))
    for sidecar in spec["spec"]["sidecars"]:
        sidecar["execHandlers"] = {"allowed": INJECTOR_EXEC if sidecar["name"] == "istio-proxy" else []}
        # At the corpus's commit the injector writes native sidecars and puts them, istio-init first, before the
        # app's init containers. With classic sidecars it puts istio-init last on purpose (reorderPod in Istio's
        # pkg/kube/inject/webhook.go), which this option denies: README, Known limits (red team 16a).
        sidecar["beforeAppInitContainers"] = "initContainers" in sidecar["placement"]
    proxy = next(s for s in spec["spec"]["sidecars"] if s["name"] == "istio-proxy")
    proxy["volumeMounts"]["sources"] = INJECTOR_SOURCES
    proxy["volumeMounts"]["paths"] = INJECTOR_PATHS
    # The injector writes no hostAliases, dnsPolicy or dnsConfig of its own.
    spec["spec"].setdefault("pod", {})["forbidCustomNameResolution"] = True
    path = tmp_path_factory.mktemp("injector-settings") / "spec.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return pg.build_plan(pg.load_spec(path))


@pytest.mark.parametrize("engine", ["opa", "vap"])
def test_the_injectors_volume_sources_paths_and_exec_handlers_change_no_verdict(judge, injector_settings_plan, corpus_samples,
                                                                          engine):
    """A spec that names each proxy volume's source and path and each hook's program as the injector writes them,
    and forbids custom name resolution, keeps every corpus label (options beyond SPEC.md: volumeMounts.sources and
    paths, execHandlers, beforeAppInitContainers, forbidCustomNameResolution)."""
    verdicts = judge(engine, injector_settings_plan, "corpus-injector-settings", corpus_samples)
    expected = _expected()
    wrong = [f"{Path(res.file).name}#{res.index}: got {[v.message for v in verdict.violations]}"
             for res, verdict in zip(corpus_samples.resources, verdicts)
             if verdict.rules != expected[(Path(res.file).name, res.index)][1]]
    assert wrong == [], "\n".join(wrong)
    assert len(verdicts) == len(corpus_samples.resources) == 125


def test_capture_containers_change_no_corpus_verdict(judge, corpus_samples, tmp_path):
    """injection.captureContainers (an option beyond SPEC.md) allows every corpus pod the corpus spec allows: only
    the three pods without istio-init or istio-validation (a gateway beside an app container, the grpc-agent
    template, interceptionMode NONE), which other rules deny already, gain SC009/capture-missing."""
    import policygen as pg

    spec = yaml.safe_load(CORPUS_SPEC.read_text(encoding="utf-8"))
    spec["spec"]["injection"]["captureContainers"] = ["istio-init", "istio-validation"]
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    verdicts = judge("opa", pg.build_plan(pg.load_spec(path)), "corpus-capture", corpus_samples)
    expected = _expected()
    gained = sorted(Path(res.file).name for res, verdict in zip(corpus_samples.resources, verdicts)
                    if verdict.rules != expected[(Path(res.file).name, res.index)][1])
    assert gained == ["gateway-with-default-container.yaml.injected", "grpc-agent.yaml.injected",
                      "init-no-intercept-no-native-sidecar.yaml.injected"]
    for res, verdict in zip(corpus_samples.resources, verdicts):
        want = expected[(Path(res.file).name, res.index)][1]
        assert verdict.rules - want <= {"SC009"} and want <= verdict.rules, res.file
        if Path(res.file).name in gained:
            assert want and ("SC009", "capture-missing") in verdict.checks, res.file


def test_opa_and_conftest_agree_on_the_corpus(judge, corpus_plan, corpus_samples):
    opa = judge("opa", corpus_plan, "corpus", corpus_samples)
    conftest = judge("conftest", corpus_plan, "corpus", corpus_samples)
    differ = [f"{a.file}#{a.index}" for a, b in zip(opa, conftest) if (a.allowed, a.rules) != (b.allowed, b.rules)]
    assert differ == []
