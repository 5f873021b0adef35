"""Envelope encryption of stored objects: one random data key per object, wrapped by a master key.

Each object is encrypted in AES-256-GCM chunks under its own 32-byte data key (DEK); the DEK is
wrapped with the master key and kept by the caller in the catalog, apart from the object, so
deleting the wrapped key makes every copy unreadable (crypto-shredding). Byte layouts (stored, so
they must stay readable): docs/formats/encrypted-object.md. An altered, reordered, dropped,
appended or truncated chunk raises ``TamperedObject``; a streaming reader hands out verified chunks
first, so callers acting only on complete data must treat ``TamperedObject`` at any point as failure
of the whole object. Why: docs/decisions/001-envelope-encryption-and-crypto-shredding.md.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import io
import os
import struct
from typing import BinaryIO, NoReturn

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from dossier.catalog import Text, text
from dossier.errors import ConfigurationError
from dossier.storage_errors import StorageError, TamperedObject

KEY_SIZE = 32
TAG_SIZE = 16
MAGIC = b"DOSSIER-ENC"
FORMAT_VERSION = 1
NONCE_PREFIX_SIZE = 8
HEADER = struct.Struct(f">{len(MAGIC)}sBI{NONCE_PREFIX_SIZE}s")
HEADER_SIZE = HEADER.size  # 24
DEFAULT_CHUNK_SIZE = 1 << 20
MIN_CHUNK_SIZE = 1 << 10
MAX_CHUNK_SIZE = 16 << 20
_MAX_CHUNKS = 1 << 32

_WRAP_VERSION = 1
_WRAP_LABEL = b"dossier-dek-wrap\x00"
_KEY_ID_LABEL = b"dossier master key id v1\x00"
WRAPPED_KEY_SIZE = 1 + 12 + KEY_SIZE + TAG_SIZE  # 61


def ciphertext_size(plain_size: int, chunk_size: int = DEFAULT_CHUNK_SIZE) -> int:
    """Size in bytes of the encrypted object for ``plain_size`` bytes of plaintext."""
    if plain_size < 0:
        raise ValueError("plain_size must not be negative")
    full, rest = divmod(plain_size, chunk_size)
    return HEADER_SIZE + full * (chunk_size + TAG_SIZE) + rest + TAG_SIZE


def generate_data_key() -> bytes:
    return os.urandom(KEY_SIZE)


def _check_chunk_size(chunk_size: int) -> int:
    if not MIN_CHUNK_SIZE <= chunk_size <= MAX_CHUNK_SIZE:
        raise ValueError(f"chunk_size must be between {MIN_CHUNK_SIZE} and {MAX_CHUNK_SIZE} bytes")
    return chunk_size


# --- master key ------------------------------------------------------------------------------


class MasterKey:
    """The archive's 32-byte master key; it only ever wraps and unwraps per-object data keys."""

    __slots__ = ("_key", "_aead")

    def __init__(self, key: bytes):
        if not isinstance(key, (bytes, bytearray)) or len(key) != KEY_SIZE:
            raise ConfigurationError("crypto.master_key_size")
        self._key = bytes(key)
        self._aead = AESGCM(self._key)

    @classmethod
    def generate(cls) -> MasterKey:
        return cls(os.urandom(KEY_SIZE))

    @classmethod
    def from_b64(cls, text: str | bytes) -> MasterKey:
        try:
            raw = base64.b64decode(text.strip(), validate=True)
        except (binascii.Error, ValueError, TypeError, AttributeError):
            raise ConfigurationError("crypto.master_key_not_base64") from None
        if len(raw) != KEY_SIZE:
            raise ConfigurationError("crypto.master_key_length", size=len(raw), expected=KEY_SIZE)
        return cls(raw)

    def to_b64(self) -> str:
        return base64.b64encode(self._key).decode("ascii")

    @property
    def key_id(self) -> str:
        """A short public identifier (16 hex digits) to recognise this key without revealing it."""
        return hashlib.sha256(_KEY_ID_LABEL + self._key).hexdigest()[:16]

    @staticmethod
    def _aad(object_key: str) -> bytes:
        return _WRAP_LABEL + bytes([_WRAP_VERSION]) + object_key.encode("utf-8")

    def wrap(self, dek: bytes, object_key: str) -> bytes:
        """Encrypt a data key for the object ``object_key``; see the module docstring for the format."""
        if len(dek) != KEY_SIZE:
            raise ValueError("a data key must be exactly 32 bytes")
        nonce = os.urandom(12)
        return bytes([_WRAP_VERSION]) + nonce + self._aead.encrypt(nonce, bytes(dek), self._aad(object_key))

    def unwrap(self, wrapped: bytes, object_key: str) -> bytes:
        """Recover the data key of ``object_key``; raises ``TamperedObject`` if it cannot."""
        wrapped = bytes(wrapped)
        if len(wrapped) != WRAPPED_KEY_SIZE or wrapped[0] != _WRAP_VERSION:
            raise TamperedObject("crypto.wrapped_key_malformed", key=object_key)
        try:
            return self._aead.decrypt(wrapped[1:13], wrapped[13:], self._aad(object_key))
        except InvalidTag:
            raise TamperedObject("crypto.cannot_unwrap", key=object_key) from None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MasterKey) and hmac.compare_digest(self._key, other._key)

    def __hash__(self) -> int:
        return hash(self.key_id)

    def __repr__(self) -> str:
        return f"MasterKey(id={self.key_id})"

    def __reduce__(self) -> NoReturn:
        raise TypeError("a MasterKey cannot be pickled")


