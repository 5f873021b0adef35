"""Step 2 of ingest: one grayscale image per page, at OCR resolution, a few pages at a time.

A document is never loaded whole: PDFs are rendered by poppler in ranges of :data:`PDF_BATCH`
pages straight to PGM files, TIFF frames are decoded one at a time, and a one-page JPEG that needs
no conversion is linked as it is. Pages are 8-bit grayscale, downsampled to at most 300 dpi, and
each records the resolution its source had. The caller consumes an iterator and owns the files in
``workdir`` (delete each once processed, to keep disk use bounded); they are working copies, the
archive keeps the original. Why: docs/decisions/005-rasterise-grayscale-in-page-ranges.md.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from PIL import Image, ImageOps, ImageSequence
from PIL.TiffImagePlugin import TiffImageFile

from dossier.catalog import text
from dossier.errors import ConfigurationError, InvalidInput

from ._tools import check_pixels, decoding, first_line, image_dpi, run_tool
from .detect import Detected, pdf_info, pdf_page_sizes

OCR_DPI = 300
# Pages rendered per pdftoppm call: small enough to bound disk use and latency to the first
# page, large enough that the per-call overhead (pdfinfo and version probes) stays negligible.
PDF_BATCH = 4
# Resolution assumed for images that do not record a plausible one (many phone photos and some
# scanner drivers write 72 dpi or nothing): 300 dpi is the scanning instruction for records.
ASSUMED_DPI = 300
RENDER_TIMEOUT = 300

_TIFF_NEW_SUBFILE_TYPE = 254


@dataclass(frozen=True)
class PageImage:
    """One page as a grayscale image on disk (PGM; or the scan itself, for a JPEG kept as is).

    ``number`` is 1-based within the document. ``dpi`` is the resolution of the image (what OCR and
    derivatives should assume); ``source_dpi`` is what the original scan had, or None when it
    cannot be known (no resolution recorded, or a PDF page that is not one full-page image).
    """

    number: int
    path: Path
    source_dpi: float | None
    dpi: int
    width: int
    height: int


def iter_pages(
    path: str | os.PathLike[str],
    detected: Detected,
    dpi: int = OCR_DPI,
    workdir: str | os.PathLike[str] | None = None,
    *,
    name: str | None = None,
) -> Iterator[PageImage]:
    """Yield the document's pages in order as grayscale images written into ``workdir``.

    ``dpi`` is the target resolution: PDFs are rendered at it, raster scans above it are
    downsampled to it, raster scans below it are kept as they are (upsampling invents nothing).
    ``name`` is used in error messages. Raises :class:`InvalidInput` for unreadable, encrypted,
    truncated or oversized input, possibly after some pages have been yielded.
    """
    if workdir is None:
        raise ValueError("workdir is required: the caller owns the page files")
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    label = name or Path(path).name
    if detected.kind == "pdf":
        yield from _iter_pdf(Path(path), dpi, workdir, label)
    elif detected.kind in ("tiff", "jpeg", "png"):
        yield from _iter_raster(Path(path), dpi, workdir, label)
    else:  # pragma: no cover - Detected only has the four kinds
        raise InvalidInput("ingest.not_rasterisable", label=label)


# ---------------------------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------------------------


def _iter_pdf(path: Path, dpi: int, workdir: Path, label: str) -> Iterator[PageImage]:
    info = pdf_info(path, name=label)
    for first in range(1, info.pages + 1, PDF_BATCH):
        last = min(info.pages, first + PDF_BATCH - 1)
        sizes = pdf_page_sizes(path, first, last, name=label)
        for number, (width_pt, height_pt) in sizes.items():
            check_pixels(
                round(width_pt / 72 * dpi),
                round(height_pt / 72 * dpi),
                what=text("ingest.page_of", page=number, label=label),
            )
        source_dpis = _pdf_source_dpi(path, first, last, sizes)
        paths = _render_pdf(path, first, last, dpi, workdir, label)
        for number, page_path in zip(range(first, last + 1), paths, strict=True):
            with decoding(text("ingest.page_of", page=number, label=label)):
                with Image.open(page_path) as rendered:
                    width, height = rendered.size
                    colour = rendered.mode != "L"
                    if colour:  # a poppler that rendered in colour after all
                        gray = rendered.convert("L")
                if colour:
                    gray.save(page_path, "PPM")
            yield PageImage(number, page_path, source_dpis.get(number), dpi, width, height)


def _render_pdf(path: Path, first: int, last: int, dpi: int, workdir: Path, label: str) -> list[Path]:
    """Render pages ``first``..``last`` as grayscale PGM files (pdf2image driving ``pdftoppm``).

    PGM, not PNG: the pages are working copies read once, and writing PNG costs more than
    rendering (poppler's PNG writers took 1.4 s per A4 page at 300 dpi, ``pdftoppm -gray`` to
    PGM 0.1 s).
    """
    from pdf2image import convert_from_path  # reason: the worker's heavy deps stay out of CLI start-up
    from pdf2image.exceptions import (
        PDFInfoNotInstalledError,
        PDFPageCountError,
        PDFPopplerTimeoutError,
        PDFSyntaxError,
    )

    try:
        # paths_only=True: pdf2image returns the files' paths, though it annotates images.
        paths = cast(
            list[str],
            convert_from_path(
                path,
                dpi=dpi,
                first_page=first,
                last_page=last,
                output_folder=workdir,
                output_file=f"render-{first:06d}-",
                fmt="ppm",
                grayscale=True,  # pdftoppm -gray: 8-bit PGM files
                paths_only=True,
                timeout=RENDER_TIMEOUT,
            ),
        )
    except PDFInfoNotInstalledError as exc:
        raise ConfigurationError("ingest.tool_missing", tool="pdftoppm", package="poppler-utils") from exc
    except PDFPopplerTimeoutError as exc:
        raise InvalidInput("ingest.render_timeout", first=first, last=last, label=label) from exc
    except (PDFPageCountError, PDFSyntaxError) as exc:
        raise InvalidInput("ingest.render_failed", label=label, technical=first_line(str(exc))) from exc
    if len(paths) != last - first + 1:
        for leftover in paths:
            Path(leftover).unlink(missing_ok=True)
        raise InvalidInput("ingest.render_incomplete", first=first, last=last, label=label)
    pages = []
    for number, rendered in zip(range(first, last + 1), paths, strict=True):
        target = workdir / f"page-{number:06d}.pgm"
        Path(rendered).rename(target)
        pages.append(target)
    return pages


_IMAGES_LIST_ROW = re.compile(
    r"^\s*(?P<page>\d+)\s+\d+\s+(?P<type>\S+)\s+(?P<w>\d+)\s+(?P<h>\d+)\s+"
    r"\S+\s+\d+\s+\d+\s+\S+\s+\S+\s+\d+\s+\d+\s+(?P<xppi>\d+)\s+(?P<yppi>\d+)"
)


def _pdf_source_dpi(
    path: Path, first: int, last: int, sizes: dict[int, tuple[float, float]]
) -> dict[int, float]:
    """Resolution of the scan inside each page, from ``pdfimages -list``.

    A scanned PDF page is one image covering the page; its pixels per inch *as placed* is the
    scan's resolution. Pages whose largest image covers less than half the page (born-digital
    pages with a logo, say) get no value. Failure to list images is not an error: this is
    metadata, and rendering decides whether the page is readable.
    """
    try:
        result = run_tool(
            ["pdfimages", "-list", "-f", str(first), "-l", str(last), path], check=False, timeout=60
        )
    except InvalidInput:
        return {}
    if result.returncode != 0:
        return {}
    best: dict[int, tuple[int, float, float]] = {}  # page -> (pixels, coverage, ppi)
    for line in result.stdout.decode("utf-8", "replace").splitlines():
        match = _IMAGES_LIST_ROW.match(line)
        if not match or match["type"] != "image":
            continue
        page = int(match["page"])
        w, h, xppi, yppi = (int(match[k]) for k in ("w", "h", "xppi", "yppi"))
        if page not in sizes or xppi <= 0 or yppi <= 0:
            continue
        page_w, page_h = sizes[page]
        coverage = (w / xppi) * (h / yppi) / ((page_w / 72) * (page_h / 72))
        if w * h > best.get(page, (0, 0.0, 0.0))[0]:
            best[page] = (w * h, coverage, (xppi + yppi) / 2)
    return {page: ppi for page, (_, coverage, ppi) in best.items() if coverage >= 0.5}


# ---------------------------------------------------------------------------------------------
# TIFF, JPEG, PNG
# ---------------------------------------------------------------------------------------------


def _to_grayscale(image: Image.Image) -> Image.Image:
    """8-bit grayscale, with transparency flattened onto white paper and 16-bit data scaled."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        # Pillow's direct conversion clips 16-bit values at 255 instead of scaling them.
        maximum = 65535 if image.mode.startswith("I;16") else max(1, cast(float, image.getextrema()[1]))
        return image.point(lambda v: v * (255.0 / maximum)).convert("L")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("L")
    if image.mode == "L":
        return image.copy()
    return image.convert("L")


