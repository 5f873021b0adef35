"""Paper originals (双轨制): where each one is kept, and the loan register (借阅登记): lending
(borrower, unit or household, purpose, manner, approver, due date), renewals (续借), returns
with a completeness check (归还查验) and reminders of overdue loans (催还).

Rules: only records managers (archivist, admin) record where paper is kept and hand it out,
renew, take back and chase; auditors may read the register. A document lent out must have a
paper original on file and no loan still open; a confidential original is lent only with an
approver who holds clearance. Every hand-out, renewal, return and reminder is kept in the
register and recorded in the access log with who and when.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from dossier import localtime
from dossier.actor import Actor
from dossier.catalog import CATALOG, Text, text, zh
from dossier.errors import AlreadyExists, InvalidInput, NotFound, PermissionDenied
from dossier.localtime import format_date
from dossier.models import (
    AccessAction,
    Confidentiality,
    Document,
    DocumentStatus,
    Loan,
    LoanManner,
    LoanReminder,
    LoanRenewal,
    ReminderChannel,
    ReturnCondition,
    User,
    utcnow,
)
from dossier.people import display_names
from dossier.permissions import Permission, can, require, require_any
from dossier.services.access import record_access
from dossier.services.documents import get_document
from dossier.services.users import get_user, verify_credential

MANNER_NAMES_ZH = {m: CATALOG["paper.manner." + m].zh for m in LoanManner}
CONDITION_NAMES_ZH = {c: CATALOG["paper.condition." + c].zh for c in ReturnCondition}
CHANNEL_NAMES_ZH = {c: CATALOG["paper.reminder." + c].zh for c in ReminderChannel}
NOTE_MAX = 500


def _label(name: str) -> Text:
    return text("paper.label." + name)


def condition_name(condition: str) -> Text:
    """完好/缺页/损坏 as a message (English in an English CLI)."""
    return text("paper.condition." + condition)


def _text(value: str | None, what: str, limit: int) -> str | None:
    """``value`` stripped (None when blank); ``what`` names its field (``paper.label.*``)."""
    value = (value or "").strip() or None
    if value is not None and len(value) > limit:
        raise InvalidInput("paper.too_long", what=_label(what), limit=limit)
    return value


def _choice(enum_cls, names: dict, value, what: str):
    """A vocabulary member from its code or its Chinese name."""
    if isinstance(value, enum_cls):
        return value
    given = (value or "").strip()
    for member, name in names.items():
        if given in (member.value, name):
            return member
    known = "、".join(f"{name}（{member.value}）" for member, name in names.items())
    raise InvalidInput(
        "paper.bad_choice", what=_label(what), known=known, value=given[:20] or text("paper.empty")
    )


def parse_manner(value: str | LoanManner) -> LoanManner:
    return _choice(LoanManner, MANNER_NAMES_ZH, value, "manner")


def parse_condition(value: str | ReturnCondition) -> ReturnCondition:
    return _choice(ReturnCondition, CONDITION_NAMES_ZH, value, "condition")


def parse_channel(value: str | ReminderChannel) -> ReminderChannel:
    return _choice(ReminderChannel, CHANNEL_NAMES_ZH, value, "channel")


def _require_paper_reader(actor: Actor) -> None:
    require_any(actor, Permission.MANAGE_RECORDS, Permission.AUDIT)


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
        *(_text(v, "location", 32) for v in (location.cabinet, location.box, location.position))
    )
    if not cleaned.kept and open_loan(session, doc.id) is not None:
        raise InvalidInput("paper.original_out", document=doc.id)
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


def open_loan_id(session: Session, document_id: int) -> int:
    """The open loan of a document's original (NotFound when it is on the shelf)."""
    doc = get_document(session, document_id)
    loan = open_loan(session, doc.id)
    if loan is None:
        raise NotFound("paper.not_lent", document=doc.id)
    return loan.id


def _open(session: Session, loan_id: int) -> Loan:
    loan = session.get(Loan, loan_id)
    if loan is None:
        raise NotFound("paper.no_such_loan", loan=loan_id)
    if loan.returned_at is not None:
        raise InvalidInput("paper.loan_returned", loan=loan_id, day=format_date(loan.returned_at))
    return loan


