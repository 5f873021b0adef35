"""导出: each list as XLSX (typed cells) and CSV (with a BOM), with Chinese headers, what each role
sees and nothing more (phones masked, confidential documents uncounted), personal-data exports on
the access log, and Chinese file names."""

from __future__ import annotations

import io
import json
from datetime import datetime
from urllib.parse import quote

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from dossier.actor import Actor
from dossier.archive import Archive
from dossier.errors import PermissionDenied
from dossier.models import AccessAction, AccessEvent, Channel
from dossier.services.accesslog import AccessFilter, access_table, detail_text
from dossier.services.household_sheets import HOUSEHOLD_COLUMNS, households_table
from dossier.services.households import HouseholdFilter
from dossier.sheets import csv_bytes, xlsx_bytes
from paper.exports import loans_table

HEADERS = ["户号", "小区", "楼栋", "单元", "房号", "业主", "联系电话", "用途", "状态", "完整度", "档案号"]


def actor(role: str, username: str | None = None) -> Actor:
    return Actor(None, username or role, role, True, Channel.WEB)


def sheet_rows(data: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(data)).active
    return [[c.value for c in row] for row in sheet.iter_rows()]


def household_export(web_archive, role: str, flt: HouseholdFilter | None = None):
    with Archive(web_archive.settings).session() as session:
        return households_table(session, actor(role), flt or HouseholdFilter())


def test_households_sheet_has_chinese_headers_and_typed_cells(web_archive):
    table = household_export(web_archive, "archivist")
    rows = sheet_rows(xlsx_bytes(table))
    assert rows[0][0] == "业户基本情况汇总表"
    assert rows[1][0].startswith("导出人：陈档案")
    assert rows[2] == HEADERS
    by_code = {row[0]: row for row in rows[3:]}
    assert set(by_code) == {"A-1-0101", "A-1-1201", "S-101"}
    first = by_code["A-1-0101"]
    assert first[1:7] == ["阳光花园", "A", "1", "0101", "张三", "13800138000"]
    assert first[7:9] == ["住宅", "在用"]
    assert first[9] == pytest.approx(0.6)  # 3 of the 5 expected kinds, one of them confidential
    assert by_code["S-101"][7] == "商业"
    cell = load_workbook(io.BytesIO(xlsx_bytes(table))).active["J4"]
    assert cell.data_type == "n" and cell.number_format == "0.0%"


def test_households_csv_has_a_bom_and_the_same_rows(web_archive):
    data = csv_bytes(household_export(web_archive, "admin", HouseholdFilter(community="滨江商城")))
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0] == ",".join(HEADERS)
    assert len(lines) == 2 and lines[1].startswith("S-101,滨江商城,")
    assert "021-5555-1234" in lines[1]


def test_staff_export_masks_phones_and_counts_only_what_staff_sees(web_archive):
    rows = {row[0]: row for row in household_export(web_archive, "staff").rows}
    assert rows["A-1-0101"][6] == "*******8000"
    assert rows["A-1-0101"][9] == pytest.approx(0.4)  # the confidential ID copy is not counted
    assert len(HOUSEHOLD_COLUMNS) == len(HEADERS)


def test_the_export_follows_the_filters_and_is_on_the_access_log(web_archive):
    table = household_export(web_archive, "staff", HouseholdFilter(owner="王", limit=1, offset=5))
    assert [row[0] for row in table.rows] == ["A-1-1201"]  # the page's limit and offset do not apply
    with Archive(web_archive.settings).session() as session:
        entry = session.scalars(
            select(AccessEvent).where(AccessEvent.action == AccessAction.HOUSEHOLD_EXPORT)
        ).one()
        assert entry.username == "staff"
        assert json.loads(entry.detail) == {"filters": {"owner": "王"}, "rows": 1}


def test_access_log_sheet_is_for_auditors_in_chinese(web_archive):
    with Archive(web_archive.settings).session() as session:
        with pytest.raises(PermissionDenied):
            access_table(session, actor("staff"), AccessFilter())
        table = access_table(session, actor("auditor"), AccessFilter(action="household.create"))
    rows = list(table.rows)
    assert table.title == "查阅登记" and [c.header for c in table.columns][:6] == [
        "时间",
        "姓名",
        "用户名",
        "角色",
        "操作",
        "结果",
    ]
    assert {row[4] for row in rows} == {"建档"} and {row[5] for row in rows} == {"成功"}
    assert all(isinstance(row[0], datetime) for row in rows)
    sheet = sheet_rows(xlsx_bytes(table))
    assert isinstance(sheet[3][0], datetime) and sheet[3][0].microsecond == 0


