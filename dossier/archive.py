"""One archive: its settings, catalog sessions, keys, object store and vault, opened lazily.

CLI commands and web requests both go through an ``Archive``; nothing else opens stores or
loads keys, so the checks below (schema present, master key belongs to this archive) are made
in one place.
"""

from __future__ import annotations

from contextlib import contextmanager
from functools import cached_property
from typing import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from dossier.config import Settings
from dossier.db import require_schema, session_factory, session_scope
from dossier.errors import ConfigurationError
from dossier.keys import ArchiveKeys
from dossier.models import ArchiveSetting

MASTER_KEY_ID = "master_key_id"
SIGNING_KEY_ID = "signing_key_id"
SIGNING_PUBLIC_KEY = "signing_public_key"


class Archive:
    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings.from_env()
        self.keys = ArchiveKeys(self.settings)

    # --- catalog -------------------------------------------------------------------------
    def check_ready(self) -> None:
        require_schema(self.settings)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with session_scope(self.settings) as session:
            yield session

    def new_session(self) -> Session:
        return session_factory(self.settings)()

    # --- storage -------------------------------------------------------------------------
    @cached_property
    def store(self):
        from storage import open_store

        return open_store(self.settings)

    @cached_property
    def vault(self):
        from storage.vault import Vault

        return Vault(self.store, self.master_key)

    @cached_property
    def master_key(self):
        """The master key, refused unless it is the one this archive was initialised with."""
        key = self.keys.master
        with self.session() as session:
            expected = get_setting(session, MASTER_KEY_ID)
        if expected is not None and expected != key.key_id:
            raise ConfigurationError(
                f"the master key (id {key.key_id}) does not belong to this archive "
                f"(expected id {expected}); restore the right key file or DOSSIER_MASTER_KEY"
            )
        return key

    @cached_property
    def signer(self):
        return self.keys.signer

    @cached_property
    def fields(self):
        self.master_key  # noqa: B018 - refuse a foreign master key before sealing anything
        return self.keys.fields

    @cached_property
    def cover_sheet_key(self) -> bytes:
        self.master_key  # noqa: B018 - refuse a foreign master key before vouching for a sheet
        return self.keys.cover_sheet_mac


def get_setting(session: Session, key: str) -> str | None:
    return session.scalar(select(ArchiveSetting.value).where(ArchiveSetting.key == key))


def put_setting(session: Session, key: str, value: str) -> None:
    row = session.get(ArchiveSetting, key)
    if row is None:
        session.add(ArchiveSetting(key=key, value=value))
    else:
        row.value = value