# --- streaming encryption ----------------------------------------------------------------------


def _nonce(prefix: bytes, counter: int) -> bytes:
    return prefix + counter.to_bytes(4, "big")


def _aad(header: bytes, counter: int, final: bool) -> bytes:
    return header + counter.to_bytes(4, "big") + (b"\x01" if final else b"\x00")


def _read_exactly(stream: BinaryIO, size: int) -> bytes:
    """Read ``size`` bytes, fewer only at EOF (file-likes may return short reads)."""
    data = stream.read(size)
    if data is None:
        raise StorageError("crypto.non_blocking")
    if len(data) == size or not data:
        return bytes(data)
    parts = bytearray(data)
    while len(parts) < size:
        more = stream.read(size - len(parts))
        if more is None:
            raise StorageError("crypto.non_blocking")
        if not more:
            break
        parts += more
    return bytes(parts)


class _ChunkedReader(io.RawIOBase):
    """Serve a sequence of produced blocks through ``read``/``readinto`` without extra copies."""

    def __init__(self) -> None:
        super().__init__()
        self._block = b""
        self._offset = 0

    def readable(self) -> bool:
        return True

    def _next_block(self) -> bytes | None:  # pragma: no cover - abstract
        raise NotImplementedError

    def read(self, size: int = -1) -> bytes:
        if self.closed:
            raise ValueError("I/O operation on closed stream")
        if size is None or size < 0:
            return self.readall()
        if size == 0:
            return b""
        while self._offset >= len(self._block):
            block = self._next_block()
            if block is None:
                return b""
            self._block, self._offset = block, 0
        start = self._offset
        if start == 0 and size >= len(self._block):
            data, self._block = self._block, b""
            return data
        end = min(start + size, len(self._block))
        self._offset = end
        return self._block[start:end]

    def readall(self) -> bytes:
        parts: list[bytes] = []
        while True:
            data = self.read(DEFAULT_CHUNK_SIZE)
            if not data:
                return b"".join(parts)
            parts.append(data)

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        n = len(data)
        memoryview(buffer).cast("B")[:n] = data
        return n


