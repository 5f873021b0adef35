"""Object storage for Dossier: local files or MinIO, envelope encryption, signatures.

This package knows nothing about households, documents or the catalog. It stores opaque,
encrypted objects under string keys and hands back what the catalog must remember (wrapped data
keys, digests, signatures).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dossier.crypto import DecryptingReader, EncryptingReader, MasterKey, ciphertext_size
from dossier.errors import ConfigurationError
from dossier.keyfiles import load_or_create_master_key, read_secret_file, write_secret_file
from dossier.signing import Signer, canonical_bytes, load_public_key, verify
from dossier.storage_errors import (
    KeyFileError,
    ObjectNotFound,
    StorageError,
    StorageUnavailable,
    TamperedObject,
)
from storage.base import ObjectInfo, ObjectStore, validate_key
from storage.local import LocalStore
from storage.vault import StoredObject, Vault

if TYPE_CHECKING:
    from dossier.config import Settings


def open_store(settings: Settings) -> ObjectStore:
    """The object store the settings ask for: MinIO if an endpoint is set, else local files."""
    if settings.minio_endpoint:
        if not settings.minio_access_key or not settings.minio_secret_key:
            raise ConfigurationError("storage.minio.no_credentials")
        from storage.minio_store import MinioStore  # reason: the MinIO client (280 ms) only when configured

        return MinioStore(
            settings.minio_endpoint,
            settings.minio_access_key,
            settings.minio_secret_key,
            settings.minio_bucket,
            secure=settings.minio_secure,
            region=settings.minio_region,
            ca_certs=settings.ssl_cert_file,
        )
    return LocalStore(settings.objects_dir)


__all__ = [
    "open_store",
    "ObjectInfo",
    "ObjectStore",
    "validate_key",
    "LocalStore",
    "MasterKey",
    "EncryptingReader",
    "DecryptingReader",
    "ciphertext_size",
    "Vault",
    "StoredObject",
    "Signer",
    "canonical_bytes",
    "load_public_key",
    "verify",
    "read_secret_file",
    "write_secret_file",
    "load_or_create_master_key",
    "StorageError",
    "ObjectNotFound",
    "StorageUnavailable",
    "TamperedObject",
    "KeyFileError",
]
