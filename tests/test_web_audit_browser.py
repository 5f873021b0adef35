"""The auditor's page in the real browser: start a run (the worker runs it beside the server),
read a failure, open the document's fixity history. Screenshots go to /tmp/dossier-shots/ for a
human to look at."""

from __future__ import annotations

import pytest

from dossier.archive import Archive
from tests.audit_helpers import flip_byte, original_key
from tests.jobs_helpers import worker  # noqa: F401 - fixture
from tests.test_web_browser import _login, _shot, browser, web_server  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


def test_auditor_runs_a_check_and_follows_a_failure(
    web_server,
    browser,
    web_archive,
    web_search_docs,
    worker,  # noqa: F811
    tmp_path,
):
    base = web_server
    fund = web_search_docs.ids["fund"]
    archive = Archive(web_archive.settings)
    flip_byte(archive, original_key(archive, fund))
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))

    _login(page, base, "auditor")
    page.click("nav.mainnav a:has-text('审计')")
    page.wait_for_url(f"{base}/audit")
    assert "尚未进行检测" in page.inner_text("main")
    page.click("#start-audit button[type=submit]")
    page.wait_for_url(f"{base}/audit")
    # The page follows the job and reloads when it is done; the result link opens the run.
    page.locator(".job-card[data-job-status=done] a[data-role=result]").click(timeout=60_000)
    page.wait_for_url(f"{base}/audit/runs/*")
    assert page.locator("#properties .stat").count() == 4
    assert page.locator("#properties .stat-fail").count() >= 1
    row = page.locator(f"#failures tr:has(a[href='/audit/documents/{fund}'])")
    assert "原件可解密且未被改动" in row.first.inner_text()
    _shot(page, tmp_path, "60-audit-run")

    row.first.locator("a").click()
    page.wait_for_url(f"{base}/audit/documents/{fund}")
    assert page.locator("#history tbody tr").count() >= 8
    assert "未通过" in page.locator("#history").inner_text()
    _shot(page, tmp_path, "61-audit-history")

    page.click("text=返回审计首页")
    page.wait_for_url(f"{base}/audit")
    assert page.locator("#audit-runs tbody tr").count() == 1
    _shot(page, tmp_path, "62-audit-index")

    # The access log: the auditor's own visits are there; filter to refusals.
    page.click("#accesslog-link")
    page.wait_for_url(f"{base}/audit/access-log")
    assert page.locator("#access-log tbody tr").count() >= 1
    page.fill("#user", "auditor")
    page.select_option("#outcome", "ok")
    page.click("#accesslog-filter button[type=submit]")
    page.wait_for_url(f"{base}/audit/access-log?*")
    users = page.locator("#access-log tbody tr td:nth-child(2)")
    assert set(users.all_inner_texts()) == {"吴审计"}  # by 姓名, the username as its tooltip
    assert users.first.locator(".person").get_attribute("title") == "auditor"
    assert page.locator("#export-csv").get_attribute("href").startswith("/audit/access-log/export.csv?")
    _shot(page, tmp_path, "63-access-log")
    assert problems == []
    context.close()
