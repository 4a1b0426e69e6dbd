"""One resource never breaks a batch: poison resources among good ones, in opa, conftest and gator.

Each poison is something a real engine (or the encoder in front of it) fails
on. The batch mixes them with generated fixture cases: every fixture must get
its right verdict, and every poison a verdict of its own that is never
"allowed": judged where the engine can, else denied as ENGINE/unjudged with
the engine's reason. Only an engine broken for everything stops a run.
"""

from __future__ import annotations

import copy

import pytest

from policygen.engines.conftest import ConftestEngine
from policygen.errors import EngineError
from policygen.fixtures import baseline_pod
from policygen.output import write_tree
from policygen.pipeline import render_all
from policygen.samples import Resource, SampleSet, _plain_review
from policygen.verdicts import ENGINE_CHECK, ENGINE_RULE

from .conftest import cases_as_samples, require_tool

ENGINES = ["opa", "conftest", "gator", "kyverno", "vap"]


def _deep(depth: int):
    value: dict = {}
    for _ in range(depth):
        value = {"a": value}
    return value


def poisons(plan) -> dict[str, dict]:
    """Name -> a resource some engine cannot take; each is otherwise a baseline Pod with one hostile field."""
    pod, _ = baseline_pod(plan)
    sidecar = next(i for i, c in enumerate(pod["spec"]["containers"]) if c["name"] == "istio-proxy")
    out = {}
    # Python's encoder (so no engine) takes ~1000 levels: the resource cannot even be sent.
    deep = copy.deepcopy(pod)
    deep["metadata"]["labels"] = {"app": "shop", "x": _deep(1500)}
    out["too-deep"] = deep
    # Not JSON: NaN has no JSON form.
    nan = copy.deepcopy(pod)
    nan["spec"]["containers"][sidecar]["resources"]["limits"]["cpu"] = float("nan")
    out["nan"] = nan
    # A 400-digit integer: conftest's parser rejects the whole file set; gator reads it back as another number.
    huge_int = copy.deepcopy(pod)
    huge_int["spec"]["containers"][sidecar]["securityContext"]["runAsUser"] = 10**400
    out["huge-int"] = huge_int
    # Deep but encodable, and a 1 MB annotation value.
    nested = copy.deepcopy(pod)
    nested["metadata"]["annotations"]["sidecar.istio.io/status"] = "{" * 200_000
    nested["spec"]["containers"][sidecar]["env"].append({"name": "X", "value": _deep(400)})
    out["big-and-nested"] = nested
    # Deeper still and encodable (Python's encoder takes ~1000 levels): a recursive walk in front of an
    # engine would exhaust Python's recursion limit on it, where each engine must judge or deny it.
    deeper = copy.deepcopy(pod)
    deeper["spec"]["containers"][sidecar]["env"].append({"name": "Y", "value": _deep(800)})
    deeper["spec"]["containers"][sidecar]["securityContext"]["privileged"] = True
    out["deep-encodable"] = deeper
    # gator cannot store an object whose metadata.name is not a string.
    named = copy.deepcopy(pod)
    named["metadata"]["name"] = {"evil": True}
    named["spec"]["containers"][sidecar]["securityContext"]["privileged"] = True
    out["name-not-a-string"] = named
    # An apiVersion Kubernetes cannot parse as group/version; the Rego reads only the kind.
    version = copy.deepcopy(pod)
    version["apiVersion"] = "v1/extra/parts"
    version["spec"]["containers"][sidecar]["securityContext"]["privileged"] = True
    out["api-version-unparseable"] = version
    # A Namespace goes into every batch's inventory: one no engine can decode must not fail them all.
    out["namespace-huge-int"] = {"apiVersion": "v1", "kind": "Namespace",
                                 "metadata": {"name": "kube-public", "labels": {"istio-injection": "enabled", "n": 10**400}}}
    return out


