"""Paper originals: where each is kept, loans out and back, overdue ones chased; confidential
originals lent only with an approver who holds clearance."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from dossier import localtime
from dossier.models import AccessEvent
from dossier.services.users import add_user
from paper.loans import lend
from tests.audit_helpers import stored_documents
from tests.retention_helpers import cli_token

NEXT_WEEK = (localtime.today() + timedelta(days=7)).isoformat()


@pytest.fixture
def paper(archive, console, tmp_path, run_cli):
    (ordinary,) = stored_documents(archive, console, tmp_path, ["装修申请表"])
    (secret,) = stored_documents(archive, console, tmp_path, ["身份证复印件"], confidential=True)
    with archive.session() as session:
        for name, role in (
            ("arc", "archivist"),
            ("stf", "staff"),
            ("off", "retention_officer"),
            ("aud", "auditor"),
        ):
            add_user(session, console, name, role, f"{name}-password-1")
    for doc, box in ((ordinary, "B-07"), (secret, "B-08")):
        result = run_cli("--as", "arc", "doc", "paper", str(doc), "--cabinet", "C-3", "--box", box, "--json")
        assert result.exit_code == 0, result.stderr
    return {"ordinary": ordinary, "secret": secret}


def test_location_is_recorded_or_none_kept(paper, run_cli, archive, console, tmp_path):
    shown = run_cli(
        "doc",
        "paper",
        str(paper["ordinary"]),
        "--cabinet",
        "C-3",
        "--box",
        "B-07",
        "--position",
        "12",
        "--json",
    ).json()
    assert shown["paper"] == {"cabinet": "C-3", "box": "B-07", "position": "12"}
    assert run_cli("doc", "paper", str(paper["ordinary"])).exit_code == 2  # neither place nor --none
    assert run_cli("doc", "paper", str(paper["ordinary"]), "--none", "--box", "B").exit_code == 2
    assert run_cli("--as", "stf", "doc", "paper", str(paper["ordinary"]), "--none").exit_code == 5
    (none,) = stored_documents(archive, console, tmp_path, ["电子版来函"])
    assert run_cli("doc", "paper", str(none), "--none", "--json").json()["paper"] is None
    refused = run_cli("--as", "arc", "loan", "out", str(none), "--to", "王五", "--due", NEXT_WEEK)
    assert refused.exit_code == 2 and "没有登记纸质原件的存放位置" in refused.stderr


def test_lend_and_return_an_ordinary_original(paper, run_cli, archive):
    doc = str(paper["ordinary"])
    out = run_cli("--as", "arc", "loan", "out", doc, "--to", "王五（工程部）", "--due", NEXT_WEEK, "--json")
    assert out.exit_code == 0, out.stderr
    view = out.json()
    assert view["borrower"] == "王五（工程部）" and view["lent_by"] == "arc" and not view["overdue"]
    assert view["location"] == {"cabinet": "C-3", "box": "B-07", "position": None}
    again = run_cli("--as", "arc", "loan", "out", doc, "--to", "赵六", "--due", NEXT_WEEK)
    assert again.exit_code == 4 and "已借给 王五" in again.stderr
    gone = run_cli("--as", "arc", "doc", "paper", doc, "--none")
    assert gone.exit_code == 2 and "已借出" in gone.stderr
    back = run_cli("--as", "arc", "loan", "return", doc, "--note", "原样归还", "--json").json()
    assert back["returned_to"] == "arc" and back["returned_at"] and back["return_note"] == "原样归还"
    assert back["condition"] is None and back["outcome"] == "已归还（未登记查验结果）"
    assert run_cli("--as", "arc", "loan", "return", doc).exit_code == 3
    assert run_cli("--as", "arc", "loan", "out", doc, "--to", "赵六", "--due", "soon").exit_code == 2
    with archive.session() as session:
        logged = session.scalars(select(AccessEvent.action).where(AccessEvent.action.like("loan.%"))).all()
    assert logged == ["loan.out", "loan.return"]


def test_confidential_originals_need_an_approver_with_clearance(paper, run_cli, archive, monkeypatch):
    doc = str(paper["secret"])
    base = ("--as", "arc", "loan", "out", doc, "--to", "审计组", "--due", NEXT_WEEK)
    missing = run_cli(*base)
    assert missing.exit_code == 2 and "请指定批准人" in missing.stderr
    monkeypatch.setenv("DOSSIER_TOKEN", cli_token(archive, "stf"))  # four-eyes: the approver's own token
    uncleared = run_cli(*base, "--approved-by", "stf")
    assert uncleared.exit_code == 5 and "没有保密查阅权限" in uncleared.stderr
    assert run_cli(*base, "--approved-by", "nobody").exit_code == 3
    monkeypatch.setenv("DOSSIER_TOKEN", cli_token(archive, "off"))
    ok = run_cli(*base, "--approved-by", "off", "--json")
    assert ok.exit_code == 0 and ok.json()["approved_by"] == "off"


def test_overdue_loans_are_listed(paper, run_cli, archive, monkeypatch):
    with archive.session() as session:
        from dossier.actor import Actor
        from dossier.services.users import get_user

        arc = Actor.from_user(get_user(session, "arc"), "cli")
        lend(session, arc, paper["ordinary"], "王五", date(2020, 1, 10), today=date(2020, 1, 1))
    monkeypatch.setenv("DOSSIER_TOKEN", cli_token(archive, "off"))  # four-eyes: the approver's own token
    run_cli(
        "--as",
        "arc",
        "loan",
        "out",
        str(paper["secret"]),
        "--to",
        "审计组",
        "--due",
        NEXT_WEEK,
        "--approved-by",
        "off",
    )
    overdue = run_cli("--as", "aud", "loan", "overdue", "--json")
    assert overdue.exit_code == 0
    loans = overdue.json()["overdue"]
    assert [(v["document"], v["borrower"], v["due"]) for v in loans] == [
        (paper["ordinary"], "王五", "2020-01-10")
    ]
    assert loans[0]["overdue"] and loans[0]["days_overdue"] == (localtime.today() - date(2020, 1, 10)).days
    human = run_cli("--as", "arc", "loan", "overdue").stdout
    assert "逾期" in human and "王五" in human
    assert len(run_cli("--as", "aud", "loan", "list", "--open", "--json").json()["loans"]) == 2
    assert run_cli("--as", "stf", "loan", "overdue").exit_code == 5
    assert (
        run_cli(
            "--as", "aud", "loan", "out", str(paper["ordinary"]), "--to", "x", "--due", NEXT_WEEK
        ).exit_code
        == 5
    )


def test_dashboard_shows_the_overdue_count(web_client, web_login, web_archive):
    from dossier.actor import Actor
    from dossier.archive import Archive
    from dossier.models import Document

    archive = Archive(web_archive.settings)
    with archive.session() as session:
        doc_id = web_archive.documents["购房合同（正本扫描）"]
        session.get(Document, doc_id).paper_cabinet = "C-1"
        session.commit()
        lend(session, Actor.console(), doc_id, "王五", date(2020, 1, 10), today=date(2020, 1, 1))
    web_login(web_client, "archivist")
    body = web_client.get("/").get_data(as_text=True)
    assert re.search(r'借阅逾期</span><span class="stat-value">1<', body)
    assert "逾期未还的纸质原件" in body and "王五" in body
    web_client.post("/logout")
    web_login(web_client, "staff")
    assert "借阅逾期" not in web_client.get("/").get_data(as_text=True)


def test_the_register_keeps_unit_purpose_manner_renewals_reminders_and_the_return_check(
    paper, run_cli, archive
):
    doc = str(paper["ordinary"])
    lent = run_cli(
        "--as",
        "arc",
        "loan",
        "out",
        doc,
        "--to",
        "王五",
        "--unit",
        "A-3-1201",
        "--purpose",
        "办理产权变更",
        "--manner",
        "复制",
        "--due",
        NEXT_WEEK,
        "--json",
    ).json()
    assert (lent["unit"], lent["purpose"], lent["manner"], lent["manner_name"]) == (
        "A-3-1201",
        "办理产权变更",
        "copy",
        "复制",
    )
    assert lent["outcome"] == "在借" and lent["renewals"] == [] and lent["reminders"] == []

    later = (localtime.today() + timedelta(days=30)).isoformat()
    renewed = run_cli("--as", "arc", "loan", "renew", doc, "--due", later, "--note", "业主申请", "--json")
    assert renewed.exit_code == 0, renewed.stderr
    view = renewed.json()
    assert view["due"] == later
    assert [(r["old_due"], r["new_due"], r["by"], r["note"]) for r in view["renewals"]] == [
        (NEXT_WEEK, later, "arc", "业主申请")
    ]
    earlier = run_cli("--as", "arc", "loan", "renew", doc, "--due", NEXT_WEEK)
    assert earlier.exit_code == 2 and "须晚于原应还日期" in earlier.stderr
    assert run_cli("--as", "aud", "loan", "renew", doc, "--due", later).exit_code == 5

    reminded = run_cli(
        "--as", "arc", "loan", "remind", doc, "--by", "电话", "--note", "答应周五送回", "--json"
    )
    assert reminded.exit_code == 0, reminded.stderr
    (reminder,) = reminded.json()["reminders"]
    assert (reminder["channel"], reminder["channel_name"], reminder["by"], reminder["note"]) == (
        "phone",
        "电话",
        "arc",
        "答应周五送回",
    )
    assert run_cli("--as", "aud", "loan", "remind", doc, "--by", "sms").exit_code == 5

    vague = run_cli("--as", "arc", "loan", "return", doc, "--condition", "缺页")
    assert vague.exit_code == 2 and "请说明" in vague.stderr
    back = run_cli(
        "--as", "arc", "loan", "return", doc, "--condition", "pages_missing", "--note", "缺第 3 页", "--json"
    ).json()
    assert (back["condition"], back["condition_name"], back["return_note"]) == (
        "pages_missing",
        "缺页",
        "缺第 3 页",
    )
    assert back["outcome"] == "已归还，缺页"
    assert run_cli("--as", "arc", "loan", "remind", doc, "--by", "sms").exit_code == 3
    with archive.session() as session:
        logged = session.scalars(
            select(AccessEvent.action).where(AccessEvent.action.like("loan.%")).order_by(AccessEvent.id)
        ).all()
    assert logged == ["loan.out", "loan.renew", "loan.remind", "loan.return"]


def test_an_earlier_loan_is_entered_with_its_date_and_is_overdue_at_once(paper, run_cli):
    doc = str(paper["ordinary"])
    base = ("--as", "arc", "loan", "out", doc, "--to", "王五")
    assert run_cli(*base, "--out-on", "2025-11-20", "--due", "2025-11-15").exit_code == 2
    future = (localtime.today() + timedelta(days=3)).isoformat()
    assert run_cli(*base, "--out-on", future, "--due", NEXT_WEEK).exit_code == 2
    entered = run_cli(*base, "--out-on", "2025-11-01", "--due", "2025-11-15", "--json")
    assert entered.exit_code == 0, entered.stderr
    view = entered.json()
    assert view["overdue"] and view["outcome"].startswith("逾期")
    assert view["out_at"] == "2025-10-31T16:00:00+00:00"  # the start of 1 November, Beijing time
    assert [v["loan"] for v in run_cli("--as", "aud", "loan", "overdue", "--json").json()["overdue"]] == [
        view["loan"]
    ]


def test_a_past_due_date_without_an_out_date_is_recorded_as_overdue_now(paper, run_cli):
    """An original found out of its cabinet past its due date: recorded today, overdue at once."""
    out = run_cli("--as", "arc", "loan", "out", str(paper["ordinary"]), "--to", "王五", "--due", "2025-11-15")
    assert out.exit_code == 0, out.stderr
    assert "已过" in out.stderr and "逾期" in out.stderr
    overdue = run_cli("--as", "aud", "loan", "overdue", "--json").json()["overdue"]
    assert [(v["borrower"], v["due"]) for v in overdue] == [("王五", "2025-11-15")]
