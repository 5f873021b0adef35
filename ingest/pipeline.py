"""Processing one stored original into pages: rasterise → (text layer | preprocess → OCR) →
derivatives → catalog → index, for one document claimed under a lease (``ingest.state``).

Pages go a few at a time to worker processes (one single-threaded tesseract each): memory stays
bounded. Previews are stored as made, under this attempt's key prefix; pages, derivative keys and
the new state (page text sealed if confidential) commit together at the end, only if the document
is still this attempt's (else what it stored is deleted). Plaintext exists only in the attempt's
private folder under ``$DOSSIER_HOME/work``; a crash leaves only unreferenced derivatives, which
the next attempt deletes. Why: docs/decisions/008-bounded-crash-safe-processing.md.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections import deque
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select, update

from dossier import objectkeys, pagetext
from dossier.archive import Archive
from dossier.catalog import text
from dossier.errors import DossierError, InvalidInput
from dossier.models import Document, DocumentStatus, ObjectKey, Page, utcnow
from dossier.services import history
from dossier.services.documents import wrapped_key_for
from dossier.workdir import work_folder
from ingest import derivatives, reasons, state
from ingest.detect import detect, page_count, text_layer
from ingest.ocr import ScriptGuess, ocr_page
from ingest.preprocess import prepare_for_ocr
from ingest.rasterise import PageImage, iter_pages
from search import hooks

log = logging.getLogger(__name__)

RENEW_EVERY_SECONDS = 5  # lease renewal doubles as progress reporting
TEXT_LAYER_RANGE = 8  # pages per pdftotext call


@dataclass
class PageResult:
    number: int
    text: str
    confidence: float | None
    language: str | None
    source: str  # "ocr" | "text"
    dpi: int | None
    rotation: int | None
    skew: float | None
    preview_path: Path
    pdf_path: Path | None  # one-page searchable PDF (OCR'd pages only)
    preview_key: str | None = None
    script: ScriptGuess | None = None  # what the OCR found the page's script to be
    words: pagetext.WordBoxes | None = None  # the OCR words, boxed in the preview (OCR'd pages only)


def read_page(
    page: PageImage, workdir: Path, born_digital_text: str | None = None, prior: ScriptGuess | None = None
) -> PageResult:
    """Everything one page needs, in whichever process runs it: the text (from the PDF's own
    text layer when it has a usable one, else OCR) and an upright preview. ``prior`` is the
    script an earlier page of the same document was found to have (see :func:`ocr_page`).

    The page image is decoded once: the prepared image stays in memory for OCR and the preview;
    only its JPEG, which the searchable PDF embeds, is written.
    """
    preview_path = workdir / f"preview-{page.number:06d}.webp"
    source_dpi = round(page.source_dpi) if page.source_dpi else None
    try:
        if born_digital_text is not None:
            derivatives.make_preview(page.path, preview_path, dpi=page.dpi)
            return PageResult(
                page.number,
                born_digital_text.strip(),
                None,
                None,
                "text",
                source_dpi,
                None,
                None,
                preview_path,
                None,
            )
        prepared = prepare_for_ocr(
            page.path, workdir / f"prepared-{page.number:06d}.jpg", dpi=page.dpi, keep_image=True
        )
        try:
            result = ocr_page(prepared, workdir / f"ocr-{page.number:06d}.pdf", prior=prior)
            derivatives.make_preview(None, preview_path, dpi=prepared.dpi, image=prepared.image)
            words = derivatives.preview_words(
                ((w.text, w.box, (w.block, w.paragraph, w.line)) for w in result.words),
                (prepared.width, prepared.height),
                prepared.dpi,
            )
        finally:
            prepared.path.unlink(missing_ok=True)
        return PageResult(
            page.number,
            result.text,
            result.confidence,
            result.language,
            "ocr",
            source_dpi,
            prepared.rotation_applied,
            prepared.skew_degrees,
            preview_path,
            result.pdf_path,
            script=result.script,
            words=words,
        )
    finally:
        page.path.unlink(missing_ok=True)


class _Inline(Executor):
    """Runs work in the calling process (one page at a time); same interface as a pool."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller through the future
            future.set_exception(exc)
        return future


def _clear_unreferenced_derivatives(archive: Archive, session, doc: Document) -> None:
    """Delete derivative objects of earlier attempts that never reached the catalog."""
    referenced = set(session.scalars(select(Page.preview_key).where(Page.document_id == doc.id)))
    referenced.add(doc.searchable_pdf_key)
    for info in archive.store.list(objectkeys.derivatives_prefix(doc.id)):
        if info.key not in referenced:
            archive.store.delete(info.key)


def process_document(
    archive: Archive, document_id: int, *, executor: Executor | None = None, in_flight: int = 4
) -> str:
    """Process one document if it can be claimed; returns its status afterwards (or
    ``"skipped"`` when another worker holds it or it is already done)."""
    session = archive.new_session()
    try:
        if not state.claim(session, document_id):
            return "skipped"
        try:
            if not _process(archive, session, document_id, executor or _Inline(), in_flight):
                return "skipped"
            return DocumentStatus.INDEXED
        except InvalidInput as exc:
            # The content itself cannot be processed (damaged page, bomb): retrying cannot help.
            reason = reasons.of_error(exc, f"document {document_id}")
            return state.fail(session, document_id, reasons.dump(reason), final=True)
        except DossierError as exc:
            reason = reasons.of_error(exc, f"document {document_id}")
            return state.fail(session, document_id, reasons.dump(reason))
        except Exception as exc:  # noqa: BLE001 - recorded on the document, retried, then failed
            log.exception("processing document %s failed", document_id)
            return state.fail(
                session, document_id, reasons.dump(text("intake.internal_error", kind=type(exc).__name__))
            )
    finally:
        session.close()


