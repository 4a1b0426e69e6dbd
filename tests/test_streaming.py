"""Chunked, concurrent, streamed judging gives the verdicts of one batch, in the same order.

The OPA adapter sends resources in chunks, several queries in flight, and
`policygen eval` spools its inputs instead of holding them (opa, conftest,
gator and kyverno judge from the spool); none of that may change a verdict, its
order, or what a poison resource gets.
"""

from __future__ import annotations

import dataclasses
import json
import tempfile
from pathlib import Path

import pytest

from policygen import tools
from policygen.engines import get_engine, runner
from policygen.engines.kyverno import KyvernoEngine
from policygen.engines.opa import OpaEngine
from policygen.errors import InputError
from policygen.output import write_tree
from policygen.pipeline import render_all, streams
from policygen.samples import iter_files, load_samples
from policygen.spool import Spool

from .conftest import ADVERSARIAL_SAMPLES, CORPUS, REFERENCE_SAMPLES, require_tool
from .test_batch_isolation import poisoned  # noqa: F401  (the fixture)
from .test_jobs import _comparable


def _opa(plan, samples, server, *, chunk: int, jobs: int):
    with tempfile.TemporaryDirectory() as tmp:
        dist = Path(tmp) / "dist"
        write_tree(render_all(plan, ["rego"]), dist)
        return [v.to_json() for v in OpaEngine(server, chunk=chunk, jobs=jobs).evaluate(dist, plan, samples)]


def _spooled(plan, paths, server, *, chunk: int, jobs: int):
    with tempfile.TemporaryDirectory() as tmp, Spool() as spool:
        dist = Path(tmp) / "dist"
        write_tree(render_all(plan, ["rego"]), dist)
        for found in iter_files(paths):
            spool.extend(found)
        return [v.to_json() for v in OpaEngine(server, chunk=chunk, jobs=jobs).evaluate_spooled(dist, plan, spool)]


@pytest.mark.parametrize("which", ["corpus", "adversarial"])
def test_chunks_and_workers_change_no_verdict(which, request, opa_server):
    require_tool("opa")
    plan = request.getfixturevalue("corpus_plan" if which == "corpus" else "reference_plan")
    samples = request.getfixturevalue(f"{which}_samples")
    one_batch = _opa(plan, samples, opa_server, chunk=10**9, jobs=1)
    assert len(one_batch) == len(samples.resources)
    assert any(not v["allowed"] for v in one_batch) or which == "corpus"
    for chunk, jobs in ((1, 2), (7, 2), (7, 1), (64, 3)):
        assert _opa(plan, samples, opa_server, chunk=chunk, jobs=jobs) == one_batch, (chunk, jobs)


@pytest.mark.parametrize("which", ["corpus", "adversarial"])
def test_the_spool_gives_what_the_loaded_samples_give(which, request, opa_server):
    require_tool("opa")
    plan = request.getfixturevalue("corpus_plan" if which == "corpus" else "reference_plan")
    samples = request.getfixturevalue(f"{which}_samples")
    paths = sorted(CORPUS.glob("*.injected")) if which == "corpus" else [ADVERSARIAL_SAMPLES]
    loaded = _opa(plan, samples, opa_server, chunk=10**9, jobs=1)
    assert _spooled(plan, paths, opa_server, chunk=5, jobs=2) == loaded


def test_poisons_get_the_same_verdicts_in_chunks(reference_plan, poisoned, opa_server):  # noqa: F811
    require_tool("opa")
    samples, roles = poisoned
    one_batch = _opa(reference_plan, samples, opa_server, chunk=10**9, jobs=1)
    chunked = _opa(reference_plan, samples, opa_server, chunk=3, jobs=2)
    assert chunked == one_batch
    # The poisons Python cannot encode are failed without a query, in their own places.
    for verdict, (role, what) in zip(chunked, roles, strict=True):
        if role == "poison" and what in ("too-deep", "nan"):
            assert [v["rule"] for v in verdict["violations"]] == ["ENGINE"], what


def test_a_spooled_resource_is_one_line_of_the_json_sent(tmp_path):
    doc = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a\nb", "namespace": "x"},
           "data": {"k": "line one\nline two\u2028\u0000"}}
    (tmp_path / "cm.json").write_text(json.dumps(doc))
    with Spool() as spool:
        for found in iter_files([tmp_path / "cm.json"]):
            spool.extend(found)
        items = list(spool.items())
    assert len(items) == 1 and json.loads(items[0][1][1]) == doc
    assert spool.records[0].display == "ConfigMap x/a\nb"


