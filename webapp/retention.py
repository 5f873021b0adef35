"""Retention and destruction (档案销毁) for the retention officer: the due list with filters,
destruction lists awaiting review, the review page (strike with a reason, approve), execution
(a background job, confirmed by typing the list's number), executed lists with their
certificates (printable, CSV, XLSX), paper destruction, holds, and the shredding log (销毁记录)
with its verification for auditors.

Thin: every rule is in ``retention/``; a refused action comes back as a flashed sentence (see
``webapp.errors``).
"""

from __future__ import annotations

import math

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from dossier import jobs, localtime
from dossier.catalog import zh
from dossier.dates import parse_date, require_date
from dossier.errors import InvalidInput
from dossier.people import display_names
from dossier.permissions import Permission
from dossier.services.documents import get_document
from dossier.services.folders import list_document_types
from dossier.services.households import get_household
from retention import lists as svc
from retention.classes import list_classes
from retention.export import certificate, certificate_csv, certificate_pairs, items_csv, workbook
from retention.holds import add_hold, hold_view, list_holds, release_hold
from retention.jobs import KIND as EXECUTE_JOB
from retention.jobs import start_execution
from retention.paper import record_paper_destruction
from retention.shredlog import certificate_ranges, entries_page, problem_zh, verify_log
from webapp.access import requires
from webapp.context import actor, archive, db
from webapp.downloads import download
from webapp.forms import (
    ConfirmForm,
    DueFilterForm,
    ExecuteForm,
    HoldForm,
    PaperForm,
    ProposeForm,
    ReleaseForm,
    StrikeForm,
    choice,
)
from webapp.jobs import payloads as job_payloads
from webapp.jobs import queue as queue_job

bp = Blueprint("retention", __name__, url_prefix="/retention")

PAGE_SIZE = 50
# Who reads these pages: those who propose (archivists, retention officers) and auditors.
READERS = (Permission.PROPOSE_DESTRUCTION, Permission.AUDIT)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NAMES = {"LIST_STATUS_NAMES": svc.LIST_STATUS_NAMES_ZH, "ITEM_STATE_NAMES": svc.ITEM_STATE_NAMES_ZH}


def _filter_form() -> DueFilterForm:
    session = db()
    form = DueFilterForm(
        request.args,
        type_choices=[choice(t.code, t.name) for t in list_document_types(session)],
        class_choices=[choice(c.code, f"{c.code} {c.name}") for c in list_classes(session)],
    )
    form.validate()
    return form


def _due_filter(data: dict) -> svc.DueFilter:
    return svc.DueFilter(
        as_of=parse_date(data.get("as_of"), "截至日期"),
        household=data.get("household") or None,
        type_code=data.get("type_code") or None,
        class_code=data.get("class_code") or None,
    )


def _require_valid(form) -> None:
    """Refuse a form that does not validate, with its first message (flashed on the page)."""
    if not form.validate_on_submit():
        messages = [str(m) for errors in form.errors.values() for m in errors]
        if messages:
            raise InvalidInput("retention.form_error", message=messages[0])
        raise InvalidInput("retention.form_expired")


@bp.get("")
@requires(*READERS)
def due():
    session, who = db(), actor()
    form = _filter_form()
    flt = _due_filter({k: v for k, v in form.data.items() if not getattr(form, k).errors})
    page = request.args.get("page", "")
    page = int(page) if page.isdigit() and int(page) > 0 else 1
    flt.limit, flt.offset = PAGE_SIZE, (page - 1) * PAGE_SIZE
    total, docs = svc.due_documents(session, who, flt)
    propose_form = ProposeForm(
        formdata=None,
        data={
            "as_of": flt.as_of.isoformat() if flt.as_of else "",
            "household": flt.household or "",
            "type_code": flt.type_code or "",
            "class_code": flt.class_code or "",
        },
    )
    args = request.args.to_dict()
    return render_template(
        "retention/due.html",
        form=form,
        propose_form=propose_form,
        total=total,
        documents=[svc.due_view(session, d) for d in docs],
        page=page,
        pages=max(1, math.ceil(total / PAGE_SIZE)),
        filtered=any(request.args.get(k) for k in ("as_of", "household", "type_code", "class_code")),
        page_url=lambda n: url_for("retention.due", **{**args, "page": n}),
    )


