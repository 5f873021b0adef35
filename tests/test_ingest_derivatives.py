"""ingest.derivatives: WebP previews and the searchable PDF of a document."""

from __future__ import annotations

import subprocess

import pytest
from PIL import Image

from dossier.errors import InvalidInput
from ingest.derivatives import assemble_pdf, make_preview
from tests.synthetic import make_born_digital_pdf, ocr_samples, render_page, save_page


def _pdftotext(path, page: int) -> str:
    return subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), path, "-"], capture_output=True, text=True, check=True
    ).stdout


def test_preview_is_a_150_dpi_webp(tmp_path):
    page = save_page(render_page("钥匙领用登记", paper="A6", dpi=300), tmp_path / "page.png", dpi=300)
    preview = make_preview(page, tmp_path / "previews" / "page.webp")
    with Image.open(preview) as image:
        assert image.format == "WEBP"
        assert image.size == (620, 874)  # A6 (105 x 148 mm) at 150 dpi
    assert preview.stat().st_size < page.stat().st_size


def test_preview_of_a_low_resolution_scan_is_not_enlarged(tmp_path):
    page = save_page(render_page("报修记录", paper="strip", dpi=100), tmp_path / "low.jpg", dpi=100)
    with Image.open(make_preview(page, tmp_path / "low.webp")) as image, Image.open(page) as source:
        assert image.size == source.size


def test_searchable_pdf_has_every_page_and_its_text(tmp_path):
    samples = ocr_samples()
    digital = make_born_digital_pdf(
        ["封面 往来函件", "第二页 缴费记录 No.20240428-017"], tmp_path / "digital.pdf"
    )
    out = assemble_pdf(
        [
            samples["simplified"].result.pdf_path,
            (samples["traditional"].result.pdf_path, 1),
            (digital, 2),  # a born-digital page needing no OCR, taken from its own PDF
        ],
        tmp_path / "out" / "searchable.pdf",
    )
    pages = subprocess.run(["pdfinfo", out], capture_output=True, text=True, check=True).stdout
    assert "Pages:           3" in pages
    first, second, third = (_pdftotext(out, n) for n in (1, 2, 3))
    assert "A-3-1201" in first and "Dossier" in first
    assert "A-3-1201" in second and "Dossier" in second
    assert "No.20240428-017" in third


def test_assembling_refuses_missing_pages(tmp_path):
    with pytest.raises(InvalidInput, match="不存在"):
        assemble_pdf([tmp_path / "gone.pdf"], tmp_path / "out.pdf")
    with pytest.raises(InvalidInput, match="没有可合成 PDF 的页面"):
        assemble_pdf([], tmp_path / "out.pdf")


def test_assembling_refuses_a_page_beyond_the_end(tmp_path):
    digital = make_born_digital_pdf(["只有一页"], tmp_path / "one.pdf")
    with pytest.raises(InvalidInput):
        assemble_pdf([(digital, 5)], tmp_path / "out.pdf")
    assert not (tmp_path / "out.pdf").exists()
