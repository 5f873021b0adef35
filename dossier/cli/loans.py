"""``dossier loan ...``, ``dossier inventory ...`` and ``dossier doc paper``: paper originals (双轨制)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import click

from dossier.catalog import Text, say, text
from dossier.cli.common import CliContext, credential_of, emit, json_option, pass_cli, subgroup
from dossier.dates import require_date
from dossier.localtime import format_date
from dossier.people import display_names


def _due(value: str) -> date:
    return require_date(value, "--due")


def _loan_state(v: dict[str, Any]) -> Text:
    if v["returned_at"]:
        day = format_date(datetime.fromisoformat(v["returned_at"]))
        if v["condition"]:
            return text(
                "cli.loan.returned_checked", day=day, condition=text("paper.condition." + v["condition"])
            )
        return text("cli.loan.returned", day=day)
    if v["overdue"]:
        return text("cli.loan.overdue", days=v["days_overdue"])
    return text("cli.loan.due", due=v["due"])


def _loan_line(v: dict[str, Any]) -> str:
    return say(
        "cli.loan.line",
        loan=v["loan"],
        document=v["document"],
        household=v["household"],
        title=v["title"],
        borrower=v["borrower"],
        state=_loan_state(v),
    )


@click.group("loan")
def loan() -> None:
    """Loans of paper originals (借阅): hand out, take back, chase overdue ones (催还)."""


_MANNERS = ("view", "copy", "take", "查阅", "复制", "借出")
_CONDITIONS = ("intact", "pages_missing", "damaged", "完好", "缺页", "损坏")
_CHANNELS = ("phone", "sms", "visit", "letter", "other", "电话", "短信", "上门", "书面通知", "其他")


@loan.command("out")
@click.argument("document_id", type=int)
@click.option("--to", "borrower", required=True, metavar="NAME", help="Who borrows the original (借阅人).")
@click.option("--unit", metavar="TEXT", help="The borrower's unit or household (单位或户号).")
@click.option("--purpose", metavar="TEXT", help="What it is borrowed for (借阅目的).")
@click.option(
    "--manner",
    type=click.Choice(_MANNERS),
    default="take",
    show_default=True,
    help="查阅 (view), 复制 (copy) or 借出 (take away).",
)
@click.option("--due", required=True, metavar="DATE", help="When it must be back (YYYY-MM-DD).")
@click.option(
    "--out-on",
    metavar="DATE",
    help="When it went out, to enter an earlier loan (补登); its due date may have passed.",
)
@click.option(
    "--approved-by", metavar="USERNAME", help="Who approved (required for a confidential original)."
)
@click.option("--note", metavar="TEXT")
@json_option
@pass_cli
def out(
    ctx: CliContext,
    document_id: int,
    borrower: str,
    unit: str | None,
    purpose: str | None,
    manner: str,
    due: str,
    out_on: str | None,
    approved_by: str | None,
    note: str | None,
    as_json: bool,
) -> None:
    """Lend the paper original of a document.

    Four-eyes: the approver named by --approved-by confirms with their password (asked) or
    their API token in DOSSIER_TOKEN."""
    from paper.loans import lend, loan_view

    archive = ctx.ready_archive()
    due_on = _due(due)
    lent_on = require_date(out_on, "--out-on") if out_on else None
    credential = (
        credential_of(approved_by, say("cli.loan.approve_action", document=document_id))
        if approved_by
        else None
    )
    with archive.session() as session:
        actor = ctx.actor(session)
        if credential is not None:
            credential.verify(session, actor)
        loan_ = lend(
            session,
            actor,
            document_id,
            borrower,
            due_on,
            unit=unit,
            purpose=purpose,
            manner=manner,
            approved_by=approved_by,
            note=note,
            lent_on=lent_on,
        )
        view = loan_view(loan_)
    if view["overdue"]:
        click.echo(say("cli.loan.past_due", due=view["due"]), err=True)
    emit(as_json, view, _loan_line(view))


@loan.command("renew")
@click.argument("document_id", type=int)
@click.option("--due", required=True, metavar="DATE", help="The new due date (later than the current one).")
@click.option("--note", metavar="TEXT")
@json_option
@pass_cli
def renew_(ctx: CliContext, document_id: int, due: str, note: str | None, as_json: bool) -> None:
    """Renew the loan of a document's original (续借): a later due date, recorded."""
    from paper.loans import loan_view, open_loan_id, renew

    archive = ctx.ready_archive()
    due_on = _due(due)
    with archive.session() as session:
        actor = ctx.actor(session)
        view = loan_view(renew(session, actor, open_loan_id(session, document_id), due_on, note=note))
    emit(as_json, view, _loan_line(view))


