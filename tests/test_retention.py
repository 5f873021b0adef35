"""Retention and destruction on a real catalog (SQLite and PostgreSQL) and real storage:
classes and disposal dates, holds, the destruction workflow, crash-safe execution, the
shredding log and the certificate, driven through the ``dossier`` command and the services."""

from __future__ import annotations

import json
import shutil
from datetime import date

import pytest
from sqlalchemy import delete, func, select, update

from dossier import localtime
from dossier.archive import Archive
from dossier.models import DestructionItem, Document, LogHead, ObjectKey, Page, ShredLogEntry
from tests.retention_helpers import (
    RETENTION_USERS,
    add_retention_users,
    cli_token,
    object_keys_of_document,
    store_document,
)
from tests.tamper import behind_the_back
from tests.test_cli import assert_clean_error

H = "A-1-0101"


@pytest.fixture
def people(archive):
    return add_retention_users(archive)


@pytest.fixture
def run(archive, run_cli, monkeypatch):
    """``run(user, *args)``: the CLI acting for ``user`` (None: the operator's console), with
    that user's API token in DOSSIER_TOKEN, as a script gives it for the four-eyes actions."""
    tokens: dict[str, str] = {}

    def go(user, *args):
        if user in RETENTION_USERS:
            if user not in tokens:
                tokens[user] = cli_token(archive, user)
            monkeypatch.setenv("DOSSIER_TOKEN", tokens[user])
        else:
            monkeypatch.delenv("DOSSIER_TOKEN", raising=False)
        return run_cli(*(["--as", user] if user else []), *args)

    go("", "household", "add", H, "--owner", "张三")
    go("", "household", "add", "B-2-0202", "--owner", "李四")
    return go


def _doc(archive, document_id: int) -> Document:
    with archive.session() as session:
        return session.get(Document, document_id)


def _ok(result):
    assert result.exit_code == 0, result.stderr
    return result.json() if result.stdout.startswith("{") else result.stdout


# --- classes and disposal dates ------------------------------------------------------------------


def test_init_seeds_classes_and_type_defaults(archive, people, run):
    classes = {c["code"]: c for c in _ok(run("", "retention", "class", "list", "--json"))["classes"]}
    assert list(classes) == ["Y", "D30", "D10", "D5", "D3"]
    assert classes["Y"]["permanent"] and classes["D30"]["years"] == 30 and classes["D3"]["years"] == 3
    assert all(c["trigger"] == "document_date" for c in classes.values())
    types = {t["code"]: t["retention_class"] for t in _ok(run("", "doctype", "list", "--json"))["types"]}
    assert types["contract"] == "Y" and types["repair"] == "D3" and all(types.values())


def test_class_add_and_its_refusals(archive, people, run):
    added = _ok(
        run(
            "",
            "retention",
            "class",
            "add",
            "HC5",
            "结档后5年",
            "--years",
            "5",
            "--trigger",
            "household_closed",
            "--json",
        )
    )
    assert added == {
        "code": "HC5",
        "name": "结档后5年",
        "years": 5,
        "permanent": False,
        "period": "5年",
        "trigger": "household_closed",
        "trigger_name": "自业户结档起算",
    }
    assert_clean_error(run("", "retention", "class", "add", "BAD", "负数", "--years", "-3"), "不能为负数")
    assert_clean_error(run("", "retention", "class", "add", "HC5", "again", "--years", "5"), "已存在")
    assert_clean_error(
        run("", "retention", "class", "add", "P2", "x", "--years", "5", "--permanent"), "只给出"
    )
    assert_clean_error(run("officer", "retention", "class", "add", "X1", "x", "--years", "1"), "无权")
    assert run("", "retention", "class", "add", "BAD", "x", "--years", "-3").exit_code == 2
    codes = [c["code"] for c in _ok(run("", "retention", "class", "list", "--json"))["classes"]]
    assert "BAD" not in codes and "HC5" in codes


