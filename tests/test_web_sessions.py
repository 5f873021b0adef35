"""Server-side sessions, the sign-in throttle and the password policy (issue 14, part B).

Most tests run on SQLite and on PostgreSQL (the ``archive`` fixture of ``tests/conftest.py``):
the app is real, its catalog is real, and time is moved by moving the rows' timestamps back.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from datetime import UTC, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text, update

from dossier.actor import Actor
from dossier.archive import Archive
from dossier.config import Settings
from dossier.errors import ConfigurationError, InvalidInput
from dossier.models import AccessEvent, Base, LoginAttempt, User, WebSession, utcnow
from tests.conftest import ADMIN_PASSWORD
from tests.web_fixtures import web_password

COOKIE = "dossier_session"
UA = {"User-Agent": "pytest-browser"}


def make_app(settings: Settings, **changes):
    from webapp import create_app

    app = create_app(dataclasses.replace(settings, **changes) if changes else settings, testing=True)
    app.config["WTF_CSRF_ENABLED"] = False
    return app


@pytest.fixture
def site(archive):
    """A fresh archive (SQLite or PostgreSQL) with a staff user and an archivist, and its app."""
    from dossier.services.users import add_user

    with archive.session() as session:
        add_user(session, Actor.console(), "staff", "staff", web_password("staff"), display_name="林客服")
        add_user(session, Actor.console(), "archivist", "archivist", web_password("archivist"))
    return make_app(archive.settings)


def login(client, username: str, password: str | None = None, addr: str = "127.0.0.1", **headers):
    password = web_password(username) if password is None else password
    return client.post(
        "/login",
        data={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": addr},
        headers={**UA, **headers},
    )


def get(client, path: str = "/", addr: str = "127.0.0.1", **headers):
    return client.get(path, environ_base={"REMOTE_ADDR": addr}, headers={**UA, **headers})


def cookie_of(client) -> str | None:
    cookie = client.get_cookie(COOKIE)
    return cookie.value if cookie is not None else None


def rows(settings: Settings) -> list[WebSession]:
    with Archive(settings).session() as session:
        return list(session.scalars(select(WebSession)))


def move_back(settings: Settings, **columns: timedelta) -> None:
    """Move every session's timestamps back (as if that much time had passed)."""
    with Archive(settings).session() as session:
        for row in session.scalars(select(WebSession)):
            for column, delta in columns.items():
                setattr(row, column, getattr(row, column) - delta)


