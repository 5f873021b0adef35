"""Scanned stacks: a whole stack as the scanner wrote it, stored encrypted and signed before it
is split at its cover sheets (``ingest.split``), so nothing the scanner produced is lost.

Same order as ``documents.store_original``: the object first, then one catalog transaction with
the stack, its signed record and its wrapped data key; if that fails the object is deleted. After
a cut (``retention.stacks``) the record is version 2 and lists the pages the object still holds;
a stack holding no pages has no object (``original_key`` None), only its record. Record layout:
docs/formats/stack-record.md.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from dossier import objectkeys, originals
from dossier.actor import Actor
from dossier.archive import Archive
from dossier.catalog import zh
from dossier.errors import AlreadyExists, IntegrityFailure, InvalidInput
from dossier.models import AccessAction, ScanStack, utcnow
from dossier.permissions import Permission, require
from dossier.services.access import record_access
from dossier.services.documents import check_signed, sign_stored, wrapped_key_for
from dossier.signing import load_public_key


def signed_facts(stack: ScanStack) -> dict:
    """The stack's signed record as a dict (IntegrityFailure when it is not one)."""
    record = originals.parse_record(stack.signed_record)
    if record is None:
        raise IntegrityFailure("stack.bad_record", id=stack.id)
    return record


def held_pages(stack: ScanStack) -> list[int]:
    """The original page numbers (1-based) the stored stack holds, in order, from its signed
    record (version 1: every page 1..page_count)."""
    record = signed_facts(stack)
    if "pages" in record:
        return [int(n) for n in record["pages"]]
    return list(range(1, (stack.page_count or 0) + 1))


def stack_positions(stack: ScanStack, first: int, last: int) -> list[int]:
    """Where the original pages ``first``..``last`` are in the stored object (1-based positions);
    InvalidInput when any of them is no longer stored."""
    position = {number: index for index, number in enumerate(held_pages(stack), start=1)}
    if any(n not in position for n in range(first, last + 1)):
        raise InvalidInput("stack.pages_gone", first=first, last=last, id=stack.id)
    return [position[n] for n in range(first, last + 1)]


def store_stack(
    archive: Archive,
    session: Session,
    actor: Actor,
    batch_id: int,
    file_name: str,
    media_type: str,
    stream: BinaryIO,
) -> ScanStack:
    """Store ``stream`` as the signed original of a scanned stack and commit it. A stack already
    taken in (same SHA-256) is refused with AlreadyExists; nothing is stored then."""
    require(actor, Permission.MANAGE_RECORDS)
    key = objectkeys.stack_key()
    stored = archive.vault.put(key, stream)
    try:
        earlier = session.scalar(select(ScanStack).where(ScanStack.sha256 == stored.sha256))
        if earlier is not None:
            raise AlreadyExists("stack.duplicate", batch=earlier.batch_id)
        stack = ScanStack(
            batch_id=batch_id,
            file_name=file_name,
            original_key=key,
            sha256=stored.sha256,
            sm3=stored.sm3,
            size=stored.plain_size,
            media_type=media_type,
            intake_at=utcnow().replace(microsecond=0),
            intake_by_id=actor.user_id,
            signed_record="",
            signature="",
            signing_key_id=archive.signer.fingerprint,
        )
        session.add(stack)
        sign_stored(
            session, archive.signer, stack, stored, lambda: originals.stack_record(stack, actor.username)
        )
        record_access(session, actor, AccessAction.STACK_INTAKE, detail=file_name)
        session.commit()
    except BaseException:
        session.rollback()
        archive.vault.delete(key)
        raise
    return stack


def open_stack(archive: Archive, session: Session, stack: ScanStack) -> BinaryIO:
    """The stack's plaintext stream (for splitting out pages the archivist files by hand)."""
    if stack.original_key is None:
        raise InvalidInput("stack.empty", id=stack.id)
    return archive.vault.open(stack.original_key, wrapped_key_for(session, stack.original_key))


def copy_stack(archive: Archive, session: Session, stack: ScanStack, path: Path) -> Path:
    """Write the stack's plaintext to ``path`` (in a ``dossier.workdir.work_folder``) and return it."""
    with open_stack(archive, session, stack) as stream, open(path, "wb") as out:
        shutil.copyfileobj(stream, out, 1 << 20)
    return path


def verify_stack(archive: Archive, session: Session, stack: ScanStack) -> tuple[bool, list[str]]:
    """(ok, problems): the stack's signature, its signed record against the catalog, and the
    stored bytes against both (streams the whole object). A stack whose pages were all cut has
    no object: its signature and record are checked."""
    expected = {
        "stack": stack.id,
        "batch": stack.batch_id,
        "object": stack.original_key,
        "sha256": stack.sha256,
        "size": stack.size,
    }
    if stack.original_key is None:
        ok, problems = _check_record_only(archive, stack, expected)
    else:
        ok, problems = check_signed(archive, session, stack, expected)
    problems += _page_count_problems(stack)
    return not problems, problems


def _check_record_only(archive: Archive, stack: ScanStack, expected: dict) -> tuple[bool, list[str]]:
    try:
        record = signed_facts(stack)
    except IntegrityFailure:
        return False, [zh("document.check.record_not_json")]
    problems = originals.check_record(
        record, stack.signature, load_public_key(archive.signer.public_pem()), expected
    ).problems()
    if record.get("pages") != []:
        problems.append(zh("stack.check.no_object"))
    return not problems, problems


def _page_count_problems(stack: ScanStack) -> list[str]:
    try:
        record = signed_facts(stack)
    except IntegrityFailure:
        return []  # already reported
    if "pages" in record and len(record["pages"]) != (stack.page_count or 0):
        return [zh("stack.check.page_count", catalog=stack.page_count, signed=len(record["pages"]))]
    return []
