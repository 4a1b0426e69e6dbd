"""What each generated Kyverno ValidatingPolicy costs per resource in the Kyverno CLI (bench/suite.py).

The CLI compiles every policy it is given again for each resource, so a
policy's cost per resource is mostly the compilation of its CEL. Each policy
is applied alone to one copy and to COPIES copies of the same pod; the
difference over COPIES - 1 is its cost per resource. A ValidatingPolicy of
the same match whose only expression is `true` gives the CLI's own cost per
policy and resource, which no CEL of ours can remove. Then all the pod
policies together, as `policygen eval --engine kyverno` gives them to a pod,
beside as many `true` policies together: the CLI's own cost is paid per
policy, not per resource, so a policy per rule ID costs at least that many
times it.
"""

from __future__ import annotations

import copy
import shutil
import statistics
import subprocess
import time
from pathlib import Path

import yaml

from policygen.cost import check
from policygen.engines.kyverno import command

COPIES = 25
RUNS = 2
# tools/kyvernocheck compiles once per run, so a resource costs little: more copies to see it.
COPIES_ONCE = 400

_TRIVIAL = {
    "apiVersion": "policies.kyverno.io/v1", "kind": "ValidatingPolicy", "metadata": {"name": "trivial"},
    "spec": {"evaluation": {"background": {"enabled": True}}, "failurePolicy": "Fail",
             "matchConstraints": {"resourceRules": [{"apiGroups": [""], "apiVersions": ["v1"],
                                                     "operations": ["CREATE", "UPDATE"], "resources": ["pods"]}]},
             "validationActions": ["Deny"], "validations": [{"expression": "true", "message": "never"}]},
}


def _apply(kyverno: Path, policies: list[Path], resources: Path, values: Path) -> float:
    argv = command(kyverno, policies, ["--resource", str(resources), "--values-file", str(values)])
    start = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True)
    took = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{kyverno.name} {' '.join(p.name for p in policies)} failed: {proc.stderr[-500:]}")
    return took


def _judges_pods(doc: dict) -> bool:
    rules = (doc.get("spec") or {}).get("matchConstraints", {}).get("resourceRules", [])
    return doc.get("kind") == "ValidatingPolicy" and any("pods" in r.get("resources", []) for r in rules)


def per_resource(kyverno: Path, dist: Path, pod: dict, work: Path) -> list[tuple[str, float]]:
    """(policy, milliseconds per resource) for the trivial policy first, then each generated ValidatingPolicy
    that judges pods (the control-plane rules match other kinds), then those together and as many trivial ones.
    kyverno is the CLI or tools/kyvernocheck (which compiles once per run)."""
    work.mkdir(parents=True)
    namespace = pod["metadata"]["namespace"]
    copies = []
    count = COPIES_ONCE if kyverno.name == "kyvernocheck" else COPIES
    for i in range(count):
        one = copy.deepcopy(pod)
        one["metadata"]["name"] = f"bench-{i}"
        copies.append(one)
    (work / "one.yaml").write_text(yaml.safe_dump(copies[0]))
    (work / "many.yaml").write_text(yaml.safe_dump_all(copies))
    values = work / "values.yaml"
    values.write_text(yaml.safe_dump({
        "apiVersion": "cli.kyverno.io/v1alpha1", "kind": "Value", "metadata": {"name": "values"},
        "namespaceSelector": [{"name": namespace, "labels": {"kubernetes.io/metadata.name": namespace}}],
        "globalValues": {"request.operation": "CREATE"}}))
    trivial = work / "trivial.yaml"
    trivial.write_text(yaml.safe_dump(_TRIVIAL))
    policies = [trivial] + sorted(p for p in (dist / "kyverno").glob("*/*.yaml") if _judges_pods(yaml.safe_load(p.read_text())))
    trivials = work / "trivials.yaml"
    trivials.write_text(yaml.safe_dump_all([{**_TRIVIAL, "metadata": {"name": f"trivial-{n}"}} for n in range(len(policies) - 1)]))
    out = [(policy.stem, _per_resource(kyverno, [policy], work, values, count)) for policy in policies]
    out.append((f"all {len(policies) - 1} together", _per_resource(kyverno, policies[1:], work, values, count)))
    out.append((f"{len(policies) - 1} true policies together", _per_resource(kyverno, [trivials], work, values, count)))
    return out