def test_disposal_date_is_derived_and_recomputed(archive, people, run):
    doc_id = store_document(archive, H, "repair", date(2014, 6, 3))  # repair → D3
    assert _doc(archive, doc_id).disposal_date == date(2018, 1, 1)  # 1 January after 2014, + 3 years
    shown = _ok(run("", "doc", "show", str(doc_id), "--json"))
    assert shown["disposal_date"] == "2018-01-01" and shown["retention_class"] is None
    assert (
        _ok(run("", "retention", "set-class", str(doc_id), "d10", "--json"))["disposal_date"] == "2025-01-01"
    )
    changed = _ok(run("", "retention", "class", "set", "D10", "--years", "20", "--json"))
    assert changed["recomputed"] == 1 and _doc(archive, doc_id).disposal_date == date(2035, 1, 1)
    _ok(run("", "retention", "class", "set", "D10", "--permanent", "--json"))
    assert _doc(archive, doc_id).disposal_date is None
    # Back to the type's default, and the type's default changed: recomputed again.
    _ok(run("", "retention", "set-class", str(doc_id), "--default"))
    assert _doc(archive, doc_id).disposal_date == date(2018, 1, 1)
    _ok(run("", "doctype", "set", "repair", "--retention", "D5"))
    assert _doc(archive, doc_id).disposal_date == date(2020, 1, 1)
    assert_clean_error(run("", "retention", "set-class", str(doc_id), "NOPE"), "没有名为“NOPE”的保管期限")


def test_init_after_an_upgrade_computes_the_missing_disposal_dates(archive, people, run):
    from dossier.models import DocumentType, RetentionClass

    doc_id = store_document(archive, H, "repair", date(2014, 6, 3))
    with archive.session() as session:  # the catalog as migration 0003 leaves an older archive
        session.execute(update(Document).values(disposal_date=None))
        session.execute(update(DocumentType).values(retention_class=None))
        session.execute(delete(RetentionClass))
    assert _ok(run("", "init", "--json"))["admin_created"] is False
    assert _doc(archive, doc_id).disposal_date == date(2018, 1, 1)
    with archive.session() as session:
        session.execute(update(Document).values(disposal_date=date(2099, 1, 1)))
    assert_clean_error(run("officer", "retention", "recompute"), "无权")
    assert _ok(run("", "retention", "recompute", "--json")) == {"recomputed": 1}
    assert _doc(archive, doc_id).disposal_date == date(2018, 1, 1)


def test_ingest_retention_is_checked_against_the_classes(archive, people, run, tmp_path):
    from PIL import Image

    scan = tmp_path / "scan.png"
    Image.new("L", (64, 64), 200).save(scan)
    refused = run("keeper", "ingest", str(scan), "--household", H, "--type", "repair", "--retention", "D7")
    assert_clean_error(refused, "没有名为“D7”的保管期限")
    with archive.session() as session:
        assert session.scalar(select(func.count(Document.id))) == 0
    report = _ok(
        run(
            "keeper",
            "ingest",
            str(scan),
            "--household",
            H,
            "--type",
            "repair",
            "--date",
            "2020-02-02",
            "--retention",
            "d10",
            "--json",
        )
    )
    doc = _doc(archive, report["documents"][0]["id"])
    assert (doc.retention_class, doc.disposal_date) == ("D10", date(2031, 1, 1))


def test_event_triggered_retention_from_the_household_close_date(archive, people, run):
    _ok(
        run(
            "",
            "retention",
            "class",
            "add",
            "HC5",
            "结档后5年",
            "--years",
            "5",
            "--trigger",
            "household_closed",
        )
    )
    contacts = store_document(archive, H, "contacts", date(2012, 3, 1), retention="HC5")
    other = store_document(archive, "B-2-0202", "contacts", date(2012, 3, 1), retention="HC5")
    assert _doc(archive, contacts).disposal_date is None  # waits for the household to close
    assert _ok(run("keeper", "retention", "due", "--json"))["total"] == 0
    assert_clean_error(
        run("keeper", "household", "close", H, "--on", "2011-12-31"),
        "不能在 2011-12-31 结档",
        "2012-03-01",
    )
    assert_clean_error(run("keeper", "household", "close", H, "--on", "2999-01-01"), "晚于今天")
    assert_clean_error(run("clerk", "household", "close", H, "--on", "2018-05-01"), "无权")
    closed = _ok(run("keeper", "household", "close", H, "--on", "2018-05-01", "--json"))
    assert closed == {"code": H, "status": "closed", "closed_on": "2018-05-01", "recomputed": 1}
    assert _doc(archive, contacts).disposal_date == date(2024, 1, 1)
    assert _doc(archive, other).disposal_date is None
    due = _ok(run("keeper", "retention", "due", "--as-of", "2023-12-31", "--json"))
    assert due["total"] == 0
    due = _ok(run("keeper", "retention", "due", "--as-of", "2024-01-01", "--json"))
    assert [d["id"] for d in due["documents"]] == [contacts] and due["documents"][0]["class"] == "HC5"
    assert _ok(run("keeper", "household", "show", H, "--json"))["closed_on"] == "2018-05-01"
    _ok(run("keeper", "household", "close", H, "--reopen"))
    assert _doc(archive, contacts).disposal_date is None


