"""Background jobs: long tasks the web hands to the worker, with their progress in the catalog.

A job is a row (``dossier.models.Job``): what to do (a kind and its parameters), who asked, its
status (queued → running → done or failed), how far it got and where its result is. The layers
above register a handler per kind (:func:`register`: ``audit.jobs``, ``retention.jobs``); the
queue carries only job ids, and its task calls :func:`run`, which claims the job, calls the
handler and records the outcome. The worker's entry point imports the handlers before it takes
work; a kind nobody registered fails with a message.

Who commits: :func:`submit` only adds the row to the caller's transaction and queues the job once
that transaction commits (so the worker never looks for a job that is not there yet, and a
refused request queues nothing). :func:`run` and a handler's :meth:`Running.progress` write in
short transactions of their own, so the page polling a job sees it move while the handler's
own work commits in its steps.

At most one job per kind and target (a destruction list's number, or none) is queued or running:
``active_key`` is unique while a job is live and cleared when it ends. A running job beats every
``HEARTBEAT_SECONDS``; one silent for ``STALE_AFTER`` (its worker died) is queued again by the
worker's housekeeping (:func:`to_requeue`), and its handler resumes; after ``MAX_ATTEMPTS``
starts it fails.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, and_, event, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dossier.actor import Actor
from dossier.catalog import zh
from dossier.config import Settings
from dossier.db import session_scope
from dossier.errors import AlreadyExists, DossierError, InvalidInput, NotFound, PermissionDenied
from dossier.models import Channel, Job, JobStatus, User, utcnow
from dossier.people import display_names
from dossier.permissions import Permission, require_any

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 20.0
STALE_AFTER = timedelta(minutes=2)
STRANDED_AFTER = timedelta(minutes=2)
MAX_ATTEMPTS = 3
LIVE = (JobStatus.QUEUED, JobStatus.RUNNING)

STATUS_NAMES_ZH: dict[str, str] = {
    JobStatus.QUEUED: zh("jobs.status.queued"),
    JobStatus.RUNNING: zh("jobs.status.running"),
    JobStatus.DONE: zh("jobs.status.done"),
    JobStatus.FAILED: zh("jobs.status.failed"),
}

# What a job's page says when its handler crashed (stored on the job, in Chinese: the web shows it).
UNEXPECTED = zh("jobs.unexpected")


@dataclass
class Running:
    """What a handler gets: the job's facts and the means to report progress."""

    settings: Settings
    job_id: int
    kind: str
    params: dict[str, Any]
    result: str | None  # kept by an earlier attempt (a handler resumes from it)
    created_by_id: int | None
    created_by: str
    channel: Channel

    def actor(self, session: Session) -> Actor:
        """The person who asked for the job, as they are now (a disabled account acts no more)."""
        user = session.get(User, self.created_by_id) if self.created_by_id is not None else None
        if user is None or not user.active:
            name = (user.display_name if user is not None else None) or self.created_by
            raise PermissionDenied("jobs.starter_disabled", name=name)
        return Actor.from_user(user, self.channel)

    def progress(self, done: int, total: int | None = None, message: str | None = None) -> None:
        """How far the job got (in a short transaction of its own)."""
        values: dict[str, Any] = {"done": done, "heartbeat_at": utcnow()}
        if total is not None:
            values["total"] = total
        if message is not None:
            values["message"] = message
        _update_live(self.settings, self.job_id, values)

    def keep_result(self, result: str) -> None:
        """Where the result is (an audit run's id, a list's number), as soon as it exists."""
        self.result = result
        _update_live(self.settings, self.job_id, {"result": result})


Handler = Callable[[Running], "str | None"]  # returns the closing message, or None


@dataclass(frozen=True)
class Kind:
    code: str
    title_zh: str  # what the pages call it, e.g. 全库检测
    handler: Handler
    readers: tuple[Permission, ...]  # who may see such jobs


_KINDS: dict[str, Kind] = {}


def register(code: str, title_zh: str, handler: Handler, readers: tuple[Permission, ...]) -> None:
    """Name the handler of one kind of job (called when the module defining it is imported)."""
    _KINDS[code] = Kind(code, title_zh, handler, readers)


def kind_title(code: str) -> str:
    kind = _KINDS.get(code)
    return kind.title_zh if kind is not None else code


def started_detail(job: Job, target: str | None = None) -> str:
    """The access-log detail of a job's start, in Chinese: its number, what it is and on what."""
    target = target or job.target
    where = zh("jobs.log.target", target=target) if target else ""
    return zh("jobs.log.started", job_id=job.id, title=kind_title(job.kind), target=where)


def _key(kind: str, target: str | None) -> str:
    return f"{kind}:{target or ''}"


# --- submitting --------------------------------------------------------------------------------

_TO_QUEUE = "dossier.jobs.to_queue"


