"""Originals: store a scan encrypted and signed, read it back, and prove it unaltered.

Order of work when storing, so that a failure never leaves half a record: the object is written
first (encrypted, hashed while it streams), then one catalog transaction inserts the document,
its signed record and its wrapped data key. If that transaction fails, the object is deleted.
"""

from __future__ import annotations

import json
import mimetypes
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, BinaryIO

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from dossier import localtime, objectkeys, originals
from dossier.actor import Actor
from dossier.archive import Archive
from dossier.catalog import zh
from dossier.errors import AlreadyExists, IntegrityFailure, InvalidInput, NotFound
from dossier.masking import mask_personal_numbers
from dossier.models import (
    AccessAction,
    Confidentiality,
    Document,
    DocumentStatus,
    DocumentType,
    Household,
    ObjectKey,
    utcnow,
)
from dossier.permissions import Permission, can, require
from dossier.services import history, numbering
from dossier.services.access import record_access, record_refusal
from dossier.services.disposal import assign, resolve_class
from dossier.signing import load_public_key

CONFIDENTIALITY_NAMES_ZH = {"ordinary": "普通", "confidential": "保密"}
STATUS_NAMES_ZH = {
    "stored": "已存储",
    "queued": "排队中",
    "processing": "处理中",
    "indexed": "已索引",
    "failed": "失败",
    "destroyed": "已销毁",
}


class PurposeRequired(InvalidInput):
    """A confidential document is shown only after the viewer has said why (查阅目的)."""

    def __init__(self, doc: Document):
        super().__init__("document.purpose_required", id=doc.id)
        self.document = doc


class DuplicateDocument(AlreadyExists):
    def __init__(self, existing_id: int, sha256: str):
        super().__init__("document.duplicate", id=existing_id)
        self.existing_id = existing_id
        self.sha256 = sha256


@dataclass
class NewDocument:
    household: Household
    type_code: str
    title: str
    media_type: str
    original_name: str | None = None
    document_date: date | None = None
    received_date: date | None = None
    confidential: bool = False
    retention_class: str | None = None
    status: str = DocumentStatus.STORED
    paper_cabinet: str | None = None
    paper_box: str | None = None
    paper_position: str | None = None
    # Filed from a handover package: the number it keeps (and the folder here that issued it,
    # when that folder came too), and what the package said of it (``history.append``'s
    # ``received``); the history entry is then "received", not "intake".
    archive_no: str | None = None
    item_no: int | None = None
    numbered_in: Household | None = None
    stamp: tuple[str, int, str] | None = None  # its 归档章's 全宗号, 年度, 保管期限 code, as filed there
    received: dict | None = None


def get_document_type(session: Session, code: str) -> DocumentType:
    row = session.get(DocumentType, code)
    if row is None:
        codes = ", ".join(session.scalars(select(DocumentType.code).order_by(DocumentType.sort_order)))
        raise InvalidInput("document.unknown_type", type=code, known=codes)
    return row


def find_duplicate(session: Session, sha256: str) -> int | None:
    return session.scalar(
        select(Document.id).where(Document.sha256 == sha256, Document.status != DocumentStatus.DESTROYED)
    )


def sign_stored(session: Session, signer, row, stored, record: Callable[[], dict]) -> None:
    """Record the wrapped data key of ``row``'s freshly stored object, then sign ``record()``
    (made after a flush, so it can name the row's id) onto the row. The caller commits."""
    session.add(
        ObjectKey(
            object_key=row.original_key, wrapped_key=stored.wrapped_key, master_key_id=stored.master_key_id
        )
    )
    session.flush()
    row.signed_record, row.signature = originals.sealed(record(), signer)


