"""The loan register (借阅) and the cabinet count (清点) on the web: who sees them, lending,
renewing, returning with a check, reminding, counting and resolving differences."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from dossier import localtime
from dossier.actor import Actor
from dossier.archive import Archive
from dossier.models import AccessEvent, Loan
from paper.loans import PaperLocation, set_paper_location

NEXT_WEEK = (localtime.today() + timedelta(days=7)).isoformat()


@pytest.fixture
def shelf(web_archive, run_cli, monkeypatch):
    """The contract and move-in form kept in cabinet C-1; the contract lent with the CLI in
    November 2025 and overdue since (补登 of the paper register)."""
    monkeypatch.setenv("DOSSIER_HOME", str(web_archive.settings.home))
    docs = web_archive.documents
    contract, move_in = docs["购房合同（正本扫描）"], docs["入住登记表"]
    for doc, box in ((contract, "B-01"), (move_in, "B-02")):
        done = run_cli("doc", "paper", str(doc), "--cabinet", "C-1", "--box", box)
        assert done.exit_code == 0, done.stderr
    lent = run_cli(
        "loan", "out", str(contract), "--to", "王五", "--unit", "工程部", "--purpose", "核对装修图纸",
        "--out-on", "2025-11-01", "--due", "2025-11-15",
    )  # fmt: skip
    assert lent.exit_code == 0, lent.stderr
    return {"contract": contract, "move_in": move_in}


def _loans(web_archive) -> list[Loan]:
    with Archive(web_archive.settings).session() as session:
        loans = list(session.scalars(select(Loan).order_by(Loan.id)))
        for loan in loans:
            _ = loan.renewals, loan.reminders
        session.expunge_all()
    return loans


def test_an_overdue_loan_made_with_the_cli_is_on_the_loans_page(shelf, web_client, web_login):
    web_login(web_client, "admin")
    home = web_client.get("/").get_data(as_text=True)
    assert '<a href="/paper/loans">借阅</a>' in home and '<a href="/paper/inventory">清点</a>' in home
    assert 'href="/paper/loans?filter=overdue"' in home and "dossier loan" not in home
    page = web_client.get("/paper/loans")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    row = re.search(r'<tr id="loan-1" class="loan-row loan-overdue".*?</tr>', body, re.S)
    assert row, body
    assert "王五" in row.group(0) and "工程部" in row.group(0) and "核对装修图纸" in row.group(0)
    assert "逾期" in row.group(0) and "2025-11-15" in row.group(0)
    overdue = web_client.get("/paper/loans?filter=overdue").get_data(as_text=True)
    assert 'id="loan-1"' in overdue


@pytest.mark.parametrize(("user", "sees", "acts"), [("archivist", 200, True), ("auditor", 200, False)])
def test_who_sees_and_who_acts(shelf, web_client, web_login, user, sees, acts):
    web_login(web_client, user)
    body = web_client.get("/paper/loans").get_data(as_text=True)
    assert ('id="lend-form"' in body) is acts and ("办理：续借" in body) is acts
    assert "王五" in body
    nav = web_client.get("/").get_data(as_text=True)
    assert ">借阅</a>" in nav and ">清点</a>" in nav
    counting = web_client.get("/paper/inventory?cabinet=C-1")
    assert counting.status_code == sees
    body = counting.get_data(as_text=True)
    assert ('id="count-form"' in body) is acts and "入住登记表" in body


def test_staff_have_no_paper_pages(shelf, web_client, web_login):
    web_login(web_client, "staff")
    home = web_client.get("/").get_data(as_text=True)
    assert ">借阅</a>" not in home and ">清点</a>" not in home
    assert web_client.get("/paper/loans").status_code == 403
    assert web_client.get("/paper/inventory").status_code == 403
    assert web_client.post("/paper/loans/1/remind", data={"channel": "phone"}).status_code == 403


def test_auditors_may_not_lend(shelf, web_client, web_login):
    web_login(web_client, "auditor")
    refused = web_client.post(
        "/paper/loans",
        data={
            "document_id": shelf["move_in"],
            "borrower": "x",
            "purpose": "y",
            "manner": "view",
            "due": NEXT_WEEK,
        },
    )
    assert refused.status_code == 403


def test_lend_renew_remind_and_return_with_a_check(shelf, web_client, web_login, web_archive):
    web_login(web_client, "archivist")
    form = web_client.get(f"/paper/loans?document={shelf['move_in']}").get_data(as_text=True)
    assert 'id="lend-document"' in form and "入住登记表" in form and "C-1 B-02" in form
    assert f'name="document_id" type="text" value="{shelf["move_in"]}"' in form or (
        f'value="{shelf["move_in"]}"' in form
    )
    lend = {
        "document_id": shelf["move_in"],
        "borrower": "赵六",
        "unit": "A-1-1201",
        "purpose": "办理产权变更",
        "manner": "copy",
        "due": NEXT_WEEK,
    }
    missing = web_client.post("/paper/loans", data={**lend, "purpose": ""})
    assert missing.status_code == 400 and "请填写借阅目的" in missing.get_data(as_text=True)
    assert "赵六" in missing.get_data(as_text=True)  # what was typed stays
    done = web_client.post("/paper/loans", data=lend, follow_redirects=True)
    assert done.status_code == 200 and "已登记借阅" in done.get_data(as_text=True)
    again = web_client.post("/paper/loans", data=lend)
    assert again.status_code == 409 and "已借给 赵六" in again.get_data(as_text=True)

    loan = _loans(web_archive)[-1]
    assert (loan.borrower, loan.borrower_unit, loan.purpose, loan.manner, loan.lent_by) == (
        "赵六",
        "A-1-1201",
        "办理产权变更",
        "copy",
        "archivist",
    )
    later = (localtime.today() + timedelta(days=21)).isoformat()
    back = {"Referer": "http://localhost/paper/loans"}
    earlier = web_client.post(f"/paper/loans/{loan.id}/renew", data={"due": NEXT_WEEK}, headers=back)
    assert earlier.status_code == 302
    renewed = web_client.post(
        f"/paper/loans/{loan.id}/renew", data={"due": later, "note": "业主出差"}, follow_redirects=True
    )
    assert "已续借至 " + later in renewed.get_data(as_text=True)
    reminded = web_client.post(
        f"/paper/loans/{loan.id}/remind", data={"channel": "sms", "note": "已发短信"}, follow_redirects=True
    )
    assert "已记录对 赵六 的催还（短信）" in reminded.get_data(as_text=True)
    page = web_client.get("/paper/loans").get_data(as_text=True)
    assert "短信：已发短信" in page and "陈档案" in page

    vague = web_client.post(
        f"/paper/loans/{loan.id}/return", data={"condition": "damaged"}, headers=back, follow_redirects=True
    )
    assert "请说明缺少哪些页或损坏情况" in vague.get_data(as_text=True)
    unchecked = web_client.post(
        f"/paper/loans/{loan.id}/return", data={}, headers=back, follow_redirects=True
    )
    assert "请选择归还查验结果" in unchecked.get_data(as_text=True)
    returned = web_client.post(
        f"/paper/loans/{loan.id}/return",
        data={"condition": "damaged", "note": "封面撕裂"},
        follow_redirects=True,
    )
    body = returned.get_data(as_text=True)
    assert "查验结果：损坏" in body
    history = body[body.index('id="history"') :]
    assert "已归还，损坏" in history and "封面撕裂" in history and "续借 1 次 · 催还 1 次" in history

    (loan,) = [x for x in _loans(web_archive) if x.id == loan.id]
    assert loan.returned_at and loan.return_condition == "damaged" and loan.due_on.isoformat() == later
    assert [(r.old_due.isoformat(), r.new_due.isoformat()) for r in loan.renewals] == [(NEXT_WEEK, later)]
    assert [(r.channel, r.reminded_by) for r in loan.reminders] == [("sms", "archivist")]
    with Archive(web_archive.settings).session() as session:
        actions = session.scalars(
            select(AccessEvent.action).where(AccessEvent.action.like("loan.%")).order_by(AccessEvent.id)
        ).all()
    assert actions == ["loan.out", "loan.out", "loan.renew", "loan.remind", "loan.return"]


def test_a_confidential_original_needs_the_approvers_password(shelf, web_client, web_login, web_archive):
    secret = web_archive.documents[web_archive.confidential_title]
    web_login(web_client, "archivist")
    with Archive(web_archive.settings).session() as session:
        set_paper_location(session, Actor.console(), secret, PaperLocation("C-1", "B-09"))
    lend = {
        "document_id": secret,
        "borrower": "审计组",
        "purpose": "年度审计",
        "manner": "view",
        "due": NEXT_WEEK,
    }
    nobody = web_client.post("/paper/loans", data=lend)
    assert nobody.status_code == 400 and "须由具有保密查阅权限的人员批准" in nobody.get_data(as_text=True)
    wrong = web_client.post(
        "/paper/loans", data={**lend, "approved_by": "officer", "approver_password": "nope"}
    )
    assert wrong.status_code == 403 and "批准人 周经理 的密码不正确" in wrong.get_data(as_text=True)
    staff = web_client.post(
        "/paper/loans", data={**lend, "approved_by": "staff", "approver_password": "staff-password-1"}
    )
    assert staff.status_code == 403 and "没有保密查阅权限" in staff.get_data(as_text=True)
    ok = web_client.post(
        "/paper/loans", data={**lend, "approved_by": "officer", "approver_password": "officer-password-1"}
    )
    assert ok.status_code == 302
    loan = _loans(web_archive)[-1]
    assert loan.document_id == secret and loan.approved_by_id is not None and loan.manner == "view"
    # The approver by 姓名 (the username, if at all, only as a tooltip).
    assert re.search(r"批准：(<[^>]*>)?周经理", web_client.get("/paper/loans").get_data(as_text=True))


def test_count_a_cabinet_and_resolve_its_difference(shelf, web_client, web_login, web_archive):
    web_login(web_client, "archivist")
    overview = web_client.get("/paper/inventory").get_data(as_text=True)
    assert "/paper/inventory?cabinet=C-1" in overview
    page = web_client.get("/paper/inventory?cabinet=C-1").get_data(as_text=True)
    assert f'name="missing" value="{shelf["move_in"]}"' in page  # on the shelf by the ledger
    assert f'name="missing" value="{shelf["contract"]}"' not in page  # out on loan
    month = localtime.today().strftime("%Y-%m")
    counted = web_client.post(
        "/paper/inventory",
        data={"cabinet": "C-1", "month": month, "missing": [shelf["move_in"]], "extra": "无标签收据一张\n"},
        follow_redirects=True,
    )
    body = counted.get_data(as_text=True)
    assert "有 2 项差异待处理" in body
    differences = body[body.index('id="differences"') : body.index('id="count-history"')]
    assert "缺失" in differences and "入住登记表" in differences and "无标签收据一张" in differences
    history = body[body.index('id="count-history"') :]
    assert month in history and "2 项，2 项待处理" in history

    empty = web_client.post(
        "/paper/inventory/counts/1/1/resolve?cabinet=C-1",
        data={"note": ""},
        headers={"Referer": "http://localhost/paper/inventory?cabinet=C-1"},
        follow_redirects=True,
    )
    assert "请说明差异如何处理" in empty.get_data(as_text=True)
    resolved = web_client.post(
        "/paper/inventory/counts/1/1/resolve?cabinet=C-1",
        data={"note": "在 B-03 盒找到，已归位"},
        follow_redirects=True,
    )
    body = resolved.get_data(as_text=True)
    assert "已处理 C-1 柜" in body
    differences = body[body.index('id="differences"') : body.index('id="count-history"')]
    assert "入住登记表" not in differences and "无标签收据一张" in differences
    assert "在 B-03 盒找到，已归位" in body
    with Archive(web_archive.settings).session() as session:
        assert session.scalars(
            select(AccessEvent.action).where(AccessEvent.action.like("inventory%"))
        ).all() == [
            "inventory",
            "inventory.resolve",
        ]

    bad = web_client.post(
        "/paper/inventory",
        data={"cabinet": "C-1", "month": "2025-13"},
        headers={"Referer": "http://localhost/paper/inventory?cabinet=C-1"},
        follow_redirects=True,
    )
    assert "清点月份的格式应为" in bad.get_data(as_text=True)


def test_the_forms_need_their_csrf_token(shelf, web_csrf_client, web_login):
    web_login(web_csrf_client, "archivist")
    assert web_csrf_client.post("/paper/loans/1/remind", data={"channel": "phone"}).status_code == 400
    assert (
        web_csrf_client.post("/paper/inventory", data={"cabinet": "C-1", "month": "2025-01"}).status_code
        == 400
    )
