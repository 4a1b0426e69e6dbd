"""The Namespace inventory: one, fail closed, the same in every engine and every share of a run.

Which namespaces are mesh namespaces is decided by the Namespace objects among
the inputs (policygen/inventory.py). Each case here is a pod a red team got
allowed through that inventory, and must be denied by every engine:

* F2: two Namespace objects of one name that disagree (the last one used to win);
* F4: a Namespace holding a number outside float64's exact range, which the
  inventory used to drop for opa, conftest and gator (and gator's verdict then
  turned on how the run was split across cores);
* F8: a Namespace gator could not cache (a label value that is no string) or
  stored under another version (`apiVersion: v2`, `core/v1`), dropped from
  gator's inventory alone.

Beside them, near misses that must stay allowed: a namespace all of whose
versions turn injection off, and identical duplicates outside the mesh.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest

from policygen import tools
from policygen.engines.gator import GatorEngine
from policygen.inventory import FAIL_CLOSED_LABELS, Inventory, in_mesh, scope_of
from policygen.output import write_tree
from policygen.pipeline import render_all
from policygen.samples import SampleSet, load_text

from .cli_support import policygen
from .conftest import REFERENCE_SPEC, require_tool

ENGINES = ["opa", "conftest", "gator", "kyverno", "vap"]


def _pod(name: str, ns: str) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": ns},
            "spec": {"containers": [{"name": "web", "image": "busybox", "securityContext": {"privileged": True}}]}}


def _asking(name: str, ns: str) -> dict:
    """A privileged pod that asks Istio's object selector for injection: a mesh pod unless its namespace says no."""
    pod = _pod(name, ns)
    pod["metadata"]["labels"] = {"sidecar.istio.io/inject": "true"}
    return pod


def _ns(name: str, labels, **extra) -> dict:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}, **extra}


def _yaml(*docs: dict) -> str:
    # JSON is YAML: one flow mapping per document (a stream that starts with { would be read as JSON).
    return "".join("---\n" + json.dumps(d) + "\n" for d in docs)


def _json_stream(*docs: dict) -> str:
    return "\n".join(json.dumps(d) for d in docs) + "\n"


ON, OFF = {"istio-injection": "enabled"}, {"istio-injection": "disabled"}

# file -> (text, {pod name: must it be denied})
FILES: dict[str, tuple[str, dict[str, bool]]] = {
    "f2-on-then-off.yaml": (_yaml(_ns("inv-dup", ON), _pod("dup", "inv-dup"), _ns("inv-dup", OFF)), {"dup": True}),
    "f2-off-then-on.yaml": (_yaml(_ns("inv-dup-late", OFF), _pod("dup-late", "inv-dup-late"), _ns("inv-dup-late", ON)),
                            {"dup-late": True}),
    # Python's json reads the number as the exact integer, as kubectl's JSON decoder would take it.
    "f4-huge.json": (_json_stream(_ns("inv-big", ON, x=10**300), _pod("big", "inv-big")), {"big": True}),
    "f8-tier.yaml": ("apiVersion: v1\nkind: Namespace\nmetadata: {name: inv-tier, labels: {istio-injection: enabled, tier: 5}}\n"
                     "---\n" + json.dumps(_pod("tier", "inv-tier")) + "\n", {"tier": True}),
    "f8-v2.yaml": (_yaml({**_ns("inv-v2", ON), "apiVersion": "v2"}, _pod("v2", "inv-v2")), {"v2": True}),
    "f8-core.yaml": (_yaml({**_ns("inv-core", ON), "apiVersion": "core/v1"}, _pod("core", "inv-core")), {"core": True}),
    # A red team (2026-12-05): what no API server stores as a Namespace (a custom resource named Namespace, an
    # apiVersion no server serves, a CONNECT) turned injection off for its namespace, and every engine allowed
    # a pod there that asks for injection. It may put a namespace in the mesh (f8 above), never take it out.
    "f3-foreign.yaml": (_yaml({**_ns("inv-cr", OFF), "apiVersion": "example.com/v1"}, _asking("cr", "inv-cr")), {"cr": True}),
    "f3-v2.yaml": (_yaml({**_ns("inv-v2-off", OFF), "apiVersion": "v2"}, _asking("v2-off", "inv-v2-off")), {"v2-off": True}),
    "f3-connect.yaml": (_yaml({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                               "request": {"uid": "1", "operation": "CONNECT", "object": _ns("inv-connect", OFF)}},
                              _asking("connect", "inv-connect")), {"connect": True}),
    # Near misses: every version off, and identical duplicates outside the mesh; a core Namespace that turns injection
    # off keeps a pod asking for it out of the mesh.
    "asking-off.yaml": (_yaml(_ns("inv-asking-off", OFF), _asking("asking-off", "inv-asking-off")), {"asking-off": False}),
    "off-twice.yaml": (_yaml(_ns("inv-off", OFF), _pod("off", "inv-off"), _ns("inv-off", {**OFF, "team": "a"})), {"off": False}),
    "same-twice.yaml": (_yaml(_ns("inv-same", {"team": "a"}), _pod("same", "inv-same"), _ns("inv-same", {"team": "a"})),
                        {"same": False}),
}


