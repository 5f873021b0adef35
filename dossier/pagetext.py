"""Page text, sealed for confidential documents: the one way to read and write ``Page.text``.

An ordinary document's page text is kept as it is (``Page.text``). A confidential document's is
sealed with the field cipher (``dossier.fieldcrypt``, AES-256-GCM under a key derived from the
master key) into ``Page.text_enc``, with ``Page.text`` NULL, so a copy of the catalog alone does
not reveal it. The page's document id and number are bound into the seal, so sealed text cannot
be moved to another page unnoticed.

Readers get plaintext through :func:`page_text` / :func:`plaintext` (search indexing, snippets,
the viewer, print view, ``doc show``, audits and the signed text digest, which stays over the
plaintext so signatures do not change when text is sealed). Writers go through :func:`store`
(the pipeline's final commit), :func:`reseal` (a correction changing confidentiality, in the
same transaction) and :func:`seal_all` (``dossier init`` of an archive from before sealing).

The cipher comes from whichever handle the caller has: an ``Archive``, a ``FieldCipher``, or a
catalog session (its archive's settings ride along, see ``dossier.ledger.settings_of``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Union

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from dossier.fieldcrypt import FieldCipher
from dossier.models import Confidentiality, Document, Page

if TYPE_CHECKING:
    from dossier.archive import Archive

KeySource = Union["Archive", FieldCipher, Session]

_archives: dict[tuple, "Archive"] = {}   # (catalog, master key) -> its Archive: a session's cipher, once


def _purpose(document_id: int, number: int) -> str:
    return f"page text {document_id}/{number}"


def cipher_of(source: KeySource) -> FieldCipher:
    """The field cipher of an archive, given the archive, the cipher itself or a catalog session
    (the master key is checked against the archive's, as ``Archive.fields`` does)."""
    if isinstance(source, FieldCipher):
        return source
    if isinstance(source, Session):
        from dossier.archive import Archive
        from dossier.ledger import settings_of

        settings = settings_of(source)
        key = (settings.database_url, str(settings.master_key_file), settings.master_key_b64)
        archive = _archives.get(key)
        if archive is None:
            archive = _archives[key] = Archive(settings)
        return archive.fields
    return source.fields


def plaintext(source: KeySource, document_id: int, number: int, text: str | None, sealed: bytes | None) -> str | None:
    """A page's text from its two columns (sealed text opened; IntegrityFailure if it was altered)."""
    if sealed is None:
        return text
    return cipher_of(source).open(sealed, _purpose(document_id, number))


def page_text(source: KeySource, page: Page) -> str | None:
    return plaintext(source, page.document_id, page.number, page.text, page.text_enc)


def texts_by_page(source: KeySource, session: Session,
                  pages: Iterable[tuple[int, int]]) -> dict[tuple[int, int], str | None]:
    """``{(document id, page number): text}`` for these pages (one query), e.g. search hits."""
    wanted = list(dict.fromkeys(pages))
    out: dict[tuple[int, int], str | None] = {}
    for start in range(0, len(wanted), 200):
        rows = session.execute(select(Page.document_id, Page.number, Page.text, Page.text_enc)
                               .where(tuple_(Page.document_id, Page.number).in_(wanted[start:start + 200])))
        for row in rows:
            out[(row.document_id, row.number)] = plaintext(source, *row)
    return out


def document_texts(source: KeySource, session: Session, document_id: int) -> list[tuple[int, str | None]]:
    """``[(number, text), ...]`` of one document's pages in order (for its signed text digest)."""
    rows = session.execute(select(Page.number, Page.text, Page.text_enc)
                           .where(Page.document_id == document_id).order_by(Page.number))
    return [(row.number, plaintext(source, document_id, row.number, row.text, row.text_enc)) for row in rows]


def is_confidential(doc: Document) -> bool:
    return doc.confidentiality == Confidentiality.CONFIDENTIAL.value


def store(source: KeySource, page: Page, text: str | None, *, confidential: bool) -> None:
    """Set ``page``'s text: sealed when its document is confidential, as it is otherwise.
    ``page.document_id`` and ``page.number`` must be set (they are bound into the seal)."""
    if confidential and text is not None:
        page.text, page.text_enc = None, cipher_of(source).seal(text, _purpose(page.document_id, page.number))
    else:
        page.text, page.text_enc = text, None


def reseal(source: KeySource, session: Session, doc: Document) -> int:
    """Bring ``doc``'s pages in line with its confidentiality (seal or open them), in the caller's
    transaction; returns how many pages changed."""
    confidential = is_confidential(doc)
    changed = 0
    for page in session.scalars(select(Page).where(Page.document_id == doc.id)):
        if (page.text_enc is not None) == confidential or (confidential and page.text is None):
            continue
        store(source, page, page_text(source, page), confidential=confidential)
        changed += 1
    return changed


def seal_all(source: KeySource, session: Session, *, chunk: int = 200) -> int:
    """Seal the plain page text of every confidential document (an archive upgraded from before
    sealing; later runs find nothing). Commits every ``chunk`` documents; returns pages sealed."""
    sealed = 0
    last = 0
    while True:
        ids = list(session.scalars(
            select(Document.id).where(Document.id > last,
                                      Document.confidentiality == Confidentiality.CONFIDENTIAL.value,
                                      select(Page.id).where(Page.document_id == Document.id,
                                                            Page.text.is_not(None)).exists())
            .order_by(Document.id).limit(chunk)))
        if not ids:
            return sealed
        for doc in session.scalars(select(Document).where(Document.id.in_(ids))):
            sealed += reseal(source, session, doc)
        session.commit()
        last = ids[-1]