@bp.post("/propose")
@requires(Permission.PROPOSE_DESTRUCTION)
def propose():
    form = ProposeForm()
    _require_valid(form)
    dl = svc.propose(db(), actor(), _due_filter(form.data))
    flash(
        _("已编制销毁清册 %(n)s，共 %(c)d 件，请由另一位审批人审核。", n=dl.number, c=len(dl.items)),
        "success",
    )
    return redirect(url_for("retention.show", number=dl.number))


@bp.get("/lists")
@requires(*READERS)
def lists():
    rows = [svc.list_view(dl, with_items=False) for dl in svc.list_lists(db(), actor())]
    groups = {
        status: [r for r in rows if r["status"] == status] for status in ("proposed", "approved", "executed")
    }
    return render_template("retention/lists.html", groups=groups, **NAMES)


@bp.get("/lists/<number>")
@requires(*READERS)
def show(number: str):
    session, who = db(), actor()
    dl = svc.get_list(session, number)
    view = svc.list_view(dl)
    latest = jobs.list_jobs(session, who, EXECUTE_JOB, target=dl.number, limit=1)
    names = display_names(session, {dl.proposed_by, dl.approved_by or "", dl.executed_by or ""} - {""})
    return render_template(
        "retention/review.html",
        dl=view,
        names=names,
        may_review=svc.may_review(who, dl),
        confirm=ConfirmForm(formdata=None),
        execute_form=ExecuteForm(formdata=None),
        job=job_payloads(latest)[0] if latest else None,
        strike_form=StrikeForm(formdata=None),
        paper_form=PaperForm(formdata=None, data={"destroyed_on": localtime.today().isoformat()}),
        paper_waiting=any(
            i["paper_original"] and not i["paper_destroyed"] and i["state"] != "struck" for i in view["items"]
        ),
        **NAMES,
    )


@bp.post("/lists/<number>/strike")
@requires(Permission.APPROVE_DESTRUCTION)
def strike(number: str):
    form = StrikeForm()
    _require_valid(form)
    session = db()
    dl = svc.get_list(session, number)
    if not form.document_id.data.isdigit():
        raise InvalidInput("retention.no_document_named")
    svc.strike(
        session,
        actor(),
        dl,
        int(form.document_id.data),
        form.reason.data,
        extend_years=form.extend_years.data,
    )
    flash(_("已将文件 %(d)s 从清册中剔除。", d=form.document_id.data), "success")
    return redirect(url_for("retention.show", number=number))


@bp.post("/lists/<number>/approve")
@requires(Permission.APPROVE_DESTRUCTION)
def approve(number: str):
    _require_valid(ConfirmForm())
    dl = svc.approve(db(), actor(), svc.get_list(db(), number))
    flash(_("销毁清册 %(n)s 已批准。", n=dl.number), "success")
    return redirect(url_for("retention.show", number=number))


@bp.post("/lists/<number>/execute")
@requires(Permission.PROPOSE_DESTRUCTION)
def execute(number: str):
    form = ExecuteForm()
    _require_valid(form)
    session = db()
    job = start_execution(
        session, actor(), svc.get_list(session, number), form.confirm_number.data, queue=queue_job()
    )
    flash(_("已开始执行销毁（任务 #%(id)d），进度见下方；可以离开本页。", id=job.id), "success")
    return redirect(url_for("retention.show", number=number))


@bp.post("/lists/<number>/paper")
@requires(Permission.PROPOSE_DESTRUCTION)
def paper(number: str):
    form = PaperForm()
    _require_valid(form)
    session = db()
    _record, count = record_paper_destruction(
        archive(),
        session,
        actor(),
        svc.get_list(session, number),
        shredded_by=form.shredded_by.data,
        witnesses=[w for w in (form.witness_1.data, form.witness_2.data, form.witness_3.data) if w],
        method=form.method.data,
        destroyed_on=require_date(form.destroyed_on.data, "销毁日期"),
    )
    flash(_("已登记 %(c)d 件纸质原件的销毁。", c=count), "success")
    return redirect(url_for("retention.show", number=number))


