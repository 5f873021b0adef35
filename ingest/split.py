"""Intake of a stack scanned with cover sheets: store it whole, split it, file each part.

The stack is first stored as the batch's signed original (``dossier.services.stacks``), exactly as
scanned; its pages are then classified before any OCR (``ingest.separate``). Each run of pages
after a readable sheet becomes a document with the sheet's facts, its pages copied out of the stack
as its signed original and queued for the pipeline; sheets and their blank backs are recorded in
the batch only. Pages that cannot be filed with certainty are ``unfiled`` with the reason, for
:func:`assign_unfiled`. Every page of the stack ends up in exactly one batch item.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from dossier.actor import Actor
from dossier.archive import Archive
from dossier.catalog import text, zh
from dossier.errors import AlreadyExists, DossierError, InvalidInput
from dossier.models import Batch, BatchItem, BatchOutcome, Document, DocumentStatus
from dossier.people import display_names
from dossier.permissions import Permission, require
from dossier.services.documents import DuplicateDocument, NewDocument, get_document_type, store_original
from dossier.services.households import get_household
from dossier.services.stacks import copy_stack, stack_positions, store_stack
from dossier.workdir import work_folder
from ingest import reasons
from ingest.detect import Detected, detect
from ingest.files import FileSpec, probe
from ingest.files import record_item as _item
from ingest.separate import Part, detect_pages, extract_page_list, extract_pages, plan


def _part_name(stack_name: str, part: Part) -> str:
    """What a part is called in the batch and, without the suffix, its default title (stored: Chinese)."""
    return zh("intake.part_name", name=stack_name, pages=part.pages)


def _file_part(
    archive: Archive,
    session: Session,
    actor: Actor,
    batch: Batch,
    path: Path,
    detected: Detected,
    name: str,
    part: Part,
    where: dict[str, Any],
    workdir: Path,
) -> None:
    """Store one part after a readable sheet as a document, or record why it stays unfiled.
    ``where`` places the batch item in the stack."""
    facts = part.facts
    assert facts is not None  # a document part starts after a readable sheet (``plan``)
    part_name = _part_name(name, part)
    try:
        household = get_household(session, facts.household, facts.community)
    except DossierError:
        session.rollback()
        _item(
            session,
            batch,
            part_name,
            BatchOutcome.UNFILED,
            **where,
            error=reasons.dump(
                text("intake.sheet_household_unknown", household=facts.household, community=facts.community)
            ),
        )
        return
    try:
        get_document_type(session, facts.type_code)
    except DossierError:
        _item(
            session,
            batch,
            part_name,
            BatchOutcome.UNFILED,
            **where,
            error=reasons.dump(text("intake.sheet_type_unknown", type=facts.type_code)),
        )
        return
    out = extract_pages(
        path, detected, part.first, part.last, workdir / f"part-{part.first}{detected.suffix}", name=name
    )
    new = NewDocument(
        household=household,
        type_code=facts.type_code,
        title=facts.title or zh("intake.part_name", name=Path(name).stem, pages=part.pages),
        media_type=detected.media_type,
        original_name=part_name,
        document_date=facts.document_date,
        confidential=facts.confidential,
        retention_class=facts.retention_class,
        status=DocumentStatus.QUEUED,
    )
    try:
        with open(out, "rb") as stream:
            doc = store_original(archive, session, actor, new, stream, batch_id=batch.id)
    except DuplicateDocument as dup:
        _item(
            session,
            batch,
            part_name,
            BatchOutcome.DUPLICATE,
            duplicate_of=dup.existing_id,
            **where,
            error=reasons.dump(text("intake.duplicate_of", id=dup.existing_id)),
        )
        return
    finally:
        out.unlink(missing_ok=True)
    _item(session, batch, part_name, BatchOutcome.STORED, document_id=doc.id, **where)


def intake_stack(archive: Archive, session: Session, actor: Actor, batch: Batch, spec: FileSpec) -> None:
    """Take in one stack: stored whole first, then split and filed part by part (see above).
    A stack that cannot be read at all is refused (InvalidInput); one taken in before is
    recorded as a duplicate."""
    assert spec.path is not None  # only a file without a ``problem`` is taken in
    detected = probe(spec.path, spec.name, archive.settings.max_pages)
    if not (detected.is_pdf or detected.kind == "tiff"):
        raise InvalidInput("intake.stack_single_image", label=spec.name)
    key = archive.cover_sheet_key
    try:
        with open(spec.path, "rb") as stream:
            stack = store_stack(archive, session, actor, batch.id, spec.name, detected.media_type, stream)
    except AlreadyExists as exc:
        session.rollback()
        _item(session, batch, spec.name, BatchOutcome.DUPLICATE, error=reasons.dump(exc.text))
        return
    # Page images and the parts copied out stay in a private folder (``dossier.workdir``).
    with work_folder(archive.settings, "split-") as folder:
        try:
            detection = detect_pages(spec.path, detected, key, workdir=folder, name=spec.name)
        except DossierError as exc:
            session.rollback()
            _item(
                session,
                batch,
                spec.name,
                BatchOutcome.REJECTED,
                stack_id=stack.id,
                error=reasons.dump(
                    text("intake.stack_unreadable", id=stack.id, reason=reasons.of_error(exc, spec.name))
                ),
            )
            return
        stack.page_count = len(detection.pages)
        session.commit()
        for part in plan(detection.pages):
            where: dict[str, Any] = dict(stack_id=stack.id, first_page=part.first, last_page=part.last)
            if part.facts is not None:
                where["sheet"] = json.dumps(part.facts.as_dict(), ensure_ascii=False)
            if part.kind == "document":
                try:
                    _file_part(
                        archive, session, actor, batch, spec.path, detected, spec.name, part, where, folder
                    )
                except DossierError as exc:
                    session.rollback()
                    _item(
                        session,
                        batch,
                        _part_name(spec.name, part),
                        BatchOutcome.UNFILED,
                        **where,
                        error=reasons.dump(
                            text(
                                "intake.part_not_filed",
                                reason=reasons.of_error(exc, _part_name(spec.name, part)),
                            )
                        ),
                    )
            elif part.kind == "unfiled":
                _item(
                    session,
                    batch,
                    _part_name(spec.name, part),
                    BatchOutcome.UNFILED,
                    error=reasons.dump(part.reason) if part.reason else None,
                    **where,
                )
            else:  # separator | blank
                _item(
                    session,
                    batch,
                    _part_name(spec.name, part),
                    BatchOutcome(part.kind),
                    error=reasons.dump(part.reason) if part.reason else None,
                    **where,
                )


def assign_unfiled(
    archive: Archive,
    session: Session,
    actor: Actor,
    item_id: int,
    *,
    household: str,
    community: str | None,
    type_code: str,
    title: str | None = None,
    document_date: date | None = None,
    confidential: bool = False,
    retention_class: str | None = None,
    batch_id: int | None = None,
) -> Document:
    """File an unfiled part of a stack: its pages are copied out of the stored stack (found there
    through its signed record's page list, which a destroyed document's cut changes) and stored
    as a new signed original in ``household``, queued for processing. Returns the document.
    ``batch_id``, when given, is the batch the part must belong to."""
    require(actor, Permission.MANAGE_RECORDS)
    item = session.get(BatchItem, item_id)
    if item is None or item.stack_id is None or batch_id not in (None, item.batch_id):
        raise InvalidInput("intake.no_unfiled_item", id=item_id)
    if item.outcome != BatchOutcome.UNFILED:
        raise InvalidInput("intake.already_filed", name=item.file_name)
    target = get_household(session, household, community)
    get_document_type(session, type_code)
    stack = item.stack
    # A stack part always has its stack and its page range (``intake_stack``).
    assert stack is not None and item.first_page is not None and item.last_page is not None
    positions = stack_positions(stack, item.first_page, item.last_page)
    with work_folder(archive.settings, "assign-") as folder:
        whole = copy_stack(archive, session, stack, folder / "stack")
        detected = detect(whole, name=stack.file_name)
        part = Part("document", item.first_page, item.last_page)
        extracted = extract_page_list(
            whole, detected, positions, folder / f"part{detected.suffix}", name=stack.file_name
        )
        new = NewDocument(
            household=target,
            type_code=type_code,
            title=(title or "").strip()
            or zh("intake.part_name", name=Path(stack.file_name).stem, pages=part.pages),
            media_type=detected.media_type,
            original_name=item.file_name,
            document_date=document_date,
            confidential=confidential,
            retention_class=retention_class,
            status=DocumentStatus.QUEUED,
        )
        with open(extracted, "rb") as stream:
            doc = store_original(archive, session, actor, new, stream, batch_id=item.batch_id)
    item = session.get(BatchItem, item_id)
    assert item is not None  # found above
    item.outcome = BatchOutcome.STORED
    item.document_id = doc.id
    who = display_names(session, [actor.username]).get(actor.username, actor.username)
    item.error = reasons.dump(text("intake.filed_by", who=who, was=reasons.load(item.error) or ""))
    session.commit()
    return doc
