"""导出 and 导入 in the browser: the households list's 导出 XLSX downloads a workbook with Chinese
headers and the households; the 导入 page takes a sheet, refuses it whole with reasons per row,
then imports only the valid rows when asked. Screenshots go to /tmp/dossier-shots/exports-*.png."""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from tests.test_web_browser import _login, _shot, browser, desk_page, web_server  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

SHEET = (
    "户号,小区,用途,楼栋,楼层,房号,姓名,身份,联系电话\n"
    "E-1-0101,阳光花园,住宅,E,1,0101,刘一,业主,13900139000\n"
    "E-1-0102,阳光花园,仓库,E,1,0102,陈二,业主,\n"
).encode("utf-8-sig")


def test_households_export_and_import_in_the_browser(web_server, browser, tmp_path):  # noqa: F811
    base = web_server
    context, page, problems = desk_page(browser)
    _login(page, base, "archivist")

    # 导出 XLSX from the households list: a workbook named in Chinese, Chinese headers, the households.
    page.goto(f"{base}/households")
    _shot(page, tmp_path, "exports-01-households-list")
    with page.expect_download() as info:
        page.click("#export-xlsx")
    download = info.value
    assert unquote(download.suggested_filename).startswith("业户基本情况汇总表-")
    assert download.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(Path(download.path()).read_bytes())).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "业户基本情况汇总表"
    assert rows[2][:7] == ["户号", "小区", "楼栋", "单元", "房号", "业主", "联系电话"]
    assert sorted(row[0] for row in rows[3:]) == ["A-1-0101", "A-1-1201", "S-101"]

    # 导入: the whole sheet is refused for one bad row, with the row's reason in Chinese.
    page.click("#import-link")
    page.wait_for_url(f"{base}/households/import")
    sheet_path = tmp_path / "业户导入.csv"
    sheet_path.write_bytes(SHEET)
    page.set_input_files("#import-file", str(sheet_path))
    page.click("#import-form button[type=submit]")
    page.wait_for_load_state()
    assert "未导入任何数据" in page.locator("#import-summary").inner_text()
    assert page.locator("#import-rows tr.import-refused").count() == 1
    assert page.locator("#import-rows tr[data-row='3']").inner_text().count("第 3 行：") == 1
    _shot(page, tmp_path, "exports-02-import-refused")

    # ... then only the valid rows, on request.
    page.set_input_files("#import-file", str(sheet_path))
    page.check("#import-valid-only")
    page.click("#import-form button[type=submit]")
    page.wait_for_load_state()
    assert "新建业户 1 户" in page.locator("#import-summary").inner_text()
    _shot(page, tmp_path, "exports-03-import-valid-only")
    page.goto(f"{base}/households?q=E-1-0101")
    assert page.locator("tr[data-code='E-1-0101']").count() == 1

    # The template downloads in both forms.
    page.goto(f"{base}/households/import")
    with page.expect_download() as info:
        page.click("#template-xlsx")
    assert unquote(info.value.suggested_filename).startswith("业户导入模板-")
    assert problems == []
    context.close()


def test_import_page_fits_a_phone(web_server, browser, tmp_path):  # noqa: F811
    base = web_server
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    _login(page, base, "archivist")
    for path, name in (
        ("/households/import", "exports-04-import-phone"),
        ("/households", "exports-05-list-phone"),
    ):
        page.goto(f"{base}{path}")
        _shot(page, tmp_path, name)
        if path == "/households/import":
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()