def test_a_file_is_read_a_document_at_a_time(tmp_path):
    # A cluster dump in one file must not be parsed whole before the first resource is spooled:
    # the documents before a broken one are handed over before the broken one is read.
    pod = "apiVersion: v1\nkind: Pod\nmetadata: {{name: p{}, namespace: x}}\nspec: {{containers: [{{name: a, image: a}}]}}\n"
    path = tmp_path / "dump.yaml"
    path.write_text("---\n".join(pod.format(i) for i in range(3)) + "---\nkind: [broken\n")
    pieces = iter_files([path])
    got = [next(pieces), next(pieces), next(pieces)]
    assert [[(r.index, r.name) for r in found] for found in got] == [[(0, "p0")], [(1, "p1")], [(2, "p2")]]
    with pytest.raises(InputError, match="dump.yaml"):
        next(pieces)


def test_a_file_of_no_objects_is_settled_before_anything_is_handed_over(tmp_path):
    # Helm values then a kustomize object: not manifests, skipped whole (nothing of it spooled first).
    (tmp_path / "values.yaml").write_text("replicas: 2\n---\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n")
    (tmp_path / "mixed.yaml").write_text("replicas: 2\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\n")
    warned = []
    assert list(iter_files([tmp_path / "values.yaml"], warn=warned.append)) == [] and len(warned) == 1
    with pytest.raises(InputError, match="a document is a Kubernetes object"):
        list(iter_files([tmp_path / "mixed.yaml"]))


def test_json_lines_are_read_a_value_at_a_time(tmp_path):
    # `kubectl get -o json | jq -c '.items[]'`: one object per line, handed over one by one, each at its own line.
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"namespace": "x"}, "spec": {"containers": [{"name": "a", "image": "a"}]}}
    lines = [json.dumps({**pod, "metadata": {"name": f"p{i}", "namespace": "x"}}) for i in range(3)]
    path = tmp_path / "dump.json"
    path.write_text("\n".join(lines) + "\n\n{broken\n")
    pieces = iter_files([path])
    got = [next(pieces) for _ in range(3)]
    assert [[(r.index, r.name, r.line) for r in found] for found in got] == [[(0, "p0", 1)], [(1, "p1", 2)], [(2, "p2", 3)]]
    with pytest.raises(InputError, match="dump.json.*line 5"):
        next(pieces)


def _reread_fields(items):
    return [(i, None if res is None else (res.file, res.index, res.document, res.line, res.from_admission_review,
                                          res.source, res.review)) for i, res in items]


@pytest.mark.parametrize("paths", [[ADVERSARIAL_SAMPLES], [REFERENCE_SAMPLES], sorted(CORPUS.glob("*.injected"))],
                         ids=["adversarial", "reference", "corpus"])
def test_a_spooled_resource_is_read_back_as_the_loader_read_it(paths):
    # The CLI engines judge a spool's resources read back from their JSON lines; each must be what the
    # engine would have been sent from the loaded resource (runner.judgeable), the request included.
    loaded = [res for found in iter_files(paths) for res in found]
    with Spool() as spool:
        for found in iter_files(paths):
            spool.extend(found)
        reread = _reread_fields(spool.judgeable())
    assert reread == _reread_fields(runner.judgeable(loaded))
    assert len(reread) > 20