def test_access_log_sheet_gives_each_entrys_detail_in_chinese(web_archive):
    """The detail column reads as Chinese: keys, coded values and changes; the stored JSON (what
    the JSON export and the signed chain keep) is unchanged."""
    table = household_export(web_archive, "staff", HouseholdFilter(owner="王"))
    assert table.rows
    with Archive(web_archive.settings).session() as session:
        table = access_table(session, actor("auditor"), AccessFilter(action="household.export"))
    assert [row[-1] for row in table.rows] == ["筛选条件：（业主：王）；行数：1"]
    examples = {
        '{"page": 2, "purpose": "核对"}': "页码：2；查阅目的：核对",
        '{"reason": "录错", "changes": {"title": ["甲", "乙"]}}': "理由：录错；更改：（题名：甲 → 乙）",
        '{"user": "keeper", "role": ["staff", "archivist"]}': "用户：keeper；角色：客服员 → 档案管理员",
        '{"loan": 3, "manner": "copy", "condition": "intact", "channel": "sms"}': (
            "借阅编号：3；利用方式：复制；归还状况：完好；方式：短信"
        ),
        '{"user": "a", "generated": true}': "用户：a；系统生成密码：是",
        "扫描批 1 第 2 页": "扫描批 1 第 2 页",
        "{not json": "{not json",
    }
    for stored, shown in examples.items():
        assert detail_text(stored) == shown


def test_loans_sheet_is_for_records_managers_and_auditors(web_archive):
    with Archive(web_archive.settings).session() as session:
        with pytest.raises(PermissionDenied):
            loans_table(session, actor("staff"))
        table = loans_table(session, actor("auditor"))
        assert table.title == "借阅登记" and list(table.rows) == []
        assert session.scalars(
            select(AccessEvent.username).where(AccessEvent.action == AccessAction.LOAN_EXPORT)
        ).all() == ["auditor"]


# --- the web --------------------------------------------------------------------------------


def test_households_download_has_a_chinese_file_name(web_client, web_login):
    web_login(web_client, "staff")
    response = web_client.get("/households/export.xlsx?community=阳光花园&page=2")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    disposition = response.headers["Content-Disposition"]
    assert f"filename*=UTF-8''{quote('业户基本情况汇总表-')}" in disposition
    assert 'filename="households-' in disposition
    rows = sheet_rows(response.get_data())
    assert sorted(row[0] for row in rows[3:]) == ["A-1-0101", "A-1-1201"]
    csv_response = web_client.get("/households/export.csv")
    assert csv_response.get_data().startswith(b"\xef\xbb\xbf")
    assert "*******8000" in csv_response.get_data().decode("utf-8-sig")


def test_list_pages_offer_exports_to_those_who_may_see_them(web_client, web_login):
    web_login(web_client, "staff")
    page = web_client.get("/households?building=A").get_data(as_text=True)
    assert 'id="export-xlsx" href="/households/export.xlsx?building=A"' in page
    assert 'id="import-link"' not in page
    assert web_client.get("/audit/access-log/export.xlsx").status_code == 403
    assert web_client.get("/paper/loans/export.csv").status_code == 403
    assert web_client.get("/households/import").status_code == 403
    auditor = web_client.application.test_client()
    web_login(auditor, "auditor")
    response = auditor.get("/audit/access-log/export.csv?action=login")
    assert response.status_code == 200
    lines = response.get_data().decode("utf-8-sig").splitlines()
    assert lines[0].startswith("时间,姓名,用户名,角色,操作,结果")
    assert all(",登录," in line for line in lines[1:]) and len(lines) > 1
    loans = auditor.get("/paper/loans/export.xlsx?filter=overdue")
    assert loans.status_code == 200 and sheet_rows(loans.get_data())[0][0] == "借阅登记"


def test_search_results_export_what_the_page_shows(web_client, web_login, web_search_docs):
    web_login(web_client, "staff")
    response = web_client.get("/search/export.xlsx?q=维修基金")
    assert response.status_code == 200
    rows = sheet_rows(response.get_data())
    assert rows[0][0] == "检索结果"
    titles = {row[4] for row in rows[3:]}
    assert "维修基金缴纳通知" in titles and "业主身份证明（保密）" not in titles  # staff has no clearance
    assert not any("<mark>" in str(row[9]) for row in rows[3:])
    archivist = web_client.application.test_client()
    web_login(archivist, "archivist")
    rows = sheet_rows(archivist.get("/search/export.xlsx?q=维修基金").get_data())
    secret = [row for row in rows[3:] if row[4] == "业主身份证明（保密）"]
    assert secret and secret[0][8] == "是" and secret[0][9].startswith("保密文件")  # no purpose given


def test_batch_report_export(web_client, web_login, web_archive):
    from dossier.catalog import text
    from ingest.intake import FileSpec, intake

    archive = Archive(web_archive.settings)
    with archive.session() as session:
        batch = intake(
            archive,
            session,
            Actor.console(),
            [FileSpec(path=None, name="扫描 1.png", problem=text("exports.no_file"))],
        )
        batch_id = batch.id
    web_login(web_client, "archivist")
    response = web_client.get(f"/intake/batches/{batch_id}/export.csv")
    assert response.status_code == 200
    lines = response.get_data().decode("utf-8-sig").splitlines()
    assert lines[0] == "序号,文件,状态,文件编号,档号,业户,页数,说明"
    assert lines[1].startswith("1,扫描 1.png,已拒收,")
    rows = sheet_rows(web_client.get(f"/intake/batches/{batch_id}/export.xlsx").get_data())
    assert rows[0][0] == f"入库批次 {batch_id} 报告" and rows[3][0] == 1
    assert web_client.get("/intake/batches/999/export.xlsx").status_code == 404
    page = web_client.get(f"/intake/batches/{batch_id}").get_data(as_text=True)
    assert f'href="/intake/batches/{batch_id}/export.xlsx"' in page
