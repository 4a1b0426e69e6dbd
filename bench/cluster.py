"""Real admission, measured: control-plane start-up, install-to-enforced, dry-run requests/s.

Run: python bench/cluster.py [BACKEND ...]   (default: gatekeeper, and vap when it renders)

Starts one local control plane, judges the Istio corpus under each backend with
1 and with 16 requests in flight, and prints the numbers. Nothing is asserted.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import policygen as pg  # noqa: E402
from policygen.cluster import LocalCluster  # noqa: E402
from policygen.engines.cluster import ClusterEngine  # noqa: E402
from policygen.output import write_tree  # noqa: E402
from policygen.pipeline import render_all  # noqa: E402
from policygen.samples import load_samples  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "istio-injected"
SPEC = ROOT / "tests" / "corpus" / "spec.yaml"


def main(argv: list[str]) -> None:
    plan = pg.build_plan(pg.load_spec(SPEC))
    rendered = {p.parts[0] for p in render_all(plan)}
    backends = argv or [b for b in ("vap", "gatekeeper") if b in rendered]
    samples = load_samples(sorted(CORPUS.glob("*.injected")))
    started = time.monotonic()
    with LocalCluster() as cluster:
        print(f"control plane: etcd healthy after {cluster.timings.etcd_ready:.1f}s, "
              f"kube-apiserver /readyz after {cluster.timings.apiserver_ready:.1f}s "
              f"(whole start {time.monotonic() - started:.1f}s)")
        for backend in backends:
            with tempfile.TemporaryDirectory() as tmp:
                dist = Path(tmp) / "dist"
                write_tree(render_all(plan, [backend]), dist)
                for concurrency in (1, 16):
                    engine = ClusterEngine(backend, cluster=cluster, concurrency=concurrency)
                    t0 = time.monotonic()
                    verdicts = engine.evaluate(dist, plan, samples)
                    total = time.monotonic() - t0
                    s = engine.stats
                    print(f"{backend:10} in-flight {concurrency:2}: {len(verdicts)} resources, "
                          f"{s['requests']:.0f} dry-runs in {s['seconds']:.1f}s = {s['requests'] / s['seconds']:.0f}/s; "
                          f"install to enforced {s['install_to_enforced_s']:.1f}s; whole evaluate {total:.1f}s; "
                          f"denied {sum(not v.allowed for v in verdicts)}")


if __name__ == "__main__":
    main(sys.argv[1:])
