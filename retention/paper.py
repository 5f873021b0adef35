"""Paper originals (dual track, 双轨制) are destroyed at their own moment: shredded or torn,
in front of at least two witnesses (监销人). This records that event for the approved items of
a list, one shredding-log entry per paper original."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy.orm import Session

from dossier import localtime
from dossier.actor import Actor
from dossier.archive import Archive
from dossier.catalog import Text, text
from dossier.errors import InvalidInput
from dossier.models import (
    AccessAction,
    DestructionList,
    Document,
    ItemState,
    ListStatus,
    PaperDestruction,
    ShredKind,
    utcnow,
)
from dossier.permissions import Permission, require
from dossier.services.access import record_access
from retention import shredlog
from retention.holds import active_holds_for

MIN_WITNESSES = 2
DEFAULT_METHOD = "碎纸机（交叉切割）"  # confidential paper is shredded, cross-cut


def _name(value: str | None, what: Text) -> str:
    value = (value or "").strip()
    if not value or len(value) > 128:
        raise InvalidInput("retention.name_length", what=what)
    return value


def record_paper_destruction(
    archive: Archive,
    session: Session,
    actor: Actor,
    dl: DestructionList,
    *,
    shredded_by: str,
    witnesses: list[str],
    method: str,
    destroyed_on: date,
    document_ids: list[int] | None = None,
    today: date | None = None,
) -> tuple[PaperDestruction, int]:
    """Record that the paper originals of ``document_ids`` (default: every approved item of the
    list whose paper is still kept) were destroyed on ``destroyed_on``. Returns the record and
    how many paper originals it covers."""
    require(actor, Permission.PROPOSE_DESTRUCTION)
    if dl.status == ListStatus.PROPOSED:
        raise InvalidInput("retention.paper_not_approved", number=dl.number)
    shredded_by = _name(shredded_by, text("retention.what_shredder"))
    names = list(dict.fromkeys(_name(w, text("retention.what_witness")) for w in witnesses or []))
    if shredded_by in names:
        raise InvalidInput("retention.shredder_is_witness")
    if len(names) < MIN_WITNESSES:
        raise InvalidInput("retention.too_few_witnesses", min=MIN_WITNESSES)
    method = _name(method, text("retention.what_method"))
    today = today or localtime.today()
    if destroyed_on > today:
        raise InvalidInput("retention.paper_date_future", date=destroyed_on)
    if dl.approved_at is not None and destroyed_on < dl.approved_at.date():
        raise InvalidInput("retention.paper_date_before_approval", date=destroyed_on, number=dl.number)
    waiting = {
        i.document_id: i
        for i in dl.items
        if i.state != ItemState.STRUCK and i.paper_location and i.paper_destruction_id is None
    }
    if document_ids:
        for document_id in document_ids:
            if document_id not in waiting:
                raise InvalidInput("retention.paper_not_waiting", id=document_id, number=dl.number)
        items = [waiting[d] for d in dict.fromkeys(document_ids)]
    else:
        items = list(waiting.values())
    if not items:
        raise InvalidInput("retention.no_paper_waiting", number=dl.number)
    for item in items:
        holds = active_holds_for(session, item.document)
        if holds:
            raise InvalidInput("retention.paper_held", id=item.document_id, reason=holds[0].reason)
    now = utcnow()
    record = PaperDestruction(
        list_id=dl.id,
        destroyed_on=destroyed_on,
        shredded_by=shredded_by,
        witnesses=json.dumps(names, ensure_ascii=False),
        method=method,
        recorded_by=actor.username,
        recorded_at=now,
    )
    session.add(record)
    session.flush()
    for item in items:
        item.paper_destruction_id = record.id
        doc: Document = item.document
        doc.paper_cabinet = doc.paper_box = doc.paper_position = None
        shredlog.append(
            session,
            archive.signer,
            kind=ShredKind.PAPER,
            list_number=dl.number,
            document_id=item.document_id,
            at=now,
            facts={
                "household": item.household_code,
                "archive_no": item.archive_no,
                "type": item.type_code,
                "title": item.title,
                "sha256": item.sha256,
                "paper_location": item.paper_location,
                "destroyed_on": destroyed_on.isoformat(),
                "shredded_by": shredded_by,
                "witnesses": names,
                "method": method,
                "recorded_by": actor.username,
            },
        )
        record_access(
            session,
            actor,
            AccessAction.PAPER_DESTROY,
            household_id=doc.household_id,
            document_id=doc.id,
            detail=dl.number,
        )
    return record, len(items)


def paper_view(record: PaperDestruction, items: int | None = None) -> dict:
    view = {
        "id": record.id,
        "destroyed_on": record.destroyed_on.isoformat(),
        "shredded_by": record.shredded_by,
        "witnesses": json.loads(record.witnesses),
        "method": record.method,
        "recorded_by": record.recorded_by,
        "recorded_at": record.recorded_at.isoformat(),
    }
    if items is not None:
        view["items"] = items
    return view
