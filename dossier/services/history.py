"""A document's signed metadata and its change history (one home for what the archive vouches for).

The metadata record covers the catalog facts a user relies on: the document's own 档号, its
household (by the folder's archive number), type, title, date, confidentiality, retention class,
and a digest of the page text (once processed). Every legitimate change appends a history entry holding who, when, what changed
(before and after), the reason and the whole record after the change; each entry is signed and
all entries form one chain (``dossier.ledger``), so the latest signed record of a document can
neither be forged, nor dropped, nor rolled back. ``audit verify`` compares the catalog with it
and names any field that differs. Appending is part of the caller's transaction.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dossier import ledger, pagetext
from dossier.catalog import zh
from dossier.models import Document, DocumentHistory, DocumentStatus, HistoryAction, Household, utcnow
from dossier.signing import canonical_bytes

RECORD_VERSION = 1
# Actions a history entry records.
INTAKE, UPGRADE, PROCESSED, CORRECTED, RETENTION, DESTROYED, NUMBERED, RECEIVED = (
    HistoryAction.INTAKE,
    HistoryAction.UPGRADE,
    HistoryAction.PROCESSED,
    HistoryAction.CORRECTED,
    HistoryAction.RETENTION,
    HistoryAction.DESTROYED,
    HistoryAction.NUMBERED,
    HistoryAction.RECEIVED,
)
ACTION_NAMES_ZH = {
    INTAKE: "入库",
    UPGRADE: "升级时首次签名",
    PROCESSED: "文字识别完成",
    CORRECTED: "著录更正",
    RETENTION: "设定保管期限",
    DESTROYED: "销毁",
    NUMBERED: "升级时编制档号",
    RECEIVED: "移交接收",
}
# Field names as records and messages give them, with their Chinese labels.
FIELD_NAMES_ZH = {
    "archive_no": "档号",
    "household": "业户档案号",
    "type": "文件类型",
    "title": "题名",
    "date": "文件日期",
    "confidentiality": "密级",
    "retention_class": "保管期限",
    "text_sha256": "页面文字摘要",
    "pages": "页数",
    "destroyed": "已销毁",
}


def text_digest(texts: list[tuple[int, str | None]]) -> str | None:
    """SHA-256 over the pages' text in page order (canonical JSON of ``[[number, text], ...]``);
    None for a document without pages."""
    if not texts:
        return None
    pages = [[number, text or ""] for number, text in sorted(texts)]
    return hashlib.sha256(canonical_bytes({"pages": pages})).hexdigest()


def page_texts(session: Session, document_id: int) -> list[tuple[int, str | None]]:
    """The pages' PLAINTEXT in order: sealed text (``dossier.pagetext``) is opened with the
    session's archive key, so the digest, and every signature over it, ignores sealing."""
    return pagetext.document_texts(session, session, document_id)


def metadata_record(doc: Document, archive_no: str, texts: list[tuple[int, str | None]]) -> dict:
    """The catalog facts of ``doc`` that its signature vouches for."""
    return {
        "document": doc.id,
        "archive_no": doc.archive_no,
        "household": archive_no,
        "type": doc.type_code,
        "title": doc.title,
        "date": doc.document_date.isoformat() if doc.document_date else None,
        "confidentiality": doc.confidentiality,
        "retention_class": doc.retention_class,
        "text_sha256": text_digest(texts),
        "pages": len(texts),
        "destroyed": doc.status == DocumentStatus.DESTROYED,
    }


def current_metadata(session: Session, doc: Document) -> dict:
    session.flush()
    archive_no = session.scalar(select(Household.archive_no).where(Household.id == doc.household_id))
    assert archive_no is not None  # every document is in a folder (a foreign key)
    return metadata_record(doc, archive_no, page_texts(session, doc.id))


def latest(session: Session, document_id: int) -> DocumentHistory | None:
    return session.scalars(
        select(DocumentHistory)
        .where(DocumentHistory.document_id == document_id)
        .order_by(DocumentHistory.seq.desc())
        .limit(1)
    ).first()


