"""Destroying a document cut from a scanned stack: the stack must not keep its pages.

The stack is stored again without the document's pages and the cover sheet and blank backs right
before them, under a new data key; its record is re-signed as version 2 (docs/formats/stack-record.md)
and the old object crypto-shredded; with only sheets and blanks left it keeps no object. Order:
store the reduced stack (``plan_stack_cuts``); in the caller's transaction repoint, re-sign and
delete the old data key (``apply_stack_cuts``); after the commit delete the old object
(``finish_stack_cuts``) or, on failure, the new one (``discard_stack_cuts``). A crash leaves at
worst an undecryptable orphan (``orphan_objects`` check). Why: docs/decisions/009-crash-safe-destruction.md.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, and_, delete, or_, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from dossier import objectkeys, originals
from dossier.archive import Archive
from dossier.errors import DossierError
from dossier.models import BatchItem, Document, ObjectKey, ScanStack
from dossier.services.stacks import copy_stack, held_pages, signed_facts
from dossier.storage_errors import StorageError
from dossier.workdir import work_folder
from ingest.seams import copy_pages
from storage.vault import StoredObject

log = logging.getLogger(__name__)

SHEET_OUTCOMES = ("separator", "blank")  # a cover sheet, a sheet's blank back
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


class StackChanged(DossierError):
    """Another run cut the same stack between this run's storage step and its transaction."""


@dataclass
class StackCut:
    """One stack to cut for one destroyed document, its reduced copy already stored."""

    stack_id: int
    document_id: int
    old_key: str
    sha256_before: str
    ranges: list[tuple[int, int]]  # original pages removed (the part, its sheet and blank back)
    pages: list[int]  # original pages the new object holds, in order
    new: StoredObject | None  # None: nothing is kept, the stack is crypto-shredded whole
    lost: list[int] = field(default_factory=list)  # pages kept but unreadable (the old object was missing)


# --- storage step ------------------------------------------------------------------------------


def plan_stack_cuts(archive: Archive, session: Session, doc: Document) -> list[StackCut]:
    """Storage step, before the destruction's catalog transaction: for every stored stack still
    holding pages of ``doc``, write the reduced stack as a new encrypted object. Nothing in the
    catalog changes. Idempotent: a stack whose signed record no longer holds those pages gives no
    cut. On failure, the objects already written are deleted again."""
    cuts: list[StackCut] = []
    try:
        for stack_id, parts in _parts_of(session, doc.id).items():
            stack = session.get(ScanStack, stack_id)
            assert stack is not None  # the item's stack (a foreign key)
            cut = _plan_one(archive, session, stack, doc.id, parts)
            if cut is not None:
                cuts.append(cut)
    except BaseException:
        discard_stack_cuts(archive, cuts)
        raise
    return cuts


def items_of_document(document_id: int | InstrumentedAttribute[int]) -> ColumnElement[bool]:
    """Batch items that are pages of the document: its own part, or a part refused as its duplicate."""
    return or_(
        BatchItem.document_id == document_id,
        and_(BatchItem.outcome == "duplicate", BatchItem.duplicate_of == document_id),
    )


def _parts_of(session: Session, document_id: int) -> dict[int, list[tuple[int, int]]]:
    """stack id → the (first, last) original pages of each part of the document in that stack."""
    rows = session.execute(
        select(BatchItem.stack_id, BatchItem.first_page, BatchItem.last_page)
        .where(
            items_of_document(document_id), BatchItem.stack_id.is_not(None), BatchItem.first_page.is_not(None)
        )
        .order_by(BatchItem.stack_id, BatchItem.first_page)
    ).all()
    parts: dict[int, list[tuple[int, int]]] = {}
    for stack_id, first, last in rows:
        assert stack_id is not None and first is not None and last is not None  # selected so; set together
        parts.setdefault(stack_id, []).append((first, last))
    return parts


def _sheet_items(session: Session, stack_id: int) -> dict[int, tuple[int, int]]:
    """last page → (first, last) of every cover sheet and blank back in the stack."""
    rows = session.execute(
        select(BatchItem.first_page, BatchItem.last_page).where(
            BatchItem.stack_id == stack_id,
            BatchItem.outcome.in_(SHEET_OUTCOMES),
            BatchItem.first_page.is_not(None),
        )
    ).all()
    sheets: dict[int, tuple[int, int]] = {}
    for first, last in rows:
        assert first is not None and last is not None  # a stack's item records both
        sheets[last] = (first, last)
    return sheets


def _with_sheets(part: tuple[int, int], sheets: dict[int, tuple[int, int]]) -> tuple[int, int]:
    """The part widened to the sheets and blank backs directly before it."""
    first, last = part
    while first - 1 in sheets:
        first = sheets[first - 1][0]
    return first, last


