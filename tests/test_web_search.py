"""全文检索 and the document viewer through Flask's test client: permissions, snippets, facets,
the folders found by name, the JSON API, the confidential purpose flow, previews, originals."""

from __future__ import annotations

import json
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from dossier.archive import Archive
from dossier.models import AccessEvent
from tests.web_fixtures import WEB_SEARCH_ORIGINAL, WEB_SEARCH_SECRET_ORIGINAL


def events(web_archive, action: str | None = None) -> list[AccessEvent]:
    with Archive(web_archive.settings).session() as session:
        query = select(AccessEvent).order_by(AccessEvent.id)
        if action:
            query = query.where(AccessEvent.action == action)
        return list(session.scalars(query))


def text(response) -> str:
    return response.get_data(as_text=True)


def hit_ids(body: str) -> list[int]:
    return [int(i) for i in re.findall(r'<li class="hit" data-document="(\d+)">', body)]


def facet_links(body: str, facet: str) -> dict[str, tuple[str, int]]:
    """label → (href, count) of one facet's links."""
    section = re.search(rf'<section class="facet" data-facet="{facet}">(.*?)</section>', body, re.S)
    assert section, facet
    return {
        label: (unescape(href), int(count))
        for href, label, count in re.findall(
            r'<a href="([^"]+)"><span class="facet-label">([^<]+)</span><span class="facet-count">(\d+)</span>',
            section.group(1),
        )
    }


# --- the search page ---------------------------------------------------------------------------


def test_staff_sees_ordinary_hits_only_and_counts_exclude_confidential(
    web_client, web_login, web_archive, web_search_docs
):
    ids = web_search_docs.ids
    web_login(web_client, "staff")
    response = web_client.get("/search?q=维修基金")
    assert response.status_code == 200
    body = text(response)
    assert sorted(hit_ids(body)) == sorted([ids["fund"], ids["lease"]])
    assert "共找到 2 份文件" in body
    assert "业主身份证明（保密）" not in body
    types = facet_links(body, "type")
    assert "证件资料" not in types
    assert {k: v[1] for k, v in types.items()} == {"缴费记录": 1, "往来函件": 1}
    assert {k: v[1] for k, v in facet_links(body, "year").items()} == {"2021": 1, "2020": 1}

    web_client.post("/logout")
    web_login(web_client, "archivist")
    body = text(web_client.get("/search?q=维修基金"))
    assert sorted(hit_ids(body)) == sorted([ids["fund"], ids["lease"], ids["secret"]])
    assert "证件资料" in facet_links(body, "type")


def test_snippets_mark_words_and_escape_page_markup(web_client, web_login, web_search_docs):
    web_login(web_client, "staff")
    body = text(web_client.get("/search?q=办理"))
    assert hit_ids(body) == [web_search_docs.ids["fund"]]
    snippet = re.search(r'<p class="hit-snippet">(.*?)</p>', body, re.S).group(1)
    assert "<mark>办理</mark>" in snippet
    assert "<script>" not in body and "<b>加粗" not in body
    assert "&lt;script&gt;" in snippet and "&lt;b&gt;" in snippet
    # The hit links to its page with the query, so the viewer can mark the words.
    link = unescape(re.search(r'<a class="hit-title" href="([^"]+)"', body).group(1))
    parts = urlsplit(link)
    assert parts.path == f"/documents/{web_search_docs.ids['fund']}"
    assert parse_qs(parts.query) == {"page": ["1"], "q": ["办理"]}


def test_safe_snippet_escapes_anything_but_marks():
    from webapp.highlighting import safe_snippet

    assert str(safe_snippet("a <mark>维修</mark> &amp; b")) == "a <mark>维修</mark> &amp; b"
    assert (
        str(safe_snippet("<script>x</script> <mark>y</mark>"))
        == "&lt;script&gt;x&lt;/script&gt; <mark>y</mark>"
    )
    assert str(safe_snippet("<mark>unclosed")) == "&lt;mark&gt;unclosed"


