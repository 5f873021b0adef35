"""The access log (查阅登记): who looked at what, and who was refused. Append-only and chained.

Every entry is a link of the access log's hash chain (``dossier.ledger``): its hash covers all
its columns, its number and the previous entry's hash, and the log's head is signed and
anchored, so deleting, editing or inserting entries is caught by ``audit verify``.

Nothing here commits: an entry commits with the use case that wrote it, except a refusal
(``record_refusal``), which commits in its own short transaction.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from dossier import ledger
from dossier.actor import Actor
from dossier.catalog import zh
from dossier.db import session_factory
from dossier.models import AccessAction, AccessEvent, AccessOutcome, utcnow

RECORD_VERSION = 1


def access_record(event: AccessEvent) -> dict[str, Any]:
    """What an access-log entry's hash covers."""
    return {
        "v": RECORD_VERSION,
        "seq": event.seq,
        "prev": event.prev_hash,
        "at": ledger.timestamp(event.at),
        "user_id": event.user_id,
        "username": event.username,
        "role": event.role,
        "action": event.action,
        "outcome": event.outcome,
        "household_id": event.household_id,
        "document_id": event.document_id,
        "detail": event.detail,
        "client_addr": event.client_addr,
        "channel": event.channel,
    }


def record_access(
    session: Session,
    actor: Actor,
    action: AccessAction,
    *,
    household_id: int | None = None,
    document_id: int | None = None,
    detail: str | None = None,
    outcome: AccessOutcome = AccessOutcome.OK,
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


def record_refusal(
    session: Session,
    actor: Actor,
    action: AccessAction,
    *,
    household_id: int | None = None,
    document_id: int | None = None,
    detail: str | None = None,
) -> None:
    """Log that ``actor`` was refused ``action``, in its own short transaction (a second session
    of the same archive, committed at once), so the refusal is on record whatever becomes of the
    caller's transaction, which is left untouched: the entry point rolls it back.

    When the caller's transaction would keep a second one from writing the log (it has appended
    to a log and holds the heads, or on SQLite it has written at all: one writer at a time), the
    entry goes into the caller's transaction instead of waiting on it for ever."""
    record = partial(
        record_access,
        actor=actor,
        action=action,
        household_id=household_id,
        document_id=document_id,
        detail=detail,
        outcome=AccessOutcome.DENIED,
    )
    if _blocks_writers(session):
        record(session)
        return
    with session_factory(ledger.settings_of(session))() as own:
        record(own)
        own.commit()


def record_forbidden(session: Session, actor: Actor, request: str) -> None:
    """A request refused for want of a permission (``request``: its method and path); logged in
    its own transaction, like every refusal."""
    record_refusal(session, actor, AccessAction.FORBIDDEN, detail=request[:500])


def record_login(session: Session, actor: Actor, name: str, *, refused: bool = False) -> None:
    """A sign-in, or a refused one (``name`` as the log keeps it: see ``webapp.auth``). Written
    with the sign-in's own changes (the throttle's counts), in the caller's transaction."""
    record_access(
        session,
        actor,
        AccessAction.LOGIN,
        detail=name[:200],
        outcome=AccessOutcome.DENIED if refused else AccessOutcome.OK,
    )


def record_logout(session: Session, actor: Actor) -> None:
    record_access(session, actor, AccessAction.LOGOUT, detail=actor.username)


def _blocks_writers(session: Session) -> bool:
    if ledger.holds_heads(session):
        return True
    if not session.in_transaction() or session.get_bind().dialect.name != "sqlite":
        return False
    return bool(getattr(session.connection().connection.dbapi_connection, "in_transaction", False))


def _check_entry(event: AccessEvent) -> str | None:
    if ledger.entry_hash(access_record(event)) != event.entry_hash:
        return zh("accesslog.check.hash_mismatch")
    return None


def verify_access_log(session: Session, public_key: Ed25519PublicKey) -> ledger.LogVerdict:
    """The access log's chain, head and anchor (``dossier.ledger.verify_log``)."""
    rows = session.scalars(select(AccessEvent).order_by(AccessEvent.seq)).yield_per(1000)
    return ledger.verify_log(session, ledger.ACCESS, rows, _check_entry, public_key)
