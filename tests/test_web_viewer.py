"""The document viewer and the print view on the web: image tools, thumbnails, the query marked on
the page image from stored word boxes (rectangles only, never a masked number), and a print view
of page images under a 查阅专用 watermark whose print is logged when the browser prints."""

from __future__ import annotations

import dataclasses
import html
import io
import json
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PIL import Image, ImageDraw
from sqlalchemy import select

from dossier import pagetext
from dossier.archive import Archive
from dossier.models import AccessEvent, Household, ObjectKey, Page
from dossier.services import history
from tests.synthetic import _font
from tests.web_fixtures import _dispose, web_add_document, web_csrf_token

MOBILE = "13800138000"
PAGES = [
    ["维修基金 缴纳 通知", "业主 张三 手机 " + MOBILE, "请于 五月 前 办理"],
    ["第二页 缴费 明细", "维修基金 300 元"],
    ["第三页 收据 存根", "经办人 李四"],
]
SECRET_PAGE = ["保密 身份证明", "核对 业主 身份"]


@dataclasses.dataclass(frozen=True)
class ViewerDocs:
    notice: int  # three pages, previews and word boxes
    secret: int  # confidential, one page


def page_image(lines: list[str], number: int) -> tuple[bytes, pagetext.WordBoxes]:
    """A small scanned-looking page (WebP) with ``lines`` of words, and their boxes."""
    image = Image.new("L", (620, 877), 255)
    draw = ImageDraw.Draw(image)
    font = _font("simplified", "sans", 26)
    draw.rectangle((24, 24, 596, 853), outline=120, width=2)
    boxed: list[list[tuple[str, int, int, int, int]]] = []
    y = 70
    for line in lines:
        x, row = 60, []
        for word in line.split(" "):
            left, top, right, bottom = draw.textbbox((x, y), word, font=font)
            draw.text((x, y), word, font=font, fill=25)
            row.append((word, left, top, right - left, bottom - top))
            x += round(font.getlength(word + " "))
        boxed.append(row)
        y += 52
    draw.text((520, 820), f"- {number} -", font=font, fill=90)
    out = io.BytesIO()
    image.save(out, "WEBP", quality=70)
    return out.getvalue(), pagetext.WordBoxes.of(image.size, boxed)


def add_viewed_pages(archive: Archive, session, doc, pages: list[list[str]], confidential: bool) -> None:
    for number, lines in enumerate(pages, start=1):
        data, words = page_image(lines, number)
        key = f"derivatives/{doc.id}/0/preview-{number:06d}.webp"
        stored = archive.vault.put(key, io.BytesIO(data))
        session.add(
            ObjectKey(object_key=key, wrapped_key=stored.wrapped_key, master_key_id=stored.master_key_id)
        )
        page = Page(document_id=doc.id, number=number, source="ocr", preview_key=key)
        pagetext.store(archive, page, "\n".join(lines), confidential=confidential)
        pagetext.store_words(archive, page, words, confidential=confidential)
        session.add(page)
    doc.page_count = len(pages)
    history.append(session, doc, history.PROCESSED, actor=None)


@pytest.fixture
def viewer_docs(web_archive) -> ViewerDocs:
    archive = Archive(web_archive.settings)
    with archive.session() as session:
        household = session.get(Household, web_archive.households["A-1-0101"])
        notice = web_add_document(session, household.id, "payment", "维修基金缴纳通知（三页）")
        add_viewed_pages(archive, session, notice, PAGES, False)
        secret = web_add_document(session, household.id, "id_document", "身份证明（保密）", confidential=True)
        add_viewed_pages(archive, session, secret, [SECRET_PAGE], True)
        session.commit()
        ids = ViewerDocs(notice.id, secret.id)
    _dispose(web_archive.settings)
    return ids


def _boxes(body: str) -> list[list[float]]:
    found = re.search(r'id="page-marks" data-boxes="([^"]*)"', body)
    assert found, "the page image has no marks layer"
    return json.loads(html.unescape(found.group(1)))


