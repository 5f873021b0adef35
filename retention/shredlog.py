"""The shredding log: one entry per destroyed item (electronic or paper), append-only.

Each entry is a canonical JSON record (see ``storage.signing``) holding its sequence number, the
previous entry's hash and the facts of the destruction. The entry's hash is the SHA-256 of that
record, and the record is signed with the archive's Ed25519 key. Entries are never updated or
deleted (the ORM refuses to, below); the newest entry's number and hash are also kept as the
log's head, so cutting entries off the end is noticed too.

``verify`` walks the whole chain: every record must hash to its stored hash, carry its own
number and the previous entry's hash, and bear a valid signature; numbers must run 1, 2, 3…
without a gap up to the head. The first entry that fails is named.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from dossier.archive import get_setting, put_setting
from dossier.errors import IntegrityFailure
from dossier.models import ShredLogEntry
from storage.signing import Signer, canonical_bytes, verify as verify_signature

RECORD_VERSION = 1
GENESIS = "0" * 64
HEAD_KEY = "shredlog.head"


@event.listens_for(Session, "before_flush")
def _append_only(session: Session, _context, _instances) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, ShredLogEntry) and (obj in session.deleted or session.is_modified(obj)):
            raise IntegrityFailure("shredding-log entries are never changed or deleted")


def entry_hash(record: dict) -> str:
    return hashlib.sha256(canonical_bytes(record)).hexdigest()


def append(session: Session, signer: Signer, *, kind: str, list_number: str, document_id: int,
           at: datetime, facts: dict) -> ShredLogEntry:
    """Add the next entry (in the caller's transaction, so it commits with the destruction)."""
    last = session.scalars(select(ShredLogEntry).order_by(ShredLogEntry.seq.desc()).limit(1)).first()
    seq = last.seq + 1 if last else 1
    prev = last.entry_hash if last else GENESIS
    record = {"v": RECORD_VERSION, "seq": seq, "prev": prev, "at": at.isoformat(), "kind": kind,
              "list": list_number, "document": document_id, **facts}
    digest = entry_hash(record)
    row = ShredLogEntry(seq=seq, at=at, kind=kind, list_number=list_number, document_id=document_id,
                        record=json.dumps(record, ensure_ascii=False, sort_keys=True), prev_hash=prev,
                        entry_hash=digest, signature=signer.sign(record), signing_key_id=signer.fingerprint)
    session.add(row)
    session.flush()
    put_setting(session, HEAD_KEY, f"{seq}:{digest}")
    return row


def _check(row: ShredLogEntry, expected_seq: int, prev: str, public_key) -> str | None:
    try:
        record = json.loads(row.record)
    except ValueError:
        return "its record is not valid JSON"
    if not isinstance(record, dict):
        return "its record is not a JSON object"
    if record.get("seq") != row.seq:
        return f"it holds the record of entry {record.get('seq')} (moved or reordered)"
    try:
        digest = entry_hash(record)
    except Exception:  # noqa: BLE001 - a record that cannot be canonicalised cannot be genuine
        return "its record cannot be hashed"
    if digest != row.entry_hash:
        return "its record does not match its hash (altered)"
    if record.get("prev") != row.prev_hash or row.prev_hash != prev:
        return "it does not follow the previous entry (the chain is broken before it)"
    if (record.get("kind"), record.get("list"), record.get("document")) != (row.kind, row.list_number, row.document_id):
        return "its columns differ from its signed record (altered)"
    if not verify_signature(public_key, record, row.signature):
        return "its signature is not valid"
    return None


def verify(session: Session, public_key) -> dict:
    """Check the whole log; ``ok`` is False and ``broken_at`` names the first bad entry when
    anything fails. Every problem found is listed."""
    problems: list[dict] = []
    prev, expected, count = GENESIS, 1, 0
    for row in session.scalars(select(ShredLogEntry).order_by(ShredLogEntry.seq)).yield_per(500):
        count += 1
        if row.seq != expected:
            missing = f"entry {expected}" if row.seq == expected + 1 else f"entries {expected} to {row.seq - 1}"
            problems.append({"seq": expected, "problem": f"{missing} missing: entry {row.seq} follows entry {expected - 1}"})
        problem = _check(row, row.seq, prev, public_key)
        if problem and not (row.seq != expected and problem.startswith("it does not follow")):
            problems.append({"seq": row.seq, "problem": f"entry {row.seq}: {problem}"})
        prev, expected = row.entry_hash, row.seq + 1
    head = get_setting(session, HEAD_KEY)
    head_seq, _, head_hash = (head or "0:").partition(":")
    last_seq = expected - 1
    if head is None and count:
        problems.append({"seq": 1, "problem": "the log has entries but no recorded head"})
    elif not head_seq.isdigit():
        problems.append({"seq": last_seq or 1, "problem": f"the recorded head {head!r} is not an entry number and hash"})
    elif head is not None and int(head_seq) > last_seq:
        problems.append({"seq": last_seq + 1, "problem": f"entries {last_seq + 1} to {head_seq} missing from the end "
                                                         f"(the head is entry {head_seq})"})
    elif head is not None and (int(head_seq) != last_seq or head_hash != prev):
        problems.append({"seq": int(head_seq) or 1, "problem": f"the recorded head (entry {head_seq}) does not match the "
                                                                f"last entry ({last_seq})"})
    problems.sort(key=lambda p: p["seq"])
    return {
        "ok": not problems,
        "entries": count,
        "head": {"seq": last_seq, "hash": prev if count else None},
        "broken_at": problems[0]["seq"] if problems else None,
        "problems": problems,
    }


def entries_for_list(session: Session, list_number: str) -> list[ShredLogEntry]:
    return list(session.scalars(select(ShredLogEntry).where(ShredLogEntry.list_number == list_number)
                                .order_by(ShredLogEntry.seq)))


def range_hash(entries: list[ShredLogEntry]) -> str | None:
    """SHA-256 over the entry hashes, in order: what a certificate quotes for its entries."""
    if not entries:
        return None
    return hashlib.sha256("\n".join(e.entry_hash for e in entries).encode("ascii")).hexdigest()


def entry_view(row: ShredLogEntry) -> dict:
    return {"seq": row.seq, "at": row.at.isoformat(), "kind": row.kind, "list": row.list_number,
            "document": row.document_id, "hash": row.entry_hash, "prev": row.prev_hash,
            "record": json.loads(row.record)}


EXPORT_FORMAT = "dossier-shredlog/1"
_COLUMNS = ("seq", "kind", "list_number", "document_id", "record", "prev_hash", "entry_hash", "signature",
            "signing_key_id")


def export_lines(session: Session):
    """The whole log as JSON lines: a header, then one line per entry with every column (the
    file ``restore --shredlog`` re-applies; it proves itself, entry by entry, with the public key)."""
    yield json.dumps({"format": EXPORT_FORMAT, "head": get_setting(session, HEAD_KEY)})
    for row in session.scalars(select(ShredLogEntry).order_by(ShredLogEntry.seq)).yield_per(500):
        line = {column: getattr(row, column) for column in _COLUMNS}
        line["at"] = row.at.isoformat()
        yield json.dumps(line, ensure_ascii=False)


def read_export(lines, public_key) -> list[ShredLogEntry]:
    """The entries of an exported log, checked like ``verify`` checks the catalog's (unsaved rows).
    Raises IntegrityFailure naming the first entry that fails, InvalidInput for a file that is
    not an export."""
    from dossier.errors import InvalidInput

    lines = iter(lines)
    try:
        header = json.loads(next(lines))
    except (StopIteration, ValueError):
        header = None
    if not isinstance(header, dict) or header.get("format") != EXPORT_FORMAT:
        raise InvalidInput("the shredding-log file is not an export of `dossier shredlog export`")
    rows: list[ShredLogEntry] = []
    prev = GENESIS
    for number, text in enumerate(lines, start=1):
        try:
            data = json.loads(text)
            row = ShredLogEntry(at=datetime.fromisoformat(data["at"]), **{c: data[c] for c in _COLUMNS})
        except (ValueError, KeyError, TypeError):
            raise InvalidInput(f"line {number + 1} of the shredding-log file is not a log entry") from None
        problem = "it is out of sequence" if row.seq != number else _check(row, number, prev, public_key)
        if problem:
            raise IntegrityFailure(f"the shredding-log file fails at entry {number}: {problem}")
        rows.append(row)
        prev = row.entry_hash
    head = header.get("head")
    if head and head != (f"{rows[-1].seq}:{rows[-1].entry_hash}" if rows else None):
        raise IntegrityFailure("the shredding-log file ends before its recorded head (entries cut off)")
    return rows