def aware(moment):
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def signed_out(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


# --- the cookie and the row ---------------------------------------------------------------------


def test_the_cookie_holds_only_a_random_id_and_the_catalog_only_its_hash(site, archive):
    client = site.test_client()
    assert login(client, "staff").status_code == 302
    value = cookie_of(client)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", value)
    [row] = rows(archive.settings)
    assert row.id_hash == hashlib.sha256(value.encode()).hexdigest() and value not in row.data
    with Archive(archive.settings).session() as session:
        assert row.user_id == session.scalar(select(User.id).where(User.username == "staff"))
    assert '"_user_id"' in row.data and '"csrf_token"' in row.data  # the session's values, as JSON
    assert get(client).status_code == 200


def test_signing_in_starts_a_new_session_under_a_new_id(site, archive):
    client = site.test_client()
    get(client, "/login")  # an anonymous visit first: a signed cookie, no row
    anonymous = cookie_of(client)
    assert rows(archive.settings) == []
    login(client, "staff")
    assert cookie_of(client) != anonymous and len(rows(archive.settings)) == 1


def test_after_logout_the_old_cookie_gets_the_login_page(site, archive):
    client = site.test_client()
    login(client, "staff")
    stolen = cookie_of(client)
    assert get(client).status_code == 200
    response = client.post("/logout", headers=UA)
    assert signed_out(response)
    assert rows(archive.settings) == []  # deleted, not just forgotten by the browser
    assert "您已安全退出" in get(client, "/login").get_data(as_text=True)  # the flash rode along

    replay = site.test_client()  # someone kept a copy of the cookie
    replay.set_cookie(COOKIE, stolen)
    response = get(replay, "/households")
    assert signed_out(response)
    page = get(replay, response.headers["Location"])
    assert page.status_code == 200 and 'name="password"' in page.get_data(as_text=True)


def test_an_idle_session_ends_after_the_idle_timeout(site, archive):
    client = site.test_client()
    login(client, "staff")
    move_back(archive.settings, last_seen_at=timedelta(minutes=29))
    assert get(client).status_code == 200  # 29 minutes idle: still signed in
    move_back(archive.settings, last_seen_at=timedelta(minutes=31))
    response = get(client)
    assert signed_out(response)
    assert rows(archive.settings) == []  # refused and swept
    assert "登录已超时，请重新登录。" in get(client, response.headers["Location"]).get_data(as_text=True)


def test_a_session_in_use_still_ends_after_the_absolute_timeout(site, archive):
    client = site.test_client()
    login(client, "staff")
    move_back(archive.settings, created_at=timedelta(hours=11, minutes=59))
    assert get(client).status_code == 200
    move_back(archive.settings, created_at=timedelta(minutes=2))  # 12 h 1 min, last seen just now
    assert signed_out(get(client))
    assert rows(archive.settings) == []


def test_the_timeouts_are_settings(site, archive):
    app = make_app(archive.settings, session_idle_minutes=5, session_max_hours=1)
    client = app.test_client()
    login(client, "staff")
    move_back(archive.settings, last_seen_at=timedelta(minutes=6))
    assert signed_out(get(client))
    login(client, "staff")
    move_back(archive.settings, created_at=timedelta(minutes=61))
    assert signed_out(get(client))


@pytest.mark.parametrize(
    "name, value",
    [
        ("DOSSIER_SESSION_IDLE_MINUTES", "half an hour"),
        ("DOSSIER_SESSION_IDLE_MINUTES", "0"),
        ("DOSSIER_SESSION_MAX_HOURS", "-3"),
        ("DOSSIER_SESSION_MAX_HOURS", "12.5"),
        ("DOSSIER_TRUSTED_PROXIES", "all"),
    ],
)
def test_a_bad_session_setting_stops_the_process_at_start(tmp_path, monkeypatch, run_cli, name, value):
    with pytest.raises(ConfigurationError, match=name):
        Settings.from_env({"DOSSIER_HOME": str(tmp_path), name: value})
    monkeypatch.setenv("DOSSIER_HOME", str(tmp_path))
    monkeypatch.setenv(name, value)
    result = run_cli("serve")
    assert result.exit_code == 6 and result.stderr.startswith(f"dossier：错误：{name} 必须是")


def test_expired_rows_are_swept_when_someone_signs_in(site, archive):
    first, second = site.test_client(), site.test_client()
    login(first, "staff")
    move_back(archive.settings, last_seen_at=timedelta(hours=1))
    login(second, "archivist")
    [row] = rows(archive.settings)
    assert aware(row.last_seen_at) > utcnow() - timedelta(minutes=1)


# --- ended by the services, whoever calls them ----------------------------------------------------


def test_a_password_change_ends_the_users_sessions(site, archive, run_cli, tmp_path):
    staff, archivist = site.test_client(), site.test_client()
    login(staff, "staff")
    login(staff.application.test_client(), "staff")  # a second browser of the same user
    login(archivist, "archivist")
    new_password = tmp_path / "pw"
    new_password.write_text("Lantern-orchard-57\n")
    assert run_cli("user", "passwd", "staff", "--password-file", str(new_password)).exit_code == 0
    assert [r.user_id for r in rows(archive.settings)] == [_user_id(archive, "archivist")]
    assert signed_out(get(staff))
    assert get(archivist).status_code == 200
    assert login(site.test_client(), "staff", "Lantern-orchard-57").status_code == 302


def test_deactivation_ends_the_users_sessions(site, archive):
    from dossier.services.users import set_active

    client = site.test_client()
    login(client, "staff")
    with Archive(archive.settings).session() as session:
        set_active(session, Actor.console(), "staff", False)
    assert rows(archive.settings) == []
    assert signed_out(get(client))


def _user_id(archive, username: str) -> int:
    with Archive(archive.settings).session() as session:
        return session.scalar(select(User.id).where(User.username == username))


# --- what is written, and when --------------------------------------------------------------------


def test_a_quiet_request_writes_nothing_and_last_seen_moves_at_most_once_a_minute(site, archive):
    client = site.test_client()
    login(client, "staff")
    [before] = rows(archive.settings)
    for path in ("/", "/households", "/"):
        assert get(client, path).status_code == 200
    [after] = rows(archive.settings)
    assert (after.data, after.last_seen_at) == (before.data, before.last_seen_at)
    move_back(archive.settings, last_seen_at=timedelta(minutes=2))
    get(client)
    [touched] = rows(archive.settings)
    assert aware(touched.last_seen_at) > utcnow() - timedelta(seconds=30) and touched.data == before.data


def test_concurrent_requests_of_one_session_keep_each_others_values(site, archive):
    from flask import Response

    client = site.test_client()
    login(client, "staff")
    value = cookie_of(client)
    [row] = rows(archive.settings)
    interface = site.session_interface

    def open_session():
        with site.test_request_context("/", headers={"Cookie": f"{COOKIE}={value}", **UA}) as ctx:
            return interface.open_session(site, ctx.request)

    first, second = open_session(), open_session()  # both read the row before either writes
    token = first["csrf_token"]
    first["_flashes"] = [("info", "已保存")]
    second["purposes"] = {"7": "业主来电查询"}
    with site.test_request_context("/"):
        interface.save_session(site, first, Response())
        interface.save_session(site, second, Response())  # wrote after first: keeps first's flash
    [saved] = rows(archive.settings)
    assert saved.id_hash == row.id_hash
    reopened = open_session()
    assert reopened["_flashes"] == [("info", "已保存")] and reopened["purposes"] == {"7": "业主来电查询"}
    assert reopened["csrf_token"] == token and reopened["_user_id"] == first["_user_id"]
    # Both change the same key: the last write wins, for that key only.
    first, second = open_session(), open_session()
    first["purposes"], second["purposes"] = {"8": "甲"}, {"9": "乙"}
    with site.test_request_context("/"):
        interface.save_session(site, first, Response())
        interface.save_session(site, second, Response())
    reopened = open_session()
    assert reopened["purposes"] == {"9": "乙"} and reopened["csrf_token"] == token


def test_the_csrf_token_exists_from_sign_in_on(archive, site):
    from webapp import create_app

    app = create_app(archive.settings, testing=True)  # CSRF checks on
    client = app.test_client()
    page = get(client, "/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post(
        "/login",
        data={"username": "staff", "password": web_password("staff"), "csrf_token": token},
        headers=UA,
    )
    assert response.status_code == 302
    [row] = rows(archive.settings)
    assert '"csrf_token"' in row.data


def test_a_cookie_used_from_another_address_is_signed_out(site, archive):
    client = site.test_client()
    login(client, "staff", addr="10.0.0.1")
    assert get(client, addr="10.0.0.1").status_code == 200
    assert signed_out(get(client, addr="10.0.0.2"))  # Flask-Login's strong protection
    assert rows(archive.settings) == []
    assert signed_out(get(client, addr="10.0.0.1"))


def test_a_forged_or_old_style_cookie_signs_nobody_in(site, archive):
    from flask.sessions import SecureCookieSessionInterface

    from webapp.context import session_tag

    with Archive(archive.settings).session() as session:
        staff = session.scalar(select(User).where(User.username == "staff"))
        user_key = f"{staff.id}.{session_tag(staff)}"
    with site.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"}, headers=UA):
        ident = site.login_manager._session_identifier_generator()
    values = {"_user_id": user_key, "_fresh": True, "_id": ident}
    old_style = (
        SecureCookieSessionInterface().get_signing_serializer(site).dumps(values)
    )  # Flask's own cookie
    anonymous = site.session_interface._signer(site).dumps(values)  # our anonymous one
    for forged in (old_style, anonymous, "A" * 43):
        client = site.test_client()
        client.set_cookie(COOKIE, forged)
        assert signed_out(get(client)), forged


# --- the sign-in throttle -------------------------------------------------------------------------


def failures(settings: Settings) -> list[LoginAttempt]:
    with Archive(settings).session() as session:
        return list(session.scalars(select(LoginAttempt).where(LoginAttempt.ok.is_(False))))


def test_thirty_usernames_sprayed_from_one_address_are_throttled(site, archive):
    client = site.test_client()
    statuses = [
        login(client, f"resident{n:02d}", "Spring-Festival-2024", addr="198.51.100.9").status_code
        for n in range(30)
    ]
    assert statuses[:10] == [200] * 10 and statuses[10:] == [429] * 20
    page = login(client, "staff", addr="198.51.100.9")  # even a right password, from there
    assert page.status_code == 429 and "登录失败次数过多" in page.get_data(as_text=True)
    assert len(failures(archive.settings)) == 10  # a refused attempt does not count again
    # Nobody's account is locked: from another address the real users sign in.
    assert login(site.test_client(), "staff", addr="198.51.100.10").status_code == 302


def test_the_throttle_survives_a_new_app_instance(site, archive):
    client = site.test_client()
    for _ in range(5):
        assert login(client, "staff", "not-the-password", addr="203.0.113.5").status_code == 200
    restarted = make_app(archive.settings)  # another process, or after a restart
    assert login(restarted.test_client(), "staff", addr="203.0.113.5").status_code == 429
    assert login(restarted.test_client(), "staff", addr="203.0.113.6").status_code == 302


def test_guessing_one_name_from_many_addresses_only_slows_it_down(site, archive):
    app = make_app(archive.settings, trusted_proxies=1)  # behind one proxy: X-Forwarded-For counts
    client = app.test_client()

    def attempt(addr: str, password: str | None = None):
        return login(client, "archivist", password, addr="10.9.9.9", **{"X-Forwarded-For": addr})

    assert attempt("192.0.2.50").status_code == 302  # where the archivist usually signs in
    client.post(
        "/logout", environ_base={"REMOTE_ADDR": "10.9.9.9"}, headers={**UA, "X-Forwarded-For": "192.0.2.50"}
    )
    for n in range(10):
        assert attempt(f"198.18.0.{n}", "a-wrong-guess-99").status_code == 200
    slowed = attempt("198.18.1.1")
    assert slowed.status_code == 429 and "1 分钟后再试" in slowed.get_data(as_text=True)
    assert attempt("192.0.2.50").status_code == 302  # from the usual address: no delay
    client.post(
        "/logout", environ_base={"REMOTE_ADDR": "10.9.9.9"}, headers={**UA, "X-Forwarded-For": "192.0.2.50"}
    )
    with Archive(archive.settings).session() as session:  # a minute later the delay is over
        session.execute(update(LoginAttempt).values(at=LoginAttempt.at - timedelta(seconds=61)))
    assert attempt("198.18.1.1").status_code == 302


def test_trusted_proxies_give_the_real_client_address(site, archive):
    forwarded = {"X-Forwarded-For": "203.0.113.77"}
    login(site.test_client(), "staff", addr="10.0.0.5", **forwarded)  # no proxy trusted
    login(
        make_app(archive.settings, trusted_proxies=1).test_client(), "archivist", addr="10.0.0.5", **forwarded
    )
    with Archive(archive.settings).session() as session:
        logins = {
            e.username: e.client_addr
            for e in session.scalars(select(AccessEvent).where(AccessEvent.action == "login"))
        }
    assert logins == {"staff": "10.0.0.5", "archivist": "203.0.113.77"}


def test_login_names_are_never_stored_raw(site, archive):
    typed = "Mima-Zhang-0307-typed-in-the-name-box"  # a password typed into the username box
    client = site.test_client()
    login(client, typed, "whatever-password-1")
    login(client, "staff", "a-wrong-password-1")
    login(client, "staff")
    attempts = _all(archive, LoginAttempt)
    assert len(attempts) == 3 and all(re.fullmatch(r"[0-9a-f]{64}", a.name_key) for a in attempts)
    assert {a.name_key for a in attempts}.isdisjoint({typed, typed.lower(), "staff"})
    denied = [e for e in _all(archive, AccessEvent) if e.action == "login" and e.outcome == "denied"]
    assert [d.detail for d in denied][1] == "staff"  # a real user's name stays readable
    assert re.fullmatch(r"#[0-9a-f]{12}", denied[0].detail)
    # Nowhere in the catalog, not in any column of any table, nor in SQLite's files.
    with Archive(archive.settings).session() as session:
        for table in Base.metadata.sorted_tables:
            for row in session.execute(select(table)):
                assert typed.lower() not in str(tuple(row)).lower(), table.name
    if archive.settings.is_sqlite:
        with Archive(archive.settings).session() as session:
            session.execute(text("PRAGMA wal_checkpoint(FULL)"))
        for path in archive.settings.home.glob("dossier.db*"):
            assert typed.encode() not in path.read_bytes(), path.name


def _all(archive, model) -> list:
    with Archive(archive.settings).session() as session:
        return list(session.scalars(select(model).order_by(model.id)))


# --- the password policy --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password, reason",
    [
        ("aaaaaaaaaa", "重复的字符"),
        ("password123", "常见密码"),
        ("qwertyuiop", "常见密码"),
        ("woaini1314", "常用词"),
        ("abcdefghij12", "连续的字母或数字"),
        ("keeper-2024", "用户名"),
        ("short-1", "至少需要 10 个字符"),
    ],
)
def test_weak_passwords_are_refused_with_a_chinese_reason(archive, password, reason):
    from dossier.services.users import add_user, set_password

    with Archive(archive.settings).session() as session:
        with pytest.raises(InvalidInput) as refused:
            add_user(session, Actor.console(), "keeper", "archivist", password)
        assert reason in refused.value.message and re.search(r"[\u4e00-\u9fff]", refused.value.message)
        if "keeper" not in password:
            with pytest.raises(InvalidInput, match=reason):
                set_password(session, Actor.console(), "admin", password)


