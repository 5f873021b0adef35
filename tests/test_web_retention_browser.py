"""档案销毁 in the real browser: an archivist proposes a destruction list, a retention officer
strikes one item and approves, the archivist executes it and opens the certificate.

Screenshots go to /tmp/dossier-shots/ (due list, review, executed list, certificate).
"""

from __future__ import annotations

import pytest

from tests.jobs_helpers import worker  # noqa: F401 - fixture
from tests.test_web_browser import _login, _shot, browser, desk_page, web_server  # noqa: F401 - fixtures
from tests.test_web_retention import due_docs  # noqa: F401 - fixture

pytestmark = pytest.mark.browser


def _logout(page, base):
    page.click("text=退出")
    page.wait_for_url(f"{base}/login")


def test_propose_review_approve_execute(web_server, browser, web_archive, due_docs, worker, tmp_path):
    base = web_server
    context, page, problems = desk_page(browser)

    # The archivist sees what is due and draws up a list.
    _login(page, base, "archivist")
    assert page.locator("#due-now-count").inner_text() == "3"
    page.click("nav.mainnav >> text=档案销毁")
    page.wait_for_url(f"{base}/retention")
    assert page.locator("#due-total").inner_text() == "共 3 件到期"
    assert page.locator("#due tbody tr").count() == 3
    _shot(page, tmp_path, "retention-01-due")
    page.click("#propose-form button")
    page.wait_for_url(f"{base}/retention/lists/*")
    number = page.locator("#list-number").inner_text()
    assert "已编制销毁清册" in page.locator(".flash-success").inner_text()
    assert page.locator("#approve-form").count() == 0
    _logout(page, base)

    # A retention officer reviews: strikes one item with a reason, approves the rest.
    _login(page, base, "officer")
    page.click("nav.mainnav >> text=档案销毁")
    page.click(".subnav >> text=销毁清册")
    page.wait_for_url(f"{base}/retention/lists")
    page.click(f"#lists-proposed >> text={number}")
    page.wait_for_url(f"{base}/retention/lists/{number}")
    row = page.locator(f"#items tr[data-document='{due_docs['keys']}']")
    row.locator("input[name=reason]").fill("业主对钥匙领用有争议")
    row.locator("input[name=extend_years]").fill("2")
    row.locator("button[type=submit]").click()
    page.wait_for_url(f"{base}/retention/lists/{number}")
    assert (
        "业主对钥匙领用有争议" in page.locator(f"#items tr[data-document='{due_docs['keys']}']").inner_text()
    )
    assert page.locator("#count-struck").inner_text() == "1"
    _shot(page, tmp_path, "retention-02-review")
    page.click("#approve-form button")
    page.click("#confirm-approve button[value=ok]")  # approving asks first
    page.wait_for_selector(".flash-success")
    assert page.locator("#list-status").inner_text() == "已批准"
    _logout(page, base)

    # The archivist executes; the list shows what was destroyed, then the certificate.
    _login(page, base, "archivist")
    page.goto(f"{base}/retention/lists/{number}")
    page.fill("#confirm_number", number)  # the list's number typed again confirms it
    page.click("#execute-form button")
    page.wait_for_selector(".job-card")
    # The worker destroys item by item; the page follows the job and reloads when it is done.
    page.wait_for_selector(".job-card[data-job-status=done]", timeout=60_000)
    page.wait_for_load_state()
    page.wait_for_function("document.querySelector('#list-status').textContent.trim() === '已销毁'")
    assert "本次销毁电子文件 2 件" in page.locator(".job-card").inner_text()
    assert page.locator("#count-destroyed").inner_text() == "2"
    assert page.locator("#items .st-destroyed").count() == 2
    _shot(page, tmp_path, "retention-03-executed")
    page.click("#certificate-link")
    page.wait_for_url(f"{base}/retention/lists/{number}/certificate")
    facts = page.locator("#cert-facts").inner_text()
    assert number in facts and "周经理" in facts and "2 条（序号 1–2）" in facts
    _shot(page, tmp_path, "retention-04-certificate")
    page.emulate_media(media="print")
    assert not page.locator("header.topbar").is_visible()
    page.emulate_media(media="screen")

    page.goto(f"{base}/documents/{due_docs['repair']}")
    assert "此文件已按保管期限销毁" in page.locator("#viewer").inner_text()
    assert number in page.locator("#destroyed-facts").inner_text()
    _shot(page, tmp_path, "retention-05-tombstone")

    # A hold from the holds page keeps the last due document off the next list.
    page.goto(f"{base}/retention/holds")
    page.fill("#hold-form input[name=household]", "S-101")
    page.fill("#hold-form input[name=reason]", "产权纠纷，法院诉讼中")
    page.click("#hold-form button[type=submit]")
    page.wait_for_url(f"{base}/retention/holds")
    assert "产权纠纷，法院诉讼中" in page.locator("#holds").inner_text()
    _shot(page, tmp_path, "retention-06-holds")
    assert problems == []
    context.close()
