"""打印封面 in a real browser: from a folder and from a selection of the households list, the
PDF arrives as a download. Screenshots go to /tmp/dossier-shots/ (coversheet-*.png)."""

from __future__ import annotations

import pytest

from tests.test_web_browser import _login, _shot, browser, web_server  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


def test_archivist_prints_cover_sheets(web_server, browser, web_archive, tmp_path):
    base = web_server
    context = browser.new_context(
        viewport={"width": 1280, "height": 860}, locale="zh-CN", accept_downloads=True
    )
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    _login(page, base, "archivist")

    page.goto(f"{base}/households/{web_archive.households['A-1-1201']}")
    page.click("#cover-sheet summary")
    page.select_option("#cover-type_code", "renovation")
    page.fill("#cover-title", "装修申请")
    _shot(page, tmp_path, "coversheet-folder")
    with page.expect_download() as download:
        page.click("#cover-sheet button[type=submit]")
    path = tmp_path / "one.pdf"
    download.value.save_as(path)
    assert download.value.suggested_filename == "封面单-A-1-1201.pdf"
    assert path.read_bytes().startswith(b"%PDF")

    page.goto(f"{base}/households")
    page.check("tr[data-code='A-1-0101'] input[type=checkbox]")
    page.check("tr[data-code='A-1-1201'] input[type=checkbox]")
    _shot(page, tmp_path, "coversheet-list")
    with page.expect_download() as download:
        page.click("#coversheet-form button[type=submit]")
    assert download.value.suggested_filename == "封面单-2户.pdf"
    assert problems == []
    context.close()


def test_a_split_stack_with_unfiled_pages_in_the_browser(web_server, browser, web_archive, tmp_path):
    from tests.test_web_coversheets import _stack

    base = web_server
    stack = tmp_path / "stack.pdf"
    stack.write_bytes(_stack(web_archive, tmp_path))
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    page = context.new_page()
    _login(page, base, "archivist")
    page.goto(f"{base}/intake")
    page.check("#split")
    page.set_input_files("#files", [str(stack)])
    page.click("#intake-submit")
    page.wait_for_url(f"{base}/intake/batches/*")
    assert page.locator("tr[data-status=unfiled]").count() == 1
    assert page.locator("tr[data-status=separator]").count() == 1
    row = page.locator("tr.unfiled-row")  # under the unfiled row: its pages and the filing form
    row.locator("input[name=household]").fill("A-1-0101")
    row.locator("select[name=type_code]").select_option("correspondence")
    _shot(page, tmp_path, "coversheet-batch")
    row.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "已归档为文件" in page.inner_text("body")
    assert page.locator("tr[data-status=unfiled]").count() == 0
    context.close()