@loan.command("remind")
@click.argument("document_id", type=int)
@click.option(
    "--by", "channel", type=click.Choice(_CHANNELS), required=True, help="How the borrower was chased."
)
@click.option("--note", metavar="TEXT", help="What was said or agreed.")
@json_option
@pass_cli
def remind_(ctx: CliContext, document_id: int, channel: str, note: str | None, as_json: bool) -> None:
    """Record a reminder (催还) to the borrower of a document's original."""
    from paper.loans import loan_view, open_loan_id, remind

    archive = ctx.ready_archive()
    with archive.session() as session:
        actor = ctx.actor(session)
        view = loan_view(remind(session, actor, open_loan_id(session, document_id), channel, note=note))
    emit(as_json, view, say("cli.loan.reminded", line=_loan_line(view), count=len(view["reminders"])))


@loan.command("return")
@click.argument("document_id", type=int)
@click.option(
    "--condition",
    type=click.Choice(_CONDITIONS),
    help="What the check found: 完好 (intact), 缺页 (pages_missing) or 损坏 (damaged).",
)
@click.option("--note", metavar="TEXT", help="e.g. which pages are missing, or the damage.")
@json_option
@pass_cli
def return_(
    ctx: CliContext, document_id: int, condition: str | None, note: str | None, as_json: bool
) -> None:
    """Record that a lent original came back, with its completeness check."""
    from paper.loans import loan_view, return_original

    archive = ctx.ready_archive()
    with archive.session() as session:
        loan_ = return_original(session, ctx.actor(session), document_id, condition=condition, note=note)
        view = loan_view(loan_)
    emit(as_json, view, _loan_line(view))


@loan.command("overdue")
@json_option
@pass_cli
def overdue(ctx: CliContext, as_json: bool) -> None:
    """Originals not back by their due date, longest overdue first."""
    from paper.loans import overdue_loans

    archive = ctx.ready_archive()
    with archive.session() as session:
        loans = overdue_loans(session, ctx.actor(session))
    emit(as_json, {"overdue": loans}, "\n".join(_loan_line(v) for v in loans) or say("cli.loan.none_overdue"))


@loan.command("list")
@click.option("--open", "open_only", is_flag=True, help="Only loans not yet returned.")
@json_option
@pass_cli
def list_(ctx: CliContext, open_only: bool, as_json: bool) -> None:
    """Loans, newest first."""
    from paper.loans import list_loans

    archive = ctx.ready_archive()
    with archive.session() as session:
        loans = list_loans(session, ctx.actor(session), open_only=open_only)
    emit(as_json, {"loans": loans}, "\n".join(_loan_line(v) for v in loans) or say("cli.loan.none"))


@click.command("paper")
@click.argument("document_id", type=int)
@click.option("--cabinet", metavar="C")
@click.option("--box", metavar="B")
@click.option("--position", metavar="P")
@click.option("--none", "none_kept", is_flag=True, help="No paper original is kept.")
@json_option
@pass_cli
def paper(
    ctx: CliContext,
    document_id: int,
    cabinet: str | None,
    box: str | None,
    position: str | None,
    none_kept: bool,
    as_json: bool,
) -> None:
    """Record where a document's paper original is kept (cabinet, box, position), or --none."""
    from dossier.errors import InvalidInput
    from paper.loans import PaperLocation, location_of, set_paper_location

    given = PaperLocation(cabinet, box, position)
    if none_kept == given.kept:
        raise InvalidInput("cli.loan.paper_needs")
    archive = ctx.ready_archive()
    with archive.session() as session:
        doc = set_paper_location(session, ctx.actor(session), document_id, given)
        view: dict[str, Any] = {"document": doc.id, "paper": location_of(doc)}
    where = view["paper"]
    human = (
        say(
            "cli.loan.paper_at",
            document=view["document"],
            cabinet=where["cabinet"] or "-",
            box=where["box"] or "-",
            position=where["position"] or "-",
        )
        if where
        else say("cli.loan.paper_none", document=view["document"])
    )
    emit(as_json, view, human)


