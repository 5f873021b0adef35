"""Holds (legal hold, open complaint, dispute): while a hold is active, the documents it covers
(one document, or every document of a household) cannot be proposed for destruction or
destroyed. Holds are never deleted: releasing one records who released it, when and why."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from dossier.actor import Actor
from dossier.catalog import zh
from dossier.errors import InvalidInput, NotFound
from dossier.localtime import format_date
from dossier.models import AccessAction, Document, DocumentStatus, Hold, Household, utcnow
from dossier.permissions import Permission, can, require, require_any
from dossier.services.access import record_access
from dossier.services.documents import visible_clause


def _reason(text: str | None) -> str:
    text = (text or "").strip()
    if not text or len(text) > 500:
        raise InvalidInput("retention.hold_reason_length")
    return text


def add_hold(
    session: Session,
    actor: Actor,
    reason: str,
    *,
    household: Household | None = None,
    document: Document | None = None,
) -> Hold:
    require_any(actor, Permission.MANAGE_RECORDS, Permission.PROPOSE_DESTRUCTION)
    if (household is None) == (document is None):
        raise InvalidInput("retention.hold_scope")
    if document is not None and document.status == DocumentStatus.DESTROYED:
        raise InvalidInput("retention.document_destroyed", id=document.id)
    hold = Hold(
        household_id=household.id if household else None,
        document_id=document.id if document else None,
        reason=_reason(reason),
        placed_by=actor.username,
        placed_at=utcnow(),
    )
    session.add(hold)
    session.flush()
    if household is not None:
        folder_id = household.id
    else:
        assert document is not None  # exactly one of them (checked above)
        folder_id = document.household_id
    record_access(
        session,
        actor,
        AccessAction.HOLD_ADD,
        household_id=folder_id,
        document_id=document.id if document else None,
        detail=zh("retention.detail_hold", id=hold.id),
    )
    return hold


def get_hold(session: Session, hold_id: int) -> Hold:
    hold = session.get(Hold, hold_id)
    if hold is None:
        raise NotFound("retention.hold_unknown", id=hold_id)
    return hold


def release_hold(session: Session, actor: Actor, hold_id: int, reason: str | None = None) -> Hold:
    require(actor, Permission.APPROVE_DESTRUCTION)
    hold = get_hold(session, hold_id)
    if hold.released_at is not None:
        raise InvalidInput("retention.hold_already_released", id=hold_id, date=format_date(hold.released_at))
    hold.released_at = utcnow()
    hold.released_by = actor.username
    hold.release_reason = (reason or "").strip()[:500] or None
    record_access(
        session,
        actor,
        AccessAction.HOLD_RELEASE,
        household_id=hold.household_id,
        document_id=hold.document_id,
        detail=zh("retention.detail_hold", id=hold.id),
    )
    return hold


def list_holds(session: Session, actor: Actor, *, include_released: bool = False) -> list[Hold]:
    require_any(actor, Permission.MANAGE_RECORDS, Permission.PROPOSE_DESTRUCTION, Permission.AUDIT)
    query = select(Hold).options(selectinload(Hold.household), selectinload(Hold.document)).order_by(Hold.id)
    if not include_released:
        query = query.where(Hold.released_at.is_(None))
    return list(session.scalars(query))


def held_clause():
    """A SQL condition true for documents under an active hold."""
    active = Hold.released_at.is_(None)
    return or_(
        Document.id.in_(select(Hold.document_id).where(active, Hold.document_id.is_not(None))),
        Document.household_id.in_(select(Hold.household_id).where(active, Hold.household_id.is_not(None))),
    )


def active_holds_for(session: Session, doc: Document) -> list[Hold]:
    return list(
        session.scalars(
            select(Hold)
            .where(
                Hold.released_at.is_(None),
                or_(Hold.document_id == doc.id, Hold.household_id == doc.household_id),
            )
            .order_by(Hold.id)
        )
    )


def hold_view(hold: Hold) -> dict:
    return {
        "id": hold.id,
        "household": hold.household.code
        if hold.household
        else (hold.document.household.code if hold.document else None),
        "document": hold.document_id,
        "document_title": hold.document.title if hold.document else None,
        "scope": "household" if hold.household_id else "document",
        "reason": hold.reason,
        "placed_by": hold.placed_by,
        "placed_at": hold.placed_at.isoformat(),
        "active": hold.released_at is None,
        "released_by": hold.released_by,
        "released_at": hold.released_at.isoformat() if hold.released_at else None,
        "release_reason": hold.release_reason,
    }


def household_holds(session: Session, actor: Actor, household: Household) -> list[Hold]:
    """The active holds on a folder page: on the household, or on one of its documents that
    ``actor`` may see. Empty for a role that may not list holds (a hold's reason is internal)."""
    if not any(
        can(actor, p) for p in (Permission.MANAGE_RECORDS, Permission.PROPOSE_DESTRUCTION, Permission.AUDIT)
    ):
        return []
    visible_docs = select(Document.id).where(Document.household_id == household.id, visible_clause(actor))
    return list(
        session.scalars(
            select(Hold)
            .where(
                Hold.released_at.is_(None),
                or_(Hold.household_id == household.id, Hold.document_id.in_(visible_docs)),
            )
            .options(selectinload(Hold.document))
            .order_by(Hold.id)
        )
    )
