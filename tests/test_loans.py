"""Paper originals: where each is kept, loans out and back, overdue ones chased; confidential
originals lent only with an approver who holds clearance."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from dossier.models import AccessEvent
from dossier.services.users import add_user
from paper.loans import lend
from tests.audit_helpers import stored_documents
from tests.retention_helpers import cli_token

NEXT_WEEK = (date.today() + timedelta(days=7)).isoformat()


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
    assert refused.exit_code == 2 and "no paper original" in refused.stderr


def test_lend_and_return_an_ordinary_original(paper, run_cli, archive):
    doc = str(paper["ordinary"])
    out = run_cli("--as", "arc", "loan", "out", doc, "--to", "王五（工程部）", "--due", NEXT_WEEK, "--json")
    assert out.exit_code == 0, out.stderr
    view = out.json()
    assert view["borrower"] == "王五（工程部）" and view["lent_by"] == "arc" and not view["overdue"]
    assert view["location"] == {"cabinet": "C-3", "box": "B-07", "position": None}
    again = run_cli("--as", "arc", "loan", "out", doc, "--to", "赵六", "--due", NEXT_WEEK)
    assert again.exit_code == 4 and "already out with 王五" in again.stderr
    gone = run_cli("--as", "arc", "doc", "paper", doc, "--none")
    assert gone.exit_code == 2 and "out on loan" in gone.stderr
    back = run_cli("--as", "arc", "loan", "return", doc, "--note", "完好", "--json").json()
    assert back["returned_to"] == "arc" and back["returned_at"] and back["note"] == "完好"
    assert run_cli("--as", "arc", "loan", "return", doc).exit_code == 3
    assert run_cli("--as", "arc", "loan", "out", doc, "--to", "赵六", "--due", "2001-01-01").exit_code == 2
    assert run_cli("--as", "arc", "loan", "out", doc, "--to", "赵六", "--due", "soon").exit_code == 2
    with archive.session() as session:
        logged = session.scalars(select(AccessEvent.action).where(AccessEvent.action.like("loan.%"))).all()
    assert logged == ["loan.out", "loan.return"]


def test_confidential_originals_need_an_approver_with_clearance(paper, run_cli, archive, monkeypatch):
    doc = str(paper["secret"])
    base = ("--as", "arc", "loan", "out", doc, "--to", "审计组", "--due", NEXT_WEEK)
    missing = run_cli(*base)
    assert missing.exit_code == 2 and "--approved-by" in missing.stderr
    monkeypatch.setenv("DOSSIER_TOKEN", cli_token(archive, "stf"))  # four-eyes: the approver's own token
    uncleared = run_cli(*base, "--approved-by", "stf")
    assert uncleared.exit_code == 5 and "clearance" in uncleared.stderr
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
    assert loans[0]["overdue"] and loans[0]["days_overdue"] == (date.today() - date(2020, 1, 10)).days
    human = run_cli("--as", "arc", "loan", "overdue").stdout
    assert "OVERDUE" in human and "王五" in human
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
