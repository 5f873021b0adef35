"""The key ids an archive records in its catalog at ``init``, and the check that a key is its own.

A wrong master key would seal and unwrap garbage; it is refused with a clear sentence instead.
Both the archive handle (``dossier.archive``) and a bare catalog session (``dossier.pagetext``)
check through :func:`check_master_key`, so the rule has one home in the kernel.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dossier.config import Settings
from dossier.crypto import MasterKey
from dossier.db import session_scope
from dossier.errors import ConfigurationError
from dossier.models import ArchiveSetting

MASTER_KEY_ID = "master_key_id"
SIGNING_KEY_ID = "signing_key_id"
SIGNING_PUBLIC_KEY = "signing_public_key"


def get_setting(session: Session, key: str) -> str | None:
    return session.scalar(select(ArchiveSetting.value).where(ArchiveSetting.key == key))


def put_setting(session: Session, key: str, value: str) -> None:
    row = session.get(ArchiveSetting, key)
    if row is None:
        session.add(ArchiveSetting(key=key, value=value))
    else:
        row.value = value


def check_master_key(settings: Settings, key: MasterKey) -> MasterKey:
    """``key``, refused unless it is the one this archive was initialised with."""
    with session_scope(settings) as session:
        expected = get_setting(session, MASTER_KEY_ID)
    if expected is not None and expected != key.key_id:
        raise ConfigurationError("keys.wrong_master_key", key_id=key.key_id, expected=expected)
    return key
