"""Helpers shared by the ingest steps: running external tools and opening images safely.

The steps shell out to poppler (``pdfinfo``, ``pdftoppm``, ``pdftotext``, ``pdfimages``),
tesseract and qpdf. Every call goes through :func:`run_tool` so that all of them get a timeout,
a single-threaded OpenMP environment (``dossier.config.limit_openmp_threads``: tesseract
otherwise spawns one thread per core and, with one page per worker process, oversubscribes the
machine and runs *slower*), and a clear error when the tool is missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from PIL import Image

from dossier.catalog import Text, text
from dossier.config import limit_openmp_threads
from dossier.errors import ConfigurationError, InvalidInput

# Generous: a dense A4 page takes ~3 s in tesseract; these only stop a wedged process.
DEFAULT_TIMEOUT = 300.0

_PACKAGES = {
    "tesseract": "tesseract-ocr",
    "pdfinfo": "poppler-utils",
    "pdftoppm": "poppler-utils",
    "pdftotext": "poppler-utils",
    "pdfimages": "poppler-utils",
    "qpdf": "qpdf",
}


def run_tool(
    args: Sequence[str | os.PathLike[str]],
    *,
    timeout: float = DEFAULT_TIMEOUT,
    check: bool = True,
    what: str | Text | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run an external tool, capturing bytes output.

    Raises :class:`ConfigurationError` when the tool is not installed, and
    :class:`InvalidInput` when it exceeds ``timeout`` or (with ``check``) exits non-zero; the
    caller usually catches the latter to phrase a better sentence. ``what`` names the input in
    messages.
    """
    argv = [os.fspath(a) for a in args]
    name = argv[0]
    if shutil.which(name) is None:
        package = _PACKAGES.get(name, name)
        raise ConfigurationError("ingest.tool_missing", tool=name, package=package)
    limit_openmp_threads()  # the tool inherits our environment: one OpenMP thread
    try:
        result = subprocess.run(argv, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        raise InvalidInput(
            "ingest.tool_timeout", tool=name, what=what or text("ingest.the_input"), seconds=f"{timeout:.0f}"
        ) from exc
    if check and result.returncode != 0:
        raise InvalidInput(
            "ingest.tool_failed",
            tool=name,
            what=what or text("ingest.the_input"),
            reason=text("ingest.exit_status", status=result.returncode),
            technical=first_line(result.stderr) or None,
        )
    return result


def first_line(data: bytes | str, limit: int = 200) -> str:
    """The first non-empty line of a tool's stderr, trimmed, for one-sentence messages."""
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    for line in text.splitlines():
        line = line.strip()
        if line:
            return line[:limit].rstrip(".")
    return ""


@contextmanager
def decoding(label: str | Text) -> Iterator[None]:
    """Turn Pillow's decoding failures inside the block into one-sentence refusals.

    Wrap only the calls that open or decode pixels (``Image.open``, ``load``, ``seek``,
    ``convert``): anything else raised in the block would be misreported as a damaged image.

    Pillow warns above ``Image.MAX_IMAGE_PIXELS`` and raises above twice that. Both are treated
    as refusals here: a page that large (A4 at 1200 dpi, or a forged header declaring
    100k x 100k pixels) takes gigabytes to decode and no household record needs it. The limit
    itself is Pillow's and stays on.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise InvalidInput("ingest.image_bomb", label=label, limit=f"{Image.MAX_IMAGE_PIXELS:,}") from exc
    except Image.UnidentifiedImageError as exc:
        raise InvalidInput("ingest.not_an_image", label=label) from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        # Truncated or corrupt data surfaces as OSError ("image file is truncated", "broken data
        # stream"), SyntaxError (bad PNG chunk) or EOFError (TIFF frame) while decoding.
        raise InvalidInput("ingest.image_damaged", label=label, technical=str(exc)) from exc


def load_grayscale(path: str | os.PathLike[str], *, label: str | Text | None = None) -> Image.Image:
    """Open a single-frame image fully decoded as 8-bit grayscale ("L"), guarded by :func:`decoding`."""
    label = label or Path(path).name
    with decoding(label), Image.open(path) as image:
        image.load()
        return image.convert("L") if image.mode != "L" else image.copy()


def image_dpi(image: Image.Image) -> float | None:
    """The horizontal resolution an image file declares, or None when absent or implausible.

    Files written without a resolution often carry 1, 72 or 96 "dpi" from screen software; no
    document scanner works below 100 dpi, so those values are treated as unknown.
    """
    dpi = image.info.get("dpi")
    try:
        value = float(dpi[0]) if isinstance(dpi, tuple) else float(dpi) if dpi else None
    except (TypeError, ValueError):
        return None
    if value is None or not (100 <= value <= 4800):
        return None
    # PNG stores pixels per metre, so 300 dpi reads back as 299.9994.
    return float(round(value))


def check_pixels(width: int, height: int, *, what: str | Text) -> None:
    """Refuse a raster of ``width`` x ``height`` beyond Pillow's decompression-bomb limit.

    Used before *producing* a raster (e.g. rendering a huge PDF page), where Pillow's own check
    would only fire after the damage is done.
    """
    limit = Image.MAX_IMAGE_PIXELS
    if limit and width * height > limit:
        raise InvalidInput(
            "ingest.too_many_pixels", what=what, width=width, height=height, limit=f"{limit:,}"
        )
