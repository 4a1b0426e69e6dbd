"""Child processes that end with policygen: a server it starts must not outlive a SIGKILL of it."""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
from collections.abc import Callable

_PR_SET_PDEATHSIG = 1


def die_with_parent(sig: int = signal.SIGTERM) -> Callable[[], None] | None:
    """A preexec_fn that has Linux send the child sig (SIGTERM) when this process dies, however it dies.

    Only from the main thread: the kernel sends it when the thread that started the child ends, and a
    worker thread may end while its server is still in use. Elsewhere, or without prctl, None (the
    servers are still stopped on every exit Python sees)."""
    if not sys.platform.startswith("linux") or threading.current_thread() is not threading.main_thread():
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up here: the child only calls it
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def preexec() -> None:
        prctl(_PR_SET_PDEATHSIG, sig)
        if os.getppid() != parent:  # the parent died before the request was made
            os._exit(1)

    return preexec
