"""Writing a generated tree: complete or not at all, byte-identical on rerun."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .errors import OutputError

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


@contextmanager
def _writing(dest: Path) -> Iterator[None]:
    """The file system refusing a write (no such folder, no permission, a full disk) is a bad output
    folder, said as such; an error while rendering is not caught here."""
    try:
        yield
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        raise OutputError(f"{dest}: cannot write the generated files: {exc.strerror or exc}{where}") from None


def write_tree(files: FileMap | Iterable[FileMap], dest: Path) -> list[Change]:
    """Write files (one map, or maps that arrive while the rest is still being rendered) into a sibling temp
    folder, then swap it into place.

    A failure half-way, in rendering or in writing, leaves the old dest untouched; stale files of an earlier
    spec do not survive, since dest is replaced whole. A tree that is already exactly what would be written
    is left as it is.
    """
    dest = Path(dest)
    if dest.exists() and not dest.is_dir():
        raise OutputError(f"{dest}: exists and is not a folder; choose an output folder")
    batches: Iterable[FileMap] = [files] if isinstance(files, dict) else files
    wanted: FileMap = {}
    changes: list[Change] = []
    unchanged: list[PurePosixPath] = []  # linked into the new tree only if it is written at all
    tmp: Path | None = None
    made: set[PurePosixPath] = {PurePosixPath(".")}

    def target(rel: PurePosixPath) -> Path:
        # Each folder made once, its parents first: no mkdir that fails and is tried again.
        assert tmp is not None
        for folder in reversed(rel.parents):
            if folder not in made:
                os.mkdir(tmp / folder)
                made.add(folder)
        return tmp / rel

    def fill(path: Path, text: str) -> None:
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)

    def put(rel: PurePosixPath, text: str) -> None:
        pending.append(pool.submit(fill, target(rel), text))

    # Creating a file can take most of a millisecond on a busy disk; the system calls release the GIL, so
    # a few threads overlap that wait with each other and with rendering. Folders are made here, in order.
    pool = ThreadPoolExecutor(max_workers=4)
    pending: list[Future] = []
    try:
        for batch in batches:  # rendering: its errors are its own
            with _writing(dest):
                for rel in sorted(batch, key=str):
                    text = wanted[rel] = batch[rel]
                    old = dest / rel
                    if _plain_file(old) and old.read_bytes() == text.encode("utf-8"):
                        changes.append(Change(str(rel), "identical"))
                        unchanged.append(rel)
                        continue
                    changes.append(Change(str(rel), "update" if old.exists() else "create"))
                    if tmp is None:
                        tmp = _temporary(dest)
                    put(rel, text)
        with _writing(dest):
            _refuse_foreign(wanted, dest)
            deleted = _deleted(wanted, dest)
            changes.sort(key=lambda c: c.path)
            changes += deleted
            folders = {f for rel in wanted for f in rel.parents} - {PurePosixPath(".")}
            if tmp is None and not deleted and _folders(dest) == folders:
                return changes  # the tree is already exactly what would be written, plain files and folders only
            if tmp is None:
                tmp = _temporary(dest)
            for rel in unchanged:
                # Linking costs a few microseconds where creating and filling a file can cost a millisecond.
                try:
                    os.link(dest / rel, target(rel), follow_symlinks=False)
                except OSError:
                    put(rel, wanted[rel])
            for future in pending:
                future.result()
            old_tree = None
            home = Path(os.path.abspath(dest))  # "." cannot be renamed; the folder it names can
            if home.exists():
                old_tree = _beside(dest, f"old-{os.getpid()}")
                os.replace(home, old_tree)
            try:
                os.replace(tmp, home)
            except OSError:
                if old_tree is not None:
                    os.replace(old_tree, home)  # the old tree back where it was
                raise
        if old_tree is not None:
            shutil.rmtree(old_tree, ignore_errors=True)
    except BaseException:
        pool.shutdown(cancel_futures=True)
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        pool.shutdown()
    return changes


def _beside(dest: Path, suffix: str) -> Path:
    # By its absolute path: "." and "" have no name or parent of their own to put a folder beside.
    home = Path(os.path.abspath(dest))
    return home.parent / f".{home.name}.{suffix}"


def _temporary(dest: Path) -> Path:
    """A new folder beside dest, on its file system, so that it can be swapped into place."""
    beside = _beside(dest, "tmp-")
    beside.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=beside.name, dir=beside.parent))


def _deleted(wanted: FileMap, dest: Path) -> list[Change]:
    if not dest.is_dir():
        return []
    names = {str(p) for p in wanted}
    return [Change(rel, "delete") for existing in sorted(dest.rglob("*")) if existing.is_file()
            and (rel := existing.relative_to(dest).as_posix()) not in names]
