"""Private files: whatever the archive writes on the host is readable by its own user only.

Every entry point (the ``dossier`` command, hence ``serve``, ``worker`` and their forks) sets the
umask to :data:`PRIVATE_UMASK` first: folders 0700, files 0600. ``dossier init`` fixes an existing
archive: the home and the folders the settings name (keys, objects, index) 0700, the files
directly in the home and the keys folder 0600; deeper files are not walked (a 0700 folder already
guards them). What cannot be fixed (a folder owned by another user) is refused with a sentence
saying what to do. Why: docs/decisions/016-private-file-modes.md.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sqlalchemy.engine import make_url

from dossier.catalog import os_reason
from dossier.config import Settings
from dossier.errors import ConfigurationError

PRIVATE_UMASK = 0o077


def private_umask() -> int:
    """Make files this process creates private from now on; returns the previous umask."""
    return os.umask(PRIVATE_UMASK)


def _sqlite_file(settings: Settings) -> Path | None:
    if not settings.is_sqlite:
        return None
    database = make_url(settings.database_url).database
    return Path(database).resolve() if database and database != ":memory:" else None


def _make_private(path: Path, fixed: list[str]) -> None:
    """Take every permission of group and others off ``path`` (not following a symlink)."""
    try:
        current = path.lstat()
    except FileNotFoundError:
        return
    if stat.S_ISLNK(current.st_mode) or stat.S_IMODE(current.st_mode) & 0o077 == 0:
        return
    try:
        os.chmod(path, stat.S_IMODE(current.st_mode) & ~0o077)
    except OSError as exc:
        raise ConfigurationError(
            "filemodes.cannot_fix",
            path=path,
            mode=f"{stat.S_IMODE(current.st_mode):04o}",
            reason=os_reason(exc),
        ) from None
    fixed.append(str(path))


def secure_home(settings: Settings) -> list[str]:
    """Make the archive's folders and top-level files private (see above); returns what was fixed."""
    fixed: list[str] = []
    folders = [
        settings.home,
        settings.keys_dir,
        settings.objects_dir,
        settings.index_dir,
        settings.home / "work",
    ]
    for folder in folders:
        _make_private(folder, fixed)
    catalog = _sqlite_file(settings)
    files = [p for folder in (settings.home, settings.keys_dir) if folder.is_dir() for p in folder.iterdir()]
    if catalog is not None:
        files += [catalog.with_name(catalog.name + suffix) for suffix in ("", "-wal", "-shm", "-journal")]
    for path in files:
        _make_private(path, fixed)
    return sorted(set(fixed))