def _queue_pending(session: Session) -> None:
    for job_id, queue in session.info.pop(_TO_QUEUE, []):
        try:
            queue(job_id)
        except Exception:  # noqa: BLE001 - the job stays queued; the worker's housekeeping queues it again
            log.exception("job %s is committed but could not be queued; housekeeping will retry", job_id)


def _forget_pending(session: Session) -> None:
    session.info.pop(_TO_QUEUE, None)


def submit(
    session: Session,
    actor: Actor,
    kind: str,
    params: dict[str, Any],
    *,
    queue: Callable[[int], None],
    target: str | None = None,
    total: int | None = None,
) -> Job:
    """A new queued job (added to the caller's transaction); ``queue(job_id)`` is called once that
    transaction commits. Refused while a job of the same kind and target is queued or running.
    The caller checks the permission for the kind (``submit`` is called by the domain's service)."""
    spec = _KINDS.get(kind)
    if spec is None:
        raise InvalidInput("jobs.unknown_kind", kind=kind)
    key = _key(kind, target)
    live = session.scalar(select(Job.id).where(Job.active_key == key))
    if live is not None:
        raise AlreadyExists("jobs.already_running_id", title=spec.title_zh, job_id=live)
    job = Job(
        kind=kind,
        target=target,
        active_key=key,
        params=json.dumps(params, ensure_ascii=False, sort_keys=True),
        status=JobStatus.QUEUED,
        done=0,
        total=total,
        attempts=0,
        created_by_id=actor.user_id,
        created_by=actor.username,
        channel=actor.channel,
        created_at=utcnow(),
    )
    session.add(job)
    try:
        session.flush()
    except IntegrityError:  # another request started the same job a moment ago
        raise AlreadyExists("jobs.already_running", title=spec.title_zh) from None
    session.info.setdefault(_TO_QUEUE, []).append((job.id, queue))
    if not event.contains(session, "after_commit", _queue_pending):
        event.listen(session, "after_commit", _queue_pending)
        event.listen(session, "after_rollback", _forget_pending)
    return job


# --- reading -----------------------------------------------------------------------------------


def _may_read(actor: Actor, job: Job) -> None:
    spec = _KINDS.get(job.kind)
    require_any(actor, *(spec.readers if spec is not None else (Permission.ADMIN,)))


def get_job(session: Session, actor: Actor, job_id: int) -> Job:
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound("jobs.not_found", job_id=job_id)
    _may_read(actor, job)
    return job


def list_jobs(
    session: Session,
    actor: Actor,
    kind: str,
    *,
    target: str | None = None,
    live_only: bool = False,
    limit: int = 10,
) -> list[Job]:
    """The newest jobs of one kind (of one target, if given), newest first."""
    spec = _KINDS.get(kind)
    require_any(actor, *(spec.readers if spec is not None else (Permission.ADMIN,)))
    query = select(Job).where(Job.kind == kind)
    if target is not None:
        query = query.where(Job.target == target)
    if live_only:
        query = query.where(Job.status.in_(LIVE))
    return list(session.scalars(query.order_by(Job.id.desc()).limit(limit)))


def creator_names(session: Session, rows: list[Job]) -> dict[str, str]:
    """username → 姓名 of the people who started these jobs (those who have one)."""
    return display_names(session, (job.created_by for job in rows))


def percent(job: Job) -> float | None:
    if job.status == JobStatus.DONE:
        return 100.0
    if not job.total:
        return None
    return round(min(100.0, 100.0 * job.done / job.total), 1)


def job_view(job: Job, names: dict[str, str] | None = None) -> dict[str, Any]:
    """A job as the pages and their polling see it (times as ISO-8601, UTC); ``names`` gives
    the 姓名 of its creator (:func:`creator_names`)."""
    return {
        "id": job.id,
        "kind": job.kind,
        "kind_name": kind_title(job.kind),
        "target": job.target,
        "status": str(job.status),
        "status_name": STATUS_NAMES_ZH.get(job.status, str(job.status)),
        "done": job.done,
        "total": job.total,
        "percent": percent(job),
        "message": job.message,
        "result": job.result,
        "created_by": job.created_by,
        "created_by_name": (names or {}).get(job.created_by, job.created_by),
        "created_at": job.created_at.isoformat() if job.created_at else None,
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "finished": job.status in (JobStatus.DONE, JobStatus.FAILED),
    }


# --- running -----------------------------------------------------------------------------------


def _update_live(settings: Settings, job_id: int, values: dict[str, Any]) -> None:
    with session_scope(settings) as session:
        session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == JobStatus.RUNNING)
            .values(**values)
            .execution_options(synchronize_session=False)
        )


def _finish(settings: Settings, job_id: int, status: JobStatus, message: str | None) -> None:
    values: dict[str, Any] = {"status": status, "finished_at": utcnow(), "active_key": None}
    if message is not None:
        values["message"] = message[:4000]
    with session_scope(settings) as session:
        session.execute(
            update(Job).where(Job.id == job_id).values(**values).execution_options(synchronize_session=False)
        )


