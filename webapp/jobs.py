"""Background jobs (whole-archive audits, destruction execution) and their progress.

``GET /jobs/<id>`` answers the progress bar's polling with JSON (``Accept: application/json``)
and a browser with a page of its own; the audit and destruction-list pages show the same card.
Who may see a job is decided by ``dossier.jobs`` (each kind names its readers). The pages that
start jobs queue them through :func:`queue`, which hands the id to the worker once the request
has committed.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, jsonify, render_template, request, url_for
from flask_babel import gettext as _

from dossier import jobs
from dossier.models import Job, JobStatus
from dossier.permissions import Permission
from ingest.queue import enqueue_job
from ingest.state import worker_alive
from webapp.access import requires
from webapp.context import actor, archive, db

bp = Blueprint("jobs", __name__, url_prefix="/jobs")

# Everyone who starts or reads some kind of job; the service checks the job's own kind.
READERS = (Permission.AUDIT, Permission.PROPOSE_DESTRUCTION)


def queue() -> Callable[[int], None]:
    """What queues a job for the worker (called once the request's transaction commits)."""
    settings = archive().settings
    return lambda job_id: enqueue_job(settings, job_id)


def _result_link(job: Job) -> tuple[str | None, str | None]:
    if not job.result:
        return None, None
    if job.kind == "audit.run" and job.result.isdigit():
        return url_for("audit.run", run_id=int(job.result)), _("查看检测报告")
    if job.kind in ("handover.export", "handover.import") and job.result.isdigit():
        return url_for("handover.show", handover_id=int(job.result)), _("查看移交接收记录")
    if job.kind == "retention.execute":
        if job.status == JobStatus.DONE:
            return url_for("retention.certificate_page", number=job.result), _("查看销毁证明")
        return url_for("retention.show", number=job.result), _("查看销毁清册")
    return None, None


def payloads(rows: list[Job]) -> list[dict]:
    """The jobs as the pages and the polling see them: progress, result link, and a word when
    a queued job waits for the worker to come up."""
    session = db()
    names = jobs.creator_names(session, rows)
    waiting = any(job.status == JobStatus.QUEUED for job in rows) and not worker_alive(session)
    out = []
    for job in rows:
        view = jobs.job_view(job, names)
        view["result_url"], view["result_label"] = _result_link(job)
        view["url"] = url_for("jobs.show", job_id=job.id)
        view["note"] = (
            _("后台处理服务暂未运行，任务将在它启动后自动开始。")
            if waiting and job.status == JobStatus.QUEUED
            else None
        )
        out.append(view)
    return out


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" or request.args.get("format") == "json"


@bp.get("/<int:job_id>")
@requires(*READERS)
def show(job_id: int):
    job = jobs.get_job(db(), actor(), job_id)
    (view,) = payloads([job])
    if _wants_json():
        response = jsonify(view)
        response.headers["Cache-Control"] = "no-store"
        return response
    return render_template("jobs/show.html", job=view)
