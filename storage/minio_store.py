"""Objects in a MinIO (or any S3-compatible) bucket, through the ``minio`` SDK.

Uploads stream in parts of ``part_size`` bytes (8 MiB by default), so memory stays bounded
whatever the object size (about three parts at peak, from how the SDK assembles them). A failed
multipart upload is aborted by the SDK, leaving nothing in the bucket; downloads stream through a
small buffer. Short connect timeouts and few retries make an unreachable endpoint fail within a
few seconds with ``StorageUnavailable``. Why and figures: docs/decisions/015-minio-uploads.md.
"""

from __future__ import annotations

import io
import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO
from urllib.parse import urlsplit

import certifi
import urllib3
from minio import Minio
from minio.error import InvalidResponseError, MinioException, S3Error, ServerError
from minio.helpers import MIN_PART_SIZE, check_bucket_name
from urllib3.util import Retry, Timeout

from dossier.catalog import Text, os_reason, text
from dossier.errors import ConfigurationError
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

DEFAULT_PART_SIZE = 8 << 20
_CREDENTIAL_ERRORS = {
    "AccessDenied",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "InvalidToken",
    "ExpiredToken",
    "AuthorizationHeaderMalformed",
}
_MISSING_KEY_ERRORS = {"NoSuchKey", "NoSuchObject", "NotFound"}


def _short_reason(exc: BaseException) -> Text:
    """A few words on why a connection failed, without URLs, headers or credentials."""
    seen = set()
    current: BaseException | None = exc
    innermost = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        innermost = current
        current = (
            getattr(current, "reason", None)
            if isinstance(current, urllib3.exceptions.MaxRetryError)
            else (current.__cause__ or current.__context__)
        )
    if isinstance(innermost, (urllib3.exceptions.ConnectTimeoutError, TimeoutError)):
        return text("os.etimedout")
    if isinstance(innermost, urllib3.exceptions.ReadTimeoutError):
        return text("storage.minio.reason.no_answer")
    if isinstance(innermost, urllib3.exceptions.NameResolutionError):
        return text("storage.minio.reason.dns")
    if isinstance(innermost, urllib3.exceptions.SSLError):
        return text("storage.minio.reason.tls")
    if isinstance(innermost, OSError) and innermost.errno is not None:
        return os_reason(innermost)
    match = re.search(r"\[Errno (\d+)\]", str(innermost))  # urllib3 keeps only the text
    if match:
        return os_reason(OSError(int(match.group(1)), ""))
    return text("os.other", name=type(innermost).__name__)


