"""The retention pages through Flask's test client: the due list, proposing, review (strike,
approve) by another officer, execution, certificates and exports, holds, the household close
date (web and API), the document page and the dashboard."""

from __future__ import annotations

import io
import re
from datetime import date
from urllib.parse import quote

import pytest

from dossier import localtime
from dossier.actor import Actor
from dossier.archive import Archive
from dossier.models import Document
from tests.jobs_helpers import run_queued
from tests.retention_helpers import store_document
from tests.web_fixtures import web_csrf_token


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def due_docs(web_archive):
    """Three due documents (one with its paper original kept), one not yet due; a second officer."""
    from dossier.services.users import add_user

    archive = Archive(web_archive.settings)
    with archive.session() as session:
        add_user(
            session,
            Actor.console(),
            "officer2",
            "retention_officer",
            "officer2-password-1",
            display_name="郑副经理",
        )
    ids = {
        "repair": store_document(
            archive, "A-1-0101", "repair", date(2015, 3, 1), title="报修单 2015", paper=("A柜", "3盒", "12")
        ),
        "keys": store_document(archive, "A-1-1201", "keys", date(2012, 7, 8), title="钥匙领用 2012"),
        "service": store_document(archive, "S-101", "service", date(2016, 1, 5), title="特约服务单 2016"),
        "fresh": store_document(
            archive, "A-1-0101", "repair", date(localtime.today().year, 1, 1), title="今年的报修单"
        ),
    }
    return ids


def _login(client, web_login, username):
    client.post("/logout")
    response = web_login(client, username)
    assert response.status_code == 302


def _doc(web_archive, document_id) -> Document:
    with Archive(web_archive.settings).session() as session:
        return session.get(Document, document_id)


def test_retention_pages_are_for_the_retention_roles(web_client, web_login, due_docs):
    assert web_client.get("/retention").status_code == 302
    _login(web_client, web_login, "staff")
    assert web_client.get("/retention").status_code == 403
    assert web_client.get("/retention/lists").status_code == 403
    assert "档案销毁" not in text(web_client.get("/"))
    # Auditors (and the administrator, who audits too) read: the due list, lists, certificates
    # and holds; they change nothing.
    _login(web_client, web_login, "auditor")
    body = text(web_client.get("/retention"))
    assert "共 3 件到期" in body and 'id="propose-form"' not in body
    assert web_client.post("/retention/propose", data={}).status_code == 403
    assert 'id="hold-form"' not in text(web_client.get("/retention/holds"))
    assert (
        web_client.post("/retention/holds", data={"household": "A-1-0101", "reason": "x"}).status_code == 403
    )
    _login(web_client, web_login, "archivist")
    body = text(web_client.get("/"))
    assert "档案销毁" in body
    assert re.search(r'id="due-now-count">3<', body)


