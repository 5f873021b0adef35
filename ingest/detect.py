"""Step 1 of ingest: what is this file, and can we read it?

The type is decided by the file's first bytes, never its name; anything that is not a PDF, TIFF,
JPEG or PNG is refused with a sentence the archivist can act on, before any heavier tool touches
it. For PDFs, :func:`pdf_info` gets the page count from poppler's ``pdfinfo`` and refuses
password-protected or damaged files; :func:`text_layer` tells born-digital pages from pure scans,
so the pipeline can skip OCR where the text is already there.
Why: docs/decisions/006-file-type-from-magic-bytes.md.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from PIL import Image

from dossier.catalog import Text, os_reason, text
from dossier.errors import InvalidInput

from ._tools import decoding, first_line, run_tool

Kind = Literal["pdf", "tiff", "jpeg", "png"]

# How far into the file the PDF header may start: the spec allows leading garbage and Acrobat
# looks at the first 1024 bytes, as do we.
_PDF_HEADER_WINDOW = 1024
# A complete PDF ends with "%%EOF" (possibly followed by a little padding some scanners add).
_PDF_TAIL_WINDOW = 64 * 1024


@dataclass(frozen=True)
class Detected:
    """A file's media type as decided from its content.

    ``kind`` is the short name the other steps dispatch on: ``"pdf"`` (any number of pages,
    rasterised with poppler), ``"tiff"`` (one or more frames), ``"jpeg"`` or ``"png"`` (one page).
    """

    media_type: str
    kind: Kind

    @property
    def suffix(self) -> str:
        """The conventional file name extension, e.g. for storing the original."""
        return {"pdf": ".pdf", "tiff": ".tif", "jpeg": ".jpg", "png": ".png"}[self.kind]

    @property
    def is_pdf(self) -> bool:
        return self.kind == "pdf"


@dataclass(frozen=True)
class PdfInfo:
    """What ``pdfinfo`` says about a PDF that opens without a password.

    ``encrypted`` is True for PDFs with an owner password only (permissions such as "no
    printing"): those open and render normally, and poppler does not enforce the permissions.
    """

    pages: int
    encrypted: bool


@dataclass(frozen=True)
class PageText:
    """The text layer of one PDF page. ``usable`` means it is real text worth indexing."""

    number: int
    text: str
    usable: bool


# (prefix, message code) for formats people commonly upload by mistake. The message completes
# "<name> is ..., not a scan".
_REFUSED_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "ingest.kind_zip_or_office"),
    (b"PK\x05\x06", "ingest.kind_empty_zip"),
    (b"PK\x07\x08", "ingest.kind_zip"),
    (b"Rar!\x1a\x07", "ingest.kind_rar"),
    (b"7z\xbc\xaf\x27\x1c", "ingest.kind_7z"),
    (b"\x1f\x8b", "ingest.kind_gzip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ingest.kind_old_office"),
    (b"GIF87a", "ingest.kind_gif"),
    (b"GIF89a", "ingest.kind_gif"),
    (b"BM", "ingest.kind_bmp"),
    (b"\x00\x00\x00\x0cjP  \r\n\x87\n", "ingest.kind_jpeg2000"),
    (b"\xff\x4f\xff\x51", "ingest.kind_jpeg2000_codestream"),
    (b"%!PS", "ingest.kind_postscript"),
    (b"{\\rtf", "ingest.kind_rtf"),
)


def _describe_refused(head: bytes) -> Text:
    """A short description of a refused file's content, for the error sentence."""
    return text(_refused_kind(head))


def _refused_kind(head: bytes) -> str:
    for prefix, code in _REFUSED_SIGNATURES:
        if head.startswith(prefix):
            return code
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "ingest.kind_webp"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in {b"heic", b"heix", b"mif1", b"msf1", b"hevc"}:
            return "ingest.kind_heic"
        return "ingest.kind_video"
    sample = head.lstrip(b"\xef\xbb\xbf").lstrip().lower()
    if sample.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or b"<html" in sample[:1024]:
        return "ingest.kind_html"
    if sample.startswith(b"<?xml") or sample.startswith(b"<svg"):
        return "ingest.kind_xml"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        # A cut in the middle of a multi-byte character at the end of the sample is still text.
        try:
            head[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return "ingest.kind_unknown"
    return "ingest.kind_text"


def detect(path: str | os.PathLike[str], *, name: str | None = None) -> Detected:
    """Decide a file's media type from its first bytes.

    ``name`` is the name to use in error messages (the uploaded file name); it defaults to the
    path's base name and is never used to decide the type.

    Raises :class:`InvalidInput` for a missing or empty file and for anything that is not a
    PDF, TIFF, JPEG or PNG, saying what the file appears to be instead.
    """
    label = name or Path(path).name
    try:
        with open(path, "rb") as handle:
            head = handle.read(_PDF_HEADER_WINDOW)
    except FileNotFoundError as exc:
        raise InvalidInput("ingest.file_missing", label=label) from exc
    except IsADirectoryError as exc:
        raise InvalidInput("ingest.is_folder", label=label) from exc
    except OSError as exc:
        raise InvalidInput("ingest.unreadable", label=label, reason=os_reason(exc)) from exc

    if not head:
        raise InvalidInput("ingest.empty_file", label=label)
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Detected("image/png", "png")
    if head.startswith(b"\xff\xd8\xff"):
        return Detected("image/jpeg", "jpeg")
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return Detected("image/tiff", "tiff")
    if b"%PDF-" in head:
        return Detected("application/pdf", "pdf")
    raise InvalidInput("ingest.not_a_scan", label=label, kind=_describe_refused(head))


def _check_pdf_tail(path: str | os.PathLike[str], label: str) -> None:
    """Refuse a PDF whose end is missing: the usual result of an interrupted copy or upload.

    poppler is tolerant and may still open such a file by reconstructing its cross-reference
    table, silently dropping the pages that were cut off; a record archive must not.
    """
    size = os.path.getsize(path)
    with open(path, "rb") as handle:
        handle.seek(max(0, size - _PDF_TAIL_WINDOW))
        tail = handle.read()
    if b"%%EOF" not in tail:
        raise InvalidInput("ingest.pdf_truncated", label=label)


def pdf_info(path: str | os.PathLike[str], *, name: str | None = None) -> PdfInfo:
    """Page count and encryption of a PDF, from ``pdfinfo``.

    Raises :class:`InvalidInput` when the PDF needs a password to open, is truncated or
    damaged, or has no pages.
    """
    label = name or Path(path).name
    _check_pdf_tail(path, label)
    result = run_tool(["pdfinfo", "-enc", "UTF-8", path], check=False, timeout=60, what=label)
    stderr = result.stderr.decode("utf-8", "replace")
    if result.returncode != 0:
        if "password" in stderr.lower():
            raise InvalidInput("ingest.pdf_password", label=label)
        technical = first_line(stderr) or f"pdfinfo exit status {result.returncode}"
        raise InvalidInput("ingest.pdf_damaged", label=label, technical=technical)
    fields: dict[str, str] = {}
    for line in result.stdout.decode("utf-8", "replace").splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields.setdefault(key.strip(), value.strip())
    try:
        pages = int(fields.get("Pages", ""))
    except ValueError as exc:
        raise InvalidInput("ingest.pdf_no_page_count", label=label) from exc
    if pages < 1:
        raise InvalidInput("ingest.pdf_no_pages", label=label)
    encrypted = fields.get("Encrypted", "no").lower().startswith("yes")
    return PdfInfo(pages=pages, encrypted=encrypted)


def page_count(path: str | os.PathLike[str], detected: Detected, *, name: str | None = None) -> int:
    """How many pages the file holds: a PDF's from ``pdfinfo``, a TIFF's frames, else one."""
    label = name or Path(path).name
    if detected.is_pdf:
        return pdf_info(path, name=label).pages
    if detected.kind == "tiff":
        with decoding(label), Image.open(path) as image:
            return getattr(image, "n_frames", 1)
    return 1


_PAGE_SIZE = re.compile(r"^Page\s+(\d+)\s+size:\s+([\d.]+)\s+x\s+([\d.]+)\s+pts", re.MULTILINE)


def pdf_page_sizes(
    path: str | os.PathLike[str], first_page: int, last_page: int, *, name: str | None = None
) -> dict[int, tuple[float, float]]:
    """Page sizes in points (1/72 inch) for a page range, from ``pdfinfo -f -l``.

    Used to refuse absurd page sizes before rendering them at 300 dpi.
    """
    label = name or Path(path).name
    result = run_tool(["pdfinfo", "-f", str(first_page), "-l", str(last_page), path], timeout=60, what=label)
    return {
        int(m.group(1)): (float(m.group(2)), float(m.group(3)))
        for m in _PAGE_SIZE.finditer(result.stdout.decode("utf-8", "replace"))
    }


# ---------------------------------------------------------------------------------------------
# Text layers
# ---------------------------------------------------------------------------------------------

# Characters that carry meaning: CJK ideographs (BMP blocks and extension A), kana, Latin
# letters and digits in ASCII and full-width forms. A text layer made of something else (private
# use code points, control characters, symbols from a font without a ToUnicode map) is garbage.
_MEANINGFUL = re.compile(
    r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff"
    r"A-Za-z0-9\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]"
)
MIN_MEANINGFUL_CHARS = 20
MIN_MEANINGFUL_RATIO = 0.6


def usable_text(text: str) -> bool:
    """Whether a page's extracted text is real text rather than nothing or mojibake.

    A page counts as born-digital when it has at least ``MIN_MEANINGFUL_CHARS`` meaningful
    characters (a line or two: page numbers and scanner stamps alone stay below) and at least
    ``MIN_MEANINGFUL_RATIO`` of its non-space characters are meaningful (broken font encodings
    produce symbols and private-use characters instead).
    """
    visible = [ch for ch in text if not ch.isspace()]
    if not visible:
        return False
    meaningful = len(_MEANINGFUL.findall(text))
    return meaningful >= MIN_MEANINGFUL_CHARS and meaningful / len(visible) >= MIN_MEANINGFUL_RATIO


def text_layer(
    path: str | os.PathLike[str],
    first_page: int,
    last_page: int | None = None,
    *,
    name: str | None = None,
) -> list[PageText]:
    """The text layer of pages ``first_page``..``last_page`` (inclusive, 1-based).

    One ``pdftotext -layout`` process per call, however many pages: ask for ranges of a few
    pages at a time to keep the output small. ``-layout`` keeps table columns apart, which
    matters for forms.
    """
    label = name or Path(path).name
    last_page = first_page if last_page is None else last_page
    if first_page < 1 or last_page < first_page:
        raise ValueError(f"bad page range {first_page}-{last_page}")
    result = run_tool(
        ["pdftotext", "-f", str(first_page), "-l", str(last_page), "-layout", "-enc", "UTF-8", path, "-"],
        check=False,
        timeout=120,
        what=label,
    )
    if result.returncode != 0:
        stderr = result.stderr.decode("utf-8", "replace")
        if "copying of text" in stderr.lower():
            # The owner forbade text extraction: treat as no usable text, so the page is OCR'd.
            return [PageText(n, "", False) for n in range(first_page, last_page + 1)]
        raise InvalidInput(
            "ingest.pdf_text_unreadable",
            label=label,
            first=first_page,
            last=last_page,
            technical=first_line(stderr) or None,
        )
    # pdftotext ends every page with a form feed.
    chunks = result.stdout.decode("utf-8", "replace").split("\f")
    pages = []
    for offset, number in enumerate(range(first_page, last_page + 1)):
        text = chunks[offset] if offset < len(chunks) else ""
        pages.append(PageText(number, text, usable_text(text)))
    return pages


def has_text_layer(path: str | os.PathLike[str], page: int, *, name: str | None = None) -> bool:
    """Whether one PDF page carries a usable text layer (see :func:`usable_text`)."""
    return text_layer(path, page, page, name=name)[0].usable
