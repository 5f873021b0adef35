"""Cover sheets on the web: 打印封面 on a folder and on the households list, the intake page's
split option, and filing unfiled pages from the batch page (Flask's test client; no OCR)."""

from __future__ import annotations

import io
from urllib.parse import quote

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import select

from dossier.archive import Archive
from dossier.models import BatchItem, Document
from dossier.services import coversheets as cs
from tests.synthetic import make_pdf, render_page
from tests.test_web_intake import batch_id_of, counts, text
from tests.web_fixtures import web_csrf_token


def _stack(web_archive, tmp_path, with_stray_page: bool = True) -> bytes:
    archive = Archive(web_archive.settings)
    with archive.session() as session:
        [household] = cs.select_households(session, codes=["A-1-1201"])
        community = household.community.code
    facts = cs.SheetFacts(community, "A-1-1201", "renovation", title="装修申请")
    sheet = cs.draw_sheet(
        facts, community_name="阳光花园", archive_no="X", type_name="装修档案", key=archive.cover_sheet_key
    ).convert("L")
    pages = [render_page("前页 " * 30, seed=1)] if with_stray_page else []
    pages += [sheet, render_page("装修申请 " * 30, seed=2)]
    path = make_pdf([Image.fromarray(np.asarray(p)) for p in pages], tmp_path / "stack.pdf")
    return path.read_bytes()


@pytest.fixture
def archivist(web_client, web_login):
    web_login(web_client, "archivist")
    return web_client


def test_folder_page_prints_a_cover_sheet(archivist, web_archive):
    hid = web_archive.households["A-1-1201"]
    page = text(archivist.get(f"/households/{hid}"))
    assert "打印封面" in page and 'action="/coversheets"' in page
    response = archivist.post(
        "/coversheets",
        data={
            "household": str(hid),
            "type_code": "renovation",
            "title": "装修申请",
            "back": f"/households/{hid}",
        },
    )
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"%PDF")


def test_households_list_prints_the_selection(archivist, web_archive):
    page = text(archivist.get("/households"))
    assert 'form="coversheet-form"' in page
    ids = [str(web_archive.households[c]) for c in ("A-1-0101", "A-1-1201")]
    response = archivist.post("/coversheets", data={"household": ids, "type_code": "", "back": "/households"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert quote("封面单-2户.pdf") in response.headers["Content-Disposition"]


def test_print_mistakes_go_back_with_the_reason(archivist, web_archive):
    response = archivist.post("/coversheets", data={"type_code": "", "back": "/households?q=A"})
    assert response.status_code == 302 and response.headers["Location"] == "/households?q=A"
    assert "请先勾选" in text(archivist.get("/households?q=A"))
    response = archivist.post("/coversheets", data={"household": "99999", "back": "https://evil.example/"})
    assert response.status_code == 302 and response.headers["Location"] == "/households"
    assert "99999" in text(archivist.get("/households"))


@pytest.mark.parametrize("username", ["staff", "officer", "auditor"])
def test_only_archivists_and_admins_print(web_client, web_login, web_archive, username):
    web_login(web_client, username)
    hid = web_archive.households["A-1-1201"]
    assert "打印封面" not in text(web_client.get(f"/households/{hid}"))
    assert 'form="coversheet-form"' not in text(web_client.get("/households"))
    assert web_client.post("/coversheets", data={"household": str(hid)}).status_code == 403


def test_print_without_csrf_token_is_refused(web_csrf_client, web_login, web_archive):
    web_login(web_csrf_client, "admin")
    hid = str(web_archive.households["A-1-1201"])
    response = web_csrf_client.post("/coversheets", data={"household": hid, "back": "/households"})
    assert response.status_code == 400
    token = web_csrf_token(web_csrf_client, f"/households/{hid}")
    response = web_csrf_client.post("/coversheets", data={"household": hid, "csrf_token": token})
    assert response.status_code == 200 and response.mimetype == "application/pdf"


def test_a_stack_uploaded_for_splitting_and_unfiled_pages_assigned(archivist, web_archive, tmp_path):
    assert "按封面分隔页拆分" in text(archivist.get("/intake"))
    batch_id = batch_id_of(
        archivist.post(
            "/intake",
            data={
                "split": "y",
                "files": [(io.BytesIO(_stack(web_archive, tmp_path)), "stack.pdf")],
            },
            content_type="multipart/form-data",
        )
    )
    page = text(archivist.get(f"/intake/batches/{batch_id}"))
    assert "待归档" in page and "封面页" in page and "这些页面在第一张封面之前，无法确定归属。" in page
    with Archive(web_archive.settings).session() as session:
        items = session.scalars(
            select(BatchItem).where(BatchItem.batch_id == batch_id).order_by(BatchItem.position)
        ).all()
        assert [i.outcome for i in items] == ["unfiled", "separator", "stored"]
        filed = session.get(Document, items[2].document_id)
        assert (filed.household.code, filed.type_code, filed.title) == ("A-1-1201", "renovation", "装修申请")
        unfiled_id = items[0].id
    url = f"/intake/batches/{batch_id}/items/{unfiled_id}/assign"
    assert f'action="{url}"' in page
    response = archivist.post(url, data={"household": "A-1-0101", "type_code": ""})
    assert response.status_code == 400 and "请选择文件类型" in text(response)
    wrong_batch = f"/intake/batches/{batch_id + 1}/items/{unfiled_id}/assign"
    assert (
        archivist.post(wrong_batch, data={"household": "A-1-0101", "type_code": "other"}).status_code == 404
    )
    response = archivist.post(url, data={"household": "Z-0-0000", "type_code": "other"})
    assert response.status_code == 400 and "Z-0-0000" in text(response)
    response = archivist.post(
        url, data={"household": "A-1-0101", "type_code": "correspondence", "title": "来函"}
    )
    assert response.status_code == 302
    assert "已归档为文件" in text(archivist.get(response.headers["Location"]))
    with Archive(web_archive.settings).session() as session:
        item = session.get(BatchItem, unfiled_id)
        assert item.outcome == "stored" and item.document.household.code == "A-1-0101"


def test_split_refuses_a_manifest(archivist, web_archive):
    before = counts(web_archive)
    response = archivist.post(
        "/intake",
        data={
            "split": "y",
            "files": [(io.BytesIO(b"%PDF-1.4"), "s.pdf")],
            "manifest": (io.BytesIO(b"file,household,type\n"), "m.csv"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400 and "不要同时上传批量清单" in text(response)
    assert counts(web_archive) == before


def test_staff_may_not_assign_unfiled_pages(web_client, web_login):
    web_login(web_client, "staff")
    assert (
        web_client.post(
            "/intake/batches/1/items/1/assign", data={"household": "A-1-0101", "type_code": "other"}
        ).status_code
        == 403
    )
