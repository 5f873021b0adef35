"""Step 3 of ingest: make a page image easy for tesseract, without changing what it says.

Contrast is normalised from the page's own histogram (grey levels kept), and the page is turned
upright (line direction, then upside-down evidence; tesseract's OSD only when that is weak),
straightened (projection profile within ``MAX_SKEW``) and scaled for OCR (never below
``OCR_MIN_DPI``) in one resampling pass. Measurements use a ~150 dpi binarised copy held as ink
coordinates, so memory and time stay small whatever the page size. The result is a new image for
OCR, the preview and the searchable PDF (whose text layer must sit on these pixels); the archived
original is never modified. Methods and reasons: docs/decisions/003-page-preprocessing.md.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
from PIL import Image

from dossier.catalog import text

from ._tools import decoding, image_dpi, run_tool

WORK_DPI = 150
MAX_SKEW = 5.0  # degrees searched either way
COARSE_STEP = 0.5
MEDIUM_STEP = 0.1
FINE_STEP = 0.02
COARSE_POINTS = 40_000  # ink pixels sampled for the coarse search steps
# Skew below this is left to tesseract, whose line finder follows it well (measured on the
# benchmark pages: the same CER, and straightened pages take tesseract ~7% longer to read).
MIN_SKEW_TO_CORRECT = 0.5
# Bilinear is enough for a turn of a degree or two (tesseract binarises the result; measured:
# same CER as bicubic) at a third of bicubic's time on an A4 page.
DESKEW_RESAMPLE = Image.Resampling.BILINEAR
PREPARED_JPEG_QUALITY = 85
# Pages are read at the resolution their print needs: text lines this many pixels tall, and
# never below OCR_MIN_DPI (see _ocr_scale).
OCR_LINE_PX = 30
OCR_MIN_DPI = 200
MAX_POINTS = 200_000  # ink pixels used for projections (subsampled beyond)
# Below this orientation confidence, tesseract's OSD is wrong too often on a few lines of CJK
# (measured: a 3-line Simplified band read as upside down at 1.04); the page is left as fed.
OSD_MIN_CONFIDENCE = 2.0
BAND_LINES = 4  # text lines in the sample band used for orientation and script checks

Orientation = Literal["auto", "osd", "none"]


@dataclass(frozen=True)
class PreparedPage:
    """A page image ready for OCR.

    ``rotation_applied`` is the clockwise quarter-turn (0, 90, 180, 270) that made the page
    upright; ``skew_degrees`` is the skew found in the *upright* page, counter-clockwise positive,
    and corrected when at least ``MIN_SKEW_TO_CORRECT``. ``text_box`` is (left, top, right,
    bottom) of a band of a few text lines in the prepared image, for cheap checks such as script
    detection, or None on a page without text lines; ``line_box`` is the line of that band with
    the most ink (the cheapest sample of the page's text). ``orientation_method`` says how
    upright was decided: "layout", "osd", "none" (disabled) or "blank". ``image`` is the prepared
    image itself when the caller asked to keep it (``keep_image=True``), so that OCR and the
    preview need not decode the file again.
    """

    path: Path
    rotation_applied: int
    skew_degrees: float
    dpi: int
    width: int
    height: int
    text_box: tuple[int, int, int, int] | None
    orientation_method: str
    line_box: tuple[int, int, int, int] | None = None
    image: Image.Image | None = field(default=None, repr=False, compare=False)


def load_page(path: str | os.PathLike[str], label: str | None = None) -> tuple[Image.Image, int]:
    """A page image decoded as 8-bit grayscale, and its resolution (300 when it records none).

    A JPEG is decoded straight to grayscale (libjpeg skips the colour conversion).
    """
    path = Path(path)
    with decoding(label or path.name), Image.open(path) as source:
        dpi = round(image_dpi(source) or 300)
        if source.format == "JPEG" and source.mode != "L":
            source.draft("L", source.size)
        source.load()
        page = source.convert("L") if source.mode != "L" else source.copy()
    return page, dpi


def save_prepared(page: Image.Image, out: Path, dpi: int) -> None:
    """Write a prepared page; the format follows the name (``.jpg``: JPEG at quality 85, what the
    searchable PDF embeds; ``.pgm``: uncompressed; otherwise PNG)."""
    suffix = out.suffix.lower()
    if suffix in (".jpg", ".jpeg"):
        page.save(out, "JPEG", quality=PREPARED_JPEG_QUALITY, dpi=(dpi, dpi))
    elif suffix in (".pgm", ".pnm"):
        page.save(out, "PPM")
    else:
        page.save(out, "PNG", dpi=(dpi, dpi), compress_level=1)


def prepare_for_ocr(
    png_path: str | os.PathLike[str],
    out_path: str | os.PathLike[str] | None = None,
    *,
    orientation: Orientation = "auto",
    deskew: bool = True,
    keep_image: bool = False,
    downscale: bool = True,
    dpi: int | None = None,
) -> PreparedPage:
    """Turn a page upright, straighten it and normalise its contrast; write the result.

    ``png_path`` is any page image Pillow reads (PNG, PGM, JPEG ...). ``out_path`` defaults to
    ``<name>.prepared.png`` beside the input; a ``.jpg`` name writes a JPEG (quality 85: what
    the searchable PDF embeds anyway, and written in a tenth of a PNG's time). ``orientation`` is
    "auto" (layout evidence, tesseract OSD on a text band when unsure), "osd" (always OSD on a
    band) or "none". ``downscale`` shrinks pages whose print is large enough to a resolution that
    reads as well in less time (see :func:`_ocr_scale`; ``PreparedPage.dpi`` says what came out).
    ``dpi`` is the image's resolution when the file does not record it (PGM).
    Raises :class:`InvalidInput` when the image cannot be decoded.
    """
    png_path = Path(png_path)
    out = Path(out_path) if out_path else png_path.with_name(png_path.stem + ".prepared.png")
    page, file_dpi = load_page(png_path)
    dpi = dpi or file_dpi

    page = normalise_contrast(page)
    factor = max(1, round(dpi / WORK_DPI))
    # Everything that measures the page works on this downscaled copy, turned and straightened
    # along with the page itself (at a sixteenth of the cost).
    work = page.reduce(factor) if factor > 1 else page
    ink = _ink_mask(work)

    rotation = 0
    skew = 0.0
    method = "none" if orientation == "none" else "blank"
    if ink is not None:
        ys, xs = _ink_points(ink)
        vertical = False
        if orientation != "none":
            vertical = _lines_are_vertical(ys, xs)
        if vertical:
            # Turn the lines horizontal; whether that made the page upright or upside down is
            # decided below like for any other page.
            page = page.transpose(Image.Transpose.ROTATE_270)  # 90 degrees clockwise
            work = work.transpose(Image.Transpose.ROTATE_270)
            rotation = 90
            ys, xs = xs, (ink.shape[0] - 1 - ys)  # the same rotation applied to the points
        if deskew:
            skew = estimate_skew(ys, xs)
            if abs(skew) >= MIN_SKEW_TO_CORRECT:
                work = work.rotate(-skew, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=255)
        if vertical or abs(skew) >= MIN_SKEW_TO_CORRECT:
            ink = _ink_mask(work)

    lines = _text_lines(ink) if ink is not None else []
    turn = -skew if abs(skew) >= MIN_SKEW_TO_CORRECT else 0.0
    flip = False
    if ink is not None and orientation != "none":
        flip, method = _upside_down(page, ink, lines, turn, factor, dpi, orientation, out.parent)
        if flip:
            rotation = (rotation + 180) % 360
    scale = _ocr_scale(lines, factor, dpi) if downscale else 1.0
    # One resampling pass: the skew, the half turn and the scale together.
    page = _turn_and_scale(page, turn + (180.0 if flip else 0.0), scale)
    if scale != 1.0:
        dpi = round(dpi * scale)

    box = line_box = None
    if ink is not None:
        box, line_box = _text_band(ink, lines, factor * scale, page.size)
        if flip:
            box, line_box = (_turn_box(b, page.size) for b in (box, line_box))

    save_prepared(page, out, dpi)
    return PreparedPage(
        out,
        rotation,
        round(skew, 2),
        dpi,
        page.width,
        page.height,
        box,
        method,
        line_box,
        page if keep_image else None,
    )


def _ocr_scale(lines: list[tuple[int, int]], factor: int, dpi: int) -> float:
    """How much to shrink the page for OCR: text lines (their lower quartile, so that smaller
    print on the page is not shrunk too far) down to ``OCR_LINE_PX`` pixels tall, never below
    ``OCR_MIN_DPI``. Tesseract's time grows with pixels; its accuracy does not, once lines
    are ~30 pixels tall (measured on the benchmark pages: the same CER at 200-225 dpi as at 300,
    in 85-90% of the time)."""
    if len(lines) < 3 or dpi <= OCR_MIN_DPI:
        return 1.0
    heights = sorted((bottom - top) * factor for top, bottom in lines)
    quartile = heights[len(heights) // 4]
    scale = max(OCR_LINE_PX / quartile, OCR_MIN_DPI / dpi)
    return 1.0 if scale > 0.95 else round(scale, 3)


def _turn_and_scale(page: Image.Image, degrees: float, scale: float) -> Image.Image:
    """The page turned counter-clockwise by ``degrees`` (canvas expanded, corners white) and
    scaled by ``scale``, in one bilinear resampling pass (as ``Image.rotate(expand=True)``
    would turn it)."""
    if not degrees and scale == 1.0:
        return page
    width, height = page.size
    angle = math.radians(degrees)
    cos, sin = math.cos(angle), math.sin(angle)
    turned_w = abs(width * cos) + abs(height * sin)
    turned_h = abs(width * sin) + abs(height * cos)
    out_w, out_h = max(1, round(turned_w * scale)), max(1, round(turned_h * scale))
    # Output pixel (X, Y) -> input (x, y): undo the scale, then the turn about the centres.
    a, b = cos / scale, -sin / scale
    d, e = sin / scale, cos / scale
    cx, cy = out_w / 2.0, out_h / 2.0
    c = width / 2.0 - a * cx - b * cy
    f = height / 2.0 - d * cx - e * cy
    return page.transform(
        (out_w, out_h), Image.Transform.AFFINE, (a, b, c, d, e, f), resample=DESKEW_RESAMPLE, fillcolor=255
    )


def _turn_box(
    box: tuple[int, int, int, int] | None, size: tuple[int, int]
) -> tuple[int, int, int, int] | None:
    """A box's place after the page turned by 180 degrees."""
    if box is None:
        return None
    left, top, right, bottom = box
    return (size[0] - right, size[1] - bottom, size[0] - left, size[1] - top)


# ---------------------------------------------------------------------------------------------
# Contrast
# ---------------------------------------------------------------------------------------------


def otsu_threshold(histogram: list[int] | np.ndarray) -> int:
    """The grey level that best separates a 256-bin histogram into two classes (Otsu, 1979)."""
    hist = np.asarray(histogram[:256], dtype=np.float64)
    total = hist.sum()
    if total == 0:
        return 128
    levels = np.arange(256)
    weight_dark = np.cumsum(hist)
    weight_light = total - weight_dark
    sum_dark = np.cumsum(hist * levels)
    mean_dark = np.divide(sum_dark, weight_dark, out=np.zeros(256), where=weight_dark > 0)
    mean_light = np.divide(sum_dark[-1] - sum_dark, weight_light, out=np.zeros(256), where=weight_light > 0)
    between = weight_dark * weight_light * (mean_dark - mean_light) ** 2
    return int(np.argmax(between))


def _percentile(hist: np.ndarray, lo: int, hi: int, fraction: float) -> int:
    """Grey level at ``fraction`` of the pixels whose level lies in [lo, hi]."""
    part = hist[lo : hi + 1]
    if part.sum() == 0:
        return lo
    return lo + int(np.searchsorted(np.cumsum(part), fraction * part.sum()))


def normalise_contrast(page: Image.Image) -> Image.Image:
    """Stretch grey levels so that the paper becomes white and the ink black.

    The paper level is the median of the pixels above the Otsu threshold and the ink level the
    10th percentile of those below it; everything in between is stretched linearly. A page
    without two distinct populations (blank, or a photo) is left alone.
    """
    hist = np.asarray(page.histogram(), dtype=np.int64)
    threshold = otsu_threshold(hist)
    paper = _percentile(hist, threshold + 1, 255, 0.5)
    ink = _percentile(hist, 0, threshold, 0.1)
    dark = hist[: threshold + 1].sum()
    if paper - ink < 40 or not (1e-4 * hist.sum() <= dark <= 0.6 * hist.sum()):
        return page
    scale = 255.0 / (paper - ink)
    lut = [min(255, max(0, round((level - ink) * scale))) for level in range(256)]
    return page.point(lut)


# ---------------------------------------------------------------------------------------------
# Measuring the page on its ink pixels
# ---------------------------------------------------------------------------------------------


def _ink_mask(work: Image.Image) -> np.ndarray | None:
    """Boolean ink mask of a downscaled page, or None for a page with no text-like ink.

    Rows and columns that are mostly ink (black scanner borders, filled bars) are cleared: they
    would dominate the projections and say nothing about the text lines.
    """
    pixels = np.asarray(work, dtype=np.uint8)
    hist = np.bincount(pixels.ravel(), minlength=256).astype(np.float64)
    threshold = otsu_threshold(hist)
    levels = np.arange(256)
    dark, light = hist[: threshold + 1].sum(), hist[threshold + 1 :].sum()
    dark_mean = (hist[: threshold + 1] * levels[: threshold + 1]).sum() / dark if dark else 0
    light_mean = (hist[threshold + 1 :] * levels[threshold + 1 :]).sum() / light if light else 255
    if light_mean - dark_mean < 60:
        return None  # one population: blank paper (possibly noisy) or a uniform area
    ink = pixels <= threshold
    rows = np.count_nonzero(ink, axis=1)
    if (rows > 0.5 * ink.shape[1]).any():
        ink[rows > 0.5 * ink.shape[1], :] = False
    columns = np.count_nonzero(ink, axis=0)
    if (columns > 0.5 * ink.shape[0]).any():
        ink[:, columns > 0.5 * ink.shape[0]] = False
    fraction = np.count_nonzero(ink) / ink.size
    if fraction < 0.001 or fraction > 0.4:
        return None
    return ink


def _ink_points(ink: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ys, xs = np.nonzero(ink)
    if len(ys) > MAX_POINTS:
        step = math.ceil(len(ys) / MAX_POINTS)
        ys, xs = ys[::step], xs[::step]
    return ys.astype(np.float64), xs.astype(np.float64)


def _profile_score(ys: np.ndarray, xs: np.ndarray, degrees: float) -> float:
    """Peakedness of the ink projected perpendicular to lines at ``degrees`` (CCW) from horizontal."""
    theta = math.radians(degrees)
    projected = ys * math.cos(theta) + xs * math.sin(theta)
    bins = np.bincount((projected - projected.min()).astype(np.int64))
    return float(np.dot(bins, bins))


def _subsample(ys: np.ndarray, xs: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
    if len(ys) <= limit:
        return ys, xs
    step = math.ceil(len(ys) / limit)
    return ys[::step], xs[::step]


def _best_angle(ys: np.ndarray, xs: np.ndarray) -> tuple[float, float]:
    """(angle, score) maximising the profile score: a coarse grid, a finer one around its best,
    then the finest around that. The first two look at a sample of the ink (the peak is a
    degree wide there), the last at all of it."""
    sample = _subsample(ys, xs, COARSE_POINTS)
    best, span = 0.0, MAX_SKEW
    for step, (py, px) in ((COARSE_STEP, sample), (MEDIUM_STEP, sample), (FINE_STEP, (ys, xs))):
        angles = np.arange(best - span, best + span + 1e-9, step)
        scores = [_profile_score(py, px, a) for a in angles]
        i = int(np.argmax(scores))
        best, span = float(angles[i]), step
    return best, scores[i]


def estimate_skew(ys: np.ndarray, xs: np.ndarray) -> float:
    """Skew of horizontal text lines in degrees, counter-clockwise positive.

    Returns 0.0 when the best angle is at the edge of the search range: then the page is not a
    slightly skewed text page (a photo, a drawing, or a sheet fed far off true), and rotating it
    by a guess would do harm.
    """
    if len(ys) < 50:
        return 0.0
    angle, _ = _best_angle(ys, xs)
    if abs(angle) >= MAX_SKEW - FINE_STEP:
        return 0.0
    return angle


def measure_skew(image: Image.Image | str | os.PathLike[str], *, dpi: int | None = None) -> float:
    """Skew of a page's text lines in degrees (counter-clockwise positive), without changing it.

    For checks and reports: e.g. that a prepared page is straight, or how crooked a scanner
    feeds. Returns 0.0 for a page without text lines.
    """
    if not isinstance(image, Image.Image):
        with decoding(Path(image).name), Image.open(image) as source:
            dpi = dpi or round(image_dpi(source) or 300)
            source.load()
            image = source.convert("L")
    factor = max(1, round((dpi or 300) / WORK_DPI))
    ink = _ink_mask(image.convert("L").reduce(factor) if factor > 1 else image.convert("L"))
    if ink is None:
        return 0.0
    return estimate_skew(*_ink_points(ink))


def _concentration(ys: np.ndarray, xs: np.ndarray) -> float:
    """Best profile score across the skew range, relative to an evenly spread projection."""
    ys, xs = _subsample(ys, xs, COARSE_POINTS)
    angles = np.arange(-MAX_SKEW, MAX_SKEW + 1e-9, 1.0)
    best = 0.0
    for a in angles:
        theta = math.radians(a)
        projected = ys * math.cos(theta) + xs * math.sin(theta)
        extent = projected.max() - projected.min() + 1
        bins = np.bincount((projected - projected.min()).astype(np.int64))
        best = max(best, float(np.dot(bins, bins)) * extent / (len(ys) ** 2))
    return best


def _runs(coordinates: np.ndarray, gap: int = 2) -> int:
    """How many runs of ink a projection has, runs being separated by ``gap`` or more empty bins."""
    bins = np.bincount(coordinates.astype(np.int64))
    filled = np.nonzero(bins)[0]
    if not len(filled):
        return 0
    return 1 + int(np.count_nonzero(np.diff(filled) > gap))


def _lines_are_vertical(ys: np.ndarray, xs: np.ndarray) -> bool:
    """Whether the text lines run up and down the image (page turned by a quarter)."""
    if len(ys) < 200:
        return False
    # A single line of text has no gaps across it, so the profile measure below cannot see it
    # (its ink is evenly spread over its own height, while the gaps between characters make the
    # profile along it peaked): one run of ink down the page and several across is one
    # horizontal line. (The mirror case is not one vertical line: it is also what any
    # paragraph of horizontal lines looks like.)
    if _runs(ys) == 1 and _runs(xs) >= 3:
        return False
    across_rows = _concentration(ys, xs)  # horizontal lines make the row profile peaked
    across_columns = _concentration(xs, ys)
    return across_columns > 1.15 * across_rows


# ---------------------------------------------------------------------------------------------
# Text lines, the sample band, and upside-down pages
# ---------------------------------------------------------------------------------------------


def _text_lines(ink: np.ndarray) -> list[tuple[int, int]]:
    """(top, bottom) row ranges of text lines in an upright, deskewed ink mask."""
    rows = ink.sum(axis=1)
    if not rows.any():
        return []
    on = rows > max(1, 0.01 * ink.shape[1])
    lines: list[tuple[int, int]] = []
    start = None
    for y, value in enumerate(on):
        if value and start is None:
            start = y
        elif not value and start is not None:
            lines.append((start, y))
            start = None
    if start is not None:
        lines.append((start, len(on)))
    # Merge fragments split by a one-pixel gap (thin strokes at low resolution).
    merged: list[tuple[int, int]] = []
    for top, bottom in lines:
        if merged and top - merged[-1][1] <= 1:
            merged[-1] = (merged[-1][0], bottom)
        else:
            merged.append((top, bottom))
    heights = sorted(b - t for t, b in merged)
    if not heights:
        return []
    typical = heights[len(heights) // 2]
    return [(t, b) for t, b in merged if 0.4 * typical <= b - t <= 2.5 * typical and b - t >= 4]


def _text_band(
    ink: np.ndarray, lines: list[tuple[int, int]], ratio: float, size: tuple[int, int]
) -> tuple[tuple[int, int, int, int] | None, tuple[int, int, int, int] | None]:
    """A band of up to ``BAND_LINES`` consecutive text lines with the most ink, and the line of
    it with the most ink, in page pixels (``ink`` is the work-scale mask and ``lines`` its text
    lines, ``ratio`` page pixels per work pixel, ``size`` the page's)."""
    if not lines:
        return None, None
    weights = [int(ink[t:b].sum()) for t, b in lines]
    best_start, best_weight = 0, -1
    for i in range(len(lines)):
        j = min(len(lines), i + BAND_LINES)
        # Consecutive lines only: a band spanning a big gap (e.g. header to body) wastes pixels.
        gap_ok = all(
            lines[k + 1][0] - lines[k][1] <= 2 * (lines[k][1] - lines[k][0]) for k in range(i, j - 1)
        )
        weight = sum(weights[i:j])
        if gap_ok and weight > best_weight:
            best_start, best_weight = i, weight
    chosen = lines[best_start : best_start + BAND_LINES]
    heaviest = max(range(best_start, best_start + len(chosen)), key=lambda k: weights[k])

    def box(top: int, bottom: int, count: int, pad: int | None = None) -> tuple[int, int, int, int]:
        columns = np.nonzero(ink[top:bottom].any(axis=0))[0]
        pad = max(2, (bottom - top) // (2 * count)) if pad is None else pad
        left = round(max(0, int(columns[0]) - pad) * ratio)
        right = round(min(ink.shape[1], int(columns[-1]) + 1 + pad) * ratio)
        top = round(max(0, top - pad) * ratio)
        bottom = round(min(ink.shape[0], bottom + pad) * ratio)
        return (left, top, min(right, size[0]), min(bottom, size[1]))

    # The line alone is padded by a pixel or two: on a page left slightly skewed its ink band
    # already spans the slant, and wider padding takes in pieces of the lines above and below.
    return box(chosen[0][0], chosen[-1][1], len(chosen)), box(*lines[heaviest], 1, pad=2)


def _alignment_evidence(ink: np.ndarray | None) -> tuple[int, int]:
    """(lines flush left only, lines flush right only) in an upright-candidate page.

    Lines that stop short of the text block's right edge are the last lines of paragraphs,
    headings and form labels: upright, they start at the left margin. Upside down, the same
    lines hug the right edge instead. Full lines of justified text touch both edges and count
    for neither.
    """
    if ink is None:
        return 0, 0
    lines = _text_lines(ink)
    spans = []
    for top, bottom in lines:
        columns = np.nonzero(ink[top:bottom].any(axis=0))[0]
        if len(columns):
            spans.append((int(columns[0]), int(columns[-1])))
    if len(spans) < 3:
        return 0, 0
    block_left = min(s for s, _ in spans)
    block_right = max(e for _, e in spans)
    width = block_right - block_left
    if width <= 0:
        return 0, 0
    tolerance = max(3, 0.02 * width)
    left = right = 0
    for start, end in spans:
        at_left = start - block_left <= tolerance
        at_right = block_right - end <= tolerance
        if at_left and not at_right:
            left += 1
        elif at_right and not at_left:
            right += 1
    return left, right


_OSD_ROTATE = re.compile(rb"Rotate:\s*(\d+)")
_OSD_CONFIDENCE = re.compile(rb"Orientation confidence:\s*([\d.]+)")


def _osd_upside_down(
    page: Image.Image, box: tuple[int, int, int, int] | None, dpi: int, workdir: Path
) -> bool | None:
    """Ask tesseract's orientation detector about a band of text: True/False, or None if unsure.
    The band is written in ``workdir``, the caller's private folder."""
    band = page.crop(box) if box else page
    with tempfile.TemporaryDirectory(prefix="osd-", dir=workdir) as tmp:
        band_path = Path(tmp) / "band.png"
        band.save(band_path, dpi=(dpi, dpi), compress_level=1)
        result = run_tool(
            ["tesseract", band_path, "-", "--psm", "0", "--dpi", str(dpi)],
            check=False,
            timeout=60,
            what=text("ingest.a_text_band"),
        )
    rotate = _OSD_ROTATE.search(result.stdout)
    confidence = _OSD_CONFIDENCE.search(result.stdout)
    if not rotate or not confidence or float(confidence.group(1)) < OSD_MIN_CONFIDENCE:
        return None
    return int(rotate.group(1)) == 180


def _upside_down(
    page: Image.Image,
    ink: np.ndarray,
    lines: list[tuple[int, int]],
    turn: float,
    factor: int,
    dpi: int,
    orientation: Orientation,
    workdir: Path,
) -> tuple[bool, str]:
    """Decide whether a page with horizontal lines is upside down, and how it was decided.

    ``ink`` is the work-scale ink mask of the page once turned by ``turn`` degrees (the
    deskew), ``lines`` its text lines; ``page`` is the page before that turn, which is made
    only when tesseract's OSD has to look at a band of it.
    """
    if orientation == "auto":
        left, right = _alignment_evidence(ink)
        if left >= 2 and left >= 3 * right:
            return False, "layout"
        if right >= 2 and right >= 3 * left:
            return True, "layout"
    turned = _turn_and_scale(page, turn, 1.0)
    box, _ = _text_band(ink, lines, factor, turned.size)
    verdict = _osd_upside_down(turned, box, dpi, workdir)
    return bool(verdict), "osd"
