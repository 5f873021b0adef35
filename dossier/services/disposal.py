"""Disposal dates: derived from a document's retention class and its trigger, never typed in.

Filing or correcting a document needs its class and disposal date, so the rule lives here, in
the records layer; ``retention`` (classes, schedules, lists) builds on it. A document's class is
its own (``Document.retention_class``) or else its type's default. A period is counted from
1 January of the year after the trigger: the document's date (its received date when it has
none), or the day its household closed. So a 10-year document dated 2014-06-03 may be destroyed
from 2025-01-01. Permanent documents, and documents waiting for their household to close, have
no disposal date; ``retain_until`` (a reviewer's extension) only ever makes the date later.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from dossier.errors import InvalidInput
from dossier.models import (
    Document,
    DocumentStatus,
    DocumentType,
    Household,
    RetentionClass,
    RetentionTrigger,
    utcnow,
)


def list_classes(session: Session) -> list[RetentionClass]:
    rows = session.scalars(select(RetentionClass)).all()
    # Permanent first, then the longest period first.
    return sorted(rows, key=lambda c: (c.years is not None, -(c.years or 0), c.code))


def resolve_class(session: Session, value: str | None) -> RetentionClass:
    """The class named by its code (``D10``, any case) or its name (``定期10年``); a name two
    classes share is refused with their codes. The one lookup for the CLI, the web, the API and
    intake manifests."""
    text = (value or "").strip()
    row = session.get(RetentionClass, text.upper()) if text else None
    if row is not None:
        return row
    named = session.scalars(select(RetentionClass).where(RetentionClass.name == text)).all() if text else []
    if len(named) == 1:
        return named[0]
    shown = text if len(text) <= 40 else text[:40] + "…"
    if named:
        codes = "、".join(sorted(c.code for c in named))
        raise InvalidInput("document.retention_class_ambiguous", value=shown, codes=codes)
    known = "、".join(c.name for c in list_classes(session))
    raise InvalidInput("document.unknown_retention_class", value=shown, known=known)


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
    if row.trigger == RetentionTrigger.HOUSEHOLD_CLOSED:
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
    if doc.status == DocumentStatus.DESTROYED:
        return
    household = doc.household if doc.household is not None else session.get(Household, doc.household_id)
    doc.disposal_date = disposal_date_for(class_of(session, doc), doc, household)


# --- recomputing, whenever an input changed (in the same transaction) ------------------------------


def _recompute(session: Session, query) -> int:
    changed = 0
    for doc in session.scalars(query.where(Document.status != DocumentStatus.DESTROYED)):
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
    return _recompute(
        session,
        select(Document).where(
            or_(
                Document.retention_class == class_code,
                (Document.retention_class.is_(None)) & Document.type_code.in_(types),
            )
        ),
    )


def recompute_for_type(session: Session, type_code: str) -> int:
    return _recompute(
        session, select(Document).where(Document.type_code == type_code, Document.retention_class.is_(None))
    )


def recompute_for_household(session: Session, household_id: int) -> int:
    return _recompute(session, select(Document).where(Document.household_id == household_id))
