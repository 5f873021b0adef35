"""Re-applying destructions to a restored catalog, from a newer export of the shredding log.

A backup taken before a destruction still holds the destroyed document's wrapped data key, so
restoring it would bring the document back. ``dossier restore --shredlog FILE`` therefore reads
an export of the log made after the backup (``dossier shredlog export``), checks it entry by
entry with the archive's public key, checks that it continues the restored log (same entries up
to the restored head), and for every newer electronic entry destroys the document again exactly
as execution did: cut from its scanned stacks, objects deleted, wrapped keys and page text
removed, a tombstone kept, its list item marked destroyed. The entries themselves are added to the restored log unchanged (still
signed by whoever signed them), so the chain and the head end where the export ends.
"""

from __future__ import annotations

import json

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dossier import ledger
from dossier.archive import Archive
from dossier.errors import IntegrityFailure
from dossier.models import (
    DestructionItem,
    DestructionList,
    Document,
    DocumentStatus,
    ItemState,
    ListStatus,
    ShredKind,
    ShredLogEntry,
)
from retention import stacks
from retention.execute import object_keys_of, tombstone
from retention.shredlog import record_range


def reapply(archive: Archive, session: Session, exported: list[ShredLogEntry]) -> dict:
    """Bring the restored catalog up to ``exported`` (checked rows of ``shredlog.read_export``);
    commits. Returns what was re-applied."""
    restored = {row.seq: row.entry_hash for row in session.scalars(select(ShredLogEntry))}
    for row in exported[: len(restored)]:
        if restored.get(row.seq) != row.entry_hash:
            raise IntegrityFailure("retention.replay_diverges", seq=row.seq)
    if len(exported) < len(restored):
        raise IntegrityFailure("retention.replay_older")
    destroyed: list[int] = []
    for row in exported[len(restored) :]:
        cuts = _destroy_again(archive, session, row) if row.kind == ShredKind.ELECTRONIC else None
        if cuts is not None:
            destroyed.append(row.document_id)
        seq, prev = ledger.link(session, ledger.SHREDLOG)
        if (seq, prev) != (row.seq, row.prev_hash):
            raise IntegrityFailure("retention.replay_head", seq=row.seq - 1)
        session.add(row)
        session.flush()
        ledger.seal(session, ledger.SHREDLOG, row.seq, row.entry_hash)
        record_range(session, row.list_number)
        session.commit()
        stacks.finish_stack_cuts(archive, cuts or [])
    return {"entries_added": len(exported) - len(restored), "documents_destroyed_again": destroyed}


def _destroy_again(archive: Archive, session: Session, row: ShredLogEntry) -> list[stacks.StackCut] | None:
    """Destroy the entry's document again (uncommitted); returns the stack cuts to finish after
    the commit, or None when there was nothing to destroy."""
    doc = session.get(Document, row.document_id)
    if doc is None or doc.status == DocumentStatus.DESTROYED:
        return None
    facts = json.loads(row.record)
    cuts = stacks.plan_stack_cuts(archive, session, doc)
    keys = object_keys_of(archive, session, doc)
    for key in sorted(keys):
        archive.store.delete(key)
    stacks.apply_stack_cuts(session, archive.signer, cuts, list_number=row.list_number, at=row.at)
    tombstone(session, doc, keys, at=row.at, by=facts.get("destroyed_by"), list_number=row.list_number)
    dl = session.scalars(select(DestructionList).where(DestructionList.number == row.list_number)).first()
    if dl is not None:
        session.execute(
            update(DestructionItem)
            .where(DestructionItem.list_id == dl.id, DestructionItem.document_id == doc.id)
            .values(
                state=ItemState.DESTROYED,
                destroyed_at=row.at,
                destroyed_by=facts.get("destroyed_by"),
                last_error=None,
            )
            .execution_options(synchronize_session=False)
        )
        session.flush()
        session.refresh(dl)
        if not any(item.state == ItemState.PENDING for item in dl.items):
            dl.status = ListStatus.EXECUTED
            dl.executed_by = dl.executed_by or facts.get("destroyed_by")
            dl.executed_at = dl.executed_at or row.at
    return cuts