class MinioStore(ObjectStore):
    def __init__(
        self,
        endpoint: str,
        access_key: str | None,
        secret_key: str | None,
        bucket: str,
        secure: bool = False,
        region: str | None = None,
        *,
        part_size: int = DEFAULT_PART_SIZE,
        connect_timeout: float = 3.0,
        read_timeout: float = 60.0,
        ca_certs: str | os.PathLike[str] | None = None,
    ):
        """``ca_certs``: the CA bundle that vouches for an HTTPS endpoint (``Settings.ssl_cert_file``,
        from ``SSL_CERT_FILE``); certifi's by default."""
        if "://" in endpoint:
            parts = urlsplit(endpoint)
            secure = parts.scheme == "https"
            endpoint = parts.netloc
        endpoint = endpoint.rstrip("/")
        if not endpoint or "/" in endpoint:
            raise ConfigurationError("storage.minio.bad_endpoint", endpoint=repr(endpoint))
        try:
            check_bucket_name(bucket, strict=True)
        except ValueError:
            raise ConfigurationError("storage.minio.bad_bucket", bucket=repr(bucket)) from None
        if part_size < MIN_PART_SIZE:
            raise ValueError(f"part_size must be at least {MIN_PART_SIZE} bytes")
        self.endpoint = endpoint
        self.bucket = bucket
        self.secure = secure
        self.part_size = part_size
        self._http = urllib3.PoolManager(
            timeout=Timeout(connect=connect_timeout, read=read_timeout),
            maxsize=10,
            cert_reqs="CERT_REQUIRED",
            ca_certs=os.fspath(ca_certs) if ca_certs else certifi.where(),
            retries=Retry(
                total=2,
                connect=1,
                read=1,
                backoff_factor=0.2,
                status_forcelist=[500, 502, 503, 504],
                allowed_methods=None,  # every request the SDK retries sends a bytes body
                raise_on_status=False,
            ),
        )
        try:
            self._client = Minio(
                endpoint,
                access_key=access_key or None,
                secret_key=secret_key or None,
                secure=secure,
                region=region or None,
                http_client=self._http,
            )
        except ValueError as exc:
            raise ConfigurationError("storage.minio.unusable", endpoint=repr(endpoint), reason=exc) from None

    # --- error mapping -------------------------------------------------------------------------
    @contextmanager
    def _errors(self, key: str | None = None) -> Iterator[None]:
        """Translate SDK and network errors into storage errors; let everything else through."""
        try:
            yield
        except S3Error as exc:
            raise self._s3_error(exc, key) from None
        except ServerError as exc:
            raise StorageUnavailable(
                "storage.minio.http_status", endpoint=self.endpoint, status=exc.status_code
            ) from None
        except InvalidResponseError:
            raise StorageUnavailable("storage.minio.not_s3", endpoint=self.endpoint) from None
        except urllib3.exceptions.HTTPError as exc:
            raise StorageUnavailable(
                "storage.minio.unreachable", endpoint=self.endpoint, reason=_short_reason(exc)
            ) from None
        except MinioException as exc:
            raise StorageError(
                "storage.minio.failed", endpoint=self.endpoint, kind=type(exc).__name__
            ) from None

    def _s3_error(self, exc: S3Error, key: str | None) -> StorageError:
        code = exc.code or ""
        if code in _MISSING_KEY_ERRORS and key is not None:
            return ObjectNotFound("storage.no_object", key=key, store=self.description())
        if code == "NoSuchBucket":
            return StorageUnavailable("storage.minio.no_bucket", bucket=self.bucket, endpoint=self.endpoint)
        if code in _CREDENTIAL_ERRORS:
            return StorageUnavailable("storage.minio.credentials", endpoint=self.endpoint, code=code)
        reason = code or text("storage.minio.unknown_error")
        if key:
            return StorageError("storage.minio.refused_key", endpoint=self.endpoint, key=key, code=reason)
        return StorageError("storage.minio.refused", endpoint=self.endpoint, code=reason)

    # --- ObjectStore ---------------------------------------------------------------------------
    def ensure_ready(self) -> None:
        with self._errors():
            if self._client.bucket_exists(self.bucket):
                return
            try:
                self._client.make_bucket(self.bucket)
            except S3Error as exc:
                if exc.code not in {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}:
                    raise
                if exc.code == "BucketAlreadyExists" and not self._client.bucket_exists(self.bucket):
                    raise StorageUnavailable("storage.minio.bucket_taken", bucket=self.bucket) from None

    def put(self, key: str, stream: ByteSource, length: int | None = None) -> ObjectInfo:
        validate_key(key)
        source = LengthCheckedReader(stream, key, length)
        if length == 0:
            source.read(1)  # the SDK reads nothing for an empty object; still refuse extra data
        with self._errors(key):
            # One part at a time (num_parallel_uploads=1): parallel uploads would queue several
            # parts in memory. The SDK aborts the multipart upload if anything raises.
            self._client.put_object(
                self.bucket,
                key,
                source,  # type: ignore[arg-type]  # the SDK wants BinaryIO but only calls read()
                length=-1 if length is None else length,
                part_size=self.part_size,
                num_parallel_uploads=1,
            )
        try:
            info = self.stat(key)
            if info.size != source.count:
                raise StorageError(
                    "storage.size_mismatch",
                    store=self.description(),
                    size=info.size,
                    key=key,
                    expected=source.count,
                )
        except BaseException:
            self._delete_quietly(key)
            raise
        return info

    def _delete_quietly(self, key: str) -> None:
        try:
            self.delete(key)
        except StorageError as exc:
            log.warning("could not remove the failed upload %s from %s: %s", key, self.describe(), exc)

    def open(self, key: str) -> BinaryIO:
        validate_key(key)
        with self._errors(key):
            response = self._client.get_object(self.bucket, key)
        return io.BufferedReader(_ResponseReader(response, self, key), buffer_size=256 * 1024)

    def stat(self, key: str) -> ObjectInfo:
        validate_key(key)
        with self._errors(key):
            obj = self._client.stat_object(self.bucket, key)
        return ObjectInfo(key=key, size=int(obj.size or 0), modified=obj.last_modified)

    def delete(self, key: str) -> None:
        validate_key(key)
        with self._errors(key):
            self._client.remove_object(self.bucket, key)

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        validate_prefix(prefix)
        with self._errors():
            for obj in self._client.list_objects(self.bucket, prefix=prefix or None, recursive=True):
                if obj.is_dir:
                    continue
                yield ObjectInfo(key=obj.object_name, size=int(obj.size or 0), modified=obj.last_modified)

    def description(self) -> Text:
        return text("storage.minio.description", bucket=self.bucket, endpoint=self.endpoint)

    def close(self) -> None:
        self._http.clear()


class _ResponseReader(io.RawIOBase):
    """A GET response body as a raw stream; network errors become ``StorageUnavailable``."""

    def __init__(self, response, store: MinioStore, key: str):
        super().__init__()
        self._response = response
        self._store = store
        self._key = key

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        with self._store._errors(self._key):
            try:
                return self._response.readinto(buffer)
            except urllib3.exceptions.ProtocolError:
                raise StorageUnavailable(
                    "storage.minio.broken", endpoint=self._store.endpoint, key=self._key
                ) from None

    def close(self) -> None:
        if not self.closed:
            try:
                self._response.close()
                self._response.release_conn()
            finally:
                super().close()