def test_the_read_back_request_of_every_form_is_the_loaders(tmp_path):
    # An UPDATE's old object, a request's own namespace and user, a List's items and their kind defaults,
    # YAML keys that are no strings, metadata values of null: each read back as it was first read.
    (tmp_path / "forms.yaml").write_text("""\
apiVersion: admission.k8s.io/v1
kind: AdmissionReview
request:
  operation: UPDATE
  namespace: team-a
  userInfo: {username: alice, groups: [dev]}
  subResource: status
  object: {apiVersion: v1, kind: Pod, metadata: {name: p, labels: {app: null}}}
  oldObject: {apiVersion: v1, kind: Pod, metadata: {name: p, annotations: {1: 2}}}
---
apiVersion: v1
kind: PodList
items:
- metadata: {name: a, namespace: n}
  spec: {containers: [{name: c, image: x, env: [{name: y, value: n}]}]}
- {apiVersion: v1, kind: ConfigMap, metadata: {name: b}, data: {true: yes}}
---
apiVersion: v1
kind: Namespace
metadata: {name: mesh, labels: {istio-injection: enabled}}
""", encoding="utf-8")
    loaded = [res for found in iter_files([tmp_path]) for res in found]
    with Spool() as spool:
        for found in iter_files([tmp_path]):
            spool.extend(found)
        reread = _reread_fields(spool.judgeable())
    assert len(reread) == 4
    assert reread == _reread_fields(runner.judgeable(loaded))
    assert reread[0][1][6]["oldObject"]["metadata"]["annotations"] == {"1": 2}


def test_batches_are_read_from_their_source_only_as_they_are_made():
    # A spool's resources are read back lazily: a run holds a few batches, never the whole input.
    taken = 0
    most_ahead = 0

    def items():
        nonlocal taken
        for i in range(200):
            taken += 1
            yield i, runner.canary()

    def judge(batch):
        nonlocal most_ahead
        most_ahead = max(most_ahead, taken - batch[-1].index)
        return [[] for _ in batch]

    numbered = ((i, dataclasses.replace(res, index=i + 1)) for i, res in items())
    found = runner.isolate("test", 200, numbered, judge, workers=1, chunk=5)
    assert found == [[] for _ in range(200)] and taken == 200
    # Beyond the batch being judged, at most the two read ahead (isolate_stream) and the one being read.
    assert 0 <= most_ahead <= 3 * 5


@pytest.mark.parametrize("engine", ["conftest", "gator"])
def test_the_cli_engines_judge_the_spool_as_the_loaded_samples(engine, reference_plan, monkeypatch):
    # policygen eval hands conftest and gator a spool (pipeline.streams), in batches of at most BATCH_MOST;
    # small batches here, so that the adversarial samples span many and each is read back on its own.
    require_tool(tools.ENGINE_TOOLS[engine])
    monkeypatch.setattr(runner, "BATCH_MOST", 37)
    assert streams(engine)
    adapter = get_engine(engine)
    with tempfile.TemporaryDirectory() as tmp, Spool() as spool:
        dist = Path(tmp) / "dist"
        write_tree(render_all(reference_plan, [adapter.backend]), dist)
        for found in iter_files([ADVERSARIAL_SAMPLES]):
            spool.extend(found)
        spooled = [_comparable(v.to_json()) for v in adapter.evaluate_spooled(dist, reference_plan, spool)]
        loaded = [_comparable(v.to_json()) for v in adapter.evaluate(dist, reference_plan, load_samples([ADVERSARIAL_SAMPLES]))]
    assert len(spooled) > 3 * 37
    assert {v["allowed"] for v in spooled} == {True, False}
    assert spooled == loaded


@pytest.mark.parametrize("which", ["corpus", "adversarial"])
def test_kyverno_judges_the_spool_in_chunks_as_the_loaded_samples_in_one(which, request):
    # Chunks of 20, two at once: name collisions, groups of one user and the whole input's namespaces span
    # chunks, and each chunk is grouped, split in rounds and judged on its own; the loaded samples are one chunk.
    require_tool("kyvernocheck")
    assert streams("kyverno")
    plan = request.getfixturevalue("corpus_plan" if which == "corpus" else "reference_plan")
    samples = request.getfixturevalue(f"{which}_samples")
    paths = sorted(CORPUS.glob("*.injected")) if which == "corpus" else [ADVERSARIAL_SAMPLES]
    with tempfile.TemporaryDirectory() as tmp, Spool() as spool:
        dist = Path(tmp) / "dist"
        write_tree(render_all(plan, ["kyverno"]), dist)
        for found in iter_files(paths):
            spool.extend(found)
        spooled = [v.to_json() for v in KyvernoEngine(jobs=2, chunk=20).evaluate_spooled(dist, plan, spool)]
        loaded = [v.to_json() for v in KyvernoEngine(jobs=1, chunk=10**9).evaluate(dist, plan, samples)]
    assert len(spooled) > 5 * 20
    assert {v["allowed"] for v in spooled} == {True, False}
    assert spooled == loaded
