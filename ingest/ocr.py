"""Step 4 of ingest: read a prepared page with tesseract, in the right script, in one run.

Household folders mix Simplified and Traditional Chinese documents (a Hong Kong owner's
papers, a Taiwanese tenant's contract), and the model matters: on a Traditional page the
Simplified model answers in Simplified characters and scores ~30% CER against what is
printed, the Traditional model below 1%; loading both (``chi_sim+chi_tra``) costs 1.3-1.5x
and still mixes scripts. So each page gets one model, picked by a cheap test first:

1. the Simplified model reads only the band of a few text lines that preprocessing found
   (a fraction of the page, ~0.3 s), with per-character boxes;
2. every character in that band that has a distinct Traditional form (业/業, 费/費 ...) is
   compared, as pixels, with both forms rendered from the system's CJK fonts. Confidence
   scores cannot make this call (both models read the other script's glyphs confidently), the
   glyph shapes can;
3. a band that is mostly Latin letters marks an English page.

The page is then read once with the chosen model, producing words with confidences (TSV) and
a one-page PDF with the image and an invisible text layer; the text is rebuilt from the words.
The Chinese models read Latin letters, digits and identifiers (A-3-1201, No.20240428-017)
themselves; the English model is added only when the band is largely Latin, because when
loaded it wins some Chinese words with confident Latin garbage (measured: +0.5 points of CER
on Chinese pages). ``english=True`` forces it.

Tesseract puts spaces between CJK characters, often answers ASCII punctuation where the page
has full-width punctuation, and reads wide gaps as stray quotes at confidence ~0;
:func:`text_from_words` and :func:`clean_text` restore Chinese typographic conventions in the
text (the word list keeps tesseract's raw output).
"""

from __future__ import annotations

import functools
import html
import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from dossier.errors import InvalidInput

from ._hanzi import SIMPLIFIED_TO_TRADITIONAL, is_cjk
from ._tools import DEFAULT_TIMEOUT, decoding, first_line, image_dpi, run_tool
from .preprocess import PreparedPage

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


@dataclass(frozen=True)
class Word:
    """One word (for Chinese, usually one to a few characters) as tesseract reported it."""

    text: str
    confidence: float
    left: int
    top: int
    width: int
    height: int
    block: int
    paragraph: int
    line: int


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


def _tesseract(
    image: Path,
    outbase: Path | str,
    lang: str,
    *,
    psm: int,
    dpi: int,
    configs: Sequence[str],
    extra: Sequence[str] = (),
    timeout: float = DEFAULT_TIMEOUT,
    what: str,
) -> subprocess.CompletedProcess[bytes]:
    result = run_tool(
        ["tesseract", image, outbase, "-l", lang, "--psm", str(psm), "--dpi", str(dpi), *extra, *configs],
        check=False,
        timeout=timeout,
        what=what,
    )
    if result.returncode != 0:
        message = first_line(result.stderr) or f"exit status {result.returncode}"
        if "Failed loading language" in result.stderr.decode("utf-8", "replace"):
            from dossier.errors import ConfigurationError

            raise ConfigurationError(f"tesseract cannot load the {lang} models; install tesseract-ocr-chi-sim, -chi-tra and -eng.")
        raise InvalidInput(f"tesseract could not read {what}: {message}.")
    return result


def parse_tsv(tsv: str) -> list[Word]:
    """Words (level 5 rows with text) from tesseract's TSV output."""
    words: list[Word] = []
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5":
            continue
        text = cols[11].strip()
        if not text:
            continue
        try:
            conf = float(cols[10])
            left, top, width, height = (int(c) for c in cols[6:10])
            block, paragraph, line = int(cols[2]), int(cols[3]), int(cols[4])
        except ValueError:
            continue
        if conf < 0:
            continue
        words.append(Word(text, conf, left, top, width, height, block, paragraph, line))
    return words


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
        current = current + _joiner(previous[0], word, previous[1], text) + text if current else text
        previous = (word, text)
        key = line_key
    if current:
        lines.append(current)
    return clean_text("\n".join(lines))


