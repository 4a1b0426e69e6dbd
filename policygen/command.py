"""The `policygen` console script. It imports the command only once it can catch a SIGINT: one in the half
second that Python spends importing ends as quietly as one later (exit 130), never with a traceback."""

from __future__ import annotations

import sys

EXIT_INTERRUPTED = 128 + 2  # SIGINT, as a shell reports a command it ended; cli.py exits with it too


def run() -> None:
    try:
        from .cli import run as command
    except KeyboardInterrupt:
        print("policygen: interrupted", file=sys.stderr)
        sys.exit(EXIT_INTERRUPTED)
    command()
