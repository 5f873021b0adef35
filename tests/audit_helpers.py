"""Helpers for the audit tests: real originals stored, processed and indexed, and ways to damage them."""

from __future__ import annotations

import io
from pathlib import Path

from sqlalchemy import select

from dossier.models import Document, Household, ObjectKey
from dossier.services import households as hh
from ingest import intake
from ingest.pipeline import process_document
from tests.synthetic import make_born_digital_pdf


def stored_documents(
    archive,
    console,
    tmp_path: Path,
    texts: list[str],
    household: str = "A-3-1201",
    *,
    confidential: bool = False,
) -> list[int]:
    """Take in one born-digital PDF per text into ``household`` (created if need be) and process
    each (pages, previews, index) — no OCR needed, so this is quick."""
    with archive.session() as session:
        if not session.scalar(select(Household.id).where(Household.code == household)):
            hh.add_household(session, console, None, household, owner="张三")
    paths = []
    for i, text in enumerate(texts):
        paths.append(make_born_digital_pdf([text], tmp_path / f"{household}-{i}-{len(text)}.pdf"))
    specs = [
        intake.FileSpec(
            path=p, name=n, household=household, type_code="renovation", confidential=confidential
        )
        for p, n in intake.expand_paths(paths)
    ]
    with archive.session() as session:
        batch = intake.intake(archive, session, console, specs)
        ids = intake.batch_document_ids(session, batch.id)
    for doc_id in ids:
        assert process_document(archive, doc_id) == "indexed"
    return ids


def original_key(archive, document_id: int) -> str:
    with archive.session() as session:
        return session.get(Document, document_id).original_key


def flip_byte(archive, key: str, position: int = 200) -> None:
    """Change one byte of the stored (encrypted) object in place."""
    with archive.store.open(key) as fh:
        data = bytearray(fh.read())
    data[min(position, len(data) - 1)] ^= 0x01
    archive.store.put(key, io.BytesIO(bytes(data)))


def replace_with_other_content(archive, key: str, content: bytes) -> None:
    """What a forger holding the master key could do: a valid encryption of other content under
    the same key, its new wrapped data key put in the catalog."""
    stored = archive.vault.put(key, io.BytesIO(content))
    with archive.session() as session:
        session.get(ObjectKey, key).wrapped_key = stored.wrapped_key
