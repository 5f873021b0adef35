"""The intake pages through Flask's test client: upload, manifests, refusals, batches, progress.

Nothing processes the queue here: documents stay queued (tests/test_pipeline.py runs OCR).
"""

from __future__ import annotations

import dataclasses
import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dossier.archive import Archive
from dossier.catalog import text as text_of
from dossier.models import Batch, BatchItem, Document, ObjectKey
from ingest import reasons
from tests.synthetic import render_page, save_page
from tests.web_fixtures import web_csrf_token

HOUSEHOLD = "A-1-1201"


def text(response) -> str:
    return response.get_data(as_text=True)


def squash(html: str) -> str:
    return re.sub(r"\s+", " ", html)


@pytest.fixture(scope="module")
def scans(tmp_path_factory) -> dict[str, bytes]:
    """Small PNG scans (distinct content, so none is a duplicate of another)."""
    folder = tmp_path_factory.mktemp("scans")
    out = {}
    for index, words in enumerate(("装修申请 A-1-1201", "缴费记录 2024", "入住登记表", "钥匙领用单")):
        path = save_page(render_page(words, paper="strip", dpi=100), folder / f"{index}.png", dpi=100)
        out[f"scan{index}"] = path.read_bytes()
    return out


def file(data: bytes, name: str):
    return (io.BytesIO(data), name)


def counts(web_archive) -> dict[str, int]:
    with Archive(web_archive.settings).session() as session:
        return {
            "batches": session.scalar(select(func.count(Batch.id))),
            "items": session.scalar(select(func.count(BatchItem.id))),
            "documents": session.scalar(select(func.count(Document.id))),
            "objects": session.scalar(select(func.count(ObjectKey.object_key))),
        }


def batch_documents(web_archive, batch_id: int) -> list[Document]:
    with Archive(web_archive.settings).session() as session:
        docs = list(
            session.scalars(select(Document).where(Document.batch_id == batch_id).order_by(Document.id))
        )
        session.expunge_all()
        return docs


def batch_items(web_archive, batch_id: int) -> list[BatchItem]:
    with Archive(web_archive.settings).session() as session:
        items = list(
            session.scalars(
                select(BatchItem).where(BatchItem.batch_id == batch_id).order_by(BatchItem.position)
            )
        )
        session.expunge_all()
        return items


def reason_zh(item: BatchItem) -> str:
    """Why a file was refused, as the batch page says it (the stored message, in Chinese)."""
    message = reasons.load(item.error)
    return message.zh if message is not None else ""


