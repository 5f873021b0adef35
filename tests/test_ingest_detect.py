"""ingest.detect: media types by content, refusals with a sentence, PDF facts and text layers."""

from __future__ import annotations

import subprocess
import zipfile

import pytest

from dossier.errors import InvalidInput
from ingest.detect import Detected, detect, has_text_layer, pdf_info, text_layer, usable_text
from tests.synthetic import SHORT_TEXTS, make_born_digital_pdf, make_pdf, make_tiff, render_page


@pytest.fixture(scope="module")
def page():
    return render_page(SHORT_TEXTS["simplified"], paper="strip", dpi=100)


@pytest.fixture(scope="module")
def scanned_pdf(tmp_path_factory, page):
    return make_pdf([page, page], tmp_path_factory.mktemp("pdf") / "scan.pdf", dpi=100)


@pytest.mark.parametrize(
    ("fmt", "name", "expected"),
    [
        ("PNG", "page.png", Detected("image/png", "png")),
        ("JPEG", "page.jpg", Detected("image/jpeg", "jpeg")),
        ("TIFF", "page.tif", Detected("image/tiff", "tiff")),
        # The name never decides: a PNG named .pdf is a PNG.
        ("PNG", "misnamed.pdf", Detected("image/png", "png")),
    ],
)
def test_images_are_detected_by_content(tmp_path, page, fmt, name, expected):
    path = tmp_path / name
    page.save(path, fmt)
    assert detect(path) == expected


def test_pdf_is_detected(scanned_pdf):
    detected = detect(scanned_pdf)
    assert detected == Detected("application/pdf", "pdf")
    assert detected.is_pdf and detected.suffix == ".pdf"


def test_multi_page_tiff_is_detected(tmp_path, page):
    assert detect(make_tiff([page, page], tmp_path / "scan.tiff")).kind == "tiff"


def test_zero_byte_file_is_refused(tmp_path):
    empty = tmp_path / "scan.pdf"
    empty.write_bytes(b"")
    with pytest.raises(InvalidInput, match=r"scan\.pdf 是空文件"):
        detect(empty)


def test_html_named_pdf_is_refused(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_text("<!DOCTYPE html>\n<html><body>502 Bad Gateway</body></html>", encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"scan\.pdf 是HTML 网页.*不是扫描件"):
        detect(path)


def test_zip_named_pdf_is_refused(tmp_path):
    path = tmp_path / "batch.pdf"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("page1.png", b"not really")
    with pytest.raises(InvalidInput, match=r"batch\.pdf 是ZIP 压缩包.*不是扫描件"):
        detect(path)


def test_other_content_is_refused_with_the_accepted_types(tmp_path):
    gif = tmp_path / "photo.gif"
    gif.write_bytes(b"GIF89a" + bytes(20))
    with pytest.raises(InvalidInput, match="GIF 图片，不是扫描件；本系统接收 PDF、TIFF、JPEG 和 PNG"):
        detect(gif)
    text = tmp_path / "notes.png"
    text.write_text("业主电话 13800138000\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="是文本文件"):
        detect(text)


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(InvalidInput, match="不存在"):
        detect(tmp_path / "nothing.pdf")


def test_error_messages_use_the_given_name(tmp_path):
    path = tmp_path / "upload-3f2a.bin"
    path.write_bytes(b"")
    with pytest.raises(InvalidInput, match="^装修申请.pdf 是空文件"):
        detect(path, name="装修申请.pdf")


def test_pdf_info_counts_pages(scanned_pdf):
    assert pdf_info(scanned_pdf).pages == 2
    assert pdf_info(scanned_pdf).encrypted is False


def test_truncated_pdf_is_refused(tmp_path, scanned_pdf):
    data = scanned_pdf.read_bytes()
    for cut in (len(data) // 2, len(data) - 200):
        truncated = tmp_path / f"cut{cut}.pdf"
        truncated.write_bytes(data[:cut])
        assert detect(truncated).is_pdf  # still starts like a PDF...
        with pytest.raises(InvalidInput, match="不完整的 PDF"):
            pdf_info(truncated)  # ...but is refused before anything renders it


def test_corrupt_pdf_is_refused(tmp_path):
    path = tmp_path / "corrupt.pdf"
    path.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 8 + b"\n%%EOF\n")
    with pytest.raises(InvalidInput, match="已损坏的 PDF") as caught:
        pdf_info(path)
    assert caught.value.message == "corrupt.pdf 是已损坏的 PDF，无法读取。"  # poppler's words: the log
    assert caught.value.technical


def test_password_protected_pdf_is_refused(tmp_path, scanned_pdf):
    locked = tmp_path / "locked.pdf"
    subprocess.run(["qpdf", "--encrypt", "secret", "owner", "256", "--", scanned_pdf, locked], check=True)
    assert detect(locked).is_pdf
    with pytest.raises(InvalidInput, match="设有打开密码"):
        pdf_info(locked)


def test_owner_password_only_pdf_opens(tmp_path, scanned_pdf):
    restricted = tmp_path / "restricted.pdf"
    subprocess.run(
        ["qpdf", "--encrypt", "", "owner", "256", "--modify=none", "--", scanned_pdf, restricted], check=True
    )
    info = pdf_info(restricted)
    assert info.pages == 2 and info.encrypted is True


def test_born_digital_pdf_has_a_text_layer_and_a_scan_has_none(tmp_path, scanned_pdf):
    digital = make_born_digital_pdf(
        ["业主装修申请表 房号 A-3-1201\n装修保证金已于2024年4月28日缴纳，验收合格后退还。", "第二页"],
        tmp_path / "digital.pdf",
    )
    pages = text_layer(digital, 1, 2)
    assert [p.number for p in pages] == [1, 2]
    assert pages[0].usable and "A-3-1201" in pages[0].text and "装修保证金" in pages[0].text
    assert not pages[1].usable  # two characters are not a text layer worth trusting
    assert has_text_layer(digital, 1)
    assert not has_text_layer(scanned_pdf, 1)


def test_usable_text_rejects_mojibake():
    assert usable_text("物业服务费缴费通知 房号 B-2-1503 合计 2342.48 元")
    assert not usable_text("")
    assert not usable_text("  - 3 -  ")
    assert not usable_text("\ue000\ue001\ue002" * 20 + "ab")  # private-use glyph codes
