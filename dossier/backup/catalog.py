"""The catalog as JSON lines, one file per table, and back — the same on SQLite and PostgreSQL.

Values JSON cannot hold are tagged: ``{"$b": base64}`` bytes, ``{"$dt": iso}`` datetimes,
``{"$d": iso}`` dates, ``{"$n": text}`` decimals. Rows are streamed, never all held at once.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Connection, Table, func, insert, select
from sqlalchemy import text as sql

from dossier.models import Base

BATCH = 500


def _encode(value):
    if isinstance(value, (bytes, memoryview)):
        return {"$b": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, date):
        return {"$d": value.isoformat()}
    if isinstance(value, Decimal):
        return {"$n": str(value)}
    return value


def _decode(value):
    if isinstance(value, dict) and len(value) == 1:
        ((tag, raw),) = value.items()
        if tag == "$b":
            return base64.b64decode(raw)
        if tag == "$dt":
            return datetime.fromisoformat(raw)
        if tag == "$d":
            return date.fromisoformat(raw)
        if tag == "$n":
            return Decimal(raw)
    return value


def tables() -> list[Table]:
    """Every catalog table, parents before children."""
    return list(Base.metadata.sorted_tables)


def dump_table(conn: Connection, table: Table) -> Iterator[str]:
    order = list(table.primary_key.columns) or list(table.columns)
    result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(
        select(table).order_by(*order)
    )
    for row in result.mappings():
        yield (
            json.dumps({k: _encode(v) for k, v in row.items()}, ensure_ascii=False, separators=(",", ":"))
            + "\n"
        )


def load_table(conn: Connection, table: Table, path: Path) -> int:
    count, batch = 0, []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            batch.append({k: _decode(v) for k, v in json.loads(line).items()})
            if len(batch) >= BATCH:
                conn.execute(insert(table), batch)
                count += len(batch)
                batch = []
    if batch:
        conn.execute(insert(table), batch)
        count += len(batch)
    return count


def reset_sequences(conn: Connection) -> None:
    """PostgreSQL: move each serial id's sequence past the restored rows (SQLite needs nothing)."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables():
        if "id" not in table.columns or not table.c.id.autoincrement:
            continue
        highest = conn.scalar(select(func.max(table.c.id)))
        if highest:
            conn.execute(
                sql("SELECT setval(pg_get_serial_sequence(:t, 'id'), :v)"), {"t": table.name, "v": highest}
            )
