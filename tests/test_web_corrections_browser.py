"""更正 in the real browser: an archivist corrects a title with a reason on the document page and
sees it in the 修改记录, moves the document to another household, and records where its paper
original is kept; then finds it by cabinet and box in 全文检索.

Screenshots go to /tmp/dossier-shots/ (corrections-*.png).
"""

from __future__ import annotations

import pytest

from tests.test_web_browser import _login, _shot, browser, desk_page, web_server  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


def test_archivist_corrects_moves_and_shelves_a_document(
    web_server, browser, web_archive, web_search_docs, tmp_path
):
    base, fund = web_server, web_search_docs.ids["fund"]
    context, page, problems = desk_page(browser)
    _login(page, base, "archivist")
    page.goto(f"{base}/documents/{fund}")
    assert page.locator("#correction").count() == 1
    assert page.locator("#fix-title").input_value() == "维修基金缴纳通知"
    assert page.locator("#fix-type_code").input_value() == "payment"

    # Correct the title; the reason is required (the browser will not send the form without it).
    page.click("#correction summary")
    page.fill("#fix-title", "维修基金缴纳通知（2020年）")
    page.click("#correction-save")
    assert page.locator("#fix-reason:invalid").count() == 1
    page.fill("#fix-reason", "题名不全，补上年份")
    _shot(page, tmp_path, "corrections-01-form")
    page.click("#correction-save")
    page.wait_for_url(f"{base}/documents/{fund}#history")
    assert "已更正" in page.locator(".flash-success").inner_text()
    assert page.locator("#doc-title").inner_text() == "维修基金缴纳通知（2020年）"
    latest = page.locator("#history tr.history-entry").first.inner_text()
    assert "著录更正" in latest and "陈档案" in latest and "题名不全，补上年份" in latest
    assert "维修基金缴纳通知 → 维修基金缴纳通知（2020年）" in latest
    _shot(page, tmp_path, "corrections-02-history")

    # Move it to another household.
    page.click("#correction summary")
    page.fill("#fix-household", "S-101")
    page.fill("#fix-reason", "归错了户，应为商铺 S-101")
    page.click("#correction-save")
    page.wait_for_url(f"{base}/documents/{fund}#history")
    assert "S-101" in page.locator(".crumbs").inner_text()
    latest = page.locator("#history tr.history-entry").first.inner_text()
    assert "业户档案号" in latest and "S-101" in latest and "归错了户" in latest

    # Record where the paper original is kept.
    page.fill("#paper-cabinet", "3")
    page.fill("#paper-box", "12")
    page.fill("#paper-position", "7")
    page.click("#paper-save")
    page.wait_for_url(f"{base}/documents/{fund}#paper")
    assert "已保存纸质原件存放位置" in page.locator(".flash-success").inner_text()
    assert page.locator("#paper-location").inner_text().split() == ["柜", "3", "盒", "12", "位", "7"]
    _shot(page, tmp_path, "corrections-03-paper")

    # Find it by cabinet and box.
    page.goto(f"{base}/search")
    page.fill("#f-cabinet", "3")
    page.fill("#f-box", "12")
    page.click("#search-form button[type=submit]")
    page.wait_for_url("**/search?*")
    assert page.locator(".hit").count() == 1
    assert "维修基金缴纳通知（2020年）" in page.locator(".hit").inner_text()
    _shot(page, tmp_path, "corrections-04-search")
    context.close()
    assert problems == []
