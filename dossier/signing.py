"""Ed25519 signatures over canonical JSON records (e.g. an original's key, size and digests).

The archive signs a small record describing each original at intake; anyone holding the public
key can later check that the catalog's record of the original has not been altered. The record
is serialised canonically so that the same data always yields the same bytes:

    JSON, keys sorted, separators ``,`` and ``:``, non-ASCII kept as UTF-8 (``ensure_ascii=False``)

Only ``dict`` (string keys), ``list``/``tuple``, ``str``, ``int``, ``bool`` and ``None`` are
accepted. Floats are refused because their textual form is not stable across languages and
versions; store amounts as integers or strings, and datetimes as ISO-8601 strings.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from pathlib import Path
from typing import Any, NoReturn

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from dossier.errors import InvalidInput
from dossier.keyfiles import read_secret_file, write_secret_file
from dossier.storage_errors import KeyFileError


def _check(value: Any, path: str) -> None:
    if value is None or isinstance(value, (str, bool, int)):
        return
    if isinstance(value, float):
        raise InvalidInput("signing.float_field", path=path)
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise InvalidInput("signing.non_string_key", path=path, key=repr(key))
            _check(item, f"{path}.{key}")
        return
    if isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            _check(item, f"{path}[{index}]")
        return
    raise InvalidInput("signing.unsignable_field", path=path, kind=type(value).__name__)


def canonical_bytes(record: dict[str, Any]) -> bytes:
    """The canonical UTF-8 JSON form of ``record`` (see the module docstring)."""
    if not isinstance(record, dict):
        raise InvalidInput("signing.not_a_dict")
    _check(record, "record")
    return json.dumps(
        record, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def public_key_fingerprint(public_key: Ed25519PublicKey) -> str:
    """First 16 hex digits of SHA-256 over the raw 32-byte public key."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


class Signer:
    """Holds the archive's Ed25519 private key and signs records with it."""

    def __init__(self, private_key: Ed25519PrivateKey):
        if not isinstance(private_key, Ed25519PrivateKey):
            raise TypeError("Signer needs an Ed25519 private key")
        self._private_key = private_key

    @classmethod
    def generate(cls) -> Signer:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def load(cls, path: Path | str) -> Signer:
        """Load a PEM (PKCS#8, unencrypted) private key from a 0600 key file."""
        data = read_secret_file(path)
        try:
            key = serialization.load_pem_private_key(data, password=None)
        except (ValueError, TypeError):
            raise KeyFileError("signing.unreadable_private_key", path=path) from None
        if not isinstance(key, Ed25519PrivateKey):
            raise KeyFileError("signing.not_ed25519_private", path=path)
        return cls(key)

    def save(self, path: Path | str) -> None:
        """Write the private key to ``path`` (0600, never overwriting an existing file)."""
        write_secret_file(path, self.private_pem())

    def private_pem(self) -> bytes:
        return self._private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self._private_key.public_key()

    def public_pem(self) -> str:
        return self.public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode("ascii")

    @property
    def fingerprint(self) -> str:
        return public_key_fingerprint(self.public_key)

    def sign(self, record: dict[str, Any]) -> str:
        """Base64 Ed25519 signature over ``canonical_bytes(record)``."""
        return base64.b64encode(self._private_key.sign(canonical_bytes(record))).decode("ascii")

    def __repr__(self) -> str:
        return f"Signer(fingerprint={self.fingerprint})"

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Signer cannot be pickled")


def load_public_key(pem: str | bytes) -> Ed25519PublicKey:
    """Parse a PEM public key, raising ``InvalidInput`` unless it is a valid Ed25519 key."""
    data = pem.encode("ascii", "replace") if isinstance(pem, str) else bytes(pem)
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError):
        raise InvalidInput("signing.bad_public_key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise InvalidInput("signing.not_ed25519_public")
    return key


def verify(public_key: Ed25519PublicKey, record: dict[str, Any], signature_b64: str | bytes) -> bool:
    """True if ``signature_b64`` is a valid signature of ``record`` by ``public_key``.

    Never raises for a bad signature: malformed base64, a signature of the wrong length and a
    record that could not have been signed (e.g. one holding floats) all simply give False.
    """
    try:
        signature = base64.b64decode(signature_b64, validate=True)
        message = canonical_bytes(record)
    except (binascii.Error, ValueError, TypeError, InvalidInput):
        return False
    if len(signature) != 64:
        return False
    try:
        public_key.verify(signature, message)
    except InvalidSignature:
        return False
    return True
