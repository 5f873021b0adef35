"""Manifests as archivists write them: document types and retention classes by Chinese name as
well as by code, Excel workbooks as well as CSV, and the check of a household and type made
before an upload is sent (``ingest.names``, ``ingest.manifests``). No OCR: documents stay queued.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from dossier.actor import Actor
from dossier.errors import InvalidInput, PermissionDenied
from dossier.models import Document, DocumentType, Role
from dossier.services import households as hh
from ingest import intake, manifests, names
from tests.synthetic import render_page, save_page


@pytest.fixture
def folder(archive, console):
    with archive.session() as session:
        hh.add_household(session, console, None, "A-3-1201", owner="张三")
        hh.add_household(session, console, None, "B-1-0101", owner="李四")
    return archive


def _scan(path: Path, text: str) -> Path:
    return save_page(render_page(text, paper="strip", dpi=100), path, dpi=100)


def _taken_in(archive, console, specs):
    with archive.session() as session:
        batch = intake.intake(archive, session, console, specs)
        report = intake.batch_report(session, batch.id)
        docs = session.scalars(
            select(Document).where(Document.batch_id == batch.id).order_by(Document.id)
        ).all()
        return report, [(d.original_name, d.type_code, d.retention_class) for d in docs]


def test_a_manifest_names_types_and_classes_in_chinese(folder, console, tmp_path):
    for index, name in enumerate(("合同.png", "装修.png", "报修.png", "房产证.png", "十年.png", "空白.png")):
        _scan(tmp_path / name, f"扫描件 {index} {name}")
    (tmp_path / "batch.csv").write_text(
        "文件,户号,类型,保管期限\n"
        "合同.png,A-3-1201,购房合同,永久\n"
        "装修.png,A-3-1201,装修档案,定期10年\n"
        "报修.png,B-1-0101,repair,d30\n"
        "房产证.png,B-1-0101,房产证明,\n"
        "十年.png,B-1-0101,购房合同,十年\n"
        "空白.png,B-1-0101, ,\n",
        encoding="utf-8",
    )
    report, docs = _taken_in(folder, console, intake.read_manifest(tmp_path / "batch.csv"))
    assert docs == [
        ("合同.png", "contract", "Y"),
        ("装修.png", "renovation", "D10"),
        ("报修.png", "repair", "D30"),
    ]
    refused = {d["file"]: d["error"] for d in report["documents"] if d["status"] == "rejected"}
    assert set(refused) == {"房产证.png", "十年.png", "空白.png"}
    assert "没有名为“房产证明”的文件类型" in refused["房产证.png"] and "购房合同" in refused["房产证.png"]
    assert "没有名为“十年”的保管期限" in refused["十年.png"] and "定期10年" in refused["十年.png"]
    assert "没有填写文件类型" in refused["空白.png"]


def test_a_name_two_types_share_is_refused_as_ambiguous(folder, console, tmp_path):
    with folder.session() as session:
        session.add(DocumentType(code="renovation_old", name="装修档案", sort_order=999))
        session.commit()
    _scan(tmp_path / "a.png", "装修申请")
    _scan(tmp_path / "b.png", "装修验收")
    specs = [
        intake.FileSpec(path=tmp_path / "a.png", name="a.png", household="A-3-1201", type_code="装修档案"),
        intake.FileSpec(path=tmp_path / "b.png", name="b.png", household="A-3-1201", type_code="renovation"),
    ]
    report, docs = _taken_in(folder, console, specs)
    assert docs == [("b.png", "renovation", None)]  # the code still names exactly one type
    [refused] = [d for d in report["documents"] if d["status"] == "rejected"]
    assert refused["file"] == "a.png"
    assert "对应多个类型（renovation、renovation_old）" in refused["error"]


def test_codes_come_before_names(folder):
    with folder.session() as session:
        # A type whose name is another type's code: the code wins.
        session.add(DocumentType(code="misc", name="repair", sort_order=999))
        session.commit()
        assert names.resolve_type(session, "repair").code == "repair"
        assert names.resolve_type(session, "Repair").code == "repair"  # codes in any case
        assert names.resolve_retention(session, "d10").code == "D10"
        assert names.resolve_retention(session, "定期30年").code == "D30"
        with pytest.raises(InvalidInput, match="未填写文件类型"):
            names.resolve_type(session, "  ")


def test_an_excel_manifest_with_dates_as_excel_stores_them(folder, console, tmp_path):
    from openpyxl import Workbook

    _scan(tmp_path / "合同.png", "购房合同 正本")
    _scan(tmp_path / "钥匙.png", "钥匙领用单")
    book = Workbook()
    sheet = book.active
    sheet.append(manifests.TEMPLATE_HEADER)
    sheet.append(
        ["合同.png", "A-3-1201", None, "购房合同", "购房合同（正本）", datetime(2019, 5, 1), "否", None]
    )
    sheet.append(["钥匙.png", "B-1-0101", None, "钥匙领用", None, "2024/3/9", True, "定期5年（常规表单）"])
    sheet.append([None] * 8)  # Excel often keeps empty rows at the end
    book.save(tmp_path / "清单.xlsx")
    specs = intake.read_manifest(tmp_path / "清单.xlsx")
    assert [(s.name, s.type_code, str(s.document_date), s.confidential) for s in specs] == [
        ("合同.png", "购房合同", "2019-05-01", False),
        ("钥匙.png", "钥匙领用", "2024-03-09", True),
    ]
    _, docs = _taken_in(folder, console, specs)
    assert docs == [("合同.png", "contract", None), ("钥匙.png", "keys", "D5")]  # None: the type's class


def test_a_damaged_workbook_is_one_chinese_sentence(tmp_path):
    (tmp_path / "bad.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(InvalidInput, match="不是可读取的 Excel 工作簿"):
        intake.read_manifest(tmp_path / "bad.xlsx")


def test_the_templates_are_manifests_that_read_back(tmp_path):
    csv_bytes = manifests.template_csv()
    assert csv_bytes.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM, for Excel
    rows, delimiter = manifests.manifest_rows(csv_bytes, "模板.csv")
    assert delimiter == "," and rows[0] == manifests.TEMPLATE_HEADER and rows[1][3] == "购房合同"
    xlsx = manifests.template_xlsx([("contract", "购房合同")], [("Y", "永久")])
    assert manifests.manifest_rows(xlsx, "模板.xlsx")[0][:3] == [
        manifests.TEMPLATE_HEADER,
        *manifests.TEMPLATE_EXAMPLES,
    ]
    # The template's own rows are a valid manifest (their files are what a user would upload).
    (tmp_path / "一号盒").mkdir()
    for row in manifests.TEMPLATE_EXAMPLES:
        _scan(tmp_path / row[0], row[4])
    (tmp_path / "template.xlsx").write_bytes(xlsx)
    specs = intake.read_manifest(tmp_path / "template.xlsx")
    assert [s.problem for s in specs] == [None, None]


def test_the_check_before_an_upload(folder, console):
    with folder.session() as session:
        ok = names.check_destination(
            session, console, household="A-3-1201", community=None, type_code="购房合同"
        )
        assert ok.ok and ok.type_name == "购房合同" and ok.household.startswith("A-3-1201（")
        bad = names.check_destination(
            session,
            console,
            household="Z-9-9999",
            community=None,
            type_code="",
            document_date="2024-02-30",
            retention_class="十年",
        )
        assert bad.errors == {
            "household": "档案中没有户号 Z-9-9999，请核对户号，或先建立业户档案。",
            "type_code": "请选择文件类型。",
            "document_date": "文件日期：没有这一天：2024-02-30",
            "retention_class": bad.errors["retention_class"],
        }
        assert "没有名为“十年”的保管期限" in bad.errors["retention_class"]
        nowhere = names.check_destination(
            session, console, household="A-3-1201", community="月亮湾", type_code="repair"
        )
        assert nowhere.errors == {"household": "没有名为“月亮湾”的小区。"}
        staff = Actor(user_id=None, username="someone", role=Role.STAFF)
        with pytest.raises(PermissionDenied):
            names.check_destination(session, staff, household="A-3-1201", community=None, type_code="repair")
