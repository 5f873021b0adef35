"""Tamper-evident logs: hash-chained entries and a signed head kept in two places.

Used by the shredding log, the access log and the documents' change history. Each entry carries
its sequence number, the previous entry's hash and its own (SHA-256 of its canonical record), so an
edit, insertion, deletion or reordering breaks the chain. The signed head is kept in ``log_heads``
(same transaction) and in the anchor ``$DOSSIER_KEYS_DIR/log-heads.json`` (rewritten after each
commit, never moved backwards). Appending locks the head row first; on PostgreSQL a transaction's
first append locks every head in name order, so writers queue and never wait in a circle.
Why: docs/decisions/014-tamper-evident-logs.md.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypedDict, cast

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import CursorResult, event, select, update
from sqlalchemy.orm import Session

from dossier.catalog import Text, text, zh
from dossier.config import Settings
from dossier.errors import ConfigurationError
from dossier.fsutil import fsync_dir
from dossier.keys import load_signer
from dossier.models import LogHead
from dossier.signing import Signer, canonical_bytes
from dossier.signing import verify as verify_signature

log = logging.getLogger(__name__)

Record = dict[str, Any]  # a JSON object as signed and stored

HISTORY, SHREDLOG, ACCESS = "history", "shredlog", "access"
LOGS = (HISTORY, SHREDLOG, ACCESS)
GENESIS = "0" * 64
ANCHOR_FILE = "log-heads.json"
ANCHOR_FORMAT = "dossier-log-heads/1"
_PENDING = "ledger.pending_heads"
_LOCKED = "ledger.heads_locked"
_signers: dict[str, Signer] = {}


def entry_hash(record: Record) -> str:
    """SHA-256 of the record's canonical JSON (``dossier.signing.canonical_bytes``)."""
    return hashlib.sha256(canonical_bytes(record)).hexdigest()


def timestamp(at: datetime) -> str:
    """A stored time as the chain records it: UTC, ISO 8601 with microseconds. SQLite gives the
    time back without its zone, PostgreSQL in the session's zone; both give this same text."""
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return at.isoformat(timespec="microseconds")


def head_record(name: str, seq: int, digest: str) -> Record:
    """What a head's signature vouches for."""
    return {"log": name, "seq": seq, "hash": digest}


# --- the archive behind a session --------------------------------------------------------------


def settings_of(session: Session) -> Settings:
    settings: Settings | None = session.info.get("settings")
    if settings is None:
        raise ConfigurationError("ledger.no_archive")
    return settings


def signer_of(session: Session) -> Signer:
    """The archive's signing key, loaded once per process."""
    path = str(settings_of(session).signing_key_file)
    signer = _signers.get(path)
    if signer is None:
        signer = _signers[path] = load_signer(settings_of(session))
    return signer


# --- appending ---------------------------------------------------------------------------------


def link(session: Session, name: str) -> tuple[int, str]:
    """Reserve the next entry of log ``name``: lock its head and return (seq, previous hash).
    The caller adds its entry and calls :func:`seal` in the same transaction."""
    if not session.info.get(_LOCKED) and session.get_bind().dialect.name == "postgresql":
        session.execute(select(LogHead.name).order_by(LogHead.name).with_for_update())
    session.info[_LOCKED] = True
    moved = cast(
        CursorResult[Any],
        session.execute(
            update(LogHead)
            .where(LogHead.name == name)
            .values(seq=LogHead.seq + 1)
            .execution_options(synchronize_session=False)
        ),
    )
    if moved.rowcount == 0:
        # No head (a new log, or one wiped with its head): start again; the anchor still
        # remembers how far the log had gone, so a wipe does not pass unnoticed.
        session.add(LogHead(name=name, seq=1, hash=GENESIS))
        session.flush()
        return 1, GENESIS
    row = session.execute(select(LogHead.seq, LogHead.hash).where(LogHead.name == name)).one()
    return int(row.seq), str(row.hash)


