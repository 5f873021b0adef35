"""Step 4 of ingest: read a prepared page with tesseract, in the right script, in one run.

Each page is read with one model: a guess (an earlier page's script, else one line read by the
Simplified model), checked on the same run by comparing the pixels of characters that have a
distinct Traditional form with both glyphs (:func:`judge_script`); a wrong guess costs a second
run. The English model is added only when the page is largely Latin (or ``english=True``). Reading
yields words with confidences and characters with their boxes; :func:`text_from_words` and
:func:`clean_text` restore Chinese typographic conventions in the text (the word list stays raw).
Why: docs/decisions/002-one-ocr-model-per-page.md.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from dossier.catalog import text

from . import derivatives
from ._hanzi import SIMPLIFIED_TO_TRADITIONAL, is_cjk
from ._tools import DEFAULT_TIMEOUT, decoding
from .preprocess import PreparedPage, load_page
from .tesseract import Word, recognise, tessdata_dir

Language = Literal["chi_sim", "chi_tra", "eng"]
LanguageChoice = Literal["auto", "chi_sim", "chi_tra", "eng"]

# Models loaded for the final run of a page whose script is the key.
MODELS: dict[str, str] = {
    "chi_sim": "chi_sim+eng",
    "chi_tra": "chi_tra+eng",
    # English pages in a Chinese archive still carry Chinese names and addresses.
    "eng": "eng+chi_sim",
}
# Share of Latin letters in the text band above which a Chinese page also gets the English model.
ENGLISH_LATIN_SHARE = 0.25
# Script test: below this many script-sensitive characters in the band, the page's script
# makes too little difference to be worth deciding; the Simplified model is used.
MIN_SENSITIVE_CHARS = 3
# A band is English when at least this many Latin letters and CJK below this share of letters.
MIN_LATIN_LETTERS = 20
MAX_CJK_SHARE_FOR_ENGLISH = 0.2
GLYPH_SIZE = 32
# Punctuation-only words below this confidence are noise (see _is_noise).
NOISE_CONFIDENCE = 30.0
# A gap this many line-heights wide between a Chinese and a Latin word is printed as a space.
CJK_LATIN_GAP = 0.2
PDF_JPEG_QUALITY = 85
# Script-sensitive characters of a page's own OCR compared with both scripts' glyphs to check
# the model it was read with (spread over the page; ~0.5 ms each).
VERIFY_SAMPLES = 16
# Characters of the text line the first guess reads at most (a full A4 line at 10.5 pt: fewer
# left too little evidence on some benchmark pages; ~0.08 s).
LINE_SAMPLE_CHARS = 48
# ...and the mean glyph margin they must show to overrule the model picked before the run
# (margins on the benchmark pages are 0.1-0.45 either way).
VERIFY_MIN_EVIDENCE = 0.05


@dataclass(frozen=True)
class ScriptGuess:
    """Which model a page should be read with, and on what evidence.

    ``method``: "glyphs" (pixels compared with both scripts' glyphs), "confidence" (fallback
    when no CJK font is installed: both models on the band, fewest low-confidence
    characters wins), "latin" (mostly Latin letters), "default" (too little evidence, or no
    text band), or "given" (the caller chose). ``evidence`` is the mean glyph-similarity margin
    (positive means Traditional) or the confidence-deficit difference; ``samples`` how many
    characters it rests on. ``latin_share`` is the share of Latin letters among the letters
    and ideographs read in the band (used to decide whether to add the English model).
    """

    language: Language
    method: str
    evidence: float = 0.0
    samples: int = 0
    latin_share: float = 0.0


@dataclass(frozen=True)
class OcrResult:
    """The OCR of one page.

    ``text`` is cleaned for reading and indexing (see :func:`clean_text`); ``words`` keep
    tesseract's raw output with pixel boxes in the prepared image. ``confidence`` is the mean
    word confidence, 0-100 (0 for a page without words). ``pdf_path`` is a one-page PDF with
    the page image and an invisible text layer, for :func:`ingest.derivatives.assemble_pdf`.
    """

    text: str
    confidence: float
    language: Language
    models: str
    pdf_path: Path
    words: tuple[Word, ...] = field(repr=False)
    script: ScriptGuess


# ---------------------------------------------------------------------------------------------
# Text clean-up
# ---------------------------------------------------------------------------------------------

_CJK_CLASS = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK_CLASS}])[ \t]+(?=[{_CJK_CLASS}])")
_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Full-width punctuation carries its own spacing: no spaces beside it.
_FW_PUNCT = r"\u3001-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
_SPACE_BESIDE_FW_PUNCT = re.compile(rf"[ \t]+(?=[{_FW_PUNCT}])|(?<=[{_FW_PUNCT}])[ \t]+")
_FULLWIDTH = {",": "，", ":": "：", ";": "；", "!": "！", "?": "？", "(": "（", ")": "）"}
# ASCII punctuation right after a Han character (spaces allowed between) is a misread of the
# full-width form: Chinese text does not use ASCII commas or colons after characters.
_PUNCT_AFTER_HAN = re.compile(rf"(?<=[{_HAN}])[ \t]*([,:;!?(])")
# ...and so is an ASCII comma, semicolon, colon, or mark directly before a Han character.
_PUNCT_BEFORE_HAN = re.compile(rf"[ \t]*([,:;!?])[ \t]*(?=[{_HAN}])")
_PAREN_BEFORE_HAN = re.compile(rf"([()])[ \t]*(?=[{_HAN}{_FW_PUNCT}])")
# A small "o" or a degree sign between Han characters (or ending a line after one) is a misread
# ideographic full stop: Chinese has no single-letter words.
_FULL_STOP = re.compile(rf"(?<=[{_HAN}])[ \t]*[o°][ \t]*(?=[{_HAN}]|$)", re.MULTILINE)
_OPENERS = {"(": ")", "（": "）", "〈": "〉"}
_CLOSERS = {")", "）", "〉"}


def _match_brackets(line: str) -> str:
    """Make both halves of a bracket pair full-width when either is (and "〈…）" a "（…）").

    Tesseract reads the two halves of "（1503）" independently and often gets one of them
    as ASCII or as an angle bracket.
    """
    chars = list(line)
    stack: list[int] = []
    for i, ch in enumerate(chars):
        if ch in _OPENERS:
            stack.append(i)
        elif ch in _CLOSERS and stack:
            j = stack.pop()
            pair = chars[j] + ch
            if pair in ("(）", "（)", "〈）", "〈)"):
                chars[j], chars[i] = "（", "）"
    return "".join(chars)


def _drop_unpaired_quotes(paragraph: str) -> str:
    """Remove curly quotes that have no partner in the paragraph (noise from wide gaps)."""
    chars = list(paragraph)
    open_at: list[int] = []
    unpaired: list[int] = []
    for i, ch in enumerate(chars):
        if ch == "“":
            open_at.append(i)
        elif ch == "”":
            if open_at:
                open_at.pop()
            else:
                unpaired.append(i)
    for i in sorted(unpaired + open_at, reverse=True):
        del chars[i]
    return "".join(chars)


def clean_text(text: str) -> str:
    """Undo tesseract's habits with Chinese text, keeping Latin text as it is.

    * spaces between two CJK characters (ideographs and CJK/full-width punctuation), and
      beside full-width punctuation, are removed: Chinese is written without them, and they
      break phrase search;
    * ASCII ``, : ; ! ? (`` following a Han character become their full-width forms, as do
      ``, : ; ! ? ( )`` right before one, as printed on Chinese documents; spaces between Latin words, in
      numbers and in identifiers like ``A-3-1201`` are untouched;
    * "o" or "°" right after a Han character, before another or at the end of the line, is
      a misread "。"; bracket pairs with one full-width half become full-width ("（1503)" ->
      "（1503）", "〈编号）" -> "（编号）"); curly quotes without a partner in their paragraph are
      dropped (tesseract reads wide gaps between form fields as quotes);
    * trailing spaces and runs of blank lines are trimmed.
    """
    text = _FULL_STOP.sub("。", text)
    text = _PUNCT_AFTER_HAN.sub(lambda m: _FULLWIDTH[m.group(1)], text)
    text = _PUNCT_BEFORE_HAN.sub(lambda m: _FULLWIDTH[m.group(1)], text)
    text = _PAREN_BEFORE_HAN.sub(lambda m: _FULLWIDTH[m.group(1)], text)
    text = "\n".join(_match_brackets(line) for line in text.split("\n"))
    text = "\n\n".join(_drop_unpaired_quotes(p) for p in text.split("\n\n"))
    text = _SPACE_BETWEEN_CJK.sub("", text)
    text = _SPACE_BESIDE_FW_PUNCT.sub("", text)
    lines = [line.rstrip() for line in text.splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip("\n")


# ---------------------------------------------------------------------------------------------
# Running tesseract
# ---------------------------------------------------------------------------------------------


_QUOTES = "\"'“”‘’「」『』;；"


def _denoise(word: Word) -> str:
    """A word's text without the noise tesseract adds at low confidence.

    Wide gaps (the ideographic spaces between form fields) and specks come out as quotation
    marks or semicolons with confidence near 0, alone or glued to the next word. Below
    ``NOISE_CONFIDENCE``, punctuation-only words are dropped and stray quotes stripped from
    the ends of others.
    """
    if word.confidence >= NOISE_CONFIDENCE:
        return word.text
    if all(unicodedata.category(ch)[0] in "PS" for ch in word.text):
        return ""
    return word.text.strip(_QUOTES)


def _joiner(left: Word, right: Word, left_text: str, right_text: str) -> str:
    """What goes between two words of a line.

    Nothing between Chinese characters (Chinese is written without spaces); a space between
    Latin words and numbers; at a boundary between the two, a space only where the page shows a
    visible gap (at least ``CJK_LATIN_GAP`` of the line height), as in "房号 A-3-1201" but not
    "共计2342元".
    """
    left_cjk = bool(_CJK_CHAR.match(left_text[-1]))
    right_cjk = bool(_CJK_CHAR.match(right_text[0]))
    if left_cjk and right_cjk:
        return ""
    if not left_cjk and not right_cjk:
        return " "
    gap = right.left - (left.left + left.width)
    return " " if gap >= CJK_LATIN_GAP * max(left.height, right.height) else ""


_CJK_CHAR = re.compile(rf"[{_CJK_CLASS}]")


def text_from_words(words: Sequence[Word]) -> str:
    """Plain text from TSV words: lines in reading order, blank lines between paragraphs.

    Words are joined as :func:`_joiner` says, so "2024年5月" and "房号 A-3-1201" read as
    printed; then :func:`clean_text` applies.
    """
    lines: list[str] = []
    current = ""
    key = None
    previous: tuple[Word, str] | None = None
    for word in words:
        text = _denoise(word)
        if not text:
            continue
        line_key = (word.block, word.paragraph, word.line)
        if key is not None and line_key != key:
            lines.append(current)
            if line_key[:2] != key[:2]:
                lines.append("")
            current = ""
        if current and previous is not None:  # previous is set once current has text
            current = current + _joiner(previous[0], word, previous[1], text) + text
        else:
            current = text
        previous = (word, text)
        key = line_key
    if current:
        lines.append(current)
    return clean_text("\n".join(lines))


# ---------------------------------------------------------------------------------------------
# Script detection
# ---------------------------------------------------------------------------------------------


def _fc_match(pattern: str) -> tuple[str, int] | None:
    """(file, face index) of the font fontconfig picks for ``pattern``, if it covers Chinese."""
    if shutil.which("fc-match") is None:
        return None
    try:
        out = subprocess.run(
            ["fc-match", "-f", "%{file}\t%{index}\t%{lang}", pattern],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    parts = out.split("\t")
    if len(parts) < 3 or "zh" not in parts[2]:
        return None
    try:
        return parts[0], int(parts[1])
    except ValueError:
        return None


@functools.lru_cache(maxsize=1)
def _glyph_fonts() -> dict[str, list[ImageFont.FreeTypeFont]] | None:
    """Sans and serif fonts for Simplified (zh-cn) and Traditional (zh-tw), or None if missing.

    Both styles are used because documents are printed in Hei (sans) and Song/Ming (serif)
    faces; each character is compared with the closer of the two.
    """
    fonts: dict[str, list[ImageFont.FreeTypeFont]] = {"s": [], "t": []}
    for key, lang in (("s", "zh-cn"), ("t", "zh-tw")):
        seen = set()
        for family in ("sans-serif", "serif"):
            match = _fc_match(f"{family}:lang={lang}")
            if match and match not in seen:
                seen.add(match)
                try:
                    fonts[key].append(ImageFont.truetype(match[0], 64, index=match[1]))
                except OSError:
                    continue
    if not fonts["s"] or not fonts["t"]:
        return None
    return fonts


def _normalised(pixels: Image.Image) -> np.ndarray | None:
    """A glyph image cropped to its ink, centred in a square, scaled, as a unit vector."""
    ink_box = pixels.point(lambda v: 255 if v < 128 else 0).getbbox()
    if not ink_box:
        return None
    glyph = pixels.crop(ink_box)
    side = max(glyph.size)
    square = Image.new("L", (side, side), 255)
    square.paste(glyph, ((side - glyph.width) // 2, (side - glyph.height) // 2))
    vector = 255.0 - np.asarray(
        square.resize((GLYPH_SIZE, GLYPH_SIZE), Image.Resampling.BOX), dtype=np.float64
    )
    vector = vector.ravel()
    vector -= vector.mean()
    norm = np.linalg.norm(vector)
    return vector / norm if norm else None


# Horizontal offsets (in character heights) of the windows tried around a character's box.
_WINDOW_OFFSETS = (-0.3, -0.15, 0.0, 0.15, 0.3)


def _glyph_windows(image: Image.Image, box: tuple[int, int, int, int]):
    """Normalised glyph vectors of square windows around a character the LSTM placed at ``box``.

    The LSTM engine's character boxes are right vertically but off by up to half a character
    horizontally (a box may hold half of a neighbour), which drowns the difference between the
    scripts' glyphs. Chinese characters are about as wide as they are tall, so windows one
    character height wide are tried at a few offsets; the best-matching one is the character.
    """
    left, top, right, bottom = box
    height = bottom - top
    centre = (left + right) / 2
    for offset in _WINDOW_OFFSETS:
        x0 = max(0, round(centre + (offset - 0.5) * height))
        x1 = min(image.width, round(centre + (offset + 0.5) * height))
        if x1 - x0 < 2 or height < 2:
            continue
        vector = _normalised(image.crop((x0, top, x1, bottom)))
        if vector is not None:
            yield vector


@functools.lru_cache(maxsize=4096)
def _templates(char: str, key: str) -> tuple[np.ndarray, ...]:
    fonts = _glyph_fonts() or {}
    out = []
    for font in fonts.get(key, []):
        canvas = Image.new("L", (96, 96), 255)
        ImageDraw.Draw(canvas).text((16, 4), char, font=font, fill=0)
        vector = _normalised(canvas)
        if vector is not None:
            out.append(vector)
    return tuple(out)


def _confidence_deficit(words: list[Word]) -> float:
    """How far a model's CJK words fall short of high confidence, summed (lower is better)."""
    return sum(max(0.0, 90.0 - w.confidence) for w in words if any(is_cjk(c) for c in w.text))


_TRADITIONAL_TO_SIMPLIFIED = {t: s for s, t in reversed(SIMPLIFIED_TO_TRADITIONAL.items())}


def _script_pair(ch: str) -> tuple[str, str] | None:
    """(Simplified, Traditional) forms of a character that differs between the scripts, whichever
    of the two the model answered (the Simplified model reads both as Simplified, the Traditional
    one mostly as Traditional)."""
    if ch in SIMPLIFIED_TO_TRADITIONAL:
        return ch, SIMPLIFIED_TO_TRADITIONAL[ch]
    if ch in _TRADITIONAL_TO_SIMPLIFIED:
        return _TRADITIONAL_TO_SIMPLIFIED[ch], ch
    return None


def judge_script(
    image: Image.Image,
    chars: Sequence[tuple[str, tuple[int, int, int, int]]],
    *,
    limit: int | None = None,
) -> ScriptGuess:
    """Which script the characters read from ``image`` (with their boxes in it) are printed in.

    Latin letters against ideographs decide an English page; otherwise the pixels of every
    script-sensitive character (at most ``limit`` of them, spread evenly) are compared with both
    scripts' glyphs. Returns method "latin", "glyphs", or "default" (too little evidence, or no
    CJK fonts to draw glyphs with: the caller decides).
    """
    latin = sum(1 for c, _ in chars for ch in c if ch.isascii() and ch.isalpha())
    cjk = sum(1 for c, _ in chars for ch in c if is_cjk(ch))
    share = round(latin / (latin + cjk), 3) if latin + cjk else 0.0
    if latin >= MIN_LATIN_LETTERS and cjk < MAX_CJK_SHARE_FOR_ENGLISH * (cjk + latin):
        return ScriptGuess("eng", "latin", float(latin), latin + cjk, share)
    sensitive = [(pair, box) for c, box in chars if len(c) == 1 and (pair := _script_pair(c))]
    if len(sensitive) < MIN_SENSITIVE_CHARS or _glyph_fonts() is None:
        return ScriptGuess("chi_sim", "default", 0.0, len(sensitive), share)
    if limit and len(sensitive) > limit:
        step = len(sensitive) / limit
        sensitive = [sensitive[int(i * step)] for i in range(limit)]
    margins = []
    for (simplified_char, traditional_char), box in sensitive:
        simplified = _templates(simplified_char, "s")
        traditional = _templates(traditional_char, "t")
        if not simplified or not traditional:
            continue
        s_score = t_score = None
        for vector in _glyph_windows(image, box):
            s = max(float(np.dot(vector, t)) for t in simplified)
            t = max(float(np.dot(vector, t)) for t in traditional)
            s_score = s if s_score is None else max(s_score, s)
            t_score = t if t_score is None else max(t_score, t)
        if s_score is not None and t_score is not None:  # both or neither
            margins.append(t_score - s_score)
    if len(margins) < MIN_SENSITIVE_CHARS:
        return ScriptGuess("chi_sim", "default", 0.0, len(margins), share)
    evidence = float(np.mean(margins))
    language: Language = "chi_tra" if evidence > 0 else "chi_sim"
    return ScriptGuess(language, "glyphs", round(evidence, 4), len(margins), share)


def detect_language(
    image_path: str | os.PathLike[str] | Image.Image,
    box: tuple[int, int, int, int] | None = None,
    *,
    dpi: int | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    workdir: str | os.PathLike[str] | None = None,
) -> ScriptGuess:
    """Decide whether a page is Simplified Chinese, Traditional Chinese or English.

    ``box`` is the band of text to test (``PreparedPage.line_box`` or ``text_box``); without
    one, the whole page is read, which is correct but costs a full OCR run. The Simplified model
    reads the band with per-character boxes and :func:`judge_script` compares the glyphs.
    """
    if isinstance(image_path, Image.Image):
        name = "the page"
        band = (image_path.crop(box) if box else image_path).convert("L")
        dpi = dpi or 300
    else:
        name = Path(image_path).name
        workdir = workdir or Path(image_path).parent
        page, file_dpi = load_page(image_path)
        dpi = dpi or file_dpi
        band = page.crop(box) if box else page
    # One line is read as a line (psm 7): no layout analysis, a fraction of a page's time.
    single_line = box is not None and band.height < 3 * band.width / 20 and band.height < dpi * 0.5
    psm = 7 if single_line else 6
    what = text("ingest.text_band_of", name=name)
    found = recognise(
        band, "chi_sim", dpi=dpi, psm=psm, chars=True, timeout=timeout, what=what, workdir=workdir
    )
    guess = judge_script(band, found.chars)
    if guess.method != "default" or _glyph_fonts() is not None or guess.samples < MIN_SENSITIVE_CHARS:
        return guess
    # No CJK fonts to draw glyphs with: compare the two models' confidences instead
    # (right on most pages, but both models are overconfident on the other script).
    other = recognise(band, "chi_tra", dpi=dpi, psm=psm, timeout=timeout, what=what, workdir=workdir)
    sim, tra = _confidence_deficit(found.words), _confidence_deficit(other.words)
    return ScriptGuess(
        "chi_tra" if tra < sim else "chi_sim", "confidence", sim - tra, guess.samples, guess.latin_share
    )


# ---------------------------------------------------------------------------------------------
# Reading a page
# ---------------------------------------------------------------------------------------------


def _line_sample(box: tuple[int, int, int, int] | None) -> tuple[int, int, int, int] | None:
    """The first ``LINE_SAMPLE_CHARS`` characters or so of a line box (about a character
    tall)."""
    if box is None:
        return None
    left, top, right, bottom = box
    return (left, top, min(right, left + LINE_SAMPLE_CHARS * (bottom - top)), bottom)


def models_for(language: Language, english: bool | Literal["auto"] = "auto", latin_share: float = 0.0) -> str:
    """The models loaded to read a page of ``language`` (see the module docstring)."""
    if language == "eng":
        return MODELS["eng"]
    if english is True or (english == "auto" and latin_share >= ENGLISH_LATIN_SHARE):
        return MODELS[language]
    return language


def ocr_page(
    page: PreparedPage | str | os.PathLike[str],
    pdf_path: str | os.PathLike[str] | None = None,
    *,
    language: LanguageChoice = "auto",
    text_box: tuple[int, int, int, int] | None = None,
    dpi: int | None = None,
    english: bool | Literal["auto"] = "auto",
    pdf_image: Literal["jpeg", "png"] = "jpeg",
    psm: int = 6,
    timeout: float = DEFAULT_TIMEOUT,
    prior: ScriptGuess | None = None,
) -> OcrResult:
    """OCR one page image: pick the model (unless ``language`` is given), then one tesseract run.

    ``page`` is a :class:`PreparedPage` (its text line, band, resolution and path are used) or
    an image path. ``pdf_path`` is where the one-page searchable PDF goes (default: beside the
    image, ``.pdf``).

    The model is picked from ``prior`` (the script an earlier page of the same document was
    found to have: documents rarely change script between pages) or, without one, from a single
    text line read by the Simplified model (:func:`detect_language`). Either way the pick is
    checked on the page's own characters, from the same run that produced the text (tesseract
    writes per-character boxes beside the words): their glyphs are compared with both scripts'
    (:func:`judge_script`), and when they say otherwise, the page is read again with the right
    model. A wrong guess costs a second run; a right one (nearly every page) nothing.

    ``english`` adds the English model to Chinese pages: ``"auto"`` when at least
    ``ENGLISH_LATIN_SHARE`` of the letters read are Latin. Not always: the Chinese models read
    Latin letters, digits and identifiers well by themselves, while the English model, when
    loaded, wins some Chinese words with confident Latin garbage (房号 -> "KS"), which on the
    benchmark costs more than it gains (see bench/ocr_quality.py --english).
    ``psm`` 6 (one uniform block of text, lines read in order) is the default: it keeps a page's
    layout as lines (top to bottom), reads forms row by row; tesseract's automatic layout
    analysis (3) was measured to drop half-lines of clean Chinese text now and then, which costs
    more than its column detection gains on household records.
    ``pdf_image="jpeg"`` has the PDF embed a JPEG (quality 85) of the page (the prepared
    ``.jpg`` itself when that is what ``page`` is): a third of the size of the lossless image.
    """
    line_box = None
    image = None
    if isinstance(page, PreparedPage):
        image_path = page.path
        line_box = None if text_box else page.line_box
        text_box = text_box or page.text_box
        dpi = dpi or page.dpi
        image = page.image
    else:
        image_path = Path(page)
    pdf_out = Path(pdf_path) if pdf_path else image_path.with_suffix(".pdf")
    workdir = pdf_out.parent  # the caller's private folder: nothing of the page goes elsewhere
    label = image_path.name
    if image is None:
        image, file_dpi = load_page(image_path, label)
        dpi = dpi or file_dpi
    assert dpi is not None  # the prepared page's or the file's

    if language != "auto":
        guess = ScriptGuess(language, "given")
    elif prior is not None:
        guess = ScriptGuess(prior.language, "previous page", prior.evidence, prior.samples, prior.latin_share)
    else:
        guess = detect_language(
            image, _line_sample(line_box) or text_box, dpi=dpi, timeout=timeout, workdir=workdir
        )
    # A guess from one line says little about the share of Latin letters on the page: then the
    # English model is added from the previous page's share, or the checked page's.
    models = models_for(guess.language, english, guess.latin_share)
    found = recognise(
        image,
        models,
        dpi=dpi,
        psm=psm,
        chars=language == "auto",
        timeout=timeout,
        what=label,
        workdir=workdir,
    )
    if language == "auto":
        verdict = judge_script(image, found.chars, limit=VERIFY_SAMPLES)
        close_call = verdict.method == "glyphs" and abs(verdict.evidence) < VERIFY_MIN_EVIDENCE
        if verdict.method != "default" and not close_call:
            wanted = models_for(verdict.language, english, verdict.latin_share)
            if wanted != models:
                models = wanted
                found = recognise(
                    image, models, dpi=dpi, psm=psm, timeout=timeout, what=label, workdir=workdir
                )
            guess = verdict

    with tempfile.TemporaryDirectory(prefix="ocr-", dir=workdir) as tmp:
        embed = image_path
        kind = "JPEG" if pdf_image == "jpeg" else "PNG"
        if _image_format(image_path) != kind:
            embed = Path(tmp) / ("page.jpg" if kind == "JPEG" else "page.png")
            options = {"quality": PDF_JPEG_QUALITY} if kind == "JPEG" else {"compress_level": 1}
            image.save(embed, kind, dpi=(dpi, dpi), **options)
        derivatives.page_pdf(
            pdf_out,
            embed,
            image.size,
            dpi,
            [(w.text, w.box, (w.block, w.paragraph, w.line)) for w in found.words],
            derivatives.glyphless_font(tessdata_dir()),
        )

    words = found.words
    confidence = round(sum(w.confidence for w in words) / len(words), 2) if words else 0.0
    return OcrResult(
        text=text_from_words(words),
        confidence=confidence,
        language=guess.language,
        models=models,
        pdf_path=pdf_out,
        words=tuple(words),
        script=guess,
    )


def _image_format(path: Path) -> str | None:
    with decoding(path.name), Image.open(path) as source:
        return source.format
