"""Writing a generated tree: complete or not at all, byte-identical on rerun."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .errors import OutputError  # noqa: F401  (raised here; defined with every other error)

FileMap = dict[PurePosixPath, str]


@dataclass(frozen=True)
class Change:
    path: str
    action: str  # create | update | identical | delete


def diff_tree(files: FileMap, dest: Path) -> list[Change]:
    changes: list[Change] = []
    wanted = {str(p) for p in files}
    for rel in sorted(files, key=str):
        target = dest / rel
        if not target.exists():
            changes.append(Change(str(rel), "create"))
        elif target.read_bytes() != files[rel].encode("utf-8"):
            changes.append(Change(str(rel), "update"))
        else:
            changes.append(Change(str(rel), "identical"))
    if dest.is_dir():
        for existing in sorted(dest.rglob("*")):
            if existing.is_file():
                rel = existing.relative_to(dest).as_posix()
                if rel not in wanted:
                    changes.append(Change(rel, "delete"))
    return changes


def _refuse_foreign(files: FileMap, dest: Path) -> None:
    """Never replace a folder that holds anything but what we write (a typo in -o must not wipe ~)."""
    if not dest.exists():
        return
    if not dest.is_dir():
        raise OutputError(f"{dest}: exists and is not a folder; choose an output folder")
    ours = {PurePosixPath(p).parts[0] for p in files}
    foreign = sorted(p.name for p in dest.iterdir() if p.name not in ours)
    if foreign:
        raise OutputError(
            f"{dest}: refusing to replace a folder that holds {', '.join(foreign[:5])}"
            f"{' ...' if len(foreign) > 5 else ''}, which policygen does not write; choose an empty or generated folder"
        )


def _plain_file(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _folders(dest: Path) -> set[PurePosixPath]:
    return {PurePosixPath(p.relative_to(dest).as_posix()) for p in dest.rglob("*") if p.is_dir() and not p.is_symlink()}


def write_tree(files: FileMap, dest: Path) -> list[Change]:
    """Render everything into a sibling temp folder, then swap it into place.

    A failure half-way leaves the old dest untouched; stale files of an earlier
    spec do not survive, since dest is replaced whole.
    """
    dest = Path(dest)
    _refuse_foreign(files, dest)
    changes = diff_tree(files, dest)
    identical = {c.path for c in changes if c.action == "identical"}
    if (len(identical) == len(changes) and all(_plain_file(dest / rel) for rel in files)
            and _folders(dest) == {f for rel in files for f in rel.parents} - {PurePosixPath(".")}):
        return changes  # the tree is already exactly what would be written, plain files and folders only
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.tmp-", dir=dest.parent))

    def put(rel: PurePosixPath) -> None:
        target = tmp / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        # A file that would be written unchanged is linked from the tree it replaces: creating and
        # filling a file costs most of a millisecond on some disks, a link a few microseconds.
        if str(rel) in identical and _plain_file(dest / rel):
            try:
                os.link(dest / rel, target, follow_symlinks=False)
                return
            except OSError:
                pass
        with open(target, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(files[rel])

    try:
        # The file system calls release the GIL, so a few threads overlap their latency (folders included).
        with ThreadPoolExecutor(max_workers=4) as pool:
            for _ in pool.map(put, sorted(files, key=str)):
                pass
        old = None
        if dest.exists():
            old = dest.parent / f".{dest.name}.old-{os.getpid()}"
            os.replace(dest, old)
        os.replace(tmp, dest)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return changes
