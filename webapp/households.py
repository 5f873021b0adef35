"""Households: the list with filters, the folder page (一户一档), opening a new folder and
correcting one (its facts, its parties, its community), with a confirmation before closing it.

Corrections change facts the search index carries with every page (household code, community,
building, party names): the documents concerned are handed to ``search.hooks`` once the
request's transaction has committed (as destruction does), so the index never runs ahead of the
catalog."""

from __future__ import annotations

import math
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from dossier.dates import require_date
from dossier.errors import DossierError, InvalidInput, PermissionDenied
from dossier.models import Household, PartyRole
from dossier.permissions import Permission, can
from dossier.services.communities import community_rows, get_community, merge_communities, rename_community
from dossier.services.documents import document_view
from dossier.services.folders import completeness_by_household, folder_view
from dossier.services.household_changes import (
    edit_household,
    edit_party,
    get_party,
    household_document_ids,
    move_out_party,
    new_party,
    remove_party,
)
from dossier.services.households import (
    PARTY_ROLE_NAMES_ZH,
    HouseholdFilter,
    add_household,
    community_names,
    get_household_by_id,
    household_view,
    list_households,
    party_view,
)
from retention.holds import household_holds
from retention.schedule import check_close_date, set_household_close_date
from webapp.access import requires
from webapp.context import actor, archive, db, discard_changes, reindex_after_commit
from webapp.coversheets import cover_sheet_form
from webapp.errors import user_message
from webapp.forms import (
    CloseHouseholdForm,
    CommunityMergeForm,
    CommunityRenameForm,
    HouseholdEditForm,
    HouseholdFilterForm,
    HouseholdForm,
    MoveOutForm,
    PartyForm,
    RemovePartyForm,
    choice,
)

bp = Blueprint("households", __name__)

PAGE_SIZE = 25


def household_filter(form: HouseholdFilterForm) -> tuple[HouseholdFilter, int]:
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
    flt, page = household_filter(filters)
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
    holds = household_holds(session, who, household)
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
        current_parties=[p for p in view["parties"] if not p["moved_out"]],
        former_parties=[p for p in view["parties"] if p["moved_out"]],
        documents=[document_view(d) for d in documents],
        catalog=catalog,
        close_form=close_form,
        holds=holds,
    )


@bp.post("/households/<int:household_id>/close")
@requires(Permission.MANAGE_RECORDS)
def close(household_id: int):
    """Record the day a household closed (after a confirmation step) or reopen it; disposal
    dates follow."""
    form = CloseHouseholdForm()
    session = db()
    household = get_household_by_id(session, household_id)
    if not form.validate_on_submit():
        raise InvalidInput("household.form_expired")
    if form.reopen.data:
        closed_on = None
    elif not form.closed_on.data:
        raise InvalidInput("household.close_date_needed")
    else:
        closed_on = require_date(form.closed_on.data, "结档日期")
        check_close_date(session, household, closed_on)
        if form.confirmed.data != "yes":
            return _confirm_close(household, form)
    changed = set_household_close_date(session, actor(), household, closed_on)
    if closed_on:
        flash(
            _("已登记结档日期 %(d)s；%(n)d 份文件的到期日期已重新计算。", d=closed_on.isoformat(), n=changed),
            "success",
        )
    else:
        flash(_("已撤销结档；%(n)d 份文件的到期日期已重新计算。", n=changed), "success")
    return redirect(url_for("households.show", household_id=household_id))


def _confirm_close(household: Household, form: CloseHouseholdForm):
    """The step before a household is closed: what it means, and one button to go on."""
    view, documents, _catalog = folder_view(archive(), db(), actor(), household)
    form.confirmed.data = "yes"
    return render_template("households/close_confirm.html", h=view, form=form, documents=len(documents))


# --- corrections --------------------------------------------------------------------------------


def _refused(exc: DossierError) -> None:
    """A refusal a user can fix: roll back, say why. Others go to the app's error handlers."""
    if isinstance(exc, PermissionDenied) or exc.http_status >= 500:
        raise exc
    discard_changes()
    flash(user_message(exc), "error")


def _form_errors(form) -> None:
    for errors in form.errors.values():
        for error in errors:
            flash(str(error), "error")


def _edit_data(household: Household) -> dict[str, Any]:
    return {
        "code": household.code,
        "community": household.community.name,
        "use": str(household.use),
        "building": household.building or "",
        "unit": household.unit or "",
        "floor": "" if household.floor is None else str(household.floor),
        "room": household.room or "",
        "area": "" if household.area is None else str(household.area),
    }


def _render_edit(household: Household, form: HouseholdEditForm, status: int = 200):
    return render_template(
        "households/edit.html",
        h=household_view(household, actor(), with_parties=False),
        form=form,
        community_names=community_names(db()),
    ), status