def batch_id_of(response) -> int:
    assert response.status_code == 302, text(response)[:2000]
    match = re.fullmatch(r"/intake/batches/(\d+)", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def uploads_left(web_archive) -> list[Path]:
    root = web_archive.settings.home / "uploads"
    return sorted(root.iterdir()) if root.exists() else []


@pytest.fixture
def archivist(web_client, web_login):
    web_login(web_client, "archivist")
    return web_client


# --- the upload page ---------------------------------------------------------------------------


def test_upload_page_has_the_form(archivist, web_archive):
    response = archivist.get(f"/intake?household={HOUSEHOLD}&community=阳光花园")
    assert response.status_code == 200
    body = text(response)
    assert 'enctype="multipart/form-data"' in body
    assert re.search(r'<input[^>]*id="files"[^>]*multiple', body) and 'type="file"' in body
    assert re.search(r'<input[^>]*id="folder"[^>]*webkitdirectory', body)
    assert re.search(r'<input[^>]*name="manifest"[^>]*type="file"', body)
    assert 'id="dropzone"' in body
    assert f'value="{HOUSEHOLD}"' in body and 'value="阳光花园"' in body  # prefilled from the folder link
    assert '<option value="A-1-0101">' in body  # household suggestions
    assert '<option value="contract">购房合同</option>' in body  # document types
    assert 'name="confidential"' in body and 'name="retention_class"' in body
    # No inline script or style under the CSP; the intake script comes from a static file.
    assert "<script>" not in body and " style=" not in body and "<style" not in body
    assert re.findall(r"<script[^>]*>", body) == [
        '<script src="/static/dossier.js" defer>',
        '<script src="/static/intake.js" defer>',
    ]
    ids = re.findall(r'\sid="([^"]+)"', body)
    assert len(ids) == len(set(ids))
    assert 'class="active">扫描入库' in squash(body) or re.search(r'href="/intake" class="active"', body)


def test_folder_page_links_to_upload_for_archivists_only(web_client, web_login, web_archive):
    hid = web_archive.households["A-1-0101"]
    web_login(web_client, "archivist")
    body = text(web_client.get(f"/households/{hid}"))
    assert "上传文件" in body
    assert 'href="/intake?household=A-1-0101&amp;community=%E9%98%B3%E5%85%89%E8%8A%B1%E5%9B%AD"' in body
    assert "扫描入库" in body
    web_client.post("/logout")
    web_login(web_client, "staff")
    body = text(web_client.get(f"/households/{hid}"))
    assert "上传文件" not in body and "扫描入库" not in body


# --- uploading -----------------------------------------------------------------------------------


def test_two_scans_for_a_household(archivist, web_archive, scans):
    before = counts(web_archive)
    response = archivist.post(
        "/intake",
        data={
            "household": HOUSEHOLD,
            "type_code": "renovation",
            "title": "装修申请",
            "document_date": "2024-03-05",
            "retention_class": "D30",
            "confidential": "y",
            "files": [file(scans["scan0"], "第一页.png"), file(scans["scan1"], "第二页.png")],
        },
        content_type="multipart/form-data",
    )
    batch_id = batch_id_of(response)
    after = counts(web_archive)
    assert after["batches"] == before["batches"] + 1
    assert after["documents"] == before["documents"] + 2
    assert after["objects"] == before["objects"] + 2  # both originals stored
    docs = batch_documents(web_archive, batch_id)
    assert [d.status for d in docs] == ["queued", "queued"]
    assert [d.original_name for d in docs] == ["第一页.png", "第二页.png"]
    assert {d.household_id for d in docs} == {web_archive.households[HOUSEHOLD]}
    assert all(
        d.title == "装修申请"
        and d.type_code == "renovation"
        and d.confidentiality == "confidential"
        and d.retention_class == "D30"
        and str(d.document_date) == "2024-03-05"
        for d in docs
    )
    assert all(d.signature and d.media_type == "image/png" for d in docs)
    with Archive(web_archive.settings).session() as session:
        batch = session.get(Batch, batch_id)
        assert (batch.source, batch.created_by_name) == ("web", "archivist")
    assert uploads_left(web_archive) == []  # the upload folder is gone

    page = archivist.get(response.headers["Location"])
    assert page.status_code == 200
    body = squash(text(page))
    assert f"批次 {batch_id}：收到 2 个文件，2 个已入库待识别" in body
    assert body.count('class="file-row"') == 2
    for doc in docs:
        assert f'data-doc-id="{doc.id}"' in body
    assert "第一页.png" in body and "第二页.png" in body
    assert body.count('data-role="status">排队中<') == 2
    assert f'href="/households/{web_archive.households[HOUSEHOLD]}">{HOUSEHOLD}</a>' in body
    assert body.count("<progress") == 3  # one per file and the whole
    assert 'data-final="0"' in body and f"/intake/batches/{batch_id}/progress" in body


def test_files_and_a_folder_together_skip_hidden_files(archivist, web_archive, scans):
    response = archivist.post(
        "/intake",
        data={
            "household": HOUSEHOLD,
            "type_code": "payment",
            "files": [file(scans["scan0"], "a.png")],
            "folder": [
                file(scans["scan1"], "box1/b.png"),
                file(scans["scan2"], "box1/sub/c.png"),
                file(b"junk", "box1/.DS_Store"),
                file(b"junk", "box1/.git/x.png"),
            ],
        },
        content_type="multipart/form-data",
    )
    batch_id = batch_id_of(response)
    assert [i.file_name for i in batch_items(web_archive, batch_id)] == ["a.png", "b.png", "c.png"]
    with Archive(web_archive.settings).session() as session:
        assert session.get(Batch, batch_id).label == "box1"


def test_a_manifest_maps_rows_to_uploaded_files(archivist, web_archive, scans):
    hid = web_archive.households
    manifest = (
        "文件,户号,类型,标题,日期,保密\n"
        "scan-a.png,A-1-1201,renovation,装修申请表,2024-01-02,否\n"
        "scan-b.png,A-1-0101,keys,钥匙领用,2024/2/3,是\n"
        "nowhere.png,A-1-0101,keys,没有上传,,\n"
        "scan-c.png,A-1-0101,keys,,2024-13-01,\n"
    )
    response = archivist.post(
        "/intake",
        data={
            "type_code": "",  # the form's fields are not needed with a manifest
            "files": [
                file(scans["scan0"], "scan-a.png"),
                file(scans["scan1"], "scan-b.png"),
                file(scans["scan2"], "scan-c.png"),
                file(scans["scan3"], "extra.png"),
            ],
            "manifest": file(manifest.encode("utf-8"), "清单.csv"),
        },
        content_type="multipart/form-data",
    )
    batch_id = batch_id_of(response)
    items = batch_items(web_archive, batch_id)
    assert [(i.file_name, i.outcome) for i in items] == [
        ("scan-a.png", "stored"),
        ("scan-b.png", "stored"),
        ("nowhere.png", "rejected"),
        ("scan-c.png", "rejected"),
        ("extra.png", "rejected"),
    ]
    assert "没有上传" in reason_zh(items[2])
    assert "2024-13-01" in reason_zh(items[3]) and "日期" in reason_zh(items[3])
    assert "清单中没有列出此文件" in reason_zh(items[4])
    assert reasons.load(items[4].error).code == "intake.not_in_manifest"
    docs = batch_documents(web_archive, batch_id)
    assert [
        (d.household_id, d.type_code, d.title, str(d.document_date), d.confidentiality) for d in docs
    ] == [
        (hid["A-1-1201"], "renovation", "装修申请表", "2024-01-02", "ordinary"),
        (hid["A-1-0101"], "keys", "钥匙领用", "2024-02-03", "confidential"),
    ]
    assert [d.original_name for d in docs] == ["scan-a.png", "scan-b.png"]
    with Archive(web_archive.settings).session() as session:
        assert session.get(Batch, batch_id).label == "清单.csv"
    assert uploads_left(web_archive) == []
    body = text(archivist.get(f"/intake/batches/{batch_id}"))
    assert "3 个被拒收" in body and body.count('data-role="status">已拒收<') == 3


def test_a_manifest_rows_own_class_wins_over_the_forms_class(archivist, web_archive, scans):
    manifest = "文件,户号,类型,保管期限\nown.png,A-1-1201,renovation,Y\nplain.png,A-1-1201,renovation,\n"
    response = archivist.post(
        "/intake",
        data={
            "retention_class": "D30",  # the batch's class: only for rows without their own
            "files": [file(scans["scan0"], "own.png"), file(scans["scan1"], "plain.png")],
            "manifest": file(manifest.encode("utf-8"), "清单.csv"),
        },
        content_type="multipart/form-data",
    )
    docs = batch_documents(web_archive, batch_id_of(response))
    assert [(d.original_name, d.retention_class) for d in docs] == [("own.png", "Y"), ("plain.png", "D30")]


def test_a_gbk_manifest_with_folder_paths(archivist, web_archive, scans):
    manifest = (
        "文件名,户号,类型,题名\r\n"
        "一号盒/合同.png,S-101,contract,商铺租赁合同\r\n"
        "二号盒/合同.png,S-101,contract,补充协议\r\n"
        "合同.png,S-101,contract,哪一个\r\n"
    ).encode("gbk")
    response = archivist.post(
        "/intake",
        data={
            "folder": [
                file(scans["scan0"], "扫描/一号盒/合同.png"),
                file(scans["scan1"], "扫描/二号盒/合同.png"),
            ],
            "manifest": file(manifest, "manifest.csv"),
        },
        content_type="multipart/form-data",
    )
    batch_id = batch_id_of(response)
    items = batch_items(web_archive, batch_id)
    assert [(i.file_name, i.outcome) for i in items] == [
        ("合同.png", "stored"),
        ("合同.png", "stored"),
        ("合同.png", "rejected"),
    ]
    assert "对应 2 个上传的文件" in reason_zh(items[2])
    assert [d.title for d in batch_documents(web_archive, batch_id)] == ["商铺租赁合同", "补充协议"]


def test_a_manifest_that_cannot_be_used_creates_nothing(archivist, web_archive, scans):
    before = counts(web_archive)
    response = archivist.post(
        "/intake",
        data={
            "files": [file(scans["scan0"], "a.png")],
            "manifest": file("名字,户号\na.png,A-1-1201\n".encode(), "bad.csv"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    body = text(response)
    assert "缺少列" in body
    assert counts(web_archive) == before
    assert uploads_left(web_archive) == []
    response = archivist.post(
        "/intake",
        data={
            "files": [file(scans["scan0"], "a.png")],
            "manifest": file(b"\xff\xfe\x00\x81\xff binary", "bad.csv"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400 and "既不是 UTF-8 也不是 GBK" in text(response)
    assert counts(web_archive) == before


def test_html_named_pdf_is_rejected_and_the_rest_goes_on(archivist, web_archive, scans):
    response = archivist.post(
        "/intake",
        data={
            "household": HOUSEHOLD,
            "type_code": "correspondence",
            "files": [
                file(scans["scan0"], "good.png"),
                file(b"<!DOCTYPE html><html><body>404 Not Found</body></html>", "scan.pdf"),
                file(scans["scan1"], "also-good.png"),
            ],
        },
        content_type="multipart/form-data",
    )
    batch_id = batch_id_of(response)
    items = batch_items(web_archive, batch_id)
    assert [(i.file_name, i.outcome) for i in items] == [
        ("good.png", "stored"),
        ("scan.pdf", "rejected"),
        ("also-good.png", "stored"),
    ]
    assert items[1].error and "\n" not in reason_zh(items[1])
    body = squash(text(archivist.get(f"/intake/batches/{batch_id}")))
    row = re.search(r'<tr class="file-row" data-status="rejected">.*?</tr>', body).group(0)
    assert "scan.pdf" in row and "已拒收" in row and reason_zh(items[1]).replace("'", "&#39;") in row
    assert "1 个被拒收" in body and "flash-warning" in body


def test_a_client_path_never_reaches_the_file_system(archivist, web_archive, scans):
    response = archivist.post(
        "/intake",
        data={
            "household": HOUSEHOLD,
            "type_code": "photo",
            "files": [
                file(scans["scan0"], "../../etc/passwd.png"),
                file(scans["scan1"], "..\\..\\evil.png"),
                file(scans["scan2"], "/abs/olute.png"),
            ],
        },
        content_type="multipart/form-data",
    )
    batch_id = batch_id_of(response)
    names = [d.original_name for d in batch_documents(web_archive, batch_id)]
    assert names[0] == "passwd.png" and names[2] == "olute.png"
    assert names[1].endswith("evil.png")  # werkzeug unescapes the backslashes; still one name
    assert all("/" not in n and "\\" not in n and Path(n).name == n for n in names)
    assert [i.file_name for i in batch_items(web_archive, batch_id)] == names
    home = web_archive.settings.home
    assert not (home.parent / "etc").exists() and not (home / "evil.png").exists()
    assert not Path("/abs").exists()
    assert uploads_left(web_archive) == []


def test_duplicate_upload_is_reported(archivist, web_archive, scans):
    first = batch_id_of(
        archivist.post(
            "/intake",
            data={
                "household": HOUSEHOLD,
                "type_code": "photo",
                "files": [file(scans["scan0"], "a.png")],
            },
            content_type="multipart/form-data",
        )
    )
    again = batch_id_of(
        archivist.post(
            "/intake",
            data={
                "household": HOUSEHOLD,
                "type_code": "photo",
                "files": [file(scans["scan0"], "copy.png")],
            },
            content_type="multipart/form-data",
        )
    )
    existing = batch_documents(web_archive, first)[0].id
    assert [(i.outcome, i.duplicate_of) for i in batch_items(web_archive, again)] == [("duplicate", existing)]
    body = squash(text(archivist.get(f"/intake/batches/{again}")))
    assert ">重复<" in body and f"#{existing}" in body and "1 个重复" in body
    assert 'data-final="1"' in body  # nothing to wait for


@pytest.mark.parametrize(
    "data, message",
    [
        ({"household": HOUSEHOLD, "type_code": "photo"}, "请选择要上传的扫描文件"),
        ({"type_code": "photo", "files": "scan"}, "请填写户号"),
        ({"household": HOUSEHOLD, "files": "scan"}, "请选择文件类型"),
        ({"household": "Z-9-9999", "type_code": "photo", "files": "scan"}, "档案中没有户号 Z-9-9999"),
        ({"household": HOUSEHOLD, "type_code": "castle", "files": "scan"}, "不是有效的选择"),
        (
            {"household": HOUSEHOLD, "type_code": "photo", "document_date": "2024-02-30", "files": "scan"},
            "没有这一天",
        ),
    ],
)
def test_form_mistakes_create_nothing(archivist, web_archive, scans, data, message):
    before = counts(web_archive)
    data = dict(data)
    if data.get("files") == "scan":
        data["files"] = [file(scans["scan0"], "a.png")]
    response = archivist.post("/intake", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert message in text(response)
    assert counts(web_archive) == before
    assert uploads_left(web_archive) == []
    if "household" in data:
        assert f'value="{data["household"]}"' in text(response)  # what was typed is kept


def test_empty_file_inputs_count_as_no_files(archivist, web_archive):
    before = counts(web_archive)
    response = archivist.post(
        "/intake",
        data={
            "household": HOUSEHOLD,
            "type_code": "photo",
            "files": [(io.BytesIO(b""), "")],
            "folder": [(io.BytesIO(b""), "")],
            "manifest": (io.BytesIO(b""), ""),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400 and "请选择要上传的扫描文件" in text(response)
    assert counts(web_archive) == before


def test_too_large_a_request_is_a_chinese_413(web_archive, web_login, monkeypatch, scans):
    from webapp import create_app

    app = create_app(
        dataclasses.replace(web_archive.settings, max_upload_mb=1),  # DOSSIER_MAX_UPLOAD_MB=1
        testing=True,
    )  # CSRF on: the size check comes first
    client = app.test_client()
    web_login(client, "archivist")
    before = counts(web_archive)
    response = client.post(
        "/intake",
        data={
            "household": HOUSEHOLD,
            "type_code": "photo",
            "files": [file(b"\0" * (1024 * 1024 + 1), "big.png")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    body = text(response)
    assert "提交的内容过大" in body and "1 MB" in body and "分批上传" in body
    assert counts(web_archive) == before


def test_bad_upload_limit_setting_is_refused(web_archive, monkeypatch):
    from dossier.errors import ConfigurationError
    from webapp import create_app

    monkeypatch.setenv("DOSSIER_MAX_UPLOAD_MB", "lots")
    with pytest.raises(ConfigurationError, match="DOSSIER_MAX_UPLOAD_MB"):
        create_app(testing=True)  # the settings read from the environment, at start


# --- who may --------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["staff", "officer", "auditor"])
def test_intake_routes_are_forbidden_without_manage_records(
    web_client, web_login, web_archive, username, scans
):
    web_login(web_client, username)
    before = counts(web_archive)
    for path in ("/intake", "/intake/batches", "/intake/batches/1", "/intake/batches/1/progress"):
        assert web_client.get(path).status_code == 403, path
    response = web_client.post(
        "/intake",
        data={
            "household": HOUSEHOLD,
            "type_code": "photo",
            "files": [file(scans["scan0"], "a.png")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 403
    assert counts(web_archive) == before
    assert "扫描入库" not in text(web_client.get("/"))


def test_intake_routes_need_sign_in(web_client):
    for path in ("/intake", "/intake/batches", "/intake/batches/1", "/intake/batches/1/progress"):
        response = web_client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login?next="), path


def test_admin_may_upload(web_client, web_login, web_archive, scans):
    web_login(web_client, "admin")
    batch_id = batch_id_of(
        web_client.post(
            "/intake",
            data={
                "household": HOUSEHOLD,
                "type_code": "photo",
                "files": [file(scans["scan0"], "a.png")],
            },
            content_type="multipart/form-data",
        )
    )
    assert len(batch_documents(web_archive, batch_id)) == 1


def test_upload_without_csrf_token_is_refused(web_csrf_client, web_login, web_archive, scans):
    client = web_csrf_client
    web_login(client, "archivist")
    before = counts(web_archive)
    data = {"household": HOUSEHOLD, "type_code": "photo", "files": [file(scans["scan0"], "a.png")]}
    response = client.post("/intake", data=data, content_type="multipart/form-data")
    assert response.status_code == 400 and "安全校验失败" in text(response)
    assert counts(web_archive) == before
    token = web_csrf_token(client, "/intake")
    data = {**data, "files": [file(scans["scan0"], "a.png")], "csrf_token": token}
    assert client.post("/intake", data=data, content_type="multipart/form-data").status_code == 302


# --- batches and progress -----------------------------------------------------------------------


def test_progress_json(archivist, web_archive, scans):
    batch_id = batch_id_of(
        archivist.post(
            "/intake",
            data={
                "household": HOUSEHOLD,
                "type_code": "photo",
                "files": [
                    file(scans["scan0"], "a.png"),
                    file(scans["scan1"], "b.png"),
                    file(b"not an image", "c.png"),
                ],
            },
            content_type="multipart/form-data",
        )
    )
    docs = batch_documents(web_archive, batch_id)
    response = archivist.get(f"/intake/batches/{batch_id}/progress")
    assert response.status_code == 200 and response.is_json
    assert response.headers["Cache-Control"] == "no-store"
    data = response.get_json()
    assert data == {
        "batch": batch_id,
        "final": False,
        "overall": {"documents": 2, "done": 0, "pages_done": 0, "page_count": 0, "percent": 0.0},
        "documents": {
            str(d.id): {
                "status": "queued",
                "status_name": "排队中",
                "pages_done": 0,
                "page_count": None,
                "final": False,
            }
            for d in docs
        },
    }

    # A worker reads the first (3 pages, 1 done) and finishes the second.
    with Archive(web_archive.settings).session() as session:
        first, second = (session.get(Document, d.id) for d in docs)
        first.status, first.page_count, first.pages_done = "processing", 3, 1
        second.status, second.page_count, second.pages_done = "indexed", 2, 2
    data = archivist.get(f"/intake/batches/{batch_id}/progress").get_json()
    assert data["documents"][str(docs[0].id)] == {
        "status": "processing",
        "status_name": "处理中",
        "pages_done": 1,
        "page_count": 3,
        "final": False,
    }
    assert data["documents"][str(docs[1].id)]["final"] is True
    assert data["overall"] == {"documents": 2, "done": 1, "pages_done": 3, "page_count": 5, "percent": 66.7}
    assert data["final"] is False
    body = squash(text(archivist.get(f"/intake/batches/{batch_id}")))
    assert ">处理中<" in body and "1 / 3 页" in body and ">已索引<" in body
    assert '<progress class="bar" max="3" value="1">' in body

    with Archive(web_archive.settings).session() as session:
        doc = session.get(Document, docs[0].id)
        doc.status, doc.pages_done, doc.last_error = "failed", 1, "tesseract could not read page 2"
    data = archivist.get(f"/intake/batches/{batch_id}/progress").get_json()
    assert data["final"] is True and data["overall"]["done"] == 2 and data["overall"]["percent"] == 100.0
    body = squash(text(archivist.get(f"/intake/batches/{batch_id}")))
    assert 'data-final="1"' in body and "tesseract could not read page 2" in body and "有失败" in body

    assert archivist.get("/intake/batches/99999/progress").status_code == 404
    assert archivist.get("/intake/batches/99999/progress").get_json() == {
        "code": "intake.batch_not_found",
        "error": "there is no batch 99999",
        "error_zh": "没有编号为 99999 的批次。",
    }


def test_batches_list_newest_first_with_counts(archivist, web_archive, scans):
    first = batch_id_of(
        archivist.post(
            "/intake",
            data={
                "household": HOUSEHOLD,
                "type_code": "photo",
                "files": [file(scans["scan0"], "a.png"), file(b"<html></html>", "x.pdf")],
            },
            content_type="multipart/form-data",
        )
    )
    second = batch_id_of(
        archivist.post(
            "/intake",
            data={
                "household": HOUSEHOLD,
                "type_code": "photo",
                "files": [file(scans["scan1"], "b.png"), file(scans["scan0"], "a-again.png")],
            },
            content_type="multipart/form-data",
        )
    )
    with Archive(web_archive.settings).session() as session:
        doc = session.scalar(select(Document).where(Document.batch_id == second))
        doc.status = "indexed"
    response = archivist.get("/intake/batches")
    assert response.status_code == 200
    body = squash(text(response))
    assert re.findall(r'<tr data-batch="(\d+)">', body) == [str(second), str(first)]

    def row(batch_id):
        html = re.search(rf'<tr data-batch="{batch_id}">.*?</tr>', body).group(0)
        cells = dict(re.findall(r'data-count="(\w+)">(\d+)<', html))
        return html, cells

    html, cells = row(first)
    assert cells == {"indexed": "0", "queued": "1", "duplicate": "0", "rejected": "1", "failed": "0"}
    assert "处理中" in html and "陈档案" in html and "网页上传" in html
    html, cells = row(second)
    assert cells == {"indexed": "1", "queued": "0", "duplicate": "1", "rejected": "0", "failed": "0"}
    assert "已完成" in html
    assert "共 2 个批次" in body


def test_batches_list_pages(archivist, web_archive):
    from dossier.actor import Actor
    from ingest.intake import FileSpec, intake

    archive = Archive(web_archive.settings)
    with archive.session() as session:
        for n in range(27):
            intake(
                archive,
                session,
                Actor.console(),
                [FileSpec(path=None, name=f"{n}.png", problem=text_of("intake.not_in_manifest"))],
            )
    first = text(archivist.get("/intake/batches"))
    assert len(re.findall(r"<tr data-batch=", first)) == 25 and "第 1 / 2 页" in first
    second = text(archivist.get("/intake/batches?page=2"))
    assert len(re.findall(r"<tr data-batch=", second)) == 2
    assert archivist.get("/intake/batches?page=abc").status_code == 200


def test_unknown_batch_is_a_chinese_404(archivist):
    response = archivist.get("/intake/batches/99999")
    assert response.status_code == 404 and "没有编号为 99999 的批次。" in text(response)


def test_intake_pages_have_no_inline_script_and_unique_ids(archivist, web_archive, scans):
    batch_id = batch_id_of(
        archivist.post(
            "/intake",
            data={
                "household": HOUSEHOLD,
                "type_code": "photo",
                "files": [file(scans["scan0"], "a.png")],
            },
            content_type="multipart/form-data",
        )
    )
    for path in ("/intake", "/intake/batches", f"/intake/batches/{batch_id}"):
        body = text(archivist.get(path))
        assert "<script>" not in body and "<style" not in body and " style=" not in body, path
        assert all(s.startswith('<script src="/static/') for s in re.findall(r"<script[^>]*>", body)), path
        ids = re.findall(r'\sid="([^"]+)"', body)
        assert len(ids) == len(set(ids)), (path, ids)


def test_stale_upload_folders_are_swept(archivist, web_archive, scans):
    import os
    import time

    root = web_archive.settings.home / "uploads"
    (root / "old").mkdir(parents=True)
    (root / "old" / "0001").write_bytes(b"left behind by a crash")
    (root / "recent").mkdir()
    day_ago = time.time() - 2 * 24 * 3600
    os.utime(root / "old", (day_ago, day_ago))
    batch_id_of(
        archivist.post(
            "/intake",
            data={
                "household": HOUSEHOLD,
                "type_code": "photo",
                "files": [file(scans["scan0"], "a.png")],
            },
            content_type="multipart/form-data",
        )
    )
    assert [p.name for p in uploads_left(web_archive)] == ["recent"]
