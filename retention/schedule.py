"""Disposal dates: derived from a document's class and its trigger, never typed in.

A document's class is its own (``Document.retention_class``, set at intake or later) or else its
type's default. Following the archival rule, a period is counted from 1 January of the year after
the trigger: the document's date (its received date when it has none), or the day its household
closed (the owner moved out or the unit changed hands). So a 10-year document dated 2014-06-03
may be destroyed from 2025-01-01. Permanent documents, and documents waiting for their household
to close, have no disposal date. A reviewer who strikes a document from a destruction list may
keep it longer (``retain_until``), never shorter.

Whatever changes an input (a class's period or trigger, a type's default class, a document's
class, a household's close date) recomputes the dates it affects, in the same transaction.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from dossier.actor import Actor
from dossier.errors import InvalidInput
from dossier.models import (
    Document,
    DocumentStatus,
    DocumentType,
    Household,
    HouseholdStatus,
    RetentionClass,
    RetentionTrigger,
    utcnow,
)
from dossier.permissions import Permission, require
from dossier.services.access import record_access


def trigger_date(doc: Document) -> date:
    """The date a document-dated period counts from."""
    if doc.document_date is not None:
        return doc.document_date
    if doc.received_date is not None:
        return doc.received_date
    return (doc.intake_at or utcnow()).date()


def class_of(session: Session, doc: Document) -> RetentionClass | None:
    code = doc.retention_class
    if code is None:
        doc_type = doc.type if doc.type is not None else session.get(DocumentType, doc.type_code)
        code = doc_type.retention_class if doc_type is not None else None
    return session.get(RetentionClass, code) if code else None


def disposal_date_for(row: RetentionClass | None, doc: Document, household: Household) -> date | None:
    if row is None or row.years is None:
        return None
    if row.trigger == RetentionTrigger.HOUSEHOLD_CLOSED.value:
        if household.closed_on is None:
            return None
        start = household.closed_on
    else:
        start = trigger_date(doc)
    due = date(start.year + 1 + row.years, 1, 1)
    if doc.retain_until is not None and doc.retain_until > due:
        due = doc.retain_until
    return due


def assign(session: Session, doc: Document) -> None:
    """Set ``doc.disposal_date`` from its class, trigger and any extension."""
    if doc.status == DocumentStatus.DESTROYED.value:
        return
    household = doc.household if doc.household is not None else session.get(Household, doc.household_id)
    doc.disposal_date = disposal_date_for(class_of(session, doc), doc, household)


def _recompute(session: Session, query) -> int:
    changed = 0
    for doc in session.scalars(query.where(Document.status != DocumentStatus.DESTROYED.value)):
        before = doc.disposal_date
        assign(session, doc)
        changed += doc.disposal_date != before
    session.flush()
    return changed


def recompute_all(session: Session) -> int:
    """Every document's disposal date (after an upgrade, or to check nothing drifted)."""
    return _recompute(session, select(Document))


def recompute_for_class(session: Session, class_code: str) -> int:
    """Documents governed by ``class_code`` (their own class, or their type's default)."""
    types = select(DocumentType.code).where(DocumentType.retention_class == class_code)
    return _recompute(session, select(Document).where(or_(
        Document.retention_class == class_code,
        (Document.retention_class.is_(None)) & Document.type_code.in_(types))))


def recompute_for_type(session: Session, type_code: str) -> int:
    return _recompute(session, select(Document).where(Document.type_code == type_code,
                                                      Document.retention_class.is_(None)))


def recompute_for_household(session: Session, household_id: int) -> int:
    return _recompute(session, select(Document).where(Document.household_id == household_id))


def set_document_class(session: Session, actor: Actor, doc: Document, class_code: str | None, *,
                       reason: str | None = None) -> Document:
    """Give a document its own class (None: follow its type's default again)."""
    from retention.classes import resolve_class

    require(actor, Permission.MANAGE_RECORDS)
    if doc.status == DocumentStatus.DESTROYED.value:
        raise InvalidInput(f"document {doc.id} has been destroyed")
    from dossier.services import history

    before = doc.retention_class
    doc.retention_class = resolve_class(session, class_code).code if class_code else None
    assign(session, doc)
    if doc.retention_class != before:
        history.append(session, doc, history.RETENTION, actor=actor.username, reason=reason)
    record_access(session, actor, "document.retention", household_id=doc.household_id, document_id=doc.id,
                  detail=doc.retention_class)
    return doc


def set_household_close_date(session: Session, actor: Actor, household: Household,
                             closed_on: date | None, *, today: date | None = None) -> int:
    """Close a household on ``closed_on`` (None reopens it); recomputes its documents'
    disposal dates and returns how many changed."""
    require(actor, Permission.MANAGE_RECORDS)
    today = today or date.today()
    if closed_on is not None:
        if closed_on > today:
            raise InvalidInput(f"the close date {closed_on} is in the future")
        latest = session.scalar(select(func.max(Document.document_date)).where(
            Document.household_id == household.id, Document.status != DocumentStatus.DESTROYED.value))
        if latest is not None and closed_on < latest:
            raise InvalidInput(
                f"household {household.code} cannot have closed on {closed_on}: "
                f"it holds a document dated {latest}")
    household.closed_on = closed_on
    household.status = (HouseholdStatus.CLOSED if closed_on else HouseholdStatus.ACTIVE).value
    session.flush()
    changed = recompute_for_household(session, household.id)
    record_access(session, actor, "household.close" if closed_on else "household.reopen",
                  household_id=household.id, detail=closed_on.isoformat() if closed_on else None)
    return changed


def schedule_view(session: Session, doc: Document) -> dict:
    """What the document page says about retention: class, period, basis, disposal date."""
    from retention.classes import TRIGGER_NAMES_ZH, period_text
    from retention.holds import active_holds_for

    row = class_of(session, doc)
    holds = active_holds_for(session, doc)
    return {
        "class": row.code if row else None,
        "class_name": row.name if row else None,
        "own_class": doc.retention_class is not None,
        "period": period_text(row) if row else None,
        "trigger": row.trigger if row else None,
        "trigger_name": TRIGGER_NAMES_ZH.get(row.trigger) if row else None,
        "waiting_for_close": bool(row and row.years is not None
                                  and row.trigger == RetentionTrigger.HOUSEHOLD_CLOSED.value
                                  and doc.household.closed_on is None),
        "disposal_date": doc.disposal_date.isoformat() if doc.disposal_date else None,
        "retain_until": doc.retain_until.isoformat() if doc.retain_until else None,
        "held": bool(holds),
        "holds": [{"id": h.id, "reason": h.reason, "placed_by": h.placed_by} for h in holds],
    }
