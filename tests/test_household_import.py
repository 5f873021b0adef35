"""业户导入: every row checked by the services that open folders and register parties, reasons
in Chinese per row, all or nothing unless only the valid rows are asked for, and the template
reads back. Runs on SQLite and PostgreSQL (``database_url``)."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from dossier import ledger
from dossier.actor import Actor
from dossier.errors import InvalidInput, PermissionDenied
from dossier.models import AccessAction, AccessEvent, Household, LogHead
from dossier.services.household_sheets import import_households, import_template
from dossier.services.households import add_household, get_household
from dossier.sheets import csv_bytes, xlsx_bytes

HEADER = "户号,小区,用途,楼栋,楼层,房号,面积（平方米）,姓名,身份,联系电话,入住日期"


def sheet(*lines: str) -> bytes:
    return ("\n".join([HEADER, *lines]) + "\n").encode("utf-8-sig")


GOOD_AND_BAD = sheet(
    "B-1-0101,阳光花园,住宅,B,1,0101,88,刘一,业主,13900139000,2021-01-01",
    "B-1-0102,阳光花园,仓库,B,1,0102,,陈二,业主,,",  # unknown use
    "B-1-0201,阳光花园,住宅,B,2,0201,,张三,业主,not-a-phone,",  # bad phone
    "B-1-0301,阳光花园,商业,B,3,0301,120.5,,,,",  # a household without a party
)


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def created_entries(session) -> int:
    return len(
        session.scalars(select(AccessEvent).where(AccessEvent.action == AccessAction.HOUSEHOLD_CREATE)).all()
    )


def test_nothing_is_imported_unless_every_row_is_valid(archive, console):
    with archive.session() as session:
        before, logged = count(session, Household), created_entries(session)
        report = import_households(session, console, archive.fields, GOOD_AND_BAD, "业户.csv")
        assert not report.kept
        assert [r.number for r in report.refused] == [3, 4]
        assert [r.ok for r in report.rows] == [True, False, False, True]
        assert report.refused[0].reason.startswith("第 3 行：")
        assert report.refused[1].reason.startswith("第 4 行：")
        assert report.summary().startswith("共 4 行，其中 2 行有误")
        assert report.households == report.parties == 0
    with archive.session() as session:
        assert count(session, Household) == before
        assert created_entries(session) == logged


def test_valid_only_imports_the_valid_rows_and_reports_the_others(archive, console):
    with archive.session() as session:
        report = import_households(
            session, console, archive.fields, GOOD_AND_BAD, "业户.csv", valid_only=True
        )
        assert report.kept
        assert (report.households, report.parties, len(report.refused)) == (2, 1, 2)
        assert "新建业户 2 户" in report.summary() and "跳过有误的行 2 行" in report.summary()
    with archive.session() as session:
        first = get_household(session, "B-1-0101", "阳光花园")
        assert [(p.name, p.phone) for p in first.parties] == [("刘一", "13900139000")]
        assert first.area is not None and float(first.area) == 88
        shop = get_household(session, "B-1-0301", "阳光花园")
        assert shop.use == "commercial" and shop.floor == 3
        for code in ("B-1-0102", "B-1-0201"):
            assert session.scalar(select(Household.id).where(Household.code == code)) is None
        # the rolled-back rows left no entry in the log, and the anchor names the real head
        head = session.get(LogHead, ledger.ACCESS)
        anchored = (ledger.read_anchor(archive.settings) or {})[ledger.ACCESS]
        assert (anchored["seq"], anchored["hash"]) == (head.seq, head.hash)


def test_the_last_row_refused_leaves_the_anchor_on_the_real_head(archive, console):
    data = sheet(
        "C-1-0101,阳光花园,住宅,C,1,0101,,刘一,业主,,",
        "C-1-0102,阳光花园,住宅,C,1,0102,,陈二,业主,bad,",  # opens the folder, then the party fails
    )
    with archive.session() as session:
        report = import_households(session, console, archive.fields, data, "x.csv", valid_only=True)
        assert report.households == 1
    with archive.session() as session:
        head = session.get(LogHead, ledger.ACCESS)
        anchored = (ledger.read_anchor(archive.settings) or {})[ledger.ACCESS]
        assert (anchored["seq"], anchored["hash"]) == (head.seq, head.hash)
        assert session.scalar(select(Household.id).where(Household.code == "C-1-0102")) is None


def test_reasons_name_duplicates_and_parties_join_existing_folders(archive, console):
    with archive.session() as session:
        add_household(session, console, None, "A-3-1201", community="阳光花园", owner="张三")
    data = sheet(
        "A-3-1201,阳光花园,住宅,A,12,1201,,,,,",  # the folder exists
        "A-3-1201,阳光花园,,,,,,李四,租户,13700137000,2024-03-01",  # a tenant of that folder
        "A-3-1201,阳光花园,,,,,,张三,业主,,",  # already registered
        ",阳光花园,,,,,,王五,业主,,",  # no code
        "D-1-0101,阳光花园,住宅,D,x,0101,,,,,",  # a floor that is not a number
    )
    with archive.session() as session:
        report = import_households(session, console, archive.fields, data, "x.csv", valid_only=True)
        reasons = {r.number: r.reason for r in report.refused}
        assert set(reasons) == {2, 4, 5, 6}
        assert "A-3-1201" in reasons[2]
        assert reasons[4] == "第 4 行：A-3-1201 已登记 张三，未重复登记。"
        assert reasons[5] == "第 5 行：未填写户号。"
        assert reasons[6] == "第 6 行：楼层“x”不是整数。"
        assert report.parties == 1 and report.households == 0
    with archive.session() as session:
        folder = get_household(session, "A-3-1201", "阳光花园")
        assert sorted((p.name, p.role) for p in folder.parties) == [("张三", "owner"), ("李四", "tenant")]
        assert session.scalars(
            select(AccessEvent.detail).where(AccessEvent.action == AccessAction.PARTY_ADD)
        ).all()


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_the_template_reads_back(archive, console, kind):
    table = import_template()
    data = xlsx_bytes(table) if kind == "xlsx" else csv_bytes(table)
    if kind == "xlsx":
        headers = [c.value for c in load_workbook(io.BytesIO(data)).active[3]]
        assert headers[:3] == ["户号", "小区", "用途"]
    else:
        assert data.startswith(b"\xef\xbb\xbf") and data.decode("utf-8-sig").startswith("户号,小区,用途")
    with archive.session() as session:
        report = import_households(session, console, archive.fields, data, f"模板.{kind}")
        assert report.kept and report.households == 1 and report.parties == 1
    with archive.session() as session:
        folder = get_household(session, "1-2-0301", "阳光花园")
        assert (folder.building, folder.unit, folder.floor, folder.room) == ("1", "2", 3, "0301")
        assert [(p.name, p.phone, str(p.since)) for p in folder.parties] == [
            ("张三", "13800138000", "2020-05-01")
        ]


def test_only_records_managers_import_and_a_sheet_without_codes_is_refused(archive, console):
    with archive.session() as session, pytest.raises(PermissionDenied):
        import_households(session, Actor(None, "staff", "staff"), None, GOOD_AND_BAD, "x.csv")
    with archive.session() as session, pytest.raises(InvalidInput) as refused:
        import_households(session, console, None, "姓名,电话\n张三,1\n".encode(), "x.csv")
    assert refused.value.code == "exports.import_no_header"
    with archive.session() as session, pytest.raises(InvalidInput) as empty:
        import_households(session, console, None, (HEADER + "\n").encode(), "空.csv")
    assert empty.value.code == "exports.import_empty"
    with archive.session() as session, pytest.raises(InvalidInput) as broken:
        import_households(session, console, None, b"PK\x03\x04broken", "坏.xlsx")
    assert broken.value.code == "exports.unreadable_workbook"


def test_cli_import_and_export(archive, run_cli, tmp_path):
    path = tmp_path / "业户.csv"
    path.write_bytes(GOOD_AND_BAD)
    refused = run_cli("household", "import", str(path), "--json")
    assert refused.exit_code == 2
    payload = refused.json()
    assert payload["kept"] is False and [r["row"] for r in payload["refused"]] == [3, 4]
    assert payload["refused"][0]["reason"].startswith("第 3 行：")
    done = run_cli("household", "import", str(path), "--valid-only")
    assert done.exit_code == 0, done.stderr
    assert "新建业户 2 户" in done.stdout and "第 3 行：" in done.stdout

    out = tmp_path / "汇总.csv"
    exported = run_cli("household", "export", "-o", str(out), "--community", "阳光花园")
    assert exported.exit_code == 0, exported.stderr
    assert "已导出 2 户" in exported.stdout
    lines = out.read_bytes().decode("utf-8-sig").splitlines()
    assert lines[0].startswith("户号,小区,楼栋,单元,房号,业主,联系电话")
    assert {line.split(",")[0] for line in lines[1:]} == {"B-1-0101", "B-1-0301"}
    bad = run_cli("household", "export", "-o", str(tmp_path / "x.txt"))
    assert bad.exit_code == 2 and ".xlsx" in bad.stderr
    with archive.session() as session:
        logged = session.scalars(
            select(AccessEvent.detail).where(AccessEvent.action == AccessAction.HOUSEHOLD_EXPORT)
        ).all()
        assert json.loads(logged[0])["rows"] == 2


def test_web_import_page_reports_rows_and_keeps_nothing_on_error(web_client, web_login, web_archive):
    from dossier.archive import Archive

    web_login(web_client, "archivist")
    page = web_client.get("/households/import").get_data(as_text=True)
    assert "下载模板 XLSX" in page and "仅导入有效行" in page
    template = web_client.get("/households/import/template.csv")
    assert template.get_data().startswith(b"\xef\xbb\xbf")
    assert "filename*=UTF-8''" in template.headers["Content-Disposition"]

    refused = web_client.post(
        "/households/import",
        data={"file": (io.BytesIO(GOOD_AND_BAD), "业户.csv")},
        content_type="multipart/form-data",
    )
    body = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "未导入任何数据" in body and "第 3 行：" in body
    with Archive(web_archive.settings).session() as session:
        assert session.scalar(select(Household.id).where(Household.code == "B-1-0101")) is None

    done = web_client.post(
        "/households/import",
        data={"file": (io.BytesIO(GOOD_AND_BAD), "业户.csv"), "valid_only": "y"},
        content_type="multipart/form-data",
    )
    assert done.status_code == 200 and "新建业户 2 户" in done.get_data(as_text=True)
    with Archive(web_archive.settings).session() as session:
        assert session.scalar(select(Household.id).where(Household.code == "B-1-0101")) is not None
    none = web_client.post("/households/import", data={}, content_type="multipart/form-data")
    assert none.status_code == 400 and "请选择要导入的 XLSX 或 CSV 文件" in none.get_data(as_text=True)
