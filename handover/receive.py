"""接收: a handover package checked whole, then filed whole, or refused whole with nothing stored.

``check_package`` (``handover.checks``) runs DA/T 70's checks before anything is stored.
``receive_package`` (administrators) refuses the package when any check failed — a
``HandoverRefused`` carrying the report, recorded as a ``Handover`` row (not accepted) and an
access-log entry in a short transaction of their own — and otherwise files it: the community
(matched by name, else created with the sender's code when free), the households with their
archive numbers and 件号 counters, the parties (ID numbers sealed again under this archive's
key), each original through ``store_original`` keeping its 档号 (its history entry is
"received", carrying what the package said), tombstones of destroyed documents, active holds;
the page text from pages.json with previews drawn without OCR (a document without text is
queued for OCR instead), everything indexed; then this archive's own 移交接收登记表 and the
accepted ``Handover`` row with the report (``numbers_not_carried`` feeds ``audit verify``).
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, NoReturn, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from dossier import objectkeys, originals, pagetext
from dossier.actor import Actor
from dossier.archive import Archive
from dossier.catalog import zh
from dossier.config import Settings
from dossier.db import session_factory
from dossier.errors import DossierError
from dossier.ledger import settings_of
from dossier.localtime import local
from dossier.models import (
    AccessAction,
    AccessOutcome,
    Community,
    Confidentiality,
    Document,
    DocumentStatus,
    Handover,
    HandoverDirection,
    Hold,
    Household,
    HouseholdStatus,
    ObjectKey,
    Page,
    utcnow,
)
from dossier.permissions import Permission, can, require
from dossier.services import history, numbering
from dossier.services.access import record_access, record_refusal
from dossier.services.documents import NewDocument, store_original
from dossier.services.households import add_household, add_party
from dossier.workdir import work_folder
from handover import package, register
from handover.checks import (
    ASPECTS,
    CONFLICTS,
    Finding,
    Folder,
    Item,
    Progress,
    ReceiveReport,
    check_conflicts,
    check_package,
    stamp_of,
)
from ingest import derivatives
from ingest.detect import detect
from ingest.rasterise import iter_pages
from search import hooks

__all__ = [
    "HandoverRefused",
    "ReceiveReport",
    "check_conflicts",
    "check_package",
    "receive_package",
    "received_folder",
]

log = logging.getLogger(__name__)

RECEIVED = "received"
# The four properties as the register names them, by the report's aspect.
_PROPERTY = {"authenticity": "真实性", "integrity": "完整性", "usability": "可用性", "security": "安全性"}


class HandoverRefused(DossierError):
    """The package failed the 接收 checks: nothing was stored. ``report`` says why."""

    exit_code = 1
    http_status = 422

    def __init__(self, report: ReceiveReport):
        first = report.findings[0].message if report.findings else ""
        super().__init__("handover.receive.refused", count=len(report.findings), first=first.rstrip("。"))
        self.report = report


def received_folder(settings: Settings, handover_id: int) -> Path:
    """Where a receipt's own 移交接收登记表 is kept: ``$DOSSIER_HOME/handovers/received/<id>``."""
    return settings.home / "handovers" / "received" / str(handover_id)


