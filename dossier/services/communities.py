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
        raise NotFound("没有这个小区；请刷新页面后重试。")
    return row


def _note(reason: str | None) -> str | None:
    text = (reason or "").strip()
    if len(text) > MAX_REASON:
        raise InvalidInput(f"理由最多 {MAX_REASON} 个字。")
    return text or None


def _with_reason(detail: str, reason: str | None) -> str:
    return f"{detail}；理由：{reason}" if reason else detail


def rename_community(
    session: Session, actor: Actor, community: str, new_name: str, reason: str | None = None
) -> CommunityOutcome:
    """Give a community its right name (its code, and so its archive numbers, stay)."""
    require(actor, Permission.MANAGE_RECORDS)
    row = find_community_zh(session, community)
    name = (new_name or "").strip()
    if not name or len(name) > 128:
        raise InvalidInput("小区名称须为 1 至 128 个字。")
    note = _note(reason)
    if name == row.name:
        raise InvalidInput("新名称与原名称相同。")
    other = session.scalar(
        select(Community).where(or_(Community.name == name, Community.code == name), Community.id != row.id)
    )
    if other is not None:
        raise AlreadyExists(f"已有小区“{other.name}”；如两者是同一小区，请用“合并”。")
    old = row.name
    row.name = name
    session.flush()
    record_access(
        session,
        actor,
        AccessAction.COMMUNITY_RENAME,
        detail=_with_reason(f"小区 {row.code} 改名：{old} → {name}", note),
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
        raise InvalidInput("不能把小区合并到它自己。")
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
        shown = "、".join(clashes[:10]) + ("等" if len(clashes) > 10 else "")
        raise AlreadyExists(f"{dst.name}已有相同户号的档案（{shown}），不能合并；请先修改其中一方的户号。")
    for household in moving:
        household.community = dst
        record_access(
            session,
            actor,
            AccessAction.COMMUNITY_MERGE,
            household_id=household.id,
            detail=_with_reason(
                f"小区 {src.name} 并入 {dst.name}，档案编号 {household.archive_no} 不变", note
            ),
        )
    session.flush()
    summary = f"小区 {src.name}（{src.code}）并入 {dst.name}（{dst.code}）：{len(codes)} 户"
    if codes:
        summary += "：" + "、".join(codes)
    record_access(session, actor, AccessAction.COMMUNITY_MERGE, detail=_with_reason(summary, note))
    session.delete(src)
    session.flush()
    return CommunityOutcome(dst.name, codes, household_document_ids(session, [h.id for h in moving]))
