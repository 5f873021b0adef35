"""Scanned stacks: a whole stack as the scanner wrote it, stored encrypted and signed before it
is split at its cover sheets (``ingest.split``), so nothing the scanner produced is lost.

Same order of work as ``documents.store_original``: the object is written first, then one
catalog transaction records the stack, its signed record and its wrapped data key; if that
fails the object is deleted.
"""

from __future__ import annotations

from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from dossier.actor import Actor
from dossier.archive import Archive
from dossier.errors import AlreadyExists
from dossier.models import ScanStack, utcnow
from dossier.permissions import Permission, require
from dossier.services.access import record_access
from dossier.services.documents import check_signed, new_object_key, sign_stored, wrapped_key_for

RECORD_VERSION = 1


def stack_record(stack: ScanStack, intake_by: str) -> dict:
    """The facts a stack's signature vouches for (canonical JSON is what gets signed)."""
    return {
        "v": RECORD_VERSION,
        "kind": "scan_stack",
        "stack": stack.id,
        "batch": stack.batch_id,
        "file": stack.file_name,
        "object": stack.original_key,
        "sha256": stack.sha256,
        "sm3": stack.sm3,
        "size": stack.size,
        "media_type": stack.media_type,
        "intake_at": stack.intake_at.isoformat(),
        "intake_by": intake_by,
    }


def store_stack(archive: Archive, session: Session, actor: Actor, batch_id: int, file_name: str,
                media_type: str, stream: BinaryIO) -> ScanStack:
    """Store ``stream`` as the signed original of a scanned stack and commit it. A stack already
    taken in (same SHA-256) is refused with AlreadyExists; nothing is stored then."""
    require(actor, Permission.MANAGE_RECORDS)
    key = new_object_key("stacks")
    stored = archive.vault.put(key, stream)
    try:
        earlier = session.scalar(select(ScanStack).where(ScanStack.sha256 == stored.sha256))
        if earlier is not None:
            raise AlreadyExists(f"this stack was already taken in (batch {earlier.batch_id})")
        stack = ScanStack(batch_id=batch_id, file_name=file_name, original_key=key, sha256=stored.sha256,
                          sm3=stored.sm3, size=stored.plain_size, media_type=media_type,
                          intake_at=utcnow().replace(microsecond=0), intake_by_id=actor.user_id,
                          signed_record="", signature="", signing_key_id=archive.signer.fingerprint)
        session.add(stack)
        sign_stored(session, archive.signer, stack, stored, lambda: stack_record(stack, actor.username))
        record_access(session, actor, "stack.intake", detail=file_name)
        session.commit()
    except BaseException:
        session.rollback()
        archive.vault.delete(key)
        raise
    return stack


def open_stack(archive: Archive, session: Session, stack: ScanStack) -> BinaryIO:
    """The stack's plaintext stream (for splitting out pages the archivist files by hand)."""
    return archive.vault.open(stack.original_key, wrapped_key_for(session, stack.original_key))


def verify_stack(archive: Archive, session: Session, stack: ScanStack) -> tuple[bool, list[str]]:
    """(ok, problems): the stack's signature, its signed record against the catalog, and the
    stored bytes against both (streams the whole object)."""
    expected = {"stack": stack.id, "batch": stack.batch_id, "object": stack.original_key,
                "sha256": stack.sha256, "size": stack.size}
    return check_signed(archive, session, stack, expected)
