"""The monthly inventory (每月清点) of a cabinet: what the ledger says should be on the shelf,
what was not found, what was found that the ledger does not know, so that the ledger matches the
shelves (帐物相符). Originals out on loan are expected to be away and are listed as such."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from dossier.actor import Actor
from dossier.errors import InvalidInput
from dossier.models import AccessAction, Document, DocumentStatus, InventoryCount, Loan
from dossier.permissions import Permission, can, require
from dossier.services.access import record_access

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _ledger(session: Session, cabinet: str) -> tuple[list[int], list[int]]:
    """Documents whose paper original the ledger puts in ``cabinet``: (on the shelf, out on loan)."""
    ids = list(
        session.scalars(
            select(Document.id)
            .where(Document.paper_cabinet == cabinet, Document.status != DocumentStatus.DESTROYED)
            .order_by(Document.id)
        )
    )
    lent = set(
        session.scalars(select(Loan.document_id).where(Loan.returned_at.is_(None), Loan.document_id.in_(ids)))
    )
    return [i for i in ids if i not in lent], sorted(lent)


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
    cabinet = (cabinet or "").strip()
    if not cabinet or len(cabinet) > 32:
        raise InvalidInput("a cabinet has 1 to 32 characters")
    month = month or date.today().strftime("%Y-%m")
    if not _MONTH.match(month):
        raise InvalidInput(f"the month must look like 2024-01, not {month!r}")
    shelf, on_loan = _ledger(session, cabinet)
    unknown = sorted(set(missing) - set(shelf))
    if unknown:
        raise InvalidInput(
            f"document(s) {', '.join(map(str, unknown))} are not on the shelf of cabinet {cabinet} "
            "by the ledger"
        )
    extras = [e.strip()[:200] for e in extra if e and e.strip()]
    discrepancies = [{"kind": "missing", "document": d} for d in sorted(set(missing))] + [
        {"kind": "extra", "item": e} for e in extras
    ]
    count = InventoryCount(
        cabinet=cabinet,
        month=month,
        counted_by=actor.username,
        expected=len(shelf),
        found=len(shelf) - len(set(missing)),
        on_loan=len(on_loan),
        discrepancies=json.dumps(discrepancies, ensure_ascii=False),
        note=(note or "").strip()[:500] or None,
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


def inventory_view(count: InventoryCount) -> dict:
    discrepancies = json.loads(count.discrepancies or "[]")
    return {
        "inventory": count.id,
        "cabinet": count.cabinet,
        "month": count.month,
        "counted_by": count.counted_by,
        "counted_at": count.counted_at.isoformat(),
        "expected": count.expected,
        "found": count.found,
        "on_loan": count.on_loan,
        "discrepancies": discrepancies,
        "matches": not discrepancies,
        "note": count.note,
    }


def list_inventories(
    session: Session, actor: Actor, cabinet: str | None = None, limit: int = 100
) -> list[dict]:
    if not can(actor, Permission.MANAGE_RECORDS):
        require(actor, Permission.AUDIT)
    query = select(InventoryCount).order_by(InventoryCount.id.desc()).limit(limit)
    if cabinet:
        query = query.where(InventoryCount.cabinet == cabinet)
    return [inventory_view(c) for c in session.scalars(query)]
