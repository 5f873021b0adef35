"""The access log (查阅登记): who looked at what, and who was refused. Append-only and chained.

Every entry is a link of the access log's hash chain (``dossier.ledger``): its hash covers all
its columns, its number and the previous entry's hash, and the log's head is signed and
anchored, so deleting, editing or inserting entries is caught by ``audit verify``.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dossier import ledger
from dossier.actor import Actor
from dossier.models import AccessEvent, utcnow

RECORD_VERSION = 1


def access_record(event: AccessEvent) -> dict:
    """What an access-log entry's hash covers."""
    return {"v": RECORD_VERSION, "seq": event.seq, "prev": event.prev_hash, "at": ledger.timestamp(event.at),
            "user_id": event.user_id, "username": event.username, "role": event.role, "action": event.action,
            "outcome": event.outcome, "household_id": event.household_id, "document_id": event.document_id,
            "detail": event.detail, "client_addr": event.client_addr, "channel": event.channel}


def record_access(
    session: Session,
    actor: Actor,
    action: str,
    *,
    household_id: int | None = None,
    document_id: int | None = None,
    detail: str | None = None,
    outcome: str = "ok",
) -> AccessEvent:
    seq, prev = ledger.link(session, ledger.ACCESS)
    event = AccessEvent(
        at=utcnow(),
        user_id=actor.user_id,
        username=actor.username,
        role=actor.role,
        action=action,
        outcome=outcome,
        household_id=household_id,
        document_id=document_id,
        detail=detail,
        client_addr=actor.client_addr,
        channel=actor.channel,
        seq=seq,
        prev_hash=prev,
    )
    event.entry_hash = ledger.entry_hash(access_record(event))
    session.add(event)
    ledger.seal(session, ledger.ACCESS, seq, event.entry_hash)
    return event


def _check_entry(event: AccessEvent) -> str | None:
    if ledger.entry_hash(access_record(event)) != event.entry_hash:
        return "its columns do not match its hash (altered)"
    return None


def verify_access_log(session: Session, public_key) -> dict:
    """The access log's chain, head and anchor (``dossier.ledger.verify_log``)."""
    rows = session.scalars(select(AccessEvent).order_by(AccessEvent.seq)).yield_per(1000)
    return ledger.verify_log(session, ledger.ACCESS, rows, _check_entry, public_key)