def test_facet_links_add_a_filter(web_client, web_login, web_search_docs):
    ids = web_search_docs.ids
    web_login(web_client, "staff")
    body = text(web_client.get("/search?q=维修"))
    assert sorted(hit_ids(body)) == sorted([ids["fund"], ids["reno"], ids["lease"]])
    href, count = facet_links(body, "type")["装修档案"]
    assert parse_qs(urlsplit(href).query) == {"q": ["维修"], "type": ["renovation"]}
    filtered = text(web_client.get(href))
    assert hit_ids(filtered) == [ids["reno"]] and count == 1
    assert "类型：装修档案" in filtered  # the chip that removes the filter

    href, count = facet_links(body, "year")["2021"]
    assert parse_qs(urlsplit(href).query) == {"q": ["维修"], "from": ["2021"], "to": ["2021"]}
    assert hit_ids(text(web_client.get(href))) == [ids["lease"]]

    buildings = facet_links(body, "building")
    href, count = buildings["A"]
    assert count == 2
    assert sorted(hit_ids(text(web_client.get(href)))) == sorted([ids["fund"], ids["reno"]])


def test_filters_from_the_form_and_bad_dates(web_client, web_login, web_search_docs):
    ids = web_search_docs.ids
    web_login(web_client, "staff")
    assert hit_ids(text(web_client.get("/search?q=维修&household=A-1-1201"))) == [ids["reno"]]
    assert hit_ids(text(web_client.get("/search?q=维修&from=2021-01-01"))) == [ids["lease"]]
    assert hit_ids(text(web_client.get("/search?type=correspondence"))) == [ids["lease"]]
    response = web_client.get("/search?q=维修&from=2021-13-45")
    assert response.status_code == 400
    body = text(response)
    assert "没有这一天：2021-13-45" in body and "Traceback" not in body
    # The form keeps what was typed: the query, and the bad date in a text box to correct.
    assert 'id="search-q" value="维修"' in body
    assert re.search(r'<input type="text" name="from" id="f-from" value="2021-13-45"', body)
    assert 'aria-invalid="true"' in body
    body = text(web_client.get("/search?q=维修&from=2021-1x&household=A-1-1201"))
    assert "日期格式应为" in body and 'value="A-1-1201"' in body


def test_date_filters_are_date_pickers_that_also_take_typed_dates(web_client, web_login, web_search_docs):
    ids = web_search_docs.ids
    web_login(web_client, "staff")
    body = text(web_client.get("/search"))
    assert '<input type="date" name="from" id="f-from" value=""' in body
    assert '<input type="date" name="to" id="f-to" value=""' in body
    # Typed forms still work; a year (the year facet's link) shows as its first and last day.
    body = text(web_client.get("/search?q=维修&from=2021&to=2021"))
    assert hit_ids(body) == [ids["lease"]]
    assert 'name="from" id="f-from" value="2021-01-01"' in body
    assert 'name="to" id="f-to" value="2021-12-31"' in body
    assert hit_ids(text(web_client.get("/search?q=维修&from=2021年1月1日"))) == [ids["lease"]]


def test_an_unclosed_quote_explains_itself_and_keeps_the_form(
    web_client, web_login, web_archive, web_search_docs
):
    web_login(web_client, "staff")
    response = web_client.get("/search", query_string={"q": '"维修基金 缴纳', "type": "payment"})
    assert response.status_code == 400
    body = text(response)
    assert "引号没有闭合" in body and 'id="search-error"' in body
    assert 'id="search-q" value="&#34;维修基金 缴纳"' in body
    assert '<option value="payment" selected>' in body
    assert events(web_archive, "search") == []  # a refused search is not a search


def test_the_search_page_has_one_search_box(web_client, web_login, web_search_docs):
    web_login(web_client, "staff")
    for path in ("/search", "/search?q=维修"):
        body = text(web_client.get(path))
        assert body.count('name="q"') == 1 and 'class="topsearch"' not in body, path


