"""Step 5 of ingest: what people look at, made from the page images and the OCR.

A WebP preview per page (:data:`PREVIEW_DPI`, :data:`PREVIEW_QUALITY`), and one searchable PDF
per document: the one-page PDFs (page image under an invisible text layer, :func:`page_pdf`)
joined by qpdf without decoding images, so memory stays small whatever the page count; pages of a
born-digital PDF that needed no OCR are taken from the original as they are. Derivatives can
always be rebuilt from the stored originals; nothing here is the record.
Why: docs/decisions/007-derivatives-webp-and-qpdf.md.
"""

from __future__ import annotations

import functools
import os
import tempfile
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path

from PIL import Image, features

from dossier.catalog import text
from dossier.errors import ConfigurationError, InvalidInput
from dossier.pagetext import WordBoxes

from ._tools import decoding, first_line, image_dpi, run_tool

PREVIEW_DPI = 150
PREVIEW_QUALITY = 70
PREVIEW_METHOD = 1
ASSEMBLE_TIMEOUT = 600


def preview_size(
    width: int, height: int, source_dpi: float, preview_dpi: int = PREVIEW_DPI
) -> tuple[int, int]:
    """Pixel size of the preview of a ``width`` x ``height`` image at ``source_dpi``.

    Images at or below the preview resolution keep their size (no upsampling).
    """
    if source_dpi <= preview_dpi:
        return width, height
    scale = preview_dpi / source_dpi
    return max(1, round(width * scale)), max(1, round(height * scale))


def preview_words(
    words: Iterable[tuple[str, tuple[int, int, int, int], tuple[int, int, int]]],
    image_size: tuple[int, int],
    dpi: float,
    preview_dpi: int = PREVIEW_DPI,
) -> WordBoxes | None:
    """The OCR words of a page image (text, box (left, top, right, bottom) in the image, line
    key), with their boxes brought into the page's preview (:func:`preview_size` of that image), line
    by line; words without a letter, digit or character (noise, punctuation) are left out.

    The preview is made from the very image OCR read (upright and deskewed), so a box maps by the
    scale alone; boxes do not apply to the original scan, which is neither. None without words."""
    width, height = image_size
    size = preview_size(width, height, dpi, preview_dpi)
    sx, sy = size[0] / width, size[1] / height
    lines: list[list[tuple[str, int, int, int, int]]] = []
    key = None
    for raw, (left, top, right, bottom), line in words:
        word = raw.strip()
        if not any(ch.isalnum() for ch in word):
            continue
        if line != key or not lines:
            lines.append([])
            key = line
        x, y = round(left * sx), round(top * sy)
        lines[-1].append((word, x, y, max(1, round(right * sx) - x), max(1, round(bottom * sy) - y)))
    return WordBoxes.of(size, lines) if lines else None


def make_preview(
    image_path: str | os.PathLike[str] | None,
    out_path: str | os.PathLike[str],
    *,
    dpi: float | None = None,
    preview_dpi: int = PREVIEW_DPI,
    quality: int = PREVIEW_QUALITY,
    image: Image.Image | None = None,
) -> Path:
    """Write a WebP preview of a page image and return its path.

    ``dpi`` is the page image's resolution; by default it is read from the file (300 if the file
    does not say). Pass the prepared image (upright, deskewed) for an upright preview, as a file
    or, when the caller still holds it, as ``image`` (nothing is decoded then).
    """
    if not features.check("webp"):
        raise ConfigurationError("ingest.no_webp")
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    if image is not None:
        size = preview_size(image.width, image.height, dpi or 300, preview_dpi)
        _write_preview(image.convert("L") if image.mode != "L" else image, size, out, quality)
        return out
    assert image_path is not None, "make_preview needs image_path or image"
    image_path = Path(image_path)
    with decoding(image_path.name), Image.open(image_path) as source:
        dpi = dpi or image_dpi(source) or 300
        size = preview_size(source.width, source.height, dpi, preview_dpi)
        # draft() lets JPEG decode at a reduced scale directly; a no-op for other formats.
        source.draft("L", size)
        page = source.convert("L") if source.mode != "L" else source
        _write_preview(page, size, out, quality)
    return out


