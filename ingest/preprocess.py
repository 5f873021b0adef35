"""Step 3 of ingest: make a page image easy for tesseract, without changing what it says.

Sheet-fed scanners feed pages crooked (a degree or two is normal), sideways or upside down,
and archive paper is grey, yellowed or faint. Tesseract's line finder tolerates little skew
before lines break up, and an upside-down page comes out as confident garbage, so each page is
normalised here. The result is a new PNG used for OCR and for the searchable PDF (whose text
layer must sit on the same pixels the OCR saw); the archived original is never modified.

Everything that *measures* the page works on a downscaled (~150 dpi) binarised copy held as
the coordinates of its ink pixels, so memory and time stay small whatever the page size:

* contrast: paper is mapped to white and ink to black from the page's own histogram
  (Otsu threshold, then background median and dark-ink percentile), so grey or yellowed
  paper stops looking like texture to the OCR; grey levels are kept (tesseract binarises
  better itself than a fixed threshold would);
* line direction (0/180 vs 90/270): text lines make the ink's projection perpendicular to them
  far more peaked than the projection along them, even for CJK text, whose characters also
  line up in columns, because the gaps between lines are much wider than between characters;
* skew: the projection-profile method, maximising the sum of squared bin counts of the ink
  projected at angles within +/-5 degrees, coarse then fine (0.02 degree steps);
* upside down: text blocks are left-aligned, so lines that stop short stop short on the right
  (free, and decides most pages). When that evidence is weak (a table, a centred notice)
  tesseract's orientation detection (``--psm 0``) runs on a band of four text lines rather
  than the page (~0.5 s instead of ~0.75 s on A4; it was right on all 16 rotations of the
  benchmark pages), and its answer is used only at confidence >= ``OSD_MIN_CONFIDENCE``;
  otherwise the page is left as fed, which is upright for nearly every sheet.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
from PIL import Image

from ._tools import decoding, image_dpi, run_tool

WORK_DPI = 150
MAX_SKEW = 5.0  # degrees searched either way
COARSE_STEP = 0.2
FINE_STEP = 0.02
MIN_SKEW_TO_CORRECT = 0.1  # below this, resampling the page costs more than it gains
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
    detection, or None on a page without text lines. ``orientation_method`` says how upright was
    decided: "layout", "osd", "none" (disabled) or "blank".
    """

    path: Path
    rotation_applied: int
    skew_degrees: float
    dpi: int
    width: int
    height: int
    text_box: tuple[int, int, int, int] | None
    orientation_method: str


def prepare_for_ocr(
    png_path: str | os.PathLike[str],
    out_path: str | os.PathLike[str] | None = None,
    *,
    orientation: Orientation = "auto",
    deskew: bool = True,
) -> PreparedPage:
    """Turn a page upright, straighten it and normalise its contrast; write the result as PNG.

    ``out_path`` defaults to ``<name>.prepared.png`` beside the input. ``orientation`` is
    "auto" (layout evidence, tesseract OSD on a text band when unsure), "osd" (always OSD on a
    band) or "none". Raises :class:`InvalidInput` when the image cannot be decoded.
    """
    png_path = Path(png_path)
    out = Path(out_path) if out_path else png_path.with_name(png_path.stem + ".prepared.png")
    label = png_path.name
    with decoding(label):
        with Image.open(png_path) as source:
            dpi = round(image_dpi(source) or 300)
            source.load()
            page = source.convert("L") if source.mode != "L" else source.copy()

    page = normalise_contrast(page)
    factor = max(1, round(dpi / WORK_DPI))
    ink = _ink_mask(page.reduce(factor) if factor > 1 else page)

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
            rotation = 90
            ys, xs = xs, (ink.shape[0] - 1 - ys)  # the same rotation applied to the points
        if deskew:
            skew = estimate_skew(ys, xs)
            if abs(skew) >= MIN_SKEW_TO_CORRECT:
                page = page.rotate(-skew, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)

    box = None
    if ink is not None:
        box = _text_band(page, factor)
        if orientation != "none":
            flip, method = _upside_down(page, box, factor, dpi, orientation)
            if flip:
                page = page.transpose(Image.Transpose.ROTATE_180)
                rotation = (rotation + 180) % 360
                if box is not None:
                    left, top, right, bottom = box
                    box = (page.width - right, page.height - bottom, page.width - left, page.height - top)

    page.save(out, "PNG", dpi=(dpi, dpi), compress_level=1)
    return PreparedPage(out, rotation, round(skew, 2), dpi, page.width, page.height, box, method)


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
    hist = np.bincount(pixels.ravel(), minlength=256)
    threshold = otsu_threshold(hist)
    ink = pixels <= threshold
    dark_mean = pixels[ink].mean() if ink.any() else 0
    light_mean = pixels[~ink].mean() if (~ink).any() else 255
    if light_mean - dark_mean < 60:
        return None  # one population: blank paper (possibly noisy) or a uniform area
    ink[ink.mean(axis=1) > 0.5, :] = False
    ink[:, ink.mean(axis=0) > 0.5] = False
    fraction = ink.mean()
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