def store_original(
    archive: Archive,
    session: Session,
    actor: Actor,
    new: NewDocument,
    stream: BinaryIO,
    *,
    batch_id: int | None = None,
) -> Document:
    """Store ``stream`` as a new signed original. Raises DuplicateDocument when the same content
    (SHA-256) is already in the catalog; nothing is stored then.

    Commits: the catalog row, its signed record and data key, right after the object is stored
    (a crash between the two leaves an orphan object, never a row without its object); on any
    failure the session is rolled back and the object deleted."""
    require(actor, Permission.MANAGE_RECORDS)
    get_document_type(session, new.type_code)
    title = (new.title or "").strip()
    if not title or len(title) > 256:
        raise InvalidInput("document.bad_title")
    retention_class = resolve_class(session, new.retention_class).code if new.retention_class else None
    vault, signer = archive.vault, archive.signer
    key = objectkeys.original_key()
    stored = vault.put(key, stream)
    try:
        existing = find_duplicate(session, stored.sha256)
        if existing is not None:
            raise DuplicateDocument(existing, stored.sha256)
        household = new.household
        doc = Document(
            household=household,
            type_code=new.type_code,
            title=title,
            document_date=new.document_date,
            received_date=new.received_date or localtime.today(),
            confidentiality=Confidentiality.CONFIDENTIAL if new.confidential else Confidentiality.ORDINARY,
            retention_class=retention_class,
            status=new.status,
            original_key=key,
            original_name=new.original_name,
            sha256=stored.sha256,
            sm3=stored.sm3,
            size=stored.plain_size,
            media_type=new.media_type,
            intake_at=utcnow().replace(microsecond=0),
            intake_by_id=actor.user_id,
            paper_cabinet=new.paper_cabinet,
            paper_box=new.paper_box,
            paper_position=new.paper_position,
            batch_id=batch_id,
            signed_record="",
            signature="",
            signing_key_id=signer.fingerprint,
        )
        session.add(doc)
        assign(session, doc)
        if new.archive_no is not None:
            doc.archive_no, doc.item_no = new.archive_no, new.item_no
            doc.numbered_in_id = new.numbered_in.id if new.numbered_in is not None else None
            numbering.keep_stamp(session, doc, new.stamp)
        else:
            numbering.number(session, doc, household)
        sign_stored(
            session, signer, doc, stored, lambda: originals.document_record(doc, household, actor.username)
        )
        if new.received is not None:
            history.append(session, doc, history.RECEIVED, actor=actor.username, received=new.received)
        else:
            history.append(session, doc, history.INTAKE, actor=actor.username)
        record_access(
            session,
            actor,
            AccessAction.DOCUMENT_INTAKE,
            household_id=household.id,
            document_id=doc.id,
            detail=new.original_name,
        )
        session.commit()
    except BaseException:
        session.rollback()
        vault.delete(key)
        raise
    return doc


def no_such_document(document_id: int) -> NotFound:
    """The one answer for a missing document and for one the asker may not see."""
    return NotFound("document.not_found", id=document_id)


def get_document(session: Session, document_id: int) -> Document:
    doc = session.get(Document, document_id)
    if doc is None:
        raise no_such_document(document_id)
    return doc


def visible_levels(actor: Actor) -> tuple[str, ...]:
    """The confidentiality levels ``actor`` may see: the one rule behind ``may_view`` and
    ``visible_clause`` (and the search engine's confidential mask)."""
    if not can(actor, Permission.SEARCH):
        return ()
    if can(actor, Permission.VIEW_CONFIDENTIAL):
        return (Confidentiality.ORDINARY, Confidentiality.CONFIDENTIAL)
    return (Confidentiality.ORDINARY,)


def may_view(actor: Actor, doc: Document) -> bool:
    return doc.confidentiality in visible_levels(actor)


def visible_clause(actor: Actor) -> ColumnElement[bool]:
    """SQL for "a document ``actor`` may see", for counts computed over what the viewer sees."""
    return Document.confidentiality.in_(visible_levels(actor))


def sees_confidential(actor: Actor) -> bool:
    return Confidentiality.CONFIDENTIAL in visible_levels(actor)


def text_mask(actor: Actor) -> Callable[[str], str] | None:
    """How page text is masked for ``actor``: personal numbers (ID-card, mobile and bank-card
    numbers, ``dossier.masking``) unless cleared for personal data; None when nothing is masked.
    Masks keep the text's length, so highlight offsets stay valid."""
    return None if sees_confidential(actor) else _masked_text


def _masked_text(text: str) -> str:
    """``mask_personal_numbers`` for text that is there (its None-in, None-out form suits columns)."""
    return mask_personal_numbers(text) or text


def shown_text(actor: Actor, text: str | None) -> str | None:
    """Page text as ``actor`` may read it."""
    mask = text_mask(actor)
    return mask(text) if mask and text else text


def require_view(session: Session, actor: Actor, doc: Document, action: AccessAction) -> None:
    """Refuse unless ``actor`` may see ``doc``; the refusal is logged, and a document the actor
    may not see answers exactly like a missing one (NotFound, same message). The refusal is
    logged in its own transaction; the caller's session is left as it was."""
    if not may_view(actor, doc):
        record_refusal(session, actor, action, household_id=doc.household_id, document_id=doc.id)
        require(actor, Permission.SEARCH)
        raise no_such_document(doc.id)


def document_history(session: Session, actor: Actor, document_id: int) -> list[dict[str, Any]]:
    """A document's signed change history, for someone allowed to see the document (logged)."""
    with session.no_autoflush:
        doc = get_document(session, document_id)
        require_view(session, actor, doc, AccessAction.DOCUMENT_HISTORY)
    record_access(
        session, actor, AccessAction.DOCUMENT_HISTORY, household_id=doc.household_id, document_id=doc.id
    )
    return history.history_of(session, doc.id)


def view_detail(*, page: int | None = None, purpose: str | None = None) -> str | None:
    """The detail of a look's access-log entry: the page and the purpose given, as a JSON object
    of those given (``{"page": 2, "purpose": "..."}``), or nothing when neither was."""
    values = {k: v for k, v in (("page", page), ("purpose", purpose)) if v is not None}
    return json.dumps(values, ensure_ascii=False) if values else None