def test_the_test_fixtures_passwords_pass_the_policy():
    from dossier.services.users import generate_password, password_problem

    for username in ("admin", "archivist", "staff", "officer", "auditor", "keeper", "clerk", "aud", "stf"):
        assert password_problem(web_password(username), (username,)) is None, username
    assert password_problem(generate_password()) is None


def test_the_admin_page_refuses_a_weak_password_in_chinese(site):
    client = site.test_client()
    login(client, "admin", ADMIN_PASSWORD)
    response = client.post(
        "/admin/users", data={"username": "qian", "role": "staff", "password": "password123"}, headers=UA
    )
    assert response.status_code == 400
    assert "密码太容易被猜到：含有常见密码" in response.get_data(as_text=True)


def test_cli_passwords_come_from_a_file_or_a_hidden_prompt(archive, run_cli, tmp_path):
    from dossier.cli import cli

    weak, strong = tmp_path / "weak", tmp_path / "strong"
    weak.write_text("password123\n")
    strong.write_text("Lantern-orchard-57\r\n")
    refused = run_cli("user", "add", "keeper", "--role", "archivist", "--password-file", str(weak))
    assert (
        refused.exit_code == 2 and "密码太容易被猜到" in refused.stderr and "Traceback" not in refused.stderr
    )
    added = run_cli("user", "add", "keeper", "--role", "archivist", "--password-file", str(strong), "--json")
    assert added.exit_code == 0 and added.json()["password"] is None and added.stderr == ""

    prompted = CliRunner().invoke(
        cli, ["user", "passwd", "keeper", "--password-prompt"], input="Kettle-harbour-93\nKettle-harbour-93\n"
    )
    assert prompted.exit_code == 0, prompted.output
    assert "Kettle-harbour-93" not in prompted.stdout  # hidden: never echoed
    with Archive(archive.settings).session() as session:
        from dossier.services.users import authenticate

        assert authenticate(session, "keeper", "Kettle-harbour-93") is not None

    warned = run_cli("user", "passwd", "keeper", "--password", "Copper-meadow-41")
    assert warned.exit_code == 0 and "dossier：警告：--password 会把密码留在 shell 历史" in warned.stderr
    both = run_cli(
        "user", "passwd", "keeper", "--password", "Copper-meadow-41", "--password-file", str(strong)
    )
    assert both.exit_code == 2 and "只能给出一个" in both.stderr


def test_init_reads_the_administrators_password_from_a_file(tmp_path, monkeypatch, run_cli):
    monkeypatch.setenv("DOSSIER_HOME", str(tmp_path / "home"))
    secret = tmp_path / "admin.pw"
    secret.write_text("Walnut-ferry-lantern-8\n")
    done = run_cli("init", "--admin-password-file", str(secret), "--json")
    assert done.exit_code == 0, done.stderr
    assert done.json()["admin_created"] is True and done.json()["admin_password"] is None
    with Archive(Settings.from_env()).session() as session:
        from dossier.services.users import authenticate

        assert authenticate(session, "admin", "Walnut-ferry-lantern-8") is not None
