"""Paper originals (双轨制): where each one is kept, and loans (借阅) with due dates and 催还.

Rules: only records managers (archivist, admin) record where paper is kept and hand it out; a
document lent out must have a paper original on file and no loan still open; a confidential
original is lent only with an approver who holds clearance (may view confidential documents);
every hand-out and return is recorded in the access log with who and when.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from dossier.actor import Actor
from dossier.errors import AlreadyExists, InvalidInput, NotFound, PermissionDenied
from dossier.models import AccessAction, Confidentiality, Document, DocumentStatus, Loan, utcnow
from dossier.permissions import Permission, can, require
from dossier.services.access import record_access
from dossier.services.documents import get_document
from dossier.services.users import get_user


def _text(value: str | None, what: str, limit: int) -> str | None:
    value = (value or "").strip() or None
    if value is not None and len(value) > limit:
        raise InvalidInput(f"{what} may have at most {limit} characters")
    return value


def _require_paper_reader(actor: Actor) -> None:
    if not can(actor, Permission.MANAGE_RECORDS):
        require(actor, Permission.AUDIT)


@dataclass(frozen=True)
class PaperLocation:
    cabinet: str | None = None
    box: str | None = None
    position: str | None = None

    @property
    def kept(self) -> bool:
        return any((self.cabinet, self.box, self.position))


def location_of(doc: Document) -> dict | None:
    """Where the paper original is, or None when none is kept."""
    loc = PaperLocation(doc.paper_cabinet, doc.paper_box, doc.paper_position)
    return {"cabinet": loc.cabinet, "box": loc.box, "position": loc.position} if loc.kept else None


def set_paper_location(session: Session, actor: Actor, document_id: int, location: PaperLocation) -> Document:
    """Record where the paper original is kept (cabinet, box, position), or that none is kept
    (an empty ``PaperLocation``). Refused while the original is out on loan."""
    require(actor, Permission.MANAGE_RECORDS)
    doc = get_document(session, document_id)
    cleaned = PaperLocation(
        *(
            _text(v, "a cabinet, box or position", 32)
            for v in (location.cabinet, location.box, location.position)
        )
    )
    if not cleaned.kept and open_loan(session, doc.id) is not None:
        raise InvalidInput(f"the paper original of document {doc.id} is out on loan; record its return first")
    doc.paper_cabinet, doc.paper_box, doc.paper_position = cleaned.cabinet, cleaned.box, cleaned.position
    record_access(
        session,
        actor,
        AccessAction.PAPER_LOCATION,
        household_id=doc.household_id,
        document_id=doc.id,
        detail=json.dumps(location_of(doc), ensure_ascii=False),
    )
    return doc


def open_loan(session: Session, document_id: int) -> Loan | None:
    return session.scalar(select(Loan).where(Loan.document_id == document_id, Loan.returned_at.is_(None)))


def _approver(session: Session, doc: Document, approved_by: str | None):
    confidential = doc.confidentiality == Confidentiality.CONFIDENTIAL
    if not approved_by:
        if confidential:
            raise InvalidInput(
                f"document {doc.id} is confidential: its original is lent only with --approved-by "
                "naming someone with clearance"
            )
        return None
    user = get_user(session, approved_by)
    if not user.active:
        raise InvalidInput(f"user {approved_by} is deactivated and cannot approve a loan")
    if confidential and not can(user, Permission.VIEW_CONFIDENTIAL):
        raise PermissionDenied(
            f"{approved_by} holds no clearance for confidential documents and cannot approve this loan"
        )
    return user


def lend(
    session: Session,
    actor: Actor,
    document_id: int,
    borrower: str,
    due: date,
    *,
    approved_by: str | None = None,
    note: str | None = None,
    today: date | None = None,
) -> Loan:
    require(actor, Permission.MANAGE_RECORDS)
    doc = get_document(session, document_id)
    borrower = _text(borrower, "the borrower's name", 128) or ""
    if not borrower:
        raise InvalidInput("say who borrows the original with --to NAME")
    if doc.status == DocumentStatus.DESTROYED:
        raise InvalidInput(f"document {doc.id} has been destroyed")
    if location_of(doc) is None:
        raise InvalidInput(f"no paper original of document {doc.id} is on file; record its location first")
    if due < (today or date.today()):
        raise InvalidInput(f"the due date {due.isoformat()} has already passed")
    current = open_loan(session, doc.id)
    if current is not None:
        raise AlreadyExists(
            f"the original of document {doc.id} is already out with {current.borrower} "
            f"(due {current.due_on.isoformat()})"
        )
    approver = _approver(session, doc, approved_by)
    loan = Loan(
        document_id=doc.id,
        borrower=borrower,
        lent_by=actor.username,
        approved_by=approver,
        out_at=utcnow(),
        due_on=due,
        note=_text(note, "the note", 500),
    )
    session.add(loan)
    session.flush()
    record_access(
        session,
        actor,
        AccessAction.LOAN_OUT,
        household_id=doc.household_id,
        document_id=doc.id,
        detail=json.dumps(
            {
                "loan": loan.id,
                "borrower": borrower,
                "due": due.isoformat(),
                "approved_by": approver.username if approver else None,
            },
            ensure_ascii=False,
        ),
    )
    return loan


def return_original(session: Session, actor: Actor, document_id: int, *, note: str | None = None) -> Loan:
    require(actor, Permission.MANAGE_RECORDS)
    doc = get_document(session, document_id)
    loan = open_loan(session, doc.id)
    if loan is None:
        raise NotFound(f"the original of document {doc.id} is not out on loan")
    loan.returned_at = utcnow()
    loan.returned_to = actor.username
    extra = _text(note, "the note", 500)
    if extra:
        loan.note = f"{loan.note}\n{extra}" if loan.note else extra
    record_access(
        session,
        actor,
        AccessAction.LOAN_RETURN,
        household_id=doc.household_id,
        document_id=doc.id,
        detail=json.dumps({"loan": loan.id, "borrower": loan.borrower}, ensure_ascii=False),
    )
    return loan


def loan_view(loan: Loan, today: date | None = None) -> dict:
    today = today or date.today()
    doc = loan.document
    overdue = loan.returned_at is None and loan.due_on < today
    return {
        "loan": loan.id,
        "document": loan.document_id,
        "title": doc.title,
        "household": doc.household.code,
        "confidential": doc.confidentiality == Confidentiality.CONFIDENTIAL,
        "location": location_of(doc),
        "borrower": loan.borrower,
        "lent_by": loan.lent_by,
        "approved_by": loan.approved_by.username if loan.approved_by else None,
        "out_at": loan.out_at.isoformat(),
        "due": loan.due_on.isoformat(),
        "returned_at": loan.returned_at.isoformat() if loan.returned_at else None,
        "returned_to": loan.returned_to,
        "overdue": overdue,
        "days_overdue": (today - loan.due_on).days if overdue else 0,
        "note": loan.note,
    }


def _loans_query():
    return select(Loan).options(
        selectinload(Loan.document).selectinload(Document.household), selectinload(Loan.approved_by)
    )


def list_loans(session: Session, actor: Actor, *, open_only: bool = False, limit: int = 200) -> list[dict]:
    _require_paper_reader(actor)
    query = _loans_query()
    if open_only:
        query = query.where(Loan.returned_at.is_(None))
    return [loan_view(loan) for loan in session.scalars(query.order_by(Loan.id.desc()).limit(limit))]


def overdue_loans(session: Session, actor: Actor, today: date | None = None) -> list[dict]:
    """Loans not returned by their due date (催还), longest overdue first."""
    _require_paper_reader(actor)
    today = today or date.today()
    query = (
        _loans_query().where(Loan.returned_at.is_(None), Loan.due_on < today).order_by(Loan.due_on, Loan.id)
    )
    return [loan_view(loan, today) for loan in session.scalars(query)]


def overdue_count(session: Session, today: date | None = None) -> int:
    return (
        session.scalar(
            select(func.count(Loan.id)).where(
                Loan.returned_at.is_(None), Loan.due_on < (today or date.today())
            )
        )
        or 0
    )