def _samples(files: dict[str, tuple[str, dict[str, bool]]] = FILES) -> SampleSet:
    return SampleSet([res for name, (text, _) in files.items() for res in load_text(text, name)])


@pytest.fixture(scope="session")
def inventory_samples() -> SampleSet:
    return _samples()


def _wrong(samples: SampleSet, verdicts, files=FILES) -> list[str]:
    wrong = []
    for res, verdict in zip(samples.resources, verdicts, strict=True):
        if res.kind != "Pod":
            continue
        deny = files[res.file][1][res.name]
        if deny and not ("SC010", "privileged") in verdict.checks:
            wrong.append(f"{res.file} {res.display}: {sorted(verdict.checks) or 'allowed'}, must be denied SC010/privileged")
        if not deny and not verdict.allowed:
            wrong.append(f"{res.file} {res.display}: {sorted(verdict.checks)}, must be allowed")
    return wrong


@pytest.mark.parametrize("engine", ENGINES)
def test_every_engine_judges_pods_under_the_one_inventory(engine, judge, reference_plan, inventory_samples):
    verdicts = judge(engine, reference_plan, "inventory", inventory_samples)
    assert _wrong(inventory_samples, verdicts) == []


@pytest.mark.parametrize("engine", ["conftest", "gator", "kyverno", "vap"])
def test_every_engine_gives_opas_pod_verdicts(engine, judge, reference_plan, inventory_samples):
    opa = judge("opa", reference_plan, "inventory", inventory_samples)
    other = judge(engine, reference_plan, "inventory", inventory_samples)
    pods = [i for i, r in enumerate(inventory_samples.resources) if r.kind == "Pod"]
    assert [sorted(other[i].checks) for i in pods] == [sorted(opa[i].checks) for i in pods]


@pytest.mark.parametrize("workers", [1, 2, 4])
@pytest.mark.parametrize("padding", [0, 3])
def test_gators_inventory_does_not_depend_on_how_the_run_is_split(workers, padding, reference_plan):
    require_tool(tools.ENGINE_TOOLS["gator"])
    unrelated = {"unrelated.yaml": (_yaml(*({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"c{i}", "namespace": "other"}}
                                            for i in range(padding))), {})} if padding else {}
    files = {**unrelated, **{k: FILES[k] for k in ("f4-huge.json", "f2-on-then-off.yaml", "f2-off-then-on.yaml")}}
    samples = _samples(files)
    with tempfile.TemporaryDirectory() as tmp:
        dist = Path(tmp) / "dist"
        write_tree(render_all(reference_plan, ["gatekeeper"]), dist)
        verdicts = GatorEngine(jobs=workers).evaluate(dist, reference_plan, samples)
    assert _wrong(samples, verdicts, files) == []


@pytest.mark.parametrize("name", ["f2-on-then-off.yaml", "f4-huge.json"])
def test_eval_reads_the_same_inventory_when_streaming(name, tmp_path):
    # `policygen eval --engine opa` judges from a spool, whose inventory is built as it reads.
    require_tool("opa")
    text, pods = FILES[name]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    proc = policygen("eval", "--spec", str(REFERENCE_SPEC), "--engine", "opa", str(path), env={"POLICYGEN_JOBS": "1"})
    assert proc.returncode == 1, proc.stderr
    records = {r["object"]: r for r in json.loads(proc.stdout)}
    for pod in pods:
        record = next(r for o, r in records.items() if o.startswith("Pod ") and o.endswith("/" + pod))
        assert not record["allowed"] and any(v["rule"] == "SC010" for v in record["violations"])


# -- the inventory itself, without an engine ----------------------------------------------------------


def _inventory(*texts: str) -> Inventory:
    return Inventory(res for i, text in enumerate(texts) for res in load_text(text, f"f{i}.yaml"))


