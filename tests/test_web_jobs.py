"""Background jobs and the shredding log through Flask's test client: a job's JSON and page,
who may see them, a failed job's message on the list page, the confirmations on the review
page, and the shredding log (销毁记录) with its 校验 in Chinese."""

from __future__ import annotations

import json
import re
from html import unescape

from sqlalchemy import select, update

from dossier.archive import Archive
from dossier.models import ShredLogEntry, User
from tests.jobs_helpers import run_queued
from tests.tamper import behind_the_back
from tests.test_web_retention import due_docs  # noqa: F401 - the fixture

JSON = {"Accept": "application/json"}


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def _login(client, web_login, username):
    client.post("/logout")
    assert web_login(client, username).status_code == 302


def _approved_list(client, web_login) -> str:
    _login(client, web_login, "archivist")
    number = client.post("/retention/propose", data={}).headers["Location"].rsplit("/", 1)[-1]
    _login(client, web_login, "officer")
    assert client.post(f"/retention/lists/{number}/approve").status_code == 302
    _login(client, web_login, "archivist")
    return number


def _execute(client, number: str) -> int:
    response = client.post(f"/retention/lists/{number}/execute", data={"confirm_number": number})
    assert response.status_code == 302
    body = text(client.get(f"/retention/lists/{number}"))
    return int(re.search(r'data-job-url="/jobs/(\d+)"', body).group(1))


def test_the_review_page_asks_before_approving_and_executing(web_client, web_login, due_docs):  # noqa: F811
    _login(web_client, web_login, "archivist")
    number = web_client.post("/retention/propose", data={}).headers["Location"].rsplit("/", 1)[-1]
    _login(web_client, web_login, "officer")
    body = text(web_client.get(f"/retention/lists/{number}"))
    assert (
        'data-confirm="confirm-approve"' in body
        and '<dialog class="confirm-dialog" id="confirm-approve"' in body
    )
    assert f"批准销毁清册 {number}？" in body and "自该件的到期日期起算" in body
    web_client.post(f"/retention/lists/{number}/approve")
    _login(web_client, web_login, "archivist")
    body = text(web_client.get(f"/retention/lists/{number}"))
    assert f'data-must-match="{number}"' in body and f"请输入清册编号 {number} 以确认" in body
    assert 'data-confirm="confirm-paper"' in body and 'id="confirm-paper"' in body


def test_a_job_as_json_and_as_a_page_for_those_who_may_see_it(web_client, web_login, web_archive, due_docs):  # noqa: F811
    number = _approved_list(web_client, web_login)
    job_id = _execute(web_client, number)
    job = web_client.get(f"/jobs/{job_id}", headers=JSON).get_json()
    assert job["status"] == "queued" and job["total"] == 3 and job["kind_name"] == "执行销毁"
    assert job["created_by_name"] == "陈档案" and job["target"] == number
    # No worker has said it is alive: the page says the job waits for it (never "run a command").
    assert job["note"] == "后台处理服务暂未运行，任务将在它启动后自动开始。"
    page = text(web_client.get(f"/jobs/{job_id}"))
    assert "后台任务" in page and "排队中" in page and "可以离开本页" in page
    _login(web_client, web_login, "auditor")  # auditors read destruction jobs too
    assert web_client.get(f"/jobs/{job_id}", headers=JSON).status_code == 200
    _login(web_client, web_login, "staff")
    assert web_client.get(f"/jobs/{job_id}", headers=JSON).status_code == 403
    _login(web_client, web_login, "archivist")
    assert web_client.get("/jobs/9999", headers=JSON).status_code == 404
    run_queued(web_archive.settings)
    job = web_client.get(f"/jobs/{job_id}", headers=JSON).get_json()
    assert job["status"] == "done" and job["done"] == 3 and job["percent"] == 100
    assert (
        job["result_url"] == f"/retention/lists/{number}/certificate"
        and job["result_label"] == "查看销毁证明"
    )


def test_a_failed_execution_says_why_on_the_list_page(web_client, web_login, web_archive, due_docs):  # noqa: F811
    number = _approved_list(web_client, web_login)
    job_id = _execute(web_client, number)
    with Archive(web_archive.settings).session() as session:  # the archivist leaves meanwhile
        session.execute(update(User).where(User.username == "archivist").values(active=False))
    run_queued(web_archive.settings)
    _login(web_client, web_login, "officer")
    body = text(web_client.get(f"/retention/lists/{number}"))
    assert 'data-job-status="failed"' in body and "任务失败：发起此任务的用户 陈档案 已停用" in body
    assert web_client.get(f"/jobs/{job_id}", headers=JSON).get_json()["status"] == "failed"
    # The list is still approved and may be executed again (by someone still here).
    assert 'id="execute-form"' in body


def test_the_shredding_log_page_and_its_verification(web_client, web_login, web_archive, due_docs):  # noqa: F811
    number = _approved_list(web_client, web_login)
    _execute(web_client, number)
    run_queued(web_archive.settings)
    # Archivists propose and execute but do not audit: no 销毁记录 for them.
    assert "销毁记录" not in text(web_client.get("/retention"))
    assert web_client.get("/retention/shredlog").status_code == 403
    _login(web_client, web_login, "auditor")
    assert 'id="shredlog-link"' in text(web_client.get("/audit"))
    assert 'id="shredlog-link"' in text(web_client.get("/retention"))
    body = text(web_client.get("/retention/shredlog"))
    assert "共 3 条，最新的在前" in body and body.count("data-seq=") == 3
    assert re.search(rf'<tr data-list="{number}">.*?1–3.*?相符', body, re.S)
    assert "陈档案" in body and "报修单 2015" in body
    only = text(web_client.get(f"/retention/shredlog?list={number}"))
    assert f"销毁清册 {number} 的记录" in only and only.count("data-seq=") == 3
    assert text(web_client.get("/retention/shredlog?list=1999-001")).count("data-seq=") == 0
    ok = text(web_client.get("/retention/shredlog?verify=1"))
    assert "销毁记录完整：共 3 条" in ok

    archive = Archive(web_archive.settings)
    with behind_the_back(archive) as conn:
        record = json.loads(conn.execute(select(ShredLogEntry.record).where(ShredLogEntry.seq == 2)).scalar())
        record["title"] = "别的文件"
        conn.execute(
            update(ShredLogEntry.__table__)
            .where(ShredLogEntry.seq == 2)
            .values(record=json.dumps(record, ensure_ascii=False))
        )
    broken = text(web_client.get("/retention/shredlog?verify=1"))
    assert "销毁记录校验未通过：自第 2 条起出现问题。" in broken
    assert "第 2 条：其记录与其哈希值不符（已被改动）" in broken
    _login(web_client, web_login, "staff")
    assert web_client.get("/retention/shredlog").status_code == 403