class EncryptingReader(_ChunkedReader):
    """Read ciphertext from it while it reads plaintext from ``plain``.

    Pass it straight to ``ObjectStore.put``. While it streams it counts and hashes the plaintext
    (SHA-256 and SM3, the latter for Chinese archival rules); ``plain_size``, ``sha256_hex`` and
    ``sm3_hex`` are available once it has returned EOF. It holds at most one chunk in memory.
    """

    def __init__(self, plain: BinaryIO, dek: bytes, chunk_size: int = DEFAULT_CHUNK_SIZE):
        super().__init__()
        if len(dek) != KEY_SIZE:
            raise ValueError("a data key must be exactly 32 bytes")
        self._plain = plain
        self._chunk_size = _check_chunk_size(chunk_size)
        self._aead = AESGCM(bytes(dek))
        self._prefix = os.urandom(NONCE_PREFIX_SIZE)
        self._header = HEADER.pack(MAGIC, FORMAT_VERSION, chunk_size, self._prefix)
        self._counter = 0
        self._header_sent = False
        self._finished = False
        self._sha256 = hashlib.sha256()
        self._sm3 = hashes.Hash(hashes.SM3())
        self._sha256_hex: str | None = None
        self._sm3_hex: str | None = None
        self._plain_size = 0

    def _next_block(self) -> bytes | None:
        if not self._header_sent:
            self._header_sent = True
            return self._header
        if self._finished:
            return None
        if self._counter >= _MAX_CHUNKS:
            raise StorageError("crypto.too_large")
        plain = _read_exactly(self._plain, self._chunk_size)
        final = len(plain) < self._chunk_size
        if plain:
            self._sha256.update(plain)
            self._sm3.update(plain)
            self._plain_size += len(plain)
        counter = self._counter
        block = self._aead.encrypt(_nonce(self._prefix, counter), plain, _aad(self._header, counter, final))
        self._counter += 1
        if final:
            self._finished = True
            self._sha256_hex = self._sha256.hexdigest()
            self._sm3_hex = self._sm3.finalize().hex()
        return block

    @property
    def finished(self) -> bool:
        """True once the final chunk has been produced (all plaintext has been read)."""
        return self._finished

    def _require_finished(self) -> None:
        if not self._finished:
            raise RuntimeError("the plaintext digests are only known after the stream has been read to EOF")

    @property
    def plain_size(self) -> int:
        self._require_finished()
        return self._plain_size

    @property
    def sha256_hex(self) -> str:
        self._require_finished()
        assert self._sha256_hex is not None
        return self._sha256_hex

    @property
    def sm3_hex(self) -> str:
        self._require_finished()
        assert self._sm3_hex is not None
        return self._sm3_hex


class DecryptingReader(_ChunkedReader):
    """Read plaintext from it while it reads and verifies ciphertext from ``cipher``.

    Raises ``TamperedObject`` as soon as a chunk fails its tag, the stream ends before the final
    chunk, or data follows the final chunk. ``label`` names the object in error messages.
    Closing it closes ``cipher``.
    """

    def __init__(self, cipher: BinaryIO, dek: bytes, label: str | Text = ""):
        super().__init__()
        if len(dek) != KEY_SIZE:
            raise ValueError("a data key must be exactly 32 bytes")
        self._cipher = cipher
        self._label = label or text("crypto.the_object")
        label = self._label
        self._aead = AESGCM(bytes(dek))
        self._counter = 0
        self._finished = False
        header = _read_exactly(cipher, HEADER_SIZE)
        if len(header) < HEADER_SIZE or not header.startswith(MAGIC):
            raise TamperedObject("crypto.not_encrypted", label=label)
        _, version, chunk_size, prefix = HEADER.unpack(header)
        if version != FORMAT_VERSION:
            raise TamperedObject("crypto.unknown_version", label=label, version=version)
        if not MIN_CHUNK_SIZE <= chunk_size <= MAX_CHUNK_SIZE:
            raise TamperedObject("crypto.bad_chunk_size", label=label, size=chunk_size)
        self._header = header
        self._prefix = prefix
        self._chunk_size = chunk_size

    def _next_block(self) -> bytes | None:
        if self._finished:
            return None
        counter = self._counter
        block = _read_exactly(self._cipher, self._chunk_size + TAG_SIZE)
        if len(block) < TAG_SIZE:
            raise TamperedObject("crypto.truncated", label=self._label)
        final = len(block) < self._chunk_size + TAG_SIZE
        try:
            plain = self._aead.decrypt(
                _nonce(self._prefix, counter), block, _aad(self._header, counter, final)
            )
        except InvalidTag:
            raise TamperedObject("crypto.chunk_failed", label=self._label, chunk=counter) from None
        self._counter += 1
        if final:
            if self._cipher.read(1):
                raise TamperedObject("crypto.trailing_data", label=self._label)
            self._finished = True
        return plain

    @property
    def finished(self) -> bool:
        """True once the final chunk has been verified and the end of the stream confirmed."""
        return self._finished

    def close(self) -> None:
        if not self.closed:
            try:
                self._cipher.close()
            finally:
                super().close()