@click.group("inventory")
def inventory() -> None:
    """The monthly inventory (每月清点) of a cabinet's paper originals."""


@inventory.command("record")
@click.argument("cabinet")
@click.option("--month", metavar="YYYY-MM", help="The month counted (default: this month).")
@click.option(
    "--missing", type=int, multiple=True, metavar="DOC", help="A document the ledger puts here, not found."
)
@click.option(
    "--extra", multiple=True, metavar="TEXT", help="Something found here that the ledger does not know."
)
@click.option("--note", metavar="TEXT")
@json_option
@pass_cli
def inventory_record(
    ctx: CliContext,
    cabinet: str,
    month: str | None,
    missing: tuple[int, ...],
    extra: tuple[str, ...],
    note: str | None,
    as_json: bool,
) -> None:
    """Record a cabinet's count against the ledger (帐物相符), with its discrepancies."""
    from paper.inventory import inventory_view, record_inventory

    archive = ctx.ready_archive()
    with archive.session() as session:
        count = record_inventory(
            session,
            ctx.actor(session),
            cabinet,
            month=month,
            missing=list(missing),
            extra=list(extra),
            note=note,
        )
        view = inventory_view(count, display_names(session, [count.counted_by]))
    emit(as_json, view, _inventory_line(view))


@inventory.command("list")
@click.option("--cabinet", metavar="C")
@json_option
@pass_cli
def inventory_list(ctx: CliContext, cabinet: str | None, as_json: bool) -> None:
    """Inventories recorded, newest first."""
    from paper.inventory import list_inventories

    archive = ctx.ready_archive()
    with archive.session() as session:
        counts = list_inventories(session, ctx.actor(session), cabinet)
    emit(
        as_json,
        {"inventories": counts},
        "\n".join(_inventory_line(v) for v in counts) or say("cli.inventory.none"),
    )


@inventory.command("differences")
@click.option("--cabinet", metavar="C")
@json_option
@pass_cli
def inventory_differences(ctx: CliContext, cabinet: str | None, as_json: bool) -> None:
    """Discrepancies of past counts not yet resolved."""
    from paper.inventory import open_differences

    archive = ctx.ready_archive()
    with archive.session() as session:
        rows = open_differences(session, ctx.actor(session), cabinet)
    human = "\n".join(
        say(
            "cli.inventory.difference",
            count=r["inventory"],
            entry=r["entry"],
            cabinet=r["cabinet"],
            month=r["month"],
            kind=text("paper.kind." + r["kind"]),
            what=text("cli.inventory.document", document=r["document"])
            if r.get("document")
            else r.get("item", ""),
        )
        for r in rows
    )
    emit(as_json, {"differences": rows}, human or say("cli.inventory.no_differences"))


@inventory.command("resolve")
@click.argument("inventory_id", type=int)
@click.argument("entry", type=int)
@click.option(
    "--note", required=True, metavar="TEXT", help="What was done (e.g. found in box B-3, put back)."
)
@json_option
@pass_cli
def inventory_resolve(ctx: CliContext, inventory_id: int, entry: int, note: str, as_json: bool) -> None:
    """Resolve discrepancy number ENTRY (from 1, as `inventory differences` shows it) of a count."""
    from paper.inventory import inventory_view, resolve_difference

    archive = ctx.ready_archive()
    with archive.session() as session:
        count = resolve_difference(session, ctx.actor(session), inventory_id, entry, note)
        people = [count.counted_by, *(r.resolved_by for r in count.resolutions)]
        view = inventory_view(count, display_names(session, people))
    emit(as_json, view, _inventory_line(view))


def _inventory_line(v: dict[str, Any]) -> str:
    missing = sum(1 for d in v["discrepancies"] if d["kind"] == "missing")
    extra = len(v["discrepancies"]) - missing
    state = (
        text("cli.inventory.matches")
        if v["matches"]
        else text("cli.inventory.mismatch", missing=missing, extra=extra)
    )
    return say(
        "cli.inventory.line",
        cabinet=v["cabinet"],
        month=v["month"],
        expected=v["expected"],
        found=v["found"],
        on_loan=v["on_loan"],
        state=state,
        counted_by=v.get("counted_by_name") or v["counted_by"],
    )


def register(cli: click.Group) -> None:
    cli.add_command(loan)
    cli.add_command(inventory)
    subgroup(cli, "doc").add_command(paper)
