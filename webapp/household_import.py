"""业户导入: households and parties from an XLSX or CSV upload, with its template.

Thin: ``dossier.services.household_sheets.import_households`` validates every row with the
services that open folders and register parties; this page takes the file, shows the report
(row by row, in Chinese) and, when something was kept, reindexes the folders that changed.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField

from dossier.catalog import zh
from dossier.errors import DossierError, PermissionDenied
from dossier.permissions import Permission
from dossier.services.household_sheets import import_households, import_template
from webapp.access import requires
from webapp.context import actor, archive, db, discard_changes, reindex_after_commit
from webapp.errors import user_message
from webapp.exports import send_table

bp = Blueprint("household_import", __name__)


class ImportForm(FlaskForm):
    file = FileField(_l("导入文件（XLSX 或 CSV）"), render_kw={"accept": ".xlsx,.csv"})
    valid_only = BooleanField(_l("仅导入有效行（有误的行跳过并列出）"))


def _page(form: ImportForm, report=None, error: str | None = None, status: int = 200):
    return render_template("households/import.html", form=form, report=report, error=error), status


@bp.get("/households/import")
@requires(Permission.MANAGE_RECORDS)
def form():
    return _page(ImportForm(formdata=None))


@bp.post("/households/import")
@requires(Permission.MANAGE_RECORDS)
def upload():
    form = ImportForm()
    if not form.validate_on_submit():
        return _page(form, error=next(iter(m for ms in form.errors.values() for m in ms), None), status=400)
    sent = form.file.data
    if sent is None or not getattr(sent, "filename", ""):
        return _page(form, error=zh("exports.no_file"), status=400)
    data = sent.read()
    try:
        report = import_households(
            db(), actor(), archive().fields, data, sent.filename, valid_only=bool(form.valid_only.data)
        )
    except DossierError as exc:
        if isinstance(exc, PermissionDenied) or exc.http_status >= 500:
            raise
        discard_changes()
        return _page(form, error=user_message(exc), status=exc.http_status)
    if report.kept:
        reindex_after_commit(report.reindex)
    return _page(ImportForm(formdata=None), report=report)  # a report, refused rows or not


@bp.get("/households/import/template.<any(xlsx, csv):kind>")
@requires(Permission.MANAGE_RECORDS)
def template(kind: str):
    table = import_template()
    return send_table(table, kind, table.title, "household-import-template")
