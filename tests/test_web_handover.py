"""移交与接收 on the web (issue 18): an administrator hands a household over as a background job
and downloads the package as a stored ZIP; the ZIP is received into a second archive (the
checks, then the filing) with its report; a package with one byte changed is refused with each
finding named; a ZIP that could write outside its folder is refused in Chinese; everyone but an
administrator gets 403.
"""

from __future__ import annotations

import io
import shutil
import stat
import warnings
import zipfile
from datetime import date
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from sqlalchemy import func, select

from dossier.actor import Actor
from dossier.archive import Archive
from dossier.models import (
    AccessAction,
    AccessEvent,
    Document,
    DocumentStatus,
    Handover,
    Job,
    JobStatus,
    ObjectKey,
    Page,
)
from handover.transport import Limits, check_zip, unpack
from tests.jobs_helpers import run_queued
from tests.web_fixtures import WebArchive, _dispose, web_settings

HOUSEHOLD = "H-9-0909"
COMMUNITY = "翠湖苑"


# --- an archive with a household of real originals ---------------------------------------------


def scan_pdf(words: str) -> bytes:
    """A one-page scanned PDF (Pillow's writer), as a flatbed would give."""
    image = Image.new("L", (620, 877), 255)
    draw = ImageDraw.Draw(image)
    for line in range(12):
        draw.rectangle((60, 80 + line * 50, 560 - (line % 3) * 60, 96 + line * 50), fill=30)
    draw.text((60, 40), words, fill=0)
    out = io.BytesIO()
    image.save(out, "PDF", resolution=75.0)
    return out.getvalue()


def store_real_document(archive: Archive, household: str, title: str, text: str) -> int:
    """A stored original (encrypted, signed) that opens and renders, with its page text."""
    from dossier.services import history
    from dossier.services.documents import NewDocument, store_original
    from dossier.services.households import get_household
    from search.hooks import document_changed

    with archive.session() as session:
        new = NewDocument(
            household=get_household(session, household),
            type_code="contract",
            title=title,
            media_type="application/pdf",
            original_name=f"{title}.pdf",
            document_date=date(2023, 5, 18),
        )
        doc = store_original(archive, session, Actor.console(), new, io.BytesIO(scan_pdf(title)))
        doc = session.get(Document, doc.id)
        key = f"derivatives/{doc.id}/0/preview-000001.webp"
        stored = archive.vault.put(key, io.BytesIO(b"RIFF preview"))
        session.add(
            ObjectKey(object_key=key, wrapped_key=stored.wrapped_key, master_key_id=stored.master_key_id)
        )
        session.add(Page(document_id=doc.id, number=1, text=text, source="ocr", preview_key=key))
        doc.page_count = 1
        doc.status = DocumentStatus.INDEXED.value
        history.append(session, doc, history.PROCESSED, actor=None)
        document_id = doc.id
    document_changed(archive, document_id)
    return document_id


@pytest.fixture
def sender(web_archive: WebArchive) -> WebArchive:
    """The web archive with one more household (in its own community) holding two real originals."""
    from dossier.services.households import add_household

    archive = Archive(web_archive.settings)
    with archive.session() as session:
        add_household(session, Actor.console(), archive.fields, HOUSEHOLD, community=COMMUNITY, owner="赵六")
    store_real_document(archive, HOUSEHOLD, "物业服务合同", "物业服务合同 甲方 翠湖苑业主委员会")
    store_real_document(archive, HOUSEHOLD, "装修申请表", "装修申请表 防水 吊顶")
    return web_archive


@pytest.fixture
def receiver(web_archive_template: WebArchive, tmp_path: Path):
    """A second archive (a fresh copy of the prepared one: its own keys, users and catalog)."""
    home = tmp_path / "receiver"
    shutil.copytree(web_archive_template.settings.home, home)
    settings = web_settings(home)
    yield settings
    _dispose(settings)


def client_of(settings, login, username: str = "admin"):
    from webapp import create_app

    app = create_app(settings, testing=True)
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def text(response) -> str:
    return response.get_data(as_text=True)


def last_job(settings) -> Job:
    with Archive(settings).session() as session:
        job = session.scalars(select(Job).order_by(Job.id.desc()).limit(1)).one()
        session.expunge(job)
        return job


