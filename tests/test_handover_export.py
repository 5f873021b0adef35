"""移交: `dossier handover export` writes a package another archive can check without our
database — every file in a signed manifest with SHA-256 and SM3, the originals in the clear, a
signed DA/T 48 EEP per document, the folders' own data and the 移交接收登记表 — for
administrators only, recorded in the access log. Real CLI on a real archive (SQLite and PG)."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import select

from dossier.actor import Actor
from dossier.errors import InvalidInput, PermissionDenied
from dossier.models import AccessAction, AccessEvent, Document, Handover, Household
from dossier.signing import load_public_key
from handover import eep, package
from handover.export import Selection, export_package
from tests.retention_helpers import actors, add_retention_users, cli_token, store_document

A, B = "A-1-0101", "B-2-0202"
ID_NUMBER = "11010519491231002X"
SHOTS = Path("/tmp/dossier-shots")


def _ok(result):
    assert result.exit_code == 0, result.stderr
    return result.json() if result.stdout.startswith("{") else result.stdout


def _destroy_repairs(archive, run_cli, monkeypatch) -> list[int]:
    number = _ok(run_cli("--as", "keeper", "retention", "propose", "--json"))["number"]
    monkeypatch.setenv("DOSSIER_TOKEN", cli_token(archive, "officer"))
    _ok(run_cli("--as", "officer", "retention", "approve", number))
    monkeypatch.delenv("DOSSIER_TOKEN")
    return _ok(run_cli("--as", "keeper", "retention", "execute", number, "--json"))["destroyed"]


@pytest.fixture
def filed(archive, run_cli, monkeypatch):
    """Household A with two live documents and one destroyed; household B with one document."""
    add_retention_users(archive)
    _ok(run_cli("household", "add", A, "--owner", "张三", "--id-number", ID_NUMBER))
    _ok(run_cli("household", "add", B, "--owner", "李四"))
    docs = {
        "contract": store_document(
            archive, A, "contract", date(2019, 5, 1), title="购房合同", pages=["甲方 乙方", "签字页"]
        ),
        "repair": store_document(archive, A, "repair", date(2015, 3, 1), title="报修单"),
        "deed": store_document(archive, A, "contract", date(2020, 1, 2), title="补充协议"),
        "other": store_document(archive, B, "contract", date(2021, 1, 2), title="另一户的合同"),
    }
    assert _destroy_repairs(archive, run_cli, monkeypatch) == [docs["repair"]]
    return docs


@pytest.fixture
def work(tmp_path) -> Path:
    """Where the packages go (the archive's own files are beside it in tmp_path)."""
    path = tmp_path / "exports"
    path.mkdir()
    return path


def _files_on_disk(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def test_an_exported_household_is_a_complete_signed_package(archive, run_cli, filed, work):
    out = work / "package"
    summary = _ok(run_cli("handover", "export", "--household", A, "-o", str(out), "--json"))
    assert summary["counts"] == {
        "households": 1,
        "documents": 2,
        "destroyed": 1,
        "pages": 3,
        "bytes": summary["counts"]["bytes"],
    }
    assert [p.name for p in work.iterdir() if p.name.startswith(".")] == []  # no partial folder left

    # The manifest lists every file but itself and its proof, each with matching digests, signed.
    manifest = package.read_manifest(out)
    assert manifest["format"] == "dossier-handover/1" and manifest["package_id"] == summary["package_id"]
    assert manifest["scope"] == {"households": [A]}
    assert manifest["digest_algorithms"] == ["SHA-256", "SM3"]
    listed = [f["path"] for f in manifest["files"]]
    assert listed == sorted(listed)
    assert set(listed) == _files_on_disk(out) - package.UNLISTED
    assert all(package.check_file(out, entry) == [] for entry in manifest["files"])
    ok, fingerprint = package.check_manifest_signature(out)
    assert ok and fingerprint == archive.signer.fingerprint == manifest["source"]["signing_key_id"]
    assert hashlib.sha256((out / "package.json").read_bytes()).hexdigest() == summary["manifest_sha256"]

    with archive.session() as session:
        folder = session.scalars(select(Household).where(Household.code == A)).one().archive_no
        contract = session.get(Document, filed["contract"])
        numbers = {d.id: d.archive_no for d in session.scalars(select(Document))}
        sha256 = contract.sha256
        row = session.scalars(select(Handover)).one()
        assert (row.direction, row.package_id, row.documents) == ("export", summary["package_id"], 2)
        logged = session.scalars(
            select(AccessEvent).where(AccessEvent.action == AccessAction.HANDOVER_EXPORT)
        ).all()
        assert [e.household_id for e in logged] == [
            session.scalars(select(Household.id).where(Household.code == A)).one()
        ]

    # folder.json: the folder in full (the ID number in the clear), documents and the tombstone.
    record = json.loads((out / "households" / folder / "folder.json").read_text(encoding="utf-8"))
    assert record["code"] == A and record["archive_no"] == folder and record["item_counter"] == 3
    assert record["parties"][0]["name"] == "张三" and record["parties"][0]["id_number"] == ID_NUMBER
    assert [d["archive_no"] for d in record["documents"]] == [
        numbers[filed["contract"]],
        numbers[filed["deed"]],
    ]
    (tombstone,) = record["destroyed"]
    assert tombstone["archive_no"] == numbers[filed["repair"]] and tombstone["title"] == "报修单"
    assert tombstone["shredlog"] and tombstone["shredlog"][0]["signature"]
    assert not (out / package.item_dir(folder, numbers[filed["repair"]])).exists()
    assert not any(numbers[filed["other"]] in path for path in listed)

    # The original as filed, byte for byte; its page text; its signed EEP.
    item = out / package.item_dir(folder, numbers[filed["contract"]])
    assert hashlib.sha256((item / "original.pdf").read_bytes()).hexdigest() == sha256
    pages = json.loads((item / "pages.json").read_text(encoding="utf-8"))["pages"]
    assert [(p["number"], p["text"]) for p in pages] == [(1, "甲方 乙方"), (2, "签字页")]
    xml = (item / "eep.xml").read_bytes()
    assert b'xmlns="http://www.saac.gov.cn/standards/ERM/encapsulation"' in xml
    key = load_public_key((out / "signing-key.pem").read_bytes())
    ok, facts = eep.verify_eep(xml, key)
    assert ok, facts
    assert facts["archive_no"] == numbers[filed["contract"]] and facts["title"] == "购房合同"
    assert (facts["year"], facts["item_no"], facts["folder"], facts["pages"]) == ("2019", "1", folder, "2")
    assert (facts["sha256"], facts["file_name"], facts["package_type"]) == (sha256, "original.pdf", "原始型")
    assert "入库" in [b["action"] for b in facts["business"]]
    tampered = xml.replace("购房合同".encode(), "购房协议".encode())
    assert eep.verify_eep(tampered, key)[0] is False
    assert eep.verify_eep(b"<!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>", key) == (
        False,
        {"problem": "malformed"},
    )

    # The register, in both forms, in Chinese with the counts.
    book = load_workbook(out / package.REGISTER_XLSX)
    rows = [[c for c in r if c is not None] for r in book.worksheets[0].iter_rows(values_only=True)]
    assert rows[0] == ["电子档案移交接收登记表"] and rows[1] == ["项目", "内容", "说明"]
    values = {r[0]: r[1] if len(r) > 1 else "" for r in rows[2:]}
    assert values["交接性质"] == "移交" and values["移交包标识"] == summary["package_id"]
    assert (
        values["业户档案（户）"],
        values["文件（件）"],
        values["已销毁文件（件）"],
        values["页数（页）"],
    ) == (
        "1",
        "2",
        "1",
        "3",
    )
    assert values["摘要算法"] == "SHA-256、SM3" and values["签名公钥指纹"] == fingerprint
    assert values["数据量（GB）"] == f"{summary['counts']['bytes'] / 1024**3:.3f}"
    assert values["真实性检测"] == "通过" and "接收人（签字）" in values
    pdf = (out / package.REGISTER_PDF).read_bytes()
    assert pdf.startswith(b"%PDF")
    SHOTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(out / package.REGISTER_PDF),
            str(SHOTS / "register"),
        ],
        check=True,
        timeout=60,
    )
    text = subprocess.run(
        ["pdftotext", "-layout", str(out / package.REGISTER_PDF), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "电子档案移交接收登记表" in text and "监交人" in text and summary["package_id"] in text


def test_a_community_or_the_whole_archive_is_exported(archive, run_cli, filed, work):
    whole = _ok(run_cli("handover", "export", "--all", "-o", str(work / "all"), "--json"))
    assert whole["counts"]["households"] == 2 and whole["counts"]["documents"] == 3
    (work / "empty").mkdir()
    community = _ok(run_cli("household", "show", A, "--json"))["community"]
    name = community["name"] if isinstance(community, dict) else community
    by_community = _ok(
        run_cli("handover", "export", "--community", name, "-o", str(work / "empty"), "--json")
    )
    assert by_community["counts"]["households"] == 2
    human = _ok(run_cli("handover", "export", "--household", B, "-o", str(work / "b")))
    assert "已写出移交包" in human and "1 户" in human


def test_only_administrators_may_export(archive, run_cli, filed, work):
    out = work / "package"
    result = run_cli("--as", "keeper", "handover", "export", "--household", A, "-o", str(out))
    assert result.exit_code != 0 and "Traceback" not in result.stderr
    assert any("\u4e00" <= ch <= "\u9fff" for ch in result.stderr)
    assert not out.exists() and list(work.iterdir()) == []
    keeper = actors(archive)["keeper"]
    with archive.session() as session, pytest.raises(PermissionDenied):
        export_package(archive, session, keeper, Selection(households=[A]), out)
    assert not out.exists()
    with archive.session() as session:
        assert session.scalars(select(Handover)).all() == []


@pytest.mark.parametrize(
    "args, words",
    [
        ((), "只选择一项"),
        (("--household", A, "--all"), "只选择一项"),
        (("--community", "没有这个小区"), "没有名为"),
        (("--household", "Z-9-9999"), "Z-9-9999"),
    ],
)
def test_bad_selections_are_refused_in_chinese(archive, run_cli, filed, work, args, words):
    out = work / "package"
    result = run_cli("handover", "export", *args, "-o", str(out))
    assert result.exit_code != 0 and words in result.stderr and "Traceback" not in result.stderr
    assert list(work.iterdir()) == []


def test_a_folder_that_is_not_empty_is_refused(archive, run_cli, filed, work):
    out = work / "package"
    out.mkdir()
    (out / "keep.txt").write_text("x")
    result = run_cli("handover", "export", "--household", A, "-o", str(out))
    assert result.exit_code != 0 and "不是空文件夹" in result.stderr
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    with archive.session() as session, pytest.raises(InvalidInput):
        export_package(archive, session, Actor.console(), Selection(everything=True), out)


def test_scan_attributes_come_from_the_original(tmp_path):
    grey = tmp_path / "page.png"
    Image.new("L", (40, 40), 200).save(grey, dpi=(300, 300))
    assert eep.scan_attributes(grey, "image/png") == ("300 dpi", "灰度")
    bitonal = tmp_path / "page.pdf"
    Image.new("1", (200, 200), 1).save(bitonal, "PDF", resolution=200)
    assert eep.scan_attributes(bitonal, "application/pdf") == ("200 dpi", "黑白二值")
    colour = tmp_path / "colour.pdf"
    buffer = io.BytesIO()
    Image.new("RGB", (150, 150), (200, 10, 10)).save(buffer, "PDF", resolution=150)
    colour.write_bytes(buffer.getvalue())
    assert eep.scan_attributes(colour, "application/pdf") == ("150 dpi", "彩色")
    assert eep.scan_attributes(tmp_path / "missing.tif", "image/tiff") == ("未知", "未知")
    assert eep.scan_attributes(grey, "application/octet-stream") == ("未知", "未知")


def test_package_paths_outside_the_layout_are_unsafe():
    assert package.safe_name("0001-WY·2019-Y-C001-Z00001-0001") == "0001-WY·2019-Y-C001-Z00001-0001"
    assert package.safe_name("a/b c") == "a_b_c" and package.safe_name("..") == "__"
    assert package.is_package_path("households/C001/x/original.pdf")
    for bad in ("../x", "households/../x", "/etc/passwd", "package.json", "households/a b", "other/x", 5):
        assert not package.is_package_path(bad)


def test_a_damaged_original_stops_the_export_and_leaves_nothing(archive, run_cli, filed, work):
    with archive.session() as session:
        key = session.get(Document, filed["deed"]).original_key
    with archive.store.open(key) as stream:
        cipher = bytearray(stream.read())
    cipher[-5] ^= 0x01
    archive.store.put(key, io.BytesIO(bytes(cipher)), length=len(cipher))
    result = run_cli("handover", "export", "--household", A, "-o", str(work / "package"))
    assert result.exit_code != 0 and "Traceback" not in result.stderr
    assert any("\u4e00" <= ch <= "\u9fff" for ch in result.stderr)
    assert list(work.iterdir()) == []
    with archive.session() as session:
        assert session.scalars(select(Handover)).all() == []
        assert (
            session.scalars(
                select(AccessEvent).where(AccessEvent.action == AccessAction.HANDOVER_EXPORT)
            ).all()
            == []
        )
