"""Where a file goes, as archivists write it: a document type or retention class by its code or
by its Chinese name (购房合同, 定期10年), and the check of a household and type the intake page
asks for before a large upload is sent.

A value is looked up as a code first, then as a name. A name that two rows share is ambiguous
and refused, as is a value that is neither; each reason is one Chinese sentence naming what
could be written instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dossier.actor import Actor
from dossier.dates import parse_date
from dossier.errors import DossierError, InvalidInput
from dossier.models import Community, DocumentType, Household, RetentionClass
from dossier.permissions import Permission, require

SHOWN = 40  # characters of a refused value quoted back


def _shown(value: str) -> str:
    return value if len(value) <= SHOWN else value[:SHOWN] + "…"


def resolve_type(session: Session, value: str | None) -> DocumentType:
    """The document type named by its code (``contract``) or its name (``购房合同``)."""
    text = (value or "").strip()
    if not text:
        raise InvalidInput("未填写文件类型。")
    row = session.get(DocumentType, text) or session.get(DocumentType, text.lower())
    if row is not None:
        return row
    named = session.scalars(select(DocumentType).where(DocumentType.name == text)).all()
    if len(named) == 1:
        return named[0]
    if named:
        codes = "、".join(sorted(t.code for t in named))
        raise InvalidInput(f"文件类型“{_shown(text)}”对应多个类型（{codes}），请改填类型代码。")
    known = "、".join(
        t.name
        for t in session.scalars(select(DocumentType).order_by(DocumentType.sort_order, DocumentType.code))
    )
    raise InvalidInput(f"没有名为“{_shown(text)}”的文件类型。可填写：{known}（或其代码）。")


def resolve_retention(session: Session, value: str | None) -> RetentionClass:
    """The retention class named by its code (``D10``, any case) or its name (``定期10年``)."""
    text = (value or "").strip()
    if not text:
        raise InvalidInput("未填写保管期限。")
    row = session.get(RetentionClass, text.upper())
    if row is not None:
        return row
    named = session.scalars(select(RetentionClass).where(RetentionClass.name == text)).all()
    if len(named) == 1:
        return named[0]
    if named:
        codes = "、".join(sorted(c.code for c in named))
        raise InvalidInput(f"保管期限“{_shown(text)}”对应多个期限（{codes}），请改填期限代码。")
    known = "、".join(c.name for c in session.scalars(select(RetentionClass).order_by(RetentionClass.code)))
    raise InvalidInput(f"没有名为“{_shown(text)}”的保管期限。可填写：{known}（或其代码）。")


@dataclass
class DestinationCheck:
    """The outcome of :func:`check_destination`: per form field, why it cannot be used."""

    errors: dict[str, str] = field(default_factory=dict)
    household: str | None = None  # "A-1-1201（阳光花园）" when found
    type_name: str | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def _household_problem(
    session: Session, code: str | None, community: str | None
) -> tuple[str | None, str | None]:
    """(why the household cannot be used, or None; how to show it when found)."""
    code = (code or "").strip()
    if not code:
        return "请填写户号，或上传批量清单。", None
    query = select(Household.code, Community.name).join(Household.community).where(Household.code == code)
    if community:
        found = session.scalar(
            select(func.count(Community.id)).where(
                (Community.name == community) | (Community.code == community)
            )
        )
        if not found:
            return f"没有名为“{_shown(community)}”的小区。", None
        query = query.where((Community.name == community) | (Community.code == community))
    rows = session.execute(query).all()
    if not rows:
        where = f"（{_shown(community)}）" if community else ""
        return f"档案中没有户号 {_shown(code)}{where}，请核对户号，或先建立业户档案。", None
    if len(rows) > 1:
        names = "、".join(sorted(name for _, name in rows))
        return f"户号 {code} 在多个小区都有（{names}），请填写小区。", None
    return None, f"{rows[0][0]}（{rows[0][1]}）"


def check_destination(
    session: Session,
    actor: Actor,
    *,
    household: str | None,
    community: str | None,
    type_code: str | None,
    document_date: str | date | None = None,
    retention_class: str | None = None,
) -> DestinationCheck:
    """Whether files can go to ``household`` as ``type_code`` (with the date and class given),
    checked before they are sent. Changes nothing; for records managers only."""
    require(actor, Permission.MANAGE_RECORDS)
    check = DestinationCheck()
    problem, check.household = _household_problem(session, household, (community or "").strip() or None)
    if problem:
        check.errors["household"] = problem
    if not (type_code or "").strip():
        check.errors["type_code"] = "请选择文件类型。"
    else:
        try:
            check.type_name = resolve_type(session, type_code).name
        except DossierError as exc:
            check.errors["type_code"] = exc.message
    try:
        parse_date(document_date, "文件日期")
    except DossierError as exc:
        check.errors["document_date"] = exc.message
    if (retention_class or "").strip():
        try:
            resolve_retention(session, retention_class)
        except DossierError as exc:
            check.errors["retention_class"] = exc.message
    return check
