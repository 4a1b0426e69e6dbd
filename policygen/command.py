"""The `policygen` console script. It imports the command only once it can catch a SIGINT: one in the half
second that Python spends importing ends as quietly as one later (exit 130), never with a traceback."""

from __future__ import annotations

import gc
import sys

EXIT_INTERRUPTED = 128 + 2  # SIGINT, as a shell reports a command it ended; cli.py exits with it too


def run() -> None:
    # Importing the command builds many objects and frees few: see cli._few_collections.
    gc.set_threshold(20_000)
    try:
        from .cli import run as command
    except KeyboardInterrupt:
        print("policygen: interrupted", file=sys.stderr)
        sys.exit(EXIT_INTERRUPTED)
    command()
