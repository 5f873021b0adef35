"""Errors raised by the storage layer.

Every class here is also one of the application-wide errors in :mod:`dossier.errors`, so the CLI,
the web app and the API turn them into one clear sentence without knowing about storage. The
messages name the object key or the file concerned and never contain key material or
credentials.
"""

from __future__ import annotations

from dossier import errors as _app


class StorageError(_app.DossierError):
    """Something went wrong while storing or reading an object."""

    exit_code = 7
    http_status = 500


class ObjectNotFound(StorageError, _app.NotFound):
    """The object store holds no object under the requested key."""

    exit_code = _app.NotFound.exit_code
    http_status = _app.NotFound.http_status


class StorageUnavailable(StorageError, _app.StorageUnavailable):
    """The object store cannot be reached or refuses to serve us (network, credentials, bucket)."""

    exit_code = _app.StorageUnavailable.exit_code
    http_status = _app.StorageUnavailable.http_status


class TamperedObject(StorageError, _app.IntegrityFailure):
    """A stored object or wrapped data key failed its cryptographic check.

    Raised for altered, truncated, reordered or extended ciphertext and for a data key that the
    master key cannot unwrap (which is what a wrong master key looks like).
    """

    exit_code = _app.IntegrityFailure.exit_code
    http_status = _app.IntegrityFailure.http_status


class KeyFileError(StorageError, _app.ConfigurationError):
    """A key file is missing, unreadable, malformed or too widely readable."""

    exit_code = _app.ConfigurationError.exit_code
    http_status = _app.ConfigurationError.http_status


__all__ = [
    "StorageError",
    "ObjectNotFound",
    "StorageUnavailable",
    "TamperedObject",
    "KeyFileError",
]
