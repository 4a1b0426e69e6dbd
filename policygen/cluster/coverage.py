"""What real admission covers, measured: every input through every backend in a local control plane.

Run: ``python -m policygen.cluster.coverage [-o docs/coverage-cluster.md] [--dist-root DIR] [BACKEND ...]``

``--dist-root DIR`` judges backends rendered elsewhere (another branch's), from
``DIR/reference/<backend>`` and ``DIR/corpus/<backend>`` (``policygen generate``
of specs/reference.yaml and tests/corpus/spec.yaml); opa is always this checkout's.

The reference samples and the generated fixtures (reference spec), the Istio
corpus and its malicious mutations (corpus spec) go through each cluster
backend and through opa; per rule and backend the table counts what opa denies
with that rule, and of those what real admission denied with it too, what the
API server refused before admission, what it never sent to admission, and what
came back naming another rule only. The user the API server really sees is
measured with a SelfSubjectReview under the same impersonation the engine uses.
"""

from __future__ import annotations

import argparse
import copy
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path, PurePosixPath

from .. import tools
from ..backends import all_backends
from ..engines.cluster import BACKENDS, ClusterEngine, _user, not_sent
from ..engines.opa import OpaEngine, OpaServer
from ..fixtures import cases_for
from ..kustomize import backend_kustomizations
from ..output import write_tree
from ..pipeline import render_all
from ..samples import UNTRUSTED_USER, Resource, SampleSet, _admission_review, _plain_review, load_samples
from .admission import KyvernoController
from .control_plane import LocalCluster
from .denials import API_SERVER_RULE
from .processes import ClusterError

ROOT = Path(__file__).resolve().parents[2]
COLUMNS = ("opa denies", "same rule", "refused before admission", "not evaluated", "other rule only", "only here")


def fixture_samples(plan) -> SampleSet:
    resources = []
    for case in cases_for(plan):
        review = _admission_review(copy.deepcopy(case.resource), "fixture", case.name) if case.is_admission_review \
            else _plain_review(copy.deepcopy(case.resource))
        resources.append(Resource(f"fixture:{case.rule_id}:{case.name}", len(resources), review, case.resource))
    return SampleSet(resources)


def input_sets():
    import policygen as pg

    sys.path.insert(0, str(ROOT))
    from tests.mutations import mutate_all  # the test suite's mutations, the same ones test_parity runs

    reference = pg.build_plan(pg.load_spec(ROOT / "specs" / "reference.yaml"))
    corpus_plan = pg.build_plan(pg.load_spec(ROOT / "tests" / "corpus" / "spec.yaml"))
    corpus = load_samples(sorted((ROOT.parent / "shared" / "corpus" / "istio-injected").glob("*.injected")))
    mutations = [Resource(f"mutation:{name}", i, _plain_review(obj), obj)
                 for i, (name, _, obj) in enumerate(mutate_all([r.object for r in corpus.resources]))]
    return [
        ("reference samples", "reference", reference, load_samples([ROOT / "samples" / "reference"])),
        ("fixtures", "reference", reference, fixture_samples(reference)),
        ("Istio corpus", "corpus", corpus_plan, corpus),
        ("corpus mutations", "corpus", corpus_plan, SampleSet(mutations)),
    ]


def _dist(tmp: Path, backend: str, spec: str, plan, dist_root: Path | None) -> Path:
    """This checkout's rego and, from dist_root when given, the backend's folder with its kustomization."""
    dist = tmp / f"{backend}-{spec}"
    if dist.exists():
        return dist
    if dist_root is None:
        write_tree(render_all(plan, [backend, "rego"]), dist)
        return dist
    write_tree(render_all(plan, ["rego"]), dist)
    src = dist_root / spec / backend
    files = {PurePosixPath(str(p.relative_to(src))): p.read_text(encoding="utf-8") for p in src.rglob("*") if p.is_file()}
    if PurePosixPath("kustomization.yaml") not in files:
        files.update(backend_kustomizations(backend, files))
    for rel, text in files.items():
        (dist / backend / rel).parent.mkdir(parents=True, exist_ok=True)
        (dist / backend / rel).write_text(text, encoding="utf-8")
    return dist


def tally(backend: str, opa, real, resources, counts: dict[str, Counter], refused_allowed: Counter, unsent: Counter,
          unserved: Counter, served) -> None:
    for o, c, res in zip(opa, real, resources, strict=True):
        if c.rules == {API_SERVER_RULE} and o.allowed:
            refused_allowed[o.kind] += 1
        if o.kind in not_sent(backend):
            unsent[o.kind] += 1
        else:
            obj = res.review.get("object") if isinstance(res.review.get("object"), dict) else {}
            version = obj.get("apiVersion")
            if isinstance(version, str) and isinstance(obj.get("kind"), str) and not served(version, obj["kind"]):
                unserved[f"{version} {o.kind}"] += 1
        for rule in o.rules | (c.rules - {API_SERVER_RULE}):
            row = counts.setdefault(rule, Counter())
            if rule not in o.rules:
                row["only here"] += 1
                continue
            row["opa denies"] += 1
            if rule in c.rules:
                row["same rule"] += 1
            elif c.rules == {API_SERVER_RULE}:
                row["refused before admission"] += 1
            elif rule in c.not_evaluated:
                row["not evaluated"] += 1
            else:
                row["other rule only"] += 1


