"""The real app on waitress, driven through Debian's chromium with playwright.

Screenshots go to the test's tmp dir and, for a human to look at, to /tmp/dossier-shots/.
"""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest

from tests.serving import running
from tests.web_fixtures import WEB_ID_NUMBER, WEB_ID_NUMBER_MASKED, web_password

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path("/tmp/dossier-shots")


@pytest.fixture
def web_server(web_archive):
    """The app served by waitress on a free loopback port, in a thread; yields the base URL."""
    from waitress.server import create_server

    from webapp import create_app

    app = create_app(web_archive.settings)
    server = create_server(app, host="127.0.0.1", port=0, threads=4, ident="dossier-test")
    with running(server) as port:
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass
        yield f"http://127.0.0.1:{port}"


def chromium():
    """Debian's chromium driven by Playwright (its own browser download cannot work here)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser():
    yield from chromium()


def _shot(page, tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SHOTS / path.name)


def desk_page(browser):
    """A desk-sized page in a new context, and the list its console errors and page errors go to."""
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    return context, page, problems


def _login(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", web_password(username))
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_archivist_and_staff_in_the_browser(web_server, browser, web_archive, tmp_path):
    base = web_server
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))

    page.goto(f"{base}/households")
    assert page.url.startswith(f"{base}/login")
    assert page.title().startswith("登录")
    _shot(page, tmp_path, "01-login")

    # A wrong password: one sentence, not which part was wrong.
    page.fill("input[name=username]", "archivist")
    page.fill("input[name=password]", "not-the-password")
    page.click("button[type=submit]")
    assert page.locator(".flash-error").inner_text() == "用户名或密码错误"

    _login(page, base, "archivist")
    assert page.locator(".who").inner_text().count("档案管理员") == 1
    _shot(page, tmp_path, "02-dashboard")

    page.click("nav.mainnav >> text=业户档案")
    page.wait_for_url(f"{base}/households")
    assert page.locator("tr[data-code]").count() == 3
    # The completeness bar is sized by the static script (no inline styles under the CSP).
    width = page.locator("tr[data-code='A-1-0101'] .meter-bar").evaluate("el => el.style.width")
    assert width == "60%"
    _shot(page, tmp_path, "03-households")

    page.fill("input[name=community]", "阳光花园")
    page.fill("input[name=floor]", "12")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/households?*")
    assert [
        c for c in page.locator("tr[data-code]").evaluate_all("rows => rows.map(r => r.dataset.code)")
    ] == ["A-1-1201"]
    page.click("text=清除")

    # Open a new folder from the form.
    page.click("summary:has-text('新建业户档案')")
    page.fill("#new-household input[name=code]", "B-2-0303")
    page.fill("#new-household input[name=community]", "阳光花园")
    page.fill("#new-household input[name=area]", "96.4")
    page.fill("#new-household input[name=owner]", "赵六")
    page.fill("#new-household input[name=phone]", "13900139000")
    page.fill("#new-household input[name=id_number]", "110101200001011234")
    _shot(page, tmp_path, "04-new-household-form")
    page.click("#new-household button[type=submit]")
    page.wait_for_url(f"{base}/households/*")
    assert "已建档：B-2-0303" in page.locator(".flash-success").inner_text()
    assert page.locator("#catalog .tick.no").count() == 5
    assert page.locator("#completeness").inner_text() == "0%"
    assert "110101200001011234" in page.locator("#parties").inner_text()

    # The folder with documents: catalog ticks and completeness.
    page.goto(f"{base}/households/{web_archive.households['A-1-0101']}")
    assert page.locator("#catalog .tick.yes").count() == 3
    assert page.locator("#catalog .tick.no").count() == 2
    assert page.locator("#completeness").inner_text() == "60%"
    assert WEB_ID_NUMBER in page.locator("#parties").inner_text()
    assert web_archive.confidential_title in page.locator("#documents").inner_text()
    _shot(page, tmp_path, "05-folder-archivist")

    page.click("text=退出")
    page.wait_for_url(f"{base}/login")
    assert "您已安全退出" in page.content()

    # Staff: the ID number is masked and the confidential document is not listed.
    _login(page, base, "staff")
    assert page.locator("nav.mainnav").inner_text().count("系统管理") == 0
    page.goto(f"{base}/households/{web_archive.households['A-1-0101']}")
    parties = page.locator("#parties").inner_text()
    assert WEB_ID_NUMBER_MASKED in parties and WEB_ID_NUMBER not in parties
    assert web_archive.confidential_title not in page.locator("#documents").inner_text()
    _shot(page, tmp_path, "06-folder-staff")
    response = page.goto(f"{base}/admin")
    assert response.status == 403
    assert "无权访问" in page.content()
    _shot(page, tmp_path, "07-forbidden")
    context.close()

    # The admin page.
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    page = context.new_page()
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.goto(f"{base}/login")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "admin-password-1")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    page.click("nav.mainnav >> text=系统管理")
    page.wait_for_url(f"{base}/admin")
    _shot(page, tmp_path, "08-admin")
    context.close()

    # No CSP violations, no script errors (the refused /admin visit above is the one expected 403).
    assert [p for p in problems if "status of 403" not in p] == []