def _approver(
    session: Session, actor: Actor, doc: Document, approved_by: str | None, secret: str | None
) -> User | None:
    confidential = doc.confidentiality == Confidentiality.CONFIDENTIAL
    if not approved_by:
        if confidential:
            raise InvalidInput("paper.approver_needed", document=doc.id)
        return None
    user = get_user(session, approved_by)
    if not user.active:
        raise InvalidInput("paper.approver_disabled", username=approved_by)
    if confidential and not can(user, Permission.VIEW_CONFIDENTIAL):
        raise PermissionDenied("paper.approver_not_cleared", name=user.display_name or approved_by)
    if secret is not None:  # four-eyes: the approver is there and confirms
        try:
            verify_credential(session, approved_by, secret, actor=actor, action=f"approve loan of {doc.id}")
        except PermissionDenied:
            raise PermissionDenied(
                "paper.approver_wrong_secret", name=user.display_name or approved_by
            ) from None
    return user


def lend(
    session: Session,
    actor: Actor,
    document_id: int,
    borrower: str,
    due: date,
    *,
    unit: str | None = None,
    purpose: str | None = None,
    manner: str | LoanManner = LoanManner.TAKE,
    approved_by: str | None = None,
    approver_secret: str | None = None,
    note: str | None = None,
    lent_on: date | None = None,
    today: date | None = None,
) -> Loan:
    """Lend (or let read or copy) the paper original of a document. With ``approver_secret``
    (the web) the approver's password or token is checked here; the CLI checks it before.

    ``lent_on`` enters a loan made earlier (补登, e.g. from the paper register). A due date that
    has already passed is accepted (an original found out of the cabinet is lent "as of now" and
    overdue at once); callers say so to the user, see ``loan_view``'s ``overdue``."""
    require(actor, Permission.MANAGE_RECORDS)
    doc = get_document(session, document_id)
    borrower = _text(borrower, "borrower", 128) or ""
    if not borrower:
        raise InvalidInput("paper.borrower_needed")
    manner = parse_manner(manner)
    if doc.status == DocumentStatus.DESTROYED:
        raise InvalidInput("paper.destroyed", document=doc.id)
    if location_of(doc) is None:
        raise InvalidInput("paper.no_location", document=doc.id)
    today = today or localtime.today()
    if lent_on is not None and lent_on > today:
        raise InvalidInput("paper.lent_in_future", day=lent_on.isoformat())
    if lent_on is not None and due < lent_on:
        raise InvalidInput("paper.due_before_out", due=due.isoformat(), out=lent_on.isoformat())
    current = open_loan(session, doc.id)
    if current is not None:
        raise AlreadyExists(
            "paper.already_lent", document=doc.id, borrower=current.borrower, due=current.due_on.isoformat()
        )
    approver = _approver(session, actor, doc, approved_by, approver_secret)
    loan = Loan(
        document_id=doc.id,
        borrower=borrower,
        borrower_unit=_text(unit, "unit", 128),
        purpose=_text(purpose, "purpose", 200),
        manner=manner,
        lent_by=actor.username,
        approved_by=approver,
        out_at=localtime.start_of_day(lent_on) if lent_on else utcnow(),  # a back-dated loan: that morning
        due_on=due,
        note=_text(note, "note", NOTE_MAX),
    )
    session.add(loan)
    session.flush()
    _log(
        session,
        actor,
        AccessAction.LOAN_OUT,
        loan,
        borrower=borrower,
        manner=manner.value,
        due=due.isoformat(),
        approved_by=approver.username if approver else None,
        lent_on=lent_on.isoformat() if lent_on else None,
    )
    return loan


def _log(session: Session, actor: Actor, action: AccessAction, loan: Loan, **detail) -> None:
    doc = loan.document
    record_access(
        session,
        actor,
        action,
        household_id=doc.household_id,
        document_id=doc.id,
        detail=json.dumps({"loan": loan.id, **detail}, ensure_ascii=False),
    )


def renew(
    session: Session,
    actor: Actor,
    loan_id: int,
    new_due: date,
    *,
    note: str | None = None,
    today: date | None = None,
) -> Loan:
    """Move an open loan's due date later (续借); the old and new dates are kept."""
    require(actor, Permission.MANAGE_RECORDS)
    loan = _open(session, loan_id)
    if new_due < (today or localtime.today()):
        raise InvalidInput("paper.new_due_past", due=new_due.isoformat())
    if new_due <= loan.due_on:
        raise InvalidInput("paper.renew_not_later", due=loan.due_on.isoformat())
    renewal = LoanRenewal(
        renewed_by=actor.username,
        old_due=loan.due_on,
        new_due=new_due,
        note=_text(note, "renew_note", NOTE_MAX),
    )
    loan.renewals.append(renewal)
    loan.due_on = new_due
    session.flush()
    _log(
        session,
        actor,
        AccessAction.LOAN_RENEW,
        loan,
        old_due=renewal.old_due.isoformat(),
        due=new_due.isoformat(),
    )
    return loan