def _events(web_archive, document_id: int) -> list[tuple[str, str | None]]:
    archive = Archive(web_archive.settings)
    try:
        with archive.session() as session:
            return [
                (e.action, e.detail)
                for e in session.scalars(
                    select(AccessEvent)
                    .where(AccessEvent.document_id == document_id)
                    .order_by(AccessEvent.seq)
                )
            ]
    finally:
        _dispose(web_archive.settings)


# --- the viewer ------------------------------------------------------------------------------


def test_the_viewer_has_image_tools_and_every_pages_thumbnail(web_client, web_login, viewer_docs):
    web_login(web_client, "staff")
    body = web_client.get(f"/documents/{viewer_docs.notice}?page=2").get_data(as_text=True)
    for label in ("缩小", "放大", "适合宽度", "向左旋转", "向右旋转", "新窗口看大图"):
        assert f">{label}</" in body
    assert f'id="open-full" href="/documents/{viewer_docs.notice}/pages/2/preview" target="_blank"' in body
    thumbs = re.findall(r'<a href="([^"]+)" class="thumb( current)?" data-page="(\d)"', body)
    assert [(n, bool(c)) for _, c, n in thumbs] == [("1", False), ("2", True), ("3", False)]
    assert all(f"/documents/{viewer_docs.notice}?page=" in href for href, _, _ in thumbs)
    assert body.count(f'src="/documents/{viewer_docs.notice}/pages/') == 4  # the page and 3 thumbnails
    assert "viewer.js" in body
    assert _boxes(body) == []  # no query, nothing marked


def test_the_query_is_marked_on_the_image_with_rectangles_only(web_client, web_login, viewer_docs):
    web_login(web_client, "staff")
    body = web_client.get(f"/documents/{viewer_docs.notice}?page=1&q=维修基金").get_data(as_text=True)
    (box,) = _boxes(body)
    left, top, width, height = box
    assert 9 < left < 10.5 and 7.5 < top < 9.5 and 15 < width < 19 and 2 < height < 4
    assert "图像上已标出 1 处" in body
    raw = re.search(r'data-boxes="([^"]*)"', body).group(1)
    assert not re.search(r"[^\d.,\[\] ]", html.unescape(raw))  # numbers only: no words go with them
    body = web_client.get(f"/documents/{viewer_docs.notice}?page=2&q=维修基金").get_data(as_text=True)
    assert len(_boxes(body)) == 1
    body = web_client.get(f"/documents/{viewer_docs.notice}?page=3&q=维修基金").get_data(as_text=True)
    assert _boxes(body) == [] and "此页图像上没有可标出的位置" in body


def test_a_masked_number_is_neither_marked_on_the_text_nor_on_the_image(web_client, web_login, viewer_docs):
    web_login(web_client, "staff")
    body = web_client.get(f"/documents/{viewer_docs.notice}?page=1&q={MOBILE}").get_data(as_text=True)
    assert MOBILE not in body.replace(f"q={MOBILE}", "").replace(f'value="{MOBILE}"', "").replace(
        f"“{MOBILE}”", ""
    )
    assert _boxes(body) == []
    ocr = re.search(r'id="ocr-text">(.*?)</div>', body, re.S).group(1)
    assert "<mark>" not in ocr and "*******8000" in ocr
    web_client.post("/logout")
    web_login(web_client, "archivist")
    body = web_client.get(f"/documents/{viewer_docs.notice}?page=1&q={MOBILE}").get_data(as_text=True)
    assert len(_boxes(body)) == 1


