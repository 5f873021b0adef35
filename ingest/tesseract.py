"""One tesseract recognition of a page image: words with confidences and, when asked, characters
with their boxes.

In-process through tesserocr when installed (models loaded once per process and model set, pixels
handed over without a file); otherwise, or when the settings say ``command`` (``DOSSIER_OCR_ENGINE``),
the ``tesseract`` command through pytesseract. Both read the same models folder: the configured one
(``TESSDATA_PREFIX``, see :func:`configure`), else the command's. Engines are created lazily in the
process and thread that use them (after a worker's fork) and run single-threaded (one OpenMP thread).
Why: docs/decisions/004-tesseract-in-process.md.
"""

from __future__ import annotations

import functools
import html
import os
import re
import shlex
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from dossier.catalog import Text, text
from dossier.config import OCR_ENGINES, Settings, limit_openmp_threads
from dossier.errors import ConfigurationError, InvalidInput

from ._tools import DEFAULT_TIMEOUT, first_line

Box = tuple[int, int, int, int]  # left, top, right, bottom in the image's pixels


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

    @property
    def box(self) -> Box:
        return (self.left, self.top, self.left + self.width, self.top + self.height)


@dataclass(frozen=True)
class Recognised:
    """What one recognition produced: words in reading order; characters (text, box) when asked."""

    words: list[Word]
    chars: list[tuple[str, Box]] = field(default_factory=list)


@dataclass(frozen=True)
class _Choice:
    engine: str = OCR_ENGINES[0]  # Settings.ocr_engine
    tessdata: Path | None = None  # Settings.tessdata_dir


_choice = _Choice()


def configure(settings: Settings) -> None:
    """Read pages in this process (and the children it forks afterwards) with the engine and the
    models folder ``settings`` name (``DOSSIER_OCR_ENGINE``, ``TESSDATA_PREFIX``)."""
    global _choice
    _choice = _Choice(settings.ocr_engine, settings.tessdata_dir)


def engine_name() -> str:
    """ "tesserocr" (in this process) or "command" (the tesseract command through pytesseract)."""
    if _choice.engine == "command":
        return "command"
    return "tesserocr" if _tesserocr() is not None else "command"


def recognise(
    image: Image.Image,
    models: str,
    *,
    dpi: int,
    psm: int = 6,
    chars: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    what: str | Text,
    workdir: str | os.PathLike[str] | None = None,
) -> Recognised:
    """Read ``image`` (8-bit grey) at ``dpi`` with ``models`` (``chi_sim``, ``chi_tra+eng`` ...)
    and page segmentation mode ``psm``; ``chars`` also returns every character's box.
    ``workdir`` is the caller's private folder (``dossier.workdir``), where the tesseract command
    gets its copy of the page; the pipeline always gives one."""
    if engine_name() == "tesserocr":
        return _engine(models).recognise(image, dpi=dpi, psm=psm, chars=chars, timeout=timeout, what=what)
    return _recognise_with_command(
        image, models, dpi=dpi, psm=psm, chars=chars, timeout=timeout, what=what, workdir=workdir
    )


def tessdata_dir() -> Path | None:
    """Where the models are: the configured folder (``TESSDATA_PREFIX``), else the directory the
    ``tesseract`` command reports, else the usual Debian/Ubuntu places."""
    return _choice.tessdata or _found_tessdata_dir()


@functools.lru_cache(maxsize=1)
def _found_tessdata_dir() -> Path | None:
    if shutil.which("tesseract"):
        try:
            out = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30)
            found = re.search(r'"([^"]+)"', out.stdout + out.stderr)
            if found and Path(found.group(1)).is_dir():
                return Path(found.group(1))
        except (OSError, subprocess.SubprocessError):
            pass
    for place in (
        "/usr/share/tesseract-ocr/5/tessdata",
        "/usr/share/tesseract-ocr/4.00/tessdata",
        "/usr/share/tessdata",
    ):
        if Path(place).is_dir():
            return Path(place)
    return None


def _missing_models(models: str) -> ConfigurationError:
    return ConfigurationError("ingest.ocr_models_missing", models=models)


# ---------------------------------------------------------------------------------------------
# In this process: tesserocr
# ---------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _tesserocr():
    limit_openmp_threads()  # OpenMP reads its thread limit when libtesseract loads: at this import
    try:
        import tesserocr  # reason: the thread limit must be set before libtesseract loads
    except ImportError:
        return None
    return tesserocr


_local = threading.local()


def _engine(models: str) -> _Engine:
    engines = getattr(_local, "engines", None)
    if engines is None or getattr(_local, "pid", None) != os.getpid():
        engines = _local.engines = {}  # a forked child starts with engines of its own
        _local.pid = os.getpid()
    datapath = tessdata_dir()
    if (models, datapath) not in engines:
        engines[models, datapath] = _Engine(models, datapath)
    return engines[models, datapath]


