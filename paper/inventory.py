"""The monthly inventory (每月清点) of a cabinet: what the ledger says should be on the shelf,
what was not found, what was found that the ledger does not know, so that the ledger matches the
shelves (帐物相符). Originals out on loan are expected to be away and are listed as such.

A count's discrepancies are kept as counted; each stays open (listed on the inventory page)
until a records manager resolves it with a note saying what was done (差异处理), which is
recorded beside the count and in the access log.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from dossier import localtime
from dossier.actor import Actor
from dossier.catalog import text
from dossier.errors import AlreadyExists, InvalidInput, NotFound
from dossier.models import (
    AccessAction,
    Document,
    DocumentStatus,
    InventoryCount,
    InventoryResolution,
    Loan,
)
from dossier.people import display_names
from dossier.permissions import Permission, require, require_any
from dossier.services.access import record_access

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_DOCUMENT_REF = re.compile(r"^#?(\d{1,9})$")
NOTE_MAX = 500
ITEM_MAX = 200


def _require_reader(actor: Actor) -> None:
    require_any(actor, Permission.MANAGE_RECORDS, Permission.AUDIT)


def _clean_cabinet(cabinet: str | None) -> str:
    cabinet = (cabinet or "").strip()
    if not cabinet or len(cabinet) > 32:
        raise InvalidInput("paper.bad_cabinet")
    return cabinet


def _shelf_documents(session: Session, cabinet: str) -> tuple[list[Document], set[int]]:
    """Documents whose paper original the ledger puts in ``cabinet``, and those out on loan."""
    docs = list(
        session.scalars(
            select(Document)
            .options(selectinload(Document.household))
            .where(Document.paper_cabinet == cabinet, Document.status != DocumentStatus.DESTROYED)
            .order_by(Document.paper_box, Document.paper_position, Document.id)
        )
    )
    lent = set(
        session.scalars(
            select(Loan.document_id).where(
                Loan.returned_at.is_(None), Loan.document_id.in_([d.id for d in docs])
            )
        )
    )
    return docs, lent


def _extra_entry(session: Session, text: str) -> dict:
    """An item found that the ledger does not put here: a document named by its number (#12 or
    12) is recorded as that document with where the ledger says it is; anything else as text."""
    match = _DOCUMENT_REF.match(text)
    doc = session.get(Document, int(match.group(1))) if match else None
    if doc is None:
        return {"kind": "extra", "item": text[:ITEM_MAX]}
    ledger = " ".join(p for p in (doc.paper_cabinet, doc.paper_box, doc.paper_position) if p) or None
    return {"kind": "extra", "document": doc.id, "item": doc.title, "ledger": ledger}


def record_inventory(
    session: Session,
    actor: Actor,
    cabinet: str,
    *,
    month: str | None = None,
    missing: Sequence[int] = (),
    extra: Sequence[str] = (),
    note: str | None = None,
) -> InventoryCount:
    require(actor, Permission.MANAGE_RECORDS)
    cabinet = _clean_cabinet(cabinet)
    month = (month or "").strip() or localtime.today().strftime("%Y-%m")
    if not _MONTH.match(month):
        raise InvalidInput("paper.bad_month", value=month[:20])
    docs, lent = _shelf_documents(session, cabinet)
    shelf = [d.id for d in docs if d.id not in lent]
    unknown = sorted(set(missing) - set(shelf))
    if unknown:
        raise InvalidInput("paper.not_on_shelf", documents="、".join(map(str, unknown)), cabinet=cabinet)
    extras = [_extra_entry(session, e.strip()) for e in extra if e and e.strip()]
    discrepancies = [{"kind": "missing", "document": d} for d in sorted(set(missing))] + extras
    count = InventoryCount(
        cabinet=cabinet,
        month=month,
        counted_by=actor.username,
        expected=len(shelf),
        found=len(shelf) - len(set(missing)),
        on_loan=len(lent),
        discrepancies=json.dumps(discrepancies, ensure_ascii=False),
        note=(note or "").strip()[:NOTE_MAX] or None,
    )
    session.add(count)
    session.flush()
    record_access(
        session,
        actor,
        AccessAction.INVENTORY,
        detail=json.dumps(
            {"inventory": count.id, "cabinet": cabinet, "month": month, "discrepancies": len(discrepancies)},
            ensure_ascii=False,
        ),
    )
    return count


def resolve_difference(
    session: Session, actor: Actor, inventory_id: int, entry: int, note: str
) -> InventoryCount:
    """Settle discrepancy number ``entry`` (counted from 1) of a count, saying what was done."""
    require(actor, Permission.MANAGE_RECORDS)
    count = session.get(InventoryCount, inventory_id)
    if count is None:
        raise NotFound("paper.no_such_count", count=inventory_id)
    discrepancies = json.loads(count.discrepancies or "[]")
    if not 1 <= entry <= len(discrepancies):
        raise NotFound("paper.no_such_difference", count=inventory_id, entry=entry)
    note = (note or "").strip()
    if not note:
        raise InvalidInput("paper.resolution_needed")
    if len(note) > NOTE_MAX:
        raise InvalidInput("paper.too_long", what=text("paper.label.resolve_note"), limit=NOTE_MAX)
    if any(r.entry == entry for r in count.resolutions):
        raise AlreadyExists("paper.difference_resolved", count=inventory_id, entry=entry)
    difference = discrepancies[entry - 1]
    count.resolutions.append(
        InventoryResolution(count_id=count.id, entry=entry, resolved_by=actor.username, note=note)
    )
    session.flush()
    record_access(
        session,
        actor,
        AccessAction.INVENTORY_RESOLVE,
        document_id=difference.get("document"),
        detail=json.dumps(
            {"inventory": count.id, "cabinet": count.cabinet, "entry": entry, "difference": difference},
            ensure_ascii=False,
        ),
    )
    return count


# --- reading ------------------------------------------------------------------------------------


def inventory_view(count: InventoryCount, names: dict[str, str] | None = None) -> dict:
    names = names or {}
    discrepancies = json.loads(count.discrepancies or "[]")
    resolved = {
        r.entry: {
            "at": r.resolved_at.isoformat(),
            "by": r.resolved_by,
            "by_name": names.get(r.resolved_by, r.resolved_by),
            "note": r.note,
        }
        for r in count.resolutions
    }
    return {
        "inventory": count.id,
        "cabinet": count.cabinet,
        "month": count.month,
        "counted_by": count.counted_by,
        "counted_by_name": names.get(count.counted_by, count.counted_by),
        "counted_at": count.counted_at.isoformat(),
        "expected": count.expected,
        "found": count.found,
        "on_loan": count.on_loan,
        "discrepancies": discrepancies,
        "resolutions": [{"entry": entry, **r} for entry, r in sorted(resolved.items())],
        "open_differences": len(discrepancies) - len(resolved),
        "matches": not discrepancies,
        "note": count.note,
    }


def _views(session: Session, counts: list[InventoryCount]) -> list[dict]:
    users = {c.counted_by for c in counts} | {r.resolved_by for c in counts for r in c.resolutions}
    names = display_names(session, users)
    return [inventory_view(c, names) for c in counts]


def list_inventories(
    session: Session, actor: Actor, cabinet: str | None = None, limit: int = 100
) -> list[dict]:
    _require_reader(actor)
    query = (
        select(InventoryCount)
        .options(selectinload(InventoryCount.resolutions))
        .order_by(InventoryCount.id.desc())
        .limit(limit)
    )
    if cabinet:
        query = query.where(InventoryCount.cabinet == cabinet)
    return _views(session, list(session.scalars(query)))


def open_differences(session: Session, actor: Actor, cabinet: str | None = None) -> list[dict]:
    """Discrepancies not yet resolved, oldest count first, each with its count's facts."""
    _require_reader(actor)
    query = (
        select(InventoryCount).options(selectinload(InventoryCount.resolutions)).order_by(InventoryCount.id)
    )
    if cabinet:
        query = query.where(InventoryCount.cabinet == cabinet)
    rows = []
    for view in _views(session, list(session.scalars(query.where(InventoryCount.discrepancies != "[]")))):
        done = {r["entry"] for r in view["resolutions"]}
        for entry, difference in enumerate(view["discrepancies"], start=1):
            if entry not in done:
                rows.append(
                    {
                        "inventory": view["inventory"],
                        "entry": entry,
                        "cabinet": view["cabinet"],
                        "month": view["month"],
                        "counted_by": view["counted_by"],
                        "counted_by_name": view["counted_by_name"],
                        "counted_at": view["counted_at"],
                        **difference,
                    }
                )
    return _with_titles(session, rows)


