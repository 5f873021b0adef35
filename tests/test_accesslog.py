"""The access log (查阅登记): view, download, print, export, search and refusals are recorded with
who, role, document, household, time, address and purpose; auditors filter it on the web and
export it as CSV (web and CLI)."""

from __future__ import annotations

import csv
import io
import json
import re
from html import unescape

import pytest

from dossier.permissions import ROLE_NAMES_ZH
from dossier.services.users import add_user
from tests.audit_helpers import stored_documents
from tests.web_fixtures import web_csrf_token


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def _csv(body: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))


def _logout(client):
    assert client.post("/logout", data={"csrf_token": web_csrf_token(client, "/")}).status_code == 302


def _browse_as_staff_and_archivist(client, web_login, docs):
    fund, secret = docs.ids["fund"], docs.ids["secret"]
    web_login(client, "staff")
    assert client.get(f"/documents/{fund}").status_code == 200
    assert client.get(f"/documents/{fund}/original").status_code == 200
    _print(client, fund)
    assert client.get("/search?q=维修基金").status_code == 200
    assert client.get(f"/documents/{secret}").status_code == 404  # as if it did not exist
    _logout(client)
    web_login(client, "archivist")
    token = web_csrf_token(client, f"/documents/{secret}")
    client.post(f"/documents/{secret}/purpose", data={"purpose": "核对业主身份", "csrf_token": token})
    _print(client, secret)
    _logout(client)


def _print(client, document_id: int) -> None:
    """Open the print view (a view) and print (the print view's script posts when printing)."""
    token = web_csrf_token(client, f"/documents/{document_id}/print")
    printed = client.post(
        f"/documents/{document_id}/printed", data={"csrf_token": token}, headers={"X-Requested-With": "fetch"}
    )
    assert printed.status_code == 204


def test_every_kind_of_access_is_recorded_and_auditors_browse_and_export_it(
    web_csrf_client, web_login, web_search_docs
):
    client = web_csrf_client
    _browse_as_staff_and_archivist(client, web_login, web_search_docs)
    fund, secret = web_search_docs.ids["fund"], web_search_docs.ids["secret"]
    web_login(client, "auditor")
    page = text(client.get("/audit/access-log"))
    assert "查阅登记" in page and "打印" in page and "下载原件" in page and "检索" in page and "拒绝" in page

    rows = _csv(client.get("/audit/access-log/export.csv").get_data(as_text=True))
    seen = {(r["用户名"], r["操作"], r["结果"], r["文件编号"]) for r in rows}
    assert {
        ("staff", "查看文件", "成功", str(fund)),
        ("staff", "下载原件", "成功", str(fund)),
        ("staff", "打印", "成功", str(fund)),
        ("staff", "检索", "成功", ""),
        ("staff", "查看文件", "拒绝", str(secret)),
        ("archivist", "打印", "成功", str(secret)),
    } <= seen
    printed = next(r for r in rows if r["操作"] == "打印" and r["用户名"] == "archivist")
    assert printed["查阅目的"] == "核对业主身份" and printed["角色"] == ROLE_NAMES_ZH["archivist"]
    assert printed["业户"] == "A-1-0101" and printed["地址"] == "127.0.0.1" and printed["时间"]

    only_prints = _csv(
        client.get("/audit/access-log/export.csv?action=document.print").get_data(as_text=True)
    )
    assert {r["操作"] for r in only_prints} == {"打印"} and len(only_prints) == 2
    denied = text(client.get("/audit/access-log?outcome=denied&user=staff&action=document.view"))
    assert re.search(r"共 1 条", denied) and f"#{secret}" in denied
    by_household = text(client.get("/audit/access-log?household=A-1-0101&action=document.view"))
    # staff's view, staff's refused view of the secret one, and both print views opened
    assert "共 4 条" in by_household
    bad = client.get("/audit/access-log?date_from=yesterday")
    assert bad.status_code == 400 and "Traceback" not in text(bad)
    exports = _csv(client.get("/audit/access-log/export.csv?action=accesslog.export").get_data(as_text=True))
    assert len(exports) >= 3 and {r["用户名"] for r in exports} == {"auditor"}


@pytest.mark.parametrize("username", ["staff", "archivist"])
def test_only_auditors_read_the_access_log(web_client, web_login, username):
    web_login(web_client, username)
    assert web_client.get("/audit/access-log").status_code == 403
    assert web_client.get("/audit/access-log/export.csv").status_code == 403


def test_cli_export_filters_and_role_checks(archive, console, tmp_path, run_cli):
    (secret,) = stored_documents(archive, console, tmp_path, ["身份证复印件"], confidential=True)
    with archive.session() as session:
        add_user(session, console, "stf", "staff", "stf-password-1")
        add_user(session, console, "aud", "auditor", "aud-password-1")
    assert run_cli("--as", "stf", "doc", "show", str(secret)).exit_code == 3  # not found, and logged
    no_purpose = run_cli("--as", "aud", "doc", "show", str(secret))
    assert no_purpose.exit_code == 2 and "--purpose" in no_purpose.stderr
    assert run_cli("--as", "aud", "doc", "show", str(secret), "--purpose", "年度审计").exit_code == 0
    assert run_cli("--as", "stf", "search", "身份证").exit_code == 0

    assert run_cli("--as", "stf", "accesslog", "export").exit_code == 5
    out = tmp_path / "log.csv"
    assert run_cli("--as", "aud", "accesslog", "export", "--csv", "-o", str(out)).exit_code == 0
    rows = _csv(out.read_text(encoding="utf-8"))
    actions = {(r["用户名"], r["操作"], r["结果"]) for r in rows}
    assert {("stf", "查看文件", "拒绝"), ("aud", "查看文件", "成功"), ("stf", "检索", "成功")} <= actions
    view = next(r for r in rows if r["用户名"] == "aud" and r["操作"] == "查看文件")
    assert view["查阅目的"] == "年度审计" and view["业户"] == "A-3-1201" and view["文件编号"] == str(secret)
    lines = run_cli("--as", "aud", "accesslog", "export", "--json", "--outcome", "denied").stdout.splitlines()
    assert [json.loads(line)["username"] for line in lines] == ["stf"]
    bad = run_cli("--as", "aud", "accesslog", "export", "--from", "soon")
    assert bad.exit_code == 2 and bad.stderr.count("\n") == 1


def test_every_access_action_has_a_chinese_name():
    from dossier.models import AccessAction
    from dossier.services.accesslog import ACTION_NAMES_ZH

    assert {a.value for a in AccessAction} == set(ACTION_NAMES_ZH)
