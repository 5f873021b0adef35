"""ingest.rasterise: one grayscale image per page, resolutions recorded, hostile images refused."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from dossier.errors import InvalidInput
from ingest.detect import detect
from ingest.rasterise import iter_pages
from tests.synthetic import SHORT_TEXTS, make_pdf, make_tiff, render_page, save_page


def _pages(path: Path, workdir: Path):
    return list(iter_pages(path, detect(path), workdir=workdir))


def _assert_grayscale_page(page, dpi: int) -> None:
    """Rendered and converted pages are uncompressed grayscale PGMs (their resolution is on the
    PageImage: PGM has no place for it)."""
    with Image.open(page.path) as image:
        assert image.format == "PPM"
        assert image.mode == "L"
        assert image.size == (page.width, page.height)
    assert page.dpi == dpi


def test_multi_page_pdf(tmp_path):
    strips = [
        render_page(f"第{i}页 {SHORT_TEXTS['simplified']}", paper="strip", dpi=100) for i in range(1, 7)
    ]
    pdf = make_pdf(strips, tmp_path / "scan.pdf", dpi=100)
    pages = _pages(pdf, tmp_path / "work")
    # Six pages come out in order even though pdftoppm renders them four at a time.
    assert [p.number for p in pages] == [1, 2, 3, 4, 5, 6]
    for page in pages:
        _assert_grayscale_page(page, 300)
        assert page.dpi == 300
        assert page.source_dpi == pytest.approx(100, abs=1)  # the scan's own resolution
        assert page.width == pytest.approx(148 / 25.4 * 300, abs=2)
    assert len({p.path for p in pages}) == 6


def test_born_digital_pdf_page_has_no_source_dpi(tmp_path):
    from tests.synthetic import make_born_digital_pdf

    pdf = make_born_digital_pdf(["物业服务费缴费通知"], tmp_path / "digital.pdf")
    (page,) = _pages(pdf, tmp_path / "work")
    assert page.source_dpi is None
    _assert_grayscale_page(page, 300)


def test_multi_page_tiff_is_downsampled_to_300_dpi(tmp_path):
    strips = [render_page(SHORT_TEXTS["traditional"], paper="strip", dpi=600) for _ in range(3)]
    tiff = make_tiff(strips, tmp_path / "scan.tif", dpi=600)
    pages = _pages(tiff, tmp_path / "work")
    assert [p.number for p in pages] == [1, 2, 3]
    for page in pages:
        _assert_grayscale_page(page, 300)
        assert page.source_dpi == 600
        assert (page.width, page.height) == (strips[0].width // 2, strips[0].height // 2)


def test_colour_jpeg_and_low_resolution_png(tmp_path):
    colour = render_page("报修记录", paper="strip", dpi=200).convert("RGB")
    jpeg = save_page(colour, tmp_path / "photo.jpg", dpi=200, quality=90)
    (page,) = _pages(jpeg, tmp_path / "work-jpeg")
    # A one-page JPEG needing no conversion is its own page image, linked rather than re-encoded
    # (the next step decodes it straight to grey); below 300 dpi: kept as scanned, not upsampled.
    with Image.open(page.path) as image:
        assert image.format == "JPEG" and image.size == (page.width, page.height)
    assert page.path.read_bytes() == jpeg.read_bytes() and page.path.parent == tmp_path / "work-jpeg"
    assert page.source_dpi == 200 and page.dpi == 200

    png = tmp_path / "nodpi.png"
    render_page("报修记录", paper="strip", dpi=300).save(png)  # no resolution recorded
    (page,) = _pages(png, tmp_path / "work-png")
    _assert_grayscale_page(page, 300)
    assert page.source_dpi is None and page.dpi == 300


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def test_decompression_bomb_is_refused(tmp_path):
    # A few hundred bytes declaring a 100,000 x 100,000 pixel image: 10 GB once decoded.
    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0)
    bomb = tmp_path / "scan.png"
    bomb.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + _png_chunk(b"IEND", b"")
    )
    assert Image.MAX_IMAGE_PIXELS  # the limit is Pillow's default, on
    with pytest.raises(InvalidInput, match=r"scan\.png 声明的图像过大"):
        _pages(bomb, tmp_path / "work")


def test_truncated_png_is_refused(tmp_path):
    full = save_page(render_page("钥匙领用", paper="strip", dpi=150), tmp_path / "full.png", dpi=150)
    cut = tmp_path / "cut.png"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    with pytest.raises(InvalidInput, match="已损坏或不完整") as caught:
        _pages(cut, tmp_path / "work")
    # Pillow's own words are for the operator's log only: the sentence people read is Chinese.
    assert caught.value.message == "cut.png 第 1 页 已损坏或不完整，无法解码。"
    assert caught.value.technical


def test_pdf_with_a_huge_page_is_refused(tmp_path):
    # A 200 x 200 inch page would be 60,000 x 60,000 pixels at 300 dpi.
    huge = tmp_path / "poster.pdf"
    Image.new("L", (200, 200), 255).save(huge, "PDF", resolution=1.0)
    with pytest.raises(InvalidInput, match="超过 .* 像素的安全上限"):
        _pages(huge, tmp_path / "work")


def test_a_2000_page_pdf_is_rendered_a_batch_at_a_time(tmp_path, monkeypatch):
    """A 2,000-page PDF works, and neither memory nor the working folder grows with it: pages
    are rendered a batch at a time and each is gone once the caller is done with it. (The batch
    is raised from its production size here only to keep the number of poppler runs small.)"""
    import tracemalloc

    from fpdf import FPDF

    from ingest import rasterise

    monkeypatch.setattr(rasterise, "PDF_BATCH", 50)
    pdf = FPDF(format=(20, 10), unit="mm")  # small pages: the count matters, not the size
    pdf.set_font("helvetica", size=6)
    pdf.set_auto_page_break(False)
    for number in range(1, 2001):
        pdf.add_page()
        pdf.text(2, 6, f"page {number}")
    path = tmp_path / "long.pdf"
    pdf.output(str(path))

    workdir = tmp_path / "work"
    tracemalloc.start()
    numbers, most_files = [], 0
    for page in iter_pages(path, detect(path), workdir=workdir):
        numbers.append(page.number)
        most_files = max(most_files, len(list(workdir.iterdir())))
        page.path.unlink()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert numbers == list(range(1, 2001))
    assert most_files <= 50
    assert peak < 16 * 1024 * 1024