def append(
    session: Session,
    doc: Document,
    action: HistoryAction,
    *,
    actor: str | None,
    reason: str | None = None,
    at: datetime | None = None,
    received: dict | None = None,
) -> DocumentHistory:
    """Sign ``doc``'s metadata as it is now and append the change (fields that differ from the
    previous signed record) to its history, in the caller's transaction. ``received``: for a
    document filed from a handover package, what the package said of it (its package, sending
    archive and history there), signed into the entry."""
    metadata = current_metadata(session, doc)
    before = latest(session, doc.id)
    previous = json.loads(before.record)["metadata"] if before is not None else {}
    changes = {
        name: [previous.get(name), value]
        for name, value in metadata.items()
        if before is not None and previous.get(name) != value
    }
    seq, prev = ledger.link(session, ledger.HISTORY)
    at = at or utcnow()
    record = {
        "v": RECORD_VERSION,
        "seq": seq,
        "prev": prev,
        "at": ledger.timestamp(at),
        "document": doc.id,
        "action": action,
        "by": actor,
        "reason": reason,
        "changes": changes,
        "metadata": metadata,
    }
    if received is not None:
        record["received"] = received
    signer = ledger.signer_of(session)
    entry = DocumentHistory(
        seq=seq,
        document_id=doc.id,
        at=at,
        action=action,
        actor=actor,
        reason=reason,
        record=json.dumps(record, ensure_ascii=False, sort_keys=True),
        prev_hash=prev,
        entry_hash=ledger.entry_hash(record),
        signature=signer.sign(record),
        signing_key_id=signer.fingerprint,
    )
    session.add(entry)
    session.flush()
    ledger.seal(session, ledger.HISTORY, seq, entry.entry_hash)
    return entry


# --- checking ----------------------------------------------------------------------------------


def check_entry(entry: DocumentHistory, public_key) -> str | None:
    """Why ``entry`` is not genuine, or None (the chain is walked by ``dossier.ledger``)."""
    return ledger.check_signed_entry(
        entry, {"document": entry.document_id, "action": entry.action}, public_key
    )


def verify_history(session: Session, public_key) -> ledger.LogVerdict:
    rows = session.scalars(select(DocumentHistory).order_by(DocumentHistory.seq)).yield_per(500)
    return ledger.verify_log(session, ledger.HISTORY, rows, lambda e: check_entry(e, public_key), public_key)


@dataclass(frozen=True)
class MetadataCheck:
    ok: bool
    problem: str | None = None


def check_metadata(
    session: Session,
    doc: Document,
    public_key,
    *,
    archive_no: str | None = None,
    texts: list[tuple[int, str | None]] | None = None,
) -> MetadataCheck:
    """The catalog's facts of ``doc`` against its latest signed record, naming fields that differ.
    Page text is replaced only in the transaction that signs it (``ingest.pipeline``), so it is
    compared whatever the document's processing state."""
    entry = latest(session, doc.id)
    if entry is None:
        return MetadataCheck(False, zh("document.check.no_metadata"))
    problem = check_entry(entry, public_key)
    if problem:
        return MetadataCheck(False, zh("document.check.metadata_entry", seq=entry.seq, problem=problem))
    signed = json.loads(entry.record).get("metadata") or {}
    if archive_no is None:
        archive_no = session.scalar(select(Household.archive_no).where(Household.id == doc.household_id))
        assert archive_no is not None  # every document is in a folder (a foreign key)
    actual = metadata_record(doc, archive_no, page_texts(session, doc.id) if texts is None else texts)
    differing = [name for name in actual if signed.get(name) != actual[name]]
    if differing:
        return MetadataCheck(
            False, zh("document.check.metadata_differs", fields=", ".join(differing), seq=entry.seq)
        )
    return MetadataCheck(True)


def sign_unsigned_documents(session: Session, *, chunk: int = 500) -> int:
    """Sign the metadata of every document that has no history yet (an archive upgraded from
    before signed metadata), as it stands, with the entry "upgrade". Commits: every ``chunk``
    documents, so a large upgrade holds no long transaction and resumes where it stopped."""
    signed = 0
    unsigned = (
        select(Document)
        .where(~select(DocumentHistory.seq).where(DocumentHistory.document_id == Document.id).exists())
        .order_by(Document.id)
        .limit(chunk)
    )
    while docs := session.scalars(unsigned).all():
        for doc in docs:
            append(session, doc, UPGRADE, actor=None, reason="升级时对已有著录信息首次签名")
        session.commit()
        signed += len(docs)
    return signed


def entry_view(entry: DocumentHistory) -> dict:
    record = json.loads(entry.record)
    return {
        "seq": entry.seq,
        "at": entry.at.isoformat() if entry.at else None,
        "action": entry.action,
        "action_name": ACTION_NAMES_ZH.get(entry.action, entry.action),
        "by": entry.actor,
        "reason": entry.reason,
        "changes": record.get("changes") or {},
        "metadata": record.get("metadata"),
        "received": record.get("received"),
        "hash": entry.entry_hash,
        "signature": entry.signature,
    }


def history_of(session: Session, document_id: int) -> list[dict]:
    """A document's history, oldest first."""
    rows = session.scalars(
        select(DocumentHistory)
        .where(DocumentHistory.document_id == document_id)
        .order_by(DocumentHistory.seq)
    )
    return [entry_view(e) for e in rows]