@pytest.fixture(scope="module")
def poisoned(reference_plan):
    fixtures, by_index = cases_as_samples(reference_plan)
    # Every fourth fixture case (and the Namespaces it needs), so that each engine bisects a small batch.
    keep = [i for i in sorted(by_index) if i % 4 == 0]
    picked = []
    for i in keep:
        picked.append((fixtures.resources[i], by_index[i]))
        j = i + 1
        while j < len(fixtures.resources) and j not in by_index:
            picked.append((fixtures.resources[j], None))
            j += 1
    bad = poisons(reference_plan)
    resources, roles = [], []
    names = list(bad)
    for k, (res, case) in enumerate(picked):
        resources.append(Resource(res.file, len(resources), res.review, res.source, None, res.from_admission_review))
        roles.append(("case", case))
        if k % max(1, len(picked) // len(names)) == 0 and names:
            name = names.pop(0)
            resources.append(Resource(f"poison:{name}", len(resources), _plain_review(bad[name]), bad[name]))
            roles.append(("poison", name))
    for name in names:
        resources.append(Resource(f"poison:{name}", len(resources), _plain_review(bad[name]), bad[name]))
        roles.append(("poison", name))
    return SampleSet(resources), roles


@pytest.mark.parametrize("engine", ENGINES)
def test_poison_resources_never_break_a_batch(engine, judge, reference_plan, poisoned):
    samples, roles = poisoned
    verdicts = judge(engine, reference_plan, "poisoned", samples)
    assert len(verdicts) == len(samples.resources)
    wrong, unjudged = [], []
    for verdict, (role, what) in zip(verdicts, roles, strict=True):
        if role == "poison":
            if verdict.allowed:
                wrong.append(f"poison {what}: allowed")
            if ENGINE_RULE in verdict.rules:
                unjudged.append(what)
                engine_violations = [v for v in verdict.violations if v.rule == ENGINE_RULE]
                assert all(v.check == ENGINE_CHECK and v.message.startswith(f"ENGINE/{ENGINE_CHECK} {engine} ") for v in engine_violations)
            continue
        if ENGINE_RULE in verdict.rules:
            wrong.append(f"{verdict.file}: unjudged: {[v.message for v in verdict.violations]}")
        elif what is not None and what.fails and what.rule_id not in verdict.rules:
            wrong.append(f"{what.rule_id}/{what.name}: not denied: {sorted(verdict.rules)}")
        elif what is not None and not what.fails and not verdict.allowed:
            wrong.append(f"{what.rule_id}/{what.name}: denied: {[v.message for v in verdict.violations]}")
    assert wrong == []
    # Neither Python's encoder nor any engine takes these: they are the engine's own verdicts, not skipped.
    assert {"too-deep", "nan"} <= set(unjudged)
    if engine == "conftest":
        assert {"huge-int", "namespace-huge-int"} <= set(unjudged)  # its parser rejects the whole file set
    # No API server parses it, gator and the Kyverno CLI fail the whole batch on it: every engine denies it
    # unjudged, without sending it (kinds.unserved).
    assert "api-version-unparseable" in unjudged
    assert sum(role == "case" and what is not None for role, what in roles) >= 12


def test_opa_judges_what_it_can_of_the_poisons(judge, reference_plan, poisoned):
    samples, roles = poisoned
    verdicts = judge("opa", reference_plan, "poisoned", samples)
    by_name = {what: v for v, (role, what) in zip(verdicts, roles) if role == "poison"}
    assert ("SC004", "field-mismatch") in by_name["huge-int"].checks
    assert ("SC003", "status-malformed") in by_name["big-and-nested"].checks
    assert ("SC004", "field-mismatch") in by_name["name-not-a-string"].checks
    assert by_name["api-version-unparseable"].rules == {ENGINE_RULE}
    assert by_name["api-version-unparseable"].violations[0].message.endswith("apiVersion 'v1/extra/parts' is not a version or group/version")
    assert ("CP004", "excluded-injection-on") in by_name["namespace-huge-int"].checks


def test_an_engine_broken_for_everything_is_an_engine_error(tmp_path, reference_plan):
    require_tool("conftest")
    dist = tmp_path / "dist"
    write_tree(render_all(reference_plan, ["rego"]), dist)
    main = dist / "rego" / "main.rego"
    main.write_text(main.read_text().replace("import data.policygen", "import data.policygen("), encoding="utf-8")
    pod, _ = baseline_pod(reference_plan)
    samples = SampleSet([Resource("pod", 0, _plain_review(pod), pod)])
    with pytest.raises(EngineError, match="broken for the whole run"):
        ConftestEngine().evaluate(dist, reference_plan, samples)


def test_an_interrupted_run_ends_its_engine_processes_and_starts_no_more():
    # A red team (2026-12-05): after SIGTERM, `eval --engine gator` went on bisecting its batch for 20 s,
    # starting gator after gator, since the worker threads that run the engine never see a signal. The
    # interrupt lands in the main thread while a worker's engine process (a long sleep here) runs.
    import signal
    import subprocess

    from policygen.engines import runner

    calls: list[int] = []
    ended: list[int] = []

    def judge(batch):
        calls.append(len(batch))
        proc = runner.run(["sleep", "8"])  # killed when the run is interrupted: no answer comes back
        ended.append(proc.returncode)
        raise runner.BatchFailed("no answer")  # what the adapter would make of it, bisecting further

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 1.0)
    try:
        with pytest.raises(KeyboardInterrupt):
            list(runner.isolate_stream("test", [[(i, object()) for i in range(8)]], judge))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert calls in ([8], []), calls  # the first batch's process (if it started), and no bisected half after it
    assert ended == []  # its process was killed: run() raised RunInterrupted instead of answering
    assert not subprocess.run(["pgrep", "-f", "^sleep 8$", "-P", str(__import__("os").getpid())],
                              capture_output=True, text=True).stdout
