"""Correcting a document after intake (``dossier doc edit``): every change needs a reason and a
records manager, lands in the signed history and the access log, recomputes the disposal date and
keeps the search index and the folders' catalogs in step; ``audit verify`` stays clean. Real CLI
on a real archive (SQLite)."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from dossier.models import AccessAction, AccessEvent
from tests.retention_helpers import add_retention_users, store_document
from tests.test_cli import assert_clean_error

A, B = "A-1-0101", "B-2-0202"


def _ok(result):
    assert result.exit_code == 0, result.stderr
    return result.json() if result.stdout.startswith("{") else result.stdout


def _setup(archive, run_cli) -> int:
    add_retention_users(archive)
    for code, owner in ((A, "张三"), (B, "李四")):
        assert run_cli("household", "add", code, "--owner", owner).exit_code == 0
    return store_document(
        archive, A, "contract", date(2019, 5, 1), title="购房合同", pages=["购房合同 甲方 乙方 房款"]
    )


def _catalog_ticks(run_cli, code: str) -> dict[str, bool]:
    shown = _ok(run_cli("household", "show", code, "--json"))
    return {t["code"]: t["present"] for t in shown["catalog"]["types"]}


def test_title_and_household_corrected_through_the_cli(archive, run_cli):
    doc = _setup(archive, run_cli)
    assert _catalog_ticks(run_cli, A)["contract"] and not _catalog_ticks(run_cli, B)["contract"]

    edited = _ok(
        run_cli(
            "--as", "keeper", "doc", "edit", str(doc), "--title", "购房合同（补充）", "--reason", "题名录错"
        )
    )
    assert edited == f"已更正文件 {doc}（题名：购房合同 → 购房合同（补充））\n"
    _ok(run_cli("--as", "keeper", "doc", "edit", str(doc), "--household", B, "--reason", "归错了户"))
    told = _ok(run_cli("doc", "history", str(doc)))
    assert "理由：题名录错" in told and "题名：购房合同 → 购房合同（补充）" in told and "UTC" not in told

    shown = _ok(run_cli("doc", "show", str(doc), "--json"))
    assert shown["title"] == "购房合同（补充）" and shown["household"] == B
    history = _ok(run_cli("doc", "history", str(doc), "--json"))["history"]
    corrections = [e for e in history if e["action"] == "corrected"]
    assert [e["reason"] for e in corrections] == ["题名录错", "归错了户"]
    assert all(e["by"] == "keeper" and e["at"] for e in corrections)
    assert corrections[0]["changes"] == {"title": ["购房合同", "购房合同（补充）"]}
    assert list(corrections[1]["changes"]) == ["household"]  # by archive number
    audit = run_cli("audit", "verify", "--json")
    assert audit.exit_code == 0 and audit.json()["failures"] == [], audit.stdout

    # the search index and both folders' catalogs follow the move
    hits = _ok(run_cli("search", "房款", "--json"))["hits"]
    assert [(h["document"], h["household"]) for h in hits] == [(doc, B)]
    assert _ok(run_cli("search", "房款", "--household", A, "--json"))["total"] == 0
    assert not _catalog_ticks(run_cli, A)["contract"] and _catalog_ticks(run_cli, B)["contract"]

    # each correction is in the access log with its reason
    with archive.session() as session:
        rows = session.scalars(
            select(AccessEvent)
            .where(AccessEvent.action == AccessAction.DOCUMENT_EDIT)
            .order_by(AccessEvent.id)
        ).all()
        assert [json.loads(r.detail)["reason"] for r in rows] == ["题名录错", "归错了户"]
        assert rows[1].household_id != rows[0].household_id


def test_every_field_needs_a_reason_and_a_records_manager(archive, run_cli):
    doc = _setup(archive, run_cli)
    shown = _ok(run_cli("doc", "show", str(doc), "--json"))
    assert shown["disposal_date"] is None  # contract: permanent

    changed = _ok(
        run_cli(
            "--as", "keeper", "doc", "edit", str(doc), "--type", "repair", "--date", "2020-03-04",
            "--retention", "D10", "--confidential", "--reason", "类型、日期、期限录错", "--json",
        )
    )  # fmt: skip
    assert set(changed["changes"]) == {"type", "date", "retention_class", "confidentiality"}
    shown = _ok(run_cli("doc", "show", str(doc), "--purpose", "核对", "--json"))
    assert shown["type"] == "repair" and shown["date"] == "2020-03-04"
    assert (
        shown["retention_class"] == "D10" and shown["disposal_date"] == "2031-01-01"
    )  # counted from the next 1 January
    assert shown["confidentiality"] == "confidential"
    _ok(run_cli("--as", "keeper", "doc", "edit", str(doc), "--ordinary", "--retention", "default",
                "--reason", "恢复"))  # fmt: skip
    shown = _ok(run_cli("doc", "show", str(doc), "--json"))
    assert shown["retention_class"] is None and shown["confidentiality"] == "ordinary"

    assert_clean_error(run_cli("--as", "clerk", "doc", "edit", str(doc), "--title", "x", "--reason", "y"))
    assert_clean_error(
        run_cli("--as", "keeper", "doc", "edit", str(doc), "--title", "x", "--reason", "  "), "理由"
    )
    assert_clean_error(
        run_cli("--as", "keeper", "doc", "edit", str(doc), "--title", "  ", "--reason", "r"), "题名"
    )
    assert_clean_error(run_cli("--as", "keeper", "doc", "edit", str(doc), "--household", "Z-9-9999",
                               "--reason", "r"), "Z-9-9999")  # fmt: skip
    assert_clean_error(
        run_cli("--as", "keeper", "doc", "edit", str(doc), "--title", shown["title"], "--reason", "r"), "没有"
    )
    missing = run_cli("--as", "keeper", "doc", "edit", str(doc), "--title", "x")
    assert missing.exit_code == 2 and "--reason" in missing.stderr
    history = _ok(run_cli("doc", "history", str(doc), "--json"))["history"]
    assert [e["reason"] for e in history if e["action"] == "corrected"] == ["类型、日期、期限录错", "恢复"]
    assert run_cli("audit", "verify", "--json").json()["failures"] == []


def test_search_by_cabinet_and_box_from_the_cli(archive, run_cli):
    doc = _setup(archive, run_cli)
    _ok(run_cli("doc", "paper", str(doc), "--cabinet", "C-3", "--box", "B-07"))

    def hits(*filters: str) -> list[int]:
        return [h["document"] for h in _ok(run_cli("search", "购房合同", *filters, "--json"))["hits"]]

    assert hits("--cabinet", "C-3") == [doc] and hits("--cabinet", "C-3", "--box", "B-07") == [doc]
    assert hits("--cabinet", "C-4") == [] and hits("--box", "B-08") == []
