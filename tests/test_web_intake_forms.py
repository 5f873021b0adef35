"""Forgiving intake on the web (Flask's test client; no OCR): the check before an upload is sent,
the upload the page's script sends (answered in JSON), the manifest templates, Chinese names in
a web manifest, batch rows linking to their documents, and unfiled stack pages with previews.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from PIL import Image
from sqlalchemy import select

from dossier.archive import Archive
from dossier.models import AccessEvent, BatchItem
from tests.test_web_intake import (
    HOUSEHOLD,
    batch_documents,
    batch_id_of,
    batch_items,
    counts,
    file,
    reason_zh,
    scans,  # noqa: F401 - fixture
    text,
    uploads_left,
)

XHR = {"X-Requested-With": "XMLHttpRequest", "Accept": "application/json"}


@pytest.fixture
def archivist(web_client, web_login):
    web_login(web_client, "archivist")
    return web_client


# --- the check before sending -------------------------------------------------------------------


def test_the_check_accepts_a_household_and_type(archivist):
    response = archivist.get(f"/intake/check?household={HOUSEHOLD}&community=阳光花园&type_code=renovation")
    assert response.status_code == 200
    assert response.json == {"ok": True, "household": "A-1-1201（阳光花园）", "type_name": "装修档案"}
    assert archivist.get(f"/intake/check?household={HOUSEHOLD}&type_code=购房合同").json["ok"] is True


def test_the_check_says_why_in_chinese(archivist):
    answer = archivist.get("/intake/check?household=Z-9-9999&document_date=2024-13-01").json
    assert answer["ok"] is False
    assert answer["fields"] == {
        "household": "档案中没有户号 Z-9-9999，请核对户号，或先建立业户档案。",
        "type_code": "请选择文件类型。",
        "document_date": answer["fields"]["document_date"],
    }
    assert answer["fields"]["document_date"] == "文件日期：没有这一天：2024-13-01"
    assert answer["error"].startswith("档案中没有户号 Z-9-9999")
    answer = archivist.get(f"/intake/check?household={HOUSEHOLD}&type_code=房产证明").json
    assert answer["fields"] == {"type_code": answer["fields"]["type_code"]}
    assert "没有名为“房产证明”的文件类型" in answer["error"]


@pytest.mark.parametrize("username", ["staff", "officer", "auditor"])
def test_the_check_needs_manage_records(web_client, web_login, username):
    web_login(web_client, username)
    assert web_client.get(f"/intake/check?household={HOUSEHOLD}&type_code=photo").status_code == 403
    assert web_client.get("/intake/manifest-template.csv").status_code == 403


def test_the_check_needs_sign_in(web_client):
    response = web_client.get(f"/intake/check?household={HOUSEHOLD}")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")


# --- the upload the page's script sends ------------------------------------------------------------


def test_a_scripted_upload_answers_where_to_go(archivist, web_archive, scans):  # noqa: F811
    response = archivist.post(
        "/intake",
        data={"household": HOUSEHOLD, "type_code": "photo", "files": [file(scans["scan0"], "a.png")]},
        content_type="multipart/form-data",
        headers=XHR,
    )
    assert response.status_code == 200
    target = response.json["redirect"]
    assert response.json["ok"] is True and re.fullmatch(r"/intake/batches/\d+", target)
    # The outcome is flashed for the page the script goes to, not consumed by this answer.
    assert "收到 1 个文件，1 个已入库待识别" in text(archivist.get(target))


def test_a_scripted_upload_refused_answers_why_and_creates_nothing(archivist, web_archive, scans):  # noqa: F811
    before = counts(web_archive)
    response = archivist.post(
        "/intake",
        data={"household": "Z-9-9999", "type_code": "photo", "files": [file(scans["scan0"], "a.png")]},
        content_type="multipart/form-data",
        headers=XHR,
    )
    assert response.status_code == 400 and response.mimetype == "application/json"
    assert response.json["ok"] is False
    assert response.json["fields"] == {"household": "档案中没有户号 Z-9-9999，请核对户号，或先建立业户档案。"}
    assert response.json["error"] == "请修改标出的项目后再上传。"
    response = archivist.post(
        "/intake",
        data={"files": [file(scans["scan0"], "a.png")], "manifest": file(b"name,where\nx,y\n", "bad.csv")},
        content_type="multipart/form-data",
        headers=XHR,
    )
    assert response.status_code == 400 and "缺少列" in response.json["error"]
    assert counts(web_archive) == before and uploads_left(web_archive) == []
    # Nothing flashed is left over for the next page.
    assert "lacks the column" not in text(archivist.get("/intake"))


# --- manifest templates and Chinese names ----------------------------------------------------------


def test_the_csv_template(archivist):
    response = archivist.get("/intake/manifest-template.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert (
        "%E6%89%B9%E9%87%8F%E6%B8%85%E5%8D%95%E6%A8%A1%E6%9D%BF.csv"
        in response.headers["Content-Disposition"]
    )
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["文件", "户号", "小区", "类型", "标题", "日期", "保密", "保管期限"]
    assert rows[1][:4] == ["购房合同.pdf", "A-1-1201", "", "购房合同"]


def test_the_xlsx_template(archivist):
    from openpyxl import load_workbook

    response = archivist.get("/intake/manifest-template.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(io.BytesIO(response.data))
    sheet = book["批量清单"]
    rows = [[c if c is not None else "" for c in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["文件", "户号", "小区", "类型", "标题", "日期", "保密", "保管期限"]
    assert rows[1][3] == "购房合同" and rows[2][7] == "定期10年"
    values = [row for row in book["可填写的值"].iter_rows(values_only=True)]
    assert values[0][:2] == ("文件类型", "类型代码")
    assert ("购房合同", "contract") in [row[:2] for row in values]
    assert ("定期10年", "D10") in [row[3:5] for row in values]


def test_the_upload_page_offers_the_templates_and_the_check(archivist):
    body = text(archivist.get("/intake"))
    assert 'href="/intake/manifest-template.xlsx"' in body and 'href="/intake/manifest-template.csv"' in body
    assert 'data-check-url="/intake/check"' in body
    assert 'id="upload-progress"' in body and 'id="intake-error"' in body


def test_a_web_manifest_in_excel_with_chinese_names(archivist, web_archive, scans):  # noqa: F811
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["文件", "户号", "类型", "保管期限"])
    book.active.append(["a.png", "A-1-1201", "购房合同", "永久"])
    book.active.append(["b.png", "A-1-0101", "钥匙领用", "定期10年"])
    book.active.append(["c.png", "A-1-0101", "房产证明", ""])
    out = io.BytesIO()
    book.save(out)
    response = archivist.post(
        "/intake",
        data={
            "files": [
                file(scans["scan0"], "a.png"),
                file(scans["scan1"], "b.png"),
                file(scans["scan2"], "c.png"),
            ],
            "manifest": file(out.getvalue(), "清单.xlsx"),
        },
        content_type="multipart/form-data",
    )
    batch_id = batch_id_of(response)
    docs = batch_documents(web_archive, batch_id)
    assert [(d.original_name, d.type_code, d.retention_class) for d in docs] == [
        ("a.png", "contract", "Y"),
        ("b.png", "keys", "D10"),
    ]
    [refused] = [i for i in batch_items(web_archive, batch_id) if i.outcome == "rejected"]
    assert refused.file_name == "c.png" and "没有名为“房产证明”的文件类型" in reason_zh(refused)
    assert "没有名为“房产证明”的文件类型" in text(archivist.get(f"/intake/batches/{batch_id}"))


# --- the batch page ----------------------------------------------------------------------------------


def test_batch_rows_link_to_their_documents(archivist, web_archive, scans):  # noqa: F811
    data = {"household": HOUSEHOLD, "type_code": "photo"}
    first = batch_id_of(
        archivist.post(
            "/intake",
            data={**data, "files": [file(scans["scan0"], "a.png"), file(scans["scan1"], "b.png")]},
            content_type="multipart/form-data",
        )
    )
    ids = [d.id for d in batch_documents(web_archive, first)]
    body = text(archivist.get(f"/intake/batches/{first}"))
    for doc_id, name in zip(ids, ("a.png", "b.png"), strict=True):
        assert f'<a href="/documents/{doc_id}" data-role="document-link">{name}</a>' in body
        assert f'href="/documents/{doc_id}" title="打开文件 #{doc_id}">#{doc_id}</a>' in body
    # A duplicate links to the document that already holds its content; a refused file links nowhere.
    second = batch_id_of(
        archivist.post(
            "/intake",
            data={**data, "files": [file(scans["scan0"], "again.png"), file(b"<html>", "x.pdf")]},
            content_type="multipart/form-data",
        )
    )
    body = text(archivist.get(f"/intake/batches/{second}"))
    assert f'档案中已有相同内容的文件（<a class="mono" href="/documents/{ids[0]}">#{ids[0]}</a>）' in body
    assert body.count('data-role="document-link"') == 0


def test_unfiled_pages_are_shown_with_previews_and_no_type_chosen(archivist, web_archive, tmp_path):
    from tests.test_web_coversheets import _stack

    batch_id = batch_id_of(
        archivist.post(
            "/intake",
            data={"split": "y", "files": [(io.BytesIO(_stack(web_archive, tmp_path)), "stack.pdf")]},
            content_type="multipart/form-data",
        )
    )
    [unfiled] = [i for i in batch_items(web_archive, batch_id) if i.outcome == "unfiled"]
    body = text(archivist.get(f"/intake/batches/{batch_id}"))
    src = f"/intake/batches/{batch_id}/items/{unfiled.id}/pages/1.png"
    assert f'<img src="{src}" alt="扫描件第 1 页" loading="lazy">' in body
    # The type starts empty ("请选择文件类型"), not at the first type (购房合同, kept permanently).
    form = body[body.index(f'id="assign-{unfiled.id}-type_code"') :]
    form = form[: form.index("</select>")]
    assert re.search(r'<option selected value="">请选择文件类型</option>', form), form[:300]
    assert 'selected value="contract"' not in form

    response = archivist.get(src)
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.headers["Cache-Control"] == "private, no-store"
    with Image.open(io.BytesIO(response.data)) as image:
        assert image.format == "PNG" and max(image.size) <= 900 and min(image.size) > 50
    with Archive(web_archive.settings).session() as session:
        [event] = session.scalars(select(AccessEvent).where(AccessEvent.action == "stack.view")).all()
        assert event.username == "archivist" and event.detail.endswith("第 1 页")
        separator = session.scalar(
            select(BatchItem).where(BatchItem.batch_id == batch_id, BatchItem.outcome == "separator")
        )
    # Only pages of an unfiled part, of this batch, within the part.
    assert archivist.get(f"/intake/batches/{batch_id}/items/{unfiled.id}/pages/2.png").status_code == 404
    assert archivist.get(f"/intake/batches/{batch_id}/items/{separator.id}/pages/2.png").status_code == 404
    assert archivist.get(f"/intake/batches/{batch_id + 1}/items/{unfiled.id}/pages/1.png").status_code == 404
    # Filed, its pages are a document: the preview is gone from the batch.
    response = archivist.post(
        f"/intake/batches/{batch_id}/items/{unfiled.id}/assign",
        data={"household": "A-1-0101", "type_code": "correspondence"},
    )
    assert response.status_code == 302
    assert archivist.get(src).status_code == 404


@pytest.mark.parametrize("username", ["staff", "officer", "auditor"])
def test_unfiled_previews_need_manage_records(web_client, web_login, username):
    web_login(web_client, username)
    assert web_client.get("/intake/batches/1/items/1/pages/1.png").status_code == 403