def test_due_list_propose_review_execute_certificate(web_client, web_login, web_archive, due_docs):
    _login(web_client, web_login, "archivist")
    body = text(web_client.get("/retention"))
    assert "共 3 件到期" in body and "报修单 2015" in body and "今年的报修单" not in body
    assert "A柜 / 3盒 / 12" in body
    assert set(map(int, re.findall(r'data-document="(\d+)"', body))) == {
        due_docs["repair"],
        due_docs["keys"],
        due_docs["service"],
    }
    filtered = text(web_client.get("/retention?type_code=keys"))
    assert "共 1 件到期" in filtered and "钥匙领用 2012" in filtered
    assert "共 0 件到期" in text(web_client.get("/retention?as_of=2015-01-01"))
    assert "共 1 件到期" in text(web_client.get("/retention?class_code=D3&household=A-1-0101"))

    response = web_client.post(
        "/retention/propose", data={"as_of": "", "household": "", "type_code": "", "class_code": ""}
    )
    assert response.status_code == 302
    number = response.headers["Location"].rsplit("/", 1)[-1]
    body = text(web_client.get(f"/retention/lists/{number}"))
    assert (
        "已编制销毁清册" in body
        and "此清册等待档案销毁审批人审核" in body
        and 'id="approve-form"' not in body
    )
    assert number in text(web_client.get("/retention/lists"))

    # Only a retention officer reviews, and the archivist cannot strike or approve.
    assert web_client.post(f"/retention/lists/{number}/approve").status_code == 403
    _login(web_client, web_login, "officer")
    body = text(web_client.get(f"/retention/lists/{number}"))
    assert 'id="approve-form"' in body and body.count('class="strike-form"') == 3
    refused = web_client.post(
        f"/retention/lists/{number}/strike",
        data={"document_id": str(due_docs["keys"]), "reason": ""},
        follow_redirects=True,
    )
    assert "请填写剔除理由" in text(refused)
    was_due = _doc(web_archive, due_docs["keys"]).disposal_date
    response = web_client.post(
        f"/retention/lists/{number}/strike",
        data={"document_id": str(due_docs["keys"]), "reason": "钥匙纠纷未了", "extend_years": "3"},
        follow_redirects=True,
    )
    body = text(response)
    assert (
        "已将文件" in body
        and "钥匙纠纷未了（延长保管3年）" in body
        and body.count('class="strike-form"') == 2
    )
    # Three years from the item's disposal date, not from the day of the review.
    assert _doc(web_archive, due_docs["keys"]).disposal_date == was_due.replace(year=was_due.year + 3)
    body = text(web_client.post(f"/retention/lists/{number}/approve", follow_redirects=True))
    assert "已批准" in body and 'id="execute-form"' in body

    _login(web_client, web_login, "archivist")
    # Execution is confirmed by typing the list's number: checked by the server, not only the page.
    for typed in ("", "2020-999"):
        refused = web_client.post(
            f"/retention/lists/{number}/execute", data={"confirm_number": typed}, follow_redirects=True
        )
        assert refused.status_code == 400 and ("请输入清册编号" in text(refused))
    assert run_queued(web_archive.settings) == 0
    body = text(
        web_client.post(
            f"/retention/lists/{number}/execute", data={"confirm_number": number}, follow_redirects=True
        )
    )
    assert "已开始执行销毁" in body and 'data-job-status="queued"' in body and 'id="execute-form"' not in body
    again = web_client.post(f"/retention/lists/{number}/execute", data={"confirm_number": number})
    assert again.status_code == 409  # one execution of a list at a time
    assert run_queued(web_archive.settings) == 1  # what the worker does
    body = text(web_client.get(f"/retention/lists/{number}"))
    assert "已执行，本次销毁电子文件 2 件" in body and 'data-job-status="done"' in body
    assert f'href="/retention/lists/{number}/certificate"' in body
    assert _doc(web_archive, due_docs["repair"]).status == "destroyed"
    assert _doc(web_archive, due_docs["keys"]).status == "indexed"
    # The destroyed document's page is a tombstone.
    body = text(web_client.get(f"/documents/{due_docs['repair']}"))
    assert "此文件已按保管期限销毁" in body and number in body and "下载原件" not in body

    # Paper: two witnesses needed.
    body = text(
        web_client.post(
            f"/retention/lists/{number}/paper",
            data={
                "shredded_by": "陈档案",
                "witness_1": "周经理",
                "witness_2": "周经理",
                "method": "碎纸机",
                "destroyed_on": localtime.today().isoformat(),
            },
            follow_redirects=True,
        )
    )
    assert "至少 2 名不同的监销人" in body
    body = text(
        web_client.post(
            f"/retention/lists/{number}/paper",
            data={
                "shredded_by": "陈档案",
                "witness_1": "周经理",
                "witness_2": "吴审计",
                "method": "碎纸机",
                "destroyed_on": localtime.today().isoformat(),
            },
            follow_redirects=True,
        )
    )
    assert "已登记 1 件纸质原件的销毁" in body

    lists = text(web_client.get("/retention/lists"))
    assert re.search(r'id="lists-executed".*' + number, lists, re.S)
    cert = text(web_client.get(f"/retention/lists/{number}/certificate"))
    assert "档案销毁证明" in cert and "周经理、吴审计" in cert and "data-print" in cert
    assert re.search(r"审批人</th><td[^>]*>周经理</td>", cert) and "UTC" not in cert
    assert re.search(r"销毁日志条目</th><td[^>]*>3 条（序号 1–3）", cert)
    csv_response = web_client.get(f"/retention/lists/{number}/export.csv")
    assert csv_response.mimetype == "text/csv" and "钥匙纠纷未了" in csv_response.get_data().decode(
        "utf-8-sig"
    )
    cert_csv = (
        web_client.get(f"/retention/lists/{number}/export.csv?what=certificate")
        .get_data()
        .decode("utf-8-sig")
    )
    assert cert_csv.startswith("项目,内容") and number in cert_csv
    xlsx = web_client.get(f"/retention/lists/{number}/export.xlsx")
    disposition = xlsx.headers["Content-Disposition"]
    assert xlsx.status_code == 200 and f'filename="{number}.xlsx"' in disposition
    assert disposition.endswith("filename*=UTF-8''" + quote(f"销毁清册-{number}.xlsx"))
    from openpyxl import load_workbook

    assert load_workbook(io.BytesIO(xlsx.get_data())).sheetnames == ["销毁清册", "销毁证明"]
    assert web_client.get(f"/retention/lists/{number}/export.pdf").status_code == 400