def test_an_empty_result_offers_fewer_words_with_counts_the_user_may_see(
    web_client, web_login, web_search_docs
):
    web_login(web_client, "staff")
    body = text(web_client.get("/search?q=维修基金 乌龙茶&building=A"))
    assert "没有找到符合条件的文件" in body
    section = re.search(r'<div class="search-suggestions" id="suggestions">(.*?)</div>', body, re.S)
    assert section, "no suggestions"
    links = re.findall(
        r'<li data-kind="(\w+)">\s*<a href="([^"]+)" class="suggestion">([^<]+)</a>', section.group(1)
    )
    assert [(kind, label) for kind, _, label in links] == [("fewer", "维修基金")]
    assert "减少词语 · 1 份文件" in section.group(1)  # building A: the fund notice (the secret is hidden)
    href = unescape(links[0][1])
    assert parse_qs(urlsplit(href).query) == {"q": ["维修基金"], "building": ["A"]}
    assert hit_ids(text(web_client.get(href))) == [web_search_docs.ids["fund"]]
    # A search that finds something offers nothing.
    assert 'id="suggestions"' not in text(web_client.get("/search?q=维修基金"))


def test_suggestions_count_only_what_the_user_may_see(web_client, web_login, web_search_docs):
    """The secret page is the only one with 身份证号码: staff are offered nothing for it."""
    web_login(web_client, "staff")
    body = text(web_client.get("/search?q=身份证号码 乌龙茶"))
    assert "没有找到符合条件的文件" in body and 'id="suggestions"' not in body
    web_client.post("/logout")
    web_login(web_client, "archivist")
    body = text(web_client.get("/search?q=身份证号码 乌龙茶"))
    assert 'class="suggestion">身份证号码</a>' in body and "1 份文件" in body


def test_owner_name_finds_the_folder(web_client, web_login, web_archive, web_search_docs):
    web_login(web_client, "staff")
    body = text(web_client.get("/search?q=张三"))
    found = re.search(
        r'<section class="card found-households" id="found-households">(.*?)</section>', body, re.S
    )
    assert found, "the folder list is missing"
    assert f'href="/households/{web_archive.households["A-1-0101"]}"' in found.group(1)
    assert "A-1-0101" in found.group(1)
    assert "S-101" not in found.group(1)


def test_search_is_recorded_and_paged(web_client, web_login, web_archive, web_search_docs):
    web_login(web_client, "staff")
    assert web_client.get("/search").status_code == 200  # the empty form: nothing searched
    assert events(web_archive, "search") == []
    web_client.get("/search?q=维修&page=2")
    logged = events(web_archive, "search")
    assert [(e.username, e.channel) for e in logged] == [("staff", "web")]
    detail = json.loads(logged[0].detail)
    assert detail["q"] == "维修" and detail["total"] == 3


def test_header_search_box_and_nav_on_every_page(web_client, web_login, web_archive):
    web_login(web_client, "staff")
    for path in ("/", "/households", f"/households/{web_archive.households['A-1-0101']}"):
        body = text(web_client.get(path))
        assert 'class="topsearch"' in body and 'action="/search"' in body, path
        assert ">全文检索</a>" in body, path


# --- the JSON API ------------------------------------------------------------------------------


def test_api_search_with_token(web_client, web_archive, web_search_docs):
    ids = web_search_docs.ids
    auth = {"Authorization": f"Bearer {web_archive.tokens['staff']}"}
    response = web_client.get("/api/v1/search?q=维修基金&limit=5", headers=auth)
    assert response.status_code == 200
    data = response.get_json()
    assert set(data) == {
        "total",
        "total_exact",
        "hits",
        "facets",
        "households",
        "text_withheld",
        "suggestions",
    }
    assert data["suggestions"] == []
    assert data["total"] == 2 and data["total_exact"] is True
    assert sorted(h["document"] for h in data["hits"]) == sorted([ids["fund"], ids["lease"]])
    assert set(data["facets"]) == {"type", "building", "year"}
    assert all("<mark>" in h["snippet"] for h in data["hits"])
    data = web_client.get("/api/v1/search?q=张三", headers=auth).get_json()
    assert [h["code"] for h in data["households"]] == ["A-1-0101"]
    assert [(e.username, e.channel) for e in events(web_archive, "search")] == [
        ("staff", "api"),
        ("staff", "api"),
    ]

    data = web_client.get("/api/v1/search?q=维修基金 乌龙茶", headers=auth).get_json()
    assert data["total"] == 0 and data["suggestions"] == [{"kind": "fewer", "q": "维修基金", "count": 2}]

    archivist = {"Authorization": f"Bearer {web_archive.tokens['archivist']}"}
    data = web_client.get("/api/v1/search?q=维修基金&type=证件", headers=archivist).get_json()
    assert [h["document"] for h in data["hits"]] == [ids["secret"]]
    assert data["hits"][0]["confidential"] is True and data["hits"][0]["snippet"] is None  # no purpose given


