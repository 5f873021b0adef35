"""The web app through Flask's test client: sign-in, role checks, pages, CSRF, headers, API."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from dossier.actor import Actor
from dossier.archive import Archive
from dossier.models import AccessEvent, Household, User
from tests.web_fixtures import (
    WEB_ID_NUMBER,
    WEB_ID_NUMBER_MASKED,
    WEB_ROLES_BY_USER,
    web_csrf_token,
    web_password,
)

ALL_USERS = list(WEB_ROLES_BY_USER)  # admin, archivist, staff, officer, auditor


def events(web_archive, action: str | None = None) -> list[AccessEvent]:
    with Archive(web_archive.settings).session() as session:
        query = select(AccessEvent).order_by(AccessEvent.id)
        if action:
            query = query.where(AccessEvent.action == action)
        return list(session.scalars(query))


def text(response) -> str:
    return response.get_data(as_text=True)


def squash(html: str) -> str:
    return re.sub(r"\s+", " ", html)


# --- sign in and out ---------------------------------------------------------------------


def test_login_page_is_chinese_and_has_csrf_token(web_csrf_client):
    response = web_csrf_client.get("/login")
    assert response.status_code == 200
    body = text(response)
    assert 'lang="zh-Hans"' in body
    assert "用户名" in body and "密码" in body and "登录" in body
    assert 'name="csrf_token"' in body


def test_login_ok_redirects_to_dashboard_and_is_recorded(web_client, web_login, web_archive):
    response = web_login(web_client, "archivist")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = web_client.get("/")
    assert page.status_code == 200
    assert "陈档案" in text(page) and "档案管理员" in text(page)
    logins = events(web_archive, "login")
    assert [(e.username, e.outcome, e.detail, e.channel) for e in logins] == [
        ("archivist", "ok", "archivist", "web")
    ]
    with Archive(web_archive.settings).session() as session:
        assert session.scalar(select(User.last_login_at).where(User.username == "archivist")) is not None


@pytest.mark.parametrize(
    "username, password", [("archivist", "wrong-password-1"), ("nobody", "whatever-password")]
)
def test_login_failure_does_not_say_which_part_was_wrong(
    web_client, web_login, web_archive, username, password
):
    response = web_login(web_client, username, password)
    assert response.status_code == 200
    body = text(response)
    assert "用户名或密码错误" in body
    assert "不存在" not in body
    assert web_client.get("/").status_code == 302  # still signed out
    denied = events(web_archive, "login")
    assert [(e.outcome, e.user_id) for e in denied] == [("denied", None)]
    if username == "archivist":
        assert denied[0].detail == username
    else:  # a name that is no user's may be a password typed into the wrong box: a keyed hash only
        assert re.fullmatch(r"#[0-9a-f]{12}", denied[0].detail) and username not in denied[0].detail
    assert all(password not in (e.detail or "") for e in events(web_archive))


def test_repeated_failures_are_throttled(web_client, web_login, web_archive):
    for _ in range(5):
        assert web_login(web_client, "staff", "not-the-password").status_code == 200
    response = web_login(web_client, "staff")  # right password, but too many failures
    assert response.status_code == 429
    assert "登录失败次数过多" in text(response)
    assert web_client.get("/").status_code == 302
    # Another user from the same address is not affected.
    assert web_login(web_client, "auditor").status_code == 302


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/households?use=residential", "/households?use=residential"),
        ("//evil.example/x", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_login_next_only_redirects_within_the_site(web_client, web_login, target, expected):
    response = web_login(web_client, "staff", next=target)
    assert response.headers["Location"] == expected


def test_unauthenticated_pages_redirect_to_login(web_client, web_archive):
    hid = web_archive.households["A-1-0101"]
    for path in ("/", "/households", f"/households/{hid}", "/admin"):
        response = web_client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/login?next="), path
    assert web_client.post("/households", data={"code": "X-1-0101"}).status_code == 302
    assert web_client.post("/logout").status_code == 302


def test_logout_needs_post_and_ends_the_session(web_client, web_login, web_archive):
    web_login(web_client, "staff")
    assert web_client.get("/logout").status_code == 405
    response = web_client.post("/logout")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert web_client.get("/").status_code == 302
    assert [e.username for e in events(web_archive, "logout")] == ["staff"]


def test_deactivated_user_is_signed_out(web_client, web_login, web_archive):
    from dossier.services.users import set_active

    web_login(web_client, "staff")
    assert web_client.get("/").status_code == 200
    with Archive(web_archive.settings).session() as session:
        set_active(session, Actor.console(), "staff", False)
    assert web_client.get("/").status_code == 302


def test_password_change_ends_other_sessions(web_client, web_login, web_archive):
    from dossier.services.users import set_password

    web_login(web_client, "staff")
    with Archive(web_archive.settings).session() as session:
        set_password(session, Actor.console(), "staff", "another-password-1")
    assert web_client.get("/").status_code == 302


# --- role checks ---------------------------------------------------------------------------

PAGE_ACCESS = {
    # path template → roles that get 200 (everyone else: 403)
    "/": set(ALL_USERS),
    "/households": set(ALL_USERS),
    "/households/{hid}": set(ALL_USERS),
    "/admin": {"admin"},
    "/paper/loans": {"admin", "archivist", "officer", "auditor"},
    "/paper/inventory": {"admin", "archivist", "officer", "auditor"},
}


@pytest.mark.parametrize("username", ALL_USERS)
@pytest.mark.parametrize("path", list(PAGE_ACCESS))
def test_each_page_for_each_role(web_client, web_login, web_archive, username, path):
    web_login(web_client, username)
    response = web_client.get(path.format(hid=web_archive.households["A-1-0101"]))
    assert response.status_code == (200 if username in PAGE_ACCESS[path] else 403)


@pytest.mark.parametrize(
    "username, status",
    [
        ("admin", 302),
        ("archivist", 302),
        ("staff", 403),
        ("officer", 403),
        ("auditor", 403),
    ],
)
def test_create_household_per_role(web_client, web_login, web_archive, username, status):
    web_login(web_client, username)
    response = web_client.post(
        "/households", data={"code": "B-2-0303", "community": "阳光花园", "use": "residential"}
    )
    assert response.status_code == status
    with Archive(web_archive.settings).session() as session:
        created = session.scalar(select(Household.id).where(Household.code == "B-2-0303"))
    assert (created is not None) == (status == 302)


@pytest.mark.parametrize("username", ["archivist", "staff", "officer", "auditor"])
def test_admin_posts_are_forbidden_to_others(web_client, web_login, username):
    web_login(web_client, username)
    assert (
        web_client.post(
            "/admin/users", data={"username": "mallory", "role": "admin", "password": "mallory-password-1"}
        ).status_code
        == 403
    )
    assert web_client.post("/admin/document-types", data={"expected": ["photo"]}).status_code == 403


def test_forbidden_page_says_nothing_more_and_is_logged(web_client, web_login, web_archive):
    web_login(web_client, "staff")
    response = web_client.get("/admin")
    assert response.status_code == 403
    body = text(response)
    assert "无权访问" in body
    for leak in ("permission", "Permission", "admin", "Traceback", "needs the"):
        assert leak not in body, leak
    denied = [e for e in events(web_archive, "forbidden")]
    assert [(e.username, e.outcome, e.detail) for e in denied] == [("staff", "denied", "GET /admin")]


def test_nav_shows_only_what_the_role_may_use(web_client, web_login):
    web_login(web_client, "staff")
    body = text(web_client.get("/households"))
    assert "客服员" in body and "林客服" in body
    assert "系统管理" not in body
    assert "新建业户档案" not in body  # no create form for staff
    web_client.post("/logout")
    web_login(web_client, "admin")
    body = text(web_client.get("/households"))
    assert "系统管理" in body and "管理处经理" in body
    assert "新建业户档案" in body


def test_every_route_carries_a_role_check(web_app):
    from webapp.access import route_permissions

    marks = route_permissions(web_app)
    assert marks == {
        "static": None,
        "auth.login": "public",
        "auth.logout": "login",
        "main.dashboard": "search",
        "search.index": "search",
        "documents.show": "search",
        "documents.give_purpose": "search",
        "documents.preview": "search",
        "documents.original": "search",
        "documents.print_view": "search",
        "documents.printed": "search",
        "households.index": "search",
        "households.show": "search",
        "households.create": "manage_records",
        "households.close": "manage_records",
        "households.edit": "manage_records",
        "households.update": "manage_records",
        "households.party_new": "manage_records",
        "households.party_create": "manage_records",
        "households.party_edit": "manage_records",
        "households.party_update": "manage_records",
        "households.party_move_out": "manage_records",
        "households.party_remove": "manage_records",
        "households.communities": "manage_records",
        "households.community_rename": "manage_records",
        "households.community_merge": "manage_records",
        "intake.upload_form": "manage_records",
        "intake.check": "manage_records",
        "intake.manifest_template": "manage_records",
        "intake.unfiled_page": "manage_records",
        "intake.upload": "manage_records",
        "intake.batches": "manage_records",
        "intake.batch": "manage_records",
        "intake.progress": "manage_records",
        "retention.due": "propose_destruction|audit",
        "retention.propose": "propose_destruction",
        "retention.lists": "propose_destruction|audit",
        "retention.show": "propose_destruction|audit",
        "retention.strike": "approve_destruction",
        "retention.approve": "approve_destruction",
        "retention.execute": "propose_destruction",
        "retention.paper": "propose_destruction",
        "retention.certificate_page": "propose_destruction|audit",
        "retention.export": "propose_destruction|audit",
        "retention.holds": "propose_destruction|audit",
        "retention.hold_add": "propose_destruction",
        "retention.hold_release": "approve_destruction",
        "retention.shredlog": "audit",
        "jobs.show": "audit|propose_destruction",
        "intake.assign": "manage_records",
        "coversheets.print_sheets": "manage_records",
        "audit.index": "audit",
        "audit.start_run": "audit",
        "audit.run": "audit",
        "audit.report": "audit",
        "audit.document_history": "audit",
        "accesslog.index": "audit",
        "admin.index": "admin",
        "admin.user": "admin",
        "admin.user_active": "admin",
        "admin.user_password": "admin",
        "admin.user_profile": "admin",
        "admin.user_token_create": "admin",
        "admin.user_token_revoke": "admin",
        "account.password": "login",
        "admin.add_user_view": "admin",
        "admin.expected_types": "admin",
        "api.households": "search",
        "api.household": "search",
        "api.document": "search",
        "api.correct": "manage_records",
        "corrections.correct": "manage_records",
        "corrections.paper_location": "manage_records",
        "paper.loans": "manage_records|audit",
        "paper.lend": "manage_records",
        "paper.renew": "manage_records",
        "paper.return_": "manage_records",
        "paper.remind": "manage_records",
        "paper.inventory": "manage_records|audit",
        "paper.record_count": "manage_records",
        "paper.resolve": "manage_records",
        "statistics.index": "manage_records|audit",
        "statistics.export": "manage_records|audit",
        "api.create_household": "manage_records",
        "api.close_household": "manage_records",
        "api.search": "search",
        "exports.households": "search",
        "exports.search": "search",
        "exports.batch": "manage_records",
        "exports.access_log": "audit",
        "exports.loans": "manage_records|audit",
        "household_import.form": "manage_records",
        "household_import.upload": "manage_records",
        "household_import.template": "manage_records",
        "handover.index": "admin",
        "handover.export": "admin",
        "handover.import_package": "admin",
        "handover.show": "admin",
        "handover.register": "admin",
        "handover.package": "admin",
    }


# --- pages -----------------------------------------------------------------------------------


def test_dashboard_shows_counts(web_client, web_login):
    web_login(web_client, "auditor")
    body = squash(text(web_client.get("/")))
    assert re.search(r'业户档案</span>\s*<span class="stat-value">3<', body)
    assert re.search(r'电子文件</span>\s*<span class="stat-value">3<', body)
    assert "已索引" in body


def _listed_codes(response) -> list[str]:
    return re.findall(r'<tr data-code="([^"]+)">', text(response))


@pytest.mark.parametrize(
    "query, codes",
    [
        ("", ["A-1-0101", "A-1-1201", "S-101"]),
        ("?community=滨江商城", ["S-101"]),
        ("?community=阳光花园&floor=12", ["A-1-1201"]),
        ("?building=A", ["A-1-0101", "A-1-1201"]),
        ("?use=commercial", ["S-101"]),
        ("?status=active", ["A-1-0101", "A-1-1201", "S-101"]),
        ("?status=closed", []),
        ("?owner=张", ["A-1-0101"]),
        ("?q=13800138000", ["A-1-0101"]),
        ("?floor=abc", ["A-1-0101", "A-1-1201", "S-101"]),  # an invalid filter is ignored, not an error
    ],
)
def test_household_list_filters(web_client, web_login, query, codes):
    web_login(web_client, "staff")
    response = web_client.get("/households" + query)
    assert response.status_code == 200
    assert sorted(_listed_codes(response)) == sorted(codes)
    if not codes:
        assert "没有符合条件的业户档案" in text(response)


def test_household_list_pages(web_client, web_login, web_archive):
    from dossier.services.households import add_household

    with Archive(web_archive.settings).session() as session:
        for room in range(1, 31):
            add_household(session, Actor.console(), None, f"C-{room + 100:04d}", community="阳光花园")
    web_login(web_client, "staff")
    first = web_client.get("/households")
    assert len(_listed_codes(first)) == 25
    assert "共 33 户" in text(first) and "第 1 / 2 页" in text(first)
    second = web_client.get("/households?page=2")
    assert len(_listed_codes(second)) == 8
    assert not set(_listed_codes(first)) & set(_listed_codes(second))


def test_household_list_shows_completeness(web_client, web_login, web_archive):
    web_login(web_client, "staff")
    body = squash(text(web_client.get("/households")))
    row = re.search(r'<tr data-code="A-1-0101">.*?</tr>', body).group(0)
    assert 'data-pct="40.0"' in row and "40%" in row  # the confidential ID scan is not counted
    row = re.search(r'<tr data-code="A-1-1201">.*?</tr>', body).group(0)
    assert "0%" in row


def test_folder_page_shows_catalog_and_documents(web_client, web_login, web_archive):
    web_login(web_client, "archivist")
    response = web_client.get(f"/households/{web_archive.households['A-1-0101']}")
    assert response.status_code == 200
    body = squash(text(response))
    catalog = body.split('id="catalog"', 1)[1].split("</section>", 1)[0]
    assert catalog.count("✓") == 3 and catalog.count("✗") == 2
    assert re.search(
        r'<li class="present"> <span class="tick yes"[^>]*>✓</span> <span class="item-name">购房合同', catalog
    )
    assert re.search(
        r'<li class="missing"> <span class="tick no"[^>]*>✗</span> <span class="item-name">钥匙领用', catalog
    )
    assert 'id="completeness">60%' in catalog
    docs = body.split('id="documents"', 1)[1]
    for expected in (
        "购房合同",
        "购房合同（正本扫描）",
        "2023-05-18",
        "普通",
        "已索引",
        web_archive.confidential_title,
        "保密",
    ):
        assert expected in docs
    assert WEB_ID_NUMBER in body  # the archivist may see ID numbers
    assert "阳光花园 A-1-0101" in body and "C001" not in body.split("<h1>")[0]
    assert [e.household_id for e in events(web_archive, "household.view")] == [
        web_archive.households["A-1-0101"]
    ]


def test_staff_sees_masked_id_and_no_confidential_documents(web_client, web_login, web_archive):
    web_login(web_client, "staff")
    body = text(web_client.get(f"/households/{web_archive.households['A-1-0101']}"))
    assert WEB_ID_NUMBER not in body
    assert WEB_ID_NUMBER_MASKED in body and "已遮蔽" in body
    assert web_archive.confidential_title not in body
    assert "购房合同（正本扫描）" in body


def test_unknown_household_is_a_chinese_404(web_client, web_login):
    web_login(web_client, "staff")
    response = web_client.get("/households/99999")
    assert response.status_code == 404
    assert "没有编号为 99999 的业户" in text(response) and "Traceback" not in text(response)
    response = web_client.get("/no-such-page")
    assert response.status_code == 404 and "页面不存在" in text(response)


def test_archivist_creates_a_household_from_the_form(web_client, web_login, web_archive):
    web_login(web_client, "archivist")
    response = web_client.post(
        "/households",
        data={
            "code": "B-2-0303",
            "community": "阳光花园",
            "use": "residential",
            "area": "101.25",
            "owner": "赵六",
            "phone": "13900139000",
            "id_number": "110101200001011234",
        },
    )
    assert response.status_code == 302
    folder = web_client.get(response.headers["Location"])
    body = text(folder)
    assert "已建档：B-2-0303" in body
    assert "赵六" in body and "110101200001011234" in body and "101.25" in body
    assert "钥匙领用" in body and 'id="completeness">0%' in body
    # A duplicate keeps the form filled and says why.
    again = web_client.post(
        "/households", data={"code": "B-2-0303", "community": "阳光花园", "use": "residential"}
    )
    assert again.status_code == 409
    assert "已存在户号为 B-2-0303 的业户档案" in text(again) and 'value="B-2-0303"' in text(again)
    # So does an invalid code or ID number; nothing half-made is left behind.
    bad = web_client.post(
        "/households", data={"code": "B-2-0404", "use": "residential", "owner": "钱七", "id_number": "12345"}
    )
    assert bad.status_code == 400 and "身份证号须为 15 位数字" in text(bad)
    with Archive(web_archive.settings).session() as session:
        assert session.scalar(select(Household.id).where(Household.code == "B-2-0404")) is None
    missing = web_client.post("/households", data={"code": "", "use": "residential"})
    assert missing.status_code == 400 and "请填写户号" in text(missing)


def test_admin_page_adds_users_and_sets_the_catalog(web_client, web_login, web_archive):
    web_login(web_client, "admin")
    page = text(web_client.get("/admin"))
    for username in ALL_USERS:
        assert f'<td class="mono">{username}</td>' in page
    assert "档案销毁审批人" in page and 'value="contract" checked' in page

    response = web_client.post(
        "/admin/users",
        data={"username": "qian", "display_name": "钱前台", "role": "staff", "password": "qian-password-1"},
    )
    assert response.status_code == 302
    assert "已添加用户 qian（客服员）" in text(web_client.get("/admin"))
    generated = web_client.post("/admin/users", data={"username": "sun", "role": "auditor"})
    assert generated.status_code == 200
    password = re.search(r'<code class="secret">([^<]+)</code>', text(generated)).group(1)
    duplicate = web_client.post(
        "/admin/users", data={"username": "qian", "role": "staff", "password": "qian-password-1"}
    )
    assert duplicate.status_code == 409 and "用户 qian 已存在" in text(duplicate)
    bad_role = web_client.post("/admin/users", data={"username": "zhou", "role": "root"})
    assert bad_role.status_code == 400

    # Only the contract and keys are expected now: the folder of A-1-0101 is half complete.
    response = web_client.post("/admin/document-types", data={"expected": ["contract", "keys"]})
    assert response.status_code == 302
    page = text(web_client.get("/admin"))
    assert 'value="contract" checked' in page and 'value="move_in" checked' not in page
    folder = squash(text(web_client.get(f"/households/{web_archive.households['A-1-0101']}")))
    assert 'id="completeness">50%' in folder
    # An unknown type is refused with the service's sentence and changes nothing: as a page
    # (no referrer) or, from the browser, flashed on the page the form came from.
    unknown = web_client.post("/admin/document-types", data={"expected": ["contract", "nonsense"]})
    assert unknown.status_code == 400 and "请求有误" in text(unknown) and "nonsense" in text(unknown)
    unknown = web_client.post(
        "/admin/document-types",
        data={"expected": ["nonsense"]},
        headers={"Referer": "http://localhost/admin"},
    )
    assert unknown.status_code == 302 and unknown.headers["Location"] == "/admin"
    page = text(web_client.get("/admin"))
    assert "nonsense" in page and 'value="keys" checked' in page

    web_client.post("/logout")
    assert web_client.post("/login", data={"username": "sun", "password": password}).status_code == 302
    assert web_client.get("/").status_code == 200


# --- security -------------------------------------------------------------------------------


def _assert_security_headers(response, *, no_store: bool = True):
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    if no_store:
        assert headers["Cache-Control"] == "no-store"


def test_security_headers_everywhere(web_client, web_login, web_archive):
    _assert_security_headers(web_client.get("/login"))
    web_login(web_client, "staff")
    for path in ("/", "/households", f"/households/{web_archive.households['A-1-0101']}", "/admin", "/nope"):
        _assert_security_headers(web_client.get(path))
    _assert_security_headers(
        web_client.get(
            "/api/v1/households", headers={"Authorization": f"Bearer {web_archive.tokens['staff']}"}
        )
    )
    static = web_client.get("/static/dossier.css")
    _assert_security_headers(static, no_store=False)
    assert static.headers.get("Cache-Control") != "no-store"


def test_pages_have_no_inline_script_or_style(web_client, web_login, web_archive):
    web_login(web_client, "admin")
    for path in ("/", "/households", f"/households/{web_archive.households['A-1-0101']}", "/admin"):
        body = text(web_client.get(path))
        assert "<script>" not in body and "<style" not in body and " style=" not in body
        assert re.findall(r"<script[^>]*>", body) == ['<script src="/static/dossier.js" defer>']
        assert "onclick" not in body


def test_element_ids_are_unique(web_client, web_login, web_archive):
    web_login(web_client, "admin")
    for path in ("/", "/households", f"/households/{web_archive.households['A-1-0101']}", "/admin"):
        ids = re.findall(r'\sid="([^"]+)"', text(web_client.get(path)))
        assert len(ids) == len(set(ids)), (path, sorted(i for i in ids if ids.count(i) > 1))


def test_session_cookie_flags(web_client, web_login):
    response = web_login(web_client, "staff")
    cookie = [
        v for k, v in response.headers.items() if k == "Set-Cookie" and v.startswith("dossier_session=")
    ][0]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    # Only a random id, and no Expires: the server's idle and absolute timeouts end the session.
    assert (
        re.fullmatch(r"dossier_session=[A-Za-z0-9_-]{43}", cookie.split(";")[0]) and "Expires=" not in cookie
    )


def test_post_without_csrf_token_is_refused(web_csrf_client, web_login, web_archive):
    client = web_csrf_client
    # Even the login form needs its token.
    refused = client.post("/login", data={"username": "archivist", "password": web_password("archivist")})
    assert refused.status_code == 400 and "安全校验失败" in text(refused)
    assert web_login(client, "archivist").status_code == 302  # with the token: fine
    response = client.post("/households", data={"code": "B-2-0505", "use": "residential"})
    assert response.status_code == 400
    assert "安全校验失败" in text(response)
    assert client.post("/logout").status_code == 400
    with Archive(web_archive.settings).session() as session:
        assert session.scalar(select(Household.id).where(Household.code == "B-2-0505")) is None
    token = web_csrf_token(client, "/households")
    ok = client.post("/households", data={"code": "B-2-0505", "use": "residential", "csrf_token": token})
    assert ok.status_code == 302


def test_escapes_user_supplied_text(web_client, web_login, web_archive):
    web_login(web_client, "archivist")
    response = web_client.post(
        "/households", data={"code": "B-2-0606", "use": "residential", "owner": "<script>alert(1)</script>"}
    )
    assert response.status_code == 302
    body = text(web_client.get(response.headers["Location"]))
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


# --- API ------------------------------------------------------------------------------------


def bearer(web_archive, username: str) -> dict:
    return {"Authorization": f"Bearer {web_archive.tokens[username]}"}


def test_api_needs_a_valid_token(web_client, web_login, web_archive):
    response = web_client.get("/api/v1/households")
    assert response.status_code == 401
    assert response.is_json and "error" in response.get_json()
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    for header in (
        "Bearer dos_not-a-real-token",
        "Bearer ",
        "Basic YWRtaW46YWRtaW4=",
        web_archive.tokens["staff"],
    ):
        response = web_client.get("/api/v1/households", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.get_json()["error"]
    # A signed-in browser session is not an API credential.
    web_login(web_client, "admin")
    assert web_client.get("/api/v1/households").status_code == 401


def test_api_staff_lists_but_cannot_create(web_client, web_archive):
    response = web_client.get("/api/v1/households?community=阳光花园", headers=bearer(web_archive, "staff"))
    assert response.status_code == 200
    data = response.get_json()
    assert data["total"] == 2
    assert [h["code"] for h in data["households"]] == ["A-1-0101", "A-1-1201"]
    assert data["households"][0]["owners"] == ["张三"]
    assert data["households"][0]["completeness"] == 40.0  # the confidential ID scan is not counted
    response = web_client.post(
        "/api/v1/households", json={"code": "B-9-0909"}, headers=bearer(web_archive, "staff")
    )
    assert response.status_code == 403
    assert response.get_json() == {"code": "http.403", "error": "permission denied", "error_zh": "无权访问。"}


def test_api_list_filters_and_paging(web_client, web_archive):
    headers = bearer(web_archive, "auditor")
    data = web_client.get("/api/v1/households?limit=1&offset=1", headers=headers).get_json()
    assert data["total"] == 3 and len(data["households"]) == 1 and data["offset"] == 1
    assert web_client.get("/api/v1/households?use=commercial", headers=headers).get_json()["total"] == 1
    assert web_client.get("/api/v1/households?owner=王", headers=headers).get_json()["total"] == 1
    for bad in ("limit=abc", "limit=0", "limit=501", "offset=-1", "floor=x", "use=castle", "status=gone"):
        response = web_client.get(f"/api/v1/households?{bad}", headers=headers)
        assert response.status_code == 400, bad
        assert response.get_json()["error"], bad


def test_api_show_household(web_client, web_archive):
    hid = web_archive.households["A-1-0101"]
    staff = web_client.get(f"/api/v1/households/{hid}", headers=bearer(web_archive, "staff")).get_json()
    assert staff["code"] == "A-1-0101" and staff["archive_no"]
    assert staff["parties"][0]["id_number"] == WEB_ID_NUMBER_MASKED
    assert web_archive.confidential_title not in [d["title"] for d in staff["documents"]]
    assert staff["catalog"]["completeness"] == 40.0
    assert {t["code"]: t["present"] for t in staff["catalog"]["types"]}["keys"] == 0
    assert {t["code"]: t["present"] for t in staff["catalog"]["types"]}["id_document"] == 0
    archivist = web_client.get(
        f"/api/v1/households/{hid}", headers=bearer(web_archive, "archivist")
    ).get_json()
    assert archivist["catalog"]["completeness"] == 60.0
    assert archivist["parties"][0]["id_number"] == WEB_ID_NUMBER
    assert web_archive.confidential_title in [d["title"] for d in archivist["documents"]]
    views = events(web_archive, "household.view")
    assert [(e.username, e.channel) for e in views] == [("staff", "api"), ("archivist", "api")]


def test_api_archivist_creates_households(web_client, web_archive):
    headers = bearer(web_archive, "archivist")
    body = {
        "code": "D-1-0808",
        "community": "阳光花园",
        "use": "residential",
        "area": 120.5,
        "owner": "孙八",
        "phone": "13700137000",
        "id_number": "110101199912121234",
    }
    response = web_client.post("/api/v1/households", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert (
        data["code"] == "D-1-0808" and data["archive_no"].startswith("C002-Z") and isinstance(data["id"], int)
    )
    assert response.headers["Location"] == f"/api/v1/households/{data['id']}"
    shown = web_client.get(response.headers["Location"], headers=headers).get_json()
    assert shown["floor"] == 8 and shown["area"] == "120.50" and shown["parties"][0]["name"] == "孙八"

    duplicate = web_client.post("/api/v1/households", json=body, headers=headers)
    assert duplicate.status_code == 409
    assert "already exists" in duplicate.get_json()["error"]


@pytest.mark.parametrize(
    "payload, content_type",
    [
        ("{not json", "application/json"),
        ('["a list"]', "application/json"),
        ('{"code": "E-1-0101"}', "text/plain"),
        ('{"code": "E-1-0101", "colour": "red"}', "application/json"),
        ('{"code": 12}', "application/json"),
        ('{"code": "E-1-0101", "floor": "3"}', "application/json"),
        ('{"code": "E-1-0101", "floor": true}', "application/json"),
        ('{"community": "阳光花园"}', "application/json"),
        ('{"code": "E-1-0101", "id_number": "123"}', "application/json"),
        ('{"code": "bad code!"}', "application/json"),
    ],
)
def test_api_create_rejects_bad_input(web_client, web_archive, payload, content_type):
    response = web_client.post(
        "/api/v1/households",
        data=payload,
        content_type=content_type,
        headers=bearer(web_archive, "archivist"),
    )
    assert response.status_code == 400
    body = response.get_json()
    assert response.is_json and body["code"] and body["error"]
    assert re.search(r"[\u4e00-\u9fff]", body["error_zh"])
    with Archive(web_archive.settings).session() as session:
        assert session.scalar(select(Household.id).where(Household.code == "E-1-0101")) is None


def test_api_not_found_is_json(web_client, web_archive):
    headers = bearer(web_archive, "staff")
    response = web_client.get("/api/v1/households/99999", headers=headers)
    assert response.status_code == 404
    assert response.get_json() == {
        "code": "household.no_such_id",
        "error": "there is no household with id 99999",
        "error_zh": "没有编号为 99999 的业户。",
    }
    for path in ("/api/v1/nothing", "/api/v2/households", "/api"):
        response = web_client.get(path, headers=headers)
        assert response.status_code == 404, path
        assert response.get_json() == {"code": "http.404", "error": "not found", "error_zh": "未找到。"}, path
    response = web_client.delete("/api/v1/households", headers=headers)
    assert response.status_code == 405
    assert response.get_json() == {
        "code": "http.405",
        "error": "method not allowed",
        "error_zh": "不支持的请求方式。",
    }


def test_api_needs_no_csrf_token(web_csrf_client, web_archive):
    response = web_csrf_client.post(
        "/api/v1/households", json={"code": "F-1-0101"}, headers=bearer(web_archive, "archivist")
    )
    assert response.status_code == 201


def test_unexpected_errors_end_in_a_plain_chinese_page(web_archive):
    from dossier.errors import ConfigurationError
    from webapp import create_app
    from webapp.access import public

    app = create_app(web_archive.settings, testing=True)

    @app.get("/boom")
    @public
    def boom():
        raise RuntimeError("secret internals")

    @app.get("/api/v1/boom")
    @public
    def api_boom():
        raise ConfigurationError("the key file /srv/keys/master.key is missing")

    client = app.test_client()
    response = client.get("/boom")
    assert response.status_code == 500
    assert "系统内部错误" in text(response)
    assert "secret internals" not in text(response) and "Traceback" not in text(response)
    response = client.get("/api/v1/boom")
    assert response.status_code == 503
    assert response.get_json() == {
        "code": "http.503",
        "error": "service unavailable",
        "error_zh": "服务暂不可用。",
    }
