"""`policygen cluster up|down|env`: a control plane that outlives the command.

The state file (pids, folder, kubeconfig) lives in a private folder:
``$POLICYGEN_STATE_DIR`` or ``$XDG_RUNTIME_DIR/policygen`` or
``~/.cache/policygen/run``, created mode 0700.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from ..errors import PolicygenError
from .control_plane import LocalCluster
from .processes import stop_pid


def state_dir() -> Path:
    base = os.environ.get("POLICYGEN_STATE_DIR")
    if base:
        folder = Path(base)
    elif os.environ.get("XDG_RUNTIME_DIR"):
        folder = Path(os.environ["XDG_RUNTIME_DIR"]) / "policygen"
    else:
        folder = Path.home() / ".cache" / "policygen" / "run"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder.chmod(0o700)
    return folder


def state_file() -> Path:
    return state_dir() / "cluster.json"


def read_state() -> dict | None:
    path = state_file()
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PolicygenError(f"{path}: unreadable cluster state ({exc}); remove it after stopping the processes it names") from None


def _alive(state: dict) -> bool:
    return all(Path(f"/proc/{c['pid']}").exists() for c in state.get("components", []))


def up() -> dict:
    existing = read_state()
    if existing and _alive(existing):
        return existing
    if existing:
        down()
    folder = state_dir() / "cluster"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(mode=0o700)
    cluster = LocalCluster(folder=folder, detach=True)
    try:
        cluster.start()
    except BaseException:
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)
        raise
    state = cluster.state()
    state["timings"] = {"etcdReady": round(cluster.timings.etcd_ready, 2), "apiserverReady": round(cluster.timings.apiserver_ready, 2)}
    fd = os.open(state_file(), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(state, fh, indent=2)
    return state


def down() -> dict | None:
    state = read_state()
    if state is None:
        return None
    for component in reversed(state.get("components", [])):
        stop_pid(int(component["pid"]), component["binary"])
    folder = Path(state.get("folder", ""))
    if folder.is_dir() and folder.parent == state_dir():
        shutil.rmtree(folder, ignore_errors=True)
    state_file().unlink(missing_ok=True)
    return state
