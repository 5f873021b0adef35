"""Forgiving intake in a real browser: the household and type are checked before the files are
sent (a refusal keeps them chosen), the upload shows its progress and lands on the batch page,
the form still works without the script, and unfiled stack pages are filed from their previews.

Same app server and chromium as tests/test_web_browser.py; nothing runs OCR. Screenshots go to
/tmp/dossier-shots/ (intake-forms-*.png).
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from tests.synthetic import render_page, save_page
from tests.test_web_browser import _login, _shot, browser, desk_page, web_server  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


def _noise_png(path, side: int = 640, seed: int = 7):
    """A PNG that does not compress (about 1 MB): an upload slow enough to watch under throttling."""
    pixels = np.random.default_rng(seed).integers(0, 256, (side, side, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(path, dpi=(300, 300))
    return path


def _posts_to_intake(page) -> list[str]:
    sent: list[str] = []
    page.on(
        "request", lambda r: sent.append(r.url) if r.method == "POST" and r.url.endswith("/intake") else None
    )
    return sent


def test_refused_before_sending_then_uploaded_with_progress(web_server, browser, web_archive, tmp_path):
    base = web_server
    scans = [
        save_page(
            render_page("装修申请 A-1-1201", paper="strip", dpi=100), tmp_path / "装修申请.png", dpi=100
        ),
        _noise_png(tmp_path / "现场照片.png"),
    ]
    context, page, problems = desk_page(browser)
    posts = _posts_to_intake(page)
    _login(page, base, "archivist")
    page.goto(f"{base}/intake")

    # A household that is not in the archive: refused by the check, the files never sent.
    page.fill("input[name=household]", "Z-9-9999")
    page.select_option("select[name=type_code]", "photo")
    page.set_input_files("#files", [str(p) for p in scans])
    page.click("#intake-submit")
    error = page.locator("#intake-error")
    error.wait_for(state="visible")
    assert "档案中没有户号 Z-9-9999" in error.inner_text()
    assert "已选择的文件仍保留" in error.inner_text()
    household = page.locator(".field.has-error", has=page.locator("input[name=household]"))
    assert "档案中没有户号 Z-9-9999" in household.locator(".field-error").inner_text()
    assert posts == []
    assert page.evaluate("document.getElementById('files').files.length") == 2
    assert page.locator("#picked-summary").inner_text().startswith("已选择 2 个文件")
    assert page.is_enabled("#intake-submit") and page.url == f"{base}/intake"
    _shot(page, tmp_path, "intake-forms-01-refused-before-sending")

    # Corrected: the same files go, with a progress bar (the upload throttled so it can be seen).
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 20, "downloadThroughput": -1, "uploadThroughput": 256 * 1024},
    )
    page.fill("input[name=household]", "A-1-1201")
    page.click("#intake-submit")
    page.locator("#upload-progress").wait_for(state="visible")
    assert error.is_hidden() and page.locator(".field-error").count() == 0
    page.wait_for_function("() => document.getElementById('upload-bar').value > 0")
    label = page.locator("#upload-label").inner_text()
    assert " / " in label and "%" in label, label
    assert page.locator("#intake-submit").inner_text() == "正在上传…" and page.is_disabled("#intake-submit")
    _shot(page, tmp_path, "intake-forms-02-uploading")
    page.wait_for_url(f"{base}/intake/batches/*", timeout=60_000)
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    assert posts == [f"{base}/intake"]
    assert "收到 2 个文件，2 个已入库待识别" in page.locator(".flash-success").inner_text()
    links = page.locator("#batch-files a[data-role=document-link]")
    assert links.all_inner_texts() == ["装修申请.png", "现场照片.png"]
    _shot(page, tmp_path, "intake-forms-03-batch")
    links.first.click()
    page.wait_for_url(f"{base}/documents/*")

    # A refusal the server makes (a date with no such day) is shown in the page, files kept.
    page.goto(f"{base}/intake")
    page.fill("input[name=household]", "A-1-1201")
    page.select_option("select[name=type_code]", "photo")
    page.set_input_files("#files", [str(scans[0])])
    page.evaluate("document.querySelector('input[name=document_date]').type = 'text'")
    page.fill("input[name=document_date]", "2024-02-30")
    page.click("#intake-submit")
    error.wait_for(state="visible")
    assert "没有这一天" in error.inner_text()
    assert page.evaluate("document.getElementById('files').files.length") == 1
    context.close()
    assert problems == []


def test_without_the_script_the_form_still_posts(web_server, browser, tmp_path):
    base = web_server
    scan = save_page(render_page("缴费记录 2024", paper="strip", dpi=100), tmp_path / "缴费记录.png", dpi=100)
    context = browser.new_context(
        viewport={"width": 1280, "height": 860}, locale="zh-CN", java_script_enabled=False
    )
    page = context.new_page()
    _login(page, base, "archivist")
    page.goto(f"{base}/intake")
    assert page.locator("#upload-progress").is_hidden() and page.locator("#intake-error").is_hidden()
    page.fill("input[name=household]", "A-1-1201")
    page.select_option("select[name=type_code]", "payment")
    page.set_input_files("#files", [str(scan)])
    page.click("#intake-submit")
    page.wait_for_url(f"{base}/intake/batches/*")
    assert "1 个已入库待识别" in page.locator(".flash-success").inner_text()
    context.close()


def test_unfiled_stack_pages_are_filed_from_their_previews(web_server, browser, web_archive, tmp_path):
    from tests.test_web_coversheets import _stack

    base = web_server
    stack = tmp_path / "整叠扫描.pdf"
    stack.write_bytes(_stack(web_archive, tmp_path))
    context, page, problems = desk_page(browser)
    _login(page, base, "archivist")
    page.goto(f"{base}/intake")
    page.check("#split")
    page.set_input_files("#files", [str(stack)])
    page.click("#intake-submit")
    page.wait_for_url(f"{base}/intake/batches/*", timeout=60_000)

    row = page.locator("tr.unfiled-row")
    assert row.count() == 1
    image = row.locator(".unfiled-page img")
    assert image.count() == 1 and image.get_attribute("alt") == "扫描件第 1 页"
    page.wait_for_function(
        "() => { const i = document.querySelector('.unfiled-page img'); return i.complete && i.naturalWidth > 0; }"
    )
    width, height = image.evaluate("i => [i.naturalWidth, i.naturalHeight]")
    assert height > width > 50  # a portrait page
    select = row.locator("select[name=type_code]")
    assert select.input_value() == ""
    assert select.locator("option:checked").inner_text() == "请选择文件类型"
    row.locator("input[name=household]").fill("A-1-0101")
    _shot(page, tmp_path, "intake-forms-04-unfiled")

    # Not choosing a type is refused; choosing one files the pages.
    row.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "请填写户号并选择文件类型" in page.locator(".flash-error").inner_text()
    row = page.locator("tr.unfiled-row")
    row.locator("select[name=type_code]").select_option("correspondence")
    row.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "已归档为文件" in page.locator(".flash-success").inner_text()
    assert page.locator("tr.unfiled-row").count() == 0
    _shot(page, tmp_path, "intake-forms-05-filed")
    context.close()
    assert [p for p in problems if "status of 400" not in p] == []
