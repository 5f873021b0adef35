"""Intake: files to signed originals in a batch, bad input refused with its reason, nothing lost.

These tests stop before OCR (documents stay queued); tests/test_pipeline.py processes them.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from dossier.errors import InvalidInput
from dossier.models import Document, ObjectKey
from dossier.services import households as hh
from ingest import intake
from tests.synthetic import make_pdf, render_page, save_page


@pytest.fixture
def folder(archive, console):
    with archive.session() as session:
        hh.add_household(session, console, None, "A-3-1201", owner="张三")
        hh.add_household(session, console, None, "B-1-0101", owner="李四")
    return archive


def _scan(path: Path, text: str = "装修申请 A-3-1201", **kw) -> Path:
    return save_page(render_page(text, paper="strip", dpi=kw.pop("dpi", 150), **kw), path, dpi=150)


def _specs(paths, household="A-3-1201", type_code="renovation"):
    return [
        intake.FileSpec(path=p, name=n, household=household, type_code=type_code)
        for p, n in intake.expand_paths(paths)
    ]


def _run(archive, console, specs):
    with archive.session() as session:
        batch = intake.intake(archive, session, console, specs)
        return intake.batch_report(session, batch.id)


def test_good_files_are_stored_signed_and_queued(folder, console, tmp_path):
    scans = tmp_path / "scans"
    scans.mkdir()
    _scan(scans / "b.png")
    _scan(scans / "a.jpg", "缴费记录 2024")
    make_pdf([render_page("往来函件", paper="strip", dpi=100)], scans / "c.pdf", dpi=100)
    (scans / ".DS_Store").write_bytes(b"junk")
    report = _run(folder, console, _specs([scans]))
    assert [d["file"] for d in report["documents"]] == ["a.jpg", "b.png", "c.pdf"]
    assert {d["status"] for d in report["documents"]} == {"queued"}
    with folder.session() as session:
        docs = session.scalars(select(Document).order_by(Document.id)).all()
        assert [d.media_type for d in docs] == ["image/jpeg", "image/png", "application/pdf"]
        assert all(d.signature and d.batch_id == report["batch"] for d in docs)
        assert [d.title for d in docs] == ["a", "b", "c"]


def test_bad_inputs_are_refused_with_a_reason_and_the_rest_goes_on(folder, console, tmp_path):
    _scan(tmp_path / "good.png")
    (tmp_path / "empty.pdf").write_bytes(b"")
    (tmp_path / "page.pdf").write_text("<!DOCTYPE html><html><body>404</body></html>")
    with zipfile.ZipFile(tmp_path / "zipped.pdf", "w") as z:
        z.writestr("x.txt", "x")
    pdf = make_pdf([render_page("合同", paper="strip", dpi=100)], tmp_path / "whole.pdf", dpi=100)
    (tmp_path / "cut.pdf").write_bytes(pdf.read_bytes()[: pdf.stat().st_size // 2])
    bomb = tmp_path / "bomb.png"
    Image.new("1", (20000, 20000)).save(bomb)  # 400 Mpx declared: over Pillow's bomb limit
    files = ["empty.pdf", "page.pdf", "zipped.pdf", "cut.pdf", "bomb.png", "missing.png", "good.png"]
    report = _run(folder, console, _specs([tmp_path / f for f in files]))
    by_file = {d["file"]: d for d in report["documents"]}
    assert by_file["good.png"]["status"] == "queued"
    for name in files[:-1]:
        assert by_file[name]["status"] == "rejected", name
        assert by_file[name]["error"] and "\n" not in by_file[name]["error"]
    assert "空文件" in by_file["empty.pdf"]["error"]
    assert "文本文件" in by_file["page.pdf"]["error"] or "HTML" in by_file["page.pdf"]["error"]
    assert "ZIP" in by_file["zipped.pdf"]["error"]
    assert "不完整的 PDF" in by_file["cut.pdf"]["error"]
    assert "不存在" in by_file["missing.png"]["error"]
    codes = {name: by_file[name]["error_code"] for name in files[:-1]}
    assert codes["empty.pdf"] == "ingest.empty_file" and codes["bomb.png"] == "ingest.image_bomb"
    with folder.session() as session:  # only the good file was stored: no half-stored rejects
        assert session.scalar(select(func.count(Document.id))) == 1
        assert session.scalar(select(func.count(ObjectKey.object_key))) == 1
    assert len(list(folder.store.list("originals/"))) == 1


def test_password_protected_pdf_is_refused(folder, console, tmp_path):
    import subprocess

    plain = make_pdf([render_page("保密合同", paper="strip", dpi=100)], tmp_path / "plain.pdf", dpi=100)
    locked = tmp_path / "locked.pdf"
    subprocess.run(
        ["qpdf", "--encrypt", "user-pw", "owner-pw", "256", "--", str(plain), str(locked)], check=True
    )
    report = _run(folder, console, _specs([locked]))
    assert report["documents"][0]["status"] == "rejected"
    assert "密码" in report["documents"][0]["error"]


def test_duplicates_point_at_the_existing_document(folder, console, tmp_path):
    scan = _scan(tmp_path / "scan.png")
    (tmp_path / "copy.png").write_bytes(scan.read_bytes())
    first = _run(folder, console, _specs([scan]))
    second = _run(folder, console, _specs([tmp_path / "copy.png"], household="B-1-0101"))
    assert second["documents"][0]["status"] == "duplicate"
    assert second["documents"][0]["id"] == first["documents"][0]["id"]
    with folder.session() as session:
        assert session.scalar(select(func.count(Document.id))) == 1


def test_unknown_household_or_type_rejects_only_that_file(folder, console, tmp_path):
    scan = _scan(tmp_path / "scan.png")
    other = _scan(tmp_path / "other.png", "报修记录")
    specs = [
        intake.FileSpec(path=scan, name="scan.png", household="Z-9-9999", type_code="repair"),
        intake.FileSpec(path=other, name="other.png", household="A-3-1201", type_code="nonsense"),
        intake.FileSpec(path=other, name="other.png", household="A-3-1201", type_code="repair"),
    ]
    report = _run(folder, console, specs)
    assert [d["status"] for d in report["documents"]] == ["rejected", "rejected", "queued"]
    assert "Z-9-9999" in report["documents"][0]["error"]
    assert "nonsense" in report["documents"][1]["error"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_manifest_in_utf8_and_gbk(folder, tmp_path, encoding):
    _scan(tmp_path / "合同.png")
    _scan(tmp_path / "repair.png", "报修")
    manifest = tmp_path / "batch.csv"
    manifest.write_bytes(
        (
            "文件,户号,类型,标题,日期,保密\n"
            "合同.png,A-3-1201,contract,购房合同（正本）,2019-05-01,否\n"
            "repair.png,B-1-0101,repair,厨房漏水报修,2024/3/9,是\n"
            "missing.png,B-1-0101,repair,,,\n"
            "../outside.png,B-1-0101,repair,,,\n"
            "合同.png,B-1-0101,repair,,bad-date,\n"
        ).encode(encoding)
    )
    specs = intake.read_manifest(manifest)
    assert [s.name for s in specs] == ["合同.png", "repair.png", "missing.png", "outside.png", "合同.png"]
    assert specs[0].title == "购房合同（正本）" and specs[0].document_date.isoformat() == "2019-05-01"
    assert specs[1].confidential is True and specs[1].document_date.isoformat() == "2024-03-09"
    problems = [s.problem for s in specs[2:]]
    assert [p.code if p is not None else None for p in problems[:2]] == [
        "intake.row_missing_file",
        "intake.row_outside",
    ]
    assert "不存在" in str(problems[0]) and "清单所在文件夹之外" in str(problems[1])
    assert "第 6 行的日期" in str(problems[2]) and "bad-date" in str(problems[2])


def test_a_manifest_rows_own_class_wins_over_the_batch_class(folder, console, tmp_path):
    _scan(tmp_path / "own.png", "钥匙领用")
    _scan(tmp_path / "plain.png", "报修")
    manifest = tmp_path / "batch.csv"
    manifest.write_text(
        "文件,户号,类型,保管期限\nown.png,A-3-1201,repair,D10\nplain.png,A-3-1201,repair,\n", encoding="utf-8"
    )
    request = intake.IntakeRequest(intake.read_manifest(manifest), source="api", retention_class="d30")
    with folder.session() as session:
        batch = intake.intake(folder, session, console, request)
        docs = session.scalars(
            select(Document).where(Document.batch_id == batch.id).order_by(Document.id)
        ).all()
        assert [(d.original_name, d.retention_class) for d in docs] == [
            ("own.png", "D10"),
            ("plain.png", "D30"),
        ]
        assert batch.source == "api"


def test_an_unknown_batch_class_refuses_the_batch_before_anything_is_stored(folder, console, tmp_path):
    request = intake.IntakeRequest(_specs([_scan(tmp_path / "a.png")]), retention_class="D7")
    with folder.session() as session, pytest.raises(InvalidInput, match="没有名为“D7”的保管期限"):
        intake.intake(folder, session, console, request)
    with folder.session() as session:
        assert session.scalar(select(func.count(Document.id))) == 0


def test_manifest_errors(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("name,where\nx,y\n")
    with pytest.raises(Exception, match="缺少列"):
        intake.read_manifest(bad)
    binary = tmp_path / "bin.csv"
    binary.write_bytes(b"\xff\xfe\x00\x81\x00\xff" * 10)
    with pytest.raises(Exception, match="既不是 UTF-8 也不是 GBK|缺少列"):
        intake.read_manifest(binary)


def test_display_names_are_safe():
    assert intake.display_name("../../etc/passwd") == "passwd"
    assert intake.display_name(b"scan\xff\xfe.pdf") == "scan\ufffd\ufffd.pdf"
    assert intake.display_name("a\\b\\..\\c.pdf") == "c.pdf"
    assert intake.display_name("..") == "unnamed"
    assert intake.display_name("bad\x00\x1bname.png") == "badname.png"