def receive_package(
    archive: Archive,
    session: Session,
    actor: Actor,
    path: str | os.PathLike[str],
    *,
    progress: Progress | None = None,
    sender_key: str | None = None,
) -> ReceiveReport:
    """Check the package in ``path`` and file it (administrators). Raises ``HandoverRefused``
    (nothing stored) when any check fails. ``sender_key``: the fingerprint on the sender's
    signed 登记表 (``check_package``).

    Commits: the folders with the first document (``store_original`` commits each original),
    then each document's pages, then the register's record; a refusal commits only its
    ``Handover`` row and access-log entry, in a transaction of their own."""
    if not can(actor, Permission.ADMIN):
        record_refusal(session, actor, AccessAction.HANDOVER_IMPORT, detail=str(path)[:500])
        require(actor, Permission.ADMIN)
    report = check_package(archive, path, progress=progress, sender_key=sender_key)
    if not report.ok:
        _refuse(session, actor, report)
    try:
        folders = _file_folders(archive, session, actor, report)
    except _FolderRefused as exc:
        report.findings.append(Finding(CONFLICTS, exc.folder, exc.code, exc.message))
        _refuse(session, actor, report)
    filed = _Filed(folders)
    try:
        _file_documents(archive, session, actor, report, filed, progress)
        _file_holds(session, report, filed)
        session.commit()
        _file_pages(archive, session, report, filed)
        hooks.documents_changed(archive, filed.document_ids)
        _record(archive, session, actor, report, filed)
        session.commit()
    except Exception as exc:
        _record_failure(session, actor, report, filed, exc)
        raise
    return report


def _record_failure(
    session: Session, actor: Actor, report: ReceiveReport, filed: _Filed, exc: Exception
) -> None:
    """Filing stopped after the checks had passed (storage gone, the database refused): what was
    filed stays (each original commits on its own), and the record says how far it got."""
    session.rollback()
    reason = exc.message if isinstance(exc, DossierError) else type(exc).__name__
    count = len(filed.document_ids or [])
    report.note(
        CONFLICTS, report.package_id or "", "handover.receive.filed_partly", documents=count, reason=reason
    )
    report.filed = {"documents": count, "document_ids": list(filed.document_ids or [])}
    try:
        with session_factory(settings_of(session))() as own:
            own.add(_handover_row(actor, report, accepted=False))
            own.commit()
    except Exception:  # noqa: BLE001 - the original error is what the caller must see
        log.exception("could not record the failed handover %s", report.package_id)


# --- refusal ------------------------------------------------------------------------------------


def _refuse(session: Session, actor: Actor, report: ReceiveReport) -> NoReturn:
    """Record the refusal in a short transaction of its own, then raise it."""
    session.rollback()
    with session_factory(settings_of(session))() as own:
        row = _handover_row(actor, report, accepted=False)
        own.add(row)
        own.flush()
        report.handover_id = row.id
        row.report = json.dumps(report.as_dict(), ensure_ascii=False)
        record_access(
            own,
            actor,
            AccessAction.HANDOVER_IMPORT,
            detail=zh(
                "handover.receive.scope", source=_source_name(report), package=report.package_id or "—"
            ),
            outcome=AccessOutcome.DENIED,
        )
        own.commit()
    raise HandoverRefused(report)


def _source_name(report: ReceiveReport) -> str:
    return str(report.source.get("name") or "—")


def _handover_row(actor: Actor, report: ReceiveReport, *, accepted: bool) -> Handover:
    counts = report.counts
    return Handover(
        direction=HandoverDirection.IMPORT,
        package_id=(report.package_id or "—")[:64],
        created_by=actor.username,
        scope=zh("handover.receive.scope", source=_source_name(report), package=report.package_id or "—"),
        source_archive=_source_name(report)[:128],
        households=_int(counts.get("households")),
        documents=_int(counts.get("documents")),
        pages=_int(counts.get("pages")),
        bytes=_int(counts.get("bytes")),
        manifest_sha256=report.manifest_sha256,
        accepted=accepted,
        report=json.dumps(report.as_dict(), ensure_ascii=False),
    )


def _register_note(aspect: str, report: ReceiveReport) -> str:
    if aspect == "authenticity" and report.sender_key_confirmed:
        return zh("handover.receive.register_note_key")
    return zh("handover.receive.register_note")


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


# --- folders ------------------------------------------------------------------------------------


@dataclass
class _Filed:
    folders: dict[str, Household]  # by archive number
    document_ids: list[int] | None = None
    by_number: dict[str, int] | None = None  # 档号 -> document id
    queued: list[int] | None = None
    pages: int = 0
    destroyed: int = 0

    def __post_init__(self) -> None:
        self.document_ids, self.by_number, self.queued = [], {}, []