def remind(
    session: Session, actor: Actor, loan_id: int, channel: str | ReminderChannel, *, note: str | None = None
) -> Loan:
    """Record that the borrower of an open loan was chased (催还): how, and what was said."""
    require(actor, Permission.MANAGE_RECORDS)
    loan = _open(session, loan_id)
    channel = parse_channel(channel)
    reminder = LoanReminder(
        reminded_by=actor.username, channel=channel, note=_text(note, "remind_note", NOTE_MAX)
    )
    loan.reminders.append(reminder)
    session.flush()
    _log(session, actor, AccessAction.LOAN_REMIND, loan, borrower=loan.borrower, channel=channel.value)
    return loan


def return_loan(
    session: Session,
    actor: Actor,
    loan_id: int,
    *,
    condition: str | ReturnCondition | None = None,
    note: str | None = None,
) -> Loan:
    """Take an original back, with what the check found (完好/缺页/损坏; a missing page or damage
    must be described). ``condition`` None: returned without a check (the CLI's old form)."""
    require(actor, Permission.MANAGE_RECORDS)
    loan = _open(session, loan_id)
    checked = parse_condition(condition) if condition else None
    extra = _text(note, "return_note", NOTE_MAX)
    if checked in (ReturnCondition.PAGES_MISSING, ReturnCondition.DAMAGED) and not extra:
        raise InvalidInput("paper.describe_damage", condition=condition_name(checked))
    loan.returned_at = utcnow()
    loan.returned_to = actor.username
    loan.return_condition = checked
    loan.return_note = extra
    _log(
        session,
        actor,
        AccessAction.LOAN_RETURN,
        loan,
        borrower=loan.borrower,
        condition=checked.value if checked else None,
    )
    return loan


def return_original(
    session: Session,
    actor: Actor,
    document_id: int,
    *,
    condition: str | ReturnCondition | None = None,
    note: str | None = None,
) -> Loan:
    """``return_loan`` for the open loan of a document's original."""
    require(actor, Permission.MANAGE_RECORDS)
    return return_loan(session, actor, open_loan_id(session, document_id), condition=condition, note=note)


# --- reading the register -------------------------------------------------------------------


def _outcome(loan: Loan, overdue: bool, days: int) -> str:
    """The register's 结果 column, in Chinese."""
    if loan.returned_at is None:
        return zh("paper.outcome.overdue", days=days) if overdue else zh("paper.outcome.out")
    if loan.return_condition is None:
        return zh("paper.outcome.returned_unchecked")
    return zh("paper.outcome.returned", condition=condition_name(loan.return_condition))


def loan_view(loan: Loan, today: date | None = None, names: dict[str, str] | None = None) -> dict:
    today = today or localtime.today()
    names = names or {}
    doc = loan.document
    overdue = loan.returned_at is None and loan.due_on < today
    days = (today - loan.due_on).days if overdue else 0
    approver = loan.approved_by
    return {
        "loan": loan.id,
        "document": loan.document_id,
        "archive_no": doc.archive_no,
        "title": doc.title,
        "household": doc.household.code,
        "confidential": doc.confidentiality == Confidentiality.CONFIDENTIAL,
        "location": location_of(doc),
        "borrower": loan.borrower,
        "unit": loan.borrower_unit,
        "purpose": loan.purpose,
        "manner": loan.manner.value,
        "manner_name": MANNER_NAMES_ZH[loan.manner],
        "lent_by": loan.lent_by,
        "lent_by_name": names.get(loan.lent_by, loan.lent_by),
        "approved_by": approver.username if approver else None,
        "approved_by_name": (approver.display_name or approver.username) if approver else None,
        "out_at": loan.out_at.isoformat(),
        "due": loan.due_on.isoformat(),
        "returned_at": loan.returned_at.isoformat() if loan.returned_at else None,
        "returned_to": loan.returned_to,
        "returned_to_name": names.get(loan.returned_to, loan.returned_to) if loan.returned_to else None,
        "condition": loan.return_condition.value if loan.return_condition else None,
        "condition_name": CONDITION_NAMES_ZH[loan.return_condition] if loan.return_condition else None,
        "return_note": loan.return_note,
        "overdue": overdue,
        "days_overdue": days,
        "outcome": _outcome(loan, overdue, days),
        "note": loan.note,
        "renewals": [
            {
                "at": r.renewed_at.isoformat(),
                "by": r.renewed_by,
                "by_name": names.get(r.renewed_by, r.renewed_by),
                "old_due": r.old_due.isoformat(),
                "new_due": r.new_due.isoformat(),
                "note": r.note,
            }
            for r in loan.renewals
        ],
        "reminders": [
            {
                "at": r.reminded_at.isoformat(),
                "by": r.reminded_by,
                "by_name": names.get(r.reminded_by, r.reminded_by),
                "channel": r.channel.value,
                "channel_name": CHANNEL_NAMES_ZH[r.channel],
                "note": r.note,
            }
            for r in loan.reminders
        ],
    }


