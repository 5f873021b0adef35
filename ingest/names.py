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
from dossier.catalog import zh
from dossier.dates import parse_date
from dossier.errors import DossierError, InvalidInput
from dossier.models import Community, DocumentType, Household, RetentionClass
from dossier.permissions import Permission, require
from dossier.services.disposal import resolve_class

SHOWN = 40  # characters of a refused value quoted back


def _shown(value: str) -> str:
    return value if len(value) <= SHOWN else value[:SHOWN] + "…"


def resolve_type(session: Session, value: str | None) -> DocumentType:
    """The document type named by its code (``contract``) or its name (``购房合同``)."""
    text = (value or "").strip()
    if not text:
        raise InvalidInput("intake.type_missing")
    row = session.get(DocumentType, text) or session.get(DocumentType, text.lower())
    if row is not None:
        return row
    named = session.scalars(select(DocumentType).where(DocumentType.name == text)).all()
    if len(named) == 1:
        return named[0]
    if named:
        codes = "、".join(sorted(t.code for t in named))
        raise InvalidInput("intake.type_ambiguous", value=_shown(text), codes=codes)
    known = "、".join(
        t.name
        for t in session.scalars(select(DocumentType).order_by(DocumentType.sort_order, DocumentType.code))
    )
    raise InvalidInput("intake.type_unknown", value=_shown(text), known=known)


def resolve_retention(session: Session, value: str | None) -> RetentionClass:
    """The retention class named by its code (``D10``, any case) or its name (``定期10年``)."""
    if not (value or "").strip():
        raise InvalidInput("intake.retention_missing")
    return resolve_class(session, value)


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
        return zh("intake.household_missing"), None
    query = select(Household.code, Community.name).join(Household.community).where(Household.code == code)
    if community:
        found = session.scalar(
            select(func.count(Community.id)).where(
                (Community.name == community) | (Community.code == community)
            )
        )
        if not found:
            return zh("intake.community_unknown", value=_shown(community)), None
        query = query.where((Community.name == community) | (Community.code == community))
    rows = session.execute(query).all()
    if not rows:
        if community:
            return zh("intake.household_unknown_in", code=_shown(code), community=_shown(community)), None
        return zh("intake.household_unknown", code=_shown(code)), None
    if len(rows) > 1:
        names = "、".join(sorted(name for _, name in rows))
        return zh("intake.household_ambiguous", code=code, names=names), None
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
        check.errors["type_code"] = zh("intake.type_choose")
    else:
        try:
            check.type_name = resolve_type(session, type_code).name
        except DossierError as exc:
            check.errors["type_code"] = exc.render("zh")
    try:
        parse_date(document_date, zh("intake.document_date"))
    except DossierError as exc:
        check.errors["document_date"] = exc.render("zh")
    if (retention_class or "").strip():
        try:
            resolve_retention(session, retention_class)
        except DossierError as exc:
            check.errors["retention_class"] = exc.render("zh")
    return check