def _write_preview(page: Image.Image, size: tuple[int, int], out: Path, quality: int) -> None:
    if page.size != size:
        factor = page.width / size[0]
        if round(factor) > 1 and abs(factor - round(factor)) < 0.01:
            page = page.reduce(round(factor))  # box averaging, exact for 300 -> 150 dpi
        else:
            page = page.resize(size, Image.Resampling.BOX)
    # WebP method 1: ~20% larger than method 4 (~290 KB for a dense A4 page at 150 dpi) in a
    # third of its time (~0.06 s): previews are made for every page, and looked at rarely.
    page.save(out, "WEBP", quality=quality, method=PREVIEW_METHOD)


# ---------------------------------------------------------------------------------------------
# One page's searchable PDF
# ---------------------------------------------------------------------------------------------

# The objects tesseract's PDF renderer writes for its invisible text: a one-glyph font
# ("GlyphLessFont", tesseract's pdf.ttf) addressed by Unicode code units (Identity-H), with a
# ToUnicode map that gives every code back as itself, so text extraction reads the words.
_TO_UNICODE = (
    b"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo\n"
    b"<< /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identify-UCS def\n"
    b"/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n1 beginbfrange\n"
    b"<0000> <FFFF> <0000>\nendbfrange\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
)


@functools.lru_cache(maxsize=1)
def _cid_to_gid() -> bytes:
    return zlib.compress(b"\x00\x01" * 65536)


def glyphless_font(tessdata: str | os.PathLike[str] | None) -> Path:
    """tesseract's ``pdf.ttf`` (installed with its models), the font of the invisible text."""
    places = [Path(os.fsdecode(tessdata))] if tessdata else []
    places += [
        Path(p)
        for p in (
            "/usr/share/tesseract-ocr/5/tessdata",
            "/usr/share/tesseract-ocr/4.00/tessdata",
            "/usr/share/tessdata",
            "/usr/local/share/tessdata",
        )
    ]
    for place in places:
        if (place / "pdf.ttf").is_file():
            return place / "pdf.ttf"
    raise ConfigurationError("ingest.no_pdf_font")


