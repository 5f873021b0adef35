"""The shredding log: one entry per destroyed item (electronic or paper), append-only.

Each entry is a canonical JSON record (see ``dossier.signing``) holding its sequence number, the
previous entry's hash and the facts of the destruction, signed with the archive's Ed25519 key.
The log is one of the archive's tamper-evident logs (``dossier.ledger``): chained, with a signed
head in the catalog and the same head anchored beside the keys, so cutting entries off the end,
wiping the log, reordering, editing or inserting entries is noticed and the first bad entry named.
The models refuse to change or delete entries, and so do the database's triggers.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from dossier import ledger
from dossier.actor import Actor
from dossier.catalog import text
from dossier.errors import IntegrityFailure, InvalidInput
from dossier.models import DestructionList, LogHead, ShredKind, ShredLogEntry
from dossier.people import display_names
from dossier.permissions import Permission, require
from dossier.signing import Signer
from dossier.signing import verify as verify_signature

RECORD_VERSION = 1
GENESIS = ledger.GENESIS


def entry_hash(record: dict) -> str:
    return ledger.entry_hash(record)


def append(
    session: Session,
    signer: Signer,
    *,
    kind: ShredKind,
    list_number: str,
    document_id: int,
    at: datetime,
    facts: dict,
) -> ShredLogEntry:
    """Add the next entry (in the caller's transaction, so it commits with the destruction)."""
    seq, prev = ledger.link(session, ledger.SHREDLOG)
    record = {
        "v": RECORD_VERSION,
        "seq": seq,
        "prev": prev,
        "at": at.isoformat(),
        "kind": kind,
        "list": list_number,
        "document": document_id,
        **facts,
    }
    digest = entry_hash(record)
    row = ShredLogEntry(
        seq=seq,
        at=at,
        kind=kind,
        list_number=list_number,
        document_id=document_id,
        record=json.dumps(record, ensure_ascii=False, sort_keys=True),
        prev_hash=prev,
        entry_hash=digest,
        signature=signer.sign(record),
        signing_key_id=signer.fingerprint,
    )
    session.add(row)
    session.flush()
    ledger.seal(session, ledger.SHREDLOG, seq, digest)
    record_range(session, list_number)
    return row


def record_range(session: Session, list_number: str) -> None:
    """Keep the list's range hash (what its certificate quotes) in step with its entries."""
    session.execute(
        update(DestructionList)
        .where(DestructionList.number == list_number)
        .values(log_range_sha256=range_hash(entries_for_list(session, list_number)))
        .execution_options(synchronize_session=False)
    )


def _check(row: ShredLogEntry, public_key) -> str | None:
    """Why ``row`` is not a genuine entry, or None (the chain itself is walked by the ledger)."""
    return ledger.check_signed_entry(
        row, {"kind": row.kind, "list": row.list_number, "document": row.document_id}, public_key
    )


def verify(session: Session, public_key) -> ledger.LogVerdict:
    """Check the whole log; ``ok`` is False and ``broken_at`` names the first bad entry when
    anything fails. Every problem found is listed."""
    rows = session.scalars(select(ShredLogEntry).order_by(ShredLogEntry.seq)).yield_per(500)
    return ledger.verify_log(session, ledger.SHREDLOG, rows, lambda row: _check(row, public_key), public_key)


def head_text(session: Session) -> str | None:
    """The signed head as printed on certificates and exports: ``seq:hash``."""
    head = session.get(LogHead, ledger.SHREDLOG)
    return f"{head.seq}:{head.hash}" if head is not None and head.seq else None


def entries_for_list(session: Session, list_number: str) -> list[ShredLogEntry]:
    return list(
        session.scalars(
            select(ShredLogEntry).where(ShredLogEntry.list_number == list_number).order_by(ShredLogEntry.seq)
        )
    )


def range_hash(entries: list[ShredLogEntry]) -> str | None:
    """SHA-256 over the entry hashes, in order: what a certificate quotes for its entries."""
    if not entries:
        return None
    return _range_of([e.entry_hash for e in entries])


def _range_of(hashes: list[str]) -> str:
    return hashlib.sha256("\n".join(hashes).encode("ascii")).hexdigest()


def entry_view(row: ShredLogEntry) -> dict:
    return {
        "seq": row.seq,
        "at": row.at.isoformat(),
        "kind": row.kind,
        "list": row.list_number,
        "document": row.document_id,
        "hash": row.entry_hash,
        "prev": row.prev_hash,
        "record": json.loads(row.record),
    }


EXPORT_FORMAT = "dossier-shredlog/1"
_COLUMNS = (
    "seq",
    "kind",
    "list_number",
    "document_id",
    "record",
    "prev_hash",
    "entry_hash",
    "signature",
    "signing_key_id",
)


def export_lines(session: Session):
    """The whole log as JSON lines: a header, then one line per entry with every column (the
    file ``restore --shredlog`` re-applies; it proves itself, entry by entry, with the public key)."""
    head = session.get(LogHead, ledger.SHREDLOG)
    yield json.dumps(
        {
            "format": EXPORT_FORMAT,
            "head": head_text(session),
            "head_signature": head.signature if head is not None else None,
        }
    )
    for row in session.scalars(select(ShredLogEntry).order_by(ShredLogEntry.seq)).yield_per(500):
        line = {column: getattr(row, column) for column in _COLUMNS}
        line["at"] = row.at.isoformat()
        yield json.dumps(line, ensure_ascii=False)


def verify_log(session: Session, actor: Actor, public_key) -> ledger.LogVerdict:
    """``verify`` for an auditor (``dossier shredlog verify``)."""
    require(actor, Permission.AUDIT)
    return verify(session, public_key)


def list_entries(session: Session, actor: Actor, list_number: str | None = None) -> list[dict]:
    """The log's entries (of one destruction list, if given), oldest first, for an auditor."""
    require(actor, Permission.AUDIT)
    query = select(ShredLogEntry).order_by(ShredLogEntry.seq)
    if list_number:
        query = query.where(ShredLogEntry.list_number == list_number)
    return [entry_view(e) for e in session.scalars(query)]


def entries_page(
    session: Session, actor: Actor, *, list_number: str | None = None, limit: int = 50, offset: int = 0
) -> tuple[int, list[dict]]:
    """One page of the log's entries (of one destruction list, if given), newest first, and how
    many there are in all: what the shredding-log page shows an auditor."""
    require(actor, Permission.AUDIT)
    query = select(ShredLogEntry)
    if list_number:
        query = query.where(ShredLogEntry.list_number == list_number)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(ShredLogEntry.seq.desc()).limit(limit).offset(offset))
    views = [entry_view(e) for e in rows]
    # Who destroyed (electronic) or recorded (paper) each, by 姓名 where the account has one.
    usernames = {v["record"].get("destroyed_by") or v["record"].get("recorded_by") for v in views}
    names = display_names(session, usernames)
    for v in views:
        who = v["record"].get("destroyed_by") or v["record"].get("recorded_by")
        v["by"] = who
        v["by_name"] = names.get(who, who) if who else None
    return total, views


