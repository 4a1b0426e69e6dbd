"""Where policygen stands, side by side in one run: `make bench` (issue 11).

Run: python bench/suite.py [--size N] [--kyverno] [--spec SPEC] [--engines opa,conftest,...] [--no-per-file] [--no-conftest]
                           [--library DIR] [--no-cel]
     (or POLICYGEN_BENCH_SIZE=N; default 1,000, up to 100,000; at 10,000 and more,
     `--engines opa --no-per-file` keeps the run to minutes; at 100,000 add --no-conftest)

On N generated Istio-injected Deployments and Pods (bench/loading.py's
generator: corpus documents renamed, 30 multi-document files; every tenth
one's sidecar image moved to an unapproved registry), judged against
tests/corpus/spec.yaml (the corpus's namespace is in its mesh, so every pod
rule does its work, and the corpus's own non-compliant injector outputs are
denied too), it prints:

- policygen eval per engine (opa, conftest, gator, kyverno; kyverno above
  10,000 resources only with --kyverno), one plain `conftest test` process over the same files
  with the same generated Rego, and one conftest process per file: wall time,
  resources/s, peak memory of the process tree, ratio to one conftest process;
- `opa bench` per decision on one Istio-injected Pod of the shared corpus: our
  whole set (data.main.violations; beside it, on the same Pod outside the mesh
  and on a ConfigMap, what most of a cluster dump is, and where the spec gets the usual pod
  (usual.rego), every rule asked and the same Pod denied), our rules' packages one by one, the generated
  Gatekeeper templates that match a Pod one by one as Gatekeeper runs them (the review of the Pod's
  CREATE and each Constraint's parameters as input),
  and bench/reference/library.rego, ten queries of our own standing for the
  ten gatekeeper-library templates the issue names (median eval time and
  allocations, and the ratios); with --library DIR, a checkout of
  open-policy-agent/gatekeeper-library, those ten templates themselves too,
  read from DIR (they are not ours to ship, so the bench never holds them);
- the Kyverno CLI's cost per resource of each generated ValidatingPolicy
  applied alone, beside a policy whose only expression is `true`, and of all of
  them together beside as many `true` policies, in `kyverno apply` (which
  compiles every policy for every resource) and in tools/kyvernocheck (the
  same Kyverno packages compiling once per run, what `policygen eval --engine
  kyverno` runs), side by side (bench/cel_cost.py; --no-cel leaves it out);
- what each pod rule's usual case (usual.cel.jinja) spares: the API server's CEL
  cost units of each pod ValidatingAdmissionPolicy (tools/celcheck) on the corpus
  pod and on it denied, and kyvernocheck's time per resource, as generated and
  with the validation asking `problems` alone, side by side;
- `policygen generate` time (the median of five runs; bench/generate.py, run
  alone, compares it with another checkout's);
- whether the verdicts are the same: policygen's engines resource by resource,
  and policygen's messages against one conftest process's failure messages
  (the same generated Rego, so the same messages, as a multiset).

The machine is shared, so absolute times are noisy; compare ratios taken in
one run. Nothing is asserted.
"""

from __future__ import annotations

import copy
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import cel_cost  # noqa: E402
from loading import write  # noqa: E402
from peak import peak_rss  # noqa: E402

from policygen import tools  # noqa: E402
from policygen.samples import load_samples  # noqa: E402
from policygen.spec import load_spec  # noqa: E402

SPEC = ROOT / "tests" / "corpus" / "spec.yaml"
TAMPERED_EVERY = 10
POD = ROOT.parent / "shared" / "corpus" / "istio-injected" / "pod.yaml.injected"
REFERENCE = ROOT / "bench" / "reference" / "library.rego"
REFERENCE_QUERIES = ["allowedrepos", "imagedigests", "disallowedtags", "containerlimits", "capabilities", "privileged",
                     "privilege_escalation", "users", "read_only_root", "host_namespaces"]
LIKE_THE_LIBRARY = ["sc001", "sc004", "sc007", "sc010", "sc011"]
# Resources judged by kyverno without --kyverno: tools/kyvernocheck judges tens a second per core, and with
# POLICYGEN_KYVERNO_JUDGE=cli `kyverno apply` a few a second.
KYVERNO_MAX = 10_000