# --- the workflow ----------------------------------------------------------------------------


def test_propose_review_execute_and_certificate(archive, people, run, tmp_path):
    old = store_document(
        archive, H, "repair", date(2015, 3, 1), title="报修单 2015", paper=("A柜", "3盒", "12")
    )
    kept = store_document(archive, H, "repair", date(2016, 5, 1), title="报修单 2016")
    other = store_document(archive, "B-2-0202", "keys", date(2010, 1, 9), title="钥匙领用 2010")
    store_document(archive, H, "repair", date(2025, 1, 1), title="not yet due")
    store_document(archive, H, "contract", date(2001, 1, 1), title="permanent")
    due = _ok(run("keeper", "retention", "due", "--json"))
    assert [d["id"] for d in due["documents"]] == [other, old, kept]
    assert due["documents"][1]["paper_original"] and due["documents"][1]["paper_location"] == "A柜 / 3盒 / 12"
    assert [
        d["id"] for d in _ok(run("keeper", "retention", "due", "--type", "keys", "--json"))["documents"]
    ] == [other]
    assert _ok(run("keeper", "retention", "due", "--household", H, "--class", "D3", "--json"))["total"] == 2

    assert_clean_error(run("clerk", "retention", "propose", "--json"), "无权")
    proposed = _ok(run("keeper", "retention", "propose", "--json"))
    number = proposed["number"]
    assert number == f"XH{localtime.today().year}-0001" and proposed["status"] == "proposed"
    items = {i["document"]: i for i in proposed["items"]}
    assert set(items) == {old, kept, other}
    assert (
        items[old]
        | {
            "household": H,
            "type": "repair",
            "type_name": "报修记录",
            "date": "2015-03-01",
            "class": "D3",
            "disposal_date": "2019-01-01",
            "paper_original": True,
        }
        == items[old]
    )
    # What is on an open list is not proposed again.
    assert_clean_error(run("keeper", "retention", "propose"), "没有可列入清册的到期文件")

    assert_clean_error(run("keeper", "retention", "approve", number), "无权")
    assert_clean_error(run("officer", "retention", "execute", number), "尚未批准")
    assert_clean_error(run("officer", "retention", "approve", number, "--exclude", str(kept)), "--reason")
    approved = _ok(
        run(
            "officer",
            "retention",
            "approve",
            number,
            "--exclude",
            str(kept),
            "--reason",
            "业主申请保留维修记录",
            "--extend-years",
            "5",
            "--json",
        )
    )
    assert approved["status"] == "approved" and approved["approved_by"] == "officer"
    struck = next(i for i in approved["items"] if i["document"] == kept)
    assert struck["state"] == "struck" and struck["struck_reason"].startswith("业主申请保留维修记录")
    # The extension counts from the item's disposal date, not from the day of the review.
    was_due = date.fromisoformat(struck["disposal_date"])
    assert _doc(archive, kept).disposal_date == was_due.replace(year=was_due.year + 5)
    assert_clean_error(run("officer2", "retention", "approve", number), "不在待审核状态")

    destroyed_keys = {d: object_keys_of_document(archive, d) for d in (old, other)}
    assert all(len(keys) == 3 for keys in destroyed_keys.values())  # original, preview, searchable PDF
    from search.writer import open_engine

    assert {old, other} <= set(open_engine(archive.settings).documents())
    report = _ok(run("keeper", "retention", "execute", number, "--json"))
    assert sorted(report["destroyed"]) == sorted([old, other]) and report["pending"] == []
    assert report["status"] == "executed" and report["struck"] == 1
    # Storage, keys, page text and the index: all gone. The tombstone stays.
    for document_id, keys in destroyed_keys.items():
        assert object_keys_of_document(archive, document_id) == []
        with archive.session() as session:
            assert (
                session.scalar(
                    select(func.count()).select_from(ObjectKey).where(ObjectKey.object_key.in_(keys))
                )
                == 0
            )
            assert session.scalar(select(func.count(Page.id)).where(Page.document_id == document_id)) == 0
        doc = _doc(archive, document_id)
        assert (doc.status, doc.destroyed_by, doc.destruction_list) == ("destroyed", "keeper", number)
        assert doc.original_key is None and doc.searchable_pdf_key is None and doc.sha256 and doc.title
    assert not {old, other} & set(open_engine(archive.settings).documents())
    assert kept in open_engine(archive.settings).documents()
    assert object_keys_of_document(archive, kept) != []
    again = _ok(run("keeper", "retention", "execute", number, "--json"))
    assert again["destroyed"] == [] and sorted(again["already_destroyed"]) == sorted([old, other])

    # The paper original: at least two witnesses, not the shredder.
    assert_clean_error(
        run("keeper", "retention", "paper", number, "--shredded-by", "陈档案", "--witness", "周经理"),
        "至少 2 名",
    )
    assert_clean_error(
        run(
            "keeper",
            "retention",
            "paper",
            number,
            "--shredded-by",
            "陈档案",
            "--witness",
            "陈档案",
            "--witness",
            "周经理",
        ),
        "不能同时担任监销人",
    )
    assert_clean_error(
        run(
            "keeper",
            "retention",
            "paper",
            number,
            "--shredded-by",
            "陈档案",
            "--witness",
            "周经理",
            "--witness",
            "吴审计",
            "--document",
            str(other),
        ),
        "没有待销毁的纸质原件",
    )
    paper = _ok(
        run(
            "keeper",
            "retention",
            "paper",
            number,
            "--shredded-by",
            "陈档案",
            "--witness",
            "周经理",
            "--witness",
            "吴审计",
            "--json",
        )
    )
    assert (
        paper["items"] == 1
        and paper["witnesses"] == ["周经理", "吴审计"]
        and paper["method"].startswith("碎纸机")
    )
    assert _doc(archive, old).paper_cabinet is None
    assert_clean_error(
        run(
            "keeper",
            "retention",
            "paper",
            number,
            "--shredded-by",
            "陈档案",
            "--witness",
            "周经理",
            "--witness",
            "吴审计",
        ),
        "没有待销毁的纸质原件",
    )

    log = _ok(run("checker", "shredlog", "show", "--json"))["entries"]
    assert [(e["seq"], e["kind"]) for e in log] == [(1, "electronic"), (2, "electronic"), (3, "paper")]
    assert log[2]["record"]["witnesses"] == ["周经理", "吴审计"] and log[1]["prev"] == log[0]["hash"]
    assert _ok(run("checker", "shredlog", "verify", "--json"))["ok"] is True
    assert_clean_error(run("clerk", "shredlog", "verify"), "无权")

    cert = _ok(run("checker", "retention", "certificate", number, "--json"))
    assert (cert["list"], cert["approved_by"], cert["executed_by"], cert["proposed_by"]) == (
        number,
        "officer",
        "keeper",
        "keeper",
    )
    assert cert["log"]["seqs"] == [1, 2, 3] and len(cert["log"]["range_sha256"]) == 64
    assert cert["counts"] == {
        "pending": 0,
        "struck": 1,
        "destroyed": 2,
        "total": 3,
        "paper": 1,
        "paper_destroyed": 1,
    }
    assert cert["paper"][0]["witnesses"] == ["周经理", "吴审计"]

    csv_path, cert_path, xlsx_path = tmp_path / "list.csv", tmp_path / "cert.csv", tmp_path / "list.xlsx"
    _ok(run("checker", "retention", "export", number, "--format", "csv", "-o", str(csv_path), "--json"))
    _ok(
        run(
            "checker",
            "retention",
            "export",
            number,
            "--format",
            "csv",
            "--certificate",
            "-o",
            str(cert_path),
            "--json",
        )
    )
    _ok(run("checker", "retention", "export", number, "--format", "xlsx", "-o", str(xlsx_path), "--json"))
    rows = csv_path.read_text("utf-8-sig").splitlines()
    assert rows[0].startswith("序号,文件编号,档号,业户档案号,户号") and len(rows) == 4
    assert (
        "已剔除" in csv_path.read_text("utf-8-sig")
        and "业主申请保留维修记录" in rows[-1] + rows[-2] + rows[-3]
    )
    assert cert["log"]["range_sha256"] in cert_path.read_text("utf-8-sig")
    from openpyxl import load_workbook

    book = load_workbook(xlsx_path)
    assert book.sheetnames == ["销毁清册", "销毁证明"]
    assert book["销毁清册"].max_row == 5
    values = {row[0]: row[1] for row in book["销毁证明"].iter_rows(min_row=2, values_only=True)}
    assert values["销毁清册编号"] == number and values["审批人"] == "officer"
    assert values["日志条目哈希（SHA-256）"] == cert["log"]["range_sha256"]
    assert not list(tmp_path.glob(".*.tmp"))