def certificate_ranges(session: Session, actor: Actor) -> list[dict]:
    """Per destruction list with entries, newest first: the first and last entry, how many, the
    range hash its certificate quotes, and whether the entries in the log still hash to it."""
    require(actor, Permission.AUDIT)
    hashes: dict[str, list[str]] = {}
    seqs: dict[str, list[int]] = {}
    rows = session.execute(
        select(ShredLogEntry.list_number, ShredLogEntry.seq, ShredLogEntry.entry_hash).order_by(
            ShredLogEntry.seq
        )
    )
    for number, seq, digest in rows:
        hashes.setdefault(number, []).append(digest)
        seqs.setdefault(number, []).append(seq)
    quoted = dict(
        session.execute(
            select(DestructionList.number, DestructionList.log_range_sha256).where(
                DestructionList.number.in_(list(hashes))
            )
        ).all()
    )
    out = []
    for number in sorted(hashes, key=lambda n: seqs[n][-1], reverse=True):
        now = _range_of(hashes[number])
        out.append(
            {
                "list": number,
                "entries": len(hashes[number]),
                "first": seqs[number][0],
                "last": seqs[number][-1],
                "sha256": quoted.get(number),
                "matches": quoted.get(number) == now,
            }
        )
    return out


_CJK = re.compile(r"[\u4e00-\u9fff]")
# What each problem ``verify`` reports means, for the web page (the details stay as found).
_PROBLEMS_ZH = (
    ("missing from the end", "日志末尾的条目缺失（日志被截短或清空）"),
    ("missing", "条目缺失"),
    ("appears twice or out of order", "条目重复或顺序错乱"),
    ("does not start the chain", "首条不是日志链的起点（被改写）"),
    ("the chain is broken", "与下一条之间的链接断开（其中一条被改写）"),
    ("moved or reordered", "条目被移动或重排"),
    ("does not match its hash", "内容与其摘要不符（被改动）"),
    ("link to the previous entry differs", "与上一条的链接和签名记录不符（被改动）"),
    ("columns differ", "字段与签名记录不符（被改动）"),
    ("signature is not valid", "签名无效"),
    ("JSON", "记录已损坏"),
    ("cannot be hashed", "记录已损坏"),
    ("no head in the catalog", "目录中的日志头被删除"),
    ("catalog's head is not signed", "目录中的日志头签名无效（被改写）"),
    ("does not match the last entry", "目录中的日志头与最后一条不符"),
    ("anchor of this log is missing", "日志头的锚定记录缺失"),
    ("anchored head in", "锚定的日志头签名无效"),
    ("differs from the anchored head", "与锚定的日志头不符（日志被改写）"),
)