def _per_resource(kyverno: Path, policies: list[Path], work: Path, values: Path, count: int) -> float:
    """Milliseconds per resource of one `kyverno apply` of these policies."""
    one = statistics.median(_apply(kyverno, policies, work / "one.yaml", values) for _ in range(RUNS))
    many = statistics.median(_apply(kyverno, policies, work / "many.yaml", values) for _ in range(RUNS))
    return max(0.0, many - one) / (count - 1) * 1000


def report(cli: list[tuple[str, float]] | None, once: list[tuple[str, float]] | None) -> None:
    """Side by side: `kyverno apply` and tools/kyvernocheck (what `policygen eval --engine kyverno` runs), per resource."""
    rows = cli or once
    if not rows:
        return
    by_once = dict(once or [])
    by_cli = dict(cli or [])

    def line(label: str, name: str) -> None:
        a, b = by_cli.get(name), by_once.get(name)
        ratio = f"{a / b:8.0f}x" if a is not None and b else f"{'-':>9}"
        print(f"{label:46} {'-' if a is None else f'{a:.1f}':>12} {'-' if b is None else f'{b:.3f}':>14} {ratio}")

    print(f"\n{'Kyverno ValidatingPolicies on a pod, ms/resource':46} {'kyverno apply':>12} {'kyvernocheck':>14} {'cheaper':>9}")
    line("one policy whose expression is true", rows[0][0])
    for name, _ in rows[1:-2]:
        line(name, name)
    line(rows[-1][0], rows[-1][0])
    line(rows[-2][0] + " (policygen eval)", rows[-2][0])


# --------------------------------------------------------------------------- the usual case's share

USUAL_PREFIX = "variables.usual || "


def without_usual(dist: Path, out: Path) -> Path:
    """A copy of dist whose CEL policies ask `problems` alone, as before usual.cel.jinja: the same policies
    with `variables.usual || ` taken off their validation (the variable stays, and is never read)."""
    shutil.copytree(dist, out)
    for path in [*(out / "vap").glob("*.yaml"), *(out / "kyverno").glob("*/*.yaml")]:
        docs = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
        changed = False
        for doc in docs:
            for v in (doc or {}).get("spec", {}).get("validations") or []:
                if isinstance(v.get("expression"), str) and v["expression"].startswith(USUAL_PREFIX):
                    v["expression"] = v["expression"][len(USUAL_PREFIX):]
                    changed = True
        if changed:
            path.write_text(yaml.safe_dump_all(docs, sort_keys=False), encoding="utf-8")
    return out


def api_server_costs(dist: Path, pod: dict, namespace: dict) -> dict[str, tuple[int, bool]]:
    """The API server's CEL runtime cost of each pod ValidatingAdmissionPolicy on the pod (tools/celcheck,
    the admission plugin's own validator and cost tracker), and whether it allowed it."""
    files = sorted(p for p in (dist / "vap").glob("sc*.yaml"))
    return {r.policy: (r.cost, r.allowed) for r in check(files, pod, namespace)}


def report_usual(rows: list[tuple[str, dict[str, tuple[int, bool]], dict[str, tuple[int, bool]]]],
                 once: list[tuple[str, float]] | None, once_full: list[tuple[str, float]] | None) -> None:
    """Side by side: the policies as generated (each pod rule's usual case first) and the same asking
    `problems` alone, in the API server's cost units per pod and, where run, kyvernocheck's ms per resource."""
    for label, ours, full in rows:
        print(f"\n{'API server CEL cost units, ' + label:58} {'generated':>10} {'problems alone':>15} {'cheaper':>8}")
        for policy in sorted(ours):
            a, b = ours[policy][0], full[policy][0]
            print(f"{policy:58} {a:10d} {b:15d} {b / a if a else float('inf'):7.1f}x"
                  f"{'' if ours[policy][1] == full[policy][1] else '  VERDICTS DIFFER'}")
        a, b = sum(c for c, _ in ours.values()), sum(c for c, _ in full.values())
        print(f"{'all pod policies, summed':58} {a:10d} {b:15d} {b / a if a else float('inf'):7.1f}x")
    if once and once_full:
        full = dict(once_full)
        print(f"\n{'kyvernocheck, ms/resource, the corpus pod':58} {'generated':>10} {'problems alone':>15} {'cheaper':>8}")
        for name, ms in once:
            if name in full:
                print(f"{name:58} {ms:10.3f} {full[name]:15.3f} {full[name] / ms if ms else 0:7.1f}x")
