"""Encrypted objects on top of any ``ObjectStore``.

``Vault.put`` encrypts a plaintext stream under a fresh data key while storing it and returns the
data key wrapped by the master key. The vault does not keep the wrapped key: the catalog stores
it in its own table, apart from the objects, so deleting that row crypto-shreds the object,
including every copy in storage backups. The format is described in :mod:`dossier.crypto`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import BinaryIO, NamedTuple

from cryptography.hazmat.primitives import hashes

from dossier.catalog import say, text
from dossier.crypto import (
    DEFAULT_CHUNK_SIZE,
    DecryptingReader,
    EncryptingReader,
    MasterKey,
    ciphertext_size,
    generate_data_key,
)
from dossier.storage_errors import StorageError
from storage.base import ObjectStore, validate_key

_READ_SIZE = 1 << 20


@dataclass(frozen=True)
class StoredObject:
    """The outcome of ``Vault.put``; everything here belongs in the catalog."""

    key: str
    plain_size: int
    stored_size: int
    sha256: str
    sm3: str
    wrapped_key: bytes
    master_key_id: str

    def __repr__(self) -> str:  # keep the wrapped key out of logs; it is not secret, just noise
        return (
            f"StoredObject(key={self.key!r}, plain_size={self.plain_size}, "
            f"stored_size={self.stored_size}, sha256={self.sha256[:16]}…, "
            f"master_key_id={self.master_key_id!r})"
        )


class Digest(NamedTuple):
    sha256: str
    sm3: str
    size: int


class Vault:
    def __init__(self, store: ObjectStore, master_key: MasterKey, chunk_size: int = DEFAULT_CHUNK_SIZE):
        self.store = store
        self.master_key = master_key
        self.chunk_size = chunk_size

    def put(self, key: str, plain_stream: BinaryIO, length: int | None = None) -> StoredObject:
        """Encrypt ``plain_stream`` (read to EOF) into the object ``key``.

        ``length``, if known, is the plaintext size; it lets the MinIO backend upload with a
        known size and is checked. If anything fails, no object is left in the store.
        """
        validate_key(key)
        dek = generate_data_key()
        reader = EncryptingReader(plain_stream, dek, chunk_size=self.chunk_size)
        stored_length = None if length is None else ciphertext_size(length, self.chunk_size)
        info = self.store.put(key, reader, length=stored_length)
        try:
            if not reader.finished:
                raise StorageError("storage.not_read_fully", key=key)
            expected = ciphertext_size(reader.plain_size, self.chunk_size)
            if info.size != expected:
                raise StorageError(
                    "storage.size_mismatch",
                    store=self.store.description(),
                    size=info.size,
                    key=key,
                    expected=expected,
                )
            wrapped = self.master_key.wrap(dek, key)
        except BaseException:
            self.store.delete(key)
            raise
        return StoredObject(
            key=key,
            plain_size=reader.plain_size,
            stored_size=info.size,
            sha256=reader.sha256_hex,
            sm3=reader.sm3_hex,
            wrapped_key=wrapped,
            master_key_id=self.master_key.key_id,
        )

    def open(self, key: str, wrapped_key: bytes) -> DecryptingReader:
        """Return a plaintext stream of ``key``; close it (or use ``with``) when done.

        Raises ``TamperedObject`` if the master key cannot unwrap ``wrapped_key`` (before touching
        the store) and, while reading, if the ciphertext has been altered in any way.
        """
        dek = self.master_key.unwrap(wrapped_key, key)
        cipher = self.store.open(key)
        try:
            return DecryptingReader(cipher, dek, label=text("crypto.object_named", key=key))
        except BaseException:
            cipher.close()
            raise

    def verify(self, key: str, wrapped_key: bytes) -> Digest:
        """Decrypt the whole object and return its plaintext SHA-256, SM3 and size.

        Raises ``TamperedObject`` if any part fails authentication; comparing the digests with
        the catalog's is the caller's business.
        """
        sha256 = hashlib.sha256()
        sm3 = hashes.Hash(hashes.SM3())
        size = 0
        with self.open(key, wrapped_key) as plain:
            while True:
                data = plain.read(_READ_SIZE)
                if not data:
                    break
                sha256.update(data)
                sm3.update(data)
                size += len(data)
        return Digest(sha256.hexdigest(), sm3.finalize().hex(), size)

    def delete(self, key: str) -> None:
        """Remove the ciphertext; to crypto-shred, the caller also deletes its wrapped key."""
        self.store.delete(key)

    def exists(self, key: str) -> bool:
        return self.store.exists(key)

    def describe(self) -> str:
        return say("storage.vault.description", store=self.store.description())
