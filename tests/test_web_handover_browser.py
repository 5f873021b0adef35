"""移交与接收 in the browser, with the real worker beside the server: an administrator opens the
page from the home page, hands a household over (confirming first), follows the job's progress card,
downloads the package as a ZIP, then uploads a copy with one byte of an original changed and
reads the refusal report. At 1366 and 390 px wide; nothing wider than the window.

Screenshots go to /tmp/dossier-shots/handover-*.png.
"""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from tests.english import english_sentences
from tests.jobs_helpers import worker  # noqa: F401 - the fixture
from tests.test_web_browser import SHOTS, browser, web_server  # noqa: F401 - fixtures
from tests.test_web_handover import HOUSEHOLD, flip_a_byte_of_an_original, sender  # noqa: F401 - fixture
from tests.web_fixtures import WEB_ADMIN_PASSWORD

pytestmark = pytest.mark.browser

WIDTHS = {"desk": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def _shot(page, tmp_path: Path, name: str) -> None:
    path = tmp_path / f"handover-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SHOTS / path.name)


def _fits(page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width}px wide"


def _no_english(page) -> None:
    found = english_sentences(page.locator("body").inner_text(), allowed=("admin", "dossier"))
    assert not found, found


def _login(page, base: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", WEB_ADMIN_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def _wait_for_finished_card(page, timeout: float = 90_000) -> None:
    """Until the page (which reloads when its job ends) shows a finished job's card."""
    page.wait_for_function(
        "() => { const c = document.querySelector('.job-card');"
        " return !!c && ['done', 'failed'].includes(c.getAttribute('data-job-status')); }",
        timeout=timeout,
    )


def test_an_admin_hands_a_household_over_and_a_changed_package_is_refused(
    web_server,  # noqa: F811
    browser,  # noqa: F811
    sender,  # noqa: F811
    worker,  # noqa: F811
    tmp_path,
):
    base = web_server
    context = browser.new_context(viewport=WIDTHS["desk"], locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    _login(page, base)

    page.click("#handover-link a")  # on the home page (and under 系统管理)
    page.wait_for_url(f"{base}/handover")
    assert "active" in (page.locator("nav.mainnav >> text=系统管理").get_attribute("class") or "")
    _shot(page, tmp_path, "01-empty")
    _no_english(page)

    # 移交: the household's code, a confirmation, then the job in the background.
    page.fill("#export-households", HOUSEHOLD)
    page.click("#export-form button[type=submit]")
    dialog = page.locator("#confirm-export")
    assert dialog.is_visible() and "个人信息" in dialog.inner_text()
    _shot(page, tmp_path, "02-confirm")
    dialog.locator("[data-role=confirm-ok]").click()
    page.wait_for_url(f"{base}/handover")
    assert "移交包开始生成" in page.locator(".flash-success").inner_text()
    _wait_for_finished_card(page)
    card = page.locator(".job-card").first
    assert card.get_attribute("data-job-status") == "done", card.inner_text()
    assert "移交包已生成" in card.inner_text()
    row = page.locator("#handovers tbody tr").first
    assert "已生成" in row.inner_text() and HOUSEHOLD in row.inner_text()
    _shot(page, tmp_path, "03-exported")

    with page.expect_download() as caught:
        row.locator("a[data-role=package-zip]").click()
    download = caught.value
    assert download.suggested_filename.endswith(".zip")
    saved = tmp_path / "package.zip"
    download.save_as(saved)
    data = saved.read_bytes()
    infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    assert infos and all(i.compress_type == zipfile.ZIP_STORED for i in infos)

    # 接收: the same package with one byte of an original changed is refused, item by item.
    changed = tmp_path / "changed.zip"
    changed.write_bytes(flip_a_byte_of_an_original(data))
    page.set_input_files("#import-package", str(changed))
    page.click("#import-form button[type=submit]")
    page.wait_for_url(f"{base}/handover")
    _wait_for_finished_card(page)
    card = page.locator(".job-card").first
    assert card.get_attribute("data-job-status") == "failed"
    assert "拒收" in card.inner_text()
    _shot(page, tmp_path, "04-refused-card")
    card.locator("a[data-role=result]").click()
    page.wait_for_url(re.compile(rf"{base}/handover/\d+$"))
    assert "拒收" in page.locator("#handover-verdict").inner_text()
    assert "未通过" in page.locator("#handover-checks").inner_text()
    assert page.locator("#handover-findings li").count() >= 1
    _no_english(page)
    _shot(page, tmp_path, "05-report-desk")
    report_url = page.url

    # At phone width: the list and the report fit the window.
    for path, name in (("/handover", "06-list-phone"), (report_url.removeprefix(base), "07-report-phone")):
        page.set_viewport_size(WIDTHS["phone"])
        page.goto(f"{base}{path}")
        _fits(page)
        _shot(page, tmp_path, name)
    assert problems == []
    context.close()
