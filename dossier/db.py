"""Database engine and sessions: one session per request or command."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from dossier.config import Settings
from dossier.errors import ConfigurationError
from dossier.models import install_append_only_guards

# Keyed by process too: a forked worker must not share its parent's pooled connections.
_engines: dict[tuple[str, int], Engine] = {}


def _sqlite_pragmas(dbapi_connection: Any, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the web server read while a worker writes; foreign keys are off by default in SQLite.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def get_engine(settings: Settings) -> Engine:
    """The process-wide engine for this database URL (engines pool connections; make one each)."""
    key = (settings.database_url, os.getpid())
    engine = _engines.get(key)
    if engine is None:
        if settings.is_sqlite:
            settings.home.mkdir(parents=True, exist_ok=True)
            engine = create_engine(settings.database_url, connect_args={"timeout": 30})
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            engine = create_engine(
                settings.database_url, pool_pre_ping=True, connect_args={"connect_timeout": 5}
            )
        _engines[key] = engine
    return engine


def dispose_engines() -> None:
    pid = os.getpid()
    for (_, owner), engine in list(_engines.items()):
        # An engine inherited through fork is dropped without closing the parent's connections.
        engine.dispose(close=owner == pid)
    _engines.clear()


def session_factory(settings: Settings) -> sessionmaker[Session]:
    """Sessions of the archive's catalog, append-only tables guarded (``dossier.models``)."""
    install_append_only_guards()
    # The settings ride along so that tamper-evident logs (``dossier.ledger``) find the archive's
    # signing key and head anchor, and the worker its lease (``ingest.state``), from any session.
    return sessionmaker(bind=get_engine(settings), expire_on_commit=False, info={"settings": settings})


@contextmanager
def session_scope(settings: Settings) -> Iterator[Session]:
    """A session that commits when the block succeeds and rolls back when it raises."""
    session = session_factory(settings)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def describe_url(url: str) -> str:
    """The database URL without its password, for messages."""
    return make_url(url).render_as_string(hide_password=True)


def require_schema(settings: Settings) -> None:
    """Refuse politely when the catalog has not been initialised (or the server is unreachable)."""
    engine = get_engine(settings)
    try:
        with engine.connect() as conn:
            present = inspect(conn).has_table("households")
    except OperationalError as exc:
        raise ConfigurationError(
            "db.unreachable",
            url=describe_url(settings.database_url),
            reason=str(exc.orig).strip().splitlines()[0] if exc.orig else exc,
        ) from None
    if not present:
        raise ConfigurationError("db.not_initialised")
