"""Destroying a document cut from a scanned stack: the stack must not keep its pages.

Rule: when a document filed from a stored stack (``ingest --split``) is destroyed, the stack is
stored again without that document's pages and without the cover sheet and blank backs right
before them, as a new object under a new data key; its record is signed again (version 2: the
pages it still holds, every cut, the source's SHA-256) and the old object is crypto-shredded.
When only sheets and blank backs would remain, the stack keeps no object at all, only its record.

Crash-safety, in this order: (1) the reduced stack is stored first (``plan_stack_cuts``); (2) one
catalog transaction, the caller's, points the stack at it, re-signs the record and deletes the
old data key (``apply_stack_cuts``); (3) after the commit the old object is deleted
(``finish_stack_cuts``), or the new one when the transaction failed (``discard_stack_cuts``). A
crash leaves at worst an object without a data key, which nobody can decrypt and ``audit
verify``'s ``orphan_objects`` check reports; a re-run plans only what is still to be cut.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby
from typing import TYPE_CHECKING, Iterator

from sqlalchemy import ColumnElement, and_, delete, or_, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from dossier.archive import Archive
from dossier.errors import DossierError, IntegrityFailure
from dossier.models import BatchItem, Document, DocumentStatus, ObjectKey, ScanStack
from dossier.services.documents import new_object_key
from dossier.services.stacks import copy_stack, cut_record, held_pages, signed_facts
from dossier.workdir import work_folder
from ingest.detect import detect
from ingest.separate import extract_page_list, page_spec
from dossier.storage_errors import StorageError
from storage.vault import StoredObject

if TYPE_CHECKING:
    from audit.checks import CheckContext, Finding

log = logging.getLogger(__name__)

SHEET_OUTCOMES = ("separator", "blank")       # a cover sheet, a sheet's blank back
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
    ranges: list[tuple[int, int]]          # original pages removed (the part, its sheet and blank back)
    pages: list[int]                       # original pages the new object holds, in order
    new: StoredObject | None               # None: nothing is kept, the stack is crypto-shredded whole
    lost: list[int] = field(default_factory=list)   # pages kept but unreadable (the old object was missing)


# --- storage step ------------------------------------------------------------------------------

def plan_stack_cuts(archive: Archive, session: Session, doc: Document) -> list[StackCut]:
    """Storage step, before the destruction's catalog transaction: for every stored stack still
    holding pages of ``doc``, write the reduced stack as a new encrypted object. Nothing in the
    catalog changes. Idempotent: a stack whose signed record no longer holds those pages gives no
    cut. On failure, the objects already written are deleted again."""
    cuts: list[StackCut] = []
    try:
        for stack_id, parts in _parts_of(session, doc.id).items():
            cut = _plan_one(archive, session, session.get(ScanStack, stack_id), doc.id, parts)
            if cut is not None:
                cuts.append(cut)
    except BaseException:
        discard_stack_cuts(archive, cuts)
        raise
    return cuts


def _items_of_document(document_id: int | InstrumentedAttribute[int]) -> ColumnElement[bool]:
    """Batch items that are pages of the document: its own part, or a part refused as its duplicate."""
    return or_(BatchItem.document_id == document_id,
               and_(BatchItem.outcome == "duplicate", BatchItem.duplicate_of == document_id))


def _parts_of(session: Session, document_id: int) -> dict[int, list[tuple[int, int]]]:
    """stack id → the (first, last) original pages of each part of the document in that stack."""
    rows = session.execute(select(BatchItem.stack_id, BatchItem.first_page, BatchItem.last_page)
                           .where(_items_of_document(document_id), BatchItem.stack_id.is_not(None),
                                  BatchItem.first_page.is_not(None))
                           .order_by(BatchItem.stack_id, BatchItem.first_page)).all()
    parts: dict[int, list[tuple[int, int]]] = {}
    for stack_id, first, last in rows:
        parts.setdefault(stack_id, []).append((first, last))
    return parts


def _sheet_items(session: Session, stack_id: int) -> dict[int, tuple[int, int]]:
    """last page → (first, last) of every cover sheet and blank back in the stack."""
    rows = session.execute(select(BatchItem.first_page, BatchItem.last_page)
                           .where(BatchItem.stack_id == stack_id, BatchItem.outcome.in_(SHEET_OUTCOMES),
                                  BatchItem.first_page.is_not(None))).all()
    return {last: (first, last) for first, last in rows}


def _with_sheets(part: tuple[int, int], sheets: dict[int, tuple[int, int]]) -> tuple[int, int]:
    """The part widened to the sheets and blank backs directly before it."""
    first, last = part
    while first - 1 in sheets:
        first = sheets[first - 1][0]
    return first, last


def _plan_one(archive: Archive, session: Session, stack: ScanStack, document_id: int,
              parts: list[tuple[int, int]]) -> StackCut | None:
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
        log.warning("scanned stack %s: its object %s is missing from storage; its data key is shredded and "
                    "the stack keeps no pages", stack.id, stack.original_key)
        cut.pages, cut.lost = [], [n for n in kept if n not in sheet_pages]
    else:
        cut.new = _store_reduced(archive, session, stack, held, kept)
    return cut


def _store_reduced(archive: Archive, session: Session, stack: ScanStack, held: list[int],
                   kept: list[int]) -> StoredObject:
    """The stack without the cut pages, stored encrypted under a new object key and data key."""
    position = {number: index for index, number in enumerate(held, start=1)}
    with work_folder(archive.settings, f"stack{stack.id}-") as folder:
        whole = copy_stack(archive, session, stack, folder / "stack")
        detected = detect(whole, name=stack.file_name)
        reduced = extract_page_list(whole, detected, [position[n] for n in kept],
                                    folder / f"reduced{detected.suffix}", name=stack.file_name)
        with open(reduced, "rb") as stream:
            return archive.vault.put(new_object_key("stacks"), stream)


# --- catalog step ------------------------------------------------------------------------------

def apply_stack_cuts(session: Session, signer, cuts: list[StackCut], *, list_number: str,
                     at: datetime) -> list[dict]:
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
    claimed = session.execute(
        update(ScanStack).where(ScanStack.id == cut.stack_id, ScanStack.original_key == cut.old_key)
        .values(original_key=new.key if new else None).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        raise StackChanged(f"the scanned stack {cut.stack_id} was changed by another run meanwhile; run again")
    stack = session.get(ScanStack, cut.stack_id, populate_existing=True)
    previous = signed_facts(stack)
    stack.sha256, stack.sm3, stack.size = (new.sha256, new.sm3, new.plain_size) if new else (EMPTY_SHA256, None, 0)
    stack.page_count = len(cut.pages)
    removed = [{"document": cut.document_id, "list": list_number, "pages": [first, last], "at": at.isoformat()}
               for first, last in cut.ranges]
    record = cut_record(previous, stack, cut.pages, removed)
    stack.signed_record = json.dumps(record, ensure_ascii=False, sort_keys=True)
    stack.signature = signer.sign(record)
    stack.signing_key_id = signer.fingerprint
    if new is not None:
        session.add(ObjectKey(object_key=new.key, wrapped_key=new.wrapped_key, master_key_id=new.master_key_id))
    session.execute(delete(ObjectKey).where(ObjectKey.object_key == cut.old_key))
    return [{"stack": cut.stack_id, "pages": [first, last], "sha256_before": cut.sha256_before,
             "sha256_after": new.sha256 if new else None, **({"lost": cut.lost} if cut.lost else {})}
            for first, last in cut.ranges]


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
        except StorageError as exc:    # no data key: unreadable; orphan_objects reports it
            log.warning("could not delete %s from storage: %s", key, exc)


# --- audit -----------------------------------------------------------------------------------

def destroyed_pages_in_stacks(ctx: CheckContext) -> Iterator[Finding]:
    """Stacks whose signed record still holds pages of a destroyed document."""
    # Imported here, not at the top: audit.checks imports this module to register the check.
    from audit.checks import Finding

    rows = ctx.session.execute(
        select(BatchItem.stack_id, BatchItem.first_page, BatchItem.last_page, Document.id, Document.household_id,
               Document.destruction_list)
        .join(Document, _items_of_document(Document.id))
        .where(BatchItem.stack_id.is_not(None), BatchItem.first_page.is_not(None),
               Document.status == DocumentStatus.DESTROYED.value)
        .order_by(BatchItem.stack_id, BatchItem.first_page)).all()
    for stack_id, parts in groupby(rows, key=lambda row: row[0]):
        stack = ctx.session.get(ScanStack, stack_id)
        try:
            held = set(held_pages(stack))
        except IntegrityFailure:
            continue                   # the scan_stacks check reports an unreadable record
        for _, first, last, document_id, household_id, list_number in parts:
            still = [n for n in range(first, last + 1) if n in held]
            if still:
                yield Finding(f"the scanned stack {stack.id} ({stack.file_name}) still holds page(s) "
                              f"{page_spec(still)} of document {document_id}, destroyed on list {list_number}",
                              document_id, household_id)
