"""Encryption of single sensitive fields in the catalog (ID-card numbers).

Values are sealed with AES-256-GCM under a key derived (HKDF-SHA256) from the archive's master
key, so a database dump alone reveals nothing. A keyed HMAC of the normalised value lets the
catalog find a party by ID number without decrypting every row.

Sealed format: version byte 0x01 ‖ 12-byte nonce ‖ ciphertext+tag; the field's purpose is bound
as associated data so a value cannot be moved to another column.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from dossier.errors import IntegrityFailure

_VERSION = b"\x01"


def derive_key(master_secret: bytes, label: bytes) -> bytes:
    """A 32-byte key for one purpose (``label``), derived from the master key with HKDF-SHA256."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(master_secret)


class FieldCipher:
    def __init__(self, master_secret: bytes):
        self._aead = AESGCM(derive_key(master_secret, b"dossier field encryption v1"))
        self._mac_key = derive_key(master_secret, b"dossier field lookup v1")

    def seal(self, value: str, purpose: str) -> bytes:
        nonce = os.urandom(12)
        return _VERSION + nonce + self._aead.encrypt(nonce, value.encode("utf-8"), purpose.encode())

    def open(self, sealed: bytes, purpose: str, what: object = None) -> str:
        """The plain value; ``what`` names it in the error (a message; the purpose otherwise)."""
        what = what or purpose
        if not sealed or sealed[:1] != _VERSION:
            raise IntegrityFailure("fieldcrypt.unknown_format", what=what)
        try:
            return self._aead.decrypt(sealed[1:13], sealed[13:], purpose.encode()).decode("utf-8")
        except InvalidTag:
            raise IntegrityFailure("fieldcrypt.cannot_open", what=what) from None

    def lookup_hash(self, value: str, purpose: str) -> str:
        return hmac.new(
            self._mac_key, purpose.encode() + b"\x00" + value.encode(), hashlib.sha256
        ).hexdigest()


def normalise_id_number(value: str) -> str:
    return "".join(value.split()).upper()


def mask_id_number(value: str) -> str:
    """``110101199003071234`` → ``110***********1234``: enough to confirm, not to misuse."""
    value = normalise_id_number(value)
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