def _loans_query():
    return select(Loan).options(
        selectinload(Loan.document).selectinload(Document.household),
        selectinload(Loan.approved_by),
        selectinload(Loan.renewals),
        selectinload(Loan.reminders),
    )


def _views(session: Session, loans: list[Loan], today: date | None = None) -> list[dict]:
    """Register rows, people named by 姓名 where the user has one."""
    usernames = {u for loan in loans for u in (loan.lent_by, loan.returned_to) if u}
    usernames |= {r.renewed_by for loan in loans for r in loan.renewals}
    usernames |= {r.reminded_by for loan in loans for r in loan.reminders}
    names = display_names(session, usernames)
    return [loan_view(loan, today, names) for loan in loans]


def list_loans(
    session: Session,
    actor: Actor,
    *,
    open_only: bool = False,
    closed_only: bool = False,
    limit: int = 200,
) -> list[dict]:
    """Loans, newest first; open ones only (or closed ones only) on request."""
    _require_paper_reader(actor)
    query = _loans_query()
    if open_only:
        query = query.where(Loan.returned_at.is_(None))
    if closed_only:
        query = query.where(Loan.returned_at.is_not(None))
    return _views(session, list(session.scalars(query.order_by(Loan.id.desc()).limit(limit))))


def open_register(session: Session, actor: Actor, today: date | None = None) -> list[dict]:
    """Every loan not yet returned, the soonest due (so the longest overdue) first."""
    _require_paper_reader(actor)
    query = _loans_query().where(Loan.returned_at.is_(None)).order_by(Loan.due_on, Loan.id)
    return _views(session, list(session.scalars(query)), today)


def overdue_loans(session: Session, actor: Actor, today: date | None = None) -> list[dict]:
    """Loans not returned by their due date (催还), longest overdue first."""
    _require_paper_reader(actor)
    today = today or localtime.today()
    query = (
        _loans_query().where(Loan.returned_at.is_(None), Loan.due_on < today).order_by(Loan.due_on, Loan.id)
    )
    return _views(session, list(session.scalars(query)), today)


def overdue_count(session: Session, today: date | None = None) -> int:
    return (
        session.scalar(
            select(func.count(Loan.id)).where(
                Loan.returned_at.is_(None), Loan.due_on < (today or localtime.today())
            )
        )
        or 0
    )


def paper_card(session: Session, actor: Actor, document_id: int) -> dict:
    """What the lending form shows of a document: its title, folder, where the original is
    kept and whether it is out."""
    _require_paper_reader(actor)
    doc = get_document(session, document_id)
    current = open_loan(session, doc.id)
    return {
        "document": doc.id,
        "title": doc.title,
        "household": doc.household.code,
        "confidential": doc.confidentiality == Confidentiality.CONFIDENTIAL,
        "destroyed": doc.status == DocumentStatus.DESTROYED,
        "location": location_of(doc),
        "open_loan": _views(session, [current])[0] if current is not None else None,
    }


def approvers(session: Session, actor: Actor) -> list[dict]:
    """Active users who may approve a loan; ``cleared``: may approve a confidential one."""
    require(actor, Permission.MANAGE_RECORDS)
    users = session.scalars(select(User).where(User.active.is_(True)).order_by(User.username))
    return [
        {
            "username": u.username,
            "name": u.display_name or u.username,
            "cleared": can(u, Permission.VIEW_CONFIDENTIAL),
        }
        for u in users
    ]