def _plan_one(
    archive: Archive, session: Session, stack: ScanStack, document_id: int, parts: list[tuple[int, int]]
) -> StackCut | None:
    held = held_pages(stack)
    if stack.original_key is None or not any(first <= n <= last for n in held for first, last in parts):
        return None
    sheets = _sheet_items(session, stack.id)
    ranges = [_with_sheets(part, sheets) for part in parts]
    kept = [n for n in held if not any(first <= n <= last for first, last in ranges)]
    sheet_pages = {n for first, last in sheets.values() for n in range(first, last + 1)}
    cut = StackCut(stack.id, document_id, stack.original_key, stack.sha256, ranges, kept, None)
    if not any(n not in sheet_pages for n in kept):
        cut.pages = []
    elif not archive.vault.exists(stack.original_key):
        log.warning(
            "scanned stack %s: its object %s is missing from storage; its data key is shredded and "
            "the stack keeps no pages",
            stack.id,
            stack.original_key,
        )
        cut.pages, cut.lost = [], [n for n in kept if n not in sheet_pages]
    else:
        cut.new = _store_reduced(archive, session, stack, held, kept)
    return cut


def _store_reduced(
    archive: Archive, session: Session, stack: ScanStack, held: list[int], kept: list[int]
) -> StoredObject:
    """The stack without the cut pages, stored encrypted under a new object key and data key."""
    position = {number: index for index, number in enumerate(held, start=1)}
    with work_folder(archive.settings, f"stack{stack.id}-") as folder:
        whole = copy_stack(archive, session, stack, folder / "stack")
        reduced = copy_pages(whole, [position[n] for n in kept], folder, "reduced", name=stack.file_name)
        with open(reduced, "rb") as stream:
            return archive.vault.put(objectkeys.stack_key(), stream)


# --- catalog step ------------------------------------------------------------------------------


def apply_stack_cuts(
    session: Session, signer, cuts: list[StackCut], *, list_number: str, at: datetime
) -> list[dict]:
    """Catalog step, inside the caller's transaction (does not commit): point each stack at its
    new object, update its digests, size and page count, sign its version 2 record and delete
    the old object's data key (crypto-shredding). Raises StackChanged when another run cut the
    stack meanwhile (the caller rolls back and discards). Returns facts for the shredding log,
    one per removed range of original pages (the part with its sheet and blank back);
    ``sha256_after`` is None when the stack keeps no object."""
    facts: list[dict] = []
    for cut in cuts:
        facts += _apply_one(session, signer, cut, list_number, at)
    return facts


def _apply_one(session: Session, signer, cut: StackCut, list_number: str, at: datetime) -> list[dict]:
    new = cut.new
    claimed = cast(
        CursorResult[Any],
        session.execute(
            update(ScanStack)
            .where(ScanStack.id == cut.stack_id, ScanStack.original_key == cut.old_key)
            .values(original_key=new.key if new else None)
            .execution_options(synchronize_session=False)
        ),
    )
    if claimed.rowcount != 1:
        raise StackChanged("retention.stack_changed", id=cut.stack_id)
    stack = session.get(ScanStack, cut.stack_id, populate_existing=True)
    assert stack is not None  # claimed above
    previous = signed_facts(stack)
    stack.sha256, stack.sm3, stack.size = (
        (new.sha256, new.sm3, new.plain_size) if new else (EMPTY_SHA256, None, 0)
    )
    stack.page_count = len(cut.pages)
    removed = [
        {"document": cut.document_id, "list": list_number, "pages": [first, last], "at": at.isoformat()}
        for first, last in cut.ranges
    ]
    record = originals.cut_record(previous, stack, cut.pages, removed)
    stack.signed_record, stack.signature = originals.sealed(record, signer)
    stack.signing_key_id = signer.fingerprint
    if new is not None:
        session.add(
            ObjectKey(object_key=new.key, wrapped_key=new.wrapped_key, master_key_id=new.master_key_id)
        )
    session.execute(delete(ObjectKey).where(ObjectKey.object_key == cut.old_key))
    return [
        {
            "stack": cut.stack_id,
            "pages": [first, last],
            "sha256_before": cut.sha256_before,
            "sha256_after": new.sha256 if new else None,
            **({"lost": cut.lost} if cut.lost else {}),
        }
        for first, last in cut.ranges
    ]


# --- after the transaction -----------------------------------------------------------------------


def finish_stack_cuts(archive: Archive, cuts: list[StackCut]) -> None:
    """After commit: delete the old stack objects from storage (best effort; their keys are gone)."""
    _delete_quietly(archive, [cut.old_key for cut in cuts])


def discard_stack_cuts(archive: Archive, cuts: list[StackCut]) -> None:
    """When the catalog transaction failed: delete the new objects written by ``plan_stack_cuts``."""
    _delete_quietly(archive, [cut.new.key for cut in cuts if cut.new is not None])


def _delete_quietly(archive: Archive, keys: list[str]) -> None:
    for key in keys:
        try:
            archive.vault.delete(key)
        except StorageError as exc:  # no data key: unreadable; orphan_objects reports it
            log.warning("could not delete %s from storage: %s", key, exc)
