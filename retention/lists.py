"""Destruction lists (销毁清册): what is due, proposing a list, reviewing it.

Separation of duties: an archivist or a retention officer proposes; a retention officer who is
not the proposer reviews: strikes items (with a reason; striking may keep the document longer)
and approves. Only an approved list can be executed (``retention.execute``). Lists, like their
certificates, are kept permanently.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from dossier import localtime
from dossier.actor import Actor
from dossier.catalog import text, zh
from dossier.errors import InvalidInput, NotFound
from dossier.models import (
    AccessAction,
    DestructionItem,
    DestructionList,
    Document,
    DocumentStatus,
    DocumentType,
    Household,
    ItemState,
    ListStatus,
    utcnow,
)
from dossier.permissions import Permission, can, require, require_any
from dossier.services.access import record_access
from dossier.services.disposal import assign, class_of
from dossier.services.documents import visible_clause
from retention.holds import held_clause

LIST_PREFIX = "XH"  # 销毁
MAX_EXTEND_YEARS = 50
LIST_STATUS_NAMES_ZH = {"proposed": "待审核", "approved": "已批准", "executed": "已销毁"}
ITEM_STATE_NAMES_ZH = {"pending": "待销毁", "struck": "已剔除", "destroyed": "已销毁"}
# The same names as messages (for sentences rendered in either language).
STATUS_TEXT = {
    "proposed": text("retention.status_proposed"),
    "approved": text("retention.status_approved"),
    "executed": text("retention.status_executed"),
}
STATE_TEXT = {
    "pending": text("retention.state_pending"),
    "struck": text("retention.state_struck"),
    "destroyed": text("retention.state_destroyed"),
}


@dataclass
class DueFilter:
    as_of: date | None = None
    household: str | None = None  # household code
    type_code: str | None = None
    class_code: str | None = None
    limit: int | None = None
    offset: int = 0


def on_open_list_clause():
    """Documents already pending on a list that is not finished."""
    return Document.id.in_(
        select(DestructionItem.document_id)
        .join(DestructionList)
        .where(
            DestructionItem.state == ItemState.PENDING,
            DestructionList.status.in_((ListStatus.PROPOSED, ListStatus.APPROVED)),
        )
    )


def _due_query(flt: DueFilter):
    as_of = flt.as_of or localtime.today()
    query = (
        select(Document)
        .join(Document.household)
        .where(
            Document.status != DocumentStatus.DESTROYED,
            Document.disposal_date.is_not(None),
            Document.disposal_date <= as_of,
            ~held_clause(),
        )
    )
    if flt.household:
        query = query.where(Household.code == flt.household.strip())
    if flt.type_code:
        query = query.where(Document.type_code == flt.type_code.strip())
    if flt.class_code:
        code = flt.class_code.strip().upper()
        query = query.where(Document.id.in_(_ids_of_class(code)))
    return query


def _ids_of_class(code: str):
    return (
        select(Document.id)
        .join(DocumentType, DocumentType.code == Document.type_code)
        .where(func.coalesce(Document.retention_class, DocumentType.retention_class) == code)
    )


def due_documents(session: Session, actor: Actor, flt: DueFilter) -> tuple[int, list[Document]]:
    """Documents past their disposal date on ``as_of`` (default today) and not held: the total
    and the page asked for, oldest disposal date first."""
    require_any(actor, Permission.PROPOSE_DESTRUCTION, Permission.AUDIT)
    query = _due_query(flt)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    query = (
        query.options(selectinload(Document.household), selectinload(Document.type))
        .order_by(Document.disposal_date, Document.household_id, Document.id)
        .offset(max(0, flt.offset))
    )
    if flt.limit:
        query = query.limit(flt.limit)
    return total, list(session.scalars(query))


def due_soon_count(session: Session, actor: Actor, *, days: int = 90, today: date | None = None) -> dict:
    """For the dashboard: documents ``actor`` may see already due, and those falling due in the
    next ``days``."""
    today = today or localtime.today()
    live = and_(
        Document.status != DocumentStatus.DESTROYED,
        Document.disposal_date.is_not(None),
        visible_clause(actor),
    )
    overdue = (
        session.scalar(select(func.count(Document.id)).where(live, Document.disposal_date <= today)) or 0
    )
    soon = (
        session.scalar(
            select(func.count(Document.id)).where(
                live, Document.disposal_date > today, Document.disposal_date <= today + timedelta(days=days)
            )
        )
        or 0
    )
    return {"due": overdue, "due_soon": soon, "days": days}


def paper_location(doc: Document) -> str | None:
    parts = [p for p in (doc.paper_cabinet, doc.paper_box, doc.paper_position) if p]
    return " / ".join(parts) if parts else None


def due_view(session: Session, doc: Document) -> dict:
    row = class_of(session, doc)
    return {
        "id": doc.id,
        "household": doc.household.code,
        "archive_no": doc.household.archive_no,  # the folder's (业户档案号)
        "item_archive_no": doc.archive_no,  # the document's own 档号
        "type": doc.type_code,
        "type_name": doc.type.name if doc.type else doc.type_code,
        "title": doc.title,
        "date": doc.document_date.isoformat() if doc.document_date else None,
        "class": row.code if row else None,
        "disposal_date": doc.disposal_date.isoformat() if doc.disposal_date else None,
        "paper_original": paper_location(doc) is not None,
        "paper_location": paper_location(doc),
    }


def _next_number(session: Session, year: int) -> str:
    prefix = f"{LIST_PREFIX}{year}-"
    numbers = session.scalars(select(DestructionList.number).where(DestructionList.number.like(f"{prefix}%")))
    last = max((int(n[len(prefix) :]) for n in numbers if n[len(prefix) :].isdigit()), default=0)
    return f"{prefix}{last + 1:04d}"


def propose(session: Session, actor: Actor, flt: DueFilter) -> DestructionList:
    """Draw up a destruction list of every due document (per the filter) not already on an open
    list. Refused when there is nothing to propose."""
    require(actor, Permission.PROPOSE_DESTRUCTION)
    as_of = flt.as_of or localtime.today()
    docs = list(
        session.scalars(
            _due_query(DueFilter(as_of, flt.household, flt.type_code, flt.class_code))
            .where(~on_open_list_clause())
            .options(selectinload(Document.household), selectinload(Document.type))
            .order_by(Household.archive_no, Document.id)
        )
    )
    if not docs:
        raise InvalidInput("retention.nothing_due", date=as_of)
    now = utcnow()
    dl = DestructionList(
        number=_next_number(session, now.year),
        status=ListStatus.PROPOSED,
        as_of=as_of,
        proposed_by_id=actor.user_id,
        proposed_by=actor.username,
        proposed_at=now,
    )
    for position, doc in enumerate(docs, start=1):
        facts = due_view(session, doc)
        dl.items.append(
            DestructionItem(
                position=position,
                document_id=doc.id,
                household_code=facts["household"],
                archive_no=facts["archive_no"],
                type_code=doc.type_code,
                type_name=facts["type_name"],
                title=doc.title,
                document_date=doc.document_date,
                retention_class=facts["class"],
                disposal_date=doc.disposal_date,
                sha256=doc.sha256,
                paper_location=facts["paper_location"],
                state=ItemState.PENDING,
            )
        )
    session.add(dl)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise InvalidInput("retention.number_race") from None
    record_access(
        session,
        actor,
        AccessAction.RETENTION_PROPOSE,
        detail=zh("retention.detail_proposed", number=dl.number, count=len(docs)),
    )
    return dl


def get_list(session: Session, number: str) -> DestructionList:
    dl = session.scalar(
        select(DestructionList)
        .where(DestructionList.number == (number or "").strip())
        .options(selectinload(DestructionList.items).selectinload(DestructionItem.document))
    )
    if dl is None:
        raise NotFound("retention.list_unknown", number=number)
    return dl


def get_list_by_id(session: Session, list_id: int) -> DestructionList:
    dl = session.get(DestructionList, list_id)
    if dl is None:
        raise NotFound("retention.list_id_unknown", id=list_id)
    return dl


def show_list(session: Session, actor: Actor, number: str) -> dict:
    """One destruction list and its items, for those who propose or audit destruction."""
    require_any(actor, Permission.PROPOSE_DESTRUCTION, Permission.AUDIT)
    return list_view(get_list(session, number))


def list_lists(session: Session, actor: Actor, status: str | None = None) -> list[DestructionList]:
    require_any(actor, Permission.PROPOSE_DESTRUCTION, Permission.AUDIT)
    query = (
        select(DestructionList)
        .options(selectinload(DestructionList.items))
        .order_by(DestructionList.id.desc())
    )
    if status:
        if status not in LIST_STATUS_NAMES_ZH:
            raise InvalidInput("retention.list_status_unknown", status=status)
        query = query.where(DestructionList.status == status)
    return list(session.scalars(query))


def is_proposer(actor: Actor, dl: DestructionList) -> bool:
    if dl.proposed_by_id is not None:
        return dl.proposed_by_id == actor.user_id
    return dl.proposed_by == actor.username


def may_review(actor: Actor, dl: DestructionList) -> bool:
    """Whether ``actor`` may strike items and approve ``dl`` now (for pages to offer it)."""
    return (
        dl.status == ListStatus.PROPOSED
        and can(actor, Permission.APPROVE_DESTRUCTION)
        and not is_proposer(actor, dl)
    )


def _require_reviewer(actor: Actor, dl: DestructionList) -> None:
    require(actor, Permission.APPROVE_DESTRUCTION)
    if is_proposer(actor, dl):
        raise InvalidInput("retention.own_list", name=actor.username, number=dl.number)
    if dl.status != ListStatus.PROPOSED:
        raise InvalidInput("retention.list_not_proposed", number=dl.number, status=STATUS_TEXT[dl.status])


def strike(
    session: Session,
    actor: Actor,
    dl: DestructionList,
    document_id: int,
    reason: str,
    *,
    extend_years: int | None = None,
) -> DestructionItem:
    """Take a document off the list with a reason; ``extend_years`` keeps it that much longer,
    counted from the item's disposal date: a document due on 2025-01-01 extended by 3 years is
    due on 2028-01-01, whenever the review happens (the retention period is what is extended)."""
    _require_reviewer(actor, dl)
    reason = (reason or "").strip()
    if not reason or len(reason) > 500:
        raise InvalidInput("retention.strike_reason_length")
    item = next((i for i in dl.items if i.document_id == document_id), None)
    if item is None:
        raise NotFound("retention.not_on_list", id=document_id, number=dl.number)
    if item.state != ItemState.PENDING:
        raise InvalidInput(
            "retention.item_not_pending", id=document_id, number=dl.number, state=STATE_TEXT[item.state]
        )
    if extend_years is not None and not 1 <= extend_years <= MAX_EXTEND_YEARS:
        raise InvalidInput("retention.extension_range", max=MAX_EXTEND_YEARS)
    item.state = ItemState.STRUCK
    item.struck_reason = (
        reason if extend_years is None else zh("retention.struck_extended", reason=reason, years=extend_years)
    )
    item.struck_by = actor.username
    if extend_years:
        doc = session.get(Document, document_id)
        assert doc is not None  # the item's document (a foreign key)
        doc.retain_until = _years_after(item.disposal_date, extend_years)
        assign(session, doc)
    record_access(
        session,
        actor,
        AccessAction.RETENTION_STRIKE,
        document_id=document_id,
        detail=f"{dl.number}: {reason}",
    )
    return item


def _years_after(day: date, years: int) -> date:
    """The same day ``years`` later (29 February becomes 1 March in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def approve(
    session: Session,
    actor: Actor,
    dl: DestructionList,
    exclusions: list[tuple[int, str]] | None = None,
    *,
    extend_years: int | None = None,
) -> DestructionList:
    """Approve the list, striking ``exclusions`` (document id, reason) first."""
    _require_reviewer(actor, dl)
    for document_id, reason in exclusions or []:
        strike(session, actor, dl, document_id, reason, extend_years=extend_years)
    dl.status = ListStatus.APPROVED
    dl.approved_by_id = actor.user_id
    dl.approved_by = actor.username
    dl.approved_at = utcnow()
    record_access(session, actor, AccessAction.RETENTION_APPROVE, detail=dl.number)
    return dl


def counts(dl: DestructionList) -> dict:
    out: dict[str, int] = dict.fromkeys(ItemState, 0)
    for item in dl.items:
        out[item.state] = out.get(item.state, 0) + 1
    out["total"] = len(dl.items)
    out["paper"] = sum(1 for i in dl.items if i.paper_location)
    out["paper_destroyed"] = sum(1 for i in dl.items if i.paper_destruction_id)
    return out


def item_view(item: DestructionItem) -> dict:
    return {
        "position": item.position,
        "document": item.document_id,
        # The document's 档号: read from the document (it never changes), not copied.
        "item_archive_no": item.document.archive_no,
        "household": item.household_code,
        "archive_no": item.archive_no,  # the folder's (业户档案号), as copied at proposal
        "type": item.type_code,
        "type_name": item.type_name,
        "title": item.title,
        "date": item.document_date.isoformat() if item.document_date else None,
        "class": item.retention_class,
        "disposal_date": item.disposal_date.isoformat(),
        "sha256": item.sha256,
        "paper_original": item.paper_location is not None,
        "paper_location": item.paper_location,
        "paper_destroyed": item.paper_destruction_id is not None,
        "state": item.state,
        "struck_reason": item.struck_reason,
        "struck_by": item.struck_by,
        "error": item.last_error,
        "destroyed_at": item.destroyed_at.isoformat() if item.destroyed_at else None,
        "destroyed_by": item.destroyed_by,
    }


def list_view(dl: DestructionList, *, with_items: bool = True) -> dict:
    view = {
        "id": dl.id,
        "number": dl.number,
        "status": dl.status,
        "as_of": dl.as_of.isoformat(),
        "proposed_by": dl.proposed_by,
        "proposed_at": dl.proposed_at.isoformat(),
        "approved_by": dl.approved_by,
        "approved_at": dl.approved_at.isoformat() if dl.approved_at else None,
        "executed_by": dl.executed_by,
        "executed_at": dl.executed_at.isoformat() if dl.executed_at else None,
        "counts": counts(dl),
    }
    if with_items:
        view["items"] = [item_view(i) for i in dl.items]
    return view