def test_refusals(archive, people, run):
    store_document(archive, H, "repair", date(2015, 3, 1))
    number = _ok(run("officer", "retention", "propose", "--json"))["number"]
    refused = run("officer", "retention", "approve", number)
    assert_clean_error(refused, "officer 是销毁清册", "不能审核")
    assert refused.exit_code == 2
    assert_clean_error(
        run("officer2", "retention", "approve", number, "--exclude", "999", "--reason", "x"), "不在销毁清册"
    )
    assert_clean_error(run("keeper", "retention", "execute", number), "尚未批准")
    assert_clean_error(run("", "retention", "execute", number), "无权")  # the console is no officer
    assert_clean_error(
        run("keeper", "retention", "execute", "XH1999-0001"), "没有编号为 XH1999-0001 的销毁清册"
    )
    assert_clean_error(run("checker", "retention", "propose"), "无权")
    assert_clean_error(run("keeper", "hold", "add", "--reason", "x"), "--household CODE 或 --document ID")
    assert_clean_error(run("keeper", "hold", "add", "--household", H, "--reason", "  "), "须填写理由")
    assert_clean_error(run("keeper", "hold", "release", "1"), "无权")
    with archive.session() as session:  # nothing half-written by the refusals
        assert session.scalar(select(func.count(ShredLogEntry.seq))) == 0
        assert (
            session.scalar(
                select(func.count()).select_from(DestructionItem).where(DestructionItem.state != "pending")
            )
            == 0
        )


