"""Accounts: one's own password (修改密码), the administrator's page about a user (姓名, role,
reset, disable / enable, last sign-ins, API tokens), the service's rules and the CLI's parity."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from dossier.actor import Actor
from dossier.archive import Archive
from dossier.errors import InvalidInput, NotFound, PermissionDenied
from dossier.models import AccessAction, AccessEvent, Channel, User, WebSession
from dossier.services import users as svc
from tests.web_fixtures import WEB_ADMIN_PASSWORD, web_csrf_token, web_password

NEW_PASSWORD = "lantern-orchid-2931-quay"


def text(response) -> str:
    return response.get_data(as_text=True)


def logged(web_archive, action: AccessAction) -> list[AccessEvent]:
    with Archive(web_archive.settings).session() as session:
        query = select(AccessEvent).where(AccessEvent.action == action).order_by(AccessEvent.seq)
        return list(session.scalars(query))


def _user(session, username: str) -> User:
    return session.scalar(select(User).where(User.username == username))


def _actor(session, username: str) -> Actor:
    return Actor.from_user(_user(session, username), Channel.WEB, "10.0.0.9")


def _sessions_of(web_archive, username: str) -> int:
    with Archive(web_archive.settings).session() as session:
        user = _user(session, username)
        return len(session.scalars(select(WebSession).where(WebSession.user_id == user.id)).all())


# --- the service -------------------------------------------------------------------------------


def test_the_last_active_admin_is_kept(web_archive):
    archive = Archive(web_archive.settings)
    with archive.session() as session:
        admin = _actor(session, "admin")
        with pytest.raises(InvalidInput, match="唯一启用中的管理处经理"):
            svc.set_profile(session, admin, "admin", role="staff")
        with pytest.raises(InvalidInput, match="不能停用自己的账号"):
            svc.set_active(session, admin, "admin", False)
        with pytest.raises(InvalidInput, match="唯一启用中的管理处经理"):
            svc.set_active(session, Actor.console(), "admin", False)
        # With a second administrator, the first may step down (and is then no longer one).
        svc.set_profile(session, admin, "officer", role="admin")
        assert svc.set_profile(session, admin, "admin", role="archivist") == {"role": ["admin", "archivist"]}
        session.commit()
    with archive.session() as session:
        officer = _actor(session, "officer")
        with pytest.raises(InvalidInput, match="唯一启用中的管理处经理"):
            svc.set_profile(session, officer, "officer", role="auditor")
        with pytest.raises(PermissionDenied):
            svc.set_profile(session, _actor(session, "admin"), "staff", display_name="x")


def test_profile_changes_are_logged_and_checked(web_archive):
    archive = Archive(web_archive.settings)
    with archive.session() as session:
        admin = _actor(session, "admin")
        changes = svc.set_profile(session, admin, "staff", display_name="  林晓客服 ", role="archivist")
        assert changes == {"display_name": ["林客服", "林晓客服"], "role": ["staff", "archivist"]}
        assert svc.set_profile(session, admin, "staff", display_name="林晓客服") == {}
        with pytest.raises(InvalidInput, match="姓名不能超过"):
            svc.set_profile(session, admin, "staff", display_name="长" * 129)
        with pytest.raises(InvalidInput) as refused:
            svc.set_profile(session, admin, "staff", role="janitor")
        assert refused.value.code == "role.unknown"
        with pytest.raises(NotFound, match="没有用户名为 ghost 的用户"):
            svc.set_profile(session, admin, "ghost", role="staff")
        session.commit()
    (entry,) = logged(web_archive, AccessAction.USER_UPDATE)
    assert entry.username == "admin" and entry.client_addr == "10.0.0.9"
    assert json.loads(entry.detail) == {
        "user": "staff",
        "display_name": ["林客服", "林晓客服"],
        "role": ["staff", "archivist"],
    }


def test_own_password_change_needs_the_current_one(web_archive):
    archive = Archive(web_archive.settings)
    with archive.session() as session:
        staff = _actor(session, "staff")
        with pytest.raises(InvalidInput, match="当前密码不正确"):
            svc.change_own_password(session, staff, "not-my-password", NEW_PASSWORD)
        with pytest.raises(InvalidInput, match="太容易被猜到"):
            svc.change_own_password(session, staff, web_password("staff"), "password123")
        with pytest.raises(InvalidInput, match="不能与当前密码相同"):
            svc.change_own_password(session, staff, web_password("staff"), web_password("staff"))
        with pytest.raises(PermissionDenied):
            svc.change_own_password(session, Actor.console(), WEB_ADMIN_PASSWORD, NEW_PASSWORD)
        svc.change_own_password(session, staff, web_password("staff"), NEW_PASSWORD)
        session.commit()
    with archive.session() as session:
        assert svc.authenticate(session, "staff", NEW_PASSWORD) is not None
        assert svc.authenticate(session, "staff", web_password("staff")) is None
    refused, done = logged(web_archive, AccessAction.PASSWORD_CHANGE)
    assert refused.outcome == "denied" and done.outcome == "ok" and done.username == "staff"
    assert NEW_PASSWORD not in (done.detail or "") and "password" not in (refused.detail or "").replace(
        "password.change", ""
    )


def test_tokens_listed_and_revoked_by_id_or_prefix(web_archive):
    archive = Archive(web_archive.settings)
    with archive.session() as session:
        admin = _actor(session, "admin")
        first = svc.issue_token(session, admin, "archivist", "收费系统")
        second = svc.issue_token(session, admin, "archivist")
        with pytest.raises(InvalidInput, match="令牌用途不能超过"):
            svc.issue_token(session, admin, "archivist", "x" * 65)
        rows = svc.list_tokens(session, admin, "archivist")
        assert [r.prefix for r in rows[:2]] == [second[:10], first[:10]] and len(rows) == 3
        assert svc.revoke_token(session, admin, "archivist", first[:10] + "…").revoked_at is not None
        assert svc.revoke_token(session, admin, "archivist", str(rows[0].id)).prefix == second[:10]
        with pytest.raises(InvalidInput, match="已于先前吊销"):
            svc.revoke_token(session, admin, "archivist", first)
        with pytest.raises(NotFound):
            svc.revoke_token(session, admin, "staff", str(rows[0].id))  # another user's token
        session.commit()
    with archive.session() as session:
        assert svc.user_for_token(session, first) is None and svc.user_for_token(session, second) is None
        assert svc.user_for_token(session, web_archive.tokens["archivist"]).username == "archivist"
    created = logged(web_archive, AccessAction.TOKEN_CREATE)
    assert json.loads(created[-1].detail)["token"] == second[:10]
    assert all(first not in (e.detail or "") for e in created)
    assert len(logged(web_archive, AccessAction.TOKEN_REVOKE)) == 2


# --- the web: 修改密码 ---------------------------------------------------------------------------


def test_password_link_in_the_top_bar_for_every_role(web_client, web_login):
    for username in ("admin", "staff", "auditor"):
        web_login(web_client, username)
        page = text(web_client.get("/"))
        assert re.search(r'<div class="who">.*href="/account/password"[^>]*>修改密码</a>', page, re.S)
        assert web_client.get("/account/password").status_code == 200
        web_client.post("/logout")
    response = web_client.get("/account/password")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_changing_ones_password_on_the_web(web_csrf_client, web_login, web_archive):
    client = web_csrf_client
    web_login(client, "staff")
    other = web_csrf_client.application.test_client()
    web_login(other, "staff")
    assert _sessions_of(web_archive, "staff") == 2
    token = web_csrf_token(client, "/account/password")

    def change(current: str, new: str, again: str | None = None):
        return client.post(
            "/account/password",
            data={
                "csrf_token": token,
                "current_password": current,
                "new_password": new,
                "new_password_again": new if again is None else again,
            },
        )

    mismatch = change(web_password("staff"), NEW_PASSWORD, NEW_PASSWORD + "x")
    assert mismatch.status_code == 400 and "两次输入的新密码不一致" in text(mismatch)
    wrong = change("not-the-password", NEW_PASSWORD)
    assert wrong.status_code == 400 and "当前密码不正确" in text(wrong)
    weak = change(web_password("staff"), "qwerty12345")
    assert weak.status_code == 400 and "密码太容易被猜到" in text(weak)
    assert client.get("/").status_code == 200  # still signed in after the refusals
    no_csrf = client.post(
        "/account/password",
        data={"current_password": web_password("staff"), "new_password": NEW_PASSWORD},
    )
    assert no_csrf.status_code in (302, 400)

    done = change(web_password("staff"), NEW_PASSWORD)
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    assert "密码已修改，请用新密码重新登录" in text(client.get("/login"))
    assert _sessions_of(web_archive, "staff") == 0
    assert other.get("/").status_code == 302  # the other browser is signed out too
    assert web_login(client, "staff").status_code == 200  # the old password no longer works
    assert web_login(client, "staff", NEW_PASSWORD).status_code == 302
    assert client.get("/").status_code == 200
    assert [e.outcome for e in logged(web_archive, AccessAction.PASSWORD_CHANGE)] == ["denied", "ok"]


# --- the web: the administrator's page about a user --------------------------------------------


def test_admin_user_page_is_for_admins_only(web_client, web_login):
    web_login(web_client, "auditor")
    assert web_client.get("/admin/users/staff").status_code == 403
    assert web_client.post("/admin/users/staff/active", data={"active": "0"}).status_code == 403
    web_client.post("/logout")
    web_login(web_client, "admin")
    missing = web_client.get("/admin/users/ghost")
    assert missing.status_code == 404 and "没有用户名为 ghost 的用户" in text(missing)
    page = text(web_client.get("/admin"))
    assert 'href="/admin/users/staff"' in page


def test_admin_resets_a_password(web_client, web_login, web_archive):
    staff_client = web_client.application.test_client()
    web_login(staff_client, "staff")
    web_login(web_client, "admin")
    generated = web_client.post("/admin/users/staff/password", data={"password": ""})
    assert generated.status_code == 200
    password = re.search(r'<code class="secret">([^<]+)</code>', text(generated)).group(1)
    assert "只显示这一次" in text(generated)
    assert password not in text(web_client.get("/admin/users/staff"))  # shown once
    assert staff_client.get("/").status_code == 302  # signed out by the reset
    assert web_login(staff_client, "staff", password).status_code == 302

    weak = web_client.post("/admin/users/staff/password", data={"password": "12345678901"})
    assert weak.status_code == 400 and "密码太容易被猜到" in text(weak)
    typed = web_client.post("/admin/users/staff/password", data={"password": NEW_PASSWORD})
    assert typed.status_code == 302
    assert "已重置 staff 的密码" in text(web_client.get(typed.headers["Location"]))
    assert web_login(staff_client, "staff", NEW_PASSWORD).status_code == 302
    resets = logged(web_archive, AccessAction.PASSWORD_RESET)
    assert [json.loads(e.detail)["generated"] for e in resets] == [True, False]
    assert all(NEW_PASSWORD not in e.detail and password not in e.detail for e in resets)
    # Not one's own: that is the 修改密码 page.
    assert 'action="/admin/users/admin/password"' not in text(web_client.get("/admin/users/admin"))


def test_admin_disables_and_enables_a_user(web_client, web_login, web_archive):
    staff_client = web_client.application.test_client()
    web_login(staff_client, "staff")
    web_login(web_client, "admin")
    page = text(web_client.get("/admin/users/staff"))
    assert '<details class="confirm" id="disable-confirm">' in page and "确认停用" in page
    response = web_client.post("/admin/users/staff/active", data={"active": "0"})
    assert response.status_code == 302
    assert "已停用用户 staff" in text(web_client.get("/admin/users/staff"))
    assert staff_client.get("/").status_code == 302
    assert web_login(staff_client, "staff").status_code == 200  # may not sign in
    api = web_client.application.test_client()
    bearer = {"Authorization": f"Bearer {web_archive.tokens['staff']}"}
    assert api.get("/api/v1/households", headers=bearer).status_code == 401

    assert web_client.post("/admin/users/staff/active", data={"active": "1"}).status_code == 302
    assert web_login(staff_client, "staff").status_code == 302
    assert api.get("/api/v1/households", headers=bearer).status_code == 401  # tokens stay revoked
    (disabled,) = logged(web_archive, AccessAction.USER_DISABLE)
    assert json.loads(disabled.detail) == {"user": "staff", "tokens_revoked": 1}
    assert len(logged(web_archive, AccessAction.USER_ENABLE)) == 1

    self_page = text(web_client.get("/admin/users/admin"))
    assert "disable-confirm" not in self_page
    refused = web_client.post("/admin/users/admin/active", data={"active": "0"})
    assert refused.status_code == 400 and "不能停用自己的账号" in text(refused)
    with Archive(web_archive.settings).session() as session:
        assert _user(session, "admin").active


def test_admin_sets_name_and_role(web_client, web_login, web_archive):
    web_login(web_client, "admin")
    response = web_client.post(
        "/admin/users/staff/profile", data={"display_name": "林晓", "role": "archivist"}
    )
    assert response.status_code == 302
    assert "已保存 staff 的姓名和角色" in text(web_client.get("/admin/users/staff"))
    with Archive(web_archive.settings).session() as session:
        row = _user(session, "staff")
        assert (row.display_name, row.role) == ("林晓", "archivist")
    bad = web_client.post("/admin/users/staff/profile", data={"display_name": "", "role": "root"})
    assert bad.status_code == 400
    last = web_client.post("/admin/users/admin/profile", data={"display_name": "管理员", "role": "staff"})
    assert last.status_code == 400 and "唯一启用中的管理处经理" in text(last)
    with Archive(web_archive.settings).session() as session:
        assert _user(session, "admin").role == "admin"
    staff_client = web_client.application.test_client()
    web_login(staff_client, "staff")
    assert "林晓" in text(staff_client.get("/"))  # the new name and role apply at once
    assert "档案管理员" in text(staff_client.get("/"))


def test_admin_sees_last_logins(web_client, web_login):
    other = web_client.application.test_client()
    web_login(other, "auditor", "wrong-password-9")
    web_login(other, "auditor")
    web_login(web_client, "admin")
    page = text(web_client.get("/admin/users/auditor"))
    section = page[page.index('id="logins"') : page.index('id="tokens"')]
    assert section.count("<tr>") == 3  # header, the sign-in and the refused one
    assert "成功" in section and "失败" in section and "127.0.0.1" in section
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", section)


def test_admin_creates_and_revokes_a_token(web_client, web_login, web_archive):
    web_login(web_client, "admin")
    created = web_client.post("/admin/users/archivist/tokens", data={"name": "收费系统"})
    assert created.status_code == 200
    token = re.search(r'<code class="secret">(dos_[^<]+)</code>', text(created)).group(1)
    api = web_client.application.test_client()
    bearer = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/v1/households", headers=bearer).status_code == 200
    page = text(web_client.get("/admin/users/archivist"))
    assert token not in page and f'data-token="{token[:10]}"' in page and "收费系统" in page

    with Archive(web_archive.settings).session() as session:
        row_id = next(
            t.id for t in svc.list_tokens(session, Actor.console(), "archivist") if t.name == "收费系统"
        )
    assert web_client.post(f"/admin/users/staff/tokens/{row_id}/revoke").status_code == 404  # not staff's
    revoked = web_client.post(f"/admin/users/archivist/tokens/{row_id}/revoke")
    assert revoked.status_code == 302
    assert api.get("/api/v1/households", headers=bearer).status_code == 401
    assert "已吊销" in text(web_client.get("/admin/users/archivist"))
    again = web_client.post(f"/admin/users/archivist/tokens/{row_id}/revoke")
    assert again.status_code == 400 and "已于先前吊销" in text(again)


def test_admin_forms_need_csrf(web_csrf_client, web_login, web_archive):
    web_login(web_csrf_client, "admin")
    for path, data in (
        ("/admin/users/staff/active", {"active": "0"}),
        ("/admin/users/staff/password", {}),
        ("/admin/users/staff/tokens", {}),
        ("/admin/users/staff/profile", {"role": "admin"}),
    ):
        assert web_csrf_client.post(path, data=data).status_code in (302, 400)
    with Archive(web_archive.settings).session() as session:
        row = _user(session, "staff")
        assert row.active and row.role == "staff"
    assert logged(web_archive, AccessAction.TOKEN_CREATE)[-1].username == "console"  # the fixtures' only


# --- the CLI ------------------------------------------------------------------------------------


@pytest.fixture
def cli(web_archive, run_cli, monkeypatch):
    monkeypatch.setenv("DOSSIER_HOME", str(web_archive.settings.home))
    return run_cli


def test_cli_enable_set_tokens_and_revoke(cli, web_archive):
    assert cli("user", "disable", "staff").exit_code == 0
    assert cli("user", "enable", "staff", "--json").json() == {"username": "staff", "active": True}
    changed = cli("user", "set", "staff", "--name", "林晓", "--role", "archivist", "--json").json()
    assert changed == {"username": "staff", "changed": {"display_name": "林晓", "role": "archivist"}}
    assert "没有需要修改的内容" in cli("user", "set", "staff", "--role", "archivist").stdout
    refused = cli("user", "set", "admin", "--role", "staff")
    assert refused.exit_code == 2 and "唯一启用中的管理处经理" in refused.stderr
    assert cli("user", "set", "staff").exit_code == 2
    users = {u["username"]: u for u in cli("user", "list", "--json").json()["users"]}
    assert users["staff"]["display_name"] == "林晓"

    token = cli("user", "token", "archivist", "--label", "收费系统", "--json").json()["token"]
    listed = cli("user", "tokens", "archivist", "--json").json()["tokens"]
    assert [t["prefix"] for t in listed] == [token[:10], web_archive.tokens["archivist"][:10]]
    assert listed[0]["name"] == "收费系统" and listed[0]["revoked_at"] is None
    assert token not in cli("user", "tokens", "archivist").stdout
    revoked = cli("user", "token-revoke", "archivist", token[:10], "--json").json()
    assert revoked["prefix"] == token[:10] and revoked["revoked_at"]
    assert cli("user", "token-revoke", "archivist", str(listed[1]["id"])).exit_code == 0
    again = cli("user", "token-revoke", "archivist", token[:10])
    assert again.exit_code == 2 and "已于先前吊销" in again.stderr
    assert cli("user", "token-revoke", "archivist", "dos_nothing").exit_code == 3
    assert all(t["revoked_at"] for t in cli("user", "tokens", "archivist", "--json").json()["tokens"])


def test_init_points_to_the_password_page(run_cli, tmp_path, monkeypatch):
    monkeypatch.setenv("DOSSIER_HOME", str(tmp_path / "fresh"))
    result = run_cli("init")
    assert result.exit_code == 0, result.stderr
    assert "/account/password 修改密码" in result.stdout
