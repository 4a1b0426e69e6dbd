"""Local processes we start: logged to a file, watched for crashes, stopped by their own id."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

from ..children import die_with_parent
from ..errors import ClusterError




def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def log_tail(path: Path, limit: int = 3000) -> str:
    try:
        data = path.read_bytes()
    except OSError:
        return ""
    return data[-limit:].decode("utf-8", "replace")


class Component:
    """One process, its log in the cluster's private folder."""

    def __init__(self, name: str, argv: list[str], log: Path, env: dict[str, str] | None = None,
                 detach: bool = False) -> None:
        self.name = name
        self.argv = argv
        self.log = log
        with open(log, "ab") as out:
            # detach: `policygen cluster up` leaves it running after the command exits. Otherwise it is
            # killed outright when policygen dies unstopped: a kube-apiserver's graceful shutdown waits on
            # an etcd that is ending at the same moment, and it outlived a pytest ended by SIGTERM.
            self.proc = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                env=env, start_new_session=detach, preexec_fn=None if detach else die_with_parent(signal.SIGKILL),
            )
        self.pid = self.proc.pid

    def check(self) -> None:
        status = self.proc.poll()
        if status is not None:
            raise ClusterError(f"{self.name} exited (status {status}); its log ({self.log}) ends:\n{log_tail(self.log)}")

    def stop(self, timeout: float = 15.0) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def stop_pid(pid: int, binary: str, timeout: float = 15.0) -> bool:
    """Stop a process of an earlier `cluster up` by id, only if it still runs that binary."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0].decode()
    except OSError:
        return False
    if cmdline != binary:
        return False  # the id was reused by something that is not ours
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not Path(f"/proc/{pid}").exists():
            return True
        try:
            if Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z":
                return True
        except OSError:
            return True
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    return True