def test_a_list_drawn_up_ahead_destroys_nothing_before_its_disposal_date(archive, people, run):
    year = localtime.today().year
    doc_id = store_document(archive, H, "repair", date(year, 1, 2))  # due on 1 January, year + 4
    assert _ok(run("keeper", "retention", "due", "--json"))["total"] == 0
    number = _ok(run("keeper", "retention", "propose", "--as-of", f"{year + 4}-01-01", "--json"))["number"]
    _ok(run("officer", "retention", "approve", number))
    refused = run("keeper", "retention", "execute", number, "--json")
    assert refused.exit_code == 5 and f"{year + 4}-01-01 才到期" in refused.stderr
    assert _doc(archive, doc_id).status == "indexed" and object_keys_of_document(archive, doc_id)


def test_holds_block_proposal_and_destruction(archive, people, run):
    first = store_document(archive, H, "repair", date(2015, 3, 1))
    second = store_document(archive, "B-2-0202", "repair", date(2015, 3, 1), title="second")
    household_hold = _ok(
        run("keeper", "hold", "add", "--household", H, "--reason", "诉讼保全（法院函）", "--json")
    )
    assert household_hold["scope"] == "household" and household_hold["placed_by"] == "keeper"
    assert [d["id"] for d in _ok(run("keeper", "retention", "due", "--json"))["documents"]] == [second]
    number = _ok(run("keeper", "retention", "propose", "--json"))["number"]
    assert [i["document"] for i in _ok(run("keeper", "retention", "show", number, "--json"))["items"]] == [
        second
    ]
    assert_clean_error(run("keeper", "retention", "propose"), "没有可列入清册的到期文件")
    _ok(run("officer", "retention", "approve", number))
    # A hold placed after approval still stops the destruction.
    doc_hold = _ok(
        run("officer", "hold", "add", "--document", str(second), "--reason", "业主投诉未结", "--json")
    )
    listed = _ok(run("checker", "hold", "list", "--json"))["holds"]
    assert [(h["id"], h["placed_by"], h["reason"]) for h in listed] == [
        (household_hold["id"], "keeper", "诉讼保全（法院函）"),
        (doc_hold["id"], "officer", "业主投诉未结"),
    ]
    refused = run("keeper", "retention", "execute", number, "--json")
    assert refused.exit_code == 5
    assert refused.stderr.strip() == (
        f"dossier：错误：销毁清册 {number} 有 1 件文件未销毁；文件 "
        f"{second}：已冻结：业主投诉未结（冻结编号 {doc_hold['id']}，冻结人 officer）"
    )
    report = refused.json()
    assert report["destroyed"] == [] and report["status"] == "approved"
    assert (
        report["pending"][0]["document"] == second
        and "已冻结：业主投诉未结" in report["pending"][0]["reason"]
    )
    assert _doc(archive, second).status == "indexed" and object_keys_of_document(archive, second)
    released = _ok(run("officer", "hold", "release", str(doc_hold["id"]), "--reason", "投诉已结案", "--json"))
    assert released["active"] is False and released["released_by"] == "officer"
    assert_clean_error(run("officer", "hold", "release", str(doc_hold["id"])), "已于")
    report = _ok(run("keeper", "retention", "execute", number, "--json"))
    assert report["destroyed"] == [second] and report["status"] == "executed"
    assert _doc(archive, first).status == "indexed"
    assert_clean_error(run("keeper", "hold", "add", "--document", str(second), "--reason", "x"), "已被销毁")
    assert len(_ok(run("checker", "hold", "list", "--all", "--json"))["holds"]) == 2


