"""Private working files: plaintext copies of originals, page rasters and previews live only under
``$DOSSIER_HOME/work`` (0700), never in the system's temporary folder.

Each use takes a folder of its own (:func:`work_folder`) and removes it afterwards. A process
killed mid-document (``kill -9``, the OOM killer) cannot remove its folder, so each folder is
held by an ``flock`` on a lock file beside it (``work/NAME.lock``, taken before the folder
exists); the kernel releases the lock when its holder dies. :func:`sweep` (at worker start)
removes every folder whose lock nobody holds, so leftovers of a dead process go while folders in
use by a live one (a web process splitting a stack, another worker) stay. The lock file is
unlinked only while locked, and a taker checks that the file it locked is still the one at its
name, so neither side can lose that race.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dossier.config import Settings

log = logging.getLogger(__name__)

WORK = "work"
LOCK_SUFFIX = ".lock"


def work_root(settings: Settings) -> Path:
    """``$DOSSIER_HOME/work``, created 0700 (and made 0700 again if it was not)."""
    root = settings.home / WORK
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    if root.stat().st_mode & 0o077:
        os.chmod(root, 0o700)
    return root


def _lock(path: Path, *, blocking: bool) -> int | None:
    """An fd holding an exclusive flock on ``path`` (created when missing if ``blocking``), or
    None when another process holds it or it is gone."""
    flags = os.O_RDWR | os.O_CLOEXEC | (os.O_CREAT if blocking else 0)
    try:
        fd = os.open(path, flags, 0o600)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        if os.fstat(fd).st_ino != os.stat(path).st_ino:  # unlinked (swept) meanwhile
            raise FileNotFoundError(path)
    except (BlockingIOError, FileNotFoundError):
        os.close(fd)
        return None
    except OSError as exc:
        os.close(fd)
        if exc.errno in (errno.EAGAIN, errno.EACCES):
            return None
        raise
    return fd


def _remove(folder: Path, lock_path: Path, fd: int) -> None:
    """Remove a folder and then its lock file, while holding the lock (``fd``)."""
    try:
        shutil.rmtree(folder, ignore_errors=True)
        lock_path.unlink(missing_ok=True)
    finally:
        os.close(fd)


@contextmanager
def work_folder(settings: Settings, prefix: str) -> Iterator[Path]:
    """A new private folder under ``$DOSSIER_HOME/work`` for plaintext copies, held (locked)
    while in use and removed with everything in it afterwards."""
    root = work_root(settings)
    while True:
        name = f"{prefix}{os.getpid()}-{secrets.token_hex(6)}"
        lock_path = root / f"{name}{LOCK_SUFFIX}"
        fd = _lock(lock_path, blocking=True)
        if fd is not None:
            break
    folder = root / name
    try:
        folder.mkdir(mode=0o700)
    except BaseException:
        _remove(folder, lock_path, fd)
        raise
    try:
        yield folder
    finally:
        _remove(folder, lock_path, fd)


def sweep(settings: Settings) -> list[str]:
    """Remove what dead processes left under ``$DOSSIER_HOME/work`` (folders whose lock nobody
    holds, and anything else there that no live folder owns); returns the names removed."""
    root = work_root(settings)
    removed = []
    for entry in sorted(root.iterdir()):
        if entry.name.endswith(LOCK_SUFFIX):
            folder = entry.with_name(entry.name[: -len(LOCK_SUFFIX)])
            fd = _lock(entry, blocking=False)
            if fd is None:
                continue  # in use by a live process
            existed = folder.exists()
            _remove(folder, entry, fd)
            if existed:
                removed.append(folder.name)
        elif not (root / f"{entry.name}{LOCK_SUFFIX}").exists():
            # No lock beside it: not a work folder of a live process (a lock is taken before
            # its folder is made and unlinked after it is removed).
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
            removed.append(entry.name)
    if removed:
        log.warning(
            "removed %d working folder(s) left by a process that died: %s", len(removed), ", ".join(removed)
        )
    return removed
