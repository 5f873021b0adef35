"""Executing an approved destruction list, one document at a time, safe to interrupt.

Per item: (1) re-check approval, pending state, holds, disposal date, processing and the reviewed
SHA-256; (2) store its stacks again without its pages (``retention.stacks``), then delete the
original and derivatives (a missing object is fine; a storage failure leaves the item pending);
(3) one catalog transaction repoints the stacks, destroys the wrapped data keys and page text,
tombstones the document, marks the item destroyed and appends the signed shredding-log entry;
(4) after the run the search index is told. A crash leaves each item pending (a re-run finishes it)
or destroyed and logged; nothing unapproved is destroyed. Why: docs/decisions/009-crash-safe-destruction.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

from sqlalchemy import CursorResult, delete, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from dossier import localtime, objectkeys
from dossier.actor import Actor
from dossier.archive import Archive
from dossier.catalog import zh
from dossier.errors import InvalidInput
from dossier.models import (
    AccessAction,
    DestructionItem,
    DestructionList,
    Document,
    DocumentStatus,
    ItemState,
    ListStatus,
    ObjectKey,
    Page,
    ShredKind,
    utcnow,
)
from dossier.people import display_names
from dossier.permissions import Permission, require
from dossier.services import history, numbering
from dossier.services.access import record_access
from dossier.storage_errors import StorageError
from retention import shredlog, stacks
from retention.holds import active_holds_for
from search.hooks import documents_changed


@dataclass
class ExecutionReport:
    list_number: str
    status: str = ""
    destroyed: list[int] = field(default_factory=list)  # destroyed by this run
    already_destroyed: list[int] = field(default_factory=list)  # by an earlier run
    pending: list[dict] = field(default_factory=list)  # {"document", "reason"}
    struck: int = 0

    @property
    def storage_failed(self) -> bool:
        return any(p.get("storage") for p in self.pending)

    def as_dict(self) -> dict:
        return {
            "list": self.list_number,
            "status": self.status,
            "destroyed": self.destroyed,
            "already_destroyed": self.already_destroyed,
            "pending": [{"document": p["document"], "reason": p["reason"]} for p in self.pending],
            "struck": self.struck,
        }


def object_keys_of(archive: Archive, session: Session, doc: Document) -> set[str]:
    """Every stored object of a document: the original, page previews, the searchable PDF, and
    whatever else lies under its derivatives folder (leftovers of earlier attempts)."""
    keys: set[str | None] = {doc.original_key, doc.searchable_pdf_key}
    keys |= set(session.scalars(select(Page.preview_key).where(Page.document_id == doc.id)))
    prefix = objectkeys.derivatives_prefix(doc.id)
    keys |= set(session.scalars(select(ObjectKey.object_key).where(ObjectKey.object_key.like(f"{prefix}%"))))
    keys |= {info.key for info in archive.store.list(prefix)}
    return {key for key in keys if key is not None}


def tombstone(
    session: Session, doc: Document, keys: set[str], *, at, by: str | None, list_number: str
) -> None:
    """The catalog side of destroying ``doc``, whose objects (``keys``) are already deleted from
    storage: its wrapped data keys go (crypto-shredding), its page text goes, and the document
    row stays as a tombstone (no content, who destroyed it, when, on which list). The caller
    commits, together with its list item and log entry."""
    session.execute(
        delete(ObjectKey).where(
            or_(
                ObjectKey.object_key.in_(keys),
                ObjectKey.object_key.like(f"{objectkeys.derivatives_prefix(doc.id)}%"),
            )
        )
    )
    session.execute(delete(Page).where(Page.document_id == doc.id))
    session.refresh(doc)
    doc.status = DocumentStatus.DESTROYED
    doc.original_key = None
    doc.searchable_pdf_key = None
    doc.lease_until = None
    doc.last_error = None
    doc.destroyed_at = at
    doc.destroyed_by = by
    doc.destruction_list = list_number
    history.append(session, doc, history.DESTROYED, actor=by, reason=f"销毁清册 {list_number}", at=at)


def _blocker(session: Session, item: DestructionItem, doc: Document, today: date) -> str | None:
    holds = active_holds_for(session, doc)
    if holds:
        by = holds[0].placed_by
        return zh(
            "retention.blocked_held",
            reason=holds[0].reason,
            id=holds[0].id,
            by=display_names(session, {by}).get(by, by),
        )
    if doc.disposal_date is None:
        return zh("retention.blocked_not_started")
    if doc.disposal_date > today:
        return zh("retention.blocked_not_due", date=doc.disposal_date)
    if doc.status == DocumentStatus.PROCESSING:
        return zh("retention.blocked_processing")
    if doc.sha256 != item.sha256:
        return zh("retention.blocked_changed")
    return None


def _keep_pending(session: Session, item_id: int, reason: str) -> None:
    session.rollback()
    item = session.get(DestructionItem, item_id)
    assert item is not None  # read by the caller; items are never deleted
    item.last_error = reason[:2000]
    session.commit()


def _record_destruction(
    archive: Archive,
    session: Session,
    actor: Actor,
    dl: DestructionList,
    item: DestructionItem,
    doc: Document,
    keys: set[str],
    cuts: list,
) -> str | None:
    """The catalog transaction of one destruction (storage is done): claim the document, cut it
    from its stacks, tombstone it, mark the item, append the log entries; commit. Returns why it
    could not be recorded (nothing committed then), or None."""
    now = utcnow()
    # Claim the document against a worker starting on it meanwhile (claims are conditional too).
    claimed = cast(
        CursorResult[Any],
        session.execute(
            update(Document)
            .where(
                Document.id == doc.id,
                Document.status != DocumentStatus.PROCESSING,
                Document.status != DocumentStatus.DESTROYED,
            )
            .values(status=DocumentStatus.DESTROYED)
            .execution_options(synchronize_session=False)
        ),
    )
    if claimed.rowcount != 1:
        return zh("retention.blocked_taken")
    try:
        stack_facts = stacks.apply_stack_cuts(session, archive.signer, cuts, list_number=dl.number, at=now)
    except stacks.StackChanged as exc:
        return zh("retention.run_again", message=exc.text)
    tombstone(session, doc, keys, at=now, by=actor.username, list_number=dl.number)
    item.state = ItemState.DESTROYED
    item.destroyed_at = now
    item.destroyed_by = actor.username
    item.last_error = None
    facts: dict[str, Any] = {
        "household": item.household_code,
        "archive_no": item.archive_no,
        "type": item.type_code,
        "title": item.title,
        "date": item.document_date.isoformat() if item.document_date else None,
        "class": item.retention_class,
        "sha256": item.sha256,
        "objects": len(keys),
        "approved_by": dl.approved_by,
        "destroyed_by": actor.username,
        **numbering.shred_facts(session, doc),
    }
    if stack_facts:
        facts["stacks"] = stack_facts
    shredlog.append(
        session,
        archive.signer,
        kind=ShredKind.ELECTRONIC,
        list_number=dl.number,
        document_id=doc.id,
        at=now,
        facts=facts,
    )
    record_access(
        session,
        actor,
        AccessAction.DOCUMENT_DESTROY,
        household_id=doc.household_id,
        document_id=doc.id,
        detail=dl.number,
    )
    try:
        session.commit()
    except SQLAlchemyError as exc:  # e.g. another run appended to the log at the same moment
        return zh("retention.record_refused", kind=type(exc).__name__)
    return None


def _destroy_item(
    archive: Archive, session: Session, actor: Actor, item_id: int, today: date, report: ExecutionReport
) -> None:
    session.expire_all()  # read the item, its list and its document as committed now (another run?)
    item = session.get(DestructionItem, item_id)
    assert item is not None  # listed by execute(); items are never deleted
    dl: DestructionList = item.parent
    if dl.status != ListStatus.APPROVED or item.state != ItemState.PENDING:
        return
    doc = session.get(Document, item.document_id)
    assert doc is not None  # the item's document (a foreign key)
    if doc.status == DocumentStatus.DESTROYED:
        destroyed = zh("retention.already_destroyed_by", list=doc.destruction_list)
        report.pending.append({"document": doc.id, "reason": destroyed})
        return _keep_pending(session, item_id, destroyed)
    reason = _blocker(session, item, doc, today)
    if reason:
        report.pending.append({"document": doc.id, "reason": reason})
        return _keep_pending(session, item_id, reason)
    try:
        cuts = stacks.plan_stack_cuts(archive, session, doc)
    except StorageError as exc:
        report.pending.append({"document": doc.id, "reason": exc.render("zh"), "storage": True})
        return _keep_pending(session, item_id, exc.render("zh"))
    try:
        keys = object_keys_of(archive, session, doc)
        for key in sorted(keys):
            archive.store.delete(key)
    except StorageError as exc:
        stacks.discard_stack_cuts(archive, cuts)
        report.pending.append({"document": doc.id, "reason": exc.render("zh"), "storage": True})
        return _keep_pending(session, item_id, exc.render("zh"))

    reason = _record_destruction(archive, session, actor, dl, item, doc, keys, cuts)
    if reason:
        stacks.discard_stack_cuts(archive, cuts)
        report.pending.append({"document": doc.id, "reason": reason})
        return _keep_pending(session, item_id, reason)
    stacks.finish_stack_cuts(archive, cuts)
    report.destroyed.append(doc.id)


def execute(
    archive: Archive,
    session: Session,
    actor: Actor,
    dl: DestructionList,
    *,
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ExecutionReport:
    """Destroy every pending item of an approved list (see the module docstring); ``progress``
    hears (items handled, items pending at the start) after each item."""
    require(actor, Permission.PROPOSE_DESTRUCTION)
    if dl.status == ListStatus.PROPOSED:
        raise InvalidInput("retention.not_approved", number=dl.number)
    today = today or localtime.today()
    archive.signer  # noqa: B018 - refuse a missing signing key before destroying anything
    report = ExecutionReport(dl.number)
    list_id = dl.id
    pending = [i.id for i in dl.items if i.state == ItemState.PENDING]
    report.already_destroyed = [i.document_id for i in dl.items if i.state == ItemState.DESTROYED]
    session.commit()
    for done, item_id in enumerate(pending, start=1):
        _destroy_item(archive, session, actor, item_id, today, report)
        if progress:
            progress(done, len(pending))
    session.expire_all()
    current = session.get(DestructionList, list_id)
    assert current is not None  # read above; lists are never deleted
    dl = current
    report.struck = sum(1 for i in dl.items if i.state == ItemState.STRUCK)
    if dl.status == ListStatus.APPROVED and not any(i.state == ItemState.PENDING for i in dl.items):
        dl.status = ListStatus.EXECUTED
        dl.executed_by = actor.username
        dl.executed_at = utcnow()
        record_access(session, actor, AccessAction.RETENTION_EXECUTED, detail=dl.number)
    session.commit()
    report.status = dl.status
    destroyed = [i.document_id for i in dl.items if i.state == ItemState.DESTROYED]
    if destroyed:
        documents_changed(archive, destroyed)
    return report