def seen_user(cluster: LocalCluster, user: dict) -> dict:
    review = {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"}
    resp = cluster.client.request("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", body=review, impersonate=user)
    info = (resp.body.get("status") or {}).get("userInfo") or {}
    return {"username": info.get("username"), "groups": info.get("groups") or []}


def measure(backends: list[str], dist_root: Path | None = None) -> str:
    sets = input_sets()
    lines = []
    with tempfile.TemporaryDirectory() as tmp, OpaServer() as opa_server, LocalCluster() as cluster:
        kyverno = None
        tables: dict[str, dict] = {}
        for backend in backends:
            for name in tools.CLUSTER_BACKEND_TOOLS[backend]:
                tools.find(name)
            counts: dict[str, Counter] = {}
            refused_allowed, unsent, unserved = Counter(), Counter(), Counter()
            judged, error, started = {}, "", time.monotonic()
            try:
                if backend == "kyverno" and kyverno is None:
                    kyverno = KyvernoController(cluster)
                    kyverno.start()
                for label, spec, plan, samples in sets:
                    dist = _dist(Path(tmp), backend, spec, plan, dist_root)
                    opa = OpaEngine(opa_server).evaluate(dist, plan, samples)
                    real = ClusterEngine(backend, cluster=cluster, controller=kyverno if backend == "kyverno" else None) \
                        .evaluate(dist, plan, samples)
                    tally(backend, opa, real, samples.resources, counts, refused_allowed, unsent, unserved,
                          lambda version, kind: cluster.client.resource(version, kind) is not None)
                    judged[label] = len(samples.resources)
            except ClusterError as exc:
                error = str(exc).strip().splitlines()
                error = next((line for line in error if "denied the request" in line), error[-1] if error else "")
            tables[backend] = {"counts": counts, "refused_allowed": refused_allowed, "not_sent": unsent, "unserved": unserved,
                               "judged": judged, "error": error, "seconds": time.monotonic() - started}
        if kyverno is not None:
            kyverno.stop()
        plain = seen_user(cluster, _user({}))
        sample_user = seen_user(cluster, {"username": "system:serviceaccount:istio-system:istiod",
                                          "groups": ["system:serviceaccounts"]})
    lines += [
        "# Real admission coverage, measured",
        "",
        "Generated by `python -m policygen.cluster.coverage` (kube-apiserver v1.37.2, a local control plane;",
        "`policygen/cluster/coverage.py`). Inputs: the reference samples and every generated fixture (reference",
        "spec), the 125 Istio corpus resources and their malicious mutations (`tests/mutations.py`, corpus spec).",
        "Per rule and backend, of the inputs opa denies with that rule: how many real admission denied with the",
        "same rule, how many the API server refused before admission (schema or field validation: a denial,",
        "by `APISERVER`), how many were not evaluated (reported in `notEvaluated`: a kind never sent to that",
        "backend's admission, an API version the server does not serve, or SC012 where signatures cannot be",
        "checked), and how many came back naming another rule only (the API server reports one denying",
        "webhook or policy). \"only here\":",
        "denials by that rule that opa did not make (must be 0).",
        "",
        "Backends as rendered by " + ("this checkout." if dist_root is None else
                                     f"`{dist_root.name}` (`--dist-root`: another branch's backends, this checkout's opa)."),
        "",
    ]
    for backend, t in tables.items():
        lines.append(f"## {backend}")
        lines.append("")
        if t["error"]:
            lines += [f"Not installable: `{t['error'][:400]}`", ""]
            continue
        lines.append(", ".join(f"{n} {label}" for label, n in t["judged"].items()) + f" judged in {t['seconds']:.0f}s.")
        lines.append("")
        lines.append("| rule | " + " | ".join(COLUMNS) + " |")
        lines.append("|---|" + "---|" * len(COLUMNS))
        for rule in sorted(t["counts"]):
            row = t["counts"][rule]
            lines.append(f"| {rule} | " + " | ".join(str(row[c]) for c in COLUMNS) + " |")
        lines.append("")
        if t["refused_allowed"]:
            lines.append("Refused before admission although opa admits them (not valid Kubernetes objects): "
                         + ", ".join(f"{k} ×{n}" for k, n in sorted(t["refused_allowed"].items())) + ".")
        if t["not_sent"]:
            lines.append("Kinds never sent to this backend's admission: "
                         + ", ".join(f"{k} ×{n}" for k, n in sorted(t["not_sent"].items())) + ".")
        if t["unserved"]:
            lines.append("API versions the server no longer serves (no such object can be created; every rule not evaluated): "
                         + ", ".join(f"{k} ×{n}" for k, n in sorted(t["unserved"].items())) + ".")
        lines.append("")
    lines += [
        "## The user the API server sees",
        "",
        "Measured with a SelfSubjectReview under the engine's impersonation:",
        "",
        f"- a plain resource (sent as `{UNTRUSTED_USER['username']}`, no groups): "
        f"`{plain['username']}` in groups `{', '.join(plain['groups'])}`",
        f"- an AdmissionReview's userInfo (`system:serviceaccount:istio-system:istiod` in `system:serviceaccounts`): "
        f"`{sample_user['username']}` in groups `{', '.join(sample_user['groups'])}`",
        "",
        "Offline engines see exactly the sample's groups; the API server adds `system:authenticated`. No rule",
        "trusts that group, so no verdict changes.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path)
    parser.add_argument("--dist-root", type=Path)
    parser.add_argument("backends", nargs="*")
    args = parser.parse_args(argv)
    provided = {b.name for b in all_backends()}
    backends = args.backends or [b for b in BACKENDS if b in provided]
    text = measure(backends, args.dist_root)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
