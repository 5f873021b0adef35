"""The monthly inventory (每月清点): a cabinet's count against the ledger, discrepancies kept."""

from __future__ import annotations

from datetime import date, timedelta

from dossier.services.users import add_user
from tests.audit_helpers import stored_documents

NEXT_WEEK = (date.today() + timedelta(days=7)).isoformat()


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
    assert wrong.exit_code == 2 and "not on the shelf" in wrong.stderr
    assert run_cli("--as", "arc", "inventory", "record", "C-3", "--month", "2026-13").exit_code == 2
    assert run_cli("--as", "aud", "inventory", "record", "C-3").exit_code == 5
    listed = run_cli("--as", "aud", "inventory", "list", "--cabinet", "C-3", "--json").json()["inventories"]
    assert [(c["month"], c["matches"]) for c in listed] == [("2026-11", False), ("2026-10", True)]
    human = run_cli("--as", "aud", "inventory", "list").stdout
    assert "C-3 2026-11" in human and "1 missing" in human