def _community(session: Session, data: dict[str, Any]) -> str:
    """The community of a received folder: matched by name, else created with the sender's code
    when that code was never used here, else the next free code (``add_household`` then finds it)."""
    name = str(data.get("name") or "").strip()
    if session.scalar(select(Community.id).where(Community.name == name)) is not None:
        return name
    code = str(data.get("code") or "")
    number = (session.scalar(select(Community.id).order_by(Community.id.desc()).limit(1)) or 0) + 1
    while not code or _code_used(session, code):
        code, number = f"C{number:03d}", number + 1
    session.add(Community(code=code, name=name))
    session.flush()
    return name


def _code_used(session: Session, code: str) -> bool:
    if session.scalar(select(Community.id).where(Community.code == code)) is not None:
        return True
    return (
        session.scalar(select(Household.id).where(Household.archive_no.like(f"{code}-%")).limit(1))
        is not None
    )


def _day(value: object) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def _moment(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    return datetime.fromisoformat(value)


def _file_folders(
    archive: Archive, session: Session, actor: Actor, report: ReceiveReport
) -> dict[str, Household]:
    """The households and their parties, in the session (committed with the first document)."""
    households: dict[str, Household] = {}
    for folder in report.folders:
        data = folder.data
        try:
            community = _community(session, data.get("community") or {})
            household = add_household(
                session,
                actor,
                archive.fields,
                str(data["code"]),
                community=community,
                use=data.get("use"),
                building=data.get("building"),
                unit=data.get("unit"),
                floor=data.get("floor"),
                room=data.get("room"),
                area=data.get("area"),
                archive_no=folder.archive_no,
            )
            household.item_counter = int(data.get("item_counter") or 0)
            household.status = HouseholdStatus(data.get("status") or HouseholdStatus.ACTIVE)
            household.closed_on = _day(data.get("closed_on"))
            household.notes = data.get("notes")
            for party in data.get("parties") or []:
                row = add_party(
                    session,
                    actor,
                    archive.fields,
                    household,
                    name=party.get("name") or "",
                    role=party.get("role") or "owner",
                    phone=party.get("phone"),
                    id_number=party.get("id_number"),
                    emergency_contact=party.get("emergency_contact"),
                    emergency_phone=party.get("emergency_phone"),
                    since=_day(party.get("since")),
                )
                row.until = _day(party.get("until"))
            session.flush()
        except DossierError as exc:
            raise _FolderRefused(folder, exc) from None
        except (ValueError, TypeError, KeyError) as exc:
            log.info("folder %s cannot be registered: %r", folder.archive_no, exc)
            raise _FolderRefused(folder, None, zh("handover.receive.unparsable")) from None
        households[folder.archive_no] = household
    return households


class _FolderRefused(DossierError):
    """A folder this archive cannot register (its household or a party fails our rules)."""

    def __init__(self, folder: Folder, exc: DossierError | None, reason: str = ""):
        reason = exc.message.rstrip("。") if exc is not None else reason[:200]
        super().__init__("handover.receive.conflict.household_data", folder=folder.archive_no, reason=reason)
        self.folder = folder.archive_no


# --- documents ----------------------------------------------------------------------------------


def _received(report: ReceiveReport, item: Item) -> dict[str, Any]:
    """What the package said of a document, signed into its "received" history entry."""
    return {
        "package": report.package_id,
        "source": {
            k: v for k, v in report.source.items() if isinstance(v, (str, int)) and not isinstance(v, bool)
        },
        "sender_id": item.sender_id if isinstance(item.sender_id, (str, int)) else None,
        "sent_history": [
            {k: (str(v) if v is not None else None) for k, v in entry.items()}
            for entry in item.eep.get("business") or []
            if isinstance(entry, dict)
        ],
        "sent_record": str(item.eep.get("metadata_record") or ""),
        "sent_signature": str(item.eep.get("metadata_signature") or ""),
    }


def _file_documents(
    archive: Archive,
    session: Session,
    actor: Actor,
    report: ReceiveReport,
    filed: _Filed,
    progress: Progress | None,
) -> None:
    assert filed.document_ids is not None and filed.by_number is not None
    root = Path(report.path)
    items = [(folder, item) for folder in report.folders for item in folder.items]
    for done, (folder, item) in enumerate(items, start=1):
        metadata = item.record["metadata"]
        intake_at = _moment(item.intake.get("intake_at"))
        assert item.original is not None and item.media_type is not None
        new = NewDocument(
            household=filed.folders[folder.archive_no],
            type_code=metadata["type"],
            title=metadata["title"],
            media_type=item.media_type,
            original_name=item.archive_no + Path(item.original).suffix,
            document_date=_day(metadata.get("date")),
            received_date=local(intake_at).date() if intake_at else None,
            confidential=metadata.get("confidentiality") == Confidentiality.CONFIDENTIAL,
            retention_class=metadata.get("retention_class"),
            status=DocumentStatus.STORED,
            archive_no=item.archive_no,
            item_no=item.item_no,
            numbered_in=filed.folders.get(item.numbered_in or ""),
            stamp=item.stamp,
            received=_received(report, item),
            paper_cabinet=item.paper.get("cabinet"),
            paper_box=item.paper.get("box"),
            paper_position=item.paper.get("position"),
        )
        with open(root.joinpath(*item.original.split("/")), "rb") as stream:
            doc = store_original(archive, session, actor, new, stream)
        filed.document_ids.append(doc.id)
        filed.by_number[item.archive_no] = doc.id
        if progress is not None:
            progress(done, len(items), zh("handover.progress.filing", done=done, total=len(items)))
    for folder in report.folders:
        for tomb in folder.data.get("destroyed") or []:
            _file_tombstone(archive, session, actor, report, filed, folder, tomb)
            filed.destroyed += 1


def _file_tombstone(
    archive: Archive,
    session: Session,
    actor: Actor,
    report: ReceiveReport,
    filed: _Filed,
    folder: Folder,
    tomb: dict[str, Any],
) -> None:
    """A destroyed document as the sender's tombstone: no content, its number, its destruction
    (the sender's signed shredding-log entries ride along in its "received" history entry)."""
    assert filed.by_number is not None
    shredlog = [e for e in tomb.get("shredlog") or [] if isinstance(e, dict)]
    facts = shredlog[-1].get("record", {}) if shredlog else {}
    now = utcnow().replace(microsecond=0)
    numbered_in = filed.folders.get(str(tomb.get("numbered_in") or ""))
    doc = Document(
        household=filed.folders[folder.archive_no],
        type_code=str(tomb.get("type")),
        title=str(tomb.get("title") or "")[:256] or str(tomb.get("archive_no")),
        document_date=_day(tomb.get("date")),
        retention_class=tomb.get("retention_class"),
        status=DocumentStatus.DESTROYED,
        original_key=None,
        sha256=str(facts.get("sha256") or "")[:64],
        size=0,
        media_type="",
        intake_at=now,
        intake_by_id=actor.user_id,
        destroyed_at=_moment(tomb.get("destroyed_at")),
        destroyed_by=facts.get("destroyed_by"),
        destruction_list=tomb.get("destruction_list"),
        archive_no=str(tomb.get("archive_no")),
        item_no=tomb.get("item_no") if isinstance(tomb.get("item_no"), int) else None,
        numbered_in_id=numbered_in.id if numbered_in is not None else None,
        signed_record="",
        signature="",
        signing_key_id=archive.signer.fingerprint,
    )
    session.add(doc)
    session.flush()
    numbering.keep_stamp(session, doc, stamp_of(tomb))
    record = {
        "v": 1,
        "kind": "received_tombstone",
        "document": doc.id,
        "archive_no": doc.archive_no,
        "package": report.package_id,
        "intake_at": now.isoformat(),
        "intake_by": actor.username,
    }
    doc.signed_record, doc.signature = originals.sealed(record, archive.signer)
    received = {
        "package": report.package_id,
        "source": {
            k: v for k, v in report.source.items() if isinstance(v, (str, int)) and not isinstance(v, bool)
        },
        "destroyed": True,
        "destroyed_at": str(tomb.get("destroyed_at") or ""),
        "destruction_list": str(tomb.get("destruction_list") or ""),
        "shredlog": [
            {
                "record": json.dumps(e.get("record"), ensure_ascii=False, sort_keys=True),
                "signature": str(e.get("signature") or ""),
            }
            for e in shredlog
        ],
    }
    history.append(session, doc, history.RECEIVED, actor=actor.username, received=received)
    filed.by_number[str(doc.archive_no)] = doc.id
    session.commit()


def _file_holds(session: Session, report: ReceiveReport, filed: _Filed) -> None:
    assert filed.by_number is not None
    for folder in report.folders:
        for hold in folder.data.get("holds") or []:
            if not isinstance(hold, dict) or not hold.get("reason"):
                continue
            session.add(
                Hold(
                    household_id=None if hold.get("document") else filed.folders[folder.archive_no].id,
                    document_id=filed.by_number.get(str(hold.get("document")))
                    if hold.get("document")
                    else None,
                    reason=str(hold["reason"]),
                    placed_by=str(hold.get("placed_by") or "—")[:64],
                    placed_at=_moment(hold.get("placed_at")) or utcnow(),
                )
            )


# --- pages: the package's text, previews drawn without OCR --------------------------------------


def _file_pages(archive: Archive, session: Session, report: ReceiveReport, filed: _Filed) -> None:
    """Each received document's pages from pages.json, with a preview per page; a document whose
    package holds no text (or whose pages do not match) is queued for OCR, as intake does."""
    assert filed.by_number is not None and filed.queued is not None
    root = Path(report.path)
    for folder in report.folders:
        for item in folder.items:
            doc_id = filed.by_number[item.archive_no]
            pages = _pages_of(archive, session, root, item, doc_id)
            if pages is None:
                filed.queued.append(doc_id)
            else:
                filed.pages += pages
    if filed.queued:
        from ingest.queue import enqueue_documents  # reason: only documents without text need the queue

        session.execute(
            update(Document)
            .where(Document.id.in_(filed.queued), Document.status == DocumentStatus.STORED)
            .values(status=DocumentStatus.QUEUED)
            .execution_options(synchronize_session=False)
        )
        session.commit()
        enqueue_documents(archive.settings, filed.queued)


def _pages_of(archive: Archive, session: Session, root: Path, item: Item, doc_id: int) -> int | None:
    texts = {p["number"]: p for p in item.pages}
    if not any(str(p.get("text") or "").strip() for p in item.pages):
        return None
    assert item.original is not None
    original = root.joinpath(*item.original.split("/"))
    stored: dict[str, bytes] = {}
    previews: list[tuple[int, int | None, str]] = []
    try:
        with work_folder(archive.settings, f"received{doc_id}-") as workdir:
            detected = detect(original, name=item.archive_no)
            # Rendered at the preview's resolution, not OCR's 300 dpi: the pages only become
            # previews here (bench/handover.py: a third of the rendering time, same previews).
            rendered = iter_pages(
                original,
                detected,
                dpi=derivatives.PREVIEW_DPI,
                workdir=workdir / "pages",
                name=item.archive_no,
            )
            for page in rendered:
                out = workdir / f"preview-{page.number:06d}.webp"
                derivatives.make_preview(page.path, out, dpi=page.dpi)
                page.path.unlink(missing_ok=True)
                key = objectkeys.preview_key(doc_id, 0, page.number)
                with open(out, "rb") as fh:
                    stored[key] = archive.vault.put(key, fh).wrapped_key
                out.unlink(missing_ok=True)
                previews.append((page.number, round(page.source_dpi) if page.source_dpi else None, key))
    except DossierError:
        _drop(archive, stored)
        return None
    if sorted(texts) != [n for n, _, _ in previews]:
        _drop(archive, stored)
        return None
    ours = cast(
        CursorResult[Any],
        session.execute(
            update(Document)
            .where(Document.id == doc_id, Document.status == DocumentStatus.STORED)
            .values(status=DocumentStatus.INDEXED)
            .execution_options(synchronize_session=False)
        ),
    )
    if ours.rowcount != 1:
        session.rollback()
        _drop(archive, stored)
        return None
    doc = session.get(Document, doc_id)
    assert doc is not None
    session.refresh(doc)
    for key, wrapped in stored.items():
        session.add(ObjectKey(object_key=key, wrapped_key=wrapped, master_key_id=archive.master_key.key_id))
    confidential = pagetext.is_confidential(doc)
    for number, dpi, key in previews:
        facts = texts[number]
        confidence = facts.get("confidence")
        row = Page(
            document_id=doc_id,
            number=number,
            confidence=float(confidence) if isinstance(confidence, (int, float)) else None,
            language=str(facts["language"])[:32] if facts.get("language") else None,
            dpi=dpi,
            preview_key=key,
            source=RECEIVED[:8],
        )
        pagetext.store(archive, row, str(facts.get("text") or ""), confidential=confidential)
        session.add(row)
    doc.page_count = len(previews)
    doc.processed_at = utcnow()
    history.append(session, doc, history.PROCESSED, actor=None)
    session.commit()
    return len(previews)


def _drop(archive: Archive, stored: dict[str, bytes]) -> None:
    for key in stored:
        archive.store.delete(key)


# --- the register and the record ----------------------------------------------------------------


def _record(archive: Archive, session: Session, actor: Actor, report: ReceiveReport, filed: _Filed) -> None:
    """This archive's 移交接收登记表 and the accepted ``Handover`` row (in the caller's transaction)."""
    assert filed.document_ids is not None and filed.queued is not None
    report.accepted = True
    report.filed = {
        "households": len(filed.folders),
        "documents": len(filed.document_ids),
        "destroyed": filed.destroyed,
        "pages": filed.pages,
        "queued_for_ocr": list(filed.queued),
        "document_ids": list(filed.document_ids),
    }
    row = _handover_row(actor, report, accepted=True)
    session.add(row)
    session.flush()
    report.handover_id = row.id
    facts = register.RegisterFacts(
        direction=register.Direction.IMPORT,
        package_id=report.package_id or "",
        sender=_source_name(report),
        receiver=numbering.load_scheme(session).name,
        created_at=row.created_at or utcnow(),
        households=len(filed.folders),
        documents=len(filed.document_ids),
        destroyed=filed.destroyed,
        pages=filed.pages,
        bytes=_int(report.counts.get("bytes")),
        key_fingerprint=report.key_fingerprint or "",
        checks=[
            register.Check(_PROPERTY[aspect], register.Outcome.PASSED, _register_note(aspect, report))
            for aspect in ASPECTS
            if aspect in _PROPERTY
        ],
    )
    folder = received_folder(archive.settings, row.id)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    (folder / package.REGISTER_PDF).write_bytes(register.register_pdf(facts))
    (folder / package.REGISTER_XLSX).write_bytes(register.register_xlsx(facts))
    report.register = {"pdf": str(folder / package.REGISTER_PDF), "xlsx": str(folder / package.REGISTER_XLSX)}
    row.report = json.dumps(report.as_dict(), ensure_ascii=False)
    for household in filed.folders.values():
        record_access(
            session,
            actor,
            AccessAction.HANDOVER_IMPORT,
            household_id=household.id,
            detail=zh(
                "handover.receive.scope", source=_source_name(report), package=report.package_id or "—"
            ),
        )
