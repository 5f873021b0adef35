"""The document page's record panels through Flask's test client: the 更正 form (archivists and
admins), the change history (修改记录), holds, the paper location and search by cabinet/box."""

from __future__ import annotations

import html
import re

from dossier.actor import Actor
from dossier.archive import Archive
from dossier.models import Document, Household
from paper.loans import PaperLocation, set_paper_location
from retention.holds import add_hold
from tests.web_fixtures import web_csrf_token


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _login(client, web_login, username: str) -> None:
    client.post("/logout")
    assert web_login(client, username).status_code == 302


def _doc(web_archive, document_id: int) -> Document:
    with Archive(web_archive.settings).session() as session:
        doc = session.get(Document, document_id)
        session.expunge(doc)
        return doc


def _form(fund: int, **changes: str) -> dict[str, str]:
    data = {
        "title": "维修基金缴纳通知",
        "type_code": "payment",
        "document_date": "2020-05-01",
        "confidential": "ordinary",
        "retention_class": "default",
        "household": "A-1-0101",
        "community": "",
        "reason": "",
    }
    return {**data, **changes}


def test_the_form_is_for_records_managers_and_prefilled(web_client, web_login, web_search_docs):
    fund = web_search_docs.ids["fund"]
    _login(web_client, web_login, "staff")
    body = text(web_client.get(f"/documents/{fund}"))
    assert 'id="history"' in body and "修改记录" in body and 'id="correction"' not in body
    assert 'id="paper-save"' not in body and "未登记纸质原件存放位置" in body
    assert web_client.post(f"/documents/{fund}/correct", data=_form(fund, reason="x")).status_code == 403
    assert web_client.post(f"/documents/{fund}/paper-location", data={"cabinet": "1"}).status_code == 403

    _login(web_client, web_login, "archivist")
    body = text(web_client.get(f"/documents/{fund}"))
    assert 'id="correction"' in body
    assert re.search(r'id="fix-title"[^>]*value="维修基金缴纳通知"', body)
    assert re.search(r'<option selected value="payment">|<option value="payment" selected', body)
    assert re.search(r'id="fix-household"[^>]*value="A-1-0101"', body)
    assert re.search(r'id="fix-reason"[^>]*required', body)


def test_a_correction_with_a_reason_lands_in_the_history(
    web_csrf_client, web_login, web_archive, web_search_docs
):
    client, fund = web_csrf_client, web_search_docs.ids["fund"]
    _login(client, web_login, "archivist")
    token = web_csrf_token(client, f"/documents/{fund}")
    # no reason: refused, nothing changes
    refused = client.post(
        f"/documents/{fund}/correct", data=_form(fund, title="改了", csrf_token=token), follow_redirects=True
    )
    assert "请填写更正理由" in text(refused) and _doc(web_archive, fund).title == "维修基金缴纳通知"
    # without the CSRF token: refused
    assert (
        client.post(f"/documents/{fund}/correct", data=_form(fund, title="改了", reason="r")).status_code
        == 400
    )

    done = client.post(
        f"/documents/{fund}/correct",
        data=_form(fund, title="维修基金缴纳通知（2020年）", reason="题名不全", csrf_token=token),
        follow_redirects=True,
    )
    body = text(done)
    assert "已更正文件著录信息" in body and _doc(web_archive, fund).title == "维修基金缴纳通知（2020年）"
    history = body[body.index('id="history"') :]
    first = history[: history.index("</tr>", history.index("history-entry"))]
    assert "著录更正" in first and "陈档案" in first and "题名不全" in first
    assert "维修基金缴纳通知 → " in first and "维修基金缴纳通知（2020年）" in first

    moved = client.post(
        f"/documents/{fund}/correct",
        data=_form(
            fund, title="维修基金缴纳通知（2020年）", household="S-101", reason="归错了户", csrf_token=token
        ),
        follow_redirects=True,
    )
    assert _doc(web_archive, fund).household_id == web_archive.households["S-101"]
    assert "S-101（" in text(moved) and "归错了户" in text(moved)
    wrong = client.post(
        f"/documents/{fund}/correct",
        data=_form(fund, household="Z-9-9999", reason="r", csrf_token=token),
        follow_redirects=True,
    )
    assert "没有户号为 Z-9-9999 的业户" in text(wrong)


def test_holds_and_paper_location_on_the_page_and_search_by_cabinet(
    web_csrf_client, web_login, web_archive, web_search_docs
):
    client, ids = web_csrf_client, web_search_docs.ids
    archive = Archive(web_archive.settings)
    with archive.session() as session:
        console = Actor.console()
        add_hold(
            session, console, "诉讼保全", household=session.get(Household, web_archive.households["A-1-0101"])
        )
        set_paper_location(session, console, ids["secret"], PaperLocation("3", "12", "5"))
        set_paper_location(session, console, ids["reno"], PaperLocation("4", "1", "1"))

    _login(client, web_login, "archivist")
    body = text(client.get(f"/documents/{ids['fund']}"))
    holds = body[body.index('id="holds"') : body.index('id="paper"')]
    assert "整户冻结" in holds and "诉讼保全" in holds
    token = web_csrf_token(client, f"/documents/{ids['fund']}")
    saved = client.post(
        f"/documents/{ids['fund']}/paper-location",
        data={"cabinet": "3", "box": "12", "position": "7", "csrf_token": token},
        follow_redirects=True,
    )
    body = text(saved)
    assert "已保存纸质原件存放位置" in body
    assert re.search(r'id="paper-location".*?>3<.*?>12<.*?>7<', body, re.S)
    too_long = client.post(
        f"/documents/{ids['fund']}/paper-location",
        data={"cabinet": "x" * 40, "box": "", "position": "", "csrf_token": token},
        follow_redirects=True,
    )
    assert "输入有误" in text(too_long) and _doc(web_archive, ids["fund"]).paper_cabinet == "3"

    # search by cabinet/box: the archivist finds both documents in cabinet 3, box 12 ...
    found = client.get("/search", query_string={"cabinet": "3", "box": "12"})
    assert found.status_code == 200
    assert set(map(int, re.findall(r"/documents/(\d+)\?page", text(found)))) == {ids["fund"], ids["secret"]}
    # ... staff only the ordinary one, counted alone (the confidential one counts nowhere)
    api = {"Authorization": f"Bearer {web_archive.tokens['staff']}"}
    staff = client.get("/api/v1/search", headers=api, query_string={"cabinet": "3"}).get_json()
    assert staff["total"] == 1 and [h["document"] for h in staff["hits"]] == [ids["fund"]]
    assert sum(f["count"] for f in staff["facets"]["type"]) == 1
    narrowed = client.get(
        "/api/v1/search", headers=api, query_string={"q": "维修", "cabinet": "4"}
    ).get_json()
    assert [h["document"] for h in narrowed["hits"]] == [ids["reno"]]
    assert client.get("/api/v1/search", headers=api, query_string={"box": "99"}).get_json()["total"] == 0