def export_household(client, settings) -> tuple[int, bytes]:
    """Export ``HOUSEHOLD`` through the form, run the job, download the ZIP: (handover id, zip)."""
    response = client.post("/handover/export", data={"households": HOUSEHOLD, "community": ""})
    assert response.status_code == 302, text(response)
    waiting = text(client.get("/handover"))  # left and reopened: the job's card is there
    assert 'data-job-status="queued"' in waiting and "档案移交" in waiting
    assert run_queued(settings) == 1
    job = last_job(settings)
    assert job.status == JobStatus.DONE, job.message
    handover_id = int(job.result)
    download = client.get(f"/handover/{handover_id}/package.zip")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    return handover_id, download.get_data()


def upload(client, data: bytes, name: str = "移交包.zip", sender_key: str = ""):
    return client.post(
        "/handover/import",
        data={"package": (io.BytesIO(data), name), "sender_key": sender_key},
        content_type="multipart/form-data",
    )


def flip_a_byte_of_an_original(data: bytes) -> bytes:
    """The same ZIP with one byte of the first original changed."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    flipped = False
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as target:
        for info in source.infolist():
            body = source.read(info)
            if not flipped and "/original." in info.filename:
                body = body[:200] + bytes([body[200] ^ 0xFF]) + body[201:]
                flipped = True
            target.writestr(info, body)
    assert flipped
    return out.getvalue()


# --- who may ------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["archivist", "staff", "officer", "auditor"])
def test_only_administrators_reach_the_handover_pages(web_client, web_login, username):
    web_login(web_client, username)
    assert web_client.get("/handover").status_code == 403
    assert web_client.post("/handover/export", data={"everything": "y"}).status_code == 403
    assert upload(web_client, b"PK").status_code == 403
    assert web_client.get("/handover/1").status_code == 403
    assert web_client.get("/handover/1/package.zip").status_code == 403
    assert "移交接收" not in text(web_client.get("/"))


def test_the_admin_finds_the_page_from_the_home_page_and_the_admin_page(web_client, web_login):
    web_login(web_client, "admin")
    home = text(web_client.get("/"))
    assert 'href="/handover"' in home and "移交接收" in home
    assert 'id="handover-admin-link"' in text(web_client.get("/admin"))
    page = web_client.get("/handover")
    assert page.status_code == 200
    body = text(page)
    for words in ("移交与接收", "生成移交包", "上传并接收", "尚无移交或接收记录", "阳光花园"):
        assert words in body, words
    assert 'data-confirm="confirm-export"' in body  # asked before it runs


# --- 移交 ---------------------------------------------------------------------------------------


def test_an_admin_exports_a_household_and_downloads_a_stored_zip(sender, web_login):
    client = client_of(sender.settings, web_login)
    handover_id, data = export_household(client, sender.settings)
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = archive.namelist()
    assert all(info.compress_type == zipfile.ZIP_STORED for info in archive.infolist())
    top = names[0].split("/")[0]
    assert f"{top}/package.json" in names and f"{top}/package.sig" in names
    assert f"{top}/移交接收登记表.pdf" in names
    assert sum(1 for n in names if "/original." in n) == 2
    assert archive.testzip() is None
    # The page lists it, with the register and the package to download.
    body = text(client.get("/handover"))
    assert f"/handover/{handover_id}/register.pdf" in body and f"/handover/{handover_id}/package.zip" in body
    assert "已生成" in body and HOUSEHOLD in body
    pdf = client.get(f"/handover/{handover_id}/register.pdf")
    assert pdf.status_code == 200 and pdf.get_data().startswith(b"%PDF")
    xlsx = client.get(f"/handover/{handover_id}/register.xlsx")
    assert xlsx.status_code == 200 and xlsx.get_data().startswith(b"PK")
    assert "filename*=UTF-8''" in pdf.headers["Content-Disposition"]
    # Where it lives: $DOSSIER_HOME/handovers/<package_id>/
    with Archive(sender.settings).session() as session:
        row = session.get(Handover, handover_id)
        assert (sender.settings.home / "handovers" / row.package_id / "package.json").is_file()
    show = text(client.get(f"/handover/{handover_id}"))
    assert "移交记录" in show and "下载移交包 ZIP" in show
    with Archive(sender.settings).session() as session:
        details = session.scalars(
            select(AccessEvent.detail).where(AccessEvent.action == AccessAction.HANDOVER_EXPORT)
        ).all()
    assert any(d and "下载移交包" in d for d in details)  # the download is in the access log


def test_the_export_form_refuses_a_bad_scope_in_chinese(sender, web_login):
    client = client_of(sender.settings, web_login)
    nothing = client.post("/handover/export", data={"households": "", "community": ""})
    assert nothing.status_code == 400 and "请选择且只选择一种移交范围" in text(nothing)
    both = client.post("/handover/export", data={"households": HOUSEHOLD, "everything": "y"})
    assert both.status_code == 400 and "只选择一种" in text(both)
    unknown = client.post("/handover/export", data={"households": "Z-9-9999"})
    assert unknown.status_code == 404 and "Z-9-9999" in text(unknown)
    with Archive(sender.settings).session() as session:
        assert session.scalar(select(func.count(Job.id))) == 0  # nothing queued


# --- 接收 ---------------------------------------------------------------------------------------


def test_the_zip_is_received_into_a_second_archive_with_its_report(sender, receiver, web_login):
    _id, data = export_household(client_of(sender.settings, web_login), sender.settings)
    client = client_of(receiver, web_login)
    response = upload(client, data)
    assert response.status_code == 302, text(response)
    assert run_queued(receiver) == 1
    job = last_job(receiver)
    assert job.status == JobStatus.DONE, job.message
    report = text(client.get(f"/handover/{job.result}"))
    assert "已接收" in report and "真实性" in report and "未通过" not in report
    with Archive(receiver).session() as session:
        received = session.scalars(
            select(Document).join(Document.household).where(Document.title == "物业服务合同")
        )
        assert len(list(received)) == 1
        assert not list((receiver.home / "handovers" / "incoming").iterdir())  # the upload is gone
    body = text(client.get("/handover"))
    assert "接收" in body and "已接收" in body
    pdf = client.get(f"/handover/{job.result}/register.pdf")
    assert pdf.status_code == 200 and pdf.get_data().startswith(b"%PDF")


def test_a_package_with_one_byte_changed_is_refused_with_its_findings(sender, receiver, web_login):
    _id, data = export_household(client_of(sender.settings, web_login), sender.settings)
    client = client_of(receiver, web_login)
    assert upload(client, flip_a_byte_of_an_original(data)).status_code == 302
    run_queued(receiver)
    job = last_job(receiver)
    assert job.status == JobStatus.FAILED and "拒收" in (job.message or "")
    card = text(client.get("/handover"))
    assert "拒收" in card
    report = text(client.get(f"/handover/{job.result}"))
    assert "拒收" in report and "未通过" in report and "问题清单" in report
    assert "真实性" in report
    Path("/tmp/dossier-shots").mkdir(parents=True, exist_ok=True)
    Path("/tmp/dossier-shots/handover-refused.html").write_text(report)
    with Archive(receiver).session() as session:
        assert session.scalar(select(func.count(Document.id)).where(Document.title == "物业服务合同")) == 0


def test_a_fingerprint_that_is_not_the_senders_refuses_the_package(sender, receiver, web_login):
    _id, data = export_household(client_of(sender.settings, web_login), sender.settings)
    client = client_of(receiver, web_login)
    bad = upload(client, data, sender_key="12 34")
    assert bad.status_code == 400 and "不是签名公钥指纹" in text(bad)
    assert upload(client, data, sender_key="0123456789abcdef").status_code == 302
    run_queued(receiver)
    job = last_job(receiver)
    assert job.status == JobStatus.FAILED and "拒收" in (job.message or "")
    report = text(client.get(f"/handover/{job.result}"))
    assert "移交方提供的指纹是 0123456789abcdef" in report

    fingerprint = Archive(sender.settings).signer.fingerprint
    assert upload(client, data, sender_key=fingerprint.upper()).status_code == 302
    run_queued(receiver)
    job = last_job(receiver)
    assert job.status == JobStatus.DONE, job.message
    report = text(client.get(f"/handover/{job.result}"))
    assert f"签名公钥指纹 {fingerprint} 与移交方提供的一致" in report


def zip_of(entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    out = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(out, "w") as archive:
        warnings.simplefilter("ignore", UserWarning)  # a duplicate name is what some tests want
        for info, body in entries:
            archive.writestr(info, body)
    return out.getvalue()


def link_entry(name: str, target: str) -> tuple[zipfile.ZipInfo, bytes]:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, target.encode()


@pytest.mark.parametrize(
    "data, words",
    [
        (b"this is not a zip file", "不是有效的 ZIP 压缩包"),
        (zip_of([("../../etc/cron.d/evil", b"x")]), "路径不安全"),
        (zip_of([("/etc/passwd", b"x")]), "路径不安全"),
        (zip_of([("pkg\\..\\evil", b"x")]), "路径不安全"),
        (zip_of([link_entry("pkg/package.json", "/etc/passwd")]), "符号链接"),
        (zip_of([("a.txt", b"1"), ("a.txt", b"2")]), "重复出现"),
        (zip_of([]), "压缩包是空的"),
    ],
    ids=["not-zip", "dotdot", "absolute", "backslash", "symlink", "duplicate", "empty"],
)
def test_a_bad_zip_is_refused_with_a_chinese_sentence(web_client, web_login, web_archive, data, words):
    web_login(web_client, "admin")
    response = upload(web_client, data)
    assert response.status_code == 400
    body = text(response)
    assert words in body and "Traceback" not in body
    assert 'id="import-error"' in body
    with Archive(web_archive.settings).session() as session:
        assert session.scalar(select(func.count(Job.id))) == 0
    assert not any((web_archive.settings.home / "uploads").iterdir())


def test_an_upload_without_a_file_is_refused(web_client, web_login):
    web_login(web_client, "admin")
    response = web_client.post("/handover/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 400 and "请选择要接收的移交包" in text(response)


def test_too_many_entries_or_bytes_are_refused_before_anything_is_written(tmp_path):
    many = tmp_path / "many.zip"
    many.write_bytes(zip_of([(f"f{i}", b"x") for i in range(6)]))
    with pytest.raises(Exception) as caught:
        check_zip(many, Limits(max_entries=5))
    assert "超过 5 个的上限" in caught.value.render("zh")
    big = tmp_path / "big.zip"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("package.json", b"\0" * (3 * 1024 * 1024))  # compresses to a few KiB
    big.write_bytes(out.getvalue())
    with pytest.raises(Exception) as caught:
        check_zip(big, Limits(max_bytes=1024 * 1024))
    assert "解开后超过" in caught.value.render("zh")
    dest = tmp_path / "dest"
    dest.mkdir()
    with pytest.raises(Exception):
        unpack(big, dest, Limits(max_bytes=1024 * 1024))
    assert not any(dest.iterdir())


def test_a_lying_zip_directory_cannot_unpack_more_than_it_declares(tmp_path):
    path = tmp_path / "lying.zip"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("pkg/package.json", b"A" * 4096)
    data = bytearray(out.getvalue())
    # Declare 16 bytes in the central directory (the local header keeps 4096).
    central = data.rfind(b"PK\x01\x02")
    data[central + 24 : central + 28] = (16).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    dest = tmp_path / "dest"
    dest.mkdir()
    with pytest.raises(Exception) as caught:
        unpack(path, dest, Limits(max_bytes=1024))
    assert "ZIP" in caught.value.render("zh") or "超过" in caught.value.render("zh")


def test_a_package_in_one_top_folder_or_at_the_root_is_found(tmp_path):
    for name, entries in {
        "top": [("handover-x/package.json", b"{}"), ("handover-x/households/a.txt", b"1")],
        "root": [("package.json", b"{}")],
    }.items():
        path = tmp_path / f"{name}.zip"
        path.write_bytes(zip_of(entries))
        dest = tmp_path / name
        dest.mkdir()
        root = unpack(path, dest, Limits())
        assert (root / "package.json").read_bytes() == b"{}"
        assert all(p.stat().st_mode & 0o077 == 0 for p in root.rglob("*") if p.is_file())


def test_the_forms_need_their_csrf_token(web_csrf_client, web_login, web_archive):
    web_login(web_csrf_client, "admin")
    page = text(web_csrf_client.get("/handover"))
    assert page.count('name="csrf_token"') >= 2  # the export and the import form
    assert web_csrf_client.post("/handover/export", data={"everything": "y"}).status_code == 400
    assert upload(web_csrf_client, b"PK").status_code == 400
    with Archive(web_archive.settings).session() as session:
        assert session.scalar(select(func.count(Job.id))) == 0
