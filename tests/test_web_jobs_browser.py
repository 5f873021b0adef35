"""Auditors' and retention officers' jobs in the browser, with the real worker beside the server
(``dossier worker``, as ``make run`` starts it): an audit run followed to its report; a list
approved after its confirmation, executed by typing its number, followed to its certificate;
paper destruction confirmed; the shredding log read and verified.

Screenshots go to /tmp/dossier-shots/jobs-*.png.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.jobs_helpers import worker  # noqa: F401 - the fixture
from tests.test_web_browser import SHOTS, browser, desk_page, web_server  # noqa: F401 - fixtures
from tests.test_web_retention import due_docs  # noqa: F401 - the fixture
from tests.web_fixtures import web_password

pytestmark = pytest.mark.browser


def _shot(page, tmp_path: Path, name: str) -> None:
    path = tmp_path / f"jobs-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SHOTS / path.name)


def _login(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", web_password(username))
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def _wait_for_text(page, selector: str, text: str, timeout: float = 60_000) -> None:
    """Until the element shows ``text`` (the page polls the job and reloads when it ends)."""
    page.wait_for_function(
        "([sel, text]) => { const el = document.querySelector(sel); return !!el && el.textContent.includes(text); }",
        arg=[selector, text],
        timeout=timeout,
    )


def test_an_audit_run_in_the_background(web_server, browser, worker, web_archive, tmp_path):  # noqa: F811
    base = web_server
    context, page, problems = desk_page(browser)
    _login(page, base, "auditor")
    page.click("nav.mainnav >> text=审计")
    page.wait_for_url(f"{base}/audit")
    page.click("#start-audit button[type=submit]")
    page.wait_for_url(f"{base}/audit")
    assert "检测已开始" in page.locator(".flash-success").inner_text()
    card = page.locator(".job-card").first
    assert card.locator("progress").count() == 1 and "档案检测" in card.inner_text()
    _shot(page, tmp_path, "01-audit-started")
    _wait_for_text(page, "#audit-runs", "全库")  # the page reloads when the job ends
    card = page.locator(".job-card").first
    assert card.get_attribute("data-job-status") == "done"
    assert card.locator("progress").get_attribute("value") == "100.0"
    assert "检测完成：共检测 3 件文件" in card.inner_text()
    assert "dossier audit verify" not in page.content() and "服务器" not in page.content()
    _shot(page, tmp_path, "02-audit-done")
    card.locator("a[data-role=result]").click()
    page.wait_for_url(re.compile(rf"{base}/audit/runs/\d+$"))
    assert "真实性" in page.content()
    _shot(page, tmp_path, "03-audit-report")
    assert problems == []
    context.close()


def test_destruction_confirmed_and_executed_in_the_background(
    web_server,  # noqa: F811
    browser,  # noqa: F811
    worker,
    web_archive,
    due_docs,  # noqa: F811
    tmp_path,
):
    base = web_server
    context, page, problems = desk_page(browser)
    _login(page, base, "archivist")
    page.goto(f"{base}/retention")
    page.click("#propose-form button[type=submit]")
    page.wait_for_url(re.compile(rf"{base}/retention/lists/[\w-]+$"))
    number = page.locator("#list-number").inner_text().strip()

    # The reviewer approves after a confirmation; 取消 leaves the list as it was.
    _login(page, base, "officer")
    page.goto(f"{base}/retention/lists/{number}")
    page.click("#approve-form button[type=submit]")
    dialog = page.locator("#confirm-approve")
    dialog.wait_for(state="visible")
    assert f"批准销毁清册 {number}？" in dialog.inner_text()
    _shot(page, tmp_path, "04-approve-confirm")
    dialog.locator("button[value=cancel]").click()
    assert page.locator("#list-status").inner_text() == "待审核"
    page.click("#approve-form button[type=submit]")
    page.click("#confirm-approve button[value=ok]")
    page.wait_for_selector("#execute-form, .flash-success")
    assert page.locator("#list-status").inner_text() == "已批准"

    # Execution waits for the list's number typed again.
    _login(page, base, "archivist")
    page.goto(f"{base}/retention/lists/{number}")
    button = page.locator("#execute-form button[type=submit]")
    assert button.is_disabled()
    page.fill("#confirm_number", "2000-001")
    assert button.is_disabled()
    page.fill("#confirm_number", number)
    assert button.is_enabled()
    _shot(page, tmp_path, "05-execute-typed")
    button.click()
    page.wait_for_selector(".job-card")
    assert "已开始执行销毁" in page.locator(".flash-success").inner_text()
    _shot(page, tmp_path, "06-execute-running")
    _wait_for_text(page, "#list-status", "已销毁")
    card = page.locator(".job-card")
    assert "本次销毁电子文件 3 件" in card.inner_text()
    _shot(page, tmp_path, "07-execute-done")

    # Paper originals: recorded after a confirmation.
    page.fill("#paper-form input[name=shredded_by]", "陈档案")
    page.fill("#paper-form input[name=witness_1]", "周经理")
    page.fill("#paper-form input[name=witness_2]", "吴审计")
    page.click("#paper-form button[type=submit]")
    page.locator("#confirm-paper").wait_for(state="visible")
    _shot(page, tmp_path, "08-paper-confirm")
    page.click("#confirm-paper button[value=ok]")
    page.wait_for_selector(".flash-success")
    assert "已登记 1 件纸质原件的销毁" in page.locator(".flash-success").inner_text()

    card = page.locator(".job-card")
    card.locator("a[data-role=result]").click()
    page.wait_for_url(f"{base}/retention/lists/{number}/certificate")
    assert "档案销毁证明" in page.content()
    _shot(page, tmp_path, "09-certificate")

    # The auditor reads the shredding log and verifies it.
    _login(page, base, "auditor")
    page.goto(f"{base}/retention")
    page.click("#shredlog-link")
    page.wait_for_url(f"{base}/retention/shredlog")
    assert page.locator("#entries tr[data-seq]").count() == 4
    assert page.locator(f'#ranges tr[data-list="{number}"]').inner_text().count("相符") == 1
    page.click("#verify-button")
    page.wait_for_url(f"{base}/retention/shredlog?verify=1")
    assert page.locator("#verify-result").inner_text().startswith("销毁记录完整：共 4 条")
    _shot(page, tmp_path, "10-shredlog-verified")
    assert problems == []
    context.close()
