"""The auditor's pages (审计): latest audit runs, a run's four-property summary and failures, a
document's fixity history, the report as a download, and a button to start a run.

A run started here is run synchronously, inside the request, and only when it checks at most
``WEB_RUN_LIMIT`` documents (a sample, one household, or a small archive): reading every
original of a large archive takes hours, which is the CLI's job (``dossier audit verify``, from
cron or by hand, resumable). The page says so when it refuses.
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from audit.checks import CHECKS, PROPERTY_NAMES_ZH
from audit.report import build_report, fixity_history, list_runs, render_report
from audit.verification import Scope, open_run, scope_size, verify_archive
from dossier.errors import DossierError, PermissionDenied
from dossier.permissions import Permission
from webapp.access import requires
from webapp.context import actor, archive, db, discard_changes
from webapp.errors import user_message
from webapp.forms import AuditRunForm

bp = Blueprint("audit", __name__, url_prefix="/audit")

WEB_RUN_LIMIT = 500
MEDIA_TYPES = {"html": "text/html", "csv": "text/csv", "json": "application/json"}


def _render_index(form: AuditRunForm | None = None, status: int = 200):
    return render_template(
        "audit/index.html",
        runs=list_runs(db(), actor()),
        form=form or AuditRunForm(formdata=None),
        limit=WEB_RUN_LIMIT,
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
        size = scope_size(db(), scope)
        if size > WEB_RUN_LIMIT:
            flash(
                _(
                    "本次将检测 %(n)d 件文件，超过网页可直接运行的 %(limit)d 件。请选择抽检，或在服务器上运行 "
                    "dossier audit verify。",
                    n=size,
                    limit=WEB_RUN_LIMIT,
                ),
                "error",
            )
            return _render_index(form, 400)
        session = archive().new_session()  # the run commits per chunk and clears its session
        try:
            run, _resumed = open_run(session, actor(), scope, restart=True)
            verify_archive(archive(), session, run)
            run_id = run.id
        finally:
            session.close()
    except DossierError as exc:
        if isinstance(exc, PermissionDenied) or exc.http_status >= 500:
            raise
        discard_changes()
        flash(user_message(exc), "error")
        return _render_index(form, exc.http_status)
    return redirect(url_for("audit.run", run_id=run_id))


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
    text = render_report(build_report(db(), actor(), run_id), fmt)
    response = Response(text, mimetype=MEDIA_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="audit-{run_id}.{fmt}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/documents/<int:document_id>")
@requires(Permission.AUDIT)
def document_history(document_id: int):
    events = fixity_history(db(), actor(), document_id)
    return render_template(
        "audit/history.html", document_id=document_id, events=events, checks=CHECKS, names=PROPERTY_NAMES_ZH
    )
