"""Step 5 of ingest: what people look at, made from the page images and the OCR.

* A preview per page: WebP at ~150 dpi, quality ~70. Staff read pages on screen in the browser;
  150 dpi shows a form legibly at full width, and WebP at this quality is a fraction of a JPEG's
  size for grayscale text, which matters for a folder of hundreds of pages.
* One searchable PDF per document: the one-page PDFs tesseract wrote (page image plus an
  invisible text layer) are concatenated with qpdf. qpdf copies pages object by object without
  decoding images, so memory stays small whatever the page count; the argument list goes
  through a file, so thousands of pages need no giant command line. Pages of a born-digital PDF
  that needed no OCR are taken from the original PDF as they are.

Derivatives can always be rebuilt from the stored originals; nothing here is the record.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Iterable, Sequence

from PIL import Image, features

from dossier.errors import ConfigurationError, InvalidInput

from ._tools import decoding, first_line, image_dpi, run_tool

PREVIEW_DPI = 150
PREVIEW_QUALITY = 70
ASSEMBLE_TIMEOUT = 600


def preview_size(width: int, height: int, source_dpi: float, preview_dpi: int = PREVIEW_DPI) -> tuple[int, int]:
    """Pixel size of the preview of a ``width`` x ``height`` image at ``source_dpi``.

    Images at or below the preview resolution keep their size (no upsampling).
    """
    if source_dpi <= preview_dpi:
        return width, height
    scale = preview_dpi / source_dpi
    return max(1, round(width * scale)), max(1, round(height * scale))


def make_preview(
    image_path: str | os.PathLike[str],
    out_path: str | os.PathLike[str],
    *,
    dpi: float | None = None,
    preview_dpi: int = PREVIEW_DPI,
    quality: int = PREVIEW_QUALITY,
) -> Path:
    """Write a WebP preview of a page image and return its path.

    ``dpi`` is the page image's resolution; by default it is read from the file (300 if the file
    does not say). Pass the prepared image (upright, deskewed) for an upright preview.
    """
    if not features.check("webp"):
        raise ConfigurationError("Pillow was built without WebP support; install libwebp and reinstall Pillow.")
    image_path, out = Path(image_path), Path(out_path)
    with decoding(image_path.name):
        with Image.open(image_path) as source:
            dpi = dpi or image_dpi(source) or 300
            size = preview_size(source.width, source.height, dpi, preview_dpi)
            # draft() lets JPEG decode at a reduced scale directly; a no-op for other formats.
            source.draft("L", size)
            page = source.convert("L") if source.mode != "L" else source
            if page.size != size:
                page = page.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0)
            out.parent.mkdir(parents=True, exist_ok=True)
            page.save(out, "WEBP", quality=quality, method=4)
    return out


def _page_groups(pages: Iterable[tuple[Path, int]]) -> list[tuple[Path, int, int]]:
    """Consecutive pages of the same file merged into (file, first, last) ranges."""
    groups: list[tuple[Path, int, int]] = []
    for path, number in pages:
        if groups and groups[-1][0] == path and groups[-1][2] + 1 == number:
            groups[-1] = (path, groups[-1][1], number)
        else:
            groups.append((path, number, number))
    return groups


def assemble_pdf(
    pages: Sequence[tuple[str | os.PathLike[str], int] | str | os.PathLike[str]],
    out_path: str | os.PathLike[str],
) -> Path:
    """Concatenate PDF pages into one document at ``out_path`` and return its path.

    Each item is ``(pdf, page_number)`` (1-based) or a plain path, meaning page 1 of a one-page
    PDF such as tesseract's per-page output. Raises :class:`InvalidInput` when an input is
    missing or unreadable, and checks that the result has one page per item.
    """
    items = [(Path(p[0]), int(p[1])) if isinstance(p, tuple) else (Path(p), 1) for p in pages]
    if not items:
        raise InvalidInput("There are no pages to assemble into a PDF.")
    for path, number in items:
        if not path.is_file():
            raise InvalidInput(f"Page PDF {path.name} does not exist.")
        if number < 1:
            raise InvalidInput(f"Page number {number} of {path.name} is not a page.")
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dossier-assemble-") as tmp:
        # qpdf reads arguments from a file given as @file, one per line.
        args_file = Path(tmp) / "args"
        lines = ["--empty", "--object-streams=generate", "--pages"]
        for path, first, last in _page_groups(items):
            lines += [str(path.resolve()), f"{first}-{last}" if last > first else str(first)]
        lines += ["--", str(out)]
        args_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
        result = run_tool(["qpdf", f"@{args_file}"], check=False, timeout=ASSEMBLE_TIMEOUT, what="the page PDFs")
    # qpdf exits 3 when it succeeded with warnings (e.g. a damaged but recoverable input).
    if result.returncode not in (0, 3):
        out.unlink(missing_ok=True)
        raise InvalidInput(f"The searchable PDF could not be assembled: {first_line(result.stderr)}.")
    produced = _count_pages(out)
    if produced != len(items):
        out.unlink(missing_ok=True)
        raise InvalidInput(f"The searchable PDF came out with {produced} pages instead of {len(items)}.")
    return out


def _count_pages(path: Path) -> int:
    result = run_tool(["qpdf", "--show-npages", path], check=False, timeout=60, what=path.name)
    try:
        return int(result.stdout.decode().strip())
    except ValueError:
        return -1