def _claim(settings: Settings, job_id: int) -> Running | None:
    """Take the job: queued, or running with a silent worker. None when it is not to be run here."""
    now = utcnow()
    with session_scope(settings) as session:
        claimed = cast(
            CursorResult[Any],
            session.execute(
                update(Job)
                .where(
                    Job.id == job_id,
                    or_(
                        Job.status == JobStatus.QUEUED,
                        and_(
                            Job.status == JobStatus.RUNNING,
                            or_(Job.heartbeat_at.is_(None), Job.heartbeat_at < now - STALE_AFTER),
                        ),
                    ),
                )
                .values(status=JobStatus.RUNNING, attempts=Job.attempts + 1, heartbeat_at=now)
                .execution_options(synchronize_session=False)
            ),
        )
        if claimed.rowcount != 1:
            return None
        job = session.get(Job, job_id)
        assert job is not None  # just claimed
        if job.started_at is None:
            job.started_at = now
        if job.attempts > MAX_ATTEMPTS:
            return None
        return Running(
            settings=settings,
            job_id=job.id,
            kind=job.kind,
            params=json.loads(job.params),
            result=job.result,
            created_by_id=job.created_by_id,
            created_by=job.created_by,
            channel=job.channel,
        )


class _Heartbeat:
    """Says the job is alive every ``HEARTBEAT_SECONDS`` while its handler works."""

    def __init__(self, settings: Settings, job_id: int):
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._beat, args=(settings, job_id), name=f"dossier-job-{job_id}", daemon=True
        )

    def _beat(self, settings: Settings, job_id: int) -> None:
        while not self._stop.wait(HEARTBEAT_SECONDS):
            try:
                _update_live(settings, job_id, {"heartbeat_at": utcnow()})
            except Exception:  # noqa: BLE001 - a passing database hiccup; the next beat tries again
                log.exception("job %s: heartbeat failed", job_id)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(HEARTBEAT_SECONDS)


def run(settings: Settings, job_id: int) -> JobStatus | None:
    """Run one job here (the queue's task calls this): claim it, call its kind's handler, record
    how it ended. Returns the final status, or None when the job was not there to be run (done,
    taken by another worker, or gone)."""
    running = _claim(settings, job_id)
    if running is None:
        _fail_exhausted(settings, job_id)
        return None
    spec = _KINDS.get(running.kind)
    try:
        with _Heartbeat(settings, job_id):
            if spec is None:
                raise InvalidInput("jobs.worker_unknown_kind", kind=running.kind)
            message = spec.handler(running)
    except DossierError as exc:
        log.warning("job %s (%s) failed: %s", job_id, running.kind, exc.message)
        _finish(settings, job_id, JobStatus.FAILED, exc.render("zh"))
        return JobStatus.FAILED
    except Exception:  # noqa: BLE001 - recorded on the job; the traceback goes to the worker's log
        log.exception("job %s (%s) failed", job_id, running.kind)
        _finish(settings, job_id, JobStatus.FAILED, UNEXPECTED)
        return JobStatus.FAILED
    _finish(settings, job_id, JobStatus.DONE, message)
    return JobStatus.DONE


def _fail_exhausted(settings: Settings, job_id: int) -> None:
    """A job started ``MAX_ATTEMPTS`` times whose worker died each time fails for good."""
    with session_scope(settings) as session:
        session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == JobStatus.RUNNING, Job.attempts > MAX_ATTEMPTS)
            .values(
                status=JobStatus.FAILED,
                finished_at=utcnow(),
                active_key=None,
                message=zh("jobs.exhausted", attempts=MAX_ATTEMPTS),
            )
            .execution_options(synchronize_session=False)
        )


def to_requeue(session: Session, *, queue_empty: bool) -> list[int]:
    """Jobs to queue again (the worker's housekeeping; the caller commits): running jobs whose
    worker fell silent (put back to queued), and, when the queue is empty, queued jobs whose
    message was lost."""
    now = utcnow()
    stale = list(
        session.scalars(
            select(Job.id).where(
                Job.status == JobStatus.RUNNING,
                or_(Job.heartbeat_at.is_(None), Job.heartbeat_at < now - STALE_AFTER),
            )
        )
    )
    if stale:
        session.execute(
            update(Job)
            .where(Job.id.in_(stale))
            .values(status=JobStatus.QUEUED, heartbeat_at=now, message=zh("jobs.requeued"))
            .execution_options(synchronize_session=False)
        )
    stranded: list[int] = []
    if queue_empty:
        touched = func.coalesce(Job.heartbeat_at, Job.created_at)
        stranded = list(
            session.scalars(
                select(Job.id).where(
                    Job.status == JobStatus.QUEUED, touched < now - STRANDED_AFTER, Job.id.not_in(stale)
                )
            )
        )
        if stranded:
            session.execute(
                update(Job)
                .where(Job.id.in_(stranded))
                .values(heartbeat_at=now)
                .execution_options(synchronize_session=False)
            )
    return sorted(stale + stranded)
