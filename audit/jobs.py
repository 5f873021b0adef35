"""Audit runs as background jobs (``dossier.jobs``), started from the auditor's page.

:func:`start_audit` is the use case behind 开始检测: it checks the scope (a household that
exists, a sample of at least one) and queues the job; the worker opens the run and checks it
with :func:`audit.verification.verify_archive` (chunks committed as they are checked), reporting
progress on the job. The run, its fixity events and its report are the same records
``dossier audit verify`` writes. One audit job at a time; a job interrupted with its worker is
resumed from the run's cursor.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from audit.verification import (
    Scope,
    get_run,
    open_run,
    parse_since,
    remaining,
    run_scope,
    scope_size,
    verify_archive,
)
from dossier import jobs
from dossier.actor import Actor
from dossier.archive import Archive
from dossier.catalog import zh
from dossier.errors import InvalidInput
from dossier.models import AccessAction, Job
from dossier.permissions import Permission, require
from dossier.services.access import record_access

KIND = "audit.run"
CHUNK = 20  # documents per committed step: the progress bar moves at least this often


def start_audit(session: Session, actor: Actor, scope: Scope, *, queue: Callable[[int], None]) -> Job:
    """Queue an audit run of ``scope`` (queued when the caller commits)."""
    require(actor, Permission.AUDIT)
    if scope.sample is not None and scope.sample < 1:
        raise InvalidInput("audit.sample_min")
    total = scope_size(session, scope)  # refuses a household that does not exist
    job = jobs.submit(session, actor, KIND, scope.as_dict(), queue=queue, total=total)
    record_access(session, actor, AccessAction.JOB_START, detail=jobs.started_detail(job))
    return job


def _scope(params: dict) -> Scope:
    return Scope(params.get("household"), parse_since(params.get("since")), params.get("sample"))


def _run(running: jobs.Running) -> str:
    archive = Archive(running.settings)
    session = archive.new_session()  # the run commits per chunk and clears its session
    try:
        actor = running.actor(session)
        if running.result:  # resumed after its worker died: continue the same run
            run = get_run(session, actor, int(running.result))
        else:
            run, _resumed = open_run(session, actor, _scope(running.params), restart=True)
            running.keep_result(str(run.id))
        whole = run_scope(run).whole_archive
        done = run.documents_checked
        total = done + remaining(session, run)
        running.progress(done, total)

        def progress(checked: int) -> None:
            nonlocal done
            done += checked
            running.progress(done, total, zh("audit.job_archive_checks") if whole and done >= total else None)

        verify_archive(archive, session, run, progress=progress, chunk=CHUNK)
        failed = run.documents_failed + run.archive_failures
        summary = (
            zh("audit.job_done_failed", checked=run.documents_checked, failed=failed)
            if failed
            else zh("audit.job_done_ok", checked=run.documents_checked)
        )
    finally:
        session.close()
    return summary


jobs.register(KIND, zh("audit.job.title"), _run, (Permission.AUDIT,))
