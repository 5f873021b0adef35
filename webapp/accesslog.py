"""The access log (查阅登记) for auditors: filter and page through it, export it as CSV."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request, stream_with_context, url_for

from dossier.permissions import Permission
from dossier.services.accesslog import ACTION_NAMES_ZH, AccessFilter, csv_lines, iter_access, list_access
from webapp.access import requires
from webapp.context import actor, archive, db
from webapp.forms import AccessLogFilterForm

bp = Blueprint("accesslog", __name__)

PER_PAGE = 50


def _filter() -> tuple[AccessLogFilterForm, AccessFilter]:
    form = AccessLogFilterForm(request.args)
    form.validate()
    data = {
        name: (None if name in form.errors else form[name].data)
        for name in ("user", "action", "household", "document", "outcome", "date_from", "date_to")
    }
    data["outcome"] = data["outcome"] or None
    return form, AccessFilter(**data)


@bp.get("/audit/access-log")
@requires(Permission.AUDIT)
def index():
    form, f = _filter()
    page = form.page.data if not form.page.errors and form.page.data else 1
    total, rows = list_access(db(), actor(), f, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    pages = max(1, -(-total // PER_PAGE))
    return render_template(
        "audit/accesslog.html",
        form=form,
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        actions=ACTION_NAMES_ZH,
        params=f.as_params(),
        page_url=lambda n: url_for("accesslog.index", **f.as_params(), page=n),
    )


@bp.get("/audit/access-log.csv")
@requires(Permission.AUDIT)
def export():
    _form, f = _filter()
    session = archive().new_session()  # streamed after the view returns: a session of its own
    try:
        rows = iter_access(session, actor(), f)
        session.commit()  # the export is on record before any row leaves
    except BaseException:
        session.close()
        raise

    def generate():
        try:
            yield "\ufeff"  # so that spreadsheet programs read the UTF-8 Chinese
            yield from csv_lines(rows)
        finally:
            session.close()

    response = Response(stream_with_context(generate()), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="access-log.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
