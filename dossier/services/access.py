"""The access log (查阅登记): who looked at what, and who was refused. Append-only."""

from __future__ import annotations

from sqlalchemy.orm import Session

from dossier.actor import Actor
from dossier.models import AccessEvent


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
    event = AccessEvent(
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
    )
    session.add(event)
    return event
