"""``GET`` and ``PATCH /api/v1/documents/ID``: the record, the pages' text and the signed history;
corrections by archivists and admins only, each with a reason, bad input a 400 with one sentence."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.usefixtures("web_search_docs")


def _headers(web_archive, user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {web_archive.tokens[user]}"}


def _get(client, web_archive, user: str, doc: int, **params):
    return client.get(f"/api/v1/documents/{doc}", headers=_headers(web_archive, user), query_string=params)


def _patch(client, web_archive, user: str, doc: int, body):
    return client.patch(f"/api/v1/documents/{doc}", headers=_headers(web_archive, user), json=body)


def test_get_has_the_record_the_pages_and_the_history(web_client, web_archive, web_search_docs):
    fund = web_search_docs.ids["fund"]
    body = _get(web_client, web_archive, "staff", fund).get_json()
    assert body["title"] == "维修基金缴纳通知" and body["household"] == "A-1-0101"
    assert [p["number"] for p in body["pages"]] == [1, 2] and "维修基金" in body["pages"][1]["text"]
    assert [e["action"] for e in body["history"]] == ["intake", "processed"]
    assert _get(web_client, web_archive, "staff", web_search_docs.ids["secret"]).status_code == 404
    secret = _get(web_client, web_archive, "archivist", web_search_docs.ids["secret"], purpose="核对")
    assert secret.status_code == 200 and "110101199003071234" in secret.get_json()["pages"][0]["text"]
    assert _get(web_client, web_archive, "staff", 99999).status_code == 404


def test_an_archivist_corrects_title_and_household(web_client, web_archive, web_search_docs):
    fund = web_search_docs.ids["fund"]
    answer = _patch(
        web_client,
        web_archive,
        "archivist",
        fund,
        {"title": "维修基金缴纳通知（2020）", "reason": "题名不全"},
    )
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["document"]["title"] == "维修基金缴纳通知（2020）"
    assert body["change"]["by"] == "archivist" and body["change"]["reason"] == "题名不全"

    moved = _patch(web_client, web_archive, "admin", fund, {"household": "S-101", "reason": "归错了户"})
    assert moved.status_code == 200 and moved.get_json()["document"]["household"] == "S-101"

    shown = _get(web_client, web_archive, "staff", fund).get_json()
    assert shown["title"] == "维修基金缴纳通知（2020）" and shown["household"] == "S-101"
    corrected = [e for e in shown["history"] if e["action"] == "corrected"]
    assert [(e["by"], e["reason"]) for e in corrected] == [("archivist", "题名不全"), ("admin", "归错了户")]
    assert set(corrected[1]["changes"]) == {"household"}

    # the index followed the move: the document is found under its new household only
    search = web_client.get(
        "/api/v1/search",
        headers=_headers(web_archive, "staff"),
        query_string={"q": "缴费明细", "household": "S-101"},
    ).get_json()
    assert [h["document"] for h in search["hits"]] == [fund]


def test_every_field_can_be_corrected_and_the_disposal_date_follows(web_client, web_archive, web_search_docs):
    reno = web_search_docs.ids["reno"]
    answer = _patch(
        web_client,
        web_archive,
        "archivist",
        reno,
        {
            "type": "repair",
            "date": "2019-07-01",
            "retention": "D10",
            "confidential": True,
            "reason": "录入有误",
        },
    )
    assert answer.status_code == 200, answer.get_json()
    doc = answer.get_json()["document"]
    assert (doc["type"], doc["date"], doc["retention_class"], doc["confidentiality"]) == (
        "repair",
        "2019-07-01",
        "D10",
        "confidential",
    )
    assert doc["disposal_date"] == "2030-01-01"
    assert _get(web_client, web_archive, "staff", reno).status_code == 404  # now confidential
    back = _patch(
        web_client,
        web_archive,
        "archivist",
        reno,
        {"confidential": False, "retention": "default", "reason": "恢复"},
    )
    assert back.status_code == 200 and back.get_json()["document"]["retention_class"] is None


def test_staff_may_not_correct(web_client, web_archive, web_search_docs):
    fund = web_search_docs.ids["fund"]
    for user in ("staff", "auditor"):
        assert _patch(web_client, web_archive, user, fund, {"title": "x", "reason": "y"}).status_code == 403
    assert _get(web_client, web_archive, "staff", fund).get_json()["title"] == "维修基金缴纳通知"
    assert (
        web_client.patch(f"/api/v1/documents/{fund}", json={"title": "x", "reason": "y"}).status_code == 401
    )


@pytest.mark.parametrize(
    "body, fragment",
    [
        ({"title": "新题名"}, "reason"),
        ({"title": "新题名", "reason": "   "}, "reason"),
        ({"reason": "只有理由"}, "至少"),
        ({"title": "新题名", "reason": "r", "colour": "red"}, "colour"),
        ({"confidential": "yes", "reason": "r"}, "confidential"),
        ({"title": 5, "reason": "r"}, "title"),
        ({"date": "2020-02-30", "reason": "r"}, "2020-02-30"),
        ({"type": "nonsense", "reason": "r"}, "nonsense"),
        ({"retention": "X99", "reason": "r"}, "X99"),
        ({"household": "Z-9-9999", "reason": "r"}, "Z-9-9999"),
        ({"title": "维修基金缴纳通知", "reason": "r"}, "没有需要更改"),
        ({"title": " ", "reason": "r"}, "题名"),
        (["title"], "JSON"),
    ],
)
def test_bad_input_is_a_400_with_one_sentence(web_client, web_archive, web_search_docs, body, fragment):
    fund = web_search_docs.ids["fund"]
    answer = _patch(web_client, web_archive, "archivist", fund, body)
    assert answer.status_code == 400, answer.get_json()
    body = answer.get_json()
    message = body["error_zh"]  # the Chinese sentence; the English one beside it, and the code
    assert fragment in message and "\n" not in message and "Traceback" not in message
    assert body["code"] and body["error"] and "\n" not in body["error"]
    history = _get(web_client, web_archive, "archivist", fund).get_json()["history"]
    assert [e["action"] for e in history] == ["intake", "processed"]  # nothing half-written


def test_unknown_document_is_a_404(web_client, web_archive):
    answer = _patch(web_client, web_archive, "archivist", 99999, {"title": "x", "reason": "y"})
    assert answer.status_code == 404 and answer.get_json()["error"]


def test_an_error_answers_its_code_in_english_and_in_chinese(web_client, web_archive, web_search_docs):
    missing = _get(web_client, web_archive, "archivist", 99999)
    assert missing.status_code == 404
    assert missing.get_json() == {
        "code": "document.not_found",
        "error": "there is no document 99999",
        "error_zh": "没有编号为 99999 的文件。",
    }
    fund = web_search_docs.ids["fund"]
    unchanged = _patch(
        web_client, web_archive, "archivist", fund, {"title": "维修基金缴纳通知", "reason": "r"}
    )
    assert unchanged.status_code == 400
    assert unchanged.get_json() == {
        "code": "correction.nothing_changed",
        "error": f"nothing to change: the record of document {fund} already says so",
        "error_zh": f"没有需要更改的内容：文件 {fund} 的著录信息已是如此。",
    }
