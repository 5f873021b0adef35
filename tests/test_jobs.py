"""Background jobs (``dossier.jobs``) and the two kinds the web queues: an audit run and the
execution of a destruction list; and the shredding log as the web shows it (pages, certificate
ranges, the verdict in Chinese). Real archives (SQLite, and PostgreSQL where it runs)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from audit.jobs import start_audit
from audit.verification import Scope
from dossier import jobs
from dossier.actor import Actor
from dossier.errors import AlreadyExists, InvalidInput, NotFound, PermissionDenied
from dossier.models import AccessEvent, AuditRun, Document, Job, JobStatus, ShredLogEntry, User, utcnow
from retention import lists
from retention.jobs import start_execution
from retention.shredlog import certificate_ranges, entries_page, problem_zh, verify_log
from tests.jobs_helpers import run_queued
from tests.retention_helpers import add_retention_users, store_document
from tests.tamper import behind_the_back

H = "A-1-0101"


@pytest.fixture
def people(archive):
    from dossier.services.households import add_household

    with archive.session() as session:
        add_household(session, Actor.console(), None, H, owner="张三")
    return add_retention_users(archive)


@pytest.fixture
def test_kind():
    """A kind of job whose handler the test sets: ``box["handler"] = fn``."""
    box: dict = {}
    jobs.register("test.job", "测试任务", lambda running: box["handler"](running), ("audit",))
    yield box
    jobs._KINDS.pop("test.job", None)


def _job(archive, job_id: int) -> Job:
    with archive.session() as session:
        return session.get(Job, job_id)


def _submit(archive, actor, queued: list[int], kind="test.job", target=None, total=None) -> int:
    before = list(queued)
    with archive.session() as session:
        job = jobs.submit(session, actor, kind, {"n": 1}, queue=queued.append, target=target, total=total)
        job_id = job.id
        assert queued == before  # not before the transaction commits
    assert queued == [*before, job_id]
    return job_id


def test_a_job_is_queued_once_committed_and_runs_to_done(archive, people, test_kind):
    queued: list[int] = []
    # A refused request queues nothing.
    session = archive.new_session()
    jobs.submit(session, people["checker"], "test.job", {}, queue=queued.append)
    session.rollback()
    session.commit()
    session.close()
    assert queued == []

    def handler(running):
        assert running.params == {"n": 1}
        with archive.session() as session:
            assert running.actor(session).username == "checker"
        for done in range(1, 4):
            running.progress(done, 3)
        running.keep_result("42")
        return "完成了"

    test_kind["handler"] = handler
    job_id = _submit(archive, people["checker"], queued, total=3)
    assert _job(archive, job_id).status == JobStatus.QUEUED
    assert jobs.run(archive.settings, job_id) == JobStatus.DONE
    job = _job(archive, job_id)
    assert (job.status, job.done, job.total, job.result, job.message) == ("done", 3, 3, "42", "完成了")
    assert job.active_key is None and job.started_at and job.finished_at and job.attempts == 1
    assert jobs.run(archive.settings, job_id) is None  # a repeated message is harmless
    with archive.session() as session:
        view = jobs.job_view(jobs.get_job(session, people["checker"], job_id))
    assert view["percent"] == 100 and view["finished"] and view["kind_name"] == "测试任务"


def test_one_live_job_per_kind_and_target(archive, people, test_kind):
    queued: list[int] = []
    first = _submit(archive, people["checker"], queued, target="2026-001")
    with pytest.raises(AlreadyExists, match=f"#{first}"), archive.session() as session:
        jobs.submit(session, people["checker"], "test.job", {}, queue=queued.append, target="2026-001")
    _submit(archive, people["checker"], queued, target="2026-002")  # another target may run
    test_kind["handler"] = lambda running: None
    jobs.run(archive.settings, first)
    _submit(archive, people["checker"], queued, target="2026-001")  # the first one ended


def test_a_failing_handler_fails_its_job_with_the_message(archive, people, test_kind):
    queued: list[int] = []
    test_kind["handler"] = lambda running: (_ for _ in ()).throw(InvalidInput("jobs.not_found", job_id=7))
    job_id = _submit(archive, people["checker"], queued)
    assert jobs.run(archive.settings, job_id) == JobStatus.FAILED
    job = _job(archive, job_id)
    assert (job.status, job.message, job.active_key) == ("failed", "没有编号为 7 的后台任务。", None)

    test_kind["handler"] = lambda running: 1 / 0
    job_id = _submit(archive, people["checker"], queued)
    assert jobs.run(archive.settings, job_id) == JobStatus.FAILED
    assert "后台任务意外出错" in _job(archive, job_id).message  # no traceback for the user


def test_a_job_of_a_disabled_user_does_not_run(archive, people, test_kind):
    queued: list[int] = []

    def handler(running):
        with archive.session() as session:
            running.actor(session)
        return "ran"

    test_kind["handler"] = handler
    job_id = _submit(archive, people["checker"], queued)
    with archive.session() as session:
        session.execute(update(User).where(User.username == "checker").values(active=False))
    assert jobs.run(archive.settings, job_id) == JobStatus.FAILED
    assert "已停用" in _job(archive, job_id).message


def test_who_may_read_a_job(archive, people, test_kind):
    job_id = _submit(archive, people["checker"], [])
    with archive.session() as session:
        with pytest.raises(PermissionDenied):
            jobs.get_job(session, people["clerk"], job_id)
        with pytest.raises(PermissionDenied):
            jobs.list_jobs(session, people["clerk"], "test.job")
        with pytest.raises(NotFound):
            jobs.get_job(session, people["checker"], job_id + 100)
        assert [j.id for j in jobs.list_jobs(session, people["officer"], "test.job", live_only=True)] == [
            job_id
        ]


def test_a_job_whose_worker_died_is_queued_again_and_resumed(archive, people, test_kind):
    seen: list[str | None] = []

    def handler(running):
        seen.append(running.result)
        if running.result is None:
            running.keep_result("half")
            raise SystemExit  # stands for the worker dying mid-job (nothing records the end)
        return "resumed"

    test_kind["handler"] = handler
    job_id = _submit(archive, people["checker"], [])
    with pytest.raises(SystemExit):
        jobs.run(archive.settings, job_id)
    assert _job(archive, job_id).status == JobStatus.RUNNING
    with archive.session() as session:  # alive a moment ago: not taken back
        assert jobs.to_requeue(session, queue_empty=True) == []
        assert jobs.run(archive.settings, job_id) is None
        session.execute(
            update(Job).where(Job.id == job_id).values(heartbeat_at=utcnow() - jobs.STALE_AFTER * 2)
        )
    with archive.session() as session:
        assert jobs.to_requeue(session, queue_empty=False) == [job_id]
    assert _job(archive, job_id).status == JobStatus.QUEUED
    assert jobs.run(archive.settings, job_id) == JobStatus.DONE
    assert seen == [None, "half"] and _job(archive, job_id).attempts == 2


def test_a_job_the_worker_keeps_dying_on_fails(archive, people, test_kind):
    test_kind["handler"] = lambda running: "never"
    job_id = _submit(archive, people["checker"], [])
    with archive.session() as session:
        session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(status=JobStatus.RUNNING, attempts=jobs.MAX_ATTEMPTS, heartbeat_at=None)
        )
    assert jobs.run(archive.settings, job_id) is None
    job = _job(archive, job_id)
    assert job.status == JobStatus.FAILED and "中断了" in job.message and job.active_key is None


def test_a_lost_message_is_queued_again_when_the_queue_is_empty(archive, people, test_kind):
    job_id = _submit(archive, people["checker"], [])
    with archive.session() as session:
        session.execute(
            update(Job).where(Job.id == job_id).values(created_at=utcnow() - timedelta(minutes=10))
        )
    with archive.session() as session:
        assert jobs.to_requeue(session, queue_empty=False) == []
        assert jobs.to_requeue(session, queue_empty=True) == [job_id]
    with archive.session() as session:  # touched: not again at once
        assert jobs.to_requeue(session, queue_empty=True) == []


# --- the audit run as a job ----------------------------------------------------------------------


def test_an_audit_job_writes_the_run_the_cli_would(archive, people):
    for day in (1, 2, 3):
        store_document(archive, H, "repair", date(2015, 1, day), title=f"报修 {day}")
    queued: list[int] = []
    with archive.session() as session:
        with pytest.raises(PermissionDenied):
            start_audit(session, people["keeper"], Scope(), queue=queued.append)
        with pytest.raises(NotFound):
            start_audit(session, people["checker"], Scope(household="Z-9-9999"), queue=queued.append)
        with pytest.raises(InvalidInput):
            start_audit(session, people["checker"], Scope(sample=0), queue=queued.append)
        job_id = start_audit(session, people["checker"], Scope(), queue=queued.append).id
    assert queued == [job_id]
    from ingest.queue import enqueue_job

    enqueue_job(archive.settings, job_id)
    assert run_queued(archive.settings) == 1
    job = _job(archive, job_id)
    assert (job.status, job.done, job.total) == ("done", 3, 3) and "全部通过" in job.message
    with archive.session() as session:
        run = session.get(AuditRun, int(job.result))
        assert run.status == "finished" and run.documents_checked == 3 and run.started_by == "checker"
        assert (
            session.scalar(
                select(AccessEvent.detail).where(
                    AccessEvent.action == "job.start", AccessEvent.username == "checker"
                )
            )
            == f"启动后台任务 {job_id}：档案检测"
        )


# --- destruction as a job ------------------------------------------------------------------------


def _approved_list(archive, people) -> tuple[str, list[int]]:
    ids = [store_document(archive, H, "repair", date(2015, 1, day), title=f"报修 {day}") for day in (1, 2)]
    with archive.session() as session:
        dl = lists.propose(session, people["keeper"], lists.DueFilter())
        number = dl.number
    with archive.session() as session:
        lists.approve(session, people["officer"], lists.get_list(session, number))
    return number, ids


def test_executing_a_list_as_a_job(archive, people):
    number, ids = _approved_list(archive, people)
    queued: list[int] = []
    with archive.session() as session:
        dl = lists.get_list(session, number)
        with pytest.raises(InvalidInput, match="请输入清册编号"):
            start_execution(session, people["keeper"], dl, "2020-001", queue=queued.append)
        with pytest.raises(PermissionDenied):
            start_execution(session, people["checker"], dl, number, queue=queued.append)
        job_id = start_execution(session, people["keeper"], dl, f" {number} ", queue=queued.append).id
    with archive.session() as session, pytest.raises(AlreadyExists):
        start_execution(
            session, people["keeper"], lists.get_list(session, number), number, queue=queued.append
        )
    assert queued == [job_id]
    assert jobs.run(archive.settings, job_id) == JobStatus.DONE
    job = _job(archive, job_id)
    assert (job.done, job.total, job.result) == (2, 2, number) and "本次销毁电子文件 2 件" in job.message
    with archive.session() as session:
        assert lists.get_list(session, number).status == "executed"
        assert {session.get(Document, i).status for i in ids} == {"destroyed"}
        assert len(session.scalars(select(ShredLogEntry)).all()) == 2
        with pytest.raises(InvalidInput, match="已执行完毕"):
            start_execution(
                session, people["keeper"], lists.get_list(session, number), number, queue=queued.append
            )


def test_an_unapproved_list_is_not_executed(archive, people):
    store_document(archive, H, "repair", date(2015, 1, 1))
    with archive.session() as session:
        dl = lists.propose(session, people["keeper"], lists.DueFilter())
        with pytest.raises(InvalidInput, match="尚未批准"):
            start_execution(session, people["keeper"], dl, dl.number, queue=lambda job_id: None)


def test_extending_a_struck_item_counts_from_its_disposal_date(archive, people):
    doc_id = store_document(archive, H, "repair", date(2015, 1, 1))
    with archive.session() as session:
        dl = lists.propose(session, people["keeper"], lists.DueFilter())
        was_due = dl.items[0].disposal_date
        lists.strike(session, people["officer"], dl, doc_id, "业主要求保留", extend_years=4)
    with archive.session() as session:
        assert session.get(Document, doc_id).disposal_date == date(
            was_due.year + 4, was_due.month, was_due.day
        )


# --- the shredding log as the web shows it -------------------------------------------------------


def test_shredding_log_pages_ranges_and_verdict(archive, people):
    number, _ids = _approved_list(archive, people)
    with archive.session() as session:
        job_id = start_execution(
            session, people["keeper"], lists.get_list(session, number), number, queue=lambda i: None
        ).id
    jobs.run(archive.settings, job_id)
    with archive.session() as session:
        with pytest.raises(PermissionDenied):
            entries_page(session, people["keeper"])
        total, page = entries_page(session, people["checker"], limit=1)
        assert total == 2 and [e["seq"] for e in page] == [2]  # newest first
        assert page[0]["by_name"] == "keeper" and page[0]["record"]["list"] == number
        total, page = entries_page(session, people["checker"], limit=1, offset=1)
        assert [e["seq"] for e in page] == [1]
        assert entries_page(session, people["checker"], list_number="1999-001") == (0, [])
        (rng,) = certificate_ranges(session, people["checker"])
        assert (rng["list"], rng["first"], rng["last"], rng["entries"], rng["matches"]) == (
            number,
            1,
            2,
            2,
            True,
        )
        assert verify_log(session, people["checker"], archive.signer.public_key).ok

    with behind_the_back(archive) as conn:  # someone with database access rewrites entry 2
        record = json.loads(conn.execute(select(ShredLogEntry.record).where(ShredLogEntry.seq == 2)).scalar())
        record["title"] = "别的文件"
        conn.execute(
            update(ShredLogEntry.__table__)
            .where(ShredLogEntry.seq == 2)
            .values(record=json.dumps(record, ensure_ascii=False))
        )
    with archive.session() as session:
        verdict = verify_log(session, people["checker"], archive.signer.public_key)
        assert not verdict.ok and verdict.broken_at == 2
        assert problem_zh(verdict.problems[0]["problem"]) == "第 2 条：其记录与其哈希值不符（已被改动）"
        assert certificate_ranges(session, people["checker"])[0]["matches"] is True  # hashes untouched
        conn_hash = session.scalar(select(ShredLogEntry.entry_hash).where(ShredLogEntry.seq == 1))
    with behind_the_back(archive) as conn:
        conn.execute(
            update(ShredLogEntry.__table__).where(ShredLogEntry.seq == 1).values(entry_hash="0" * 64)
        )
    with archive.session() as session:
        assert certificate_ranges(session, people["checker"])[0]["matches"] is False
        assert conn_hash != "0" * 64
    assert problem_zh("something new") == "完整性检查未通过"