def _iter_raster(path: Path, dpi: int, workdir: Path, label: str) -> Iterator[PageImage]:
    with decoding(label):
        container = Image.open(path)
    with container:
        passed = _pass_through(container, path, dpi, workdir, label)
        if passed is not None:
            yield passed
            return
        number = 0
        frames = ImageSequence.Iterator(container)
        while True:
            with decoding(text("ingest.page_of", page=number + 1, label=label)):
                try:
                    frame = next(frames)
                except StopIteration:
                    break
                # Pillow checks the bomb limit for the first frame only; later frames of a
                # multi-page TIFF can declare any size, so check each before decoding it.
                check_pixels(*frame.size, what=text("ingest.page_of", page=number + 1, label=label))
                if (
                    container.format == "TIFF"
                    and isinstance(frame, TiffImageFile)
                    and int(frame.tag_v2.get(_TIFF_NEW_SUBFILE_TYPE, 0)) & 1
                ):
                    continue  # a reduced-resolution thumbnail some scanners add, not a page
                source_dpi = image_dpi(frame)
                page = _to_grayscale(ImageOps.exif_transpose(frame))
            number += 1
            page, page_dpi = _to_target_resolution(page, source_dpi, dpi)
            out = workdir / f"page-{number:06d}.pgm"
            page.save(out, "PPM")  # uncompressed: written and read back in milliseconds
            yield PageImage(number, out, source_dpi, page_dpi, page.width, page.height)
            del page
        if number == 0:
            raise InvalidInput("ingest.no_pages", label=label)