def test_a_destroyed_object_cannot_be_read_from_a_storage_backup(archive, people, run, tmp_path):
    from dossier.errors import IntegrityFailure
    from dossier.services.documents import wrapped_key_for
    from dossier.storage_errors import TamperedObject

    doc_id = store_document(archive, H, "repair", date(2015, 3, 1))
    keep_id = store_document(archive, H, "contract", date(2015, 3, 1))
    original_key = _doc(archive, doc_id).original_key
    backup = tmp_path / "backup"
    shutil.copytree(archive.settings.objects_dir, backup)  # yesterday's storage backup
    number = _ok(run("keeper", "retention", "propose", "--json"))["number"]
    _ok(run("officer", "retention", "approve", number))
    _ok(run("keeper", "retention", "execute", number))
    assert not archive.store.exists(original_key)
    shutil.rmtree(archive.settings.objects_dir)
    shutil.copytree(backup, archive.settings.objects_dir)  # restored from the backup
    assert archive.store.exists(original_key)
    with archive.session() as session:
        with pytest.raises(IntegrityFailure, match="数据密钥已丢失"):
            wrapped_key_for(session, original_key)
        # No other key in the catalog opens it either.
        for wrapped in session.scalars(select(ObjectKey.wrapped_key)):
            with pytest.raises(TamperedObject), archive.vault.open(original_key, wrapped) as stream:
                stream.read()
        kept = session.get(Document, keep_id)
        with archive.vault.open(kept.original_key, wrapped_key_for(session, kept.original_key)) as stream:
            assert stream.read().startswith(b"%PDF-1.4")


# --- crash safety --------------------------------------------------------------------------------


class Crash(BaseException):
    """Stands for the process dying (kill -9): nothing after it runs in this process."""


def test_execute_survives_a_crash_mid_list_and_a_rerun_finishes(archive, people, run):
    from retention.execute import execute
    from retention.lists import DueFilter, approve, get_list, propose
    from retention.shredlog import verify

    ids = [store_document(archive, H, "repair", date(2015, 1, d), title=f"报修 {d}") for d in range(1, 5)]
    with archive.session() as session:
        number = propose(session, people["keeper"], DueFilter()).number
    with archive.session() as session:
        approve(session, people["officer"], get_list(session, number))

    crashing = Archive(archive.settings)
    real_delete, deletes = crashing.store.delete, []

    def delete_then_die(key):
        deletes.append(key)
        if len(deletes) == 5:  # the second object of the second document
            raise Crash()
        real_delete(key)

    crashing.store.delete = delete_then_die
    session = crashing.new_session()
    with pytest.raises(Crash):
        execute(crashing, session, people["keeper"], get_list(session, number))
    session.close()

    with archive.session() as session:
        states = dict(session.execute(select(DestructionItem.document_id, DestructionItem.state)).all())
        assert states == {ids[0]: "destroyed", ids[1]: "pending", ids[2]: "pending", ids[3]: "pending"}
        assert _count_log(session) == 1
        assert session.get(Document, ids[1]).status == "indexed"  # nothing recorded that did not happen
    report = _ok(run("keeper", "retention", "execute", number, "--json"))
    assert sorted(report["destroyed"]) == ids[1:] and report["already_destroyed"] == [ids[0]]
    assert report["status"] == "executed"
    with archive.session() as session:
        assert _count_log(session) == 4
        assert sorted(session.scalars(select(ShredLogEntry.document_id))) == ids
        assert verify(session, archive.signer.public_key).ok
        assert all(session.get(Document, i).status == "destroyed" for i in ids)
    assert all(object_keys_of_document(archive, i) == [] for i in ids)


# The child process runs the real ``dossier retention execute`` and is killed with SIGKILL at an
# exact point: while deleting the second document's objects, or after the second document's
# destruction record is flushed but before it is committed. Nothing of it runs after the kill.
KILLED_EXECUTE = """
import os, signal, sys
from sqlalchemy import event
from sqlalchemy.orm import Session
from dossier.models import ShredLogEntry
from storage.local import LocalStore

point, seen = sys.argv[2], {"deletes": 0, "entries": 0}
real_delete = LocalStore.delete

def delete(self, key):
    seen["deletes"] += 1
    if point == "storage" and seen["deletes"] == 5:
        os.kill(os.getpid(), signal.SIGKILL)
    real_delete(self, key)

@event.listens_for(Session, "after_flush")
def after_flush(session, context):
    seen["entries"] += sum(isinstance(o, ShredLogEntry) for o in session.new)
    if point == "commit" and seen["entries"] == 2:
        os.kill(os.getpid(), signal.SIGKILL)

LocalStore.delete = delete
from dossier.cli import main
main(["--as", "keeper", "retention", "execute", sys.argv[1], "--json"])
"""