@bp.get("/households/<int:household_id>/edit")
@requires(Permission.MANAGE_RECORDS)
def edit(household_id: int):
    household = get_household_by_id(db(), household_id)
    return _render_edit(household, HouseholdEditForm(formdata=None, data=_edit_data(household)))


@bp.post("/households/<int:household_id>/edit")
@requires(Permission.MANAGE_RECORDS)
def update(household_id: int):
    session = db()
    household = get_household_by_id(session, household_id)
    form = HouseholdEditForm()
    if not form.validate_on_submit():
        return _render_edit(household, form, 400)
    changes = {name: form.data[name] for name in _edit_data(household)}
    try:
        outcome = edit_household(session, actor(), household, form.reason.data, changes)
    except DossierError as exc:
        _refused(exc)
        return _render_edit(get_household_by_id(session, household_id), form, exc.http_status)
    reindex_after_commit(outcome.reindex)
    flash(_("已修改：%(what)s。", what="；".join(c.text() for c in outcome.changes)), "success")
    return redirect(url_for("households.show", household_id=household_id))


def _role_choices() -> list:
    return [choice(str(r), PARTY_ROLE_NAMES_ZH[r]) for r in PartyRole]


def _render_party(household: Household, party, form: PartyForm, status: int = 200, **forms):
    who = actor()
    shown = (
        party_view(party, who, archive().fields if party.id_number_enc is not None else None)
        if party
        else None
    )
    return render_template(
        "households/party.html",
        h=household_view(household, who, with_parties=False),
        party=shown,
        form=form,
        moveout_form=forms.get("moveout_form") or MoveOutForm(formdata=None),
        remove_form=forms.get("remove_form") or RemovePartyForm(formdata=None),
    ), status


@bp.get("/households/<int:household_id>/parties/new")
@requires(Permission.MANAGE_RECORDS)
def party_new(household_id: int):
    household = get_household_by_id(db(), household_id)
    form = PartyForm(
        formdata=None, role_choices=_role_choices(), data={"role": request.args.get("role", "owner")}
    )
    return _render_party(household, None, form)


@bp.post("/households/<int:household_id>/parties")
@requires(Permission.MANAGE_RECORDS)
def party_create(household_id: int):
    session = db()
    household = get_household_by_id(session, household_id)
    form = PartyForm(role_choices=_role_choices())
    if not form.validate_on_submit():
        return _render_party(household, None, form, 400)
    data = form.data
    try:
        party = new_party(
            session,
            actor(),
            archive().fields if data["id_number"] else None,
            household,
            name=data["name"],
            role=data["role"],
            phone=data["phone"],
            id_number=data["id_number"],
            emergency_contact=data["emergency_contact"],
            emergency_phone=data["emergency_phone"],
            since=data["since"],
        )
    except DossierError as exc:
        _refused(exc)
        return _render_party(get_household_by_id(session, household_id), None, form, exc.http_status)
    reindex_after_commit(household_document_ids(session, [household.id]))
    flash(_("已登记%(role)s %(name)s。", role=PARTY_ROLE_NAMES_ZH[party.role], name=party.name), "success")
    return redirect(url_for("households.show", household_id=household_id))


def _party_data(party) -> dict[str, Any]:
    return {
        "role": str(party.role),
        "name": party.name,
        "phone": party.phone or "",
        "emergency_contact": party.emergency_contact or "",
        "emergency_phone": party.emergency_phone or "",
        "since": party.since.isoformat() if party.since else "",
        "until": party.until.isoformat() if party.until else "",
    }


@bp.get("/households/<int:household_id>/parties/<int:party_id>")
@requires(Permission.MANAGE_RECORDS)
def party_edit(household_id: int, party_id: int):
    session = db()
    household = get_household_by_id(session, household_id)
    party = get_party(session, household, party_id)
    form = PartyForm(formdata=None, role_choices=_role_choices(), data=_party_data(party))
    return _render_party(household, party, form)


@bp.post("/households/<int:household_id>/parties/<int:party_id>")
@requires(Permission.MANAGE_RECORDS)
def party_update(household_id: int, party_id: int):
    session = db()
    household = get_household_by_id(session, household_id)
    party = get_party(session, household, party_id)
    form = PartyForm(role_choices=_role_choices())
    if not form.validate_on_submit():
        return _render_party(household, party, form, 400)
    data = form.data
    changes: dict[str, Any] = {name: data[name] for name in _party_data(party)}
    if data["clear_id_number"]:
        changes["id_number"] = ""
    elif data["id_number"]:
        changes["id_number"] = data["id_number"]
    try:
        outcome = edit_party(
            session,
            actor(),
            archive().fields if data["id_number"] else None,
            household,
            party_id,
            data["reason"],
            changes,
        )
    except DossierError as exc:
        _refused(exc)
        household = get_household_by_id(session, household_id)
        return _render_party(household, get_party(session, household, party_id), form, exc.http_status)
    reindex_after_commit(outcome.reindex)
    flash(_("已修改：%(what)s。", what="；".join(c.text() for c in outcome.changes)), "success")
    return redirect(url_for("households.show", household_id=household_id))


