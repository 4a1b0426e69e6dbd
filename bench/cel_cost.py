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
import statistics
import subprocess
import time
from pathlib import Path

import yaml

COPIES = 25
RUNS = 2

_TRIVIAL = {
    "apiVersion": "policies.kyverno.io/v1", "kind": "ValidatingPolicy", "metadata": {"name": "trivial"},
    "spec": {"evaluation": {"background": {"enabled": True}}, "failurePolicy": "Fail",
             "matchConstraints": {"resourceRules": [{"apiGroups": [""], "apiVersions": ["v1"],
                                                     "operations": ["CREATE", "UPDATE"], "resources": ["pods"]}]},
             "validationActions": ["Deny"], "validations": [{"expression": "true", "message": "never"}]},
}


def _apply(kyverno: Path, policies: list[Path], resources: Path, values: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run([str(kyverno), "apply", *map(str, policies), "--resource", str(resources), "--values-file", str(values),
                           "--policy-report", "--output-format", "json", "--remove-color"],
                          capture_output=True, text=True)
    took = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"kyverno apply {' '.join(p.name for p in policies)} failed: {proc.stderr[-500:]}")
    return took


def _judges_pods(doc: dict) -> bool:
    rules = (doc.get("spec") or {}).get("matchConstraints", {}).get("resourceRules", [])
    return doc.get("kind") == "ValidatingPolicy" and any("pods" in r.get("resources", []) for r in rules)


def per_resource(kyverno: Path, dist: Path, pod: dict, work: Path) -> list[tuple[str, float]]:
    """(policy, milliseconds per resource) for the trivial policy first, then each generated ValidatingPolicy
    that judges pods (the control-plane rules match other kinds)."""
    work.mkdir(parents=True)
    namespace = pod["metadata"]["namespace"]
    copies = []
    for i in range(COPIES):
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
    out = [(policy.stem, _per_resource(kyverno, [policy], work, values)) for policy in policies]
    out.append((f"all {len(policies) - 1} together", _per_resource(kyverno, policies[1:], work, values)))
    out.append((f"{len(policies) - 1} true policies together", _per_resource(kyverno, [trivials], work, values)))
    return out


def _per_resource(kyverno: Path, policies: list[Path], work: Path, values: Path) -> float:
    """Milliseconds per resource of one `kyverno apply` of these policies."""
    one = statistics.median(_apply(kyverno, policies, work / "one.yaml", values) for _ in range(RUNS))
    many = statistics.median(_apply(kyverno, policies, work / "many.yaml", values) for _ in range(RUNS))
    return max(0.0, many - one) / (COPIES - 1) * 1000


def report(rows: list[tuple[str, float]]) -> None:
    (_, floor), policies, (together, together_ms), (trivials, trivials_ms) = rows[0], rows[1:-2], rows[-2], rows[-1]
    total = sum(ms for _, ms in policies)
    print(f"\n{'kyverno apply, one policy alone, on a pod':46} {'ms/resource':>12} {'above the CLI':>14}")
    print(f"{'a policy whose expression is true (the CLI)':46} {floor:12.1f} {'-':>14}")
    for name, ms in policies:
        print(f"{name:46} {ms:12.1f} {ms - floor:14.1f}")
    print(f"{'all ' + str(len(policies)) + ', summed':46} {total:12.1f} {total - floor * len(policies):14.1f}")
    print(f"{'kyverno apply, policies together, on a pod':46} {'ms/resource':>12} {'above the CLI':>14}")
    print(f"{trivials + ' (the CLI)':46} {trivials_ms:12.1f} {'-':>14}")
    print(f"{together + ' (policygen eval)':46} {together_ms:12.1f} {together_ms - trivials_ms:14.1f}")
