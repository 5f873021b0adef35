"""``keys backup``: the master, signing and web-session keys in one file, apart from any data
backup, sealed with a passphrase when one is given (scrypt, then AES-256-GCM).

Without a passphrase the file holds the keys in plain text (mode 0600): keep it offline, in a
safe, never beside the data backup — whoever holds both can read every record.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import cast

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from dossier.actor import Actor
from dossier.config import Settings
from dossier.crypto import MasterKey
from dossier.errors import ConfigurationError, InvalidInput
from dossier.keyfiles import read_secret_file, write_secret_file
from dossier.keys import load_master_key, load_signer
from dossier.permissions import Permission, require
from dossier.signing import Signer

FORMAT = "dossier-keys/1"
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
_AAD = FORMAT.encode("ascii")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _kdf(passphrase: str, salt: bytes, n: int = SCRYPT_N) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=SCRYPT_R, p=SCRYPT_P).derive(passphrase.encode("utf-8"))


def collect_keys(settings: Settings) -> dict:
    master, signer = load_master_key(settings), load_signer(settings)
    keys = {
        "format": FORMAT,
        "master_key": master.to_b64(),
        "master_key_id": master.key_id,
        "signing_key": signer.private_pem().decode("ascii"),
        "signing_key_id": signer.fingerprint,
    }
    if settings.secret_key_file.exists():
        keys["web_secret"] = read_secret_file(settings.secret_key_file).decode("ascii").strip()
    return keys


def write_keys_backup(
    settings: Settings, actor: Actor, dest: Path, passphrase: str | Callable[[], str | None] | None
) -> dict:
    """Write the keys into the new file ``dest`` (administrators). A callable ``passphrase`` is
    asked only once the actor is known to be allowed."""
    require(actor, Permission.ADMIN)
    if callable(passphrase):
        passphrase = passphrase()
    keys = collect_keys(settings)
    body = json.dumps(keys).encode("utf-8")
    if passphrase:
        salt, nonce = os.urandom(16), os.urandom(12)
        sealed = AESGCM(_kdf(passphrase, salt)).encrypt(nonce, body, _AAD)
        body = json.dumps(
            {
                "format": FORMAT,
                "sealed": {
                    "kdf": "scrypt",
                    "n": SCRYPT_N,
                    "r": SCRYPT_R,
                    "p": SCRYPT_P,
                    "salt": _b64(salt),
                    "nonce": _b64(nonce),
                    "ciphertext": _b64(sealed),
                },
            }
        ).encode("utf-8")
    write_secret_file(dest, body)
    return {
        "file": str(dest),
        "sealed": bool(passphrase),
        "master_key_id": keys["master_key_id"],
        "signing_key_id": keys["signing_key_id"],
    }


def read_keys_backup(path: Path, passphrase: str | None) -> dict:
    try:
        outer = json.loads(read_secret_file(path))
    except ValueError:
        raise InvalidInput("backup.not_key_backup", path=path) from None
    if not isinstance(outer, dict) or outer.get("format") != FORMAT:
        raise InvalidInput("backup.not_key_backup", path=path)
    if "sealed" in outer:
        if not passphrase:
            raise InvalidInput("backup.needs_passphrase", path=path)
        s = outer["sealed"]
        try:
            key = _kdf(passphrase, base64.b64decode(s["salt"]), int(s["n"]))
            outer = json.loads(
                AESGCM(key).decrypt(base64.b64decode(s["nonce"]), base64.b64decode(s["ciphertext"]), _AAD)
            )
        except InvalidTag:
            raise InvalidInput("backup.wrong_passphrase") from None
        except (KeyError, ValueError, TypeError):
            raise InvalidInput("backup.keys_damaged", path=path) from None
    try:
        master = MasterKey.from_b64(outer["master_key"])
        signer_pem = outer["signing_key"].encode("ascii")
    except (KeyError, TypeError, AttributeError, ValueError, ConfigurationError):
        raise InvalidInput("backup.keys_damaged", path=path) from None
    if master.key_id != outer.get("master_key_id"):
        raise InvalidInput("backup.keys_id_mismatch", path=path)
    return outer | {"_signing_pem": signer_pem}


def install_keys(settings: Settings, keys: dict) -> None:
    """Write the backed-up keys into this home's key folder (never over existing key files)."""
    if settings.master_key_b64:
        if MasterKey.from_b64(settings.master_key_b64).key_id != keys["master_key_id"]:
            raise ConfigurationError("backup.env_key_mismatch")
    else:
        write_secret_file(settings.master_key_file, keys["master_key"].encode("ascii"))
    write_secret_file(settings.signing_key_file, keys["_signing_pem"])
    if keys.get("web_secret") and not settings.secret_key_file.exists():
        write_secret_file(settings.secret_key_file, keys["web_secret"].encode("ascii"))


def signer_of(keys: dict) -> Signer:
    key = serialization.load_pem_private_key(keys["_signing_pem"], password=None)
    return Signer(cast(Ed25519PrivateKey, key))  # Signer refuses any other kind of key
