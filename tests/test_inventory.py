"""The monthly inventory (每月清点): a cabinet's count against the ledger, discrepancies kept."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from dossier import localtime
from dossier.models import AccessEvent, Document
from dossier.services.users import add_user
from tests.audit_helpers import stored_documents

NEXT_WEEK = (localtime.today() + timedelta(days=7)).isoformat()


def test_a_cabinet_count_records_missing_extra_and_lent_originals(archive, console, tmp_path, run_cli):
    docs = stored_documents(archive, console, tmp_path, ["合同", "入住登记", "装修申请", "钥匙领用"])
    with archive.session() as session:
        add_user(session, console, "arc", "archivist", "arc-password-1")
        add_user(session, console, "aud", "auditor", "aud-password-1")
    for doc in docs[:3]:
        assert run_cli("doc", "paper", str(doc), "--cabinet", "C-3", "--box", "B-1").exit_code == 0
    assert run_cli("doc", "paper", str(docs[3]), "--cabinet", "C-4").exit_code == 0
    assert run_cli("loan", "out", str(docs[2]), "--to", "工程部", "--due", NEXT_WEEK).exit_code == 0

    clean = run_cli("--as", "arc", "inventory", "record", "C-3", "--month", "2026-10", "--json").json()
    assert clean["expected"] == 2 and clean["found"] == 2 and clean["on_loan"] == 1 and clean["matches"]
    counted = run_cli(
        "--as",
        "arc",
        "inventory",
        "record",
        "C-3",
        "--month",
        "2026-11",
        "--missing",
        str(docs[1]),
        "--extra",
        "无标签的装修押金收据一张",
        "--json",
    )
    assert counted.exit_code == 0, counted.stderr
    view = counted.json()
    assert view["found"] == 1 and not view["matches"]
    assert view["discrepancies"] == [
        {"kind": "missing", "document": docs[1]},
        {"kind": "extra", "item": "无标签的装修押金收据一张"},
    ]
    wrong = run_cli("--as", "arc", "inventory", "record", "C-3", "--missing", str(docs[3]))
    assert wrong.exit_code == 2 and "不在 C-3 柜的架上" in wrong.stderr
    assert run_cli("--as", "arc", "inventory", "record", "C-3", "--month", "2026-13").exit_code == 2
    assert run_cli("--as", "aud", "inventory", "record", "C-3").exit_code == 5
    listed = run_cli("--as", "aud", "inventory", "list", "--cabinet", "C-3", "--json").json()["inventories"]
    assert [(c["month"], c["matches"]) for c in listed] == [("2026-11", False), ("2026-10", True)]
    human = run_cli("--as", "aud", "inventory", "list").stdout
    assert "C-3 柜 2026-11" in human and "缺失 1 件" in human


def test_differences_stay_listed_until_resolved(archive, console, tmp_path, run_cli):
    docs = stored_documents(archive, console, tmp_path, ["合同", "入住登记", "钥匙领用"])
    with archive.session() as session:
        add_user(session, console, "arc", "archivist", "arc-password-1")
        add_user(session, console, "aud", "auditor", "aud-password-1")
    for doc in docs[:2]:
        assert run_cli("doc", "paper", str(doc), "--cabinet", "C-3").exit_code == 0
    assert run_cli("doc", "paper", str(docs[2]), "--cabinet", "C-9", "--box", "B-2").exit_code == 0
    counted = run_cli(
        "--as",
        "arc",
        "inventory",
        "record",
        "C-3",
        "--missing",
        str(docs[0]),
        "--extra",
        f"#{docs[2]}",
        "--json",
    ).json()
    with archive.session() as session:
        titles = {d: session.get(Document, d).title for d in docs}
    assert counted["discrepancies"] == [
        {"kind": "missing", "document": docs[0]},
        {"kind": "extra", "document": docs[2], "item": titles[docs[2]], "ledger": "C-9 B-2"},
    ]
    assert counted["open_differences"] == 2
    listed = run_cli("--as", "aud", "inventory", "differences", "--json").json()["differences"]
    assert [(d["inventory"], d["entry"], d["kind"], d["document"]) for d in listed] == [
        (counted["inventory"], 1, "missing", docs[0]),
        (counted["inventory"], 2, "extra", docs[2]),
    ]
    assert listed[0]["title"] == titles[docs[0]]

    number = str(counted["inventory"])
    assert run_cli("--as", "aud", "inventory", "resolve", number, "1", "--note", "x").exit_code == 5
    assert run_cli("--as", "arc", "inventory", "resolve", number, "3", "--note", "x").exit_code == 3
    assert run_cli("--as", "arc", "inventory", "resolve", number, "1", "--note", " ").exit_code == 2
    done = run_cli(
        "--as", "arc", "inventory", "resolve", number, "1", "--note", "在 B-1 盒找到，已归位", "--json"
    )
    assert done.exit_code == 0, done.stderr
    view = done.json()
    assert view["open_differences"] == 1
    assert [(r["entry"], r["by"], r["note"]) for r in view["resolutions"]] == [
        (1, "arc", "在 B-1 盒找到，已归位")
    ]
    again = run_cli("--as", "arc", "inventory", "resolve", number, "1", "--note", "再次")
    assert again.exit_code == 4 and "已处理" in again.stderr
    left = run_cli("--as", "aud", "inventory", "differences", "--cabinet", "C-3", "--json").json()[
        "differences"
    ]
    assert [d["entry"] for d in left] == [2]
    with archive.session() as session:
        actions = session.scalars(
            select(AccessEvent.action).where(AccessEvent.action.like("inventory%"))
        ).all()
    assert actions == ["inventory", "inventory.resolve"]