def test_a_confidential_pages_marks_come_only_with_the_purpose(web_client, web_login, viewer_docs):
    web_login(web_client, "staff")
    assert web_client.get(f"/documents/{viewer_docs.secret}?page=1&q=身份").status_code == 404
    web_client.post("/logout")
    web_login(web_client, "archivist")
    asked = web_client.get(f"/documents/{viewer_docs.secret}?page=1&q=身份").get_data(as_text=True)
    assert 'id="page-marks"' not in asked and "查阅目的" in asked
    web_client.post(f"/documents/{viewer_docs.secret}/purpose", data={"purpose": "核对业主身份", "q": "身份"})
    body = web_client.get(f"/documents/{viewer_docs.secret}?page=1&q=身份").get_data(as_text=True)
    assert len(_boxes(body)) == 2  # 身份证明 and 身份


# --- the print view --------------------------------------------------------------------------


def test_the_print_view_shows_page_images_under_a_watermark_and_no_text(web_client, web_login, viewer_docs):
    web_login(web_client, "staff")
    body = web_client.get(f"/documents/{viewer_docs.notice}/print").get_data(as_text=True)
    assert body.count('class="print-page"') == 3
    assert body.count(f'src="/documents/{viewer_docs.notice}/pages/') == 3
    assert (
        "五月" not in body and "明细" not in body and "存根" not in body and "8000" not in body
    )  # no OCR text
    marks = re.findall(r"<span>(查阅专用 · 林客服 · (\d{4}-\d\d-\d\d \d\d:\d\d))</span>", body)
    assert len(marks) == 3 * 12
    shown = datetime.strptime(marks[0][1], "%Y-%m-%d %H:%M").replace(tzinfo=ZoneInfo("Asia/Shanghai"))
    assert abs(datetime.now(ZoneInfo("Asia/Shanghai")) - shown) < timedelta(minutes=5)  # Beijing time


def test_opening_the_print_view_is_a_view_and_the_print_is_logged_when_printed(
    web_csrf_client, web_login, web_archive, viewer_docs
):
    client = web_csrf_client
    web_login(client, "staff")
    doc = viewer_docs.notice
    token = web_csrf_token(client, f"/documents/{doc}/print")
    assert [a for a, _ in _events(web_archive, doc)] == ["document.view"]
    assert client.post(f"/documents/{doc}/printed").status_code == 400  # no CSRF token
    assert "document.print" not in [a for a, _ in _events(web_archive, doc)]
    answer = client.post(
        f"/documents/{doc}/printed", data={"csrf_token": token}, headers={"X-Requested-With": "fetch"}
    )
    assert answer.status_code == 204
    assert [a for a, _ in _events(web_archive, doc)] == ["document.view", "document.print"]
    answer = client.post(f"/documents/{doc}/printed", data={"csrf_token": token})  # the form, without script
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/documents/{doc}/print")
    assert [a for a, _ in _events(web_archive, doc)][-1] == "document.print"


def test_a_confidential_print_needs_the_purpose_and_is_logged_with_it(
    web_client, web_login, web_archive, viewer_docs
):
    web_login(web_client, "staff")
    assert web_client.post(f"/documents/{viewer_docs.secret}/printed").status_code == 404
    web_client.post("/logout")
    web_login(web_client, "archivist")
    answer = web_client.post(
        f"/documents/{viewer_docs.secret}/printed", headers={"X-Requested-With": "fetch"}
    )
    assert answer.status_code == 302  # to the purpose form: nothing printed without one
    web_client.post(f"/documents/{viewer_docs.secret}/purpose", data={"purpose": "核对业主身份"})
    body = web_client.get(f"/documents/{viewer_docs.secret}/print").get_data(as_text=True)
    assert "查阅目的：核对业主身份" in body and "查阅专用 · 陈档案 · " in body
    answer = web_client.post(
        f"/documents/{viewer_docs.secret}/printed", headers={"X-Requested-With": "fetch"}
    )
    assert answer.status_code == 204
    action, detail = _events(web_archive, viewer_docs.secret)[-1]
    assert action == "document.print" and json.loads(detail) == {"purpose": "核对业主身份"}
