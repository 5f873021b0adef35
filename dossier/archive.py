"""One archive: its settings, catalog sessions, keys, object store and vault, opened lazily.

CLI commands and web requests both go through an ``Archive``; nothing else opens stores or
loads keys, so the checks below (schema present, master key belongs to this archive) are made
in one place.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property

from sqlalchemy.orm import Session

from dossier.config import Settings
from dossier.db import require_schema, session_factory, session_scope
from dossier.keycheck import check_master_key
from dossier.keys import ArchiveKeys
from storage import open_store
from storage.vault import Vault


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
        return open_store(self.settings)

    @cached_property
    def vault(self):
        return Vault(self.store, self.master_key)

    @cached_property
    def master_key(self):
        """The master key, refused unless it is the one this archive was initialised with."""
        return check_master_key(self.settings, self.keys.master)

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
