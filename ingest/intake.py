"""Intake: files in, signed originals out, each file's fate recorded in a batch.

For every file of a batch, in order: decide what it is from its content, refuse what cannot be a
scan (with the reason in the batch report), store the original unchanged (encrypted, hashed,
signed) and queue it for processing. A refused file stores nothing; a duplicate points at the
document that already holds the same content. One bad file never stops the rest of the batch.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dossier.actor import Actor
from dossier.archive import Archive
from dossier.catalog import Language, os_reason, say, text
from dossier.dates import parse_date
from dossier.errors import DossierError, InvalidInput, NotFound
from dossier.models import Batch, BatchOutcome, Document, DocumentStatus, Household
from dossier.permissions import Permission, require
from dossier.services.disposal import resolve_class
from dossier.services.documents import DuplicateDocument, NewDocument, store_original
from dossier.services.households import get_household
from ingest import reasons
from ingest.files import FileSpec, probe, record_item
from ingest.manifests import MANIFEST_COLUMNS, manifest_rows
from ingest.names import resolve_retention, resolve_type
from ingest.split import intake_stack

LOW_DPI = 200  # DA/T 31: scans under 200 dpi are flagged (a warning, not a refusal)


@dataclass
class IntakeRequest:
    """One batch to take in, as the CLI, the web and the API describe it: the files (each saying
    where it goes) and what holds for the whole batch. ``retention_class`` is the batch's class:
    a file's own (a manifest row's) wins over it; split stacks follow their cover sheets."""

    files: list[FileSpec]
    source: str = "cli"  # cli | web | api
    label: str | None = None
    retention_class: str | None = None


@dataclass
class ItemReport:
    file: str
    status: str  # indexed | queued | duplicate | rejected | failed | unfiled | separator | blank
    id: int | None = None
    pages: int | None = None
    error: str | None = None  # the reason, in the report's language
    error_code: str | None = None  # its message code (``intake.as_recorded``: an old English one)
    warnings: list[str] = field(default_factory=list)
    low_dpi: list[dict[str, int]] = field(default_factory=list)  # [{"page", "dpi"}] under LOW_DPI
    item: int | None = None
    stack_pages: list[int | None] | None = None  # [first, last] of a split stack's part
    sheet: dict[str, Any] | None = None  # the cover sheet that filed it
    archive_no: str | None = None  # the stored document's 档号 (given at filing)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "file": self.file,
            "status": self.status,
            "pages": self.pages,
            "error": self.error,
            "error_code": self.error_code,
        }
        if self.archive_no is not None:
            out["archive_no"] = self.archive_no
        if self.stack_pages is not None:
            out.update(item=self.item, stack_pages=self.stack_pages, sheet=self.sheet)
        if self.warnings:
            out["warnings"] = self.warnings
            out["low_dpi"] = self.low_dpi
        return out


# --- names and values ------------------------------------------------------------------------


def display_name(raw: str | bytes) -> str:
    """A file name safe to show and store: base name only, undecodable bytes replaced, no
    control characters. Never used to build a path."""
    if isinstance(raw, bytes):
        text = raw.decode("utf-8", "replace")
    else:
        text = raw.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    text = re.split(r"[\\/]", text)[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C").strip()
    if text in ("", ".", ".."):
        text = "unnamed"
    return text[:200]


_TRUE = {"1", "yes", "y", "true", "是", "保密", "confidential"}
_FALSE = {"", "0", "no", "n", "false", "否", "普通", "ordinary"}


def parse_flag(value: str | None, what: str) -> bool:
    text = (value or "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InvalidInput("intake.not_yes_no", what=what, value=repr(value))


def expand_paths(paths: Iterable[str | os.PathLike[str]]) -> list[tuple[Path, str]]:
    """Files named directly, and every file inside a named folder (recursively, sorted);
    hidden files and folders are skipped."""
    out: list[tuple[Path, str]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found: list[Path] = []
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                found.extend(Path(root) / f for f in files if not f.startswith("."))
            out.extend((p, display_name(os.fsdecode(p.name))) for p in sorted(found))
        else:
            out.append((path, display_name(os.fsdecode(path.name))))
    return out


# --- manifests -------------------------------------------------------------------------------


def read_manifest(path: str | os.PathLike) -> list[FileSpec]:
    """Rows of a batch manifest (CSV, or an Excel workbook: ``ingest.manifests``). Columns, by
    English or Chinese header (``MANIFEST_COLUMNS``):
    file (文件), household (户号), type (类型), and optionally title (标题), date (日期, as
    ``dossier.dates`` reads it), confidential (保密: yes/no/是/否), retention (保管期限: the row's own
    class, which wins over the batch's), community (小区). Types and classes may be written by
    code or by Chinese name (``ingest.names``; checked when the batch is taken in).
    ``file`` is relative to the manifest's folder. A bad row becomes a refused file; a bad
    manifest (unreadable, no header, missing columns) raises InvalidInput."""
    path = Path(path)
    name = display_name(os.fsdecode(path.name))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput("intake.manifest_unreadable", name=name, reason=os_reason(exc)) from None
    rows, _ = manifest_rows(data, name)
    if not rows:
        raise InvalidInput("intake.manifest_empty", name=name)
    header = [h.strip().lower() for h in rows[0]]
    columns: dict[str, int] = {}
    for key, aliases in MANIFEST_COLUMNS.items():
        for alias in aliases:
            if alias in header:
                columns[key] = header.index(alias)
                break
    missing = [k for k in ("file", "household", "type") if k not in columns]
    if missing:
        raise InvalidInput("intake.manifest_columns", name=name, columns=", ".join(missing))
    base = path.parent.resolve()
    specs = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue

        def cell(key: str, row: list[str] = row) -> str | None:
            index = columns.get(key)
            return row[index].strip() if index is not None and index < len(row) else None

        file_value = cell("file") or ""
        spec = FileSpec(
            path=None,
            name=display_name(file_value) if file_value else say("intake.row_label", row=number),
            household=cell("household"),
            community=cell("community") or None,
            type_code=cell("type"),
            title=cell("title") or None,
            retention_class=cell("retention") or None,
        )
        try:
            if not file_value:
                raise InvalidInput("intake.row_no_file", row=number)
            target = (base / file_value).resolve()
            if not target.is_relative_to(base):
                raise InvalidInput("intake.row_outside", row=number)
            if not target.is_file():
                raise InvalidInput("intake.row_missing_file", row=number, name=spec.name)
            spec.path = target
            spec.document_date = parse_date(cell("date"), say("intake.row_date", row=number))
            spec.confidential = parse_flag(cell("confidential"), say("intake.row_confidential", row=number))
            if not spec.household:
                raise InvalidInput("intake.row_no_household", row=number)
            if not spec.type_code:
                raise InvalidInput("intake.row_no_type", row=number)
        except InvalidInput as exc:
            spec.problem = exc.text
        specs.append(spec)
    if not specs:
        raise InvalidInput("intake.manifest_no_files", name=name)
    return specs


# --- probing and storing ---------------------------------------------------------------------


def intake(
    archive: Archive, session: Session, actor: Actor, request: IntakeRequest | list[FileSpec]
) -> Batch:
    """Take in a batch: store each acceptable file as a signed original, queued for processing.
    Returns the batch; every file has an item saying what became of it. A plain list of files is
    a request with the defaults. Commits in steps: the batch, then each file's item (so one bad
    file never undoes the others); an unknown batch retention class refuses the whole batch
    before anything is stored."""
    if not isinstance(request, IntakeRequest):
        request = IntakeRequest(list(request))
    require(actor, Permission.MANAGE_RECORDS)
    default_class = resolve_class(session, request.retention_class).code if request.retention_class else None
    batch = Batch(
        created_by_id=actor.user_id,
        created_by_name=actor.username,
        source=request.source,
        label=request.label,
    )
    session.add(batch)
    session.commit()
    households: dict[tuple[str, str | None], Household] = {}
    for spec in request.files:
        try:
            if spec.problem is not None:
                record_item(
                    session, batch, spec.name, BatchOutcome.REJECTED, error=reasons.dump(spec.problem)
                )
                continue
            if spec.path is None:
                raise InvalidInput("intake.no_file", name=spec.name)
            if spec.split:
                intake_stack(archive, session, actor, batch, spec)
                continue
            key = (spec.household or "", spec.community)
            if key not in households:
                households[key] = get_household(session, spec.household or "", spec.community)
            household = households[key]
            doc_type = resolve_type(session, spec.type_code)
            own_class = resolve_retention(session, spec.retention_class) if spec.retention_class else None
            detected = probe(spec.path, spec.name, archive.settings.max_pages)
            new = NewDocument(
                household=household,
                type_code=doc_type.code,
                title=spec.title or Path(spec.name).stem or spec.name,
                media_type=detected.media_type,
                original_name=spec.name,
                document_date=spec.document_date,
                confidential=spec.confidential,
                retention_class=own_class.code if own_class is not None else default_class,
                status=DocumentStatus.QUEUED,
            )
            with open(spec.path, "rb") as stream:
                doc = store_original(archive, session, actor, new, stream, batch_id=batch.id)
            record_item(session, batch, spec.name, BatchOutcome.STORED, document_id=doc.id)
        except DuplicateDocument as dup:
            record_item(
                session,
                batch,
                spec.name,
                BatchOutcome.DUPLICATE,
                duplicate_of=dup.existing_id,
                error=reasons.dump(text("intake.duplicate_of", id=dup.existing_id)),
            )
        except DossierError as exc:
            session.rollback()
            reason = reasons.of_error(exc, spec.name)
            record_item(session, batch, spec.name, BatchOutcome.REJECTED, error=reasons.dump(reason))
    return batch


SPLIT_OUTCOMES = (BatchOutcome.UNFILED, BatchOutcome.SEPARATOR, BatchOutcome.BLANK)


def file_status(outcome: str, document_status: str | None) -> str:
    """What became of a file: indexed | queued | processing | duplicate | rejected | failed |
    destroyed, or for the parts of a split stack also unfiled | separator | blank (from its
    batch item's outcome and its document's state)."""
    if outcome in (BatchOutcome.DUPLICATE, *SPLIT_OUTCOMES):
        return outcome
    if outcome != BatchOutcome.STORED or document_status is None:
        return "rejected"
    if document_status in (
        DocumentStatus.INDEXED,
        DocumentStatus.FAILED,
        DocumentStatus.DESTROYED,
        DocumentStatus.PROCESSING,
    ):
        return document_status
    return "queued"


def _reason(report: ItemReport, stored: str | None, lang: Language | None) -> ItemReport:
    message = reasons.load(stored)
    if message is not None:
        report.error, report.error_code = message.render(lang), message.code
    return report


def batch_report(
    session: Session, batch_id: int, *, live: bool = False, lang: Language | None = None
) -> dict[str, Any]:
    """The batch as the CLI and the web show it: one entry per file, in order. ``live`` tells
    ``processing`` apart from ``queued`` (the CLI's report names only the settled states).
    Reasons and warnings are in ``lang`` (default: the process's language), each reason with its
    message code."""
    batch = session.get(Batch, batch_id)
    if batch is None:
        raise NotFound("intake.batch_not_found", id=batch_id)
    session.expire_all()
    reports = []
    for item in batch.items:
        doc = item.document
        status = file_status(item.outcome, doc.status if doc is not None else None)
        if status == "processing" and not live:
            status = "queued"
        if doc is not None and item.outcome == BatchOutcome.STORED:
            report = _reason(
                ItemReport(item.file_name, status, doc.id, doc.page_count),
                doc.last_error if status == "failed" else None,
                lang,
            )
            low = [(p.number, p.dpi) for p in doc.pages if p.dpi is not None and p.dpi < LOW_DPI]
            report.warnings = [
                text("intake.low_dpi", page=n, dpi=dpi, minimum=LOW_DPI).render(lang) for n, dpi in low
            ]
            report.low_dpi = [{"page": n, "dpi": dpi} for n, dpi in low]
            report.archive_no = doc.archive_no
        elif item.outcome == BatchOutcome.DUPLICATE:
            report = _reason(ItemReport(item.file_name, status, item.duplicate_of), item.error, lang)
        else:
            report = _reason(ItemReport(item.file_name, status), item.error, lang)
        if item.stack_id is not None:
            report.item = item.id
            report.stack_pages = [item.first_page, item.last_page]
            report.sheet = json.loads(item.sheet) if item.sheet else None
        reports.append(report)
    return {"batch": batch.id, "documents": [r.as_dict() for r in reports]}


def show_batch(session: Session, actor: Actor, batch_id: int) -> dict[str, Any]:
    """A batch's report for a records manager (``dossier batch show``)."""
    require(actor, Permission.MANAGE_RECORDS)
    return batch_report(session, batch_id)


def batch_document_ids(session: Session, batch_id: int, statuses: tuple[str, ...] | None = None) -> list[int]:
    query = select(Document.id).where(Document.batch_id == batch_id).order_by(Document.id)
    if statuses:
        query = query.where(Document.status.in_(statuses))
    return list(session.scalars(query))
