"""Splitting a scanned stack at its cover sheets (see ``dossier.services.coversheets``).

Before any OCR every page is looked at once, small (:data:`DETECT_DPI`, zxing-cpp, the sheets'
black bars, ink coverage; full resolution only for bars without a readable code) and classified:
``sheet`` (code read and verified: a document starts after it), ``bad_sheet`` (bars or a Dossier
code but no trustworthy facts: the pages after it are unfiled), ``blank`` (no ink, right after a
sheet: dropped) or ``content`` (kept, blank pages elsewhere included). :func:`plan` turns pages
into parts; :func:`extract_pages` and :func:`extract_page_list` write pages as a file of the
stack's own kind (qpdf for PDF, TIFF frames). Why: docs/decisions/010-cover-sheets-and-stack-splitting.md.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import zxingcpp
from PIL import Image, ImageSequence
from PIL.TiffImagePlugin import TiffImageFile

from dossier.catalog import Text, text
from dossier.errors import InvalidInput
from dossier.services.coversheets import (
    BAR_MM,
    SheetFacts,
    SheetRefused,
    decode_payload,
    is_cover_payload,
)

from ._tools import check_pixels, decoding, run_tool
from .detect import Detected, pdf_info
from .rasterise import _TIFF_NEW_SUBFILE_TYPE, _render_pdf, _to_grayscale, iter_pages

DETECT_DPI = 75
FULL_DPI = 300
INK_LEVEL = 140  # darker than this is ink
BLANK_COVERAGE = 0.0005  # under 0.05 % ink (margins excluded) is a blank page
BAR_ROW_FILL = 0.5  # a bar's rows are at least half dark
LIGHT_ROW_FILL = 0.2

PAGES_BEFORE_FIRST_SHEET = text("intake.before_first_sheet")


@dataclass
class PageKind:
    number: int  # 1-based in the stack
    kind: str  # sheet | bad_sheet | blank | content
    facts: SheetFacts | None = None
    reason: Text | None = None


@dataclass
class Part:
    kind: str  # document | unfiled | separator | blank
    first: int
    last: int
    facts: SheetFacts | None = None
    reason: Text | None = None

    @property
    def pages(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first}-{self.last}"


@dataclass
class Detection:
    pages: list[PageKind] = field(default_factory=list)
    full_resolution_reads: int = 0


# --- looking at one page ---------------------------------------------------------------------


def ink_coverage(gray: np.ndarray) -> float:
    """Share of dark pixels, margins (5 % each side: scanner edges and shadows) left out."""
    h, w = gray.shape
    inner = gray[h // 20 : h - h // 20, w // 20 : w - w // 20]
    return float((inner < INK_LEVEL).mean()) if inner.size else 0.0


def _band_at_edge(fill: np.ndarray, dpi: int) -> bool:
    """A solid bar near one end of the profile ``fill`` (dark share per row, from the edge
    inwards): 6-30 mm of dark rows within the first 20 % of the page, then light rows."""
    per_mm = dpi / 25.4
    region = fill[: max(1, int(len(fill) * 0.2))]
    dark = np.flatnonzero(region > BAR_ROW_FILL)
    if dark.size == 0:
        return False
    start, end = dark[0], dark[-1]
    span_mm = (end - start + 1) / per_mm
    if not (BAR_MM * 0.4 <= span_mm <= BAR_MM * 2.2) or dark.size < (end - start + 1) * 0.8:
        return False
    after = fill[end + 1 : end + 1 + int(10 * per_mm)]
    return after.size > 0 and float(after.min()) < LIGHT_ROW_FILL


def has_sheet_bars(gray: np.ndarray, dpi: int) -> bool:
    """The two black bars of a cover sheet, at top and bottom (either way up, or turned 90°)."""
    ink = gray < INK_LEVEL
    for axis in (1, 0):
        fill = ink.mean(axis=axis)
        if _band_at_edge(fill, dpi) and _band_at_edge(fill[::-1], dpi):
            return True
    return False


def read_codes(gray: np.ndarray) -> list[bytes]:
    """The raw contents of the QR codes zxing-cpp finds, and b"" for each it found but could not
    decode (a damaged code)."""
    # zxing-cpp's stubs want BarcodeFormats; it accepts one BarcodeFormat as well.
    found = zxingcpp.read_barcodes(
        gray,
        formats=zxingcpp.BarcodeFormat.QRCode,  # type: ignore[arg-type]
        try_rotate=True,
        try_downscale=False,
        try_invert=False,
        return_errors=True,
    )
    return [bytes(b.bytes) if b.valid else b"" for b in found]


def classify(number: int, small: np.ndarray, key: bytes, full_page=None) -> tuple[PageKind, bool]:
    """What page ``number`` is, from its image at DETECT_DPI. ``full_page()`` gives the page at
    full resolution when the small image is not enough. Returns (kind, read at full resolution)."""
    bars = has_sheet_bars(small, DETECT_DPI)
    codes = read_codes(small)
    full_read = False
    ours = [c for c in codes if is_cover_payload(c)]
    if not ours and (bars or b"" in codes) and full_page is not None:
        full_read = True
        codes = read_codes(full_page())
        ours = [c for c in codes if is_cover_payload(c)]
    if ours:
        reasons = []
        for payload in ours:
            try:
                return PageKind(number, "sheet", facts=decode_payload(payload, key)), full_read
            except SheetRefused as exc:
                reasons.append(exc.reason)
        return PageKind(number, "bad_sheet", reason=reasons[0]), full_read
    if bars:
        return PageKind(number, "bad_sheet", reason=text("intake.sheet_unreadable")), full_read
    if ink_coverage(small) < BLANK_COVERAGE:
        return PageKind(number, "blank"), full_read
    return PageKind(number, "content"), full_read


# --- pages of a stack ------------------------------------------------------------------------


def tiff_page_frames(container: Image.Image) -> list[int]:
    """Frame indices that are pages (reduced-resolution thumbnails some scanners add are not)."""
    frames = []
    for index, frame in enumerate(ImageSequence.Iterator(container)):
        if (
            container.format == "TIFF"
            and isinstance(frame, TiffImageFile)
            and int(frame.tag_v2.get(_TIFF_NEW_SUBFILE_TYPE, 0)) & 1
        ):
            continue
        frames.append(index)
    return frames


def _full_pdf_page(path: Path, number: int, workdir: Path, label: str):
    def load() -> np.ndarray:
        folder = workdir / "full"  # apart from the small pages iter_pages is writing
        folder.mkdir(exist_ok=True)
        [page] = _render_pdf(path, number, number, FULL_DPI, folder, label)
        try:
            with Image.open(page) as image:
                return np.asarray(image.convert("L"))
        finally:
            page.unlink(missing_ok=True)

    return load


def _small_pages(
    path: Path, detected: Detected, workdir: Path, label: str
) -> Iterator[tuple[int, np.ndarray, object]]:
    """(number, image at DETECT_DPI, loader of the full-resolution image) for every page."""
    if detected.is_pdf:
        for page in iter_pages(path, detected, dpi=DETECT_DPI, workdir=workdir, name=label):
            with Image.open(page.path) as image:
                small = np.asarray(image.convert("L"))
            page.path.unlink(missing_ok=True)
            yield page.number, small, _full_pdf_page(path, page.number, workdir, label)
        return
    with decoding(label):
        container = Image.open(path)
    with container:
        for number, index in enumerate(tiff_page_frames(container), start=1):
            with decoding(text("ingest.page_of", page=number, label=label)):
                container.seek(index)
                check_pixels(*container.size, what=text("ingest.page_of", page=number, label=label))
                full = _to_grayscale(container)
            dpi = (container.info.get("dpi") or (FULL_DPI, FULL_DPI))[0] or FULL_DPI
            scale = DETECT_DPI / float(dpi)
            size = (max(1, round(full.width * scale)), max(1, round(full.height * scale)))
            small = np.asarray(
                full.reduce(round(1 / scale))
                if abs(1 / scale - round(1 / scale)) < 0.01
                else full.resize(size, Image.Resampling.BOX)
            )
            yield number, small, (lambda full=full: np.asarray(full))


def detect_pages(
    path: str | os.PathLike,
    detected: Detected,
    key: bytes,
    *,
    workdir: str | os.PathLike,
    name: str | None = None,
) -> Detection:
    """Classify every page of the stack at ``path`` (PDF or TIFF). The small page images are
    written in a folder made inside ``workdir`` (the caller's private folder, ``dossier.workdir``)
    and removed afterwards."""
    path = Path(path)
    label = name or path.name
    if not (detected.is_pdf or detected.kind == "tiff"):
        raise InvalidInput("intake.stack_single_image", label=label)
    result = Detection()
    with tempfile.TemporaryDirectory(prefix="detect-", dir=workdir) as tmp:
        for number, small, full in _small_pages(path, detected, Path(tmp), label):
            kind, full_read = classify(number, small, key, full)
            result.pages.append(kind)
            result.full_resolution_reads += full_read
    return result


# --- parts -----------------------------------------------------------------------------------


def plan(pages: list[PageKind]) -> list[Part]:
    """The stack as parts, every page in exactly one: documents (filed by their sheet), unfiled
    runs (with the reason), separators (the sheets) and blank backs of sheets."""
    parts: list[Part] = []
    current: Part | None = None
    after_sheet = False
    for page in pages:
        n = page.number
        if page.kind in ("sheet", "bad_sheet"):
            parts.append(Part("separator", n, n, facts=page.facts, reason=page.reason))
            current = (
                Part("document", n + 1, n, facts=page.facts)
                if page.kind == "sheet"
                else Part("unfiled", n + 1, n, reason=page.reason)
            )
            after_sheet = True
            continue
        if page.kind == "blank" and after_sheet:
            parts.append(Part("blank", n, n))
            if current is not None and current.last < current.first:
                current.first = n + 1
            after_sheet = False
            continue
        after_sheet = False
        if current is None:
            current = Part("unfiled", n, n - 1, reason=PAGES_BEFORE_FIRST_SHEET)
        if current.last < current.first:
            parts.append(current)
        current.last = n
    return parts


# --- writing a part ----------------------------------------------------------------------------


def extract_pages(
    path: str | os.PathLike,
    detected: Detected,
    first: int,
    last: int,
    out: str | os.PathLike,
    *,
    name: str | None = None,
) -> Path:
    """Pages ``first``..``last`` of the stack as a file of its own kind (see :func:`extract_page_list`)."""
    return extract_page_list(path, detected, range(first, last + 1), out, name=name)


def page_spec(pages: Sequence[int]) -> str:
    """``pages`` in order as qpdf writes page ranges: runs of consecutive numbers joined ("1-3,7")."""
    runs: list[list[int]] = []
    for number in pages:
        if runs and number == runs[-1][1] + 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])
    return ",".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)


def extract_page_list(
    path: str | os.PathLike,
    detected: Detected,
    pages: Iterable[int],
    out: str | os.PathLike,
    *,
    name: str | None = None,
) -> Path:
    """The stack's pages numbered ``pages`` (1-based, in that order) as a file of its own kind,
    unchanged: PDF pages copied by qpdf (no re-rendering; nothing but those pages' objects is
    copied), TIFF frames written again losslessly with their resolution."""
    path, out, pages = Path(path), Path(out), list(pages)
    label = name or path.name
    spec = page_spec(pages)
    if not pages:
        raise InvalidInput("intake.no_pages_asked", label=label)
    if detected.is_pdf:
        pdf_info(path, name=label)
        result = run_tool(
            ["qpdf", "--empty", "--pages", str(path), spec, "--", str(out)],
            what=text("intake.splitting", label=label),
            timeout=300,
            check=False,
        )
        if result.returncode not in (0, 3):  # 3: qpdf warned (a repaired xref, say) but wrote the pages
            raise InvalidInput("intake.pages_not_copied", pages=spec, label=label)
        return out
    with decoding(label):
        container = Image.open(path)
    with container:
        frames = tiff_page_frames(container)
        if not all(1 <= number <= len(frames) for number in pages):
            raise InvalidInput("intake.no_such_pages", label=label, pages=spec)
        images, dpi = [], None
        for number in pages:
            container.seek(frames[number - 1])
            dpi = dpi or container.info.get("dpi")
            images.append(container.copy())
    options = {"dpi": dpi} if dpi else {}
    images[0].save(out, "TIFF", save_all=True, append_images=images[1:], compression="tiff_lzw", **options)
    return out