def test_the_inventory_holds_name_and_labels_in_one_normal_form(reference_plan):
    held = _inventory(*(FILES[f][0] for f in ("f4-huge.json", "f8-v2.yaml", "f8-core.yaml"))).namespaces(reference_plan)
    for name in ("inv-big", "inv-v2", "inv-core"):
        assert held[name] == {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": ON}}


@pytest.mark.parametrize("labels", ["{istio-injection: disabled, tier: 5}", "{istio-injection: yes}", "[a, b]", "text",
                                    "{istio-injection: {a: b}}"])
def test_labels_no_engine_could_hold_put_the_namespace_in_the_mesh(labels, reference_plan):
    held = _inventory(f"apiVersion: v1\nkind: Namespace\nmetadata: {{name: inv-x, labels: {labels}}}\n").namespaces(reference_plan)
    assert held["inv-x"]["metadata"]["labels"] == FAIL_CLOSED_LABELS
    assert in_mesh("inv-x", FAIL_CLOSED_LABELS, scope_of(reference_plan))


def test_of_disagreeing_versions_the_one_furthest_in_the_mesh_is_held_whatever_the_order(reference_plan):
    versions = [_yaml(_ns("inv-v", v)) for v in ({"team": "a"}, OFF, {"istio.io/rev": "canary"}, {})]
    for order in (versions, versions[::-1], versions[1:] + versions[:1]):
        assert _inventory(*order).namespaces(reference_plan)["inv-v"]["metadata"]["labels"] == {"istio.io/rev": "canary"}
    # Out of the mesh under every version: one without Istio's labels, so that pods asking for injection are mesh pods.
    for order in (versions[:2], versions[1::-1]):
        assert _inventory(*order).namespaces(reference_plan)["inv-v"]["metadata"]["labels"] == {"team": "a"}


def test_a_delete_and_a_nameless_namespace_hold_nothing(reference_plan):
    review = {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
              "request": {"uid": "1", "operation": "DELETE", "oldObject": _ns("inv-gone", ON)}}
    held = _inventory(_yaml(review), _yaml({"apiVersion": "v1", "kind": "Namespace", "metadata": {"labels": ON}})).namespaces(reference_plan)
    assert held == {}


def test_an_update_that_takes_a_namespace_out_of_the_mesh_holds_its_old_version_too(reference_plan):
    # A red team (2026-12-05): an UPDATE of a Namespace whose oldObject was injected and whose object is not
    # took a privileged pod in it out of every engine's mesh, and every engine allowed the pod.
    review = {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
              "request": {"uid": "1", "operation": "UPDATE", "object": _ns("inv-out", {"team": "x"}),
                          "oldObject": _ns("inv-out", {**ON, "team": "x"})}}
    assert _inventory(_yaml(review)).namespaces(reference_plan)["inv-out"]["metadata"]["labels"] == {**ON, "team": "x"}
    # Both versions out of the mesh: held as the one that leaves pods asking for injection in it.
    review["request"]["oldObject"] = _ns("inv-out", OFF)
    assert _inventory(_yaml(review)).namespaces(reference_plan)["inv-out"]["metadata"]["labels"] == {"team": "x"}


@pytest.mark.parametrize("file", ["f3-foreign.yaml", "f3-v2.yaml", "f3-connect.yaml"])
def test_what_no_server_stores_as_a_namespace_never_takes_it_out_of_the_mesh(file, reference_plan):
    held = _inventory(FILES[file][0]).namespaces(reference_plan)
    (name,) = held
    assert held[name]["metadata"]["labels"] == {}
    # Its labels still count where they put the namespace in the mesh.
    assert _inventory(FILES[file][0].replace('"disabled"', '"enabled"')).namespaces(reference_plan)[name]["metadata"]["labels"] == ON


def test_the_selector_reads_the_name_label_the_api_server_gives_every_namespace():
    scope = {"excludedNamespaces": [], "meshNamespaces": [], "meshNamespaceSelector": {"matchLabels": {}, "matchExpressions": [
        {"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": ["lab"]}, {"key": "team", "operator": "Exists"}]}}
    assert not in_mesh("lab", {"team": "a"}, scope)
    assert in_mesh("den", {"team": "a"}, scope)
    # The object's own claim to that label is overwritten by its name, as the API server does.
    assert in_mesh("den", {"team": "a", "kubernetes.io/metadata.name": "lab"}, scope)
