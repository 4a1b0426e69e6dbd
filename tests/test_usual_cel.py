"""Each CEL policy's usual case (policygen/rules/<id>/usual.cel.jinja) clears nothing its rule denies.

A pod rule's ValidatingAdmissionPolicy and Kyverno ValidatingPolicy validate
`variables.usual || size(variables.problems) == 0`, so where `usual` holds, `problems` is never
evaluated. Under the API server's own CEL (tools/celcheck), for every spec the project ships or tests,
on each plan's fixtures, every near miss of its approved pods, the type-confusion mutants of one of
them and the real corpus: wherever `usual` holds, `problems` must be empty; `usual` must never fail to
evaluate (an error would stand in for the rule's verdict); and it must hold on the approved pods, and
not everywhere, so that the comparison means something. For SC003, which reads every app container's
image, the approved pod also runs each of several hundred awkward and random images beside its app.
"""

from __future__ import annotations

import copy
import json
import os
import random
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import yaml

import policygen as pg
from policygen import tools
from policygen.backends.cel import NAMESPACE_NAME_LABEL
from policygen.rules import CATALOGUE
from policygen.fixtures import approved_pod, cases_for, mesh_namespace
from policygen.pipeline import render_all

from .conftest import require_tool
from .test_usual_pod import BASES, CORPUS, SPECS, _digest_without_list, _in_namespace, _inputs, load_samples

# One policy per rule, three validations, each failing one naming itself: the usual case held where the
# rule has problems; the usual case did not hold; the rule has problems.
UNSOUND, UNUSUAL, DENIED = "usual-but-denied", "not-usual", "denied"
POD_RULES = {f"SC{n:03d}" for n in range(1, 12)}


def _app_images(plan, count: int = 400) -> list[str]:
    """App images SC003's usual case must read as the rule does: Docker Hub's short forms, hosts that are
    paths, bare digests, long paths, the sidecar images under other hosts and names, and random ones."""
    sc003 = plan.rule("SC003").params
    digest = (sc003["sidecarDigests"] or ["sha256:" + "0" * 64])[0]
    fixed = ["busybox", "nginx:1.25", "library/nginx", "istio/proxyv2:1.2", "proxyv2", "istio/proxyv2x", "a__b.c/x",
             "foo_x.y/bar:1", "a" * 64, "sha256:" + "a" * 64, "sha512:abc", "localhost/foo", "localhost:5000/foo",
             "localhost", "Foo/bar", "x" * 230, "x" * 200, "x" * 201, "a/" + "b" * 250, "foo.bar", "foo.bar:1",
             "foo.bar/baz", f"evil/p@{digest}", f"p:{digest.partition(':')[2]}", "p@" + digest, "-x", "x-", "x:",
             "x@", "x@sha256:", "/x", "x//y", "x/", "X", "x:Y", "x:-y", "a.b/c/d:e@" + digest]
    fixed += [r for r in sc003["sidecarRepositoriesAnyPort"]] + [r.partition("/")[2] for r in sc003["sidecarRepositoriesAnyPort"]]
    rnd = random.Random(1107)
    alphabet = "ab.-_:/@A9"
    randoms = ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 14))) for _ in range(count)]
    return fixed + randoms


def _with_app_images(pod: dict[str, Any], images: list[str]) -> list[dict[str, Any]]:
    """The pod with one more app container running each image, and with one more app init container."""
    out = []
    for i, image in enumerate(images):
        for field in ("containers", "initContainers"):
            doc = copy.deepcopy(pod)
            doc["metadata"]["name"] = f"image-{i}-{field.lower()}"
            doc["spec"].setdefault(field, []).append({"name": f"extra-{i}", "image": image})
            out.append(doc)
    return out


