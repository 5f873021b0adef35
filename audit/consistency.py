"""Cross-checks between destruction's records, and proof that destroyed content is gone.

Destruction writes the same fact in several places: the document's tombstone, its list item,
the shredding-log entry and the list's range hash (which the certificate quotes). Each must
agree with the others, so that removing one (say, a log entry) or forging one (a tombstone
without a destruction) shows. And once destroyed, no content may still be readable: no page
text, no data key of an original or a derivative, no index entry, no stored stack still
holding the pages (``retention.stacks``). Used by the archive-wide checks of ``audit verify``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import groupby

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from audit.context import LIST_CHUNK, CheckContext, Finding
from dossier import objectkeys
from dossier.catalog import zh
from dossier.errors import IntegrityFailure
from dossier.models import (
    BatchItem,
    DestructionItem,
    DestructionList,
    Document,
    DocumentHistory,
    DocumentStatus,
    HistoryAction,
    ItemState,
    ObjectKey,
    Page,
    ScanStack,
    ShredKind,
    ShredLogEntry,
)
from dossier.services.stacks import held_pages
from ingest.separate import page_spec
from retention.shredlog import range_hash
from retention.stacks import items_of_document


def _electronic_entries(session: Session) -> dict[int, str]:
    """Document id → the list its electronic shredding-log entry names (one pair per entry)."""
    return dict(
        session.execute(
            select(ShredLogEntry.document_id, ShredLogEntry.list_number).where(
                ShredLogEntry.kind == ShredKind.ELECTRONIC
            )
        ).all()
    )


def destruction_findings(ctx: CheckContext) -> Iterator[Finding]:
    session = ctx.session
    logged = _electronic_entries(session)
    destroyed_docs = session.execute(
        select(Document.id, Document.household_id, Document.destruction_list)
        .where(Document.status == DocumentStatus.DESTROYED)
        .order_by(Document.id)
    ).yield_per(LIST_CHUNK)
    seen: set[int] = set()
    received = _received_tombstones(session)
    for doc_id, household_id, list_number in destroyed_docs:
        seen.add(doc_id)
        if doc_id not in logged and doc_id in received:
            continue  # destroyed by the sending archive: its log entries came signed with it
        if doc_id not in logged:
            yield Finding(
                zh("audit.finding.destroyed_not_logged", id=doc_id, list=list_number),
                doc_id,
                household_id,
            )
        elif logged[doc_id] != list_number:
            yield Finding(
                zh("audit.finding.destroyed_other_list", id=doc_id, list=list_number, logged=logged[doc_id]),
                doc_id,
                household_id,
            )
    for doc_id, list_number in sorted(logged.items()):
        if doc_id not in seen:
            yield Finding(
                zh("audit.finding.logged_not_destroyed", id=doc_id, list=list_number),
                doc_id,
            )
    yield from _item_findings(session, logged)
    yield from _range_findings(session)


def _received_tombstones(session: Session) -> set[int]:
    """Documents received destroyed in a handover package (``handover.receive``): their
    destruction is in the sending archive's shredding log, whose signed entries their "received"
    history entry carries."""
    ids: set[int] = set()
    for document_id, record in session.execute(
        select(DocumentHistory.document_id, DocumentHistory.record).where(
            DocumentHistory.action == HistoryAction.RECEIVED
        )
    ):
        if (json.loads(record).get("metadata") or {}).get("destroyed"):
            ids.add(document_id)
    return ids


def _item_findings(session: Session, logged: dict[int, str]) -> Iterator[Finding]:
    items = session.execute(
        select(DestructionItem.document_id, DestructionList.number)
        .join(DestructionList, DestructionList.id == DestructionItem.list_id)
        .where(DestructionItem.state == ItemState.DESTROYED)
    ).yield_per(LIST_CHUNK)
    for doc_id, list_number in items:
        if logged.get(doc_id) != list_number:
            yield Finding(
                zh("audit.finding.item_not_logged", id=doc_id, list=list_number),
                doc_id,
            )


def _range_findings(session: Session) -> Iterator[Finding]:
    for number, recorded in session.execute(
        select(DestructionList.number, DestructionList.log_range_sha256).order_by(DestructionList.id)
    ):
        entries = list(
            session.scalars(
                select(ShredLogEntry).where(ShredLogEntry.list_number == number).order_by(ShredLogEntry.seq)
            )
        )
        actual = range_hash(entries)
        if actual != recorded:
            none = zh("audit.none")
            yield Finding(
                zh(
                    "audit.finding.range_differs",
                    list=number,
                    recorded=recorded or none,
                    actual=actual or none,
                )
            )


def leftover_content_findings(ctx: CheckContext) -> Iterator[Finding]:
    session = ctx.session
    with_text = session.execute(
        select(Page.document_id, func.count())
        .join(Document)
        .where(Document.status == DocumentStatus.DESTROYED)
        .group_by(Page.document_id)
        .order_by(Page.document_id)
    )
    for doc_id, pages in with_text:
        yield Finding(zh("audit.finding.destroyed_text", id=doc_id, pages=pages), doc_id)
    kept = session.scalars(
        select(Document.id).where(
            Document.status == DocumentStatus.DESTROYED,
            (Document.original_key.is_not(None)) | (Document.searchable_pdf_key.is_not(None)),
        )
    )
    for doc_id in kept:
        yield Finding(zh("audit.finding.destroyed_objects", id=doc_id), doc_id)
    yield from _unreferenced_keys(session)
    yield from _indexed_destroyed(ctx)
    yield from destroyed_pages_in_stacks(ctx)


def destroyed_pages_in_stacks(ctx: CheckContext) -> Iterator[Finding]:
    """Stacks whose signed record still holds pages of a destroyed document (``retention.stacks``)."""
    rows = ctx.session.execute(
        select(
            BatchItem.stack_id,
            BatchItem.first_page,
            BatchItem.last_page,
            Document.id,
            Document.household_id,
            Document.destruction_list,
        )
        .join(Document, items_of_document(Document.id))
        .where(
            BatchItem.stack_id.is_not(None),
            BatchItem.first_page.is_not(None),
            Document.status == DocumentStatus.DESTROYED,
        )
        .order_by(BatchItem.stack_id, BatchItem.first_page)
    ).all()
    for stack_id, parts in groupby(rows, key=lambda row: row[0]):
        stack = ctx.session.get(ScanStack, stack_id)
        assert stack is not None  # the item's stack (a foreign key)
        try:
            held = set(held_pages(stack))
        except IntegrityFailure:
            continue  # the scan_stacks check reports an unreadable record
        for _, first, last, document_id, household_id, list_number in parts:
            assert first is not None and last is not None  # a stack's item records both
            still = [n for n in range(first, last + 1) if n in held]
            if still:
                yield Finding(
                    zh(
                        "audit.finding.stack_holds_destroyed",
                        id=stack.id,
                        file=stack.file_name,
                        pages=page_spec(still),
                        document=document_id,
                        list=list_number,
                    ),
                    document_id,
                    household_id,
                )


def _unreferenced_keys(session: Session) -> Iterator[Finding]:
    """Data keys that nothing live refers to: their objects can still be decrypted although no
    record shows them (a destroyed document's derivatives, a replaced stack, a forgotten original)."""
    originals = (
        select(ObjectKey.object_key)
        .where(
            ~ObjectKey.object_key.like(f"{objectkeys.DERIVATIVES_ROOT}%"),
            ~exists().where(Document.original_key == ObjectKey.object_key),
            ~exists().where(ScanStack.original_key == ObjectKey.object_key),
        )
        .order_by(ObjectKey.object_key)
    )
    for key in session.scalars(originals).yield_per(LIST_CHUNK):
        yield Finding(zh("audit.finding.key_unreferenced", key=key))
    last = objectkeys.DERIVATIVES_ROOT
    while True:
        keys = list(
            session.scalars(
                select(ObjectKey.object_key)
                .where(
                    ObjectKey.object_key > last, ObjectKey.object_key.like(f"{objectkeys.DERIVATIVES_ROOT}%")
                )
                .order_by(ObjectKey.object_key)
                .limit(LIST_CHUNK)
            )
        )
        if not keys:
            return
        last = keys[-1]
        owners = {key: objectkeys.derivative_owner(key) for key in keys}
        live = set(
            session.scalars(
                select(Document.id).where(
                    Document.id.in_({d for d in owners.values() if d is not None}),
                    Document.status != DocumentStatus.DESTROYED,
                )
            )
        )
        for key, doc_id in owners.items():
            if doc_id not in live:
                yield Finding(
                    zh("audit.finding.key_of_destroyed", key=key, id=doc_id),
                    doc_id,
                )


def _indexed_destroyed(ctx: CheckContext) -> Iterator[Finding]:
    if not ctx.indexed:
        return
    ids = sorted(ctx.indexed)
    for start in range(0, len(ids), LIST_CHUNK):
        chunk = ids[start : start + LIST_CHUNK]
        for doc_id in ctx.session.scalars(
            select(Document.id).where(Document.id.in_(chunk), Document.status == DocumentStatus.DESTROYED)
        ):
            yield Finding(zh("audit.finding.indexed_destroyed", id=doc_id), doc_id)