def page_pdf(
    out_path: str | os.PathLike[str],
    image_file: str | os.PathLike[str],
    size: tuple[int, int],
    dpi: float,
    words: Iterable[tuple[str, tuple[int, int, int, int], object]],
    font_file: str | os.PathLike[str],
) -> Path:
    """A one-page searchable PDF: the page image under an invisible layer of its words.

    ``image_file`` is the page as a JPEG (embedded as it is) or any other image Pillow reads
    (embedded losslessly); ``size`` the pixel size the word boxes refer to, at ``dpi``; ``words``
    are (text, (left, top, right, bottom), the line they belong to), in reading order. The same
    objects tesseract's own PDF renderer writes, built from the words the recognition already
    produced (tesseract renders a PDF only from a recognition of its own): each word is set in
    the glyphless font on its line's baseline, at about the line's type size (what text
    extraction uses to tell word gaps from column gaps), and stretched to its box's width.
    """
    out = Path(out_path)
    width, height = size
    scale = 72.0 / dpi
    page_w, page_h = width * scale, height * scale
    with decoding(Path(image_file).name), Image.open(image_file) as image:
        if image.format == "JPEG" and image.mode in ("L", "RGB"):
            image_data = Path(image_file).read_bytes()
            colour, decode = ("/DeviceGray" if image.mode == "L" else "/DeviceRGB"), "/DCTDecode"
        else:
            pixels = image.convert("L")
            image_data, colour, decode = zlib.compress(pixels.tobytes(), 1), "/DeviceGray", "/FlateDecode"
        pixel_w, pixel_h = image.size

    # Words of a line share its baseline and size (from the median of theirs; a word box is ~0.8
    # of the type size), so that text extraction and selection see lines, not scattered words.
    lines: dict[object, list[tuple[str, tuple[int, int, int, int]]]] = {}
    for word, box, line in words:
        if word.strip():
            lines.setdefault(line, []).append((word.strip(), box))
    text = ["BT", "3 Tr"]
    for line_words in lines.values():
        bottoms = sorted(box[3] for _, box in line_words)
        heights = sorted(box[3] - box[1] for _, box in line_words)
        baseline = page_h - bottoms[len(bottoms) // 2] * scale
        font_size = max(1.0, 1.25 * heights[len(heights) // 2] * scale)
        for word, (left, _, right, _) in line_words:
            codes = (word + " ").encode("utf-16-be")
            stretch = 100.0 * max(1.0, (right - left) * scale) / (font_size * 0.5 * (len(codes) // 2))
            text.append(
                f"1 0 0 1 {left * scale:.2f} {baseline:.2f} Tm /f-0-0 {font_size:.1f} Tf "
                f"{stretch:.1f} Tz [ <{codes.hex().upper()}> ] TJ"
            )
    text.append("ET")
    content = zlib.compress(
        (f"q {page_w:.2f} 0 0 {page_h:.2f} 0 0 cm /Im1 Do Q\n" + "\n".join(text) + "\n").encode("ascii")
    )

    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [ 9 0 R ] /Count 1 >>",
        b"<< /BaseFont /GlyphLessFont /DescendantFonts [ 4 0 R ] /Encoding /Identity-H /Subtype /Type0 "
        b"/ToUnicode 6 0 R /Type /Font >>",
        b"<< /BaseFont /GlyphLessFont /CIDToGIDMap 5 0 R /CIDSystemInfo << /Ordering (Identity) /Registry (Adobe) "
        b"/Supplement 0 >> /FontDescriptor 7 0 R /Subtype /CIDFontType2 /Type /Font /DW 500 >>",
        _stream(b"/Filter /FlateDecode", _cid_to_gid()),
        _stream(b"", _TO_UNICODE),
        b"<< /Ascent 1000 /CapHeight 1000 /Descent -1 /Flags 5 /FontBBox [ 0 0 500 1000 ] /FontFile2 8 0 R "
        b"/FontName /GlyphLessFont /ItalicAngle 0 /StemV 80 /Type /FontDescriptor >>",
        _stream(b"/Length1 %d" % os.path.getsize(font_file), Path(font_file).read_bytes()),
        (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [ 0 0 {page_w:.2f} {page_h:.2f} ] /Contents 10 0 R "
            f"/Resources << /XObject << /Im1 11 0 R >> /ProcSet [ /PDF /Text /ImageB /ImageI /ImageC ] "
            f"/Font << /f-0-0 3 0 R >> >> >>"
        ).encode("ascii"),
        _stream(b"/Filter /FlateDecode", content),
        _stream(
            (
                f"/Type /XObject /Subtype /Image /Width {pixel_w} /Height {pixel_h} /ColorSpace {colour} "
                f"/BitsPerComponent 8 /Filter {decode}"
            ).encode("ascii"),
            image_data,
        ),
        b"<< /Producer (Dossier) >>",
    ]
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "wb") as fh:
        fh.write(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for number, body in enumerate(objects, start=1):
            offsets.append(fh.tell())
            fh.write(b"%d 0 obj\n" % number)
            fh.write(body)
            fh.write(b"\nendobj\n")
        xref = fh.tell()
        fh.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
        for offset in offsets:
            fh.write(b"%010d 00000 n \n" % offset)
        fh.write(
            b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(objects) + 1, len(objects), xref)
        )
    return out


def _stream(entries: bytes, data: bytes) -> bytes:
    return b"<< " + entries + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


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
        raise InvalidInput("ingest.no_pages_to_assemble")
    for path, number in items:
        if not path.is_file():
            raise InvalidInput("ingest.page_pdf_missing", name=path.name)
        if number < 1:
            raise InvalidInput("ingest.not_a_page_number", number=number, name=path.name)
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="assemble-", dir=out.parent) as tmp:  # the caller's folder
        # qpdf reads arguments from a file given as @file, one per line.
        args_file = Path(tmp) / "args"
        lines = ["--empty", "--object-streams=generate", "--pages"]
        for path, first, last in _page_groups(items):
            lines += [str(path.resolve()), f"{first}-{last}" if last > first else str(first)]
        lines += ["--", str(out)]
        args_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
        result = run_tool(
            ["qpdf", f"@{args_file}"],
            check=False,
            timeout=ASSEMBLE_TIMEOUT,
            what=text("ingest.the_page_pdfs"),
        )
    # qpdf exits 3 when it succeeded with warnings (e.g. a damaged but recoverable input).
    if result.returncode not in (0, 3):
        out.unlink(missing_ok=True)
        raise InvalidInput(
            "ingest.assemble_failed",
            status=text("ingest.tool_exit_status", tool="qpdf", status=result.returncode),
            technical=first_line(result.stderr) or None,
        )
    produced = _count_pages(out)
    if produced != len(items):
        out.unlink(missing_ok=True)
        raise InvalidInput("ingest.assemble_page_count", produced=produced, expected=len(items))
    return out


def _count_pages(path: Path) -> int:
    result = run_tool(["qpdf", "--show-npages", path], check=False, timeout=60, what=path.name)
    try:
        return int(result.stdout.decode().strip())
    except ValueError:
        return -1
