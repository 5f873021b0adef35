"""Executing a destruction list as a background job (``dossier.jobs``), from the web.

:func:`start_execution` is the use case behind the list page's 执行销毁 button: the person
types the list's number to confirm, the job is queued, and the worker runs
:func:`retention.execute.execute` (item by item, each committed with its shredding-log entry),
reporting progress on the job. Results land where a command-line execution puts them: the items,
the tombstones, the shredding log and the list's certificate. One execution per list at a time.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from dossier import jobs
from dossier.actor import Actor
from dossier.archive import Archive
from dossier.catalog import zh
from dossier.errors import InvalidInput
from dossier.models import AccessAction, DestructionList, ItemState, Job, ListStatus
from dossier.permissions import Permission, require
from dossier.services.access import record_access
from retention.execute import execute
from retention.lists import get_list

KIND = "retention.execute"


def start_execution(
    session: Session, actor: Actor, dl: DestructionList, typed_number: str, *, queue: Callable[[int], None]
) -> Job:
    """Queue the execution of an approved list; ``typed_number`` must be the list's number (the
    confirmation of an irreversible act). The job is queued when the caller commits."""
    require(actor, Permission.PROPOSE_DESTRUCTION)
    if (typed_number or "").strip() != dl.number:
        raise InvalidInput("retention.confirm_mismatch", number=dl.number)
    if dl.status == ListStatus.PROPOSED:
        raise InvalidInput("retention.not_approved", number=dl.number)
    if dl.status == ListStatus.EXECUTED:
        raise InvalidInput("retention.already_executed", number=dl.number)
    pending = sum(1 for i in dl.items if i.state == ItemState.PENDING)
    job = jobs.submit(session, actor, KIND, {"list": dl.number}, queue=queue, target=dl.number, total=pending)
    record_access(session, actor, AccessAction.JOB_START, detail=jobs.started_detail(job))
    return job


def _run(running: jobs.Running) -> str:
    archive = Archive(running.settings)
    session = archive.new_session()
    try:
        actor = running.actor(session)
        dl = get_list(session, running.params["list"])
        running.keep_result(dl.number)
        report = execute(
            archive, session, actor, dl, progress=lambda done, total: running.progress(done, total)
        )
    finally:
        session.close()
    if report.pending:
        reasons = "；".join(f"#{p['document']} {p['reason']}" for p in report.pending[:5])
        return zh(
            "retention.job_pending",
            destroyed=len(report.destroyed),
            pending=len(report.pending),
            reasons=reasons,
        )
    return zh("retention.job_done", number=dl.number, destroyed=len(report.destroyed))


jobs.register(KIND, zh("retention.job.title"), _run, (Permission.PROPOSE_DESTRUCTION, Permission.AUDIT))
