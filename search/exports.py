"""Search results (检索结果) as a spreadsheet: the same ``search_documents`` call the page makes,
so the hits, their masking and the withheld snippets are exactly what the user sees (the
search is on the access log as any other)."""

from __future__ import annotations

import html
import re
from collections.abc import Collection
from datetime import date

from sqlalchemy.orm import Session

from dossier.actor import Actor
from dossier.catalog import zh
from dossier.sheets import Column, Table, export_note
from search.engine import SearchEngine
from search.service import MAX_LIMIT, SearchFilters, search_documents

_MARK = re.compile(r"</?mark>")

HIT_COLUMNS = (
    Column("序号", "int"),
    Column("文件编号", "int"),
    Column("档号", width=30),
    Column("页码", "int"),
    Column("文件题名", width=24),
    Column("文件类型", width=12),
    Column("业户", width=14),
    Column("文件日期", "date", width=12),
    Column("保密"),
    Column("内容摘要", width=60),
)


def search_table(
    session: Session,
    actor: Actor,
    engine: SearchEngine,
    q: str,
    filters: SearchFilters | None = None,
    *,
    purposes: Collection[int] = (),
) -> Table:
    """The first ``MAX_LIMIT`` hits of the search, as ``actor`` sees them."""
    result = search_documents(session, actor, engine, q, filters, limit=MAX_LIMIT, purposes=purposes)
    rows = []
    for number, hit in enumerate(result["hits"], start=1):
        snippet = hit["snippet"]
        rows.append(
            [
                number,
                hit["document"],
                hit["archive_no"] or "",
                hit["page"],
                hit["title"],
                hit["type_name"],
                hit["household"],
                date.fromisoformat(hit["date"]) if hit["date"] else None,
                zh("exports.yes") if hit["confidential"] else zh("exports.no"),
                html.unescape(_MARK.sub("", snippet))
                if snippet is not None
                else zh("exports.search_withheld"),
            ]
        )
    return Table(zh("exports.search_title"), HIT_COLUMNS, rows, note=export_note(session, actor.username))
