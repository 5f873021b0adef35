"""Secret files (master key, signing key, web session key): written once, 0600, read carefully.

A key file is written atomically (temporary file, fsync, hard link into place) and never
overwritten: replacing a master key would make every stored object unreadable, so an existing
file is an error, not something to clobber. Reading refuses files that other users could read,
the way ssh refuses a private key with loose permissions.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path

from dossier.catalog import os_reason
from dossier.crypto import MasterKey
from dossier.errors import ConfigurationError
from dossier.fsutil import fsync_dir
from dossier.storage_errors import KeyFileError

_MAX_SECRET_SIZE = 64 * 1024
_NO_HARD_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.ENOSYS}


def write_secret_file(path: Path | str, data: bytes) -> None:
    """Create ``path`` holding ``data`` with mode 0600 (parent folder 0700); never overwrite."""
    path = Path(path)
    parent = path.parent
    if not parent.exists():
        try:
            parent.mkdir(mode=0o700, parents=True)
        except FileExistsError:
            pass
        except OSError as exc:
            raise KeyFileError("keyfile.cannot_create_folder", path=parent, reason=os_reason(exc)) from exc
    if path.exists() or path.is_symlink():
        raise KeyFileError("keyfile.exists", path=path)
    try:
        fd, temp_name = tempfile.mkstemp(prefix=".tmp-", dir=parent)
    except OSError as exc:
        raise KeyFileError("keyfile.cannot_write", path=path, reason=os_reason(exc)) from exc
    try:
        with os.fdopen(fd, "wb") as out:
            os.fchmod(out.fileno(), 0o600)
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        # link() fails if the target exists, so two processes racing to create a key cannot
        # both win, and a reader never sees a half-written file.
        try:
            os.link(temp_name, path)
        except FileExistsError:
            raise KeyFileError("keyfile.exists", path=path) from None
        except OSError as exc:
            if exc.errno not in _NO_HARD_LINKS:
                raise
            _write_exclusive(path, data)
    except OSError as exc:
        raise KeyFileError("keyfile.cannot_write", path=path, reason=os_reason(exc)) from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
    fsync_dir(parent)


def _write_exclusive(path: Path, data: bytes) -> None:
    """Fallback for file systems without hard links: create-exclusive, then write and fsync."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KeyFileError("keyfile.exists", path=path) from None
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        os.unlink(path)
        raise


def read_secret_file(path: Path | str) -> bytes:
    """Return the contents of the key file ``path``, refusing it if others may read it."""
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        raise KeyFileError("keyfile.missing", path=path) from None
    except PermissionError:
        raise KeyFileError("keyfile.unreadable", path=path) from None
    except OSError as exc:
        raise KeyFileError("keyfile.cannot_read", path=path, reason=os_reason(exc)) from exc
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise KeyFileError("keyfile.not_regular", path=path)
        mode = stat.S_IMODE(st.st_mode)
        if mode & 0o077:
            raise KeyFileError("keyfile.too_open", path=path, mode=f"{mode:04o}")
        if st.st_size > _MAX_SECRET_SIZE:
            raise KeyFileError("keyfile.too_large", path=path)
        with os.fdopen(fd, "rb") as handle:
            fd = -1
            data = handle.read(_MAX_SECRET_SIZE + 1)
    finally:
        if fd >= 0:
            os.close(fd)
    if not data:
        raise KeyFileError("keyfile.empty", path=path)
    return data


def load_master_key(path: Path | str) -> MasterKey:
    """Read a master key stored as one line of base64."""
    data = read_secret_file(path)
    try:
        return MasterKey.from_b64(data.decode("ascii").strip())
    except (UnicodeDecodeError, ConfigurationError):
        raise KeyFileError("keyfile.not_master_key", path=path) from None


def load_or_create_master_key(
    path: Path | str, env_b64: str | None = None, *, create: bool = True
) -> MasterKey:
    """The master key from ``env_b64`` (e.g. ``DOSSIER_MASTER_KEY``) if given, else from ``path``.

    If neither exists and ``create`` is true, a new key is generated and written to ``path``.
    Pass ``create=False`` wherever objects may already exist: a fresh key cannot read them.
    """
    if env_b64:
        try:
            return MasterKey.from_b64(env_b64)
        except ConfigurationError:
            raise KeyFileError("keyfile.bad_env_master_key") from None
    path = Path(path)
    if not path.exists() and create:
        key = MasterKey.generate()
        try:
            write_secret_file(path, (key.to_b64() + "\n").encode("ascii"))
        except KeyFileError:
            if not path.exists():
                raise
            # Another process created it first; use theirs.
        else:
            return key
    return load_master_key(path)
