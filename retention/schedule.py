"""Retention decisions on one document or household: its own class, its household's close date,
and what the document page says about its schedule.

The dates themselves are computed in the records layer (``dossier.services.disposal``), since
filing a document needs them; whatever changes an input here recomputes the dates it affects, in
the same transaction. A reviewer who strikes a document from a destruction list may keep it
longer (``retain_until``), never shorter.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dossier import localtime
from dossier.actor import Actor
from dossier.errors import InvalidInput
from dossier.models import (
    AccessAction,
    Document,
    DocumentStatus,
    Household,
    HouseholdStatus,
    RetentionTrigger,
)
from dossier.permissions import Permission, require
from dossier.services import history
from dossier.services.access import record_access
from dossier.services.disposal import assign, class_of, recompute_all, recompute_for_household, resolve_class
from retention.classes import TRIGGER_NAMES_ZH, period_text
from retention.holds import active_holds_for


def set_document_class(
    session: Session, actor: Actor, doc: Document, class_code: str | None, *, reason: str | None = None
) -> Document:
    """Give a document its own class (None: follow its type's default again)."""
    require(actor, Permission.MANAGE_RECORDS)
    if doc.status == DocumentStatus.DESTROYED:
        raise InvalidInput("retention.document_destroyed", id=doc.id)
    before = doc.retention_class
    doc.retention_class = resolve_class(session, class_code).code if class_code else None
    assign(session, doc)
    if doc.retention_class != before:
        history.append(session, doc, history.RETENTION, actor=actor.username, reason=reason)
    record_access(
        session,
        actor,
        AccessAction.DOCUMENT_RETENTION,
        household_id=doc.household_id,
        document_id=doc.id,
        detail=doc.retention_class,
    )
    return doc


def check_close_date(
    session: Session, household: Household, closed_on: date, *, today: date | None = None
) -> None:
    """Refuse a close date in the future or before the folder's newest document (asked before
    the confirmation step, and again when the date is recorded)."""
    if closed_on > (today or localtime.today()):
        raise InvalidInput("retention.close_date_future", date=closed_on)
    latest = session.scalar(
        select(func.max(Document.document_date)).where(
            Document.household_id == household.id, Document.status != DocumentStatus.DESTROYED
        )
    )
    if latest is not None and closed_on < latest:
        raise InvalidInput(
            "retention.close_date_before_documents", code=household.code, date=closed_on, latest=latest
        )


def set_household_close_date(
    session: Session, actor: Actor, household: Household, closed_on: date | None, *, today: date | None = None
) -> int:
    """Close a household on ``closed_on`` (None reopens it); recomputes its documents'
    disposal dates and returns how many changed."""
    require(actor, Permission.MANAGE_RECORDS)
    if closed_on is not None:
        check_close_date(session, household, closed_on, today=today)
    household.closed_on = closed_on
    household.status = HouseholdStatus.CLOSED if closed_on else HouseholdStatus.ACTIVE
    session.flush()
    changed = recompute_for_household(session, household.id)
    record_access(
        session,
        actor,
        AccessAction.HOUSEHOLD_CLOSE if closed_on else AccessAction.HOUSEHOLD_REOPEN,
        household_id=household.id,
        detail=closed_on.isoformat() if closed_on else None,
    )
    return changed


def recompute_disposal_dates(session: Session, actor: Actor) -> int:
    """Recompute every document's disposal date (administrators); how many changed."""
    require(actor, Permission.ADMIN)
    return recompute_all(session)


def schedule_view(session: Session, doc: Document) -> dict:
    """What the document page says about retention: class, period, basis, disposal date."""
    row = class_of(session, doc)
    holds = active_holds_for(session, doc)
    return {
        "class": row.code if row else None,
        "class_name": row.name if row else None,
        "own_class": doc.retention_class is not None,
        "period": period_text(row) if row else None,
        "trigger": row.trigger if row else None,
        "trigger_name": TRIGGER_NAMES_ZH.get(row.trigger) if row else None,
        "waiting_for_close": bool(
            row
            and row.years is not None
            and row.trigger == RetentionTrigger.HOUSEHOLD_CLOSED
            and doc.household.closed_on is None
        ),
        "disposal_date": doc.disposal_date.isoformat() if doc.disposal_date else None,
        "retain_until": doc.retain_until.isoformat() if doc.retain_until else None,
        "held": bool(holds),
        "holds": [{"id": h.id, "reason": h.reason, "placed_by": h.placed_by} for h in holds],
    }
