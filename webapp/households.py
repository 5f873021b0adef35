"""Households: the list with filters, the folder page (一户一档) and opening a new folder."""

from __future__ import annotations

import math
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from dossier.dates import parse_date
from dossier.errors import DossierError, InvalidInput, PermissionDenied
from dossier.permissions import Permission, can
from dossier.services.documents import document_view
from dossier.services.folders import completeness_by_household, folder_view
from dossier.services.households import (
    HouseholdFilter,
    add_household,
    community_names,
    get_household_by_id,
    household_view,
    list_households,
)
from retention.schedule import set_household_close_date
from webapp.access import requires
from webapp.context import actor, archive, db, discard_changes
from webapp.coversheets import cover_sheet_form
from webapp.errors import user_message
from webapp.forms import CloseHouseholdForm, HouseholdFilterForm, HouseholdForm

bp = Blueprint("households", __name__)

PAGE_SIZE = 25


def _filter_from(form: HouseholdFilterForm) -> tuple[HouseholdFilter, int]:
    form.validate()
    page = form.page.data if not form.page.errors and form.page.data else 1
    flt = HouseholdFilter(
        q=form.q.data if not form.q.errors else None,
        community=form.community.data if not form.community.errors else None,
        building=form.building.data if not form.building.errors else None,
        floor=form.floor.data if not form.floor.errors else None,
        use=(form.use.data or None) if not form.use.errors else None,
        status=(form.status.data or None) if not form.status.errors else None,
        owner=form.owner.data if not form.owner.errors else None,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    return flt, page


def _page_url(page: int) -> str:
    args: dict[str, Any] = request.args.to_dict()
    args["page"] = str(page)
    return url_for("households.index", **args)


def _render_list(create_form: HouseholdForm | None, status: int = 200):
    session, who = db(), actor()
    filters = HouseholdFilterForm(request.args)
    flt, page = _filter_from(filters)
    total, rows = list_households(session, who, flt)
    completeness = completeness_by_household(session, who, [h.id for h in rows])
    items = []
    for row in rows:
        item = household_view(row, who, with_parties=False)
        item["completeness"] = completeness.get(row.id)
        items.append(item)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    filtered = any(
        request.args.get(k) for k in ("q", "community", "building", "floor", "use", "status", "owner")
    )
    cover_form = (
        cover_sheet_form(session, formdata=None, data={"back": request.full_path})
        if can(who, Permission.MANAGE_RECORDS)
        else None
    )
    return render_template(
        "households/list.html",
        cover_form=cover_form,
        filters=filters,
        households=items,
        total=total,
        page=page,
        pages=pages,
        first=flt.offset + 1 if items else 0,
        last=flt.offset + len(items),
        page_url=_page_url,
        filtered=filtered,
        create_form=create_form,
        community_names=community_names(session),
    ), status


@bp.get("/households")
@requires(Permission.SEARCH)
def index():
    create_form = HouseholdForm(formdata=None) if can(actor(), Permission.MANAGE_RECORDS) else None
    return _render_list(create_form)


@bp.post("/households")
@requires(Permission.MANAGE_RECORDS)
def create():
    form = HouseholdForm()
    if not form.validate_on_submit():
        return _render_list(form, 400)
    data = form.data
    try:
        row = add_household(
            db(),
            actor(),
            archive().fields if data["id_number"] else None,
            data["code"],
            community=data["community"],
            use=data["use"],
            building=data["building"],
            unit=data["unit"],
            floor=data["floor"],
            room=data["room"],
            area=data["area"],
            owner=data["owner"],
            phone=data["phone"],
            id_number=data["id_number"],
        )
    except DossierError as exc:
        if isinstance(exc, PermissionDenied) or exc.http_status >= 500:
            raise
        discard_changes()
        flash(user_message(exc), "error")
        return _render_list(form, exc.http_status)
    flash(_("已建档：%(code)s，档案编号 %(no)s。", code=row.code, no=row.archive_no), "success")
    return redirect(url_for("households.show", household_id=row.id))


@bp.get("/households/<int:household_id>")
@requires(Permission.SEARCH)
def show(household_id: int):
    session, who = db(), actor()
    household = get_household_by_id(session, household_id)
    view, documents, catalog = folder_view(archive(), session, who, household)
    close_form = None
    if can(who, Permission.MANAGE_RECORDS):
        close_form = CloseHouseholdForm(formdata=None, data={"closed_on": view["closed_on"] or ""})
    cover_form = (
        cover_sheet_form(session, formdata=None, data={"back": request.path})
        if can(who, Permission.MANAGE_RECORDS)
        else None
    )
    return render_template(
        "households/folder.html",
        cover_form=cover_form,
        h=view,
        documents=[document_view(d) for d in documents],
        catalog=catalog,
        close_form=close_form,
    )


@bp.post("/households/<int:household_id>/close")
@requires(Permission.MANAGE_RECORDS)
def close(household_id: int):
    """Record the day a household closed (or reopen it); disposal dates follow."""
    form = CloseHouseholdForm()
    session = db()
    household = get_household_by_id(session, household_id)
    if not form.validate_on_submit():
        raise InvalidInput("the form has expired; reload the page and try again")
    if form.reopen.data:
        closed_on = None
    elif not form.closed_on.data:
        raise InvalidInput("give the day the household closed")
    else:
        closed_on = parse_date(form.closed_on.data, "the close date")
    changed = set_household_close_date(session, actor(), household, closed_on)
    if closed_on:
        flash(
            _("已登记结档日期 %(d)s；%(n)d 份文件的到期日期已重新计算。", d=closed_on.isoformat(), n=changed),
            "success",
        )
    else:
        flash(_("已撤销结档；%(n)d 份文件的到期日期已重新计算。", n=changed), "success")
    return redirect(url_for("households.show", household_id=household_id))
