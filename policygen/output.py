"""Writing a generated tree: complete or not at all, byte-identical on rerun."""

from __future__ import annotations

import os
import shutil
import tempfile
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


def write_tree(files: FileMap, dest: Path) -> list[Change]:
    """Render everything into a sibling temp folder, then swap it into place.

    A failure half-way leaves the old dest untouched; stale files of an earlier
    spec do not survive, since dest is replaced whole.
    """
    dest = Path(dest)
    _refuse_foreign(files, dest)
    changes = diff_tree(files, dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.tmp-", dir=dest.parent))
    try:
        for rel in sorted(files, key=str):
            target = tmp / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(files[rel])
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