def test_an_officer_cannot_review_their_own_list(web_client, web_login, due_docs):
    _login(web_client, web_login, "officer")
    response = web_client.post("/retention/propose", data={})
    number = response.headers["Location"].rsplit("/", 1)[-1]
    body = text(web_client.get(f"/retention/lists/{number}"))
    assert 'id="own-list"' in body and 'id="approve-form"' not in body
    refused = web_client.post(
        f"/retention/lists/{number}/approve",
        headers={"Referer": f"http://localhost/retention/lists/{number}"},
        follow_redirects=True,
    )
    assert "officer 是销毁清册" in text(refused) and "待审核" in text(refused)
    execute = web_client.post(
        f"/retention/lists/{number}/execute", data={"confirm_number": number}, follow_redirects=True
    )
    assert execute.status_code == 400 and "尚未批准" in text(execute)
    _login(web_client, web_login, "officer2")
    assert "已批准" in text(web_client.post(f"/retention/lists/{number}/approve", follow_redirects=True))


def test_retention_forms_need_the_csrf_token(web_csrf_client, web_login, due_docs):
    web_login(web_csrf_client, "archivist")
    assert web_csrf_client.post("/retention/propose", data={}).status_code == 400
    token = web_csrf_token(web_csrf_client, "/retention")
    assert web_csrf_client.post("/retention/propose", data={"csrf_token": token}).status_code == 302


def test_holds_page(web_client, web_login, web_archive, due_docs):
    _login(web_client, web_login, "archivist")
    body = text(
        web_client.post(
            "/retention/holds", data={"household": "A-1-0101", "reason": "诉讼保全"}, follow_redirects=True
        )
    )
    assert "已冻结" in body and "诉讼保全" in body and 'title="archivist"' in body
    assert '/release"' not in body  # only a retention officer releases a hold
    both = text(
        web_client.post(
            "/retention/holds",
            data={"household": "A-1-0101", "document_id": "1", "reason": "x"},
            follow_redirects=True,
        )
    )
    assert "请指定要冻结的业户或文件" in both
    assert "共 2 件到期" in text(web_client.get("/retention"))
    hold_id = int(re.search(r'data-hold="(\d+)"', body).group(1))
    assert web_client.post(f"/retention/holds/{hold_id}/release", data={}).status_code == 403
    _login(web_client, web_login, "officer")
    body = text(
        web_client.post(
            f"/retention/holds/{hold_id}/release", data={"reason": "已撤诉"}, follow_redirects=True
        )
    )
    assert "已解除" in body and "没有冻结" in body
    assert "已撤诉" in text(web_client.get("/retention/holds?all=1"))
    assert "共 3 件到期" in text(web_client.get("/retention"))


