"""Looking at a document: its record and page text, a page's preview, the original, a print.

One function per way of looking, for the CLI, the web and the API alike. Each checks that the
actor may see the document (a refusal is logged in its own transaction and answers like a
missing document), asks a confidential document's purpose (查阅目的, ``PurposeRequired``), masks
page text for roles without clearance, and writes one access-log entry whose detail is
``view_detail``'s (the page and the purpose given). None commits: the entry point does.

What the viewer looks for is marked on the page's text as shown (personal numbers masked, so a
masked number can never be found) and, from the page's stored OCR word boxes, on its preview
image: only rectangles, in percent of the preview, no text. The print view (page images only) is
logged as a view when opened; the print itself (:func:`record_print`) when the browser prints.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from dossier import pagetext
from dossier.actor import Actor
from dossier.archive import Archive
from dossier.errors import NotFound
from dossier.models import AccessAction, Confidentiality, Document, DocumentStatus, Page
from dossier.services import numbering
from dossier.services.access import record_access
from dossier.services.documents import (
    document_view,
    download_name,
    get_document,
    original_stream,
    read_purpose,
    require_view,
    text_mask,
    view_detail,
    wrapped_key_for,
)

# Where a page's text matches what the viewer looks for: (start, end) character ranges.
Finder = Callable[[str], list[tuple[int, int]]]
# A marked place on a page's preview: left, top, width, height in percent of the image.
Box = tuple[float, float, float, float]

_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


@dataclass(frozen=True)
class ShownPage:
    """One page as the viewer may read it: personal numbers masked without clearance."""

    number: int
    text: str | None
    masked: bool
    has_preview: bool
    confidence: float | None
    language: str | None
    marks: list[tuple[int, int]] = field(default_factory=list)  # ranges of ``text`` matching the finder
    boxes: list[Box] = field(default_factory=list)  # the same matches on the preview (stored word boxes)

    def as_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "text": self.text,
            "confidence": self.confidence,
            "language": self.language,
        }


@dataclass
class DocumentView:
    document: Document
    record: dict[str, Any]  # ``document_view``: the catalog record
    purpose: str | None
    pages: list[Page]  # the document's pages in order; none once destroyed
    shown: list[ShownPage]  # the pages whose text is shown: all, or the one asked for
    number: int | None = None  # the page asked for, within the document's pages

    @property
    def confidential(self) -> bool:
        return self.document.confidentiality == Confidentiality.CONFIDENTIAL

    @property
    def destroyed(self) -> bool:
        return self.document.status == DocumentStatus.DESTROYED

    def as_dict(self) -> dict[str, Any]:
        """What ``doc show --json`` and the API answer: the record and the shown pages' text."""
        return {**self.record, "pages": [page.as_dict() for page in self.shown]}


@dataclass
class PagePreview:
    document: Document
    number: int
    stream: BinaryIO
    media_type: str = "image/webp"


@dataclass
class OriginalFile:
    document: Document
    stream: BinaryIO
    name: str  # a safe file name (``download_name``)
    media_type: str | None
    size: int | None


@dataclass(frozen=True)
class PrintPage:
    number: int
    has_preview: bool


@dataclass
class PrintView:
    document: Document
    record: dict
    purpose: str | None
    pages: list[PrintPage]  # the page images are printed, not their text
    stamp: dict | None = None  # the 归档章 (``numbering.filing_stamp``), None before numbering

    @property
    def confidential(self) -> bool:
        return self.document.confidentiality == Confidentiality.CONFIDENTIAL


def _viewable(
    session: Session, actor: Actor, document_id: int, action: AccessAction, purpose: str | None
) -> tuple[Document, str | None]:
    """The document and the purpose given, if ``actor`` may see it (refusal logged, NotFound) and
    has said why when it is confidential (PurposeRequired). The caller's pending changes are not
    flushed on the way (a refusal must not find the caller's transaction writing)."""
    doc = _visible(session, actor, document_id, action)
    return doc, read_purpose(doc, purpose)


def _visible(session: Session, actor: Actor, document_id: int, action: AccessAction) -> Document:
    """The document, if ``actor`` may see it (the refusal is logged as ``action``; NotFound)."""
    with session.no_autoflush:
        doc = get_document(session, document_id)
        require_view(session, actor, doc, action)
    return doc


def _not_destroyed(doc: Document) -> None:
    if doc.status == DocumentStatus.DESTROYED:
        raise NotFound("document.destroyed", id=doc.id)


def _pages(session: Session, document_id: int) -> list[Page]:
    return list(session.scalars(select(Page).where(Page.document_id == document_id).order_by(Page.number)))


def _shown(session: Session, actor: Actor, page: Page, find: Finder | None = None) -> ShownPage:
    raw = pagetext.page_text(session, page)
    mask = text_mask(actor)
    text = mask(raw) if mask and raw else raw
    words = pagetext.page_words(session, page) if find and page.preview_key else None
    return ShownPage(
        number=page.number,
        text=text,
        masked=bool(raw and text != raw),
        has_preview=bool(page.preview_key),
        confidence=page.confidence,
        language=page.language,
        marks=find(text) if find and text else [],  # on the shown text: masks keep the length
        boxes=word_marks(words, find, mask) if words and find else [],
    )


