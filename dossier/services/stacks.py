"""Scanned stacks: a whole stack as the scanner wrote it, stored encrypted and signed before it
is split at its cover sheets (``ingest.split``), so nothing the scanner produced is lost.

Same order of work as ``documents.store_original``: the object is written first, then one
catalog transaction records the stack, its signed record and its wrapped data key; if that
fails the object is deleted.

When a document cut from a stack is destroyed, the stack is stored again without its pages
(``retention.stacks``). Its signed record then becomes version 2 and lists the original page
numbers the stored object still holds (``pages``), every cut (``removed``) and the SHA-256 of
the stack as scanned (``source_sha256``); a version 1 record holds pages 1..page_count. A stack
holding no pages any more has no object (``original_key`` None) and keeps only its record.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import BinaryIO, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from dossier.actor import Actor
from dossier.archive import Archive
from dossier.errors import AlreadyExists, IntegrityFailure, InvalidInput
from dossier.models import ScanStack, utcnow
from dossier.permissions import Permission, require
from dossier.services.access import record_access
from dossier.services.documents import check_signed, new_object_key, sign_stored, wrapped_key_for

RECORD_VERSION = 1
CUT_RECORD_VERSION = 2


def stack_record(stack: ScanStack, intake_by: str, *, pages: Iterable[int] | None = None,
                 removed: Iterable[dict] = (), source_sha256: str | None = None) -> dict:
    """The facts a stack's signature vouches for (canonical JSON is what gets signed): version 1
    as taken in, version 2 with ``pages`` once a cut has changed what the object holds."""
    record = {
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
    if pages is not None:
        record.update(v=CUT_RECORD_VERSION, pages=list(pages), removed=list(removed),
                      source_sha256=source_sha256 or stack.sha256)
    return record


def signed_facts(stack: ScanStack) -> dict:
    """The stack's signed record as a dict (IntegrityFailure when it is not one)."""
    try:
        record = json.loads(stack.signed_record)
    except ValueError:
        record = None
    if not isinstance(record, dict):
        raise IntegrityFailure(f"the signed record of the scanned stack {stack.id} is not valid JSON")
    return record


def cut_record(previous: dict, stack: ScanStack, pages: Iterable[int], removed: Iterable[dict]) -> dict:
    """The version 2 record of ``stack`` (already pointing at its new object) after a cut, from
    the record signed before: provenance (file, batch, intake, source SHA-256) carried over as
    signed, ``removed`` appended to the earlier cuts."""
    record = stack_record(stack, previous["intake_by"], pages=pages,
                          removed=[*previous.get("removed", []), *removed],
                          source_sha256=previous.get("source_sha256") or previous["sha256"])
    record["intake_at"] = previous["intake_at"]     # exactly as signed (a database may drop the zone)
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
        raise InvalidInput(f"pages {first}-{last} of the scanned stack {stack.id} are no longer stored "
                           f"(a destroyed document's pages were cut from it)")
    return [position[n] for n in range(first, last + 1)]


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
    if stack.original_key is None:
        raise InvalidInput(f"the scanned stack {stack.id} holds no pages any more (all were destroyed)")
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
    expected = {"stack": stack.id, "batch": stack.batch_id, "object": stack.original_key,
                "sha256": stack.sha256, "size": stack.size}
    if stack.original_key is None:
        ok, problems = _check_record_only(archive, stack, expected)
    else:
        ok, problems = check_signed(archive, session, stack, expected)
    problems += _page_count_problems(stack)
    return not problems, problems


def _check_record_only(archive: Archive, stack: ScanStack, expected: dict) -> tuple[bool, list[str]]:
    from dossier.signing import load_public_key, verify

    try:
        record = signed_facts(stack)
    except IntegrityFailure:
        return False, ["the signed record is not valid JSON"]
    problems = [] if verify(load_public_key(archive.signer.public_pem()), record, stack.signature) else [
        "the signature does not match the signed record"]
    problems += [f"the catalog's {field} differs from the signed record"
                 for field, value in expected.items() if record.get(field) != value]
    if record.get("pages") != []:
        problems.append("the stack has no stored object, but its signed record says it holds pages")
    return not problems, problems


def _page_count_problems(stack: ScanStack) -> list[str]:
    try:
        record = signed_facts(stack)
    except IntegrityFailure:
        return []                      # already reported
    if "pages" in record and len(record["pages"]) != (stack.page_count or 0):
        return [f"the catalog counts {stack.page_count} page(s), the signed record {len(record['pages'])}"]
    return []
