"""The page-count limit at intake (``DOSSIER_MAX_PAGES``, default 2,000): a file with more pages is
rejected with a reason in the batch report before anything is stored, whether a PDF, a TIFF or
a stack to split. Real catalog (SQLite and PostgreSQL), real ``pdfinfo``."""

from __future__ import annotations

import pytest
from PIL import Image
from sqlalchemy import func, select

from dossier.models import Document, ScanStack


def _blank_pdf(path, pages: int):
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format=(72, 72))  # tiny blank pages: small and quick to write
    for _ in range(pages):
        pdf.add_page()
    pdf.output(str(path))
    return path


def _stored(archive) -> tuple[int, int, list]:
    with archive.session() as session:
        docs = session.scalar(select(func.count(Document.id))) or 0
        stacks = session.scalar(select(func.count(ScanStack.id))) or 0
    return docs, stacks, list(archive.store.list(""))


@pytest.fixture
def folder(archive, run_cli):
    assert run_cli("household", "add", "A-3-1201", "--owner", "张三").exit_code == 0
    return archive


def test_a_3000_page_pdf_is_rejected_with_a_reason_before_it_is_stored(folder, run_cli, tmp_path):
    big = _blank_pdf(tmp_path / "big.pdf", 3000)
    before = _stored(folder)
    result = run_cli("ingest", str(big), "--household", "A-3-1201", "--type", "other", "--json")
    assert result.exit_code == 9, result.stderr  # something was refused: the report says what
    [item] = result.json()["documents"]
    assert item["status"] == "rejected" and item["file"] == "big.pdf"
    assert item["error"] == (
        "big.pdf 有 3,000 页，超过单个文件最多 2,000 页的限制（DOSSIER_MAX_PAGES）；请拆成较小的文件。"
    )
    assert item["error_code"] == "intake.too_many_pages"
    assert _stored(folder) == before


def test_the_limit_is_a_setting_and_holds_for_tiffs_and_stacks_to_split(
    folder, run_cli, tmp_path, monkeypatch
):
    monkeypatch.setenv("DOSSIER_MAX_PAGES", "2")
    frames = [Image.new("L", (80, 80), 255) for _ in range(3)]
    tiff = tmp_path / "three.tif"
    frames[0].save(tiff, save_all=True, append_images=frames[1:], dpi=(200, 200))
    stack = _blank_pdf(tmp_path / "stack.pdf", 3)
    two = _blank_pdf(tmp_path / "two.pdf", 2)
    before = _stored(folder)

    refused = run_cli("ingest", str(tiff), "--household", "A-3-1201", "--type", "other", "--json")
    assert refused.exit_code == 9
    assert "three.tif 有 3 页，超过单个文件最多 2 页的限制" in refused.json()["documents"][0]["error"]
    split = run_cli("ingest", str(stack), "--split", "--json")
    assert split.exit_code == 9
    assert (
        split.json()["documents"][0]["status"] == "rejected"
        and "有 3 页" in split.json()["documents"][0]["error"]
    )
    assert _stored(folder) == before  # neither the file nor the stack was stored

    accepted = run_cli("ingest", str(two), "--household", "A-3-1201", "--type", "other", "--json")
    assert accepted.exit_code == 0 and accepted.json()["documents"][0]["status"] == "queued"


def test_a_page_limit_that_is_not_a_number_stops_the_command_with_one_sentence(
    folder, run_cli, tmp_path, monkeypatch
):
    monkeypatch.setenv("DOSSIER_MAX_PAGES", "lots")
    result = run_cli(
        "ingest", str(_blank_pdf(tmp_path / "one.pdf", 1)), "--household", "A-3-1201", "--type", "other"
    )
    assert result.exit_code == 6
    assert (
        result.stderr
        == "dossier：错误：DOSSIER_MAX_PAGES 必须是 1 到 1000000 之间的整数（单位：页），当前为 'lots'。\n"
    )
