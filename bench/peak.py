"""Peak memory of a command and every process it starts (policygen plus its engine server), summed.

Run: python bench/peak.py COMMAND [ARG ...]

/usr/bin/time reports the largest single process; an OPA server beside
policygen is a second process, so the tree is sampled here instead.
"""

from __future__ import annotations

import subprocess
import sys
import time

import psutil


def peak_rss(argv: list[str], interval: float = 0.05, **popen) -> tuple[int, float, int]:
    """(exit status, wall seconds, peak summed RSS in bytes) of argv and its descendants."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, **popen)
    top = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        try:
            tree = [top, *top.children(recursive=True)]
            total = 0
            for p in tree:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
            peak = max(peak, total)
        except psutil.Error:
            pass
        time.sleep(interval)
    return proc.returncode, time.perf_counter() - start, peak


if __name__ == "__main__":
    code, secs, peak = peak_rss(sys.argv[1:])
    print(f"exit {code}, {secs:.1f} s, peak RSS {peak / 2**20:.0f} MiB", file=sys.stderr)
    sys.exit(code)