def word_marks(
    words: pagetext.WordBoxes, find: Finder, mask: Callable[[str], str] | None = None
) -> list[Box]:
    """Where ``find`` matches a page's words, as boxes on its preview (percent of the image): the
    words are joined line by line as the page text joins them (nothing between Chinese
    characters, a space between Latin words and numbers), masked as ``mask`` masks page text, and
    a match marks the part of each word it covers (characters taken as equally wide), one box per
    match and line. A match touching a masked character marks nothing."""
    parts: list[str] = []
    spans: list[tuple[int, int, int, pagetext.Word]] = []  # start, end, line, word
    pos = 0
    for index, line in enumerate(words.lines):
        previous = None
        if index:
            parts.append("\n")
            pos += 1
        for word in line:
            text = word[0]
            if previous is not None and not (_CJK.match(previous[-1]) or _CJK.match(text[0])):
                parts.append(" ")
                pos += 1
            spans.append((pos, pos + len(text), index, word))
            parts.append(text)
            pos += len(text)
            previous = text
    joined = "".join(parts)
    shown = mask(joined) if mask else joined
    width, height = words.size
    boxes: list[Box] = []
    for start, end in find(shown):
        if shown[start:end] != joined[start:end]:
            continue
        by_line: dict[int, list[float]] = {}
        for w_start, w_end, index, (text, x, y, w, h) in spans:
            if w_end <= start or w_start >= end:
                continue
            share = w / len(text)
            left = x + share * (max(start, w_start) - w_start)
            right = x + share * (min(end, w_end) - w_start)
            box = by_line.setdefault(index, [left, y, right, y + h])
            box[:] = [min(box[0], left), min(box[1], y), max(box[2], right), max(box[3], y + h)]
        for left, top, right, bottom in by_line.values():
            boxes.append(
                (
                    round(100 * left / width, 3),
                    round(100 * top / height, 3),
                    round(100 * (right - left) / width, 3),
                    round(100 * (bottom - top) / height, 3),
                )
            )
    return boxes


def may_give_purpose(session: Session, actor: Actor, document_id: int) -> Document:
    """The document a viewer is about to give a purpose for, if they may see it (as a view)."""
    return _visible(session, actor, document_id, AccessAction.DOCUMENT_VIEW)


def view_document(
    session: Session,
    actor: Actor,
    document_id: int,
    purpose: str | None = None,
    *,
    page: int | None = None,
    find: Finder | None = None,
) -> DocumentView:
    """A document's record and its pages' text as ``actor`` may read them: every page, or only
    page ``page`` (brought within the document's pages). ``find`` marks matches on the page's
    own text (before masking, so offsets hold: masks keep the length). Logged as a view."""
    doc, purpose = _viewable(session, actor, document_id, AccessAction.DOCUMENT_VIEW, purpose)
    pages = [] if doc.status == DocumentStatus.DESTROYED else _pages(session, doc.id)
    number = None
    chosen = pages
    if page is not None:
        number = max(1, min(page, len(pages))) if pages else 1
        chosen = [p for p in pages if p.number == number]
    shown = [_shown(session, actor, p, find) for p in chosen]
    record_access(
        session,
        actor,
        AccessAction.DOCUMENT_VIEW,
        household_id=doc.household_id,
        document_id=doc.id,
        detail=view_detail(page=number if page is not None and shown else None, purpose=purpose),
    )
    return DocumentView(doc, document_view(doc), purpose, pages, shown, number)


def view_page_preview(
    archive: Archive,
    session: Session,
    actor: Actor,
    document_id: int,
    number: int,
    purpose: str | None = None,
) -> PagePreview:
    """The preview image of page ``number`` (a stream to close), logged as a page view."""
    doc, purpose = _viewable(session, actor, document_id, AccessAction.PAGE_VIEW, purpose)
    _not_destroyed(doc)
    page = session.scalar(select(Page).where(Page.document_id == doc.id, Page.number == number))
    if page is None or not page.preview_key:
        raise NotFound("document.no_preview", id=doc.id, page=number)
    stream = archive.vault.open(page.preview_key, wrapped_key_for(session, page.preview_key))
    record_access(
        session,
        actor,
        AccessAction.PAGE_VIEW,
        household_id=doc.household_id,
        document_id=doc.id,
        detail=view_detail(page=number, purpose=purpose),
    )
    return PagePreview(doc, number, stream)


def open_original(
    archive: Archive, session: Session, actor: Actor, document_id: int, purpose: str | None = None
) -> OriginalFile:
    """The original's plaintext (a stream to close), logged as a download."""
    doc, purpose = _viewable(session, actor, document_id, AccessAction.DOCUMENT_DOWNLOAD, purpose)
    stream = original_stream(archive, session, actor, doc, purpose=purpose)
    return OriginalFile(doc, stream, download_name(doc), doc.media_type, doc.size)


def print_document(session: Session, actor: Actor, document_id: int, purpose: str | None = None) -> PrintView:
    """The pages to print (their images, never their text), logged as a view: opening the print
    view is looking at the document; the print itself is :func:`record_print`'s."""
    doc, purpose = _viewable(session, actor, document_id, AccessAction.DOCUMENT_VIEW, purpose)
    _not_destroyed(doc)
    record_access(
        session,
        actor,
        AccessAction.DOCUMENT_VIEW,
        household_id=doc.household_id,
        document_id=doc.id,
        detail=view_detail(purpose=purpose),
    )
    pages = [PrintPage(p.number, bool(p.preview_key)) for p in _pages(session, doc.id)]
    return PrintView(doc, document_view(doc), purpose, pages, numbering.filing_stamp(session, doc))


def record_print(session: Session, actor: Actor, document_id: int, purpose: str | None = None) -> Document:
    """Log that ``actor`` printed the document (the browser's print started), with the purpose
    given for a confidential one; a refusal is logged as a print."""
    doc, purpose = _viewable(session, actor, document_id, AccessAction.DOCUMENT_PRINT, purpose)
    _not_destroyed(doc)
    record_access(
        session,
        actor,
        AccessAction.DOCUMENT_PRINT,
        household_id=doc.household_id,
        document_id=doc.id,
        detail=view_detail(purpose=purpose),
    )
    return doc