def problem_zh(problem: str) -> str:
    """A problem ``verify`` found, in Chinese: as the ledger said it when it says it in Chinese,
    else one Chinese phrase for the English it said."""
    if _CJK.search(problem):
        return problem
    return next((zh for marker, zh in _PROBLEMS_ZH if marker in problem), "完整性检查未通过")


def export_log(session: Session, actor: Actor) -> list[str]:
    """``export_lines`` for an auditor (``dossier shredlog export``)."""
    require(actor, Permission.AUDIT)
    return list(export_lines(session))


def read_export(lines, public_key) -> list[ShredLogEntry]:
    """The entries of an exported log, checked like ``verify`` checks the catalog's (unsaved rows).
    Raises IntegrityFailure naming the first entry that fails, InvalidInput for a file that is
    not an export."""
    lines = iter(lines)
    try:
        header = json.loads(next(lines))
    except (StopIteration, ValueError):
        header = None
    if not isinstance(header, dict) or header.get("format") != EXPORT_FORMAT:
        raise InvalidInput("retention.export_not_shredlog")
    rows: list[ShredLogEntry] = []
    prev = GENESIS
    for number, line in enumerate(lines, start=1):
        try:
            data = json.loads(line)
            row = ShredLogEntry(at=datetime.fromisoformat(data["at"]), **{c: data[c] for c in _COLUMNS})
        except (ValueError, KeyError, TypeError):
            raise InvalidInput("retention.export_bad_line", line=number + 1) from None
        checked = None if row.seq != number or row.prev_hash != prev else _check(row, public_key)
        problem = (
            text("retention.export_out_of_sequence")
            if row.seq != number
            else text("retention.export_not_following")
            if row.prev_hash != prev
            else checked
            if checked
            else None
        )
        if problem:
            raise IntegrityFailure("retention.export_fails_at", seq=number, problem=problem)
        rows.append(row)
        prev = row.entry_hash
    head = header.get("head")
    if head and head != (f"{rows[-1].seq}:{rows[-1].entry_hash}" if rows else None):
        raise IntegrityFailure("retention.export_cut_off")
    if rows and not verify_signature(
        public_key,
        ledger.head_record(ledger.SHREDLOG, rows[-1].seq, rows[-1].entry_hash),
        header.get("head_signature") or "",
    ):
        raise IntegrityFailure("retention.export_head_unsigned")
    return rows