@bp.get("/lists/<number>/certificate")
@requires(*READERS)
def certificate_page(number: str):
    session = db()
    cert = certificate(session, actor(), svc.get_list(session, number))
    return render_template("retention/certificate.html", cert=cert, pairs=certificate_pairs(cert), **NAMES)


@bp.get("/lists/<number>/export.<fmt>")
@requires(*READERS)
def export(number: str, fmt: str):
    session = db()
    dl = svc.get_list(session, number)
    cert = certificate(session, actor(), dl)
    number = dl.number
    if fmt == "xlsx":
        data, mimetype = workbook(dl, cert), XLSX_TYPE
        name, fallback = zh("retention.list_file", number=number), number
    elif fmt == "csv" and request.args.get("what") == "certificate":
        data, mimetype = certificate_csv(cert), "text/csv; charset=utf-8"
        name, fallback = zh("retention.certificate_file", number=number), f"{number}-certificate"
    elif fmt == "csv":
        data, mimetype = items_csv(dl), "text/csv; charset=utf-8"
        name, fallback = zh("retention.list_file", number=number), number
    else:
        raise InvalidInput("retention.export_format_unknown", fmt=fmt)
    return download(data, mimetype, f"{name}.{fmt}", f"{fallback}.{fmt}")


@bp.get("/holds")
@requires(*READERS)
def holds():
    show_all = request.args.get("all") == "1"
    rows = [hold_view(h) for h in list_holds(db(), actor(), include_released=show_all)]
    return render_template(
        "retention/holds.html",
        holds=rows,
        show_all=show_all,
        form=HoldForm(formdata=None),
        release_form=ReleaseForm(formdata=None),
    )


@bp.post("/holds")
@requires(Permission.PROPOSE_DESTRUCTION)
def hold_add():
    form = HoldForm()
    _require_valid(form)
    session = db()
    if bool(form.household.data) == bool(form.document_id.data):
        raise InvalidInput("retention.hold_name_one")
    row = add_hold(
        session,
        actor(),
        form.reason.data,
        household=get_household(session, form.household.data) if form.household.data else None,
        document=get_document(session, form.document_id.data) if form.document_id.data else None,
    )
    flash(_("已冻结（编号 %(id)d）：相关文件在解除前不会被销毁。", id=row.id), "success")
    return redirect(url_for("retention.holds"))


@bp.post("/holds/<int:hold_id>/release")
@requires(Permission.APPROVE_DESTRUCTION)
def hold_release(hold_id: int):
    form = ReleaseForm()
    _require_valid(form)
    release_hold(db(), actor(), hold_id, form.reason.data)
    flash(_("冻结 %(id)d 已解除。", id=hold_id), "success")
    return redirect(url_for("retention.holds"))


@bp.get("/shredlog")
@requires(Permission.AUDIT)
def shredlog():
    """The shredding log (销毁记录): entries, newest first; each list's certificate range; and,
    with ``?verify=1`` (the 校验 button), the whole log checked."""
    session, who = db(), actor()
    list_number = (request.args.get("list") or "").strip() or None
    page = request.args.get("page", "")
    page = int(page) if page.isdigit() and int(page) > 0 else 1
    total, entries = entries_page(
        session, who, list_number=list_number, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    verdict = None
    if request.args.get("verify") == "1":
        result = verify_log(session, who, archive().signer.public_key)
        verdict = {
            **result.as_dict(),
            "problems": [{**p, "zh": problem_zh(p["problem"])} for p in result.problems],
        }
    args = {k: v for k, v in request.args.items() if k != "verify"}
    return render_template(
        "retention/shredlog.html",
        entries=entries,
        total=total,
        page=page,
        pages=max(1, math.ceil(total / PAGE_SIZE)),
        list_number=list_number,
        ranges=certificate_ranges(session, who),
        verdict=verdict,
        page_url=lambda n: url_for("retention.shredlog", **{**args, "page": n}),
    )
