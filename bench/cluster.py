"""Real admission, measured: control-plane start-up, install-to-enforced, dry-run requests/s.

Run: python bench/cluster.py [--dist=DIR] [BACKEND ...]   (default: every cluster backend policygen.backends provides)

Starts one local control plane (and one Kyverno admission controller, as the
test session does), judges the Istio corpus under each backend with 1 and with
16 requests in flight, and prints the numbers. Nothing is asserted.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import policygen as pg  # noqa: E402
from policygen.backends import all_backends  # noqa: E402
from policygen.cluster import ClusterError, LocalCluster  # noqa: E402
from policygen.cluster.admission import KyvernoController  # noqa: E402
from policygen.engines.cluster import BACKENDS, ClusterEngine  # noqa: E402
from policygen.output import write_tree  # noqa: E402
from policygen.pipeline import render_all  # noqa: E402
from policygen.samples import load_samples  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "istio-injected"
SPEC = ROOT / "tests" / "corpus" / "spec.yaml"


def main(argv: list[str]) -> None:
    # --dist=DIR: judge a dist/ rendered elsewhere (another branch's backends) instead of this checkout's.
    given = next((Path(a.split("=", 1)[1]) for a in argv if a.startswith("--dist=")), None)
    argv = [a for a in argv if not a.startswith("--dist=")]
    plan = pg.build_plan(pg.load_spec(SPEC))
    provided = {b.name for b in all_backends()}
    backends = argv or [b for b in BACKENDS if b in provided]
    samples = load_samples(sorted(CORPUS.glob("*.injected")))
    started = time.monotonic()
    with LocalCluster() as cluster:
        print(f"control plane: etcd healthy after {cluster.timings.etcd_ready:.1f}s, "
              f"kube-apiserver /readyz after {cluster.timings.apiserver_ready:.1f}s "
              f"(whole start {time.monotonic() - started:.1f}s)")
        kyverno = None
        if "kyverno" in backends:
            kyverno = KyvernoController(cluster)
            kyverno.start()
            print(f"kyverno admission controller: CRDs, start and webhooks registered in {kyverno.started_in:.1f}s")
        for backend in backends:
            with tempfile.TemporaryDirectory() as tmp:
                dist = Path(tmp) / "dist"
                if given is None:
                    write_tree(render_all(plan, [backend]), dist)
                else:
                    dist = given
                for concurrency in (1, 16):
                    engine = ClusterEngine(backend, cluster=cluster, concurrency=concurrency,
                                           controller=kyverno if backend == "kyverno" else None)
                    t0 = time.monotonic()
                    try:
                        verdicts = engine.evaluate(dist, plan, samples)
                    except ClusterError as exc:
                        print(f"{backend:10} cannot be installed: {str(exc).strip().splitlines()[-1][:300]}")
                        break
                    if "controller_start_s" in engine.stats:
                        print(f"{backend:10} controller started in {engine.stats['controller_start_s']:.1f}s")
                    total = time.monotonic() - t0
                    s = engine.stats
                    print(f"{backend:10} in-flight {concurrency:2}: {len(verdicts)} resources, "
                          f"{s['requests']:.0f} dry-runs in {s['seconds']:.1f}s = {s['requests'] / s['seconds']:.0f}/s; "
                          f"install to enforced {s['install_to_enforced_s']:.1f}s; whole evaluate {total:.1f}s; "
                          f"denied {sum(not v.allowed for v in verdicts)}")
        if kyverno is not None:
            kyverno.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