def _with_titles(session: Session, rows: list[dict]) -> list[dict]:
    ids = {r["document"] for r in rows if r.get("document")}
    if ids:
        titles = dict(session.execute(select(Document.id, Document.title).where(Document.id.in_(ids))).all())
        for row in rows:
            if row.get("document") and not row.get("item"):
                row["title"] = titles.get(row["document"])
    return rows


def shelf(session: Session, actor: Actor, cabinet: str) -> dict:
    """What the ledger puts in a cabinet, for the count form: on the shelf, and out on loan."""
    _require_reader(actor)
    cabinet = _clean_cabinet(cabinet)
    docs, lent = _shelf_documents(session, cabinet)

    def row(d: Document) -> dict:
        return {
            "document": d.id,
            "title": d.title,
            "household": d.household.code,
            "box": d.paper_box,
            "position": d.paper_position,
        }

    return {
        "cabinet": cabinet,
        "on_shelf": [row(d) for d in docs if d.id not in lent],
        "on_loan": [row(d) for d in docs if d.id in lent],
    }


def cabinets(session: Session, actor: Actor) -> list[dict]:
    """Every cabinet the ledger or a count names: originals kept there, out on loan, the last
    count and how many differences are still open."""
    _require_reader(actor)
    kept_rows = session.execute(
        select(Document.paper_cabinet, func.count(Document.id))
        .where(Document.paper_cabinet.is_not(None), Document.status != DocumentStatus.DESTROYED)
        .group_by(Document.paper_cabinet)
    )
    kept = {cabinet: n for cabinet, n in kept_rows if cabinet}
    out_rows = session.execute(
        select(Document.paper_cabinet, func.count(Loan.id))
        .join(Loan, Loan.document_id == Document.id)
        .where(Loan.returned_at.is_(None), Document.paper_cabinet.is_not(None))
        .group_by(Document.paper_cabinet)
    )
    out = {cabinet: n for cabinet, n in out_rows if cabinet}
    last: dict[str, dict] = {}
    for view in list_inventories(session, actor, limit=10_000):
        last.setdefault(view["cabinet"], view)
    pending: dict[str, int] = {}
    for diff in open_differences(session, actor):
        pending[diff["cabinet"]] = pending.get(diff["cabinet"], 0) + 1
    return [
        {
            "cabinet": name,
            "kept": kept.get(name, 0),
            "on_loan": out.get(name, 0),
            "last_month": last[name]["month"] if name in last else None,
            "last_at": last[name]["counted_at"] if name in last else None,
            "open_differences": pending.get(name, 0),
        }
        for name in sorted(set(kept) | set(last))
    ]
