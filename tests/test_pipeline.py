"""Processing stored originals into pages, with real tesseract on small synthetic scans."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dossier.models import Document, ObjectKey, Page
from dossier.services import households as hh
from ingest import intake
from ingest.pipeline import process_document
from tests.synthetic import make_born_digital_pdf, make_pdf, render_page, sample_text, save_page

DOSSIER = str(Path(sys.executable).with_name("dossier"))


@pytest.fixture
def folder(archive, console):
    with archive.session() as session:
        hh.add_household(session, console, None, "A-3-1201", owner="张三")
    return archive


def _ingest(archive, console, paths, type_code="renovation"):
    specs = [
        intake.FileSpec(path=p, name=n, household="A-3-1201", type_code=type_code)
        for p, n in intake.expand_paths(paths)
    ]
    with archive.session() as session:
        batch = intake.intake(archive, session, console, specs)
        return batch.id, intake.batch_document_ids(session, batch.id)


def _strip(text: str, script: str = "simplified", **kw):
    return render_page(
        text, script=script, paper="strip", dpi=200, font_pt=14, noise=6, blur=0.5, seed=1, **kw
    )


def test_born_digital_pdf_takes_its_text_layer_without_ocr(folder, console, tmp_path):
    pdf = make_born_digital_pdf(
        [
            "业主装修申请表 A-3-1201 装修保证金押金已于本月退还业主本人",
            "第二页 水电表编号 884213 抄表日期二〇二四年三月九日",
        ],
        tmp_path / "digital.pdf",
    )
    _, (doc_id,) = _ingest(folder, console, [pdf])
    assert process_document(folder, doc_id) == "indexed"
    with folder.session() as session:
        doc = session.get(Document, doc_id)
        pages = doc.pages
        assert doc.page_count == 2 and [p.source for p in pages] == ["text", "text"]
        assert "押金已于本月退还" in pages[0].text and "884213" in pages[1].text
        assert pages[0].language is None and doc.searchable_pdf_key is None  # the original is searchable
        assert all(p.preview_key for p in pages)


def test_scanned_pdf_simplified_and_traditional_pages(folder, console, tmp_path, run_cli):
    simplified, traditional = sample_text("simplified", 0)[:60], sample_text("traditional", 0)[:60]
    pdf = make_pdf(
        [_strip(simplified), _strip(traditional, "traditional", skew=1.2)], tmp_path / "scan.pdf", dpi=200
    )
    batch_id, (doc_id,) = _ingest(folder, console, [pdf])
    assert process_document(folder, doc_id) == "indexed"
    with folder.session() as session:
        doc = session.get(Document, doc_id)
        first, second = doc.pages
        assert (first.language, second.language) == ("chi_sim", "chi_tra")
        assert first.source == second.source == "ocr" and first.confidence > 50
        assert abs(second.skew - 1.2) < 0.4
        assert " " not in first.text.replace("\n", "")[:10]  # no spaces between CJK characters
        preview_key = first.preview_key
        pdf_key = doc.searchable_pdf_key
        wrapped = {k: session.get(ObjectKey, k).wrapped_key for k in (preview_key, pdf_key)}
    with folder.vault.open(preview_key, wrapped[preview_key]) as fh:
        assert fh.read(12)[8:12] == b"WEBP"
    out = tmp_path / "searchable.pdf"
    with folder.vault.open(pdf_key, wrapped[pdf_key]) as fh:
        out.write_bytes(fh.read())
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert text.count("\f") == 2 and "装修" in text.replace(" ", "")
    shown = run_cli("doc", "show", str(doc_id), "--json")
    assert shown.exit_code == 0, shown.stderr
    body = shown.json()
    assert {"id", "household", "type", "title", "sha256", "status", "pages"} <= set(body)
    assert body["household"] == "A-3-1201" and body["type"] == "renovation" and body["status"] == "indexed"
    assert [set(p) for p in body["pages"]] == [{"number", "text", "confidence", "language"}] * 2
    report = run_cli("batch", "show", str(batch_id), "--json").json()
    assert report["documents"][0]["status"] == "indexed" and report["documents"][0]["pages"] == 2


def test_low_resolution_pages_are_flagged(folder, console, tmp_path):
    scan = save_page(
        render_page("报修记录 厨房漏水", paper="strip", dpi=150, font_pt=16), tmp_path / "low.png", dpi=150
    )
    batch_id, (doc_id,) = _ingest(folder, console, [scan], "repair")
    assert process_document(folder, doc_id) == "indexed"
    with folder.session() as session:
        report = intake.batch_report(session, batch_id)
    assert report["documents"][0]["warnings"] == ["第 1 页仅 150 dpi，低于 200 dpi"]
    assert report["documents"][0]["low_dpi"] == [{"page": 1, "dpi": 150}]
    with folder.session() as session:
        english = intake.batch_report(session, batch_id, lang="en")
    assert english["documents"][0]["warnings"] == ["page 1: 150 dpi, under 200"]


def test_a_document_failing_three_times_is_marked_failed(folder, console, tmp_path, settings):
    scan = save_page(_strip("缴费记录"), tmp_path / "pay.png", dpi=200)
    batch_id, (doc_id,) = _ingest(folder, console, [scan], "payment")
    with folder.session() as session:
        key = session.get(Document, doc_id).original_key
    path = settings.objects_dir / key
    data = bytearray(path.read_bytes())
    data[-20] ^= 0xFF  # the stored original no longer decrypts: an integrity failure
    path.write_bytes(bytes(data))
    assert [process_document(folder, doc_id) for _ in range(3)] == ["queued", "queued", "failed"]
    assert process_document(folder, doc_id) == "skipped"
    with folder.session() as session:
        doc = session.get(Document, doc_id)
        assert doc.attempts == 3 and doc.last_error
        report = intake.batch_report(session, batch_id)
    assert report["documents"][0]["status"] == "failed" and report["documents"][0]["error"]


def _wait(predicate, timeout: float, what: str, poll: float = 0.3):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(poll)
    raise AssertionError(f"timed out waiting for {what}")


def test_killed_worker_resumes_and_every_document_is_indexed_once(folder, console, tmp_path, settings):
    scans = tmp_path / "batch"
    scans.mkdir()
    for i, text in enumerate(["装修申请 一号", "钥匙领用 二号", "车辆档案 三号"]):
        save_page(_strip(text), scans / f"{i}.png", dpi=200)
    _, doc_ids = _ingest(folder, console, [scans])
    from ingest.queue import enqueue_documents

    enqueue_documents(settings, doc_ids)
    env = {**os.environ, "DOSSIER_LEASE_SECONDS": "3", "OMP_THREAD_LIMIT": "1"}

    def statuses():
        with folder.session() as session:
            return dict(session.execute(select(Document.id, Document.status)).all())

    worker = subprocess.Popen(
        [DOSSIER, "worker", "--processes", "1"],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait(
            lambda: "processing" in statuses().values() or worker.poll() is not None,
            120,
            "a document in processing",
            poll=0.05,
        )
        assert worker.poll() is None, worker.stderr.read().decode()
    finally:
        os.killpg(worker.pid, signal.SIGKILL)  # the worker and its children die mid-document
        worker.wait()
    killed = [i for i, s in statuses().items() if s == "processing"]
    assert killed
    worker = subprocess.Popen(
        [DOSSIER, "worker", "--processes", "2"],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait(lambda: set(statuses().values()) == {"indexed"}, 180, "every document indexed")
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
    with folder.session() as session:
        for doc_id in doc_ids:
            pages = session.scalars(select(Page).where(Page.document_id == doc_id)).all()
            assert [p.number for p in pages] == [1]
            referenced = {p.preview_key for p in pages} | {session.get(Document, doc_id).searchable_pdf_key}
            stored = {o.key for o in folder.store.list(f"derivatives/{doc_id}/")}
            assert stored == referenced  # no derivative of the killed attempt left behind
        assert session.get(Document, killed[0]).attempts >= 2
        assert session.scalar(select(func.count(Document.id))) == 3


def test_cli_ingest_wait_json(folder, tmp_path, run_cli):
    pdf = make_born_digital_pdf(
        ["往来函件：物业服务中心关于电梯维修安排的通知，请各位业主周知"], tmp_path / "letter.pdf"
    )
    (tmp_path / "notes.pdf").write_text("<html>not a scan</html>")
    result = run_cli(
        "ingest",
        str(pdf),
        str(tmp_path / "notes.pdf"),
        "--household",
        "A-3-1201",
        "--type",
        "correspondence",
        "--wait",
        "--processes",
        "1",
        "--json",
    )
    body = result.json()
    assert result.exit_code == 9  # something was refused: the batch report says what
    assert set(body) == {"batch", "documents"}
    letter, notes = body["documents"]
    assert letter["status"] == "indexed" and letter["pages"] == 1 and letter["file"] == "letter.pdf"
    assert notes["status"] == "rejected" and "不是扫描件" in notes["error"]
    again = run_cli("ingest", str(pdf), "--household", "A-3-1201", "--type", "correspondence", "--json")
    assert again.exit_code == 0 and again.json()["documents"][0] == {
        "id": letter["id"],
        "file": "letter.pdf",
        "status": "duplicate",
        "pages": None,
        "error": f"已在档案中，文件编号 {letter['id']}。",
        "error_code": "intake.duplicate_of",
    }


def test_cli_ingest_usage_errors(folder, tmp_path, run_cli):
    for args, fragment in [
        ((), "至少给出一个要入库的文件"),
        ((str(tmp_path),), "需要 --household 和 --type"),
        (("--manifest", str(tmp_path / "m.csv"), "--household", "A-3-1201"), "不要同时给出"),
        ((str(tmp_path), "--household", "A-3-1201", "--type", "contract", "--date", "May 5"), "日期格式应为"),
    ]:
        result = run_cli("ingest", *args)
        assert result.exit_code == 2 and fragment in result.stderr and "Traceback" not in result.stderr


def test_process_here_spreads_a_mixed_batch_over_processes(folder, console, tmp_path):
    from ingest.runner import process_here

    scans = tmp_path / "mixed"
    scans.mkdir()
    make_pdf([_strip(f"第{i}页 装修申请 押金收据") for i in (1, 2, 3)], scans / "a-long.pdf", dpi=200)
    save_page(_strip("钥匙领用 二号"), scans / "b.png", dpi=200)
    save_page(_strip(sample_text("traditional", 0)[:30], "traditional"), scans / "c.png", dpi=200)
    _, doc_ids = _ingest(folder, console, [scans])
    process_here(folder, doc_ids, processes=2)
    with folder.session() as session:
        docs = [session.get(Document, d) for d in doc_ids]
        assert [d.status for d in docs] == ["indexed"] * 3
        assert [d.page_count for d in docs] == [3, 1, 1]
        assert [p.number for p in docs[0].pages] == [1, 2, 3] and "押金收据" in docs[0].pages[2].text
        assert docs[2].pages[0].language == "chi_tra"
        assert all(p.preview_key for d in docs for p in d.pages) and all(d.searchable_pdf_key for d in docs)


def test_a_worker_that_lost_its_document_meanwhile_leaves_the_catalog_alone(
    folder, console, tmp_path, monkeypatch
):
    """A worker stalled past its lease finishes after the document was taken by another (or
    re-queued, or destroyed): its pages are not committed and what it stored is deleted."""
    from sqlalchemy import update

    from ingest import pipeline

    pdf = make_born_digital_pdf([sample_text("simplified")], tmp_path / "notice.pdf")  # no OCR needed
    _, (doc_id,) = _ingest(folder, console, [pdf], "payment")
    real_read_page = pipeline.read_page

    def read_then_lose_the_document(*args, **kwargs):
        result = real_read_page(*args, **kwargs)
        with folder.session() as other:  # another worker claims it after the lease ran out
            other.execute(
                update(Document).where(Document.id == doc_id).values(attempts=Document.attempts + 1)
            )
            other.commit()
        return result

    monkeypatch.setattr(pipeline, "read_page", read_then_lose_the_document)
    assert process_document(folder, doc_id) == "skipped"
    with folder.session() as session:
        doc = session.get(Document, doc_id)
        assert doc.status == "processing" and doc.searchable_pdf_key is None and doc.processed_at is None
        assert session.scalar(select(func.count(Page.id)).where(Page.document_id == doc_id)) == 0
    assert list(folder.store.list(f"derivatives/{doc_id}/")) == []
