"""Objects as files under one root directory (the default backend; needs no server).

A key maps to the path ``root/key``. Writes go to a temporary file (``.tmp-…``) in the target
directory, are fsynced and then renamed over the target, so a reader sees either the old object
or the complete new one, and a crash leaves at most a temporary file that ``list`` ignores.
Files are created 0600 and directories 0700: the objects are ciphertext, but their names and
sizes are still nobody else's business.
"""

from __future__ import annotations

import logging
import os
import stat as stat_module
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from dossier.catalog import Text, os_reason, text
from dossier.fsutil import fsync_dir
from dossier.storage_errors import ObjectNotFound, StorageError, StorageUnavailable
from storage.base import (
    ByteSource,
    LengthCheckedReader,
    ObjectInfo,
    ObjectStore,
    validate_key,
    validate_prefix,
)

log = logging.getLogger(__name__)

TEMP_PREFIX = ".tmp-"
_COPY_SIZE = 1 << 20


class LocalStore(ObjectStore):
    def __init__(self, root: Path | str):
        self.root = Path(root).expanduser().absolute()

    # --- helpers -----------------------------------------------------------------------------
    def _path(self, key: str) -> Path:
        return self.root.joinpath(*validate_key(key).split("/"))

    def _info(self, key: str, st: os.stat_result) -> ObjectInfo:
        return ObjectInfo(
            key=key,
            size=st.st_size,
            modified=datetime.fromtimestamp(st.st_mtime, tz=UTC),
        )

    def _make_dirs(self, directory: Path, key: str) -> None:
        """Create ``directory`` and any missing parents below the root, each 0700."""
        missing = []
        current = directory
        while current != self.root and not current.is_dir():
            missing.append(current)
            current = current.parent
        if not self.root.is_dir():
            raise StorageUnavailable("storage.local.no_folder", path=self.root)
        for path in reversed(missing):
            try:
                path.mkdir(mode=0o700)
            except FileExistsError:
                if not path.is_dir():
                    raise StorageError(
                        "storage.local.is_object",
                        key=key,
                        store=self.description(),
                        path=path.relative_to(self.root),
                    ) from None
            except OSError as exc:
                raise self._os_error(text("storage.action.mkdir", key=key), exc) from exc

    def _os_error(self, action: Text, exc: OSError) -> StorageError:
        reason = os_reason(exc)
        error = StorageUnavailable if isinstance(exc, PermissionError) else StorageError
        return error("storage.local.failed", action=action, store=self.description(), reason=reason)

    # --- ObjectStore ---------------------------------------------------------------------------
    def ensure_ready(self) -> None:
        try:
            self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageUnavailable(
                "storage.local.cannot_create", path=self.root, reason=os_reason(exc)
            ) from exc
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise StorageUnavailable("storage.local.not_writable", path=self.root)

    def put(self, key: str, stream: ByteSource, length: int | None = None) -> ObjectInfo:
        target = self._path(key)
        source = LengthCheckedReader(stream, key, length)
        self._make_dirs(target.parent, key)
        try:
            fd, temp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=target.parent)
        except OSError as exc:
            raise self._os_error(text("storage.action.write", key=key), exc) from exc
        temp = Path(temp_name)
        try:
            with os.fdopen(fd, "wb", buffering=0) as out:
                # mkstemp already creates 0600; fchmod guards against platforms that differ.
                os.fchmod(out.fileno(), 0o600)
                while True:
                    data = source.read(_COPY_SIZE)  # errors from the caller's stream propagate
                    if not data:
                        break
                    try:
                        view = memoryview(data)
                        while view:
                            written = out.write(view)
                            view = view[written:]
                    except OSError as exc:
                        raise self._os_error(text("storage.action.write", key=key), exc) from exc
                try:
                    os.fsync(out.fileno())
                except OSError as exc:
                    raise self._os_error(text("storage.action.write", key=key), exc) from exc
            try:
                os.replace(temp, target)
            except IsADirectoryError:
                raise StorageError("storage.local.is_folder", key=key, store=self.description()) from None
            except OSError as exc:
                raise self._os_error(text("storage.action.write", key=key), exc) from exc
        except BaseException:
            try:
                temp.unlink(missing_ok=True)
            except OSError as exc:  # keep the original error; `list` ignores the leftover
                log.warning("could not remove the temporary file %s: %s", temp, exc.strerror or exc)
            raise
        fsync_dir(target.parent)
        return ObjectInfo(key=key, size=source.count, modified=self._mtime(target))

    @staticmethod
    def _mtime(path: Path) -> datetime | None:
        try:
            return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
        except OSError as exc:
            log.warning("cannot read the modification time of %s: %s", path, exc.strerror or exc)
            return None

    def open(self, key: str) -> BinaryIO:
        path = self._path(key)
        try:
            return open(path, "rb")  # noqa: SIM115 - the caller closes the stream
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise ObjectNotFound("storage.no_object", key=key, store=self.description()) from None
        except OSError as exc:
            raise self._os_error(text("storage.action.read", key=key), exc) from exc

    def stat(self, key: str) -> ObjectInfo:
        path = self._path(key)
        try:
            st = path.stat()
        except (FileNotFoundError, NotADirectoryError):
            raise ObjectNotFound("storage.no_object", key=key, store=self.description()) from None
        except OSError as exc:
            raise self._os_error(text("storage.action.read", key=key), exc) from exc
        if not stat_module.S_ISREG(st.st_mode):
            raise ObjectNotFound("storage.no_object", key=key, store=self.description())
        return self._info(key, st)

    def delete(self, key: str) -> None:
        path = self._path(key)
        try:
            path.unlink()
        except (FileNotFoundError, NotADirectoryError):
            return
        except IsADirectoryError:
            return  # a folder is not an object, so there is no object to delete
        except OSError as exc:
            raise self._os_error(text("storage.action.delete", key=key), exc) from exc
        fsync_dir(path.parent)

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        validate_prefix(prefix)
        # Start at the deepest folder the prefix names completely; filter the rest by string.
        base_parts = prefix.split("/")[:-1]
        start = self.root.joinpath(*base_parts)
        base_key = "/".join(base_parts) + "/" if base_parts else ""
        if not start.is_dir():
            return
        yield from self._walk(start, base_key, prefix)

    def _walk(self, directory: Path, base_key: str, prefix: str) -> Iterator[ObjectInfo]:
        """Yield objects under ``directory`` in global key order.

        Sorting the folder ``x`` as ``x/`` among its sibling files orders every key below it
        exactly where plain string sorting of full keys would put it.
        """
        try:
            with os.scandir(directory) as scan:
                entries = [e for e in scan if not e.name.startswith(".")]
        except FileNotFoundError:
            return
        except OSError as exc:
            raise self._os_error(text("storage.action.list", key=base_key or "/"), exc) from exc
        keyed = []
        for entry in entries:
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError as exc:
                log.warning("skipping %s while listing %s: %s", entry.path, self.describe(), os_reason(exc))
                continue
            keyed.append((entry.name + "/" if is_dir else entry.name, is_dir, entry))
        keyed.sort(key=lambda item: item[0])
        for name, is_dir, entry in keyed:
            key = base_key + name
            if is_dir:
                # Descend only where keys can still match the prefix.
                if key.startswith(prefix) or prefix.startswith(key):
                    yield from self._walk(Path(entry.path), key, prefix)
                continue
            if not key.startswith(prefix):
                continue
            try:
                st = entry.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue  # deleted while listing
            if stat_module.S_ISREG(st.st_mode):
                yield self._info(key, st)

    def description(self) -> Text:
        return text("storage.local.description", path=self.root)
