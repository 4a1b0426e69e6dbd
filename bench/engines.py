"""How much batching buys: one engine start for all resources vs. one per resource.

Run: python bench/engines.py [N]   (N corpus resources, default 60)

Prints, side by side in one run, the wall time of each way of judging the same
resources and its ratio to the batched OPA server, which policygen uses.
Nothing here is asserted: speed is reported, not tested.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import policygen as pg  # noqa: E402
from policygen import tools  # noqa: E402
from policygen.engines.opa import OpaServer  # noqa: E402
from policygen.output import write_tree  # noqa: E402
from policygen.pipeline import render_all  # noqa: E402
from policygen.samples import SampleSet, load_samples  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "istio-injected"
SPEC = ROOT / "tests" / "corpus" / "spec.yaml"


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 60
    plan = pg.build_plan(pg.load_spec(SPEC))
    samples = load_samples(sorted(CORPUS.glob("*.injected")))
    samples = SampleSet(samples.resources[:n])
    docs = [r.source for r in samples.resources]
    rows: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        dist = Path(tmp) / "dist"
        write_tree(render_all(plan, ["rego"]), dist)
        rego = dist / "rego"

        rows.append(("opa server, one batched query (policygen)", timed(lambda: pg.evaluate(plan, "opa", samples))[0]))

        def per_request():
            with OpaServer() as server:
                server.load(rego)
                for doc in docs:
                    server.judge([doc], {})

        rows.append(("opa server, one query per resource", timed(per_request)[0]))

        def per_process():
            opa = str(tools.find("opa"))
            for doc in docs:
                path = Path(tmp) / "input.json"
                path.write_text(json.dumps(doc))
                subprocess.run([opa, "eval", "-f", "raw", "-d", str(rego), "-i", str(path), "data.main.violations"],
                               check=True, capture_output=True)

        rows.append(("opa eval, one process per resource", timed(per_process)[0]))
        if tools.is_installed("conftest"):
            rows.append(("conftest, one run for all (policygen)", timed(lambda: pg.evaluate(plan, "conftest", samples))[0]))
        for engine in ("gator", "kyverno"):
            if tools.is_installed(engine):
                try:
                    rows.append((f"{engine}, batched (policygen)", timed(lambda e=engine: pg.evaluate(plan, e, samples))[0]))
                except (pg.PolicygenError, ImportError) as exc:
                    rows.append((f"{engine}: {exc}".splitlines()[0][:60], float("nan")))
    base = rows[0][1]
    print(f"{n} resources from the Istio corpus, spec {SPEC.name}")
    print(f"{'way':48} {'seconds':>9} {'x batched opa':>14}")
    for name, seconds in rows:
        print(f"{name:48} {seconds:9.2f} {seconds / base:14.1f}")


if __name__ == "__main__":
    main()