def _probe(policy: dict[str, Any]) -> dict[str, Any]:
    spec = policy["spec"]
    assert [v for v in spec["variables"] if v["name"] == "usual"], policy["metadata"]["name"]
    spec["validations"] = [
        {"expression": "!variables.usual || size(variables.problems) == 0", "message": UNSOUND},
        {"expression": "variables.usual", "message": UNUSUAL},
        {"expression": "size(variables.problems) == 0", "message": DENIED},
    ]
    spec.pop("matchConditions", None)
    return policy


def _probes(files: dict, folder: Path) -> list[Path]:
    """The plan's pod policies that have a usual case, as probes, one file each with its binding."""
    out = []
    for path, text in sorted(files.items()):
        if path.parts[0] != "vap" or not path.name.startswith("sc"):
            continue
        docs = list(yaml.safe_load_all(text))
        policy = next(d for d in docs if d["kind"] == "ValidatingAdmissionPolicy")
        if not any(v["name"] == "usual" for v in policy["spec"]["variables"]):
            continue
        docs = [_probe(d) if d is policy else d for d in docs]
        target = folder / path.name
        target.write_text(yaml.safe_dump_all(docs), encoding="utf-8")
        out.append(target)
    return out


def _judge(probes: list[Path], plan, docs: list[Any], folder: Path) -> dict[tuple[int, str], tuple[set[str], list[str]]]:
    """(input index, policy) -> (the probe's failed validations, its evaluation errors), under celcheck."""
    _, labels = mesh_namespace(plan)
    requests, names = [], set()
    for doc in docs:
        meta = doc.get("metadata") if isinstance(doc, dict) else None
        ns = meta.get("namespace") if isinstance(meta, dict) else None
        ns = ns if isinstance(ns, str) and ns else "default"
        names.add(ns)
        requests.append({"operation": "CREATE", "object": doc if isinstance(doc, dict) else None, "oldObject": None,
                         "namespace": ns, "subResource": "", "userInfo": {"username": "alice", "groups": []}})
    # Every namespace is a mesh namespace unless the scope excludes it by name, so the rules have problems to find.
    namespaces = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n, "labels": {
        **(labels or {}), "istio-injection": "enabled", NAMESPACE_NAME_LABEL: n}}} for n in sorted(names)]
    (folder / "requests.json").write_text(json.dumps(requests), encoding="utf-8")
    (folder / "namespaces.json").write_text(json.dumps(namespaces), encoding="utf-8")
    proc = subprocess.run([str(tools.find("celcheck")), "-requests", str(folder / "requests.json"),
                           "-namespaces", str(folder / "namespaces.json"), *map(str, probes)],
                          capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = {}
    for line in proc.stdout.splitlines():
        if line.strip():
            r = json.loads(line)
            out[(int(r["index"]), r["policy"])] = (set(r.get("messages") or []), list(r.get("errors") or []))
    return out


@pytest.fixture(scope="module")
def judged(tmp_path_factory, corpus_docs) -> dict[str, tuple[list[Any], dict, list[int], list[str], list[str]]]:
    """Per spec: its inputs, the probes' results, the approved pods' indexes among them, the probed policies and
    the plan's pod rules' policies."""
    require_tool("celcheck")
    out, work = {}, []
    for spec in [*SPECS, _digest_without_list(tmp_path_factory.mktemp("specs"))]:
        plan = pg.build_plan(pg.load_spec(spec))
        name = spec.parent.name if spec.name == "spec.yaml" else spec.stem
        folder = tmp_path_factory.mktemp(f"usual-cel-{name}")
        probes = _probes(render_all(plan, ["vap"]), folder)
        pod_rules = [CATALOGUE[r.rule_id].policy_name for r in plan.rules if r.rule_id in POD_RULES]
        if not probes:
            out[name] = ([], {}, [], [], pod_rules)
            continue
        scope = next((r.params["scope"] for r in plan.rules if "scope" in r.params), None)
        mesh = (scope or {}).get("meshNamespaces", [])[:1] or [mesh_namespace(plan)[0]]
        docs, _ = _inputs(plan, [_in_namespace(d, ns) for d in corpus_docs for ns in mesh], name == "corpus")
        if name in ("reference", "corpus"):
            docs += _with_app_images(approved_pod(plan, "app-images"), _app_images(plan))
        # _inputs puts the plan's cases first, in order: the approved pods are among them.
        approved = [i for i, c in enumerate(cases_for(plan))
                    if c.name in BASES and not c.fails and c.resource.get("kind") == "Pod"]
        out[name] = (docs, {}, approved, [p.stem for p in probes], pod_rules)
        work.append((name, probes, plan, docs, folder))
    # One celcheck per spec, as many at once as there are cores.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for name, results in zip([w[0] for w in work], pool.map(lambda w: _judge(*w[1:]), work)):
            out[name][1].update(results)
    return out


@pytest.fixture(scope="module")
def corpus_docs() -> list[dict[str, Any]]:
    found = load_samples(sorted(CORPUS.glob("*.injected")))
    return [r.source for r in found.resources if isinstance(r.source, dict) and r.source.get("kind") == "Pod"]


def test_usual_case_clears_nothing_its_rule_denies(judged):
    unsound = [(name, policy, docs[i]) for name, (docs, results, *_) in judged.items()
               for (i, policy), (failed, _) in results.items() if UNSOUND in failed]
    assert not unsound, "\n".join(json.dumps({"spec": n, "policy": p, "input": d})[:3000] for n, p, d in unsound[:5])


def test_usual_case_never_fails_to_evaluate(judged):
    errors = [(name, policy, docs[i], errs) for name, (docs, results, *_) in judged.items()
              for (i, policy), (_, errs) in results.items() if errs]
    assert not errors, "\n".join(json.dumps({"spec": n, "policy": p, "errors": e, "input": d})[:3000]
                                 for n, p, d, e in errors[:5])


def test_usual_case_is_taken(judged):
    """Not vacuous: every probed rule takes its usual case on the approved pods, and in each spec some inputs
    are not usual and some are denied."""
    for name in ("reference", "corpus", "exceptions", "digest-without-list"):
        # Every pod rule of these plans has its usual case.
        assert sorted(judged[name][3]) == sorted(judged[name][4]), (name, judged[name][3])
    for name, (docs, results, approved, policies, _) in judged.items():
        if not policies:
            continue
        assert approved, name
        for policy in policies:
            # An injector writes its status compact: SC003's usual case leaves a spaced one to the rule.
            bases = [i for i in approved if not (policy.startswith("sc003") and docs[i]["metadata"]["name"] == "status-spaced")]
            missed = [i for i in bases if (i, policy) not in results or UNUSUAL in results[(i, policy)][0]]
            assert not missed, (name, policy, [docs[i]["metadata"]["name"] for i in missed])
            unusual = sum(1 for (i, p), (failed, _) in results.items() if p == policy and UNUSUAL in failed)
            denied = sum(1 for (i, p), (failed, _) in results.items() if p == policy and DENIED in failed)
            assert unusual and denied, (name, policy, unusual, denied)
    # The awkward images: some are read as plainly another app's, some are left to the rule.
    docs, results = judged["reference"][:2]
    extra = [i for i, d in enumerate(docs) if isinstance(d, dict) and isinstance(d.get("metadata"), dict)
             and str(d["metadata"].get("name")).startswith("image-")]
    held = [i for i in extra if UNUSUAL not in results[(i, "sc003-unapproved-sidecar")][0]]
    assert extra and 20 <= len(held) < len(extra), (len(held), len(extra))


def test_usual_case_written_where_the_rules_cover_their_params(judged):
    """Which specs' pod policies have no usual case at all: only those of the specs with no pod rule."""
    none = {name for name, (*_, policies, _) in judged.items() if not policies}
    assert none == {"cp001-default-path", "cp001-guarded-mutators"}, none
