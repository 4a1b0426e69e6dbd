"""Work done on a second core by a forked copy of this process, its result sent back pickled.

`generate` is CPU-bound Python: one interpreter renders one backend at a time. A fork shares the plan,
the compiled templates and every import already paid for, and costs a few milliseconds, where a new
interpreter would import everything again. A fork is only safe while this process runs a single thread
(another thread may hold a lock the copy would inherit, held forever), so with other threads about, or no
os.fork, or a child that fails in any way, the work is done here instead: the same result, or the same
exception, only slower.
"""

from __future__ import annotations

import os
import pickle
import signal
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


def can_fork() -> bool:
    return hasattr(os, "fork") and threading.active_count() == 1


class Forked(Generic[T]):
    """work() started in a forked child; result() waits for it (or, failing that, calls work() here)."""

    def __init__(self, work: Callable[[], T]) -> None:
        self._work = work
        self._pid = 0
        self._read = -1
        if not can_fork():
            return
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns into the caller's code, never runs its cleanup
            try:
                os.close(read)
                try:
                    payload = pickle.dumps((True, work()), protocol=pickle.HIGHEST_PROTOCOL)
                except BaseException:  # noqa: BLE001 - the parent does the work again and raises it there
                    payload = pickle.dumps((False, None))
                with os.fdopen(write, "wb") as out:
                    out.write(payload)
            finally:
                os._exit(0)
        os.close(write)
        self._pid, self._read = pid, read

    def result(self) -> T:
        if not self._pid:
            return self._work()
        with os.fdopen(self._read, "rb") as pipe:
            self._read = -1
            data = pipe.read()
        self._reap()
        try:
            done, value = pickle.loads(data)  # noqa: S301 - our own child's bytes
        except Exception:  # noqa: BLE001 - a child that died part-way
            done, value = False, None
        return value if done else self._work()

    def close(self) -> None:
        """Stop waiting (an error or a signal in the parent): a child whose result was not read is stopped,
        not waited for while it renders what nobody will read."""
        if self._read >= 0:
            os.close(self._read)
            self._read = -1
            if self._pid:
                try:
                    os.kill(self._pid, signal.SIGKILL)  # the child runs none of the caller's cleanup: nothing lost
                except ProcessLookupError:  # pragma: no cover - already gone, still to be reaped
                    pass
        self._reap()

    def _reap(self) -> None:
        if self._pid:
            os.waitpid(self._pid, 0)
            self._pid = 0

    def __enter__(self) -> Forked[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
