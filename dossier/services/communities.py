"""Communities (小区) typed wrongly: rename one, or merge it into another.

Who: archivists and administrators (``MANAGE_RECORDS``), the roles that open folders and so
create communities (a new name typed when opening a folder creates one). A merge moves every
household of the source into the target and deletes the source; archive numbers stay as they
were (they keep the source's code as their prefix: a number once given is never reused or
changed). Both are written to the access log: one entry for the community, and for a merge one
entry per moved household, so each folder's log says where it went. Refused, with nothing
changed, when the target already holds a household with the same code. Nothing here commits;
the outcome lists the documents whose search entries carry the community's name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from dossier.actor import Actor
from dossier.catalog import Text, text, zh
from dossier.errors import AlreadyExists, InvalidInput, NotFound
from dossier.models import AccessAction, Community, Household
from dossier.permissions import Permission, require
from dossier.services.access import record_access
from dossier.services.household_changes import (
    MAX_REASON,
    find_community_zh,
    household_document_ids,
)


@dataclass
class CommunityOutcome:
    community: str  # the name it has now (the target's, after a merge)
    households: list[str] = field(default_factory=list)  # codes moved by a merge
    reindex: list[int] = field(default_factory=list)


def community_rows(session: Session) -> list[dict]:
    """Every community with its number of households (the 小区 page)."""
    counts = dict(
        session.execute(
            select(Household.community_id, func.count(Household.id)).group_by(Household.community_id)
        ).all()
    )
    return [
        {"id": c.id, "code": c.code, "name": c.name, "households": counts.get(c.id, 0)}
        for c in session.scalars(select(Community).order_by(Community.code))
    ]


def get_community(session: Session, community_id: int) -> Community:
    row = session.get(Community, community_id)
    if row is None:
        raise NotFound("community.gone")
    return row


def _note(reason: str | None) -> str | None:
    note = (reason or "").strip()
    if len(note) > MAX_REASON:
        raise InvalidInput("community.reason_too_long", limit=MAX_REASON)
    return note or None


def _with_reason(detail: str, reason: str | None) -> str:
    return zh("community.log.with_reason", detail=detail, reason=reason) if reason else detail


def rename_community(
    session: Session, actor: Actor, community: str, new_name: str, reason: str | None = None
) -> CommunityOutcome:
    """Give a community its right name (its code, and so its archive numbers, stay)."""
    require(actor, Permission.MANAGE_RECORDS)
    row = find_community_zh(session, community)
    name = (new_name or "").strip()
    if not name or len(name) > 128:
        raise InvalidInput("household.community_name_length")
    note = _note(reason)
    if name == row.name:
        raise InvalidInput("community.same_name")
    other = session.scalar(
        select(Community).where(or_(Community.name == name, Community.code == name), Community.id != row.id)
    )
    if other is not None:
        raise AlreadyExists("community.exists", name=other.name)
    old = row.name
    row.name = name
    session.flush()
    record_access(
        session,
        actor,
        AccessAction.COMMUNITY_RENAME,
        detail=_with_reason(zh("community.log.renamed", code=row.code, old=old, new=name), note),
    )
    ids = [h for h in session.scalars(select(Household.id).where(Household.community_id == row.id))]
    return CommunityOutcome(name, reindex=household_document_ids(session, ids))


def merge_communities(
    session: Session, actor: Actor, source: str, target: str, reason: str | None = None
) -> CommunityOutcome:
    """Move every household of ``source`` into ``target`` and delete ``source``."""
    require(actor, Permission.MANAGE_RECORDS)
    src = find_community_zh(session, source)
    dst = find_community_zh(session, target)
    note = _note(reason)
    if src.id == dst.id:
        raise InvalidInput("community.merge_into_itself")
    moving = list(
        session.scalars(select(Household).where(Household.community_id == src.id).order_by(Household.code))
    )
    codes = [h.code for h in moving]
    clashes = sorted(
        session.scalars(
            select(Household.code).where(Household.community_id == dst.id, Household.code.in_(codes))
        )
    )
    if clashes:
        shown: str | Text = "、".join(clashes[:10])
        if len(clashes) > 10:
            shown = text("community.more", codes=shown)
        raise AlreadyExists("community.merge_clash", target=dst.name, codes=shown)
    for household in moving:
        household.community = dst
        record_access(
            session,
            actor,
            AccessAction.COMMUNITY_MERGE,
            household_id=household.id,
            detail=_with_reason(
                zh("community.log.moved", source=src.name, target=dst.name, archive_no=household.archive_no),
                note,
            ),
        )
    session.flush()
    summary = zh(
        "community.log.merged",
        source=src.name,
        source_code=src.code,
        target=dst.name,
        target_code=dst.code,
        count=len(codes),
    )
    if codes:
        summary = zh("community.log.merged_codes", summary=summary, codes="、".join(codes))
    record_access(session, actor, AccessAction.COMMUNITY_MERGE, detail=_with_reason(summary, note))
    session.delete(src)
    session.flush()
    return CommunityOutcome(dst.name, codes, household_document_ids(session, [h.id for h in moving]))
