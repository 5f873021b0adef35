"""借阅 and 清点 in the real browser: from the admin's home page to the loan register, where a
loan entered with ``dossier loan out`` shows overdue; lend, renew, remind and return with a
check; then count a cabinet with a missing original, see the difference and resolve it.

Screenshots go to /tmp/dossier-shots/paper-*.png.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from dossier import localtime
from tests.test_web_browser import _login, _shot, browser, desk_page, web_server  # noqa: F401 - fixtures
from tests.test_web_paper import shelf  # noqa: F401 - fixture

pytestmark = pytest.mark.browser


def test_loans_and_inventory_from_the_home_page(web_server, browser, web_archive, shelf, tmp_path):
    base = web_server
    context, page, problems = desk_page(browser)
    _login(page, base, "admin")
    assert page.locator("#overdue-count .stat-value").inner_text() == "1"
    _shot(page, tmp_path, "paper-01-home")

    # 借阅 from the home page's list: the CLI's overdue loan is there, highlighted.
    page.click("ul.links a:text-is('借阅')")
    page.wait_for_url(f"{base}/paper/loans")
    overdue = page.locator("#loan-1")
    assert "loan-overdue" in (overdue.get_attribute("class") or "")
    assert "王五" in overdue.inner_text() and "逾期" in overdue.inner_text()
    _shot(page, tmp_path, "paper-02-loans")

    # Lend the move-in form from its document link (?document=ID).
    page.goto(f"{base}/paper/loans?document={shelf['move_in']}")
    assert "入住登记表" in page.locator("#lend-document").inner_text()
    assert page.input_value("#document_id") == str(shelf["move_in"])
    page.fill("#borrower", "赵六")
    page.fill("#unit", "A-1-1201")
    page.fill("#purpose", "办理产权变更")
    page.select_option("#manner", "copy")
    page.fill("#due", (localtime.today() + timedelta(days=7)).isoformat())
    _shot(page, tmp_path, "paper-03-lend-form")
    page.click("#lend-form button[type=submit]")
    page.wait_for_url(f"{base}/paper/loans*")
    assert "已登记借阅" in page.locator(".flash-success").inner_text()
    lent = page.locator("#loan-2")
    assert "赵六" in lent.inner_text() and "复制" in lent.inner_text()

    # Renew it.
    actions = page.locator("#loan-2 + tr.loan-actions-row")
    actions.locator("summary").click()
    later = (localtime.today() + timedelta(days=30)).isoformat()
    actions.locator(".renew-form input[name=due]").fill(later)
    actions.locator(".renew-form input[name=note]").fill("业主出差")
    _shot(page, tmp_path, "paper-04-actions")
    actions.locator(".renew-form button").click()
    page.wait_for_url(f"{base}/paper/loans*")
    assert f"已续借至 {later}" in page.locator(".flash-success").inner_text()
    assert later in page.locator("#loan-2").inner_text()

    # Chase the overdue one (催还), from the overdue filter.
    page.click("#overdue-filter")
    page.wait_for_url(f"{base}/paper/loans?filter=overdue")
    assert page.locator("tr.loan-row").count() == 1
    chase = page.locator("#loan-1 + tr.loan-actions-row")
    chase.locator("summary").click()
    chase.locator(".remind-form select[name=channel]").select_option("phone")
    chase.locator(".remind-form input[name=note]").fill("答应周五送回")
    chase.locator(".remind-form button").click()
    page.wait_for_url(f"{base}/paper/loans*")
    assert "电话：答应周五送回" in page.locator("#loan-1 .reminders").inner_text()
    _shot(page, tmp_path, "paper-05-reminded")

    # Take the copy back with a page missing.
    back = page.locator("#loan-2 + tr.loan-actions-row")
    back.locator("summary").click()
    back.locator(".return-form input[value=pages_missing]").check()
    back.locator(".return-form input[name=note]").fill("缺第 2 页")
    back.locator(".return-form button").click()
    page.wait_for_url(f"{base}/paper/loans*")
    assert "查验结果：缺页" in page.locator(".flash-success").inner_text()
    returned = page.locator("#history tr[data-loan='2']")
    assert "已归还，缺页" in returned.inner_text() and "缺第 2 页" in returned.inner_text()
    assert page.locator("#loan-2").count() == 0
    _shot(page, tmp_path, "paper-06-returned")

    # 清点 from the home page: count cabinet C-1 with the move-in form not found.
    page.click("a.brand")
    page.wait_for_url(f"{base}/")
    page.click("ul.links a:text-is('清点')")
    page.wait_for_url(f"{base}/paper/inventory")
    page.click("#cabinets a:text-is('C-1')")
    page.wait_for_url(f"{base}/paper/inventory?cabinet=C-1")
    page.check(f"#missing-{shelf['move_in']}")
    page.fill("#extra", "无标签收据一张")
    _shot(page, tmp_path, "paper-07-count-form")
    page.click("#count-form button[type=submit]")
    page.wait_for_url(f"{base}/paper/inventory?cabinet=C-1")
    assert "2 项差异待处理" in page.locator(".flash-warning").inner_text()
    rows = page.locator("#differences tr.difference")
    assert rows.count() == 2 and "入住登记表" in rows.nth(0).inner_text()
    _shot(page, tmp_path, "paper-08-differences")
    rows.nth(0).locator("input[name=note]").fill("在 B-03 盒找到，已归位")
    rows.nth(0).locator("button").click()
    page.wait_for_url(f"{base}/paper/inventory?cabinet=C-1")
    assert "已处理" in page.locator(".flash-success").inner_text()
    assert page.locator("#differences tr.difference").count() == 1
    assert "在 B-03 盒找到，已归位" in page.locator("#count-history").inner_text()
    _shot(page, tmp_path, "paper-09-resolved")

    # An auditor reads both pages and changes nothing.
    page.click("text=退出")
    page.wait_for_url(f"{base}/login")
    _login(page, base, "auditor")
    page.click("nav.mainnav a:text-is('清点')")
    page.click("#cabinets a:text-is('C-1')")
    page.wait_for_url(f"{base}/paper/inventory?cabinet=C-1")
    assert page.locator("#count-form").count() == 0 and page.locator(".resolve-form").count() == 0
    assert "入住登记表" in page.locator("#ledger").inner_text()
    _shot(page, tmp_path, "paper-10-auditor-inventory")
    page.click("nav.mainnav a:text-is('借阅')")
    page.wait_for_url(f"{base}/paper/loans")
    assert page.locator("#lend-form").count() == 0 and page.locator(".loan-actions").count() == 0
    assert "电话：答应周五送回" in page.locator("#loan-1").inner_text()
    _shot(page, tmp_path, "paper-11-auditor-loans")

    assert problems == []
    context.close()