@pytest.mark.parametrize("point", ["storage", "commit"])
def test_execute_killed_mid_list_then_rerun(archive, people, run, point):
    import os
    import signal
    import subprocess
    import sys

    from retention.shredlog import verify

    ids = [store_document(archive, H, "repair", date(2015, 2, d), title=f"报修 {d}") for d in range(1, 5)]
    number = _ok(run("keeper", "retention", "propose", "--json"))["number"]
    _ok(run("officer", "retention", "approve", number))
    child = subprocess.run(
        [sys.executable, "-c", KILLED_EXECUTE, number, point],
        env=dict(os.environ),
        capture_output=True,
        timeout=120,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr.decode()
    with archive.session() as session:
        states = dict(session.execute(select(DestructionItem.document_id, DestructionItem.state)).all())
        assert states == {ids[0]: "destroyed", ids[1]: "pending", ids[2]: "pending", ids[3]: "pending"}
        assert _count_log(session) == 1 and verify(session, archive.signer.public_key).ok
        assert [session.get(Document, i).status for i in ids] == [
            "destroyed",
            "indexed",
            "indexed",
            "indexed",
        ]
        assert session.scalar(select(func.count(Page.id)).where(Page.document_id == ids[1])) == 1
    report = _ok(run("keeper", "retention", "execute", number, "--json"))
    assert sorted(report["destroyed"]) == ids[1:] and report["status"] == "executed"
    with archive.session() as session:
        assert sorted(session.scalars(select(ShredLogEntry.document_id))) == ids
        assert verify(session, archive.signer.public_key).ok
    assert all(object_keys_of_document(archive, i) == [] for i in ids)


def _count_log(session) -> int:
    return session.scalar(select(func.count(ShredLogEntry.seq)))


def test_storage_unreachable_keeps_items_pending(tmp_path, database_url, run_cli, monkeypatch):
    from dossier.config import Settings
    from dossier.setup import initialise
    from tests.conftest import make_env
    from tests.s3_server import ACCESS_KEY, REGION, SECRET_KEY, run_moto_server

    def use(endpoint):
        env = make_env(
            tmp_path / "home",
            database_url,
            DOSSIER_MINIO_ENDPOINT=endpoint,
            DOSSIER_MINIO_ACCESS_KEY=ACCESS_KEY,
            DOSSIER_MINIO_SECRET_KEY=SECRET_KEY,
            DOSSIER_MINIO_REGION=REGION,
            DOSSIER_MINIO_BUCKET="dossier-retention",
        )
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        return Archive(Settings.from_env(env))

    with run_moto_server() as endpoint:
        archive = use(endpoint)
        initialise(archive.settings, admin_password="admin-password-1")
        add_retention_users(archive)
        assert run_cli("household", "add", H).exit_code == 0
        ids = [store_document(archive, H, "repair", date(2015, 1, d)) for d in (1, 2)]
        number = run_cli("--as", "keeper", "retention", "propose", "--json").json()["number"]
        monkeypatch.setenv("DOSSIER_TOKEN", cli_token(archive, "officer"))
        assert run_cli("--as", "officer", "retention", "approve", number).exit_code == 0
    # The server is gone: storage is unreachable.
    result = run_cli("--as", "keeper", "retention", "execute", number, "--json")
    assert result.exit_code == 7
    assert "有 2 件文件存储操作失败" in result.stderr and "Traceback" not in result.stderr
    report = result.json()
    assert report["destroyed"] == [] and [p["document"] for p in report["pending"]] == ids
    assert report["status"] == "approved"
    with archive.session() as session:
        assert _count_log(session) == 0
        assert all(session.get(Document, i).status == "indexed" for i in ids)
        assert session.scalar(select(func.count()).select_from(ObjectKey)) == 6  # no key destroyed
        items = session.scalars(select(DestructionItem)).all()
        assert all(i.state == "pending" and i.last_error for i in items)
    with run_moto_server() as endpoint:  # storage back (a fresh server; the objects are gone)
        archive = use(endpoint)
        archive.store.ensure_ready()
        report = run_cli("--as", "keeper", "retention", "execute", number, "--json").json()
        assert sorted(report["destroyed"]) == ids and report["status"] == "executed"


# --- the shredding log -----------------------------------------------------------------------


@pytest.fixture
def logged(archive, people, run):
    """A log of four entries (four destroyed documents)."""
    for day in range(1, 5):
        store_document(archive, H, "repair", date(2015, 1, day), title=f"报修 {day}")
    number = _ok(run("keeper", "retention", "propose", "--json"))["number"]
    _ok(run("officer", "retention", "approve", number))
    _ok(run("keeper", "retention", "execute", number))
    assert _ok(run("checker", "shredlog", "verify", "--json"))["entries"] == 4
    return run


def _tamper(archive, statement):
    with behind_the_back(archive) as conn:  # straight SQL: what someone with database access could do
        statement(conn)


def _record(conn, seq: int) -> dict:
    return json.loads(conn.execute(select(ShredLogEntry.record).where(ShredLogEntry.seq == seq)).scalar())


def _alter(conn):
    record = _record(conn, 2)
    record["title"] = "别的文件"
    conn.execute(
        update(ShredLogEntry.__table__)
        .where(ShredLogEntry.seq == 2)
        .values(record=json.dumps(record, ensure_ascii=False, sort_keys=True))
    )


def _alter_and_rehash(conn):
    from retention.shredlog import entry_hash

    record = dict(_record(conn, 2), destroyed_by="someone")
    conn.execute(
        update(ShredLogEntry.__table__)
        .where(ShredLogEntry.seq == 2)
        .values(record=json.dumps(record, ensure_ascii=False, sort_keys=True), entry_hash=entry_hash(record))
    )


def _delete(conn):
    conn.execute(delete(ShredLogEntry.__table__).where(ShredLogEntry.seq == 3))


def _delete_last(conn):
    conn.execute(delete(ShredLogEntry.__table__).where(ShredLogEntry.seq == 4))


def _forge_head(conn):
    conn.execute(update(LogHead.__table__).where(LogHead.name == "shredlog").values(hash="f" * 64))


def _reorder(conn):
    rows = {
        r.seq: (r.record, r.prev_hash, r.entry_hash, r.signature, r.document_id)
        for r in conn.execute(select(ShredLogEntry.__table__).where(ShredLogEntry.seq.in_((2, 3))))
    }
    for seq, other in ((2, 3), (3, 2)):
        record, prev, digest, signature, document_id = rows[other]
        conn.execute(
            update(ShredLogEntry.__table__)
            .where(ShredLogEntry.seq == seq)
            .values(
                record=record, prev_hash=prev, entry_hash=digest, signature=signature, document_id=document_id
            )
        )


@pytest.mark.parametrize(
    "tamper, broken_at, says",
    [
        (_alter, 2, "与其哈希值不符"),
        (_alter_and_rehash, 2, "其签名无效"),
        (_delete, 3, "缺少第 3 条"),
        (_delete_last, 4, "末尾缺少"),
        (_reorder, 2, "存放的是第 3 条的记录"),
        (_forge_head, 4, "日志头没有档案库密钥的签名"),
    ],
)
def test_shredlog_verify_finds_the_tampered_entry(archive, logged, tamper, broken_at, says):
    _tamper(archive, tamper)
    result = logged("checker", "shredlog", "verify", "--json")
    assert result.exit_code == 8
    body = result.json()
    assert body["ok"] is False and body["broken_at"] == broken_at
    assert says in body["problems"][0]["problem"]
    line = result.stderr.strip()
    assert line.startswith(f"dossier：错误：销毁日志在第 {broken_at} 条处断开") and "\n" not in line


def test_shredlog_verify_with_the_exported_public_key(archive, logged, tmp_path):
    pem = tmp_path / "public.pem"
    assert logged("", "keys", "export-public", "-o", str(pem)).exit_code == 0
    assert logged("checker", "shredlog", "verify", "--public-key", str(pem), "--json").json()["ok"] is True
    from dossier.signing import Signer

    other = tmp_path / "other.pem"
    other.write_text(Signer.generate().public_pem())
    result = logged("checker", "shredlog", "verify", "--public-key", str(other), "--json")
    assert result.exit_code == 8 and result.json()["broken_at"] == 1


def test_shredlog_entries_are_never_changed_through_the_catalog(archive, logged):
    from dossier.errors import IntegrityFailure

    with archive.session() as session:
        row = session.get(ShredLogEntry, 1)
        row.kind = "paper"
        with pytest.raises(IntegrityFailure, match="不可修改或删除"):
            session.flush()
        session.rollback()
        session.delete(session.get(ShredLogEntry, 1))
        with pytest.raises(IntegrityFailure):
            session.flush()
        session.rollback()
        session.delete(session.scalars(select(DestructionItem)).first())
        with pytest.raises(IntegrityFailure, match="不可删除"):
            session.flush()
        session.rollback()
