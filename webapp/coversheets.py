"""打印封面: cover sheets for one folder or a selection of the households list, as a PDF.

The same service as ``dossier coversheet``; the PDF is sent as an attachment. A mistake in the
form sends the archivist back where they came from with the reason.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _

from dossier.catalog import text
from dossier.dates import parse_date
from dossier.errors import DossierError, PermissionDenied
from dossier.permissions import Permission
from dossier.services import coversheets as svc
from dossier.services.folders import list_document_types
from webapp.access import requires
from webapp.context import actor, archive, db, discard_changes
from webapp.downloads import download
from webapp.errors import user_message
from webapp.forms import CoverSheetForm, choice

bp = Blueprint("coversheets", __name__)


def cover_sheet_form(session, **kwargs) -> CoverSheetForm:
    types = [choice(t.code, t.name) for t in list_document_types(session)]
    return CoverSheetForm(type_choices=types, blank_type=_("其他（未指定）"), **kwargs)


def _back(form: CoverSheetForm) -> str:
    target = form.back.data or ""
    if target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("households.index")


@bp.post("/coversheets")
@requires(Permission.MANAGE_RECORDS)
def print_sheets():

    session = db()
    form = cover_sheet_form(session)
    if not form.validate_on_submit():
        flash(
            _("封面信息有误：%(e)s", e="；".join(str(m) for ms in form.errors.values() for m in ms)), "error"
        )
        return redirect(_back(form))
    ids = [int(v) for v in request.form.getlist("household") if v.isdigit()]
    if not ids:
        flash(_("请先勾选要打印封面的业户。"), "error")
        return redirect(_back(form))
    try:
        options = svc.SheetOptions(
            type_code=form.type_code.data,
            title=form.title.data,
            document_date=parse_date(form.document_date.data),
            confidential=bool(form.confidential.data),
            retention_class=form.retention_class.data,
        )
        households = svc.select_households(session, ids=ids)
        pdf = svc.sheets_pdf(archive(), session, actor(), households, options)
    except DossierError as exc:
        if isinstance(exc, PermissionDenied) or exc.http_status >= 500:
            raise
        discard_changes()
        flash(user_message(exc), "error")
        return redirect(_back(form))
    if len(households) == 1:
        name = text("coversheet.file_one", code=households[0].code)
    else:
        name = text("coversheet.file_many", n=len(households))
    return download(pdf, "application/pdf", name.zh, name.en)
