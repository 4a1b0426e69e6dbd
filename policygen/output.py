"""Writing a generated tree: complete or not at all, byte-identical on rerun."""

from __future__ import annotations

import errno
import os
import shutil
import secrets
import stat
import sys
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
    note: str = ""  # what stands at the path when it is not a regular file ("is a symlink"), never read


# A generated file is a few kilobytes; anything far larger at its path is not read into memory to compare.
_MAX_COMPARED_BYTES = 16 << 20


def file_kind(mode: int) -> str:
    """What an lstat mode that is not a regular file is, as messages name it ("a symlink")."""
    for test, name in ((stat.S_ISLNK, "a symlink"), (stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


def _scan(dest: Path) -> dict[str, int]:
    """Every entry under dest (relative POSIX path -> lstat mode), walked without following a symlink: an
    output folder may hold links, FIFOs or devices planted by anyone who can write to it (a pull request)."""
    found: dict[str, int] = {}
    try:
        if not stat.S_ISDIR(os.stat(dest).st_mode):  # dest itself, as named: a link to a folder is that folder
            return found
    except (FileNotFoundError, NotADirectoryError):
        return found
    stack = [""]
    while stack:
        rel = stack.pop()
        with os.scandir(dest / rel if rel else dest) as entries:
            for entry in entries:
                sub = f"{rel}/{entry.name}" if rel else entry.name
                mode = entry.stat(follow_symlinks=False).st_mode
                found[sub] = mode
                if stat.S_ISDIR(mode):
                    stack.append(sub)
    return dict(sorted(found.items()))


def _read_regular(path: Path) -> bytes | None:
    """The bytes of a regular file; None for anything else or a file too large to be one we wrote.

    Opened without following a final symlink and without blocking (a FIFO swapped in after the scan), and
    checked after opening, so that nothing but a regular file is ever read."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENXIO, errno.EISDIR):
            return None
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > _MAX_COMPARED_BYTES:
            return None
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read(_MAX_COMPARED_BYTES + 1)
    finally:
        os.close(fd)


def compare_tree(files: FileMap, dest: Path) -> tuple[list[Change], dict[str, bytes]]:
    """What writing files into dest would change, and the old bytes of each regular file that differs.

    Only regular files are read. A symlink, FIFO, device or directory where a generated file belongs is
    stale, said as such; one where nothing belongs is to be deleted; neither is followed nor opened."""
    dest = Path(dest)
    try:
        # A folder generate would refuse to replace is refused here too, before it is walked or read.
        _refuse_foreign(files, dest, "check")
        found = _scan(dest)
        changes: list[Change] = []
        old: dict[str, bytes] = {}
        wanted = {str(p) for p in files}
        for rel in sorted(files, key=str):
            path = str(rel)
            mode = found.get(path)
            if mode is None:
                changes.append(Change(path, "create"))
                continue
            have = _read_regular(dest / path) if stat.S_ISREG(mode) else None
            if have is None:
                changes.append(Change(path, "update", note=_note(mode, dest / path)))
            elif have != files[rel].encode("utf-8"):
                changes.append(Change(path, "update"))
                old[path] = have
            else:
                changes.append(Change(path, "identical"))
        for change in _deletions(found, wanted):
            changes.append(change)
            have = None if change.note else _read_regular(dest / change.path)
            if have is not None:
                old[change.path] = have
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        raise OutputError(f"{dest}: cannot read the output folder: {exc.strerror or exc}{where}") from None
    return changes, old


def _deletions(found: dict[str, int], wanted: set[str]) -> list[Change]:
    """What is in the scanned folder but not in the tree: files, and links, FIFOs or devices (never read).
    An entry inside a directory that stands where a generated file belongs goes with that file's change."""
    def under_a_file(path: str) -> bool:
        parts = path.split("/")
        return any("/".join(parts[:i]) in wanted for i in range(1, len(parts)))

    return [Change(path, "delete", note="" if stat.S_ISREG(mode) else f"is {file_kind(mode)}")
            for path, mode in found.items()
            if path not in wanted and not stat.S_ISDIR(mode) and not under_a_file(path)]


def _note(mode: int, path: Path) -> str:
    return "is a file too large to compare" if stat.S_ISREG(mode) else f"is {file_kind(mode)}"


def diff_tree(files: FileMap, dest: Path) -> list[Change]:
    return compare_tree(files, dest)[0]


def _refuse_foreign(files: FileMap, dest: Path, verb: str = "replace") -> None:
    """Never replace a folder that holds anything but what we write (a typo in -o must not wipe ~)."""
    if not dest.exists():
        return
    if not dest.is_dir():
        raise OutputError(f"{dest}: exists and is not a folder; choose an output folder")
    ours = {PurePosixPath(p).parts[0] for p in files}
    foreign = sorted(p.name for p in dest.iterdir() if p.name not in ours)
    if foreign:
        raise OutputError(
            f"{dest}: refusing to {verb} a folder that holds {', '.join(foreign[:5])}"
            f"{' ...' if len(foreign) > 5 else ''}, which policygen does not write; choose an empty or generated folder"
        )


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
    is left as it is. A dest that is a symlink to a folder is kept: the folder it points to is replaced.
    """
    dest = Path(dest)
    with _writing(dest):
        if os.path.islink(dest):
            # A link to a folder (dist -> build/dist) stays a link: the folder it names is what is replaced.
            real = Path(os.path.realpath(dest))
            if not real.exists():
                raise OutputError(f"{dest}: is a symlink to {real}, which does not exist; create that folder or "
                                  "choose another output folder")
            dest = real
        if dest.exists() and not dest.is_dir():
            raise OutputError(f"{dest}: exists and is not a folder; choose an output folder")
        found = _scan(dest)  # what is there, links and FIFOs included, none of them followed or opened
    batches: Iterable[FileMap] = [files] if isinstance(files, dict) else files
    wanted: FileMap = {}
    changes: list[Change] = []
    unchanged: list[PurePosixPath] = []  # linked into the new tree only if it is written at all
    tmp: Path | None = None
    made: set[str] = set()

    def target(rel: PurePosixPath) -> Path:
        # Each folder made once, its parents first: no mkdir that fails and is tried again.
        assert tmp is not None
        for folder in _folders(str(rel)):
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
    old_tree: Path | None = None
    try:
        for batch in batches:  # rendering: its errors are its own
            with _writing(dest):
                for rel in sorted(batch, key=str):
                    text = wanted[rel] = batch[rel]
                    mode = found.get(str(rel))
                    have = _read_regular(dest / rel) if mode is not None and stat.S_ISREG(mode) else None
                    if have == text.encode("utf-8"):
                        changes.append(Change(str(rel), "identical"))
                        unchanged.append(rel)
                        continue
                    changes.append(Change(str(rel), "create") if mode is None else
                                   Change(str(rel), "update", note="" if have is not None else _note(mode, dest / rel)))
                    if tmp is None:
                        tmp = _temporary(dest)
                        os.mkdir(tmp, 0o700)
                    put(rel, text)
        with _writing(dest):
            _refuse_foreign(wanted, dest)
            deleted = _deletions(found, {str(p) for p in wanted})
            changes.sort(key=lambda c: c.path)
            changes += deleted
            folders = {f for rel in wanted for f in _folders(str(rel))}
            if tmp is None and not deleted and {p for p, m in found.items() if stat.S_ISDIR(m)} == folders:
                return changes  # the tree is already exactly what would be written, plain files and folders only
            if tmp is None:
                tmp = _temporary(dest)
                os.mkdir(tmp, 0o700)
            for rel in unchanged:
                # Linking costs a few microseconds where creating and filling a file can cost a millisecond.
                try:
                    os.link(dest / rel, target(rel), follow_symlinks=False)
                except OSError:
                    put(rel, wanted[rel])
            for future in pending:
                future.result()
            home = Path(os.path.abspath(dest))  # "." cannot be renamed; the folder it names can
            raced = False
            if home.exists():
                old_tree = _beside(dest, f"old-{os.getpid()}")
                try:
                    os.replace(home, old_tree)
                except FileNotFoundError:
                    # Another run moved the folder away between the test and the rename: its tree comes next.
                    old_tree, raced = None, True
            try:
                os.replace(tmp, home)
            except OSError as exc:
                if (old_tree is None and not raced) or exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                    raise
                # Another run put its whole tree in place between our two renames: its tree stays.
                raise OutputError(f"{dest}: another policygen run wrote this folder at the same time; its output "
                                  "is in place and complete, and this run's was not written: run it again") from None
        if old_tree is not None:
            _remove_replaced(dest, old_tree)
    except BaseException:
        # An error, or SIGINT/SIGTERM at any point: dest is left whole, the old tree or the new one, and
        # nothing of ours is left beside it.
        pool.shutdown(cancel_futures=True)
        home = Path(os.path.abspath(dest))
        if old_tree is not None and os.path.lexists(old_tree):
            if tmp is not None and os.path.lexists(tmp) and not os.path.lexists(home):
                os.replace(old_tree, home)  # not swapped in: the old tree back where it was
            else:  # a new tree is in place, complete: this run's, or another run's that came between
                shutil.rmtree(old_tree, ignore_errors=True)
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        pool.shutdown()
    return changes


def _folders(path: str) -> list[str]:
    """The folders a relative path (as str() of a PurePosixPath writes it) lies in, outermost first, named as
    _scan names them: string work, where PurePosixPath.parents builds a path object for each."""
    parts = path.split("/")[:-1]
    return ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]


def _remove_replaced(dest: Path, old_tree: Path) -> None:
    """The tree that the new one replaced, removed; one that cannot be (a read-only folder or an immutable file
    in it) is said loudly, since a stale policy tree left beside the output could be committed with it."""
    refused: list[OSError] = []
    if sys.version_info >= (3, 12):
        shutil.rmtree(old_tree, onexc=lambda _func, _path, exc: refused.append(exc))
    else:
        shutil.rmtree(old_tree, onerror=lambda _func, _path, info: refused.append(info[1]))
    if refused and os.path.lexists(old_tree):
        first = refused[0]
        raise OutputError(f"{dest}: the new files are in place, but the tree they replaced could not be removed "
                          f"({first.strerror or first}: {first.filename}); remove {old_tree} by hand")


def _beside(dest: Path, suffix: str) -> Path:
    # By its absolute path: "." and "" have no name or parent of their own to put a folder beside.
    home = Path(os.path.abspath(dest))
    return home.parent / f".{home.name}.{suffix}"


def _temporary(dest: Path) -> Path:
    """The name of a new folder beside dest, on its file system, so that it can be swapped into place; the
    caller holds the name before making the folder, so that a signal between the two cannot leave it behind.
    The process ID in it makes a folder of that name one only a crashed run of this process ID could have left."""
    beside = _beside(dest, f"tmp-{os.getpid()}-{secrets.token_hex(4)}")
    beside.parent.mkdir(parents=True, exist_ok=True)
    return beside
