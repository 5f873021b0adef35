"""The archive's keys: the master key (wraps data keys, seals fields) and the signing key.

Both live outside the database: as files under ``$DOSSIER_HOME/keys`` (0600), or the master key
in ``DOSSIER_MASTER_KEY``. Their identifiers are written into the catalog at ``init`` so a wrong
key is refused with a clear sentence instead of producing garbage.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from functools import cached_property

from dossier.config import Settings
from dossier.crypto import MasterKey
from dossier.errors import ConfigurationError
from dossier.fieldcrypt import FieldCipher, derive_key
from dossier.keyfiles import read_secret_file, write_secret_file
from dossier.signing import Signer


def load_master_key(settings: Settings) -> MasterKey:
    if settings.master_key_b64:
        try:
            return MasterKey.from_b64(settings.master_key_b64)
        except ConfigurationError:
            raise ConfigurationError("keys.bad_env_master_key") from None
    return MasterKey.from_b64(read_secret_file(settings.master_key_file).decode("ascii").strip())


def load_signer(settings: Settings) -> Signer:
    return Signer.load(settings.signing_key_file)


def ensure_keys(settings: Settings) -> list[str]:
    """Create whichever keys are missing; returns the names of the ones created."""
    created = []
    settings.keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not settings.master_key_b64 and not settings.master_key_file.exists():
        write_secret_file(settings.master_key_file, MasterKey.generate().to_b64().encode("ascii"))
        created.append("master key")
    if not settings.signing_key_file.exists():
        Signer.generate().save(settings.signing_key_file)
        created.append("signing key")
    if not settings.secret_key_file.exists():
        write_secret_file(settings.secret_key_file, secrets.token_urlsafe(48).encode("ascii"))
        created.append("web session key")
    return created


def load_web_secret(settings: Settings) -> str:
    return read_secret_file(settings.secret_key_file).decode("ascii").strip()


@dataclass
class ArchiveKeys:
    """Lazily loaded keys, so commands that need none of them work without them."""

    settings: Settings

    @cached_property
    def master(self) -> MasterKey:
        return load_master_key(self.settings)

    @cached_property
    def signer(self) -> Signer:
        return load_signer(self.settings)

    @cached_property
    def fields(self) -> FieldCipher:
        return FieldCipher(base64.b64decode(self.master.to_b64()))

    @cached_property
    def cover_sheet_mac(self) -> bytes:
        """The key cover sheets' check values are made with (HMAC-SHA256)."""
        return derive_key(base64.b64decode(self.master.to_b64()), b"dossier cover sheet v1")