def size(argv: list[str]) -> int:
    if "--size" in argv:
        return int(argv[argv.index("--size") + 1])
    return int(os.environ.get("POLICYGEN_BENCH_SIZE", "1000"))


def spec(argv: list[str]) -> Path:
    return Path(argv[argv.index("--spec") + 1]) if "--spec" in argv else SPEC


def option(argv: list[str], name: str) -> str | None:
    return argv[argv.index(name) + 1] if name in argv else None


def policygen(*args: str) -> list[str]:
    return [sys.executable, "-m", "policygen.cli", *args]


def opa_bench(opa: Path, query: str, *load: str, given: Path | None = None) -> tuple[float, int]:
    """(median evaluation in microseconds, allocations per decision) of one query."""
    proc = subprocess.run([str(opa), "bench", "-f", "json", *load, "-i", str(given or POD_JSON), query],
                          capture_output=True, text=True, check=True)
    out = json.loads(proc.stdout)
    return out["Extra"]["histogram_timer_rego_query_eval_ns_median"] / 1000, out["MemAllocs"] // max(1, out["N"])


# The parameters each library template (and its stand-in) is given: an approved repository, the usual
# maxima and drops. One object serves all ten; no two templates read the same parameter name.
REFERENCE_PARAMETERS = {
    "repos": ["docker.io/istio", "gcr.io/istio-release"], "tags": ["latest"], "cpu": "2", "memory": "1Gi",
    "allowedCapabilities": [], "requiredDropCapabilities": ["ALL"], "runAsUser": {"rule": "MustRunAsNonRoot"},
    "exemptImages": [],
}
LIBRARY_TEMPLATES = ["general/allowedrepos", "general/imagedigests", "general/disallowedtags", "general/containerlimits",
                     "pod-security-policy/capabilities", "pod-security-policy/privileged-containers",
                     "pod-security-policy/allow-privilege-escalation", "pod-security-policy/users",
                     "pod-security-policy/read-only-root-filesystem", "pod-security-policy/host-namespaces"]


def review(pod: dict) -> dict:
    """What Gatekeeper passes as input.review for the pod's CREATE."""
    return {"object": pod, "operation": "CREATE", "kind": {"group": "", "version": "v1", "kind": "Pod"}}


def proxy_moved(pod: dict) -> dict:
    """The pod with its proxy's image moved to an unapproved registry: what every engine denies."""
    moved = copy.deepcopy(pod)
    for container in moved["spec"].get("initContainers", []) + moved["spec"]["containers"]:
        if container.get("name") == "istio-proxy":
            container["image"] = "registry.example.com/evil/proxyv2:1.0"
    return moved


def review_input(pod: dict, path: Path) -> Path:
    """Gatekeeper's input for the pod: the review of its CREATE and the library's parameters."""
    path.write_text(json.dumps({"review": review(pod), "parameters": REFERENCE_PARAMETERS}))
    return path


def template_bench(opa: Path, template: dict, folder: Path, given: Path, *flags: str) -> tuple[float, int]:
    """opa bench of a ConstraintTemplate's Rego (and libs) on Gatekeeper's input, as Gatekeeper queries it."""
    target = template["spec"]["targets"][0]
    source = next((c["source"] for c in target.get("code", []) if c.get("engine") == "Rego"), target)
    folder.mkdir(parents=True)
    for i, text in enumerate([source["rego"], *source.get("libs", [])]):
        (folder / f"{i}.rego").write_text(text)
    package = next(line.split()[1] for line in source["rego"].splitlines() if line.startswith("package "))
    return opa_bench(opa, f"data.{package}.violation", *flags, "-d", str(folder), given=given)


def library_benches(opa: Path, library: Path, work: Path, given: Path) -> list[tuple[float, int]]:
    """The ten templates, read from a gatekeeper-library checkout."""
    import yaml

    return [template_bench(opa, yaml.safe_load((library / "library" / name / "template.yaml").read_text()),
                           work / name.replace("/", "-"), given, "--v0-compatible")
            for name in LIBRARY_TEMPLATES]


