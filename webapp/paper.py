"""Paper originals on the web: the loan register (借阅登记: lend, renew, return with its check,
remind) and the monthly cabinet count (库房清点: record, resolve differences).

Thin: every rule is in ``paper.loans`` and ``paper.inventory``. Records managers act; auditors
read. A refused lend re-shows the form with what was typed and one Chinese sentence.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from dossier import localtime
from dossier.dates import require_date
from dossier.errors import DossierError, InvalidInput
from dossier.permissions import Permission, can
from paper import inventory as counts
from paper import loans
from webapp.access import requires
from webapp.context import actor, db, discard_changes
from webapp.errors import user_message
from webapp.forms import choice
from webapp.paper_forms import CountForm, LendForm, RemindForm, RenewForm, ResolveForm, ReturnForm

bp = Blueprint("paper", __name__, url_prefix="/paper")

READERS = (Permission.MANAGE_RECORDS, Permission.AUDIT)
DEFAULT_LOAN_DAYS = 7


def _require_valid(form) -> None:
    """Refuse a form that does not validate, with its first message (flashed on the page)."""
    if not form.validate_on_submit():
        messages = [str(m) for errors in form.errors.values() for m in errors]
        if messages:
            raise InvalidInput("paper.form_invalid", message=messages[0])
        raise InvalidInput("paper.form_expired")


def _document_arg() -> int | None:
    value = request.args.get("document", "").strip().lstrip("#")
    return int(value) if value.isdigit() and 0 < int(value) < 2_000_000_000 else None


def _lend_form(formdata=None, document_id: int | None = None) -> LendForm | None:
    if not can(actor(), Permission.MANAGE_RECORDS):
        return None
    choices = [
        choice(a["username"], a["name"] + ("" if a["cleared"] else _("（不可批准保密文件）")))
        for a in loans.approvers(db(), actor())
    ]
    if formdata is not None:
        return LendForm(approver_choices=choices)
    default_due = (localtime.today() + timedelta(days=DEFAULT_LOAN_DAYS)).isoformat()
    return LendForm(
        formdata=None, approver_choices=choices, data={"document_id": document_id, "due": default_due}
    )


def _loans_page(form: LendForm | None, document_id: int | None, status: int = 200):
    session, who = db(), actor()
    only_overdue = request.args.get("filter") == "overdue"
    today = localtime.today()
    open_loans = loans.open_register(session, who, today)
    overdue = [v for v in open_loans if v["overdue"]]
    card = None
    if document_id is not None:
        try:
            card = loans.paper_card(session, who, document_id)
        except DossierError as exc:
            flash(user_message(exc), "error")
    return render_template(
        "paper/loans.html",
        form=form,
        card=card,
        shown=overdue if only_overdue else open_loans,
        open_count=len(open_loans),
        overdue_count=len(overdue),
        only_overdue=only_overdue,
        history=loans.list_loans(session, who, closed_only=True, limit=100),
        renew_form=RenewForm(formdata=None),
        return_form=ReturnForm(formdata=None),
        remind_form=RemindForm(formdata=None),
        min_due=today.isoformat(),
    ), status


@bp.get("/loans", endpoint="loans")
@requires(*READERS)
def loans_page():
    document_id = _document_arg()
    return _loans_page(_lend_form(document_id=document_id), document_id)


@bp.post("/loans")
@requires(Permission.MANAGE_RECORDS)
def lend():
    form = _lend_form(formdata=request.form)
    assert form is not None  # the route needs MANAGE_RECORDS
    document_id = form.document_id.data if isinstance(form.document_id.data, int) else None
    if not form.validate_on_submit():
        return _loans_page(form, document_id, 400)
    try:
        loan = loans.lend(
            db(),
            actor(),
            form.document_id.data,
            form.borrower.data,
            require_date(form.due.data, _("应还日期")),
            unit=form.unit.data,
            purpose=form.purpose.data,
            manner=form.manner.data,
            approved_by=form.approved_by.data or None,
            approver_secret=(form.approver_password.data or "") if form.approved_by.data else None,
            note=form.note.data,
        )
    except DossierError as exc:  # incl. a wrong approver password: say so, keep what was typed
        discard_changes()
        flash(user_message(exc), "error")
        return _loans_page(form, document_id, exc.http_status if exc.http_status < 500 else 400)
    flash(
        _(
            "已登记借阅：文件 %(d)s（%(t)s）由 %(b)s %(m)s，应还日期 %(due)s。",
            d=loan.document_id,
            t=loan.document.title,
            b=loan.borrower,
            m=loans.MANNER_NAMES_ZH[loan.manner],
            due=loan.due_on.isoformat(),
        ),
        "success",
    )
    if loans.loan_view(loan)["overdue"]:
        flash(_("注意：应还日期已过，该借阅已计为逾期。"), "warning")
    return redirect(url_for("paper.loans") + f"#loan-{loan.id}")


@bp.post("/loans/<int:loan_id>/renew")
@requires(Permission.MANAGE_RECORDS)
def renew(loan_id: int):
    form = RenewForm()
    _require_valid(form)
    loan = loans.renew(
        db(), actor(), loan_id, require_date(form.due.data, _("新的应还日期")), note=form.note.data
    )
    flash(_("借阅登记 %(n)d 已续借至 %(due)s。", n=loan.id, due=loan.due_on.isoformat()), "success")
    return redirect(url_for("paper.loans") + f"#loan-{loan.id}")


@bp.post("/loans/<int:loan_id>/return")
@requires(Permission.MANAGE_RECORDS)
def return_(loan_id: int):
    form = ReturnForm()
    _require_valid(form)
    loan = loans.return_loan(db(), actor(), loan_id, condition=form.condition.data, note=form.note.data)
    flash(
        _(
            "已登记归还：文件 %(d)s，查验结果：%(c)s。",
            d=loan.document_id,
            c=loans.CONDITION_NAMES_ZH[loan.return_condition] if loan.return_condition else "—",
        ),
        "success",
    )
    return redirect(url_for("paper.loans") + "#history")


@bp.post("/loans/<int:loan_id>/remind")
@requires(Permission.MANAGE_RECORDS)
def remind(loan_id: int):
    form = RemindForm()
    _require_valid(form)
    loan = loans.remind(db(), actor(), loan_id, form.channel.data, note=form.note.data)
    flash(
        _(
            "已记录对 %(b)s 的催还（%(c)s）。",
            b=loan.borrower,
            c=loans.CHANNEL_NAMES_ZH[loan.reminders[-1].channel],
        ),
        "success",
    )
    if loans.loan_view(loan)["overdue"]:
        flash(_("注意：应还日期已过，该借阅已计为逾期。"), "warning")
    return redirect(url_for("paper.loans") + f"#loan-{loan.id}")


# --- 库房清点 -------------------------------------------------------------------------------------


@bp.get("/inventory")
@requires(*READERS)
def inventory():
    session, who = db(), actor()
    cabinet = request.args.get("cabinet", "").strip() or None
    shelf = counts.shelf(session, who, cabinet) if cabinet else None
    form = None
    if shelf is not None and can(who, Permission.MANAGE_RECORDS):
        form = CountForm(
            formdata=None,
            shelf_ids=[d["document"] for d in shelf["on_shelf"]],
            data={"month": localtime.today().strftime("%Y-%m"), "cabinet": shelf["cabinet"]},
        )
    return render_template(
        "paper/inventory.html",
        cabinet=cabinet,
        cabinets=counts.cabinets(session, who),
        shelf=shelf,
        form=form,
        history=counts.list_inventories(session, who, cabinet) if cabinet else [],
        differences=counts.open_differences(session, who, cabinet),
        resolve_form=ResolveForm(formdata=None),
    )


@bp.post("/inventory")
@requires(Permission.MANAGE_RECORDS)
def record_count():
    form = CountForm()
    _require_valid(form)
    count = counts.record_inventory(
        db(),
        actor(),
        form.cabinet.data,
        month=form.month.data,
        missing=form.missing.data or [],
        extra=(form.extra.data or "").splitlines(),
        note=form.note.data,
    )
    differences = len(counts.inventory_view(count)["discrepancies"])
    if differences:
        flash(
            _(
                "已登记 %(c)s 柜 %(m)s 的清点，有 %(n)d 项差异待处理。",
                c=count.cabinet,
                m=count.month,
                n=differences,
            ),
            "warning",
        )
    else:
        flash(_("已登记 %(c)s 柜 %(m)s 的清点：帐物相符。", c=count.cabinet, m=count.month), "success")
    return redirect(url_for("paper.inventory", cabinet=count.cabinet))


@bp.post("/inventory/counts/<int:inventory_id>/<int:entry>/resolve")
@requires(Permission.MANAGE_RECORDS)
def resolve(inventory_id: int, entry: int):
    form = ResolveForm()
    _require_valid(form)
    count = counts.resolve_difference(db(), actor(), inventory_id, entry, form.note.data)
    flash(
        _("已处理 %(c)s 柜 %(m)s 清点的第 %(e)d 项差异。", c=count.cabinet, m=count.month, e=entry), "success"
    )
    back = request.args.get("cabinet")
    return redirect(url_for("paper.inventory", cabinet=back) if back else url_for("paper.inventory"))
