"""Accounts in the real browser: the administrator changes their own password from the top bar's
修改密码 link and signs in with it; then, on a user's page under 系统管理, sets 姓名 and role,
resets the password, disables (after confirming) and re-enables the user, and creates and
revokes an API token (the revoked token gets 401 from the API).

Screenshots go to /tmp/dossier-shots/accounts-*.png.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from tests.test_web_browser import _login, _shot, browser, desk_page, web_server  # noqa: F401 - fixtures
from tests.web_fixtures import WEB_ADMIN_PASSWORD

pytestmark = pytest.mark.browser

NEW_PASSWORD = "lantern-orchid-2931-quay"


def _api_status(base: str, token: str) -> int:
    request = urllib.request.Request(
        f"{base}/api/v1/households", headers={"Authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            json.load(response)
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _sign_in(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def test_admin_changes_own_password_from_the_top_bar(web_server, browser, tmp_path):
    base = web_server
    context, page, problems = desk_page(browser)
    _login(page, base, "admin")
    page.click(".who >> text=修改密码")
    page.wait_for_url(f"{base}/account/password")
    assert page.locator("h1").inner_text() == "修改密码"

    page.fill("input[name=current_password]", WEB_ADMIN_PASSWORD)
    page.fill("input[name=new_password]", NEW_PASSWORD)
    page.fill("input[name=new_password_again]", NEW_PASSWORD + "x")
    page.click("#password-form button[type=submit]")
    assert "两次输入的新密码不一致" in page.locator(".field-error").inner_text()
    page.fill("input[name=current_password]", WEB_ADMIN_PASSWORD)
    page.fill("input[name=new_password]", NEW_PASSWORD)
    page.fill("input[name=new_password_again]", NEW_PASSWORD)
    _shot(page, tmp_path, "accounts-01-password")
    page.click("#password-form button[type=submit]")
    page.wait_for_url(f"{base}/login")
    assert "密码已修改，请用新密码重新登录" in page.locator(".flash-success").inner_text()
    _shot(page, tmp_path, "accounts-02-signed-out")

    _sign_in(page, base, "admin", WEB_ADMIN_PASSWORD)  # the old one no longer works
    assert page.locator(".flash-error").inner_text() == "用户名或密码错误"
    _sign_in(page, base, "admin", NEW_PASSWORD)
    page.wait_for_url(f"{base}/")
    assert "管理处经理" in page.locator(".who").inner_text()
    # The refused form came back as a 400 page (which the console reports); nothing else.
    assert [p for p in problems if "status of 400" not in p] == []
    context.close()


def test_admin_manages_a_user(web_server, browser, web_archive, tmp_path):
    base = web_server
    context, page, problems = desk_page(browser)
    _login(page, base, "admin")
    page.click("nav.mainnav >> text=系统管理")
    page.wait_for_url(f"{base}/admin")
    _shot(page, tmp_path, "accounts-00-admin")
    page.click("#users a[href='/admin/users/staff']")
    page.wait_for_url(f"{base}/admin/users/staff")

    # 姓名 and role.
    page.fill("#profile input[name=display_name]", "林晓")
    page.select_option("#profile select[name=role]", "archivist")
    page.click("#profile button[type=submit]")
    page.wait_for_url(f"{base}/admin/users/staff")
    assert "已保存 staff 的姓名和角色" in page.locator(".flash-success").inner_text()
    assert page.locator("h1").inner_text().startswith("林晓")
    assert page.locator(".head-badges").inner_text().startswith("档案管理员")

    # Reset the password (generated, shown once); the user signs in with it.
    page.click("#password button[type=submit]")
    page.wait_for_url(f"{base}/admin/users/staff/password")
    password = page.locator("#secret code.secret").inner_text()
    assert len(password) >= 10
    _shot(page, tmp_path, "accounts-03-reset")
    other_context, other, _ = desk_page(browser)
    _sign_in(other, base, "staff", password)
    other.wait_for_url(f"{base}/")
    assert "林晓" in other.locator(".who").inner_text()

    # A token: created (shown once), works, revoked after confirming, then refused.
    page.goto(f"{base}/admin/users/staff")
    page.fill("#tokens input[name=name]", "收费系统")
    page.click("#tokens .token-form button[type=submit]")
    token = page.locator("#secret code.secret").inner_text()
    assert token.startswith("dos_")
    assert _api_status(base, token) == 200
    row = page.locator(f"#tokens tr[data-token='{token[:10]}']")
    assert "收费系统" in row.inner_text() and "有效" in row.inner_text()
    row.locator("summary").click()
    assert row.locator(".confirm-box").is_visible()
    _shot(page, tmp_path, "accounts-04-token-revoke-confirm")
    row.locator(".confirm-box button[type=submit]").click()
    page.wait_for_url(f"{base}/admin/users/staff#tokens")
    assert "已吊销令牌" in page.locator(".flash-success").inner_text()
    assert "已吊销" in page.locator(f"#tokens tr[data-token='{token[:10]}']").inner_text()
    assert _api_status(base, token) == 401

    # Disable (after confirming): the user is signed out and cannot sign in; enable again.
    assert not page.locator("#disable-confirm .confirm-box").is_visible()
    page.click("#disable-confirm summary")
    assert "确定停用 林晓（staff）吗？" in page.locator("#disable-confirm .confirm-box").inner_text()
    _shot(page, tmp_path, "accounts-05-disable-confirm")
    page.click("#disable-confirm button[type=submit]")
    page.wait_for_url(f"{base}/admin/users/staff")
    assert "已停用用户 staff" in page.locator(".flash-success").inner_text()
    assert _api_status(base, web_archive.tokens["staff"]) == 401
    other.goto(f"{base}/households")
    assert other.url.startswith(f"{base}/login")
    _sign_in(other, base, "staff", password)
    assert other.locator(".flash-error").inner_text() == "用户名或密码错误"
    page.click("#status button[type=submit]")
    page.wait_for_url(f"{base}/admin/users/staff")
    assert "已启用用户 staff" in page.locator(".flash-success").inner_text()
    _sign_in(other, base, "staff", password)
    other.wait_for_url(f"{base}/")

    # The last sign-ins, in Beijing time, with the address.
    page.reload()
    logins = page.locator("#logins tbody tr")
    assert logins.count() >= 3 and "127.0.0.1" in logins.first.inner_text()
    assert logins.nth(1).locator(".badge").inner_text() == "失败"
    _shot(page, tmp_path, "accounts-06-user-page")
    assert problems == []
    other_context.close()
    context.close()