def test_api_search_needs_a_token_and_good_input(web_client, web_archive, web_search_docs):
    response = web_client.get("/api/v1/search?q=维修")
    assert response.status_code == 401 and "error" in response.get_json()
    auth = {"Authorization": f"Bearer {web_archive.tokens['staff']}"}
    for query in (
        "q=维修&from=2021-02-30",
        "q=维修&limit=0",
        "q=维修&offset=x",
        "q=",
        "q=维修&type=nosuchtype",
    ):
        response = web_client.get(f"/api/v1/search?{query}", headers=auth)
        assert response.status_code == 400, query
        assert response.is_json and response.get_json()["error"], query


# --- the document viewer -----------------------------------------------------------------------


def test_document_page_shows_the_page_with_words_marked(web_client, web_login, web_archive, web_search_docs):
    doc_id = web_search_docs.ids["fund"]
    web_login(web_client, "staff")
    response = web_client.get(f"/documents/{doc_id}?page=2&q=维修基金")
    assert response.status_code == 200
    body = text(response)
    assert "维修基金缴纳通知" in body and "缴费记录" in body
    assert "第 2 / 2 页" in body
    ocr = re.search(r'<div class="ocr-text" id="ocr-text">(.*?)</div>', body, re.S).group(1)
    assert "<mark>维修基金</mark>" in ocr
    assert f'src="/documents/{doc_id}/pages/2/preview"' not in body  # page 2 has no preview
    assert "此页暂无预览图" in body
    assert f'href="/households/{web_archive.households["A-1-0101"]}"' in body
    assert "下载原件" in body

    body = text(web_client.get(f"/documents/{doc_id}?page=1&q=script"))
    assert "<script>" not in body and "alert(" in body
    assert "&lt;<mark>script</mark>&gt;alert(&#39;x&#39;)&lt;/<mark>script</mark>&gt; &lt;b&gt;加粗" in body
    assert f'src="/documents/{doc_id}/pages/1/preview"' in body
    views = events(web_archive, "document.view")
    assert [(e.username, e.document_id, json.loads(e.detail)) for e in views] == [
        ("staff", doc_id, {"page": 2}),
        ("staff", doc_id, {"page": 1}),
    ]


def test_staff_cannot_open_a_confidential_document(web_client, web_login, web_archive, web_search_docs):
    doc_id = web_search_docs.ids["secret"]
    web_login(web_client, "staff")
    for path in (
        f"/documents/{doc_id}",
        f"/documents/{doc_id}/pages/1/preview",
        f"/documents/{doc_id}/original",
    ):
        response = web_client.get(path)
        assert response.status_code == 404, path
        assert "身份证" not in text(response)
    assert web_client.post(f"/documents/{doc_id}/purpose", data={"purpose": "想看看"}).status_code == 404
    denied = [
        (e.action, e.document_id) for e in events(web_archive) if e.outcome == "denied" and e.document_id
    ]
    assert ("document.view", doc_id) in denied
    assert ("page.view", doc_id) in denied and ("document.download", doc_id) in denied
    assert not [e for e in events(web_archive, "document.view") if e.outcome == "ok"]


