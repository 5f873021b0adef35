"""Helpers for the retention tests: users of each role, stored documents with derivatives."""

from __future__ import annotations

import io
from datetime import date

from dossier.actor import Actor
from dossier.archive import Archive
from dossier.models import Document, DocumentStatus, ObjectKey, Page
from dossier.services.documents import NewDocument, store_original
from dossier.services.households import get_household
from dossier.services.users import add_user, get_user

# username → role; each one's password is f"{username}-password-1".
RETENTION_USERS = {
    "keeper": "archivist",
    "officer": "retention_officer",
    "officer2": "retention_officer",
    "clerk": "staff",
    "checker": "auditor",
}


def add_retention_users(archive: Archive) -> dict[str, Actor]:
    with archive.session() as session:
        for username, role in RETENTION_USERS.items():
            add_user(session, Actor.console(), username, role, f"{username}-password-1")
    return actors(archive)


def cli_token(archive: Archive, username: str) -> str:
    """A new API token of ``username``: what a script puts in ``DOSSIER_TOKEN`` so the CLI's
    four-eyes actions (``retention approve``, ``loan out --approved-by``) accept that user."""
    from dossier.services.users import issue_token

    with archive.session() as session:
        return issue_token(session, Actor.console(), username, "four-eyes actions in tests")


def actors(archive: Archive) -> dict[str, Actor]:
    with archive.session() as session:
        return {u: Actor.from_user(get_user(session, u), "cli") for u in RETENTION_USERS}


def store_document(
    archive: Archive,
    household: str,
    type_code: str,
    document_date: date | None,
    *,
    title: str | None = None,
    retention: str | None = None,
    pages: list[str] | None = None,
    paper: tuple[str, str, str] | None = None,
    community: str | None = None,
) -> int:
    """A real stored original (encrypted, signed) with page text, a stored preview per page and a
    stored searchable PDF (derivatives), indexed for search. Returns its id."""
    from dossier.services import history
    from search.hooks import document_changed

    pages = pages if pages is not None else [f"{title or type_code} 第一页 维修记录"]
    title = title or f"{type_code} {document_date}"
    content = (
        f"%PDF-1.4\n% {household} {type_code} {title} {document_date}\n".encode() + bytes(range(256)) * 4
    )
    with archive.session() as session:
        console = Actor.console()
        new = NewDocument(
            household=get_household(session, household, community),
            type_code=type_code,
            title=title,
            media_type="application/pdf",
            original_name=f"{title}.pdf",
            document_date=document_date,
            retention_class=retention,
        )
        if paper:
            new.paper_cabinet, new.paper_box, new.paper_position = paper
        doc = store_original(archive, session, console, new, io.BytesIO(content))
        doc = session.get(Document, doc.id)
        for number, text in enumerate(pages, start=1):
            key = f"derivatives/{doc.id}/0/preview-{number:06d}.webp"
            stored = archive.vault.put(key, io.BytesIO(b"RIFF preview " + text.encode()))
            session.add(
                ObjectKey(object_key=key, wrapped_key=stored.wrapped_key, master_key_id=stored.master_key_id)
            )
            session.add(Page(document_id=doc.id, number=number, text=text, source="ocr", preview_key=key))
        pdf_key = f"derivatives/{doc.id}/0/searchable.pdf"
        stored = archive.vault.put(pdf_key, io.BytesIO(b"%PDF-1.4 searchable"))
        session.add(
            ObjectKey(object_key=pdf_key, wrapped_key=stored.wrapped_key, master_key_id=stored.master_key_id)
        )
        doc.searchable_pdf_key = pdf_key
        doc.page_count = len(pages)
        doc.status = DocumentStatus.INDEXED.value
        history.append(session, doc, history.PROCESSED, actor=None)  # as the pipeline signs its text
        document_id = doc.id
    document_changed(archive, document_id)
    return document_id


def object_keys_of_document(archive: Archive, document_id: int) -> list[str]:
    """Every object the store holds for a document (the original is found through the catalog's
    signed record, which survives destruction)."""
    import json

    with archive.session() as session:
        record = json.loads(session.get(Document, document_id).signed_record)
    keys = [info.key for info in archive.store.list(f"derivatives/{document_id}/")]
    if archive.store.exists(record["object"]):
        keys.append(record["object"])
    return keys
