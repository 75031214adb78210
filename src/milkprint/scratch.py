"""Scratch folders for uploads and unpacked bundles: one root, one folder per process, swept after a crash.

`tempfile.TemporaryDirectory` cleans up only on a normal exit: a server killed while it unpacks an upload leaves
its folder in the system's /tmp for ever (security review F15). Here every process works under its own folder,
`<root>/<pid>`, and holds a lock on `<root>/<pid>/.lock` while it lives; `sweep_stale()` removes the folders whose
lock nobody holds any more, which is exactly the folders of processes that are gone (a lock dies with its
process, also on SIGKILL, and a reused pid does not fool it). A server calls it when it starts.

The root is `$MILKPRINT_HOME/tmp` when MILKPRINT_HOME is set (the data's own disk, where an operator can put a
quota), else `<system temp>/milkprint-<uid>`; it is created private (0700) and refused if another user owns it.
"""

from __future__ import annotations

import atexit
import os
import shutil
import stat
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: no locks, so sweep_stale never removes anything
    fcntl = None  # type: ignore[assignment]

_LOCK = ".lock"
# A process folder without its lock file is either being created this instant or left by a crash between its
# mkdir and its lock: only the second is still lockless after a minute.
_UNLOCKED_GRACE_S = 60.0


def scratch_root() -> Path:
    """The folder under which every milkprint process of this user keeps its scratch folders (created 0700)."""
    home = os.environ.get("MILKPRINT_HOME")
    root = Path(home) / "tmp" if home else Path(tempfile.gettempdir()) / f"milkprint-{_uid()}"
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = os.lstat(root)
    if not stat.S_ISDIR(info.st_mode) or (hasattr(os, "getuid") and info.st_uid != os.getuid()):
        # Another user's folder (or a symlink planted in a shared /tmp) must never receive our uploads.
        raise PermissionError(f"{root} is not a folder of this user; set MILKPRINT_HOME to a private folder")
    if stat.S_IMODE(info.st_mode) & 0o077:
        os.chmod(root, 0o700)  # uploads are the organisations' data: no other user may list or read them
    return root


@contextmanager
def scratch_dir(prefix: str = "milkprint-") -> Iterator[Path]:
    """A new empty folder in this process's scratch folder, removed with everything in it on leaving."""
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=_process_dir()))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def sweep_stale() -> int:
    """Remove the scratch folders of processes that no longer run; returns how many were removed.

    Safe while other milkprint processes run: a live process holds its folder's lock, and its folder is kept.
    """
    if fcntl is None:  # pragma: no cover
        return 0
    root = scratch_root()
    removed = 0
    for child in sorted(root.iterdir()):
        if child.is_symlink() or not child.is_dir() or _is_mine(child):
            continue
        lock = child / _LOCK
        try:
            fd = os.open(lock, os.O_RDWR)
        except FileNotFoundError:
            if time.time() - child.stat().st_mtime > _UNLOCKED_GRACE_S:
                shutil.rmtree(child, ignore_errors=True)
                removed += 1
            continue
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # its process is alive
            shutil.rmtree(child, ignore_errors=True)
            removed += 1
        finally:
            os.close(fd)
    return removed


@dataclass(frozen=True)
class _Mine:
    path: Path
    fd: int  # kept open: the lock lives as long as the process


_mine: dict[Path, _Mine] = {}  # root -> this process's folder under it
_mine_pid = os.getpid()
_mine_lock = threading.Lock()


def _uid() -> str:
    return str(os.getuid()) if hasattr(os, "getuid") else os.environ.get("USERNAME", "user")


def _is_mine(path: Path) -> bool:
    return _mine_pid == os.getpid() and any(m.path == path for m in _mine.values())


def _process_dir() -> Path:
    """This process's folder under the current root, locked for the life of the process."""
    global _mine_pid
    root = scratch_root()
    with _mine_lock:
        if _mine_pid != os.getpid():  # a forked child: the parent's folders and locks are not its own
            _mine.clear()
            _mine_pid = os.getpid()
        known = _mine.get(root)
        if known is not None and known.path.is_dir():
            return known.path
        mine = _lock_new(root, _mine_pid)
        _mine[root] = mine
    atexit.register(_remove, _mine_pid, mine.path)
    return mine.path


def _lock_new(root: Path, pid: int) -> _Mine:
    """`root/<pid>` created and locked, emptied of what a dead process with the same pid left in it."""
    path = root / str(pid)
    for attempt in range(1, 100):
        path.mkdir(mode=0o700, exist_ok=True)
        fd = os.open(path / _LOCK, os.O_RDWR | os.O_CREAT, 0o600)
        if fcntl is None:  # pragma: no cover
            break
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # the same pid in another pid namespace sharing this root: take another name
            os.close(fd)
            path = root / f"{pid}-{attempt}"
            continue
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(path / _LOCK))
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)  # a sweep was removing the stale folder of a dead process with our pid: again
    else:  # pragma: no cover
        raise OSError(f"cannot lock a scratch folder under {root}")
    for leftover in path.iterdir():
        if leftover.name == _LOCK:
            continue
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)
    return _Mine(path, fd)


def _remove(pid: int, path: Path) -> None:
    """At a normal exit this process's folder goes (after a crash, sweep_stale removes it)."""
    if os.getpid() == pid:
        shutil.rmtree(path, ignore_errors=True)
