"""Item numbers (档号): given at filing in the folder's order, never reused (not after destruction,
not after a move), never changed (ORM guard and database trigger), given to an older archive's
documents at upgrade, and checked for gaps by ``audit verify``. Real CLI on a real archive."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select, text, update

from dossier.actor import Actor
from dossier.errors import InvalidInput, PermissionDenied
from dossier.migrate import downgrade
from dossier.models import AppendOnlyViolation, Document, DocumentHistory, Household, ShredLogEntry
from dossier.services import numbering
from dossier.setup import initialise
from tests.conftest import ADMIN_PASSWORD
from tests.retention_helpers import add_retention_users, cli_token, store_document

A, B = "A-1-0101", "B-2-0202"


def _ok(result):
    assert result.exit_code == 0, result.stderr
    return result.json() if result.stdout.startswith("{") else result.stdout


def _archive_no(run_cli, doc: int) -> str:
    return _ok(run_cli("doc", "show", str(doc), "--json"))["archive_no"]


def _findings(run_cli) -> list[str]:
    report = run_cli("audit", "verify", "--json").json()
    return [f["detail"] for f in report["failures"] if f["check"] == "item_no_gaps"]


def _verify_clean(run_cli) -> None:
    result = run_cli("audit", "verify", "--json")
    assert result.exit_code == 0, result.stdout


def _destroy_repairs(archive, run_cli, monkeypatch) -> list[int]:
    number = _ok(run_cli("--as", "keeper", "retention", "propose", "--json"))["number"]
    monkeypatch.setenv("DOSSIER_TOKEN", cli_token(archive, "officer"))
    _ok(run_cli("--as", "officer", "retention", "approve", number))
    monkeypatch.delenv("DOSSIER_TOKEN")
    return _ok(run_cli("--as", "keeper", "retention", "execute", number, "--json"))["destroyed"]


def test_items_are_numbered_in_filing_order_and_never_reused(archive, run_cli, monkeypatch):
    add_retention_users(archive)
    _ok(run_cli("household", "add", A, "--owner", "张三"))
    folder = _ok(run_cli("household", "show", A, "--json"))["archive_no"]
    docs = [
        store_document(archive, A, "contract", date(2019, 5, 1), title="购房合同"),
        store_document(archive, A, "repair", date(2015, 3, 1), title="报修单"),
        store_document(archive, A, "contract", date(2020, 1, 2), title="补充协议"),
    ]
    numbers = [_archive_no(run_cli, d) for d in docs]
    assert [n[-4:] for n in numbers] == ["0001", "0002", "0003"]
    # The default scheme: 全宗号-门类代码·年度-保管期限代码-户号-件号.
    assert numbers[0] == f"0001-WY·2019-Y-{folder}-0001"
    assert numbers[1] == f"0001-WY·2015-D3-{folder}-0002"

    assert _destroy_repairs(archive, run_cli, monkeypatch) == [docs[1]]
    later = store_document(archive, A, "repair", date(2024, 6, 1), title="新报修单")
    assert _archive_no(run_cli, later).endswith("-0004")
    assert _archive_no(run_cli, docs[1]).endswith("-0002")  # the tombstone keeps its number
    with archive.session() as session:
        record = json.loads(session.scalars(select(ShredLogEntry.record)).one())
    assert (record["item_archive_no"], record["item_folder"], record["item"]) == (numbers[1], folder, 2)
    _verify_clean(run_cli)


def test_a_moved_or_corrected_document_keeps_its_number(archive, run_cli):
    add_retention_users(archive)
    for code, owner in ((A, "张三"), (B, "李四")):
        _ok(run_cli("household", "add", code, "--owner", owner))
    doc = store_document(archive, A, "contract", date(2019, 5, 1), title="购房合同")
    number = _archive_no(run_cli, doc)
    with archive.session() as session:
        stamp = numbering.filing_stamp(session, session.get(Document, doc))
    assert stamp is not None and (stamp["fonds"], stamp["year"], stamp["retention"]) == ("0001", 2019, "永久")
    _ok(
        run_cli(
            "--as",
            "keeper",
            "doc",
            "edit",
            str(doc),
            "--date",
            "2021-02-03",
            "--retention",
            "D10",
            "--household",
            B,
            "--reason",
            "归错了户",
        )
    )
    shown = _ok(run_cli("doc", "show", str(doc), "--json"))
    assert shown["archive_no"] == number and shown["household"] == B
    # The 归档章 keeps what the number was made of: not the corrected date or class, nor a new 全宗号.
    _ok(run_cli("numbering", "set", "--fonds", "J042"))
    with archive.session() as session:
        assert numbering.filing_stamp(session, session.get(Document, doc)) == stamp
    # B's own numbering starts at 1; A's number 1 is accounted for by the recorded move.
    other = store_document(archive, B, "repair", date(2024, 1, 1))
    assert _archive_no(run_cli, other).endswith("-0001") and _archive_no(run_cli, other) != number
    again = store_document(archive, A, "repair", date(2024, 1, 1))
    assert _archive_no(run_cli, again).endswith("-0002")
    _verify_clean(run_cli)


def test_numbers_are_never_changed_and_gaps_are_found(archive, run_cli):
    _ok(run_cli("household", "add", A, "--owner", "张三"))
    docs = [store_document(archive, A, "repair", date(2024, 1, d)) for d in (1, 2, 3)]
    with archive.session() as session:
        doc = session.get(Document, docs[0])
        doc.archive_no = "forged"
        with pytest.raises(AppendOnlyViolation):
            session.flush()
        session.rollback()
    with archive.session() as session, pytest.raises(Exception, match="never changed"):
        session.connection().execute(text("UPDATE documents SET item_no = 9 WHERE id = :i"), {"i": docs[1]})
    with archive.session() as session, pytest.raises(Exception, match="never changed"):
        session.connection().execute(
            text("UPDATE documents SET stamp_year = 1999 WHERE id = :i"), {"i": docs[1]}
        )
    with archive.session() as session:
        session.get(Document, docs[2]).stamp_retention = "D30"
        with pytest.raises(AppendOnlyViolation):
            session.flush()
        session.rollback()
    # Someone lowers the folder's counter behind the archive's back: the last number is above it.
    with archive.session() as session:
        session.execute(update(Household).values(item_counter=2))
        session.commit()
    findings = _findings(run_cli)
    assert len(findings) == 1 and "件号 3" in findings[0]
    assert run_cli("audit", "verify", "--json").exit_code != 0
    # A number missing from the catalog, not explained by the shredding log.
    with archive.session() as session:
        session.execute(update(Household).values(item_counter=4))
        session.commit()
    findings = _findings(run_cli)
    assert len(findings) == 1 and "件号 4" in findings[0] and "缺失" in findings[0]


def test_the_scheme_is_configurable_and_checked(archive, run_cli):
    _ok(run_cli("household", "add", A, "--owner", "张三"))
    bad = run_cli("numbering", "set", "--scheme", "{全宗号}-{年度}")
    assert bad.exit_code != 0 and "户号" in bad.stderr and "Traceback" not in bad.stderr
    assert run_cli("numbering", "set", "--scheme", "{全宗号}-{楼号}-{户号}-{件号}").exit_code != 0
    assert run_cli("numbering", "set", "--fonds", "有空格 的").exit_code != 0
    shown = _ok(
        run_cli("numbering", "set", "--scheme", "{全宗号}-{户号}-{件号:03d}", "--fonds", "J042", "--json")
    )
    assert shown["fonds"] == "J042"
    doc = store_document(archive, A, "repair", date(2024, 1, 1))
    folder = _ok(run_cli("household", "show", A, "--json"))["archive_no"]
    assert _archive_no(run_cli, doc) == f"J042-{folder}-001"
    staff = Actor(user_id=None, username="clerk", role="staff")
    with archive.session() as session, pytest.raises(PermissionDenied):
        numbering.configure(session, staff, fonds="X1")
    with pytest.raises(InvalidInput):
        numbering.check_pattern("{件号:zz}{户号}")


def test_an_older_archive_gets_numbers_at_upgrade_in_filing_order(archive, run_cli, monkeypatch):
    add_retention_users(archive)
    for code, owner in ((A, "张三"), (B, "李四")):
        _ok(run_cli("household", "add", code, "--owner", owner))
    first = store_document(archive, A, "contract", date(2019, 5, 1))
    gone = store_document(archive, A, "repair", date(2015, 3, 1))
    other = store_document(archive, B, "contract", date(2019, 5, 1))
    last = store_document(archive, A, "contract", date(2020, 5, 1))
    assert _destroy_repairs(archive, run_cli, monkeypatch) == [gone]

    downgrade(archive.settings, "0010")  # the archive as the version before item numbers left it
    report = initialise(archive.settings, admin_password=ADMIN_PASSWORD)
    assert report.documents_numbered == 4
    assert [_archive_no(run_cli, d)[-4:] for d in (first, gone, last, other)] == [
        "0001",
        "0002",
        "0003",
        "0001",
    ]
    with archive.session() as session:
        entries = session.scalars(
            select(DocumentHistory).where(DocumentHistory.document_id == first).order_by(DocumentHistory.seq)
        ).all()
        assert entries[-1].action == "numbered"
        assert json.loads(entries[-1].record)["metadata"]["archive_no"].endswith("-0001")
    history = _ok(run_cli("doc", "history", str(first), "--json"))["history"]
    assert history[-1]["action_name"] == "升级时编制档号"
    _verify_clean(run_cli)
    assert initialise(archive.settings, admin_password=ADMIN_PASSWORD).documents_numbered == 0

    # Numbered before stamps were kept (0011): init stamps them with the facts of the day.
    downgrade(archive.settings, "0011")
    initialise(archive.settings, admin_password=ADMIN_PASSWORD)
    with archive.session() as session:
        stamps = {
            d.id: (d.stamp_fonds, d.stamp_year, d.stamp_retention) for d in session.scalars(select(Document))
        }
    assert stamps[first] == ("0001", 2019, "Y") and stamps[last][1] == 2020
    assert all(None not in facts for facts in stamps.values())
    _verify_clean(run_cli)
