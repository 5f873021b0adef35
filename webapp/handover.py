"""移交与接收 (administrators): past handovers with their 登记表 and packages, a form that hands
households, a community or the whole archive over, and one that receives a package (a ZIP).

Thin: ``handover.jobs`` holds the rules (who may, what a scope is, how an upload is checked and
unpacked) and queues both as background jobs; this page shows their progress cards, and a
handover's own page its 接收 report (per 四性 the result and each finding). The export's ZIP is
produced while it downloads (stored, no compression: DA/T 70 forbids private compression inside
a package; the ZIP is transport only).
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, stream_with_context, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import Length

from dossier import jobs
from dossier.catalog import zh
from dossier.errors import DossierError, InvalidInput, NotFound, PermissionDenied
from dossier.models import HandoverDirection
from dossier.permissions import Permission
from dossier.services.households import community_names
from handover import jobs as handover_jobs
from handover.export import Selection
from handover.transport import iter_zip
from webapp.access import requires
from webapp.context import actor, archive, db, discard_changes
from webapp.downloads import attachment, download
from webapp.errors import user_message
from webapp.jobs import payloads as job_payloads
from webapp.jobs import queue as queue_job
from webapp.uploads import new_upload_folder, remove_upload_folder

bp = Blueprint("handover", __name__, url_prefix="/handover")

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REGISTER_TYPES = {"pdf": "application/pdf", "xlsx": XLSX_TYPE}


class ExportForm(FlaskForm):
    households = TextAreaField(
        _l("户号（每行一个，或用逗号分隔）"),
        validators=[Length(max=20_000)],
        render_kw={"rows": 4, "spellcheck": "false", "autocomplete": "off"},
    )
    community = SelectField(_l("或整个小区"), choices=[], validate_choice=False)
    everything = BooleanField(_l("或全部业户档案"))


class ImportForm(FlaskForm):
    package = FileField(_l("移交包（ZIP 文件）"), render_kw={"accept": ".zip,application/zip"})
    sender_key = StringField(
        _l("移交方签名公钥指纹（见移交方签字的移交接收登记表）"),
        validators=[Length(max=64, message=_l("指纹应为 16 位十六进制数字"))],
        render_kw={"spellcheck": "false", "autocomplete": "off", "inputmode": "latin"},
    )


def _export_form(*, blank: bool = False) -> ExportForm:
    form = ExportForm(formdata=None) if blank else ExportForm()
    form.community.choices = [("", _("（不按小区）"))] + [(n, n) for n in community_names(db())]
    return form


def _render_index(export_form=None, import_form=None, status: int = 200, error: str | None = None):
    session, who = db(), actor()
    settings = archive().settings
    recent = jobs.list_jobs(session, who, handover_jobs.EXPORT, limit=3) + jobs.list_jobs(
        session, who, handover_jobs.IMPORT, limit=3
    )
    recent.sort(key=lambda job: job.id, reverse=True)
    return render_template(
        "handover/index.html",
        handovers=handover_jobs.list_handovers(session, who, settings),
        export_form=export_form or _export_form(blank=True),
        import_form=import_form or ImportForm(formdata=None),
        jobs=job_payloads(recent[:4]),
        import_error=error,
        Direction=HandoverDirection,
    ), status


def _refused(exc: DossierError) -> bool:
    """A refusal the form shows (not a permission refusal or a server fault, which go to error pages)."""
    return not (isinstance(exc, PermissionDenied) or exc.http_status >= 500)


@bp.get("")
@requires(Permission.ADMIN)
def index():
    return _render_index()


@bp.post("/export")
@requires(Permission.ADMIN)
def export():
    form = _export_form()
    if not form.validate_on_submit():
        return _render_index(export_form=form, status=400)
    try:
        selection = Selection(
            households=handover_jobs.parse_codes(form.households.data),
            community=form.community.data or None,
            everything=bool(form.everything.data),
        )
        if sum((bool(selection.households), selection.community is not None, selection.everything)) != 1:
            raise InvalidInput("handover.web.choose_one")  # the form's words, not the command line's
        job = handover_jobs.start_export(db(), actor(), selection, queue=queue_job())
    except DossierError as exc:
        if not _refused(exc):
            raise
        discard_changes()
        flash(user_message(exc), "error")
        return _render_index(export_form=form, status=exc.http_status)
    flash(
        _("移交包开始生成（任务 #%(id)d），由后台服务进行；可以离开本页，回来查看进度。", id=job.id),
        "success",
    )
    return redirect(url_for("handover.index"))


@bp.post("/import")
@requires(Permission.ADMIN)
def import_package():
    form = ImportForm()
    if not form.validate_on_submit():
        return _render_index(import_form=form, status=400)
    sent = form.package.data
    if sent is None or not getattr(sent, "filename", ""):
        return _render_index(import_form=form, status=400, error=zh("handover.web.no_file"))
    settings = archive().settings
    folder = new_upload_folder(settings)
    try:
        path = folder / "package.zip"
        sent.save(path)
        job = handover_jobs.start_import(
            db(),
            actor(),
            settings,
            path,
            sent.filename,
            queue=queue_job(),
            sender_key=form.sender_key.data or None,
        )
    except DossierError as exc:
        if not _refused(exc):
            raise
        discard_changes()
        return _render_index(import_form=form, status=exc.http_status, error=user_message(exc))
    finally:
        remove_upload_folder(folder)
    flash(_("移交包已上传，开始接收检测（任务 #%(id)d）；可以离开本页，回来查看结果。", id=job.id), "success")
    return redirect(url_for("handover.index"))


@bp.get("/<int:handover_id>")
@requires(Permission.ADMIN)
def show(handover_id: int):
    record = handover_jobs.get_handover(db(), actor(), archive().settings, handover_id)
    return render_template("handover/show.html", h=record, checks=record.checks, Direction=HandoverDirection)


@bp.get("/<int:handover_id>/register.<any(pdf, xlsx):kind>")
@requires(Permission.ADMIN)
def register(handover_id: int, kind: str):
    settings = archive().settings
    record = handover_jobs.get_handover(db(), actor(), settings, handover_id)
    path = handover_jobs.register_path(settings, record, kind)
    if path is None:
        raise NotFound("handover.web.no_register")
    stem = "移交登记表" if record.direction == HandoverDirection.EXPORT else "接收登记表"
    return download(
        path.read_bytes(),
        REGISTER_TYPES[kind],
        f"{stem}-{handover_id}.{kind}",
        f"handover-register-{handover_id}.{kind}",
    )


@bp.get("/<int:handover_id>/package.zip")
@requires(Permission.ADMIN)
def package(handover_id: int):
    package_id, folder = handover_jobs.package_download(db(), actor(), archive().settings, handover_id)
    top = f"handover-{package_id}"
    response = Response(stream_with_context(iter_zip(folder, top)), mimetype="application/zip")
    response.headers["Content-Disposition"] = attachment(f"移交包-{package_id[:12]}.zip", f"{top}.zip")
    response.headers["Cache-Control"] = "private, no-store"
    return response
