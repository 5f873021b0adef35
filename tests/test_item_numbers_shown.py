"""Item numbers (档号) shown and found: the document page, the folder's list, the batch page, search
hits (web, API, CLI, exports), ``doc show``, destruction lists with their exports and certificate,
the loans export, and the 归档章 on the print view; typing a 档号 finds its document first, and a
confidential document's number typed by someone who may not see it answers as an unknown one."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook

from dossier.archive import Archive
from dossier.models import Batch, BatchOutcome, Document
from dossier.services import numbering
from tests.retention_helpers import add_retention_users, cli_token, store_document
from tests.test_web_browser import _login, _shot, browser, desk_page, web_server  # noqa: F401 - fixtures
from tests.web_fixtures import _dispose

A = "A-1-0101"


def _ok(result):
    assert result.exit_code == 0, result.stderr
    return result.json() if result.stdout.startswith("{") else result.stdout


def _api(client, token: str, path: str, **args) -> dict:
    response = client.get(path, query_string=args or None, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, (path, response.get_data(as_text=True))
    return response.get_json()


def _numbers(web_archive, *ids: int) -> list[str]:
    archive = Archive(web_archive.settings)
    try:
        with archive.session() as session:
            return [session.get(Document, i).archive_no for i in ids]
    finally:
        _dispose(web_archive.settings)


# --- the command line ----------------------------------------------------------------------------


def test_cli_doc_show_search_and_destruction_list_show_the_number(archive, run_cli):
    add_retention_users(archive)
    _ok(run_cli("household", "add", A, "--owner", "张三"))
    contract = store_document(
        archive, A, "contract", date(2019, 5, 1), title="购房合同", pages=["购房合同 正文"]
    )
    repair = store_document(archive, A, "repair", date(2015, 3, 1), title="报修单", pages=["报修单 漏水"])
    shown = _ok(run_cli("doc", "show", str(contract), "--json"))
    number = shown["archive_no"]
    assert number.endswith("-0001")
    assert f"档号 {number}" in _ok(run_cli("doc", "show", str(contract)))
    assert f"#{contract} {number} " in _ok(run_cli("household", "show", A))

    # The number typed as the query (with spaces around it) finds the document first.
    for typed in (number, f"  {number}  "):
        found = _ok(run_cli("search", typed, "--json"))
        assert found["hits"][0]["document"] == contract
        assert found["hits"][0]["archive_no"] == number
        assert found["total"] >= 1
    assert number in _ok(run_cli("search", number))
    # A page that cites the number is found by its text after it; the numbered one is not repeated.
    citing = store_document(
        archive, A, "correspondence", date(2021, 1, 4), title="来函", pages=[f"依据 {number} 办理"]
    )
    found = _ok(run_cli("search", number, "--json"))
    assert [h["document"] for h in found["hits"]] == [contract, citing]
    assert found["total"] == 2
    second = _ok(run_cli("search", number, "--limit", "1", "--offset", "1", "--json"))
    assert ([h["document"] for h in second["hits"]], second["total"]) == ([citing], 2)
    # A word hit carries its number too.
    words = _ok(run_cli("search", "漏水", "--json"))
    assert [(h["document"], h["archive_no"]) for h in words["hits"]] == [
        (repair, _ok(run_cli("doc", "show", str(repair), "--json"))["archive_no"])
    ]
    # A number no document has finds nothing by number (and its text matches nothing).
    assert _ok(run_cli("search", number[:-4] + "0099", "--json"))["total"] == 0

    # The destruction list: the document's 档号 beside the folder's number.
    listed = _ok(run_cli("--as", "keeper", "retention", "propose", "--json"))
    (item,) = listed["items"]
    repair_no = words["hits"][0]["archive_no"]
    assert (item["document"], item["item_archive_no"]) == (repair, repair_no)
    assert item["archive_no"] != repair_no  # the folder's own number (业户档案号) stays
    assert repair_no in _ok(run_cli("--as", "keeper", "retention", "show", listed["number"]))
    assert repair_no in _ok(run_cli("--as", "keeper", "retention", "due"))


def test_destruction_list_exports_and_certificate_carry_the_number(archive, run_cli, web_login, monkeypatch):
    from webapp import create_app

    add_retention_users(archive)
    _ok(run_cli("household", "add", A, "--owner", "张三"))
    repair = store_document(archive, A, "repair", date(2015, 3, 1), title="报修单")
    repair_no = _ok(run_cli("doc", "show", str(repair), "--json"))["archive_no"]
    listed = _ok(run_cli("--as", "keeper", "retention", "propose", "--json"))
    folder_no = listed["items"][0]["archive_no"]

    app = create_app(archive.settings, testing=True)
    client = app.test_client()
    web_login(client, "keeper", "keeper-password-1")
    base = f"/retention/lists/{listed['number']}"

    rows = list(csv.reader(io.StringIO(client.get(f"{base}/export.csv").data.decode("utf-8-sig"))))
    header = rows[0]
    assert header[:4] == ["序号", "文件编号", "档号", "业户档案号"]
    assert rows[1][:4] == ["1", str(repair), repair_no, folder_no]

    book = load_workbook(io.BytesIO(client.get(f"{base}/export.xlsx").data))
    sheet = book["销毁清册"]
    assert [c.value for c in sheet[2]][:4] == ["序号", "文件编号", "档号", "业户档案号"]
    assert [c.value for c in sheet[3]][2:4] == [repair_no, folder_no]

    page = client.get(base).get_data(as_text=True)
    assert repair_no in page
    certificate = client.get(f"{base}/certificate").get_data(as_text=True)
    assert "<th>档号</th><th>业户档案号</th>" in certificate
    assert repair_no in certificate and folder_no in certificate
    due = client.get("/retention").get_data(as_text=True)
    assert repair_no in due

    # Destroyed: the shredding log's page names the number its entry recorded.
    monkeypatch.setenv("DOSSIER_TOKEN", cli_token(archive, "officer"))
    _ok(run_cli("--as", "officer", "retention", "approve", listed["number"]))
    monkeypatch.delenv("DOSSIER_TOKEN")
    _ok(run_cli("--as", "keeper", "retention", "execute", listed["number"], "--json"))
    auditor = app.test_client()
    web_login(auditor, "checker", "checker-password-1")
    log = auditor.get("/retention/shredlog").get_data(as_text=True)
    assert f'title="档号">{repair_no}</span>' in log
    certificate = client.get(f"{base}/certificate").get_data(as_text=True)
    assert repair_no in certificate  # the tombstone keeps its number


# --- the web and the API -------------------------------------------------------------------------


def test_document_folder_and_print_pages_show_the_number_and_stamp(
    web_client, web_login, web_archive, web_search_docs
):
    fund = web_search_docs.ids["fund"]
    (number,) = _numbers(web_archive, fund)
    assert number and number.startswith("0001-WY·2020-")
    web_login(web_client, "staff")

    page = web_client.get(f"/documents/{fund}").get_data(as_text=True)
    assert f'<dd class="mono" id="archive-no">{number}</dd>' in page

    folder = web_client.get(f"/households/{web_archive.households[A]}").get_data(as_text=True)
    assert "<th>档号</th>" in folder and number in folder

    printed = web_client.get(f"/documents/{fund}/print").get_data(as_text=True)
    stamp = re.search(r'<table class="filing-stamp".*?</table>', printed, re.S).group(0)
    archive = Archive(web_archive.settings)
    with archive.session() as session:
        doc = session.get(Document, fund)
        facts = numbering.filing_stamp(session, doc)
    _dispose(web_archive.settings)
    assert facts == {
        "fonds": "0001",
        "year": 2020,
        "item": doc.item_no,
        "retention": facts["retention"],
        "retention_code": number.split("-")[2],
        "pages": 2,
        "archive_no": number,
    }
    assert facts["retention"]
    values = dict(re.findall(r'data-field="(\w+)">([^<]*)<', stamp))
    assert values == {
        "fonds": "0001",
        "year": "2020",
        "item": str(doc.item_no),
        "retention": facts["retention"],
        "pages": "2",
        "archive_no": number,
    }
    for label in ("全宗号", "年度", "件号", "保管期限", "页数", "档号"):
        assert f">{label}<" in stamp
    assert printed.count('class="filing-stamp"') == 1  # on the first page only


def test_a_document_without_a_number_has_no_stamp(web_client, web_login, web_archive):
    contract = web_archive.documents["购房合同（正本扫描）"]  # a bare catalog row, never numbered
    web_login(web_client, "staff")
    page = web_client.get(f"/documents/{contract}").get_data(as_text=True)
    assert '<dd class="mono" id="archive-no">—</dd>' in page
    printed = web_client.get(f"/documents/{contract}/print")
    assert printed.status_code == 200
    assert 'id="filing-stamp"' not in printed.get_data(as_text=True)


def test_search_by_number_web_api_and_export(web_client, web_login, web_archive, web_search_docs):
    fund, secret = web_search_docs.ids["fund"], web_search_docs.ids["secret"]
    fund_no, secret_no = _numbers(web_archive, fund, secret)
    token = web_archive.tokens["archivist"]

    for typed in (fund_no, f" {fund_no} "):
        found = _api(web_client, token, "/api/v1/search", q=typed)
        assert found["hits"][0]["document"] == fund
        assert found["hits"][0]["archive_no"] == fund_no
    words = _api(web_client, token, "/api/v1/search", q="维修基金")
    assert {h["document"]: h["archive_no"] for h in words["hits"]}[fund] == fund_no
    # The archivist may see the confidential document: its number finds it (no snippet without a
    # purpose).
    cleared = _api(web_client, token, "/api/v1/search", q=secret_no)
    assert (cleared["hits"][0]["document"], cleared["hits"][0]["snippet"]) == (secret, None)

    web_login(web_client, "archivist")
    body = web_client.get("/search", query_string={"q": fund_no}).get_data(as_text=True)
    first = re.search(r'<li class="hit" data-document="(\d+)"', body).group(1)
    assert int(first) == fund
    assert f'<span class="mono hit-archive-no">{fund_no}</span>' in body
    rows = list(
        csv.reader(
            io.StringIO(
                web_client.get("/search/export.csv", query_string={"q": fund_no}).data.decode("utf-8-sig")
            )
        )
    )
    table = rows[next(i for i, r in enumerate(rows) if r and r[0] == "序号") :]
    assert table[0][:3] == ["序号", "文件编号", "档号"]
    assert table[1][1:3] == [str(fund), fund_no]


def test_a_number_typed_with_filters_is_found_only_when_they_allow_it(
    web_client, web_archive, web_search_docs
):
    """The search form's filters apply to the document a 档号 finds exactly as to the text hits
    (the engine checks both with the same clauses)."""
    fund = web_search_docs.ids["fund"]  # A-1-0101, 缴费 (payment), 2020-05-01
    (fund_no,) = _numbers(web_archive, fund)
    token = web_archive.tokens["archivist"]

    def first(**filters) -> int | None:
        hits = _api(web_client, token, "/api/v1/search", q=fund_no, **filters)["hits"]
        return hits[0]["document"] if hits else None

    assert first(household="A-1-0101", type="payment", **{"from": "2020-01-01", "to": "2020-12-31"}) == fund
    assert first(household="A-1-1201") != fund
    assert first(type="repair") != fund
    assert first(**{"from": "2021-01-01"}) != fund


def test_a_confidential_number_answers_staff_as_an_unknown_number(
    web_client, web_login, web_archive, web_search_docs
):
    secret = web_search_docs.ids["secret"]
    (secret_no,) = _numbers(web_archive, secret)
    unknown = secret_no[:-4] + "9999"
    token = web_archive.tokens["staff"]

    def answer(q: str) -> dict:
        found = _api(web_client, token, "/api/v1/search", q=q)
        found["suggestions"] = [s["count"] for s in found["suggestions"]]
        return found

    assert answer(secret_no) == answer(unknown)
    assert all(h["document"] != secret for h in answer(secret_no)["hits"])
    web_login(web_client, "staff")
    pages = [
        web_client.get("/search", query_string={"q": q}).get_data(as_text=True).replace(q, "Q")
        for q in (secret_no, unknown)
    ]
    assert re.sub(r'name="csrf_token"[^>]*', "", pages[0]) == re.sub(r'name="csrf_token"[^>]*', "", pages[1])


def test_batch_page_and_export_show_the_number_of_a_filed_document(
    web_client, web_login, web_archive, web_search_docs
):
    fund = web_search_docs.ids["fund"]
    (number,) = _numbers(web_archive, fund)
    archive = Archive(web_archive.settings)
    with archive.session() as session:
        batch = Batch(created_by_name="archivist", label="测试批次")
        session.add(batch)
        session.flush()
        session.get(Document, fund).batch_id = batch.id
        from ingest.files import record_item

        record_item(session, batch, "维修基金通知 2020.pdf", BatchOutcome.STORED, document_id=fund)
        batch_id = batch.id
    _dispose(web_archive.settings)

    web_login(web_client, "archivist")
    page = web_client.get(f"/intake/batches/{batch_id}").get_data(as_text=True)
    assert f'data-role="archive-no" title="档号">{number}</span>' in page
    rows = list(
        csv.reader(
            io.StringIO(web_client.get(f"/intake/batches/{batch_id}/export.csv").data.decode("utf-8-sig"))
        )
    )
    table = rows[next(i for i, r in enumerate(rows) if r and r[0] == "序号") :]
    assert table[0][3:5] == ["文件编号", "档号"]
    assert table[1][3:5] == [str(fund), number]


# --- in the browser ------------------------------------------------------------------------------


@pytest.mark.browser
def test_the_document_page_and_its_print_view_in_the_browser(
    web_server, browser, web_archive, web_search_docs, tmp_path
):
    fund = web_search_docs.ids["fund"]
    (number,) = _numbers(web_archive, fund)
    base = web_server
    context, page, problems = desk_page(browser)
    _login(page, base, "staff")
    page.goto(f"{base}/documents/{fund}")
    assert page.locator("#archive-no").inner_text() == number
    assert page.locator("#doc-archive-no").inner_text() == number
    _shot(page, tmp_path, "stamp-document")

    page.click("#print-document")
    page.wait_for_url(f"{base}/documents/{fund}/print")
    page.wait_for_function("() => [...document.images].every(i => i.complete && i.naturalWidth > 0)")
    page.emulate_media(media="print")
    stamp = page.locator("#filing-stamp")
    assert stamp.is_visible()
    assert stamp.locator("[data-field=archive_no]").inner_text() == number
    assert stamp.locator("[data-field=fonds]").inner_text() == "0001"
    assert stamp.locator("[data-field=year]").inner_text() == "2020"
    # At the top right of the first printed page, above the page image.
    box = stamp.bounding_box()
    sheet = page.locator(".print-page[data-page='1']").bounding_box()
    image = page.locator(".print-page[data-page='1'] img").bounding_box()
    assert box["x"] + box["width"] == pytest.approx(sheet["x"] + sheet["width"], abs=2)
    assert box["y"] + box["height"] <= image["y"]
    # Drawn as a stamp: a red border around 2 rows of 3 cells and the 档号 under them.
    assert stamp.evaluate("t => getComputedStyle(t).borderTopStyle") == "solid"
    assert stamp.locator("tr").count() == 3
    _shot(page, tmp_path, "stamp")
    assert problems == []
    context.close()
