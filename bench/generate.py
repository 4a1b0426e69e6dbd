"""`policygen generate` on a spec, timed the way a person meets it: a new process each run.

Run: python bench/generate.py [--spec SPEC] [--runs N] [--against DIR] [--jobs 1,2]

Each way is run N times (default 9), the ways alternating so that a change in
the machine's load falls on all of them alike; it prints the median and the
fastest quarter of each, and its speed-up, the first way's median over its own:

- into an empty folder, and over its own earlier output (`make generate`
  with nothing to change);
- with each number of jobs given (POLICYGEN_JOBS: 1 renders every backend in
  one process, 2 renders the CEL backends in a forked child);
- with --against DIR, the same in DIR, another checkout of policygen (say
  `git worktree add /tmp/before <commit>`), first, so that the ratios compare
  this checkout with it.

Each checkout's modules are compiled first (`python -m compileall`), as `pip
install` does: with PYTHONDONTWRITEBYTECODE set, Python would otherwise compile
every module on every run. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _once(checkout: Path, spec: Path, out: Path, jobs: int) -> float:
    env = {**os.environ, "PYTHONPATH": str(checkout), "POLICYGEN_JOBS": str(jobs)}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "policygen.cli", "generate", str(spec), "-o", str(out), "--quiet"],
                   cwd=checkout, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, default=ROOT / "specs" / "reference.yaml")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--against", type=Path, help="another policygen checkout, measured first")
    parser.add_argument("--jobs", default="1,2", help="POLICYGEN_JOBS values, comma-separated")
    args = parser.parse_args()
    spec = args.spec.resolve()
    checkouts = [c.resolve() for c in (args.against, ROOT) if c is not None]
    for checkout in checkouts:
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(checkout / "policygen")], check=True)
    ways = [(f"{c.name}, jobs {j}", c, int(j)) for c in checkouts for j in args.jobs.split(",")]
    print(f"policygen generate {spec.name}: {args.runs} runs of each, alternating; "
          f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="policygen-bench-generate-", dir=ROOT.parent) as tmp:
        for mode in ("into an empty folder", "over its own output"):
            times: dict[str, list[float]] = {name: [] for name, *_ in ways}
            for _ in range(args.runs):
                for name, checkout, jobs in ways:
                    out = Path(tmp) / name.replace(" ", "").replace(",", "-")
                    if mode == "into an empty folder":
                        shutil.rmtree(out, ignore_errors=True)
                    elif not out.exists():
                        _once(checkout, spec, out, jobs)
                    times[name].append(_once(checkout, spec, out, jobs))
            first = statistics.median(times[ways[0][0]])
            print(f"\n{mode}:")
            print(f"  {'way':32} {'median s':>9} {'fastest quarter s':>18} {'speed-up':>9}")
            for name, *_ in ways:
                runs = sorted(times[name])
                median = statistics.median(runs)
                print(f"  {name:32} {median:9.3f} {runs[len(runs) // 4]:18.3f} {first / median:9.2f}")


if __name__ == "__main__":
    main()
