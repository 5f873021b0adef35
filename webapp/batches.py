"""What the intake pages show of batches: the list with counts, one batch file by file, and the
live progress the batch page polls.

Read-only queries over the catalog, kept out of the views. The per-file report itself is
``ingest.intake.batch_report`` (the same the CLI prints); this adds what a page needs on top:
the household folder to link to, "processing" apart from "queued", and pages done so far.
(The list and progress queries would sit well in ``ingest/intake.py`` next to batch_report.)
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from dossier.catalog import zh
from dossier.errors import NotFound
from dossier.models import (
    Batch,
    BatchItem,
    Community,
    Document,
    Household,
    HouseholdStatus,
    User,
)
from dossier.sheets import Column, Table, export_note
from ingest.intake import batch_report, file_status
from ingest.reasons import LEGACY_REASON
from ingest.runner import progress
from ingest.stackpages import MAX_SHOWN

# A file's state as the intake pages name it.
STATUS_NAMES_ZH = {
    "indexed": "已索引",
    "queued": "排队中",
    "processing": "处理中",
    "duplicate": "重复",
    "rejected": "已拒收",
    "failed": "失败",
    "destroyed": "已销毁",
    "unfiled": "待归档",
    "separator": "封面页",
    "blank": "空白背面",
}
COUNTED = ("indexed", "queued", "duplicate", "rejected", "failed")  # the list's columns
OPEN = ("queued", "processing")  # still to be processed
BATCH_STATE_NAMES_ZH = {
    "processing": "处理中",
    "done": "已完成",
    "failed": "有失败",
    "unfiled": "有待归档页面",
}
SOURCE_NAMES_ZH = {"web": "网页上传", "cli": "命令行", "api": "接口"}


def batch_state(counts: Counter) -> str:
    """processing while any file waits; then failed when any was refused or failed; then unfiled
    while pages of a split stack wait for the archivist; else done."""
    if any(counts[s] for s in OPEN):
        return "processing"
    if counts["rejected"] or counts["failed"]:
        return "failed"
    if counts["unfiled"]:
        return "unfiled"
    return "done"


@dataclass
class BatchSummary:
    id: int
    created_at: datetime
    created_by: str | None
    source: str
    label: str | None
    counts: Counter = field(default_factory=Counter)

    @property
    def files(self) -> int:
        return sum(self.counts.values())

    def count(self, status: str) -> int:
        if status == "queued":
            return self.counts["queued"] + self.counts["processing"]
        return self.counts[status]

    @property
    def state(self) -> str:
        return batch_state(self.counts)


def _summaries(session: Session, batches: list[Batch]) -> dict[int, BatchSummary]:
    """Summaries without counts; who is shown by name (姓名) where the user has one."""
    user_ids = {b.created_by_id for b in batches if b.created_by_id is not None}
    names: dict[int | None, str | None] = (
        dict(session.execute(select(User.id, User.display_name).where(User.id.in_(user_ids))).all())
        if user_ids
        else {}
    )
    return {
        b.id: BatchSummary(
            b.id, b.created_at, names.get(b.created_by_id) or b.created_by_name, b.source, b.label
        )
        for b in batches
    }


def get_batch(session: Session, batch_id: int) -> Batch:
    batch = session.get(Batch, batch_id)
    if batch is None:
        raise NotFound("intake.batch_not_found", id=batch_id)
    return batch


def list_batches(session: Session, limit: int, offset: int) -> tuple[int, list[BatchSummary]]:
    """Batches newest first, with how many files ended in each state; and the total."""
    total = session.scalar(select(func.count(Batch.id))) or 0
    batches = session.scalars(
        select(Batch).order_by(Batch.created_at.desc(), Batch.id.desc()).limit(limit).offset(offset)
    ).all()
    summaries = _summaries(session, list(batches))
    if summaries:
        rows = session.execute(
            select(BatchItem.batch_id, BatchItem.outcome, Document.status, func.count(BatchItem.id))
            .outerjoin(Document, Document.id == BatchItem.document_id)
            .where(BatchItem.batch_id.in_(list(summaries)))
            .group_by(BatchItem.batch_id, BatchItem.outcome, Document.status)
        ).all()
        for batch_id, outcome, status, count in rows:
            summaries[batch_id].counts[file_status(outcome, status)] += count
    return total, [summaries[b.id] for b in batches]


# Legacy rows only: batches taken in before the message catalog stored the reason as an English
# sentence (new rows store the message's code, ``ingest.reasons``, read back in Chinese). The
# known sentences of split stacks are translated by pattern; any other stays as it was written.
_UNFILED_REASONS_ZH = [
    (re.compile(r"pages before the first cover sheet"), "这些页面在第一张封面之前，无法确定归属。"),
    (re.compile(r"a cover sheet whose QR code cannot be read"), "前一张封面的二维码无法识读。"),
    (
        re.compile(r"the cover sheet names household (.+) of community (.+), which is not in the archive"),
        r"封面上的户号 \1（\2）不在档案中。",
    ),
    (
        re.compile(r"the cover sheet names the document type (.+), which the archive does not know"),
        r"封面上的文件类型 \1 在档案中不存在。",
    ),
]


def reason_zh(error: str | None) -> str | None:
    """A legacy (English) reason of a split stack in Chinese where it is one of the known ones
    (else as it is)."""
    for pattern, text in _UNFILED_REASONS_ZH:
        if error and pattern.fullmatch(error):
            return pattern.sub(text, error)
    return error


def _unfiled_pages(entry: dict) -> list[int]:
    """The stack pages of an unfiled part the batch page shows as images (the first MAX_SHOWN)."""
    first, last = entry.get("stack_pages") or (None, None)
    if first is None or last is None:
        return []
    return list(range(first, min(last, first + MAX_SHOWN - 1) + 1))


def _unfiled_more(entry: dict) -> int:
    first, last = entry.get("stack_pages") or (None, None)
    return max(0, last - first + 1 - MAX_SHOWN) if first is not None and last is not None else 0


def batch_files(session: Session, batch_id: int) -> tuple[BatchSummary, list[dict]]:
    """The batch and one row per file, in the order they were handed in."""
    batch = get_batch(session, batch_id)
    report = batch_report(session, batch_id, live=True, lang="zh")
    ids = [d["id"] for d in report["documents"] if d["id"] is not None]
    docs = (
        {
            d.id: d
            for d in session.scalars(
                select(Document).where(Document.id.in_(ids)).options(selectinload(Document.household))
            )
        }
        if ids
        else {}
    )
    summary = _summaries(session, [batch])[batch.id]
    rows = []
    for position, entry in enumerate(report["documents"], start=1):
        doc = docs.get(entry["id"])
        status = entry["status"]
        summary.counts[status] += 1
        live = status in OPEN and doc is not None
        rows.append(
            {
                "position": position,
                "file": entry["file"],
                "status": status,
                "document_id": entry["id"],
                "household_id": doc.household_id if doc is not None else None,
                "household": doc.household.code if doc is not None else None,
                # The 档号 of a filed document (never of a refused or duplicate file's match).
                "archive_no": doc.archive_no
                if doc is not None and status not in ("duplicate", "rejected")
                else None,
                "pages": entry["pages"],
                "pages_done": (doc.pages_done or 0) if live and doc is not None else None,
                "page_count": doc.page_count if doc is not None else None,
                "live": live,
                "error": reason_zh(entry["error"])
                if entry["error_code"] == LEGACY_REASON and status in ("unfiled", "separator")
                else entry["error"],
                "warnings": entry.get("warnings", []),
                "item": entry.get("item"),
                "sheet": entry.get("sheet"),
                "unfiled_pages": _unfiled_pages(entry) if status == "unfiled" else [],
                "unfiled_more": _unfiled_more(entry) if status == "unfiled" else 0,
            }
        )
    return summary, rows


def batch_progress(archive, session: Session, batch_id: int) -> dict:
    """What the batch page polls: each stored document's state and pages, and the whole (the
    whole counted as ``dossier ingest --wait`` counts it: ``ingest.runner.progress``)."""
    get_batch(session, batch_id)
    rows = session.execute(
        select(Document.id, Document.status, Document.pages_done, Document.page_count)
        .where(Document.batch_id == batch_id)
        .order_by(Document.id)
    ).all()
    documents = {}
    fractions = []
    for doc_id, doc_status, pages_done, page_count in rows:
        status = file_status("stored", doc_status)
        final = status not in OPEN
        done = page_count if final and page_count else (pages_done or 0)
        documents[str(doc_id)] = {
            "status": status,
            "status_name": STATUS_NAMES_ZH.get(status, status),
            "pages_done": done,
            "page_count": page_count,
            "final": final,
        }
        fractions.append(1.0 if final else (min(1.0, done / page_count) if page_count else 0.0))
    pages_done, page_count, finished = (
        progress(archive, [int(i) for i in documents]) if documents else (0, 0, 0)
    )
    return {
        "batch": batch_id,
        "final": all(d["final"] for d in documents.values()),
        "overall": {
            "documents": len(documents),
            "done": finished,
            "pages_done": pages_done,
            "page_count": page_count,
            "percent": round(100.0 * sum(fractions) / len(fractions), 1) if fractions else 100.0,
        },
        "documents": documents,
    }


def household_choices(session: Session, limit: int = 5000) -> list[tuple[str, str]]:
    """(code, community name) of open folders, for the upload form's suggestions."""
    return [
        (code, name)
        for code, name in session.execute(
            select(Household.code, Community.name)
            .join(Household.community)
            .where(Household.status == HouseholdStatus.ACTIVE)
            .order_by(Community.code, Household.code)
            .limit(limit)
        ).all()
    ]


BATCH_COLUMNS = (
    Column("序号", "int"),
    Column("文件", width=28),
    Column("状态"),
    Column("文件编号", "int"),
    Column("档号", width=30),
    Column("业户", width=14),
    Column("页数", "int"),
    Column("说明", width=40),
)


def batch_table(session: Session, batch_id: int, username: str) -> Table:
    """The batch page's file-by-file report as a sheet (the rows ``batch_files`` gives the page)."""
    summary, rows = batch_files(session, batch_id)
    return Table(
        zh("exports.batch_title", batch=summary.id),
        BATCH_COLUMNS,
        [
            [
                r["position"],
                r["file"],
                STATUS_NAMES_ZH.get(r["status"], r["status"]),
                r["document_id"],
                r["archive_no"],
                r["household"],
                r["page_count"] if r["page_count"] is not None else r["pages"],
                "；".join(([r["error"]] if r["error"] else []) + r["warnings"]) or None,
            ]
            for r in rows
        ],
        note=export_note(session, username),
    )
