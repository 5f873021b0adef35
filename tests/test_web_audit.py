"""The auditor's pages: start a run (a background job the worker runs), read its four-property
summary and failures, a document's fixity history, download the report; role checks and CSRF."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import quote

import pytest

from dossier import localtime
from dossier.archive import Archive
from tests.audit_helpers import flip_byte, original_key
from tests.jobs_helpers import run_queued
from tests.web_fixtures import web_csrf_token


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def _start(client, **data):
    return client.post("/audit/runs", data={"sample": "", "household": "", **data})


def test_an_auditor_starts_a_run_and_reads_its_failures(web_client, web_login, web_archive, web_search_docs):
    archive = Archive(web_archive.settings)
    flip_byte(archive, original_key(archive, web_search_docs.ids["fund"]))
    web_login(web_client, "auditor")
    index = text(web_client.get("/audit"))
    assert "尚未进行检测" in index and "开始检测" in index
    response = _start(web_client)
    assert response.status_code == 302 and response.headers["Location"] == "/audit"
    index = text(web_client.get("/audit"))
    assert "检测已开始" in index and "排队中" in index and "data-job-url" in index
    job_url = re.search(r'data-job-url="(/jobs/\d+)"', index).group(1)
    assert web_client.get(job_url, headers={"Accept": "application/json"}).get_json()["status"] == "queued"
    assert run_queued(web_archive.settings) == 1  # what the worker does
    job = web_client.get(job_url, headers={"Accept": "application/json"}).get_json()
    assert job["status"] == "done" and job["percent"] == 100 and job["done"] == job["total"] == 7
    assert "发现" in job["message"] and job["result_label"] == "查看检测报告"
    location = job["result_url"]
    assert re.search(r"/audit/runs/\d+$", location)
    page = text(web_client.get(location))
    assert (
        "未通过" in page and "真实性" in page and "完整性" in page and "可用性" in page and "安全性" in page
    )
    fund = web_search_docs.ids["fund"]
    assert f'href="/audit/documents/{fund}"' in page and "原件可解密且未被改动" in page
    assert "从未通过" in page
    history = text(web_client.get(f"/audit/documents/{fund}"))
    assert "原件可解密且未被改动" in history and "未通过" in history and "入库记录的签名有效" in history
    run_id = int(location.rsplit("/", 1)[1])
    csv_response = web_client.get(f"/audit/runs/{run_id}/report.csv")
    assert csv_response.status_code == 200 and csv_response.mimetype == "text/csv"
    assert f"{fund},A-1-0101,完整性,原件可解密且未被改动," in csv_response.get_data(as_text=True)
    disposition = csv_response.headers["Content-Disposition"]
    day = localtime.today().isoformat()  # the run started just now
    assert disposition.startswith(f'attachment; filename="audit-report-{run_id}-{day}.csv"')
    assert disposition.endswith("filename*=UTF-8''" + quote(f"四性检测报告-{day}.csv"))
    report = web_client.get(f"/audit/runs/{run_id}/report.json").get_json()
    assert report["title"] == "电子档案四性检测报告（DA/T 70）" and report["verdict"] == "未通过"
    assert {f["property_name"] for f in report["failures"]} <= {"真实性", "完整性", "可用性", "安全性"}
    html = web_client.get(f"/audit/runs/{run_id}/report.html").get_data(as_text=True)
    assert "检测人" in html and "UTC" not in html and "从未通过" in html
    assert f"#{run_id}" in text(web_client.get("/audit"))


def test_one_audit_job_at_a_time_and_never_the_server_shell(
    web_client, web_login, web_archive, web_search_docs
):
    web_login(web_client, "officer")
    assert _start(web_client, sample="2").status_code == 302
    refused = _start(web_client)
    assert refused.status_code == 409 and "已有一个档案检测任务" in text(refused)
    index = text(web_client.get("/audit"))
    assert "dossier audit verify" not in index and "服务器" not in index
    assert run_queued(web_archive.settings) == 1
    assert "抽检 2 件" in text(web_client.get("/audit"))
    assert _start(web_client).status_code == 302  # the first one ended: a new one may start
    unknown = _start(web_client, household="Z-9-9999")
    assert unknown.status_code == 404 and "Z-9-9999" in text(unknown)


@pytest.mark.parametrize("username", ["staff", "archivist"])
def test_others_may_not_audit(web_client, web_login, username):
    web_login(web_client, username)
    assert "/audit" not in text(web_client.get("/"))
    for path in ("/audit", "/audit/runs/1", "/audit/documents/1", "/audit/runs/1/report.csv"):
        assert web_client.get(path).status_code == 403
    assert _start(web_client).status_code == 403


def test_starting_a_run_needs_the_csrf_token(web_csrf_client, web_login):
    web_login(web_csrf_client, "auditor")
    assert web_csrf_client.post("/audit/runs", data={"sample": "1"}).status_code == 400
    token = web_csrf_token(web_csrf_client, "/audit")
    ok = web_csrf_client.post("/audit/runs", data={"sample": "1", "csrf_token": token})
    assert ok.status_code == 302
