"""Chunked, concurrent, streamed judging gives the verdicts of one batch, in the same order.

The OPA adapter sends resources in chunks, several queries in flight, and
`policygen eval` spools its inputs instead of holding them; none of that may
change a verdict, its order, or what a poison resource gets.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest

from policygen.engines.opa import OpaEngine
from policygen.errors import InputError
from policygen.output import write_tree
from policygen.pipeline import render_all
from policygen.samples import iter_files
from policygen.spool import Spool

from .conftest import ADVERSARIAL_SAMPLES, CORPUS, require_tool
from .test_batch_isolation import poisoned  # noqa: F401  (the fixture)


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