def test_household_close_date_on_the_folder_page_and_the_api(web_client, web_login, web_archive):
    archive = Archive(web_archive.settings)
    with archive.session() as session:
        from retention.classes import add_class

        add_class(session, Actor.console(), "HC5", "结档后5年", years=5, trigger="household_closed")
    doc_id = store_document(archive, "A-1-1201", "contacts", date(2012, 3, 1), retention="HC5")
    hid = web_archive.households["A-1-1201"]
    _login(web_client, web_login, "archivist")
    body = text(web_client.get(f"/documents/{doc_id}"))
    assert "业户结档后起算" in body and "HC5" in body
    body = text(web_client.get(f"/households/{hid}"))
    assert 'id="close-form"' in body
    refused = text(
        web_client.post(f"/households/{hid}/close", data={"closed_on": "2011-01-01"}, follow_redirects=True)
    )
    assert "不能在 2011-01-01 结档" in refused
    body = text(
        web_client.post(
            f"/households/{hid}/close",
            data={"closed_on": "2018-05-01", "confirmed": "yes"},
            follow_redirects=True,
        )
    )
    assert "已登记结档日期 2018-05-01；1 份文件的到期日期已重新计算" in body and "结档日期 2018-05-01" in body
    assert re.search(r'id="disposal-date">2024-01-01', text(web_client.get(f"/documents/{doc_id}")))
    _login(web_client, web_login, "staff")
    assert 'id="close-form"' not in text(web_client.get(f"/households/{hid}"))
    assert web_client.post(f"/households/{hid}/close", data={"closed_on": "2018-05-01"}).status_code == 403

    auth = {"Authorization": f"Bearer {web_archive.tokens['archivist']}"}
    reopened = web_client.post(f"/api/v1/households/{hid}/close", json={"closed_on": None}, headers=auth)
    assert reopened.status_code == 200 and reopened.get_json()["status"] == "active"
    closed = web_client.post(
        f"/api/v1/households/{hid}/close", json={"closed_on": "2019-02-03"}, headers=auth
    )
    assert closed.get_json() == {
        "id": hid,
        "code": "A-1-1201",
        "status": "closed",
        "closed_on": "2019-02-03",
        "recomputed": 1,
    }
    bad = web_client.post(f"/api/v1/households/{hid}/close", json={"closed_on": "2000-01-01"}, headers=auth)
    assert bad.status_code == 400 and "不能在 2000-01-01 结档" in bad.get_json()["error_zh"]
    assert (
        web_client.post(f"/api/v1/households/{hid}/close", json={"when": 1}, headers=auth).status_code == 400
    )
    staff = {"Authorization": f"Bearer {web_archive.tokens['staff']}"}
    assert (
        web_client.post(
            f"/api/v1/households/{hid}/close", json={"closed_on": None}, headers=staff
        ).status_code
        == 403
    )
    assert _doc(web_archive, doc_id).disposal_date == date(2025, 1, 1)


def test_dashboard_counts_documents_falling_due(web_client, web_login, web_archive, due_docs):
    from retention.lists import due_soon_count

    _login(web_client, web_login, "staff")
    body = text(web_client.get("/"))
    assert re.search(r'id="due-now-count">3<', body) and re.search(r'id="due-soon-count">\d+<', body)
    assert "查看到期文件" not in body  # staff may not open the due list
    with Archive(web_archive.settings).session() as session:
        # On 2018-11-01 the 2012 keys form (D5) is due; the 2015 repair form (D3) falls due on
        # 2019-01-01, within 90 days; the 2016 service form (D3) on 2020-01-01, later.
        assert due_soon_count(session, Actor.console(), today=date(2018, 11, 1)) == {
            "due": 1,
            "due_soon": 1,
            "days": 90,
        }
