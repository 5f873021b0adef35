"""Page text, sealed for confidential documents: the one way to read and write ``Page.text``.

An ordinary document's text is in ``Page.text``; a confidential one's is sealed with the field
cipher into ``Page.text_enc`` (``Page.text`` NULL), bound to its document id and page number.
Readers use :func:`page_text` / :func:`plaintext`; writers :func:`store` (the pipeline's final
commit), :func:`reseal` (a confidentiality change, same transaction) and :func:`seal_all`. The
signed text digest stays over the plaintext. The cipher comes from whatever the caller holds: an
archive handle or its keys (``.fields``), a ``FieldCipher``, or a catalog session (its settings ride
along, ``dossier.ledger.settings_of``). Why: docs/decisions/013-sealed-page-text.md.

A page's OCR words with their boxes (:class:`WordBoxes`, what the viewer marks a query on the
page image with) are kept the same way: ``Page.words`` or, sealed, ``Page.words_enc``, written by
:func:`store_words`, read by :func:`page_words`, and resealed with the text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from dossier.catalog import Text
from dossier.fieldcrypt import FieldCipher
from dossier.keycheck import check_master_key
from dossier.keys import ArchiveKeys
from dossier.ledger import settings_of
from dossier.models import Confidentiality, Document, Page


class HoldsCipher(Protocol):
    """An archive handle (or its keys): whatever has the field cipher as ``.fields``."""

    @property
    def fields(self) -> FieldCipher: ...


KeySource = HoldsCipher | FieldCipher | Session

_ciphers: dict[
    tuple[str, str, str | None], FieldCipher
] = {}  # (catalog, master key) -> its checked cipher: a session's, once


def _purpose(document_id: int, number: int) -> str:
    return f"page text {document_id}/{number}"


def _words_purpose(document_id: int, number: int) -> str:
    return f"page words {document_id}/{number}"


Word = tuple[str, int, int, int, int]  # text, left, top, width, height in the preview's pixels


@dataclass(frozen=True)
class WordBoxes:
    """A page's OCR words, line by line in reading order, with their boxes in the page's preview
    image (``size``: its width and height in pixels). Stored as compact JSON:
    ``{"size": [w, h], "lines": [[[text, x, y, w, h], ...], ...]}``."""

    size: tuple[int, int]
    lines: tuple[tuple[Word, ...], ...]

    def to_json(self) -> str:
        payload = {"size": list(self.size), "lines": [[list(w) for w in line] for line in self.lines]}
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, data: str) -> WordBoxes:
        payload = json.loads(data)
        width, height = payload["size"]
        return cls(
            (int(width), int(height)),
            tuple(
                tuple((str(t), int(x), int(y), int(w), int(h)) for t, x, y, w, h in line)
                for line in payload["lines"]
            ),
        )

    @classmethod
    def of(cls, size: tuple[int, int], lines: Sequence[Sequence[Word]]) -> WordBoxes:
        return cls(size, tuple(tuple(line) for line in lines if line))


def cipher_of(source: KeySource) -> FieldCipher:
    """The field cipher of an archive, given the archive, the cipher itself or a catalog session
    (the master key is checked against the archive's, as ``Archive.fields`` does)."""
    if isinstance(source, FieldCipher):
        return source
    if isinstance(source, Session):
        settings = settings_of(source)
        key = (settings.database_url, str(settings.master_key_file), settings.master_key_b64)
        cipher = _ciphers.get(key)
        if cipher is None:
            keys = ArchiveKeys(settings)
            check_master_key(settings, keys.master)
            cipher = _ciphers[key] = keys.fields
        return cipher
    return source.fields


def plaintext(
    source: KeySource, document_id: int, number: int, text: str | None, sealed: bytes | None
) -> str | None:
    """A page's text from its two columns (sealed text opened; IntegrityFailure if it was altered)."""
    if sealed is None:
        return text
    what = Text("fieldcrypt.what_page_text", {"document": document_id, "page": number})
    return cipher_of(source).open(sealed, _purpose(document_id, number), what)


def page_text(source: KeySource, page: Page) -> str | None:
    return plaintext(source, page.document_id, page.number, page.text, page.text_enc)


def texts_by_page(
    source: KeySource, session: Session, pages: Iterable[tuple[int, int]]
) -> dict[tuple[int, int], str | None]:
    """``{(document id, page number): text}`` for these pages (one query), e.g. search hits."""
    wanted = list(dict.fromkeys(pages))
    out: dict[tuple[int, int], str | None] = {}
    for start in range(0, len(wanted), 200):
        rows = session.execute(
            select(Page.document_id, Page.number, Page.text, Page.text_enc).where(
                tuple_(Page.document_id, Page.number).in_(wanted[start : start + 200])
            )
        )
        for row in rows:
            out[(row.document_id, row.number)] = plaintext(source, *row)
    return out


def document_texts(source: KeySource, session: Session, document_id: int) -> list[tuple[int, str | None]]:
    """``[(number, text), ...]`` of one document's pages in order (for its signed text digest)."""
    rows = session.execute(
        select(Page.number, Page.text, Page.text_enc)
        .where(Page.document_id == document_id)
        .order_by(Page.number)
    )
    return [(row.number, plaintext(source, document_id, row.number, row.text, row.text_enc)) for row in rows]


def is_confidential(doc: Document) -> bool:
    return doc.confidentiality == Confidentiality.CONFIDENTIAL


def store(source: KeySource, page: Page, text: str | None, *, confidential: bool) -> None:
    """Set ``page``'s text: sealed when its document is confidential, as it is otherwise.
    ``page.document_id`` and ``page.number`` must be set (they are bound into the seal)."""
    if confidential and text is not None:
        page.text, page.text_enc = None, cipher_of(source).seal(text, _purpose(page.document_id, page.number))
    else:
        page.text, page.text_enc = text, None


def store_words(source: KeySource, page: Page, words: WordBoxes | None, *, confidential: bool) -> None:
    """Set ``page``'s word boxes, sealed when its document is confidential (as :func:`store`)."""
    data = words.to_json() if words is not None else None
    if confidential and data is not None:
        page.words = None
        page.words_enc = cipher_of(source).seal(data, _words_purpose(page.document_id, page.number))
    else:
        page.words, page.words_enc = data, None


def page_words(source: KeySource, page: Page) -> WordBoxes | None:
    """``page``'s word boxes (sealed ones opened; IntegrityFailure if altered), or None: a page
    of an archive from before word boxes, a born-digital page, a page without words."""
    if page.words_enc is not None:
        data: str | None = cipher_of(source).open(
            page.words_enc,
            _words_purpose(page.document_id, page.number),
            Text("fieldcrypt.what_page_words", {"document": page.document_id, "page": page.number}),
        )
    else:
        data = page.words
    return WordBoxes.from_json(data) if data else None


def reseal(source: KeySource, session: Session, doc: Document) -> int:
    """Bring ``doc``'s pages (text and word boxes) in line with its confidentiality (seal or open
    them), in the caller's transaction; returns how many pages changed."""
    confidential = is_confidential(doc)
    changed = 0
    for page in session.scalars(select(Page).where(Page.document_id == doc.id)):
        text_ok = (page.text_enc is not None) == confidential or (confidential and page.text is None)
        words_ok = (page.words_enc is not None) == confidential or (confidential and page.words is None)
        if text_ok and words_ok:
            continue
        if not text_ok:
            store(source, page, page_text(source, page), confidential=confidential)
        if not words_ok:
            store_words(source, page, page_words(source, page), confidential=confidential)
        changed += 1
    return changed


def seal_all(source: KeySource, session: Session, *, chunk: int = 200) -> int:
    """Seal the plain page text of every confidential document (an archive upgraded from before
    sealing; later runs find nothing). Commits every ``chunk`` documents; returns pages sealed."""
    sealed = 0
    last = 0
    while True:
        ids = list(
            session.scalars(
                select(Document.id)
                .where(
                    Document.id > last,
                    Document.confidentiality == Confidentiality.CONFIDENTIAL,
                    select(Page.id)
                    .where(
                        Page.document_id == Document.id, (Page.text.is_not(None)) | (Page.words.is_not(None))
                    )
                    .exists(),
                )
                .order_by(Document.id)
                .limit(chunk)
            )
        )
        if not ids:
            return sealed
        for doc in session.scalars(select(Document).where(Document.id.in_(ids))):
            sealed += reseal(source, session, doc)
        session.commit()
        last = ids[-1]
