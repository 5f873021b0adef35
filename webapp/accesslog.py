"""The access log (查阅登记) for auditors: filter and page through it (its exports: webapp.exports)."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for

from dossier.permissions import Permission
from dossier.services.accesslog import ACTION_NAMES_ZH, AccessFilter, list_access
from webapp.access import requires
from webapp.context import actor, db
from webapp.forms import AccessLogFilterForm

bp = Blueprint("accesslog", __name__)

PER_PAGE = 50


def access_filter() -> tuple[AccessLogFilterForm, AccessFilter]:
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
    form, f = access_filter()
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