def _pass_through(
    container: Image.Image, path: Path, dpi: int, workdir: Path, label: str
) -> PageImage | None:
    """A one-page JPEG that needs no conversion (grey or RGB, upright, not above ``dpi``) is its
    own page image: linked into ``workdir`` rather than decoded and written again (the next step
    decodes it, straight to grey). Its pixels are decoded there, so damage shows up then."""
    if (
        container.format != "JPEG"
        or getattr(container, "n_frames", 1) != 1
        or container.mode not in ("L", "RGB")
    ):
        return None
    with decoding(label):
        orientation = container.getexif().get(0x0112, 1)
    if orientation not in (0, 1):
        return None
    check_pixels(*container.size, what=text("ingest.page_of", page=1, label=label))
    source_dpi = image_dpi(container)
    if (source_dpi or ASSUMED_DPI) > dpi * 1.05:
        return None
    out = workdir / "page-000001.jpg"
    try:
        os.link(path, out)
    except OSError:
        shutil.copyfile(path, out)
    return PageImage(1, out, source_dpi, round(source_dpi or ASSUMED_DPI), *container.size)


def _to_target_resolution(image: Image.Image, source_dpi: float | None, dpi: int) -> tuple[Image.Image, int]:
    """Downsample scans above ``dpi``; keep lower resolutions as they are."""
    effective = source_dpi or ASSUMED_DPI
    if effective <= dpi * 1.05:
        return image, round(effective)
    scale = dpi / effective
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    factor = effective / dpi
    if abs(factor - round(factor)) < 0.01:
        # 600 -> 300, 1200 -> 300: box averaging is exact, fast and as good as Lanczos here.
        return image.reduce(round(factor)), dpi
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0), dpi
