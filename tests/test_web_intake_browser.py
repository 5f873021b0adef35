"""Intake in a real browser: an archivist uploads two scans and follows the batch.

Same app server and chromium as tests/test_web_browser.py. Nothing processes the queue: the
test plays the worker by writing progress into the catalog, and watches the page follow it.
Screenshots go to /tmp/dossier-shots/ (intake-*.png).
"""

from __future__ import annotations

import base64

import pytest

from dossier.archive import Archive
from dossier.models import Document
from tests.synthetic import render_page, save_page
from tests.test_web_browser import _login, _shot, browser, web_server  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


def test_archivist_uploads_two_scans_and_follows_the_batch(web_server, browser, web_archive, tmp_path):
    base = web_server
    scans = [
        save_page(render_page(words, paper="strip", dpi=100), tmp_path / name, dpi=100)
        for words, name in (("装修申请 A-1-1201", "装修申请.png"), ("缴费记录 2024", "缴费记录.png"))
    ]
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))

    _login(page, base, "archivist")
    assert "扫描入库" in page.locator("nav.mainnav").inner_text()

    # From the folder, "上传文件" opens the intake page for that household.
    page.goto(f"{base}/households/{web_archive.households['A-1-1201']}")
    page.click("#upload-link")
    page.wait_for_url(f"{base}/intake?*")
    assert page.input_value("input[name=household]") == "A-1-1201"
    assert page.locator("#dropzone.enhanced").count() == 1  # the script took over the pickers

    page.select_option("select[name=type_code]", "renovation")
    page.fill("input[name=title]", "装修申请")
    page.set_input_files("#files", [str(p) for p in scans])
    assert page.locator("#picked-summary").inner_text().startswith("已选择 2 个文件")
    assert page.locator("#picked-list li").count() == 2

    # A file dropped on the zone joins the chosen ones; "清空" empties the list again.
    png = base64.b64encode(scans[0].read_bytes()).decode()
    page.evaluate(
        """(png) => {
        const bytes = Uint8Array.from(atob(png), c => c.charCodeAt(0));
        const dt = new DataTransfer();
        dt.items.add(new File([bytes], "拖入.png", {type: "image/png"}));
        const zone = document.getElementById("dropzone");
        zone.dispatchEvent(new DragEvent("dragover", {dataTransfer: dt, bubbles: true, cancelable: true}));
        zone.dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true}));
    }""",
        png,
    )
    page.wait_for_function("document.getElementById('picked-list').children.length === 3")
    page.click("#picked-clear")
    assert page.locator("#picked").is_hidden()
    page.set_input_files("#files", [str(p) for p in scans])
    _shot(page, tmp_path, "intake-01-upload")

    page.click("#intake-submit")
    page.wait_for_url(f"{base}/intake/batches/*")
    assert "收到 2 个文件，2 个已入库待识别" in page.locator(".flash-success").inner_text()
    rows = page.locator("#batch-files tr.file-row")
    assert rows.count() == 2
    assert [rows.nth(i).locator(".file-name").inner_text() for i in range(2)] == [
        "装修申请.png",
        "缴费记录.png",
    ]
    assert page.locator("#batch-files [data-role=status]").all_inner_texts() == ["排队中", "排队中"]
    assert page.locator("#batch-state").inner_text() == "处理中"
    _shot(page, tmp_path, "intake-02-batch-queued")

    # Play the worker: the page polls and follows.
    batch_id = int(page.url.rsplit("/", 1)[1])
    archive = Archive(web_archive.settings)
    with archive.session() as session:
        docs = session.query(Document).filter(Document.batch_id == batch_id).order_by(Document.id).all()
        ids = [d.id for d in docs]
        docs[0].status, docs[0].page_count, docs[0].pages_done = "processing", 4, 1
    first = page.locator(f"tr[data-doc-id='{ids[0]}']")
    first.locator("[data-role=status]:has-text('处理中')").wait_for(timeout=10_000)
    assert first.locator(".bar-label").inner_text() == "1 / 4 页"
    assert first.locator("progress").evaluate("el => [el.value, el.max]") == [1, 4]
    _shot(page, tmp_path, "intake-03-batch-processing")

    with archive.session() as session:
        for doc in session.query(Document).filter(Document.id.in_(ids)):
            doc.status, doc.page_count, doc.pages_done = "indexed", doc.page_count or 1, doc.page_count or 1
    page.locator("#batch-state:has-text('已完成')").wait_for(timeout=10_000)  # reloaded with the final report
    assert page.locator("#batch-files [data-role=status]").all_inner_texts() == ["已索引", "已索引"]
    assert page.locator("#overall").get_attribute("data-final") == "1"
    _shot(page, tmp_path, "intake-04-batch-done")

    # Nothing chosen: the form says so and keeps what was typed.
    page.click("text=继续上传")
    page.wait_for_url(f"{base}/intake")
    page.fill("input[name=household]", "A-1-0101")
    page.click("#intake-submit")
    page.wait_for_load_state()
    assert "请选择要上传的扫描文件" in page.locator(".flash-error").inner_text()
    assert page.input_value("input[name=household]") == "A-1-0101"
    assert "请选择文件类型" in page.content()
    _shot(page, tmp_path, "intake-05-no-files")

    # A duplicate and an HTML page named .pdf: reported per file, the batch "has failures".
    fake = tmp_path / "扫描件.pdf"
    fake.write_text("<!DOCTYPE html><html><body>404</body></html>")
    page.select_option("select[name=type_code]", "correspondence")
    page.set_input_files("#files", [str(scans[0]), str(fake)])
    page.click("#intake-submit")
    page.wait_for_url(f"{base}/intake/batches/*")
    assert page.locator("#batch-files [data-role=status]").all_inner_texts() == ["重复", "已拒收"]
    assert page.locator("#batch-state").inner_text() == "有失败"
    _shot(page, tmp_path, "intake-06-batch-problems")

    page.click("nav.mainnav >> text=扫描入库")
    page.click("text=入库批次")
    page.wait_for_url(f"{base}/intake/batches")
    assert page.locator(f"tr[data-batch='{batch_id}']").inner_text().count("已完成") == 1
    assert page.locator("tr[data-batch]").count() == 2
    _shot(page, tmp_path, "intake-07-batches")
    context.close()
    # No CSP violations, no script errors (the empty submit above is the one expected 400).
    assert [p for p in problems if "status of 400" not in p] == []