class _Engine:
    """One loaded model set in this process and thread."""

    def __init__(self, models: str, datapath: Path | None) -> None:
        tesserocr = _tesserocr()
        try:
            self.api = tesserocr.PyTessBaseAPI(
                path=f"{datapath}/" if datapath else "", lang=models, psm=tesserocr.PSM.SINGLE_BLOCK
            )
        except RuntimeError as exc:
            raise _missing_models(models) from exc
        self.ril = tesserocr.RIL

    def recognise(
        self, image: Image.Image, *, dpi: int, psm: int, chars: bool, timeout: float, what: str | Text
    ) -> Recognised:
        api = self.api
        api.SetPageSegMode(psm)
        api.SetImage(image if image.mode == "L" else image.convert("L"))
        api.SetSourceResolution(int(dpi))
        try:
            if not api.Recognize(int(timeout * 1000)):
                raise InvalidInput(
                    "ingest.tool_timeout", tool="tesseract", what=what, seconds=f"{timeout:.0f}"
                )
            words = self._words()
            symbols = self._chars() if chars else []
        finally:
            api.Clear()
        return Recognised(words, symbols)

    def _words(self) -> list[Word]:
        ril = self.ril
        words: list[Word] = []
        block = paragraph = line = 0
        iterator = self.api.GetIterator()
        if iterator is None:
            return words
        while True:
            if iterator.IsAtBeginningOf(ril.BLOCK):
                block, paragraph, line = block + 1, 0, 0
            if iterator.IsAtBeginningOf(ril.PARA):
                paragraph, line = paragraph + 1, 0
            if iterator.IsAtBeginningOf(ril.TEXTLINE):
                line += 1
            text = (iterator.GetUTF8Text(ril.WORD) or "").strip()
            box = iterator.BoundingBox(ril.WORD)
            if text and box:
                left, top, right, bottom = box
                words.append(
                    Word(
                        text,
                        float(iterator.Confidence(ril.WORD)),
                        left,
                        top,
                        right - left,
                        bottom - top,
                        block,
                        paragraph,
                        line,
                    )
                )
            if not iterator.Next(ril.WORD):
                return words

    def _chars(self) -> list[tuple[str, Box]]:
        found: list[tuple[str, Box]] = []
        iterator = self.api.GetIterator()
        if iterator is None:
            return found
        for symbol in _tesserocr().iterate_level(iterator, self.ril.SYMBOL):
            text = symbol.GetUTF8Text(self.ril.SYMBOL)
            box = symbol.BoundingBox(self.ril.SYMBOL)
            if text and box:
                found.append((text, tuple(box)))
        return found


# ---------------------------------------------------------------------------------------------
# The tesseract command, through pytesseract
# ---------------------------------------------------------------------------------------------

_HOCR_CHAR = re.compile(r"x_bboxes (\d+) (\d+) (\d+) (\d+); x_conf ([\d.]+)'>([^<]*)<")


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
            block, paragraph, line = (int(c) for c in cols[2:5])
        except ValueError:
            continue
        if conf < 0:
            continue
        words.append(Word(text, conf, left, top, width, height, block, paragraph, line))
    return words


def hocr_chars(hocr: str) -> list[tuple[str, Box]]:
    """Characters and their boxes from tesseract's hOCR written with ``hocr_char_boxes=1``."""
    return [
        (html.unescape(ch), (int(left), int(top), int(right) + 1, int(bottom) + 1))
        for left, top, right, bottom, _conf, ch in _HOCR_CHAR.findall(hocr)
        if ch
    ]


def run_command(
    image_path: Path,
    outbase: Path,
    models: str,
    *,
    dpi: int,
    psm: int,
    outputs: list[str],
    extra: list[str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    what: str | Text,
) -> None:
    """One run of the ``tesseract`` command (through pytesseract) writing ``outbase.<output>``
    for each of ``outputs`` (``tsv``, ``hocr`` ...) from the same recognition."""
    import pytesseract  # reason: 190 ms at import; only the fallback path runs it

    limit_openmp_threads()  # pytesseract starts tesseract with our environment
    options = ["--psm", str(psm), "--dpi", str(dpi), *(extra or [])]
    if _choice.tessdata:  # configured: the command reads the same models as the engine
        options += ["--tessdata-dir", os.fspath(_choice.tessdata)]
    if "tsv" in outputs:  # TSV is switched on by a variable, the other outputs are config files
        options += ["-c", pytesseract.pytesseract.EXTENTION_TO_CONFIG["tsv"]]
    try:
        pytesseract.pytesseract.run_tesseract(
            os.fspath(image_path),
            os.fspath(outbase),
            " ".join(o for o in outputs if o != "tsv"),
            models,
            config=shlex.join(options),
            timeout=timeout,
        )
    except pytesseract.TesseractNotFoundError as exc:
        raise ConfigurationError("ingest.tool_missing", tool="tesseract", package="tesseract-ocr") from exc
    except pytesseract.TesseractError as exc:
        if "Failed loading language" in str(exc.message):
            raise _missing_models(models) from exc
        raise InvalidInput(
            "ingest.ocr_failed",
            what=what,
            status=text("ingest.exit_status", status=exc.status),
            technical=first_line(str(exc.message)) or None,
        ) from exc
    except RuntimeError as exc:  # pytesseract's timeout (it has killed the process)
        raise InvalidInput(
            "ingest.tool_timeout", tool="tesseract", what=what, seconds=f"{timeout:.0f}"
        ) from exc


def _recognise_with_command(
    image: Image.Image,
    models: str,
    *,
    dpi: int,
    psm: int,
    chars: bool,
    timeout: float,
    what: str | Text,
    workdir: str | os.PathLike[str] | None = None,
) -> Recognised:
    with tempfile.TemporaryDirectory(prefix="tesseract-", dir=workdir) as tmp:
        image_path = Path(tmp) / "page.pgm"
        (image if image.mode == "L" else image.convert("L")).save(image_path, "PPM")
        outbase = Path(tmp) / "page"
        run_command(
            image_path,
            outbase,
            models,
            dpi=dpi,
            psm=psm,
            outputs=["tsv", *(["hocr"] if chars else [])],
            extra=["-c", "hocr_char_boxes=1"] if chars else [],
            timeout=timeout,
            what=what,
        )
        words = parse_tsv(outbase.with_suffix(".tsv").read_text("utf-8", "replace"))
        symbols = hocr_chars(outbase.with_suffix(".hocr").read_text("utf-8", "replace")) if chars else []
    return Recognised(words, symbols)