# ---------------------------------------------------------------------------------------------
# Script detection
# ---------------------------------------------------------------------------------------------

_HOCR_CHAR = re.compile(r"x_bboxes (\d+) (\d+) (\d+) (\d+); x_conf ([\d.]+)'>([^<]*)<")


def _fc_match(pattern: str) -> tuple[str, int] | None:
    """(file, face index) of the font fontconfig picks for ``pattern``, if it covers Chinese."""
    if shutil.which("fc-match") is None:
        return None
    try:
        out = subprocess.run(
            ["fc-match", "-f", "%{file}\t%{index}\t%{lang}", pattern],
            capture_output=True, text=True, timeout=30, check=True,
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
    vector = 255.0 - np.asarray(square.resize((GLYPH_SIZE, GLYPH_SIZE), Image.Resampling.BOX), dtype=np.float64)
    vector -= vector.mean()
    norm = np.linalg.norm(vector)
    return vector / norm if norm else None


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


def _hocr_chars(hocr: str) -> list[tuple[str, tuple[int, int, int, int], float]]:
    return [
        (html.unescape(ch), (int(l), int(t), int(r) + 1, int(b) + 1), float(conf))
        for l, t, r, b, conf, ch in _HOCR_CHAR.findall(hocr)
        if ch
    ]


def _confidence_deficit(words: list[Word]) -> float:
    """How far a model's CJK words fall short of high confidence, summed (lower is better)."""
    return sum(max(0.0, 90.0 - w.confidence) for w in words if any(is_cjk(c) for c in w.text))


def detect_language(
    image_path: str | os.PathLike[str],
    box: tuple[int, int, int, int] | None = None,
    *,
    dpi: int | None = None,
    timeout: float = 120,
) -> ScriptGuess:
    """Decide whether a page is Simplified Chinese, Traditional Chinese or English.

    ``box`` is the band of text lines to test (``PreparedPage.text_box``); without one, the
    whole page is read, which is correct but costs a full OCR run.
    """
    image_path = Path(image_path)
    with decoding(image_path.name):
        with Image.open(image_path) as source:
            dpi = dpi or round(image_dpi(source) or 300)
            band = (source.crop(box) if box else source.copy()).convert("L")
    with tempfile.TemporaryDirectory(prefix="dossier-script-") as tmp:
        band_path = Path(tmp) / "band.png"
        band.save(band_path, dpi=(dpi, dpi), compress_level=1)
        _tesseract(
            band_path, Path(tmp) / "band", "chi_sim", psm=6, dpi=dpi,
            configs=["hocr"], extra=["-c", "hocr_char_boxes=1"], timeout=timeout,
            what=f"the text band of {image_path.name}",
        )
        hocr = (Path(tmp) / "band.hocr").read_text("utf-8", "replace")
        chars = _hocr_chars(hocr)

        latin = sum(1 for c, _, _ in chars for ch in c if ch.isascii() and ch.isalpha())
        cjk = sum(1 for c, _, _ in chars for ch in c if is_cjk(ch))
        share = round(latin / (latin + cjk), 3) if latin + cjk else 0.0
        if latin >= MIN_LATIN_LETTERS and cjk < MAX_CJK_SHARE_FOR_ENGLISH * (cjk + latin):
            return ScriptGuess("eng", "latin", float(latin), latin + cjk, share)

        sensitive = [(c, b) for c, b, _ in chars if c in SIMPLIFIED_TO_TRADITIONAL]
        if len(sensitive) < MIN_SENSITIVE_CHARS:
            return ScriptGuess("chi_sim", "default", 0.0, len(sensitive), share)

        if _glyph_fonts() is None:
            # No CJK fonts to draw glyphs with: compare the two models' confidences instead
            # (right on most pages, but both models are overconfident on the other script).
            _tesseract(
                band_path, Path(tmp) / "sim", "chi_sim", psm=6, dpi=dpi, configs=["tsv"],
                timeout=timeout, what=f"the text band of {image_path.name}",
            )
            _tesseract(
                band_path, Path(tmp) / "tra", "chi_tra", psm=6, dpi=dpi, configs=["tsv"],
                timeout=timeout, what=f"the text band of {image_path.name}",
            )
            sim = _confidence_deficit(parse_tsv((Path(tmp) / "sim.tsv").read_text("utf-8", "replace")))
            tra = _confidence_deficit(parse_tsv((Path(tmp) / "tra.tsv").read_text("utf-8", "replace")))
            language: Language = "chi_tra" if tra < sim else "chi_sim"
            return ScriptGuess(language, "confidence", sim - tra, len(sensitive), share)

    margins = []
    for char, char_box in sensitive:
        vector = _normalised(band.crop(char_box))
        simplified = _templates(char, "s")
        traditional = _templates(SIMPLIFIED_TO_TRADITIONAL[char], "t")
        if vector is None or not simplified or not traditional:
            continue
        s_score = max(float(np.sum(vector * t)) for t in simplified)
        t_score = max(float(np.sum(vector * t)) for t in traditional)
        margins.append(t_score - s_score)
    if len(margins) < MIN_SENSITIVE_CHARS:
        return ScriptGuess("chi_sim", "default", 0.0, len(margins), share)
    evidence = float(np.mean(margins))
    language = "chi_tra" if evidence > 0 else "chi_sim"
    return ScriptGuess(language, "glyphs", round(evidence, 4), len(margins), share)


# ---------------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------------


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
) -> OcrResult:
    """OCR one page image: pick the model (unless ``language`` is given), then one tesseract run.

    ``page`` is a :class:`PreparedPage` (its band, resolution and path are used) or an image
    path. ``pdf_path`` is where the one-page searchable PDF goes (default: beside the image,
    ``.pdf``). ``english`` adds the English model to Chinese pages: ``"auto"`` when the text
    band is at least ``ENGLISH_LATIN_SHARE`` Latin letters. Not always: the Chinese models read
    Latin letters, digits and identifiers well by themselves, while the English model, when
    loaded, wins some Chinese words with confident Latin garbage (房号 -> "KS"), which on the
    benchmark costs more than it gains (see bench/ocr_quality.py --english).
    ``psm`` is tesseract's page segmentation mode. The default, 6 (one block of lines read top
    to bottom), reads forms row by row; tesseract's automatic layout analysis (3) was measured
    to drop half-lines of clean Chinese text now and then, which costs more than its column
    detection gains on household records.
    ``pdf_image="jpeg"`` hands tesseract a JPEG (quality 85) of the page, which it embeds in
    the PDF as is: a third of the size of the lossless image it would otherwise embed.
    """
    if isinstance(page, PreparedPage):
        image_path = page.path
        text_box = text_box or page.text_box
        dpi = dpi or page.dpi
    else:
        image_path = Path(page)
    pdf_out = Path(pdf_path) if pdf_path else image_path.with_suffix(".pdf")
    label = image_path.name

    if language == "auto":
        guess = detect_language(image_path, text_box, dpi=dpi, timeout=timeout)
    else:
        guess = ScriptGuess(language, "given")
    if guess.language == "eng":
        models = MODELS["eng"]
    elif english is True or (english == "auto" and guess.latin_share >= ENGLISH_LATIN_SHARE):
        models = MODELS[guess.language]
    else:
        models = guess.language

    with tempfile.TemporaryDirectory(prefix="dossier-ocr-") as tmp:
        with decoding(label):
            with Image.open(image_path) as source:
                dpi = dpi or round(image_dpi(source) or 300)
                if pdf_image == "jpeg":
                    ocr_input = Path(tmp) / "page.jpg"
                    source.convert("L").save(ocr_input, "JPEG", quality=PDF_JPEG_QUALITY, dpi=(dpi, dpi))
                else:
                    ocr_input = image_path
        outbase = Path(tmp) / "page"
        _tesseract(
            ocr_input, outbase, models, psm=psm, dpi=dpi, configs=["tsv", "pdf"],
            timeout=timeout, what=label,
        )
        words = parse_tsv(outbase.with_suffix(".tsv").read_text("utf-8", "replace"))
        pdf_out.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(outbase.with_suffix(".pdf"), pdf_out)

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