def read_purpose(doc: Document, purpose: str | None) -> str | None:
    """The stated purpose (查阅目的), trimmed; refused when a confidential document has none."""
    purpose = (purpose or "").strip()[:200] or None
    if doc.confidentiality == Confidentiality.CONFIDENTIAL and not purpose:
        raise PurposeRequired(doc)
    return purpose


def wrapped_key_for(session: Session, object_key: str) -> bytes:
    row = session.get(ObjectKey, object_key)
    if row is None:
        raise IntegrityFailure("document.data_key_gone", key=object_key)
    return row.wrapped_key


def original_stream(
    archive: Archive,
    session: Session,
    actor: Actor,
    doc: Document,
    *,
    purpose: str | None = None,
    action: AccessAction = AccessAction.DOCUMENT_DOWNLOAD,
) -> BinaryIO:
    """The original's plaintext stream, for someone allowed to see it; the access is logged
    as ``action`` (a download, ``dossier.services.viewing.open_original``, or an export for an
    outside auditor) with the purpose given."""
    require_view(session, actor, doc, action)
    if doc.status == DocumentStatus.DESTROYED or doc.original_key is None:
        raise NotFound("document.destroyed", id=doc.id)
    stream = archive.vault.open(doc.original_key, wrapped_key_for(session, doc.original_key))
    record_access(
        session,
        actor,
        action,
        household_id=doc.household_id,
        document_id=doc.id,
        detail=view_detail(purpose=purpose),
    )
    return stream


@dataclass
class OriginalCheck:
    document_id: int
    ok: bool
    problems: list[str]


def verify_original(archive: Archive, session: Session, doc: Document) -> OriginalCheck:
    """Check the signature over the record, the record against the catalog, and the stored bytes
    against the recorded digests and size (streams the whole object)."""
    expected = {"document": doc.id, "object": doc.original_key, "sha256": doc.sha256, "size": doc.size}
    ok, problems = check_signed(archive, session, doc, expected)
    metadata = history.check_metadata(session, doc, load_public_key(archive.signer.public_pem()))
    if not metadata.ok:
        assert metadata.problem is not None  # a failed check names its problem
        problems.append(metadata.problem)
    return OriginalCheck(doc.id, ok and metadata.ok, problems)


def check_signed(archive: Archive, session: Session, row, expected: dict) -> tuple[bool, list[str]]:
    """(ok, problems) of a signed original ``row`` (a document or a scanned stack): its signature,
    its signed record against the catalog's ``expected`` facts, its stored bytes against both
    (``dossier.originals.check_record``, in the archive's words)."""
    record = originals.parse_record(row.signed_record)
    if record is None:
        return False, [zh("document.check.record_not_json")]
    unreadable = None
    try:
        content = archive.vault.verify(row.original_key, wrapped_key_for(session, row.original_key))
    except (IntegrityFailure, NotFound) as exc:
        content, unreadable = None, exc.render("zh")
    check = originals.check_record(
        record, row.signature, load_public_key(archive.signer.public_pem()), expected, content
    )
    problems = check.problems() + ([unreadable] if unreadable else [])
    return not problems, problems


def download_name(doc: Document) -> str:
    """A filename safe for a Content-Disposition header: the original's own name without any
    folder part or control characters, else ``document-<id>`` with the media type's extension."""
    name = (doc.original_name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in unicodedata.normalize("NFC", name) if unicodedata.category(c)[0] != "C")
    name = name.strip().strip(".")[:150]
    if not name:
        name = f"document-{doc.id}{mimetypes.guess_extension(doc.media_type or '') or ''}"
    return name


def document_view(doc: Document) -> dict[str, Any]:
    """A document's catalog record (page text is read through ``dossier.services.viewing``, masked)."""
    view = {
        "id": doc.id,
        "archive_no": doc.archive_no,
        "item_no": doc.item_no,
        "household": doc.household.code,
        "type": doc.type_code,
        "type_name": doc.type.name if doc.type else doc.type_code,
        "title": doc.title,
        "date": doc.document_date.isoformat() if doc.document_date else None,
        "received": doc.received_date.isoformat() if doc.received_date else None,
        "confidentiality": doc.confidentiality,
        "retention_class": doc.retention_class,
        "disposal_date": doc.disposal_date.isoformat() if doc.disposal_date else None,
        "status": doc.status,
        "sha256": doc.sha256,
        "size": doc.size,
        "media_type": doc.media_type,
        "page_count": doc.page_count,
        "intake_at": doc.intake_at.isoformat() if isinstance(doc.intake_at, datetime) else None,
        "destroyed_at": doc.destroyed_at.isoformat() if doc.destroyed_at else None,
        "destroyed_by": doc.destroyed_by,
        "destruction_list": doc.destruction_list,
    }
    return view