def _process(archive: Archive, session, document_id: int, executor: Executor, in_flight: int) -> bool:
    """Process the claimed document; False when it was no longer this attempt's at the end."""
    doc = session.get(Document, document_id)
    _clear_unreferenced_derivatives(archive, session, doc)
    attempt = doc.attempts
    # The plaintext original, page rasters and previews stay in this attempt's private folder
    # (``dossier.workdir``), removed afterwards, swept by the next worker if this one is killed.
    with work_folder(archive.settings, f"doc{doc.id}-") as workdir:
        original = workdir / "original"
        with (
            archive.vault.open(doc.original_key, wrapped_key_for(session, doc.original_key)) as src,
            open(original, "wb") as dst,
        ):
            shutil.copyfileobj(src, dst, 1 << 20)
        name = doc.original_name or f"document {doc.id}"
        detected = detect(original, name=name)
        pending: deque[Future] = deque()
        results: list[PageResult] = []
        stored: dict[str, bytes] = {}  # object key -> wrapped data key
        last_renew = time.monotonic()
        prior: ScriptGuess | None = None  # the script of the latest page read

        def collect(future: Future) -> None:
            nonlocal last_renew, prior
            result = future.result()
            if result.script is not None and result.script.method in ("glyphs", "latin", "confidence"):
                prior = result.script
            preview_key = objectkeys.preview_key(doc.id, attempt, result.number)
            with open(result.preview_path, "rb") as fh:
                stored[preview_key] = archive.vault.put(preview_key, fh).wrapped_key
            result.preview_path.unlink(missing_ok=True)
            result.preview_key = preview_key
            results.append(result)
            if time.monotonic() - last_renew > RENEW_EVERY_SECONDS:
                state.renew(session, document_id, pages_done=len(results))
                last_renew = time.monotonic()

        doc.page_count = page_count(original, detected, name=name)
        state.renew(session, document_id, pages_done=0)
        texts: dict[int, str] = {}  # usable text layers of born-digital PDF pages
        text_read_to = 0
        for page in iter_pages(original, detected, workdir=workdir / "pages", name=name):
            if detected.is_pdf and page.number > text_read_to:
                text_read_to = min(page.number + TEXT_LAYER_RANGE - 1, doc.page_count)
                texts.update(
                    {
                        p.number: p.text
                        for p in text_layer(original, page.number, text_read_to, name=name)
                        if p.usable
                    }
                )
            born_digital = texts.pop(page.number, None)
            pending.append(executor.submit(read_page, page, workdir, born_digital, prior))
            while len(pending) >= in_flight:
                collect(pending.popleft())
        while pending:
            collect(pending.popleft())

        results.sort(key=lambda r: r.number)
        pdf_key = None
        if any(r.pdf_path for r in results):
            if len(results) == 1:
                pdf_path = results[0].pdf_path  # the one page's PDF is the document's
                assert pdf_path is not None
            else:
                pdf_path = workdir / "searchable.pdf"
                derivatives.assemble_pdf(
                    [(r.pdf_path, 1) if r.pdf_path else (original, r.number) for r in results], pdf_path
                )
            pdf_key = objectkeys.searchable_pdf_key(doc.id, attempt)
            with open(pdf_path, "rb") as fh:
                stored[pdf_key] = archive.vault.put(pdf_key, fh).wrapped_key

    # Finish only if the document is still ours: the conditional update also holds the row (or,
    # on SQLite, the database) until the commit below, so nobody can take or destroy it between.
    ours = cast(
        CursorResult[Any],
        session.execute(
            update(Document)
            .where(
                Document.id == doc.id,
                Document.status == DocumentStatus.PROCESSING,
                Document.attempts == attempt,
            )
            .values(status=DocumentStatus.INDEXED)
            .execution_options(synchronize_session=False)
        ),
    )
    if ours.rowcount != 1:
        session.rollback()
        log.warning(
            "document %s changed hands while it was processed; this attempt's work is dropped", doc.id
        )
        for key in stored:
            archive.store.delete(key)
        return False
    old_keys = set(session.scalars(select(Page.preview_key).where(Page.document_id == doc.id))) | {
        doc.searchable_pdf_key
    }
    session.execute(delete(Page).where(Page.document_id == doc.id))
    for key, wrapped in stored.items():
        session.add(ObjectKey(object_key=key, wrapped_key=wrapped, master_key_id=archive.master_key.key_id))
    session.refresh(doc, ["confidentiality"])  # as it is now: a correction may have changed it
    confidential = pagetext.is_confidential(doc)
    for r in results:
        row = Page(
            document_id=doc.id,
            number=r.number,
            confidence=r.confidence,
            language=r.language,
            dpi=r.dpi,
            preview_key=r.preview_key,
            source=r.source,
            rotation=r.rotation,
            skew=r.skew,
        )
        pagetext.store(archive, row, r.text, confidential=confidential)  # sealed when confidential
        pagetext.store_words(archive, row, r.words, confidential=confidential)
        session.add(row)
    doc.page_count = len(results)
    doc.searchable_pdf_key = pdf_key
    doc.status = DocumentStatus.INDEXED
    doc.lease_until = None
    doc.last_error = None
    doc.processed_at = utcnow()
    old_keys.discard(None)
    session.execute(delete(ObjectKey).where(ObjectKey.object_key.in_(old_keys)))
    # The page text is signed in the transaction that writes it (see dossier.services.history).
    history.append(session, doc, history.PROCESSED, actor=None)
    session.commit()
    for key in old_keys:
        archive.store.delete(key)
    hooks.document_changed(archive, document_id)
    return True