def holds_heads(session: Session) -> bool:
    """Whether ``session``'s transaction has appended to a log, and so holds the heads until it ends."""
    return bool(session.info.get(_LOCKED))


def seal(session: Session, name: str, seq: int, digest: str) -> None:
    """Make entry ``seq`` (hash ``digest``) the signed head of log ``name``; the anchor file
    follows once the transaction commits."""
    signer = signer_of(session)
    signature = signer.sign(head_record(name, seq, digest))
    session.execute(
        update(LogHead)
        .where(LogHead.name == name)
        .values(seq=seq, hash=digest, signature=signature, signing_key_id=signer.fingerprint)
        .execution_options(synchronize_session=False)
    )
    session.info.setdefault(_PENDING, {})[name] = {
        "seq": seq,
        "hash": digest,
        "signature": signature,
        "signing_key_id": signer.fingerprint,
    }


@contextmanager
def savepoint(session: Session) -> Iterator[None]:
    """``session.begin_nested()`` for work that may append to a log: when the savepoint rolls
    back, the heads sealed inside it are forgotten too, so the anchor written at commit never
    names an entry that was rolled back (imports: one savepoint per row)."""
    pending = {name: dict(head) for name, head in session.info.get(_PENDING, {}).items()}
    locked = session.info.get(_LOCKED)
    try:
        with session.begin_nested():
            yield
    except BaseException:
        session.info[_PENDING] = pending
        if locked:
            session.info[_LOCKED] = locked
        else:  # a lock taken inside the savepoint went with it
            session.info.pop(_LOCKED, None)
        raise


@event.listens_for(Session, "after_commit")
def _anchor_after_commit(session: Session) -> None:
    session.info.pop(_LOCKED, None)
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    try:
        write_anchor(settings_of(session), pending)
    except OSError as exc:  # the entries are committed; the anchor catches up at the next one
        log.warning("could not write the log-head anchor: %s", exc)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_LOCKED, None)


# --- the anchor file ---------------------------------------------------------------------------


def anchor_path(settings: Settings) -> Path:
    return settings.keys_dir / ANCHOR_FILE


