"""Whether a change to the generated Rego changed any decision: two checkouts, the same inputs.

Run: python bench/rego_differential.py --against DIR [--spec SPEC ...] [--mutants N] [--near-misses N] [--seed S]

DIR is another checkout of policygen (`git worktree add DIR <commit>`). For each
spec (default: specs/reference.yaml and tests/corpus/spec.yaml), both checkouts
generate their Rego, and one `opa eval` per checkout judges every input with
`data.main.violations`; the two answers must be the same set of violations,
message for message, on every input.

The inputs: every sample document (samples/, the shared corpus, tests/corpus),
each also as the AdmissionReview of every operation and of a status write, with
its kind swapped for every other kind a rule reads (so that each rule meets each
shape), and type-confusion mutants of all of them (tests/adversarial's
generator: every field a rule reads given each wrong shape), --mutants of them,
and --near-misses of the real corpus: a pod-bearing document with one change to
what the rules read of a container or its pod (near_misses), in a mesh namespace.
A performance rewrite of the Rego that says nothing new is one that leaves all
of them alone. It prints the count of inputs and of differences, and the first
differences whole; exit 1 when there is any. Nothing is asserted about speed.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from policygen import tools  # noqa: E402
from policygen.samples import load_samples  # noqa: E402
from tests.adversarial.type_confusion import field_types, mutants_of, sample  # noqa: E402
from tests.near_misses import edits_of, near_miss  # noqa: E402

KINDS = ["Pod", "Deployment", "CronJob", "Namespace", "ConfigMap", "PeerAuthentication",
         "MutatingWebhookConfiguration", "ClusterRole", "RoleBinding", "Secret"]
SHARED = ROOT.parent / "shared"

# One query for every input: each judged alone, as `policygen eval` and conftest judge it.
WRAPPER = """package differential

results := [sort([v.msg | some v in data.main.violations with input as doc]) | some doc in input.docs]
"""


def corpus() -> list[dict[str, Any]]:
    """The injector's real output: files named *.injected, which a folder given to load_samples leaves out."""
    found = load_samples(sorted((SHARED / "corpus" / "istio-injected").glob("*.injected")))
    return [r.source for r in found.resources if isinstance(r.source, dict)]


def documents() -> list[dict[str, Any]]:
    paths = [ROOT / "samples", ROOT / "tests" / "corpus"]
    found = load_samples([p for p in paths if p.exists()])
    return [r.source for r in found.resources if isinstance(r.source, dict)] + corpus()


def reviews(doc: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    # A status write either changes the labels (judged as any update) or, as the kubelet's do, leaves the
    # metadata as it was (left alone): both, so that a shortcut that skips the status test shows.
    for op, sub, same in (("CREATE", "", False), ("UPDATE", "", False), ("DELETE", "", False), ("UPDATE", "status", False),
                          ("UPDATE", "status", True), ("CONNECT", "", False)):
        request: dict[str, Any] = {"uid": "d", "operation": op, "subResource": sub,
                                   "userInfo": {"username": "someone", "groups": ["system:authenticated"]}}
        if op == "DELETE":
            request["oldObject"] = doc
        else:
            request["object"] = doc
        if same:
            request["oldObject"] = copy.deepcopy(doc)
        elif op == "UPDATE":
            old = copy.deepcopy(doc)
            if isinstance(old.get("metadata"), dict):
                old["metadata"]["labels"] = {"changed": "yes"}
            request["oldObject"] = old
        out.append({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request})
    return out


def near_misses(docs: list[dict[str, Any]], count: int, rng: random.Random) -> list[dict[str, Any]]:
    """count of: a pod-bearing document of the real corpus (Istio's own output) with one edit of
    tests/near_misses.py, in a mesh namespace of one of the specs (or its own)."""
    edits = [(n, *e) for n, doc in enumerate(docs) for e in edits_of(doc)]
    return [near_miss(docs[n], where, place, edit, rng.choice(["payments", "default", "checkout", None]))
            for n, where, place, edit in rng.sample(edits, min(count, len(edits)))]


def inputs(count: int, seed: int, near: int) -> list[Any]:
    docs = documents()
    rng = random.Random(seed)
    base: list[Any] = []
    for doc in docs:
        base.append(doc)
        if doc.get("kind") == "AdmissionReview":
            continue
        base += reviews(doc)
        for kind in rng.sample(KINDS, 3):
            if kind != doc.get("kind"):
                swapped = copy.deepcopy(doc)
                swapped["kind"] = kind
                base.append(swapped)
    types = field_types([d for d in docs if d.get("kind") != "AdmissionReview"])
    mutants = [m for i, doc in enumerate(base) if isinstance(doc, dict)
               for m in mutants_of(f"input{i}", "any", doc, types)]
    picked = sample(mutants, count, seed)
    return base + [m.doc for m in picked] + near_misses(corpus(), near, rng)


def judge(checkout: Path, spec: Path, docs: list[Any], work: Path) -> list[list[str]]:
    dist = work / "dist"
    subprocess.run([sys.executable, "-m", "policygen", "generate", str(spec), "-o", str(dist), "--quiet"],
                   cwd=checkout, check=True, env={**os.environ, "PYTHONPATH": str(checkout)})
    for test in (dist / "rego").rglob("*_test.rego"):
        test.unlink()
    (work / "differential.rego").write_text(WRAPPER)
    (work / "input.json").write_text(json.dumps({"docs": docs}))
    proc = subprocess.run([str(tools.find("opa")), "eval", "--format", "json", "-b", str(dist / "rego"),
                           "-d", str(work / "differential.rego"), "-i", str(work / "input.json"),
                           "data.differential.results"], capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{checkout}: opa eval failed: {proc.stderr[-2000:]}")
    return json.loads(proc.stdout)["result"][0]["expressions"][0]["value"]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", type=Path, required=True, help="another checkout of policygen")
    parser.add_argument("--spec", type=Path, action="append", help="specs to generate (repeatable)")
    parser.add_argument("--mutants", type=int, default=20000, help="type-confusion mutants beside the base inputs")
    parser.add_argument("--near-misses", type=int, default=10000, help="near misses of the real corpus beside them")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    specs = args.spec or [ROOT / "specs" / "reference.yaml", ROOT / "tests" / "corpus" / "spec.yaml"]
    docs = inputs(args.mutants, args.seed, args.near_misses)
    differences = 0
    for spec in specs:
        with tempfile.TemporaryDirectory(prefix="policygen-diff-") as tmp:
            here = judge(ROOT, spec.resolve(), docs, Path(tmp) / "here")
            there = judge(args.against.resolve(), spec.resolve(), docs, Path(tmp) / "there")
        diff = [i for i, (a, b) in enumerate(zip(here, there, strict=True)) if a != b]
        denied = sum(1 for v in here if v)
        print(f"{spec.name}: {len(docs)} inputs, {denied} denied here, {len(diff)} differences")
        for i in diff[:5]:
            print(json.dumps({"input": docs[i], "here": here[i], "there": there[i]})[:3000])
        differences += len(diff)
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