def test_archivist_gives_a_purpose_before_viewing(web_csrf_client, web_login, web_archive, web_search_docs):
    client = web_csrf_client
    doc_id = web_search_docs.ids["secret"]
    web_login(client, "archivist")
    response = client.get(f"/documents/{doc_id}?page=1&q=身份证")
    assert response.status_code == 200
    body = text(response)
    assert "查阅目的" in body and 'id="ocr-text"' not in body
    # Without the purpose, neither the preview nor the original is handed out.
    assert client.get(f"/documents/{doc_id}/pages/1/preview").status_code == 302
    assert client.get(f"/documents/{doc_id}/original").status_code == 302
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', body).group(1)

    assert (
        client.post(f"/documents/{doc_id}/purpose", data={"purpose": "核对"}).status_code == 400
    )  # no CSRF token
    response = client.post(f"/documents/{doc_id}/purpose", data={"purpose": "  ", "csrf_token": token})
    assert response.status_code == 400 and "请填写查阅目的" in text(response)
    response = client.post(
        f"/documents/{doc_id}/purpose",
        data={"purpose": "办理产权变更，核对业主身份", "page": "1", "q": "身份证", "csrf_token": token},
    )
    assert response.status_code == 302
    target = response.headers["Location"]
    assert urlsplit(target).path == f"/documents/{doc_id}"
    body = text(client.get(target))
    assert "<mark>身份证</mark>" in body and "办理产权变更，核对业主身份" in body
    preview = client.get(f"/documents/{doc_id}/pages/1/preview")
    assert preview.status_code == 200 and preview.data == web_search_docs.preview
    original = client.get(f"/documents/{doc_id}/original")
    assert original.status_code == 200 and original.data == WEB_SEARCH_SECRET_ORIGINAL

    purposes = {
        (e.action, json.loads(e.detail).get("purpose") if e.detail and e.detail.startswith("{") else e.detail)
        for e in events(web_archive)
        if e.document_id == doc_id and e.outcome == "ok"
    }
    assert purposes >= {
        ("document.view", "办理产权变更，核对业主身份"),
        ("page.view", "办理产权变更，核对业主身份"),
        ("document.download", "办理产权变更，核对业主身份"),
    }


def test_preview_streams_webp_privately(web_client, web_login, web_archive, web_search_docs):
    doc_id = web_search_docs.ids["fund"]
    web_login(web_client, "staff")
    response = web_client.get(f"/documents/{doc_id}/pages/1/preview")
    assert response.status_code == 200
    assert response.mimetype == "image/webp"
    assert (
        response.data == web_search_docs.preview
        and response.data[:4] == b"RIFF"
        and response.data[8:12] == b"WEBP"
    )
    assert response.headers["Cache-Control"] == "private, no-store"
    assert web_client.get(f"/documents/{doc_id}/pages/2/preview").status_code == 404  # no preview made
    assert web_client.get(f"/documents/{doc_id}/pages/9/preview").status_code == 404
    assert web_client.get("/documents/999999").status_code == 404
    views = events(web_archive, "page.view")
    assert [(e.username, e.document_id, json.loads(e.detail)) for e in views] == [
        ("staff", doc_id, {"page": 1})
    ]


def test_original_download_returns_the_stored_bytes(web_client, web_login, web_archive, web_search_docs):
    doc_id = web_search_docs.ids["fund"]
    web_login(web_client, "staff")
    response = web_client.get(f"/documents/{doc_id}/original")
    assert response.status_code == 200
    assert response.data == WEB_SEARCH_ORIGINAL
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''" in disposition and "\n" not in disposition
    assert response.headers["Cache-Control"] == "private, no-store"
    assert [(e.username, e.document_id) for e in events(web_archive, "document.download")] == [
        ("staff", doc_id)
    ]


def test_download_name_is_safe():
    from types import SimpleNamespace

    from dossier.services.documents import download_name

    def name(original, media="application/pdf"):
        return download_name(SimpleNamespace(id=7, original_name=original, media_type=media))

    assert name("../../etc/passwd") == "passwd"
    assert name("C:\\scans\\合同.pdf") == "合同.pdf"
    assert name("a\r\nb.pdf") == "ab.pdf"
    assert name(None) == "document-7.pdf"
    assert name("..", "image/tiff") in ("document-7.tif", "document-7.tiff")


@pytest.mark.parametrize("username", ["staff", "archivist", "auditor"])
def test_search_page_for_each_role(web_client, web_login, web_search_docs, username):
    web_login(web_client, username)
    assert web_client.get("/search?q=维修").status_code == 200


def test_search_needs_sign_in(web_client, web_search_docs):
    response = web_client.get("/search?q=维修")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")
    assert web_client.get(f"/documents/{web_search_docs.ids['fund']}").status_code == 302
