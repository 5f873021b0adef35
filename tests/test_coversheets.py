"""Cover sheets: printed, scanned in a stack, recognised, and the stack split and filed.

Everything is real (segno, Pillow, poppler, zxing-cpp, qpdf, the vault and the catalog); the
tests stop before OCR: split documents stay queued.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw
from sqlalchemy import select

from dossier.actor import Actor
from dossier.models import BatchItem, Document, ObjectKey, ScanStack
from dossier.services import coversheets as cs
from dossier.services import households as hh
from dossier.services.documents import verify_original
from dossier.services.stacks import verify_stack
from ingest import intake
from ingest.detect import detect, pdf_info, pdf_page_sizes
from ingest.rasterise import iter_pages
from ingest.separate import DETECT_DPI, classify, detect_pages, plan
from ingest.split import assign_unfiled
from tests.synthetic import degrade, make_pdf, make_tiff, render_page


@pytest.fixture
def folders(archive, console):
    with archive.session() as session:
        hh.add_household(session, console, None, "A-3-1201", owner="张三", building="A", floor=3)
        hh.add_household(session, console, None, "A-3-1202", owner="李四", building="A", floor=3)
        hh.add_household(session, console, None, "B-1-0101", owner="王五", building="B", floor=1)
    return archive


def _facts(archive, code: str, type_code: str = "renovation", **kw) -> cs.SheetFacts:
    with archive.session() as session:
        community = hh.get_household(session, code).community.code
    return cs.SheetFacts(community=community, household=code, type_code=type_code, **kw)


def sheet(
    facts: cs.SheetFacts,
    key: bytes,
    *,
    rotate: int = 0,
    skew: float = 0.0,
    damage: str | None = None,
    seed: int = 1,
) -> Image.Image:
    """A cover sheet as a scanner returns it: turned, skewed, blurred, noisy, JPEG-compressed."""
    image = cs.draw_sheet(
        facts, community_name="翠湖花园", archive_no="CH-R-0001", type_name="装修档案", key=key
    ).convert("L")
    if damage:
        draw = ImageDraw.Draw(image)
        left, top = (image.width - cs._px(cs.QR_MM)) // 2, cs._px(cs.BAR_MARGIN_MM + cs.BAR_MM + 30)
        if damage == "scratch":  # a pen stroke across the code: error correction recovers it
            draw.rectangle((left, top + 400, left + 900, top + 430), fill=0)
        else:  # a coffee stain over most of the code: unreadable
            draw.rectangle((left, top, left + 800, top + 800), fill=90)
    if skew:
        image = image.rotate(skew, resample=Image.Resampling.BICUBIC, fillcolor=255)
    if rotate:
        image = image.rotate(rotate, expand=True)
    return degrade(image, noise=6, blur=0.8, jpeg_quality=80, seed=seed)


def content(text: str, seed: int = 0) -> Image.Image:
    return render_page(f"{text}\n" + "物业管理 装修申请 押金 " * 12, dpi=300, noise=5, seed=seed)


def blank(seed: int = 0) -> Image.Image:
    return degrade(Image.new("L", (2480, 3508), 250), noise=5, jpeg_quality=80, seed=seed)


def _plain(images):
    """Fresh images (Pillow keeps save options on an image; a second save would reuse them)."""
    return [Image.fromarray(np.asarray(im)) for im in images]


def _split(archive, actor, path: Path):
    with archive.session() as session:
        batch = intake.intake(
            archive, session, actor, [intake.FileSpec(path=path, name=path.name, split=True)]
        )
        return intake.batch_report(session, batch.id)


# --- payloads ------------------------------------------------------------------------------------


def test_payload_round_trip_and_refusals():
    key, other = b"k" * 32, b"o" * 32
    facts = cs.SheetFacts(
        "CH",
        "A-3-1201",
        "renovation",
        title="装修|申请",
        document_date=date(2024, 3, 9),
        retention_class="D10",
        confidential=True,
    )
    payload = cs.encode_payload(facts, key)
    assert payload.startswith(b"DSC1|") and len(payload) < 200
    assert cs.decode_payload(payload, key) == facts
    with pytest.raises(cs.SheetRefused, match="another archive"):
        cs.decode_payload(payload, other)
    altered = payload.replace(b"A-3-1201", b"A-3-1202")
    with pytest.raises(cs.SheetRefused, match="altered"):
        cs.decode_payload(altered, key)
    with pytest.raises(cs.SheetRefused, match="version 2"):
        cs.decode_payload(b"DSC2|{}|X", key)
    assert not cs.is_cover_payload(b"https://example.com/invoice?id=1")


def test_printed_sheet_decodes_to_what_was_asked(folders, console, tmp_path):
    options = cs.SheetOptions(
        type_code="contract",
        title="购房合同 补充协议",
        document_date=date(2024, 3, 9),
        confidential=True,
        retention_class="Y30",
    )
    with folders.session() as session:
        households = cs.select_households(session, codes=["A-3-1201"])
        pdf = cs.sheets_pdf(folders, session, console, households, options)
        community = households[0].community.code
    path = tmp_path / "sheets.pdf"
    path.write_bytes(pdf)
    assert pdf_info(path).pages == 1
    [(width_pt, height_pt)] = pdf_page_sizes(path, 1, 1).values()
    assert (round(width_pt / 72 * 25.4), round(height_pt / 72 * 25.4)) == (210, 297)  # A4
    [page] = iter_pages(path, detect(path), dpi=300, workdir=tmp_path / "pages")
    with Image.open(page.path) as image:
        full = np.asarray(image.convert("L"))
        small = np.asarray(image.convert("L").reduce(300 // DETECT_DPI))
    kind, _ = classify(1, small, folders.cover_sheet_key, lambda: full)
    assert kind.kind == "sheet"
    assert kind.facts == cs.SheetFacts(
        community, "A-3-1201", "contract", "购房合同 补充协议", date(2024, 3, 9), "Y30", True
    )


def test_a_building_floor_selection_in_shelf_order(folders):
    with folders.session() as session:
        chosen = cs.select_households(session, building="A", floor=3)
        assert [h.code for h in chosen] == ["A-3-1201", "A-3-1202"]
        with pytest.raises(Exception, match="没有在用的业户"):
            cs.select_households(session, building="Z")
        with pytest.raises(Exception, match="没有户号为 Z-9-9999 的业户"):
            cs.select_households(session, codes=["Z-9-9999"])


# --- detection -----------------------------------------------------------------------------------


def test_pages_are_told_apart_turned_skewed_and_damaged(folders, tmp_path):
    key = folders.cover_sheet_key
    a = _facts(folders, "A-3-1201")
    pages = [
        content("第一页", 1),
        sheet(a, key, rotate=180),
        blank(2),
        content("甲", 3),
        sheet(a, key, skew=4.0),
        sheet(a, key, skew=-3.0, rotate=180, damage="scratch"),
        sheet(a, key, damage="stain"),
        blank(4),
        content("乙", 5),
        blank(6),
    ]
    path = make_pdf(_plain(pages), tmp_path / "stack.pdf")
    kinds = detect_pages(path, detect(path), key, workdir=tmp_path).pages
    assert [k.kind for k in kinds] == [
        "content",
        "sheet",
        "blank",
        "content",
        "sheet",
        "sheet",
        "bad_sheet",
        "blank",
        "content",
        "blank",
    ]
    assert kinds[1].facts == a and kinds[5].facts == a
    assert kinds[6].reason is not None and kinds[6].reason.code == "intake.sheet_unreadable"
    parts = plan(kinds)
    assert [(p.kind, p.pages) for p in parts] == [
        ("unfiled", "1"),
        ("separator", "2"),
        ("blank", "3"),
        ("document", "4"),
        ("separator", "5"),
        ("separator", "6"),
        ("separator", "7"),
        ("blank", "8"),
        ("unfiled", "9-10"),
    ]
    assert parts[0].reason is not None and parts[0].reason.code == "intake.before_first_sheet"


def test_a_foreign_qr_code_on_a_document_is_content(folders, tmp_path):
    page = content("发票", 1)
    code = cs.qr_image(b"https://inv.example.com/fapiao?no=12345", 400)
    page.paste(code, (1500, 300))
    kind, _ = classify(1, np.asarray(page.reduce(4)), folders.cover_sheet_key, lambda: np.asarray(page))
    assert kind.kind == "content"


# --- splitting and filing ------------------------------------------------------------------------


def test_a_stack_is_stored_whole_and_split_into_signed_documents(folders, console, tmp_path):
    key = folders.cover_sheet_key
    a = _facts(folders, "A-3-1201", title="装修申请", document_date=date(2024, 3, 9), retention_class="D10")
    b = _facts(folders, "B-1-0101", type_code="contract", confidential=True)
    unknown = cs.SheetFacts(a.community, "Z-9-9999", "renovation")
    foreign = sheet(a, b"f" * 32)
    pages = [
        content("前", 1),
        sheet(a, key),
        blank(2),
        content("甲一", 3),
        content("甲二", 4),
        sheet(b, key, rotate=180),
        content("乙", 5),
        foreign,
        content("外", 6),
        sheet(unknown, key, skew=3.0),
        content("未知", 7),
    ]
    path = make_pdf(_plain(pages), tmp_path / "stack.pdf")
    report = _split(folders, console, path)
    rows = [(d["status"], d["stack_pages"], d["error"]) for d in report["documents"]]
    assert [(s, p) for s, p, _ in rows] == [
        ("unfiled", [1, 1]),
        ("separator", [2, 2]),
        ("blank", [3, 3]),
        ("queued", [4, 5]),
        ("separator", [6, 6]),
        ("queued", [7, 7]),
        ("separator", [8, 8]),
        ("unfiled", [9, 9]),
        ("separator", [10, 10]),
        ("unfiled", [11, 11]),
    ]
    assert rows[0][2] == "这些页面在第一张封面之前，无法确定归属。"
    assert "其他档案系统" in rows[7][2]
    assert "Z-9-9999" in rows[9][2] and "不在档案中" in rows[9][2]
    codes = [d["error_code"] for d in report["documents"]]
    assert codes[0] == "intake.before_first_sheet" and codes[7] == "coversheet.bad_mac"
    covered = [n for _, (first, last), _ in rows for n in range(first, last + 1)]
    assert covered == list(range(1, 12))  # every page accounted for, once
    with folders.session() as session:
        stack = session.scalar(select(ScanStack))
        assert stack.page_count == 11 and stack.signature and stack.size == path.stat().st_size
        assert verify_stack(folders, session, stack) == (True, [])
        stack.sha256 = "0" * 64  # the catalog altered: the signature no longer vouches for it
        assert verify_stack(folders, session, stack)[1] == ["目录中的 sha256 与签名记录不符"]
        session.rollback()
        with folders.vault.open(
            stack.original_key, session.get(ObjectKey, stack.original_key).wrapped_key
        ) as stream:
            assert stream.read() == path.read_bytes()  # the stack exactly as scanned
        docs = session.scalars(select(Document).order_by(Document.id)).all()
        assert [(d.household.code, d.type_code) for d in docs] == [
            ("A-3-1201", "renovation"),
            ("B-1-0101", "contract"),
        ]
        first, second = docs
        assert (first.title, first.document_date, first.retention_class) == (
            "装修申请",
            date(2024, 3, 9),
            "D10",
        )
        assert second.confidentiality == "confidential" and second.title == "stack 第 7 页"
        for doc in docs:
            assert verify_original(folders, session, doc).ok
            with folders.vault.open(
                doc.original_key, session.get(ObjectKey, doc.original_key).wrapped_key
            ) as stream:
                part = tmp_path / f"doc-{doc.id}.pdf"
                part.write_bytes(stream.read())
            assert pdf_info(part).pages == {first.id: 2, second.id: 1}[doc.id]
        assert (
            json.loads(session.scalar(select(BatchItem.sheet).where(BatchItem.document_id == first.id)))[
                "household"
            ]
            == "A-3-1201"
        )


def test_unfiled_pages_are_filed_by_the_archivist(folders, console, tmp_path):
    key = folders.cover_sheet_key
    a = _facts(folders, "A-3-1201")
    path = make_pdf(
        _plain([content("前一", 1), content("前二", 2), sheet(a, key), content("甲", 3)]),
        tmp_path / "stack.pdf",
    )
    report = _split(folders, console, path)
    unfiled = report["documents"][0]
    assert unfiled["status"] == "unfiled" and unfiled["stack_pages"] == [1, 2]
    with folders.session() as session:
        with pytest.raises(Exception, match="没有编号为 .* 的待归档页面"):
            assign_unfiled(
                folders,
                session,
                console,
                unfiled["item"],
                household="A-3-1202",
                community=None,
                type_code="other",
                batch_id=report["batch"] + 1,
            )
        doc = assign_unfiled(
            folders,
            session,
            console,
            unfiled["item"],
            household="A-3-1202",
            community=None,
            type_code="correspondence",
            title="来函",
            batch_id=report["batch"],
        )
        assert (doc.household.code, doc.type_code, doc.title, doc.status) == (
            "A-3-1202",
            "correspondence",
            "来函",
            "queued",
        )
        with pytest.raises(Exception, match="已经归档"):
            assign_unfiled(
                folders,
                session,
                console,
                unfiled["item"],
                household="A-3-1202",
                community=None,
                type_code="correspondence",
            )
        report = intake.batch_report(session, report["batch"])
    assert report["documents"][0]["status"] == "queued" and report["documents"][0]["id"] == doc.id


def test_a_tiff_stack_is_split_into_tiffs(folders, console, tmp_path):
    key = folders.cover_sheet_key
    a, b = _facts(folders, "A-3-1201"), _facts(folders, "A-3-1202")
    pages = [
        sheet(a, key),
        blank(1),
        content("甲一", 2),
        content("甲二", 3),
        sheet(b, key, skew=-2.5),
        content("乙", 4),
    ]
    path = make_tiff(_plain(pages), tmp_path / "stack.tif")
    report = _split(folders, console, path)
    assert [d["status"] for d in report["documents"]] == [
        "separator",
        "blank",
        "queued",
        "separator",
        "queued",
    ]
    with folders.session() as session:
        docs = session.scalars(select(Document).order_by(Document.id)).all()
        assert [d.media_type for d in docs] == ["image/tiff", "image/tiff"]
        sizes = []
        for doc in docs:
            with folders.vault.open(
                doc.original_key, session.get(ObjectKey, doc.original_key).wrapped_key
            ) as s:
                part = tmp_path / f"doc-{doc.id}.tif"
                part.write_bytes(s.read())
            with Image.open(part) as image:
                sizes.append(image.n_frames)
                assert round(image.info["dpi"][0]) == 300
        assert sizes == [2, 1]


def test_the_same_stack_twice_is_a_duplicate(folders, console, tmp_path):
    a = _facts(folders, "A-3-1201")
    path = make_pdf(_plain([sheet(a, folders.cover_sheet_key), content("甲", 1)]), tmp_path / "stack.pdf")
    _split(folders, console, path)
    again = _split(folders, console, path)
    assert [d["status"] for d in again["documents"]] == ["duplicate"]


def test_only_archivists_and_admins_print_and_split(folders, tmp_path):
    from dossier.errors import PermissionDenied

    staff = Actor(user_id=None, username="clerk", role="staff", channel="cli")
    with folders.session() as session:
        households = cs.select_households(session, codes=["A-3-1201"])
        with pytest.raises(PermissionDenied):
            cs.sheets_pdf(folders, session, staff, households, cs.SheetOptions())
        with pytest.raises(PermissionDenied):
            intake.intake(folders, session, staff, [intake.FileSpec(path=tmp_path, name="x", split=True)])
        with pytest.raises(PermissionDenied):
            assign_unfiled(
                folders, session, staff, 1, household="A-3-1201", community=None, type_code="other"
            )


# --- command line ------------------------------------------------------------------------------


def _clean_error(result, fragment: str, code: int) -> None:
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == code and result.stdout == ""
    assert len(lines) == 1 and lines[0].startswith("dossier：错误：") and fragment in lines[0], result.stderr


def test_cli_prints_sheets_and_splits_a_stack(folders, run_cli, tmp_path):
    codes = tmp_path / "codes.txt"
    codes.write_text("# 3 号楼\nA-3-1201\n\nB-1-0101\n", encoding="utf-8")
    out = tmp_path / "sheets.pdf"
    result = run_cli(
        "coversheet", "--households-file", str(codes), "--type", "repair", "-o", str(out), "--json"
    )
    assert result.exit_code == 0, result.stderr
    assert result.json() == {"output": str(out), "sheets": 2, "households": ["A-3-1201", "B-1-0101"]}
    assert pdf_info(out).pages == 2
    assert run_cli("coversheet", "--building", "A", "--floor", "3", "-o", str(out)).exit_code == 0
    assert pdf_info(out).pages == 2

    # The printed sheets, "scanned" (rendered by poppler) with a page after each.
    pages = [
        Image.open(p.path).convert("L") for p in iter_pages(out, detect(out), dpi=300, workdir=tmp_path / "r")
    ]
    stack = make_pdf(_plain([pages[0], content("甲", 1), pages[1], content("乙", 2)]), tmp_path / "stack.pdf")
    result = run_cli("ingest", str(stack), "--split", "--json")
    assert result.exit_code == 0, result.stderr
    statuses = [
        (d["status"], d["sheet"]["household"] if d["sheet"] else None) for d in result.json()["documents"]
    ]
    assert statuses == [
        ("separator", "A-3-1201"),
        ("queued", "A-3-1201"),
        ("separator", "A-3-1202"),
        ("queued", "A-3-1202"),
    ]
    human = run_cli("batch", "show", str(result.json()["batch"]))
    assert "封面页" in human.stdout and "→ A-3-1201 other" in human.stdout


def test_cli_unfiled_pages_exit_9_and_are_assigned(folders, run_cli, tmp_path):
    stack = make_pdf(
        _plain(
            [content("前", 1), sheet(_facts(folders, "A-3-1201"), folders.cover_sheet_key), content("甲", 2)]
        ),
        tmp_path / "stack.pdf",
    )
    result = run_cli("ingest", str(stack), "--split", "--json")
    assert result.exit_code == 9
    unfiled = result.json()["documents"][0]
    assert unfiled["status"] == "unfiled"
    _clean_error(run_cli("batch", "assign", str(unfiled["item"]), "--household", "A-3-1201"), "--type", 2)
    assigned = run_cli(
        "batch", "assign", str(unfiled["item"]), "--household", "A-3-1201", "--type", "other", "--json"
    )
    assert assigned.exit_code == 0, assigned.stderr
    assert assigned.json()["document"] > 0


def test_cli_errors_are_one_clear_line(folders, run_cli, tmp_path):
    out = str(tmp_path / "s.pdf")
    _clean_error(run_cli("coversheet", "-o", out), "请选择业户", 2)
    _clean_error(run_cli("coversheet", "--household", "Z-9-9999", "-o", out), "没有户号为 Z-9-9999 的业户", 3)
    _clean_error(
        run_cli("coversheet", "--household", "A-3-1201", "--type", "nope", "-o", out),
        "没有代码为“nope”的文件类型",
        2,
    )
    _clean_error(
        run_cli("coversheet", "--household", "A-3-1201", "--date", "soon", "-o", out), "日期格式应为", 2
    )
    _clean_error(
        run_cli("coversheet", "--household", "A-3-1201", "-o", str(tmp_path / "no" / "s.pdf")),
        "无法写入",
        2,
    )
    _clean_error(
        run_cli("coversheet", "--households-file", str(tmp_path / "none.txt"), "-o", out), "无法读取", 2
    )
    _clean_error(run_cli("ingest", "x.pdf", "--split", "--household", "A-3-1201"), "由封面说明", 2)
    _clean_error(
        run_cli("batch", "assign", "999", "--household", "A-3-1201", "--type", "other"), "待归档页面", 2
    )
    assert not Path(out).exists()
    png = tmp_path / "one.png"
    content("单页").save(png)
    result = run_cli("ingest", str(png), "--split", "--json")
    assert result.exit_code == 9 and "单张图片" in result.json()["documents"][0]["error"]


def test_cli_role_checks(folders, run_cli, tmp_path):
    assert run_cli("user", "add", "clerk", "--role", "staff", "--password", "clerk-password-1").exit_code == 0
    out = str(tmp_path / "s.pdf")
    _clean_error(run_cli("--as", "clerk", "coversheet", "--household", "A-3-1201", "-o", out), "无权", 5)
    _clean_error(run_cli("--as", "clerk", "ingest", str(tmp_path), "--split"), "无权", 5)
    _clean_error(
        run_cli("--as", "clerk", "batch", "assign", "1", "--household", "A-3-1201", "--type", "other"),
        "无权",
        5,
    )
    assert (
        run_cli("user", "add", "keeper", "--role", "archivist", "--password", "keeper-password-1").exit_code
        == 0
    )
    assert run_cli("--as", "keeper", "coversheet", "--household", "A-3-1201", "-o", out).exit_code == 0


def test_split_documents_go_through_the_pipeline_without_the_sheet(folders, run_cli, tmp_path):
    """One small OCR run: the filed part is indexed, and its text is the page's, not the sheet's."""
    a = _facts(folders, "A-3-1201")
    page = render_page("装修押金收据 二〇二四年", paper="strip", dpi=150, font_pt=16)
    stack = make_pdf(
        _plain([sheet(a, folders.cover_sheet_key).reduce(2), page]), tmp_path / "stack.pdf", dpi=150
    )
    result = run_cli("ingest", str(stack), "--split", "--wait", "--processes", "1", "--json")
    assert result.exit_code == 0, result.stderr
    [filed] = [d for d in result.json()["documents"] if d["id"]]
    assert (filed["status"], filed["pages"]) == ("indexed", 1)
    shown = run_cli("doc", "show", str(filed["id"]), "--json").json()
    text = "".join(shown["pages"][0]["text"].split())
    assert "押金" in text and "档案封面" not in text