@bp.post("/households/<int:household_id>/parties/<int:party_id>/moveout")
@requires(Permission.MANAGE_RECORDS)
def party_move_out(household_id: int, party_id: int):
    session = db()
    household = get_household_by_id(session, household_id)
    form = MoveOutForm()
    if not form.validate_on_submit():
        _form_errors(form)
        return redirect(url_for("households.party_edit", household_id=household_id, party_id=party_id))
    try:
        party = move_out_party(session, actor(), household, party_id, form.on.data, form.note.data)
    except DossierError as exc:
        _refused(exc)
        return redirect(url_for("households.party_edit", household_id=household_id, party_id=party_id))
    assert party.until is not None
    flash(_("已登记 %(name)s 于 %(d)s 迁出。", name=party.name, d=party.until.isoformat()), "success")
    return redirect(url_for("households.show", household_id=household_id))


@bp.post("/households/<int:household_id>/parties/<int:party_id>/remove")
@requires(Permission.MANAGE_RECORDS)
def party_remove(household_id: int, party_id: int):
    session = db()
    household = get_household_by_id(session, household_id)
    party = get_party(session, household, party_id)
    form = RemovePartyForm()
    if not form.validate_on_submit():
        edit_form = PartyForm(formdata=None, role_choices=_role_choices(), data=_party_data(party))
        return _render_party(household, party, edit_form, 400, remove_form=form)
    name = party.name
    try:
        outcome = remove_party(session, actor(), household, party_id, form.reason.data)
    except DossierError as exc:
        _refused(exc)
        return redirect(url_for("households.party_edit", household_id=household_id, party_id=party_id))
    reindex_after_commit(outcome.reindex)
    flash(_("已删除登记人 %(name)s。", name=name), "success")
    return redirect(url_for("households.show", household_id=household_id))


# --- communities --------------------------------------------------------------------------------


def _render_communities(status: int = 200, **forms):
    rows = community_rows(db())
    for row in rows:
        others = [choice(str(o["id"]), o["name"]) for o in rows if o["id"] != row["id"]]
        row["rename_form"] = forms.get(f"rename_{row['id']}") or CommunityRenameForm(
            formdata=None, data={"name": row["name"]}
        )
        row["merge_form"] = forms.get(f"merge_{row['id']}") or CommunityMergeForm(
            formdata=None, target_choices=others
        )
    return render_template("households/communities.html", communities=rows), status


@bp.get("/communities")
@requires(Permission.MANAGE_RECORDS)
def communities():
    return _render_communities()


@bp.post("/communities/<int:community_id>/rename")
@requires(Permission.MANAGE_RECORDS)
def community_rename(community_id: int):
    session = db()
    current = get_community(session, community_id).name
    form = CommunityRenameForm()
    if not form.validate_on_submit():
        return _render_communities(400, **{f"rename_{community_id}": form})
    try:
        outcome = rename_community(session, actor(), current, form.name.data, form.reason.data)
    except DossierError as exc:
        _refused(exc)
        return _render_communities(exc.http_status, **{f"rename_{community_id}": form})
    reindex_after_commit(outcome.reindex)
    flash(_("小区“%(old)s”已改名为“%(new)s”。", old=current, new=outcome.community), "success")
    return redirect(url_for("households.communities"))


@bp.post("/communities/<int:community_id>/merge")
@requires(Permission.MANAGE_RECORDS)
def community_merge(community_id: int):
    session = db()
    current = get_community(session, community_id).name
    rows = community_rows(session)
    form = CommunityMergeForm(
        target_choices=[choice(str(r["id"]), r["name"]) for r in rows if r["id"] != community_id]
    )
    if not form.validate_on_submit():
        return _render_communities(400, **{f"merge_{community_id}": form})
    target = next(r["name"] for r in rows if str(r["id"]) == form.target.data)
    if form.confirm_name.data != target:
        form.confirm_name.errors = [_("输入的名称与并入小区“%(name)s”不一致，未合并。", name=target)]
        return _render_communities(400, **{f"merge_{community_id}": form})
    try:
        outcome = merge_communities(session, actor(), current, str(target), form.reason.data)
    except DossierError as exc:
        _refused(exc)
        return _render_communities(exc.http_status, **{f"merge_{community_id}": form})
    reindex_after_commit(outcome.reindex)
    flash(
        _(
            "小区“%(src)s”已并入“%(dst)s”：%(n)d 户迁入，档案编号不变。",
            src=current,
            dst=outcome.community,
            n=len(outcome.households),
        ),
        "success",
    )
    return redirect(url_for("households.communities"))
