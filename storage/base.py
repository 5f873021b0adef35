"""The object-store interface shared by the local-files and MinIO backends.

An object store maps keys (``2024/05/3f2a….enc``) to immutable byte streams. It knows nothing
about households or documents; the catalog decides which keys exist and what they mean.

Every backend streams: ``put`` reads its input in bounded pieces and ``open`` returns a stream,
so an object of any size passes through a small, fixed amount of memory. A failed ``put`` leaves
nothing behind: no partial object, no temporary file, no pending multipart upload.
"""

from __future__ import annotations

import abc
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO, Protocol

from dossier.catalog import Text
from dossier.errors import InvalidInput
from dossier.storage_errors import ObjectNotFound, StorageError

MAX_KEY_LENGTH = 512
_KEY_CHARS = re.compile(r"[A-Za-z0-9._/-]+")


class ByteSource(Protocol):
    """What ``ObjectStore.put`` reads from: a file, or a reader such as the vault's encryptor."""

    def read(self, size: int = -1, /) -> bytes: ...


@dataclass(frozen=True)
class ObjectInfo:
    """What a store knows about one object: its key, size in bytes and last modification."""

    key: str
    size: int
    modified: datetime | None


def validate_key(key: str) -> str:
    """Return ``key`` unchanged if it is a valid object key, else raise ``InvalidInput``.

    Keys are portable between a POSIX file tree and S3: 1–512 characters from
    ``[A-Za-z0-9._/-]``, ``/``-separated segments that are neither empty nor ``.``/``..``, and no
    segment starting with a dot (dot names are reserved for the local store's temporary files).
    """
    if not isinstance(key, str) or not key:
        raise InvalidInput("storage.key_empty")
    if len(key) > MAX_KEY_LENGTH:
        raise InvalidInput("storage.key_too_long", key=f"{key[:40]}…", length=len(key), limit=MAX_KEY_LENGTH)
    if not _KEY_CHARS.fullmatch(key):
        raise InvalidInput("storage.key_chars", key=repr(key))
    if key.startswith("/"):
        raise InvalidInput("storage.key_slash", key=repr(key))
    for segment in key.split("/"):
        if not segment:
            raise InvalidInput("storage.key_empty_segment", key=repr(key))
        if segment.startswith("."):
            raise InvalidInput("storage.key_dot_segment", key=repr(key))
    return key


def validate_prefix(prefix: str) -> str:
    """Return ``prefix`` if it could begin a valid key (``""``, ``"2024/"``, ``"2024/0"``)."""
    if prefix == "":
        return prefix
    if not isinstance(prefix, str) or len(prefix) > MAX_KEY_LENGTH or not _KEY_CHARS.fullmatch(prefix):
        raise InvalidInput("storage.bad_prefix", prefix=repr(prefix))
    if (
        prefix.startswith("/")
        or "//" in prefix
        or any(seg.startswith(".") for seg in prefix.split("/") if seg)
    ):
        raise InvalidInput("storage.bad_prefix", prefix=repr(prefix))
    return prefix


class ObjectStore(abc.ABC):
    """A place to keep immutable objects under string keys."""

    @abc.abstractmethod
    def ensure_ready(self) -> None:
        """Create the folder or bucket if it does not exist yet; safe to call repeatedly."""

    @abc.abstractmethod
    def put(self, key: str, stream: ByteSource, length: int | None = None) -> ObjectInfo:
        """Store everything ``stream`` yields until EOF under ``key``, replacing any old object.

        ``length``, when given, is the exact number of bytes the stream will yield; a stream that
        ends early or runs on is refused with ``StorageError``. The input is read in bounded
        pieces, never whole. On any failure (including one raised by ``stream`` itself, which
        propagates unchanged) nothing is left behind.
        """

    @abc.abstractmethod
    def open(self, key: str) -> BinaryIO:
        """Return a readable binary stream of the object (close it, or use ``with``).

        Raises ``ObjectNotFound`` if there is no such object.
        """

    @abc.abstractmethod
    def stat(self, key: str) -> ObjectInfo:
        """Describe the object; raises ``ObjectNotFound`` if there is none."""

    def exists(self, key: str) -> bool:
        try:
            self.stat(key)
        except ObjectNotFound:
            return False
        return True

    @abc.abstractmethod
    def delete(self, key: str) -> None:
        """Remove the object; deleting a missing object is not an error."""

    @abc.abstractmethod
    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        """Yield every object whose key starts with ``prefix`` (recursively), in key order."""

    @abc.abstractmethod
    def description(self) -> Text:
        """A short phrase naming the store for messages, e.g. ``本地文件目录 /srv/objects``."""

    def describe(self) -> str:
        """``description()`` in this process's language (CLI output, logs)."""
        return self.description().render()

    def close(self) -> None:  # noqa: B027 - a no-op unless the store holds connections
        """Release connections or other resources; the store must not be used afterwards."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.describe()}>"


class LengthCheckedReader(io.RawIOBase):
    """Pass a stream through, counting bytes and enforcing a declared length.

    The check happens inside ``read`` so a backend notices a too-short or too-long stream before
    it commits the object: a stream that runs past ``length`` is caught the moment the declared
    length has been delivered, by peeking one byte further.
    """

    def __init__(self, source: ByteSource, key: str, length: int | None):
        super().__init__()
        if length is not None and length < 0:
            raise InvalidInput("storage.negative_length", key=key)
        self._source = source
        self._key = key
        self._length = length
        self.count = 0
        self.eof = False

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self.eof:
            return b""
        if size is None or size < 0:
            size = 1 << 20
        elif size == 0:
            return b""
        if self._length is not None:
            size = min(size, self._length - self.count)
            if size == 0:
                self._finish()
                return b""
        data = self._source.read(size)
        if data is None:
            raise StorageError("storage.input_non_blocking", key=self._key)
        if not data:
            self._finish()
            return b""
        self.count += len(data)
        if self._length is not None and self.count == self._length:
            self._finish()
        return bytes(data)

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def _finish(self) -> None:
        if self._length is not None:
            if self.count < self._length:
                raise StorageError(
                    "storage.input_short", key=self._key, count=self.count, length=self._length
                )
            if self._source.read(1):
                raise StorageError("storage.input_long", key=self._key, length=self._length)
        self.eof = True