@contextmanager
def _anchor_lock(settings: Settings) -> Iterator[None]:
    settings.keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(settings.keys_dir / "log-heads.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def read_anchor(settings: Settings) -> dict[str, Record] | None:
    """The anchored heads by log name; None when there is no anchor file."""
    try:
        data = json.loads(anchor_path(settings).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {}
    heads = data.get("heads") if isinstance(data, dict) and data.get("format") == ANCHOR_FORMAT else None
    return heads if isinstance(heads, dict) else {}


def write_anchor(settings: Settings, heads: dict[str, Record], *, replace: bool = False) -> None:
    """Anchor ``heads``: a head replaces the anchored one only when it is further on (or when
    ``replace``: at upgrade and restore). Written to a new file, then renamed over the old. Not
    synced to disk: after a power cut the anchor may be an entry or two behind, which verification
    accepts (an anchor behind the log still proves everything up to it), and each commit saves
    two fsyncs (bench/ledger.py)."""
    path = anchor_path(settings)
    with _anchor_lock(settings):
        current = read_anchor(settings) or {}
        merged = dict(current)
        for name, head in heads.items():
            if replace or int(head["seq"]) > int((current.get(name) or {}).get("seq", -1)):
                merged[name] = head
        if merged == current and path.exists():
            return
        tmp = path.with_name(f".{ANCHOR_FILE}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"format": ANCHOR_FORMAT, "heads": merged}, fh, sort_keys=True, indent=1)
        os.replace(tmp, path)
        if replace:
            fsync_dir(path.parent)


def head_view(head: LogHead) -> Record:
    return {
        "seq": head.seq,
        "hash": head.hash,
        "signature": head.signature,
        "signing_key_id": head.signing_key_id,
    }


def sign_unsigned_heads(session: Session) -> list[str]:
    """Sign the heads an upgrade left unsigned (migration 0006 chains the old entries) and
    anchor them; the caller commits. Returns the names signed."""
    signer = signer_of(session)
    signed = []
    for head in session.scalars(select(LogHead).where(LogHead.signature.is_(None))):
        head.signature = signer.sign(head_record(head.name, head.seq, head.hash))
        head.signing_key_id = signer.fingerprint
        signed.append(head.name)
    if signed:
        session.flush()
        write_anchor(
            settings_of(session),
            {h.name: head_view(h) for h in session.scalars(select(LogHead).where(LogHead.name.in_(signed)))},
            replace=True,
        )
    return signed


def anchor_catalog_heads(session: Session) -> None:
    """Anchor every head as the catalog holds it (a restore into a new home)."""
    write_anchor(
        settings_of(session), {h.name: head_view(h) for h in session.scalars(select(LogHead))}, replace=True
    )


# --- verification ------------------------------------------------------------------------------


def check_signed_entry(row: Any, columns: dict[str, Any], public_key: Ed25519PublicKey) -> str | None:
    """Why an entry that keeps its signed record as text (``row.record``: canonical JSON naming
    its ``seq`` and ``prev``) is not genuine, or None: the record must parse, be the entry's own,
    hash to ``row.entry_hash``, link as ``row.prev_hash`` says, agree with the row's ``columns``
    (record field → column value) and bear a valid signature."""
    try:
        record = json.loads(row.record)
    except ValueError:
        return zh("ledger.record_not_json")
    if not isinstance(record, dict):
        return zh("ledger.record_not_object")
    if record.get("seq") != row.seq:
        return zh("ledger.record_of_other", seq=record.get("seq"))
    try:
        digest = entry_hash(record)
    except Exception:  # noqa: BLE001 - a record that cannot be canonicalised cannot be genuine
        return zh("ledger.record_unhashable")
    if digest != row.entry_hash:
        return zh("ledger.hash_mismatch")
    if record.get("prev") != row.prev_hash:
        return zh("ledger.link_altered")
    if any(record.get(field) != value for field, value in columns.items()):
        return zh("ledger.columns_altered")
    if not verify_signature(public_key, record, row.signature):
        return zh("ledger.signature_bad")
    return None


class LogProblem(TypedDict):
    """One problem found: the entry it concerns and why (in Chinese: audit reports show it)."""

    seq: int
    problem: str


class LogHeadRef(TypedDict):
    """Where a walked log ends: its last entry and that entry's hash (None for an empty log)."""

    seq: int
    hash: str | None


@dataclass(frozen=True)
class LogVerdict:
    """What :func:`verify_log` found; ``as_dict`` is the JSON object ``--json`` prints."""

    ok: bool
    entries: int
    head: LogHeadRef
    anchor: Record | None  # the anchored head's seq and hash, as read from the anchor file
    broken_at: int | None  # the first bad entry
    problems: tuple[LogProblem, ...]

    def as_dict(self) -> Record:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "head": dict(self.head),
            "anchor": dict(self.anchor) if self.anchor is not None else None,
            "broken_at": self.broken_at,
            "problems": [dict(p) for p in self.problems],
        }


@dataclass
class _Walk:
    problems: list[LogProblem]
    prev: str = GENESIS
    expected: int = 1
    count: int = 0
    hash_at_anchor: str | None = None

    def add(self, seq: int, problem: str) -> None:
        self.problems.append({"seq": seq, "problem": problem})


def _span(first: int, last: int) -> Text:
    return (
        text("ledger.span_one", first=first)
        if first == last
        else text("ledger.span_many", first=first, last=last)
    )


def _walk(
    rows: Iterable[Any], check_entry: Callable[[Any], str | None], anchor_seq: int, walk: _Walk
) -> None:
    for row in rows:
        walk.count += 1
        if row.seq != walk.expected:
            missing = _span(walk.expected, row.seq - 1)
            if row.seq < walk.expected:
                walk.add(row.seq, zh("ledger.out_of_order", seq=row.seq))
            else:
                walk.add(
                    walk.expected, zh("ledger.missing", span=missing, seq=row.seq, previous=walk.expected - 1)
                )
        problem = check_entry(row)
        if problem:
            walk.add(row.seq, zh("ledger.entry_problem", seq=row.seq, problem=problem))
        elif row.prev_hash != walk.prev and row.seq == walk.expected:
            if row.seq == 1:
                walk.add(1, zh("ledger.bad_start"))
            else:
                walk.add(row.seq - 1, zh("ledger.chain_broken", seq=row.seq - 1, next=row.seq))
        if row.seq == anchor_seq:
            walk.hash_at_anchor = row.entry_hash
        walk.prev, walk.expected = row.entry_hash, row.seq + 1


def _check_head(session: Session, name: str, public_key: Ed25519PublicKey, walk: _Walk) -> None:
    last = walk.expected - 1
    head = session.get(LogHead, name)
    if head is None:
        if walk.count:
            walk.add(1, zh("ledger.no_head"))
        return
    if not head.signature or not verify_signature(
        public_key, head_record(name, head.seq, head.hash), head.signature
    ):
        walk.add(max(head.seq, 1), zh("ledger.head_unsigned"))
    if head.seq > last:
        walk.add(last + 1, zh("ledger.missing_end", span=_span(last + 1, head.seq), head=head.seq))
    elif head.seq != last or (last and head.hash != walk.prev):
        walk.add(max(head.seq, 1), zh("ledger.head_mismatch", head=head.seq, last=last))


def _check_anchor(
    name: str, anchor: Record | None, public_key: Ed25519PublicKey, walk: _Walk, anchor_file: Path
) -> None:
    last = walk.expected - 1
    if anchor is None:
        if walk.count:
            walk.add(1, zh("ledger.anchor_missing", file=anchor_file))
        return
    seq, digest = int(anchor.get("seq", 0)), str(anchor.get("hash", ""))
    if not verify_signature(public_key, head_record(name, seq, digest), anchor.get("signature", "")):
        walk.add(max(seq, 1), zh("ledger.anchor_unsigned", file=anchor_file))
    elif seq > last:
        walk.add(last + 1, zh("ledger.cut_back", span=_span(last + 1, seq), seq=seq))
    elif seq and walk.hash_at_anchor != digest:
        walk.add(seq, zh("ledger.anchor_differs", seq=seq))


def verify_log(
    session: Session,
    name: str,
    rows: Iterable[Any],
    check_entry: Callable[[Any], str | None],
    public_key: Ed25519PublicKey,
) -> LogVerdict:
    """Walk log ``name``'s ``rows`` (in seq order; each with ``seq``, ``prev_hash``, ``entry_hash``),
    checking each entry with ``check_entry`` (None, or why it is not genuine), the chain, the
    catalog's head and the anchored head. ``broken_at`` names the first bad entry."""
    settings = settings_of(session)
    anchors = read_anchor(settings)
    anchor = None if anchors is None else anchors.get(name)
    walk = _Walk(problems=[])
    _walk(rows, check_entry, int((anchor or {}).get("seq", 0) or 0), walk)
    _check_head(session, name, public_key, walk)
    _check_anchor(name, anchor, public_key, walk, anchor_path(settings))
    walk.problems.sort(key=lambda p: p["seq"])
    return LogVerdict(
        ok=not walk.problems,
        entries=walk.count,
        head={"seq": walk.expected - 1, "hash": walk.prev if walk.count else None},
        anchor={"seq": anchor.get("seq"), "hash": anchor.get("hash")} if anchor else None,
        broken_at=walk.problems[0]["seq"] if walk.problems else None,
        problems=tuple(walk.problems),
    )
