"""The auditor's pages (审计): latest audit runs, a run's four-property summary and failures, a
document's fixity history, the report as a download, and a button to start a run.

A run started here is a background job (``audit.jobs``): the worker checks the documents while
the page shows its progress bar; the page can be left and reopened (it shows the jobs still
running), and the finished run is the same record ``dossier audit verify`` writes.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from audit.checks import CHECKS, PROPERTY_NAMES_ZH
from audit.jobs import KIND as AUDIT_JOB
from audit.jobs import start_audit
from audit.report import build_report, download_name, fixity_history, list_runs, render_report
from audit.verification import Scope
from dossier import jobs
from dossier.errors import DossierError, PermissionDenied
from dossier.permissions import Permission
from webapp.access import requires
from webapp.context import actor, db, discard_changes
from webapp.downloads import download
from webapp.errors import user_message
from webapp.forms import AuditRunForm
from webapp.jobs import payloads as job_payloads
from webapp.jobs import queue as queue_job

bp = Blueprint("audit", __name__, url_prefix="/audit")

MEDIA_TYPES = {"html": "text/html", "csv": "text/csv", "json": "application/json"}


def _render_index(form: AuditRunForm | None = None, status: int = 200):
    session, who = db(), actor()
    recent = jobs.list_jobs(session, who, AUDIT_JOB, limit=5)
    runs = list_runs(session, who)
    return render_template(
        "audit/index.html",
        runs=runs,
        form=form or AuditRunForm(formdata=None),
        jobs=job_payloads(recent),
    ), status


@bp.get("")
@requires(Permission.AUDIT)
def index():
    return _render_index()


@bp.post("/runs")
@requires(Permission.AUDIT)
def start_run():
    form = AuditRunForm()
    if not form.validate_on_submit():
        return _render_index(form, 400)
    scope = Scope(household=form.household.data, sample=form.sample.data)
    try:
        job = start_audit(db(), actor(), scope, queue=queue_job())
    except DossierError as exc:
        if isinstance(exc, PermissionDenied) or exc.http_status >= 500:
            raise
        discard_changes()
        flash(user_message(exc), "error")
        return _render_index(form, exc.http_status)
    flash(_("检测已开始（任务 #%(id)d），由后台服务进行；可以离开本页，回来查看进度。", id=job.id), "success")
    return redirect(url_for("audit.index"))


@bp.get("/runs/<int:run_id>")
@requires(Permission.AUDIT)
def run(run_id: int):
    report = build_report(db(), actor(), run_id)
    return render_template("audit/run.html", r=report, checks=CHECKS, names=PROPERTY_NAMES_ZH)


@bp.get("/runs/<int:run_id>/report.<fmt>")
@requires(Permission.AUDIT)
def report(run_id: int, fmt: str):
    if fmt not in MEDIA_TYPES:
        return redirect(url_for("audit.run", run_id=run_id))
    built = build_report(db(), actor(), run_id)
    return download(render_report(built, fmt), MEDIA_TYPES[fmt], *download_name(built, fmt))


@bp.get("/documents/<int:document_id>")
@requires(Permission.AUDIT)
def document_history(document_id: int):
    events = fixity_history(db(), actor(), document_id)
    return render_template(
        "audit/history.html", document_id=document_id, events=events, checks=CHECKS, names=PROPERTY_NAMES_ZH
    )