def gatekeeper_benches(opa: Path, gatekeeper: Path, work: Path, pod: dict) -> dict[str, tuple[float, int]]:
    """Each generated template whose Constraint matches a Pod, given the review of the Pod's CREATE and
    that Constraint's parameters: one template alone per decision, as Gatekeeper evaluates them."""
    import yaml

    results = {}
    work.mkdir(parents=True)
    for path in sorted(gatekeeper.glob("*/template.yaml")):
        constraint = yaml.safe_load((path.parent / "constraint.yaml").read_text())
        if not matches_pod(constraint):
            continue
        given = work / f"{path.parent.name}.json"
        given.write_text(json.dumps({"review": review(pod), "parameters": constraint["spec"].get("parameters", {})}))
        results[path.parent.name.split("-")[0]] = template_bench(opa, yaml.safe_load(path.read_text()),
                                                                 work / path.parent.name, given)
    return results


def matches_pod(constraint: dict) -> bool:
    """Whether a Gatekeeper Constraint matches a core-group Pod."""
    kinds = (constraint["spec"].get("match") or {}).get("kinds") or []
    return any("Pod" in k.get("kinds", []) and "" in k.get("apiGroups", []) for k in kinds)


def verdicts(path: Path) -> tuple[list[bool], Counter] | None:
    """Each resource's allowed, and the multiset of violation messages, of a policygen eval report."""
    try:
        records = json.loads(path.read_text())
        return [r["allowed"] for r in records], Counter(v["message"] for r in records for v in r["violations"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def conftest_messages(path: Path) -> Counter | None:
    try:
        return Counter(f["msg"] for r in json.loads(path.read_text()) for f in r.get("failures") or [])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def main(argv: list[str]) -> None:
    global POD_JSON
    n = size(argv)
    spec_path = spec(argv)
    with_kyverno = "--kyverno" in argv or n <= KYVERNO_MAX
    with tempfile.TemporaryDirectory(prefix="policygen-bench-") as tmp:
        root = Path(tmp)
        folder = root / "workloads"
        folder.mkdir()
        paths = write(n, folder, tampered_every=TAMPERED_EVERY)
        mb = sum(p.stat().st_size for p in paths) / 1e6
        POD_JSON = root / "pod.json"
        # In a mesh namespace of the spec, so that every pod rule does its work.
        pod = load_samples([POD]).resources[0].source
        pod["metadata"]["namespace"] = load_spec(spec_path).spec.scope.mesh_namespaces[0]
        POD_JSON.write_text(json.dumps(pod))

        gen_code, _, gen_peak = peak_rss(policygen("generate", str(spec_path), "-o", str(root / "dist"), "-q"),
                                         stdout=subprocess.DEVNULL)
        # Timed apart from the memory polling, a fresh folder each time: the median of five.
        gen_times = []
        for i in range(5):
            start = time.perf_counter()
            subprocess.run(policygen("generate", str(spec_path), "-o", str(root / f"generate-{i}"), "-q"),
                           stdout=subprocess.DEVNULL, check=False)
            gen_times.append(time.perf_counter() - start)
        gen_secs = sorted(gen_times)[2]
        rego = root / "dist" / "rego"
        data = root / "data"
        data.mkdir()
        (data / "inventory.json").write_text(json.dumps({"inventory": {"cluster": {"v1": {"Namespace": {}}}}}))

        rows: list[tuple[str, float, int, str]] = []
        outcomes: dict[str, tuple[list[bool], Counter] | None] = {}
        conftest_said: Counter | None = None
        if tools.is_installed("conftest") and "--no-conftest" not in argv:
            conftest = str(tools.find("conftest"))
            base = [conftest, "test", "--no-color", "--output", "json", "--policy", str(rego), "--data", str(data),
                    "--namespace", "main"]
            with open(root / "conftest.json", "w") as said:
                code, secs, peak = peak_rss(base + [str(p) for p in paths], stdout=said, stderr=subprocess.DEVNULL)
            conftest_said = conftest_messages(root / "conftest.json")
            rows.append(("conftest test, one process, all files", secs, peak, f"exit {code}"))

            def per_file() -> int:
                worst = 0
                for p in paths:
                    worst = max(worst, peak_rss(base + [str(p)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)[2])
                return worst

            if "--no-per-file" not in argv:
                start = time.perf_counter()
                worst = per_file()
                rows.append((f"conftest test, one process per file ({len(paths)})", time.perf_counter() - start, worst, ""))
        engines = ["opa", "conftest", "gator"] + (["kyverno"] if with_kyverno else [])
        if option(argv, "--engines"):
            engines = option(argv, "--engines").split(",")
        for engine in engines:
            if not tools.is_installed(tools.ENGINE_TOOLS[engine]):
                rows.append((f"policygen eval --engine {engine}", float("nan"), 0, "not installed"))
                continue
            out = root / f"{engine}.json"
            code, secs, peak = peak_rss(policygen("eval", "--spec", str(spec_path), "--engine", engine, "--fail-on", "never",
                                                  "-o", str(out), str(folder)), stderr=subprocess.DEVNULL)
            outcomes[engine] = verdicts(out)
            rows.append((f"policygen eval --engine {engine}", secs, peak, f"exit {code}"))

        decisions: list[tuple[str, float, int]] = []
        if tools.is_installed("opa"):
            opa = tools.find("opa")
            decisions.append(("ours: whole set, data.main.violations", *opa_bench(opa, "data.main.violations", "-b", str(rego))))
            # What most of a cluster dump is: objects no rule judges, and pods outside the mesh.
            for name, other in (("the same Pod outside the mesh", {**pod, "metadata": {**pod["metadata"], "namespace": "elsewhere"}}),
                                ("a ConfigMap", {"apiVersion": "v1", "kind": "ConfigMap",
                                                 "metadata": {"name": "settings", "namespace": pod["metadata"]["namespace"]},
                                                 "data": {"key": "value"}})):
                path = root / f"{name.replace(' ', '-')}.json"
                path.write_text(json.dumps(other))
                decisions.append((f"  whole set on {name}", *opa_bench(opa, "data.main.violations", "-b", str(rego), given=path)))
            if (rego / "usual.rego").is_file():
                # What the usual pod (usual.rego) spares the Pod, and what a Pod it does not clear pays: the
                # usual body up to where it fails, then every rule.
                decisions.append(("  every rule asked (data.main.every_violation)",
                                  *opa_bench(opa, "data.main.every_violation", "-b", str(rego))))
                path = root / "denied-pod.json"
                path.write_text(json.dumps(proxy_moved(pod)))
                decisions.append(("  whole set on the same Pod, its proxy image moved (denied)",
                                  *opa_bench(opa, "data.main.violations", "-b", str(rego), given=path)))
            rules = sorted(p.name.split("-")[0] for p in rego.iterdir() if p.is_dir() and p.name[:2] in ("sc", "cp"))
            one_by_one = {r: opa_bench(opa, f"data.policygen.{r}.violations", "-b", str(rego)) for r in rules}
            decisions.append((f"ours: {len(rules)} rules one by one, summed",
                              sum(t for t, _ in one_by_one.values()), sum(a for _, a in one_by_one.values())))
            # Gatekeeper evaluates a template only where its constraint's match names the object's kind, on
            # its own input: the review and the Constraint's parameters.
            templates = gatekeeper_benches(opa, root / "dist" / "gatekeeper", root / "templates", pod)
            decisions.append((f"ours: the {len(templates)} Gatekeeper templates matching a Pod",
                              sum(t for t, _ in templates.values()), sum(a for _, a in templates.values())))
            # The library's ten check images (allowedrepos, imagedigests, disallowedtags: SC001), limits
            # (containerlimits: SC007), securityContexts (five templates: SC004 on sidecars, SC010 on the app
            # containers) and host namespaces (SC011); our other rules check what none of them does.
            alike = [r for r in LIKE_THE_LIBRARY if r in templates]
            decisions.append((f"ours: {' '.join(r.upper() for r in alike)} templates, summed",
                              sum(templates[r][0] for r in alike), sum(templates[r][1] for r in alike)))
            given = review_input(pod, root / "review.json")
            library = option(argv, "--library")
            if library:
                real = library_benches(opa, Path(library), root / "library", given)
                decisions.append(("gatekeeper-library: the 10 templates, summed", sum(t for t, _ in real), sum(a for _, a in real)))
            refs = [opa_bench(opa, f"data.reference.{q}", "-d", str(REFERENCE), given=given) for q in REFERENCE_QUERIES]
            decisions.append(("reference: 10 library stand-ins one by one, summed",
                              sum(t for t, _ in refs), sum(a for _, a in refs)))

        cel_rows = None
        if tools.is_installed("kyverno") and "--no-cel" not in argv:
            cel_rows = cel_cost.per_resource(tools.find("kyverno"), root / "dist", pod, root / "cel")
        once_rows = None
        if tools.is_installed("kyvernocheck") and "--no-cel" not in argv:
            once_rows = cel_cost.per_resource(tools.find("kyvernocheck"), root / "dist", pod, root / "cel-once")
        # What each pod rule's usual case (usual.cel.jinja) spares: the same policies asking `problems` alone.
        usual_rows, once_full = [], None
        if tools.is_installed("celcheck") and "--no-cel" not in argv:
            alone = cel_cost.without_usual(root / "dist", root / "dist-problems-alone")
            ns = pod["metadata"]["namespace"]
            namespace = {"apiVersion": "v1", "kind": "Namespace",
                         "metadata": {"name": ns, "labels": {"kubernetes.io/metadata.name": ns}}}
            for label, given in (("the corpus pod", pod), ("its proxy image moved (denied)", proxy_moved(pod))):
                usual_rows.append((label, cel_cost.api_server_costs(root / "dist", given, namespace),
                                   cel_cost.api_server_costs(alone, given, namespace)))
            if once_rows is not None:
                once_full = cel_cost.per_resource(tools.find("kyvernocheck"), alone, pod, root / "cel-once-alone")

    cpu = platform.processor() or platform.machine()
    print(f"policygen bench: {n} resources ({mb:.1f} MB in {len(paths)} files, every {TAMPERED_EVERY}th sidecar image "
          f"tampered), spec {spec_path}")
    print(f"machine: {os.cpu_count()} cores, {cpu}, {platform.system()} {platform.release()}, "
          f"load {os.getloadavg()[0]:.1f} at start of print; shared machines make absolute times noisy\n")
    base = next((s for name, s, _, _ in rows if name.startswith("conftest test, one process,")), None)
    print(f"{'way':46} {'seconds':>8} {'res/s':>8} {'peak MiB':>9} {'x one conftest':>15}  note")
    for name, secs, peak, note in rows:
        ratio = f"{base / secs:15.2f}" if base and secs == secs else f"{'-':>15}"
        print(f"{name:46} {secs:8.1f} {n / secs if secs else 0:8.0f} {peak / 2**20:9.0f} {ratio}  {note}")
    judged = {e: v[0] for e, v in outcomes.items() if v is not None}
    if judged:
        first = next(iter(judged.values()))
        same = all(v == first for v in judged.values())
        print(f"verdicts: {', '.join(f'{e} {v.count(False)} denied of {len(v)}' for e, v in judged.items())}; "
              f"{'the same in every engine' if same else 'ENGINES DISAGREE'}")
    if conftest_said is not None and outcomes.get("opa"):
        ours = outcomes["opa"][1]
        print(f"violation messages: conftest {sum(conftest_said.values())}, policygen opa {sum(ours.values())}; "
              f"{'the same multiset' if ours == conftest_said else 'CONFTEST AND POLICYGEN DIFFER'}")
    if decisions:
        ref, ref_allocs = decisions[-1][1], decisions[-1][2]
        print(f"\n{'one decision on ' + POD.name:52} {'median us':>10} {'allocs':>8} {'x reference us':>15} {'x ref allocs':>13}")
        for name, us, allocs in decisions:
            print(f"{name:52} {us:10.0f} {allocs:8d} {us / ref:15.2f} {allocs / ref_allocs:13.2f}")
    if cel_rows or once_rows:
        cel_cost.report(cel_rows, once_rows)
    if usual_rows:
        cel_cost.report_usual(usual_rows, once_rows, once_full)
    print(f"\npolicygen generate {spec_path.name}: {gen_secs:.2f} s, the median of 5 into a new folder (exit {gen_code}), "
          f"peak {gen_peak / 2**20:.0f} MiB; bench/generate.py compares it with another checkout")


if __name__ == "__main__":
    main(sys.argv[1:])
