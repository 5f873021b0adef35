"""Tampering as someone with the database owner's rights would: triggers dropped, the ORM's
append-only guards bypassed (statements go straight to the connection)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, text


def drop_guards(conn: Connection) -> None:
    """Drop every trigger of the catalog (the append-only guards of migration 0006)."""
    if conn.dialect.name == "postgresql":
        rows = conn.execute(
            text(
                "SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE NOT t.tgisinternal"
            )
        ).all()
        for trigger, table in rows:
            conn.execute(text(f'DROP TRIGGER "{trigger}" ON "{table}"'))
        return
    for (trigger,) in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).all():
        conn.execute(text(f'DROP TRIGGER "{trigger}"'))


@contextmanager
def behind_the_back(archive) -> Iterator[Connection]:
    """A connection to the archive's catalog with its guards dropped; commits at the end."""
    with archive.new_session() as session:
        conn = session.connection()
        drop_guards(conn)
        yield conn
        session.commit()