def _best_angle(ys: np.ndarray, xs: np.ndarray) -> tuple[float, float]:
    """(angle, score) maximising the profile score: coarse grid, then a fine one around the best."""
    coarse = np.arange(-MAX_SKEW, MAX_SKEW + 1e-9, COARSE_STEP)
    scores = [_profile_score(ys, xs, a) for a in coarse]
    best = float(coarse[int(np.argmax(scores))])
    fine = np.arange(best - COARSE_STEP, best + COARSE_STEP + 1e-9, FINE_STEP)
    fine_scores = [_profile_score(ys, xs, a) for a in fine]
    i = int(np.argmax(fine_scores))
    return float(fine[i]), fine_scores[i]


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
        with decoding(Path(image).name):
            with Image.open(image) as source:
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
    angles = np.arange(-MAX_SKEW, MAX_SKEW + 1e-9, 1.0)
    best = 0.0
    for a in angles:
        theta = math.radians(a)
        projected = ys * math.cos(theta) + xs * math.sin(theta)
        extent = projected.max() - projected.min() + 1
        bins = np.bincount((projected - projected.min()).astype(np.int64))
        best = max(best, float(np.dot(bins, bins)) * extent / (len(ys) ** 2))
    return best


def _lines_are_vertical(ys: np.ndarray, xs: np.ndarray) -> bool:
    """Whether the text lines run up and down the image (page turned by a quarter)."""
    if len(ys) < 200:
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


def _work_ink(page: Image.Image, factor: int) -> np.ndarray | None:
    return _ink_mask(page.reduce(factor) if factor > 1 else page)


def _text_band(page: Image.Image, factor: int) -> tuple[int, int, int, int] | None:
    """A band of up to ``BAND_LINES`` consecutive text lines with the most ink, in page pixels."""
    ink = _work_ink(page, factor)
    if ink is None:
        return None
    lines = _text_lines(ink)
    if not lines:
        return None
    weights = [int(ink[t:b].sum()) for t, b in lines]
    best_start, best_weight = 0, -1
    for i in range(len(lines)):
        j = min(len(lines), i + BAND_LINES)
        # Consecutive lines only: a band spanning a big gap (e.g. header to body) wastes pixels.
        gap_ok = all(lines[k + 1][0] - lines[k][1] <= 2 * (lines[k][1] - lines[k][0]) for k in range(i, j - 1))
        weight = sum(weights[i:j])
        if gap_ok and weight > best_weight:
            best_start, best_weight = i, weight
    chosen = lines[best_start : best_start + BAND_LINES]
    top, bottom = chosen[0][0], chosen[-1][1]
    columns = np.nonzero(ink[top:bottom].any(axis=0))[0]
    pad = max(2, (bottom - top) // (2 * len(chosen)))
    left = max(0, int(columns[0]) - pad) * factor
    right = min(ink.shape[1], int(columns[-1]) + 1 + pad) * factor
    top = max(0, top - pad) * factor
    bottom = min(ink.shape[0], bottom + pad) * factor
    return (left, top, min(right, page.width), min(bottom, page.height))


def _alignment_evidence(page: Image.Image, factor: int) -> tuple[int, int]:
    """(lines flush left only, lines flush right only) in an upright-candidate page.

    Lines that stop short of the text block's right edge are the last lines of paragraphs,
    headings and form labels: upright, they start at the left margin. Upside down, the same
    lines hug the right edge instead. Full lines of justified text touch both edges and count
    for neither.
    """
    ink = _work_ink(page, factor)
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


def _osd_upside_down(page: Image.Image, box: tuple[int, int, int, int] | None, dpi: int) -> bool | None:
    """Ask tesseract's orientation detector about a band of text: True/False, or None if unsure."""
    band = page.crop(box) if box else page
    with tempfile.TemporaryDirectory(prefix="dossier-osd-") as tmp:
        band_path = Path(tmp) / "band.png"
        band.save(band_path, dpi=(dpi, dpi), compress_level=1)
        result = run_tool(
            ["tesseract", band_path, "-", "--psm", "0", "--dpi", str(dpi)],
            check=False,
            timeout=60,
            what="a page's text band",
        )
    rotate = _OSD_ROTATE.search(result.stdout)
    confidence = _OSD_CONFIDENCE.search(result.stdout)
    if not rotate or not confidence or float(confidence.group(1)) < OSD_MIN_CONFIDENCE:
        return None
    return int(rotate.group(1)) == 180


def _upside_down(
    page: Image.Image, box: tuple[int, int, int, int] | None, factor: int, dpi: int, orientation: Orientation
) -> tuple[bool, str]:
    """Decide whether a page with horizontal lines is upside down, and how it was decided."""
    if orientation == "auto":
        left, right = _alignment_evidence(page, factor)
        if left >= 2 and left >= 3 * right:
            return False, "layout"
        if right >= 2 and right >= 3 * left:
            return True, "layout"
    verdict = _osd_upside_down(page, box, dpi)
    return bool(verdict), "osd"
