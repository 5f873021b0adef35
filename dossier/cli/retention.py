"""``dossier retention ...``, ``dossier hold ...``, ``dossier shredlog ...``: thin calls into
``retention/``. Commands that act for a person take ``dossier --as USERNAME``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from dossier import localtime
from dossier.catalog import os_reason, say, text
from dossier.cli.common import CliContext, credential_of, emit, fail, json_option, pass_cli
from dossier.dates import parse_date
from dossier.localtime import format_date, format_datetime
from retention import classes as class_svc
from retention import lists as list_svc
from retention.paper import DEFAULT_METHOD as DEFAULT_PAPER_METHOD


def due_filter_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--as-of, --household, --type, --class: which due documents (``due`` and ``propose``)."""
    for option in reversed(
        (
            click.option(
                "--as-of", "as_of", metavar="YYYY-MM-DD", help="Count as of this date (default today)."
            ),
            click.option("--household", metavar="CODE", help="Only this household's documents."),
            click.option("--type", "type_code", metavar="TYPE", help="Only this document type."),
            click.option("--class", "class_code", metavar="CLASS", help="Only this retention class."),
        )
    ):
        fn = option(fn)
    return fn


def _date(value: str | None, what: str = "date") -> date | None:
    return parse_date(value, what)


def _due_filter(
    as_of: str | None, household: str | None, type_code: str | None, class_code: str | None
) -> list_svc.DueFilter:
    return list_svc.DueFilter(
        as_of=_date(as_of, "--as-of"), household=household, type_code=type_code, class_code=class_code
    )


def _trigger(code: str) -> str:
    """A class's trigger in the CLI's language."""
    names = {
        "document_date": "retention.trigger_document_date",
        "household_closed": "retention.trigger_household_closed",
    }
    return say(names[code]) if code in names else code


def _day(iso: str | None) -> str:
    """An ISO time as the office's date (Beijing time)."""
    return format_date(datetime.fromisoformat(iso)) if iso else ""


def _list_lines(view: dict[str, Any]) -> str:
    c = view["counts"]
    lines = [
        say(
            "retention.cli.list_head",
            number=view["number"],
            status=list_svc.STATUS_TEXT.get(view["status"], view["status"]),
            proposer=view["proposed_by"],
            day=_day(view["proposed_at"]),
            approved=text("retention.cli.approved_by", name=view["approved_by"])
            if view["approved_by"]
            else "",
            total=c["total"],
            pending=c["pending"],
            struck=c["struck"],
            destroyed=c["destroyed"],
        )
    ]
    for item in view.get("items", []):
        paper = (
            text("retention.cli.item_paper", location=item["paper_location"])
            if item["paper_original"]
            else ""
        )
        note = (
            f"  ({item['struck_reason']})"
            if item["struck_reason"]
            else (f"  [{item['error']}]" if item["error"] else "")
        )
        lines.append(
            say(
                "retention.cli.item_line",
                id=item["document"],
                no=item["item_archive_no"] or "-",
                state=list_svc.STATE_TEXT.get(item["state"], item["state"]),
                household=item["household"],
                type=item["type_name"],
                title=item["title"],
                date=item["date"] or "-",
                code=item["class"],
                disposal=item["disposal_date"],
                paper=paper,
                note=note,
            )
        )
    return "\n".join(lines)


@click.group("retention")
def retention() -> None:
    """Retention classes, due documents and destruction lists (销毁清册)."""


@retention.group("class")
def class_() -> None:
    """Retention classes (保管期限)."""


@class_.command("list")
@json_option
@pass_cli
def class_list(ctx: CliContext, as_json: bool) -> None:
    """List the classes."""
    archive = ctx.ready_archive()
    with archive.session() as session:
        rows = [class_svc.class_view(c) for c in class_svc.list_classes(session)]
    emit(
        as_json,
        {"classes": rows},
        "\n".join(
            say(
                "retention.cli.class_line",
                code=c["code"],
                period=c["period"],
                trigger=_trigger(c["trigger"]),
                name=c["name"],
            )
            for c in rows
        ),
    )


def _class_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    fn = click.option(
        "--trigger",
        type=click.Choice(["document_date", "household_closed"]),
        help="Count from the document's date, or from the day its household closed.",
    )(fn)
    fn = click.option("--permanent", is_flag=True, help="Kept permanently (永久).")(fn)
    return click.option("--years", metavar="N", help="Kept N years.")(fn)


@class_.command("add")
@click.argument("code")
@click.argument("name")
@_class_options
@json_option
@pass_cli
def class_add(
    ctx: CliContext,
    code: str,
    name: str,
    years: str | None,
    permanent: bool,
    trigger: str | None,
    as_json: bool,
) -> None:
    """Add a class, e.g. `retention class add HC5 结档后5年 --years 5 --trigger household_closed`."""
    archive = ctx.ready_archive()
    with archive.session() as session:
        row = class_svc.add_class(
            session, ctx.actor(session), code, name, years=years, permanent=permanent, trigger=trigger
        )
        view = class_svc.class_view(row)
    emit(
        as_json,
        view,
        say(
            "retention.cli.class_added",
            code=view["code"],
            period=view["period"],
            trigger=_trigger(view["trigger"]),
        ),
    )


@class_.command("set")
@click.argument("code")
@click.option("--name")
@_class_options
@json_option
@pass_cli
def class_set(
    ctx: CliContext,
    code: str,
    name: str | None,
    years: str | None,
    permanent: bool,
    trigger: str | None,
    as_json: bool,
) -> None:
    """Change a class; the disposal dates it governs are recomputed."""
    archive = ctx.ready_archive()
    with archive.session() as session:
        row, changed = class_svc.change_class(
            session, ctx.actor(session), code, name=name, years=years, permanent=permanent, trigger=trigger
        )
        view = dict(class_svc.class_view(row), recomputed=changed)
    emit(as_json, view, say("retention.cli.class_changed", code=view["code"], changed=changed))


@retention.command("set-class")
@click.argument("document_id", type=int)
@click.argument("class_code", required=False)
@click.option(
    "--default", "use_default", is_flag=True, help="Follow the document type's default class again."
)
@click.option("--reason", metavar="TEXT", help="Why (kept in the document's signed history).")
@json_option
@pass_cli
def set_class(
    ctx: CliContext,
    document_id: int,
    class_code: str | None,
    use_default: bool,
    reason: str | None,
    as_json: bool,
) -> None:
    """Give one document its own retention class; its disposal date is recomputed."""
    from dossier.services.documents import get_document
    from retention.schedule import set_document_class

    if bool(class_code) == use_default:
        fail(text("retention.cli.class_or_default"), 2)
    archive = ctx.ready_archive()
    with archive.session() as session:
        doc = set_document_class(
            session, ctx.actor(session), get_document(session, document_id), class_code, reason=reason
        )
        payload = {
            "id": doc.id,
            "retention_class": doc.retention_class,
            "disposal_date": doc.disposal_date.isoformat() if doc.disposal_date else None,
        }
    emit(
        as_json,
        payload,
        say(
            "retention.cli.document_class",
            id=document_id,
            code=payload["retention_class"] or text("retention.cli.type_default"),
            date=payload["disposal_date"] or text("retention.cli.none"),
        ),
    )


@retention.command("recompute")
@json_option
@pass_cli
def recompute(ctx: CliContext, as_json: bool) -> None:
    """Recompute every document's disposal date (administrator)."""
    from retention.schedule import recompute_disposal_dates

    archive = ctx.ready_archive()
    with archive.session() as session:
        changed = recompute_disposal_dates(session, ctx.actor(session))
    emit(as_json, {"recomputed": changed}, say("retention.cli.recomputed", changed=changed))


@retention.command("due")
@due_filter_options
@json_option
@pass_cli
def due(
    ctx: CliContext,
    as_of: str | None,
    household: str | None,
    type_code: str | None,
    class_code: str | None,
    as_json: bool,
) -> None:
    """Documents past their disposal date and not held."""
    archive = ctx.ready_archive()
    with archive.session() as session:
        flt = _due_filter(as_of, household, type_code, class_code)
        total, docs = list_svc.due_documents(session, ctx.actor(session), flt)
        rows = [list_svc.due_view(session, d) for d in docs]
    payload = {"as_of": (flt.as_of or localtime.today()).isoformat(), "total": total, "documents": rows}
    emit(
        as_json,
        payload,
        "\n".join(
            say(
                "retention.cli.due_line",
                id=d["id"],
                no=d["item_archive_no"] or "-",
                household=d["household"],
                type=d["type_name"],
                title=d["title"],
                date=d["date"] or "-",
                code=d["class"],
                disposal=d["disposal_date"],
                paper=text("retention.cli.paper_kept") if d["paper_original"] else "",
            )
            for d in rows
        )
        or say("retention.cli.nothing_due"),
    )


@retention.command("propose")
@due_filter_options
@json_option
@pass_cli
def propose(
    ctx: CliContext,
    as_of: str | None,
    household: str | None,
    type_code: str | None,
    class_code: str | None,
    as_json: bool,
) -> None:
    """Draw up a destruction list of the due documents (archivist or retention officer)."""
    archive = ctx.ready_archive()
    with archive.session() as session:
        dl = list_svc.propose(
            session, ctx.actor(session), _due_filter(as_of, household, type_code, class_code)
        )
        view = list_svc.list_view(dl)
    emit(as_json, view, _list_lines(view))


@retention.command("lists")
@click.option("--status", type=click.Choice(["proposed", "approved", "executed"]))
@json_option
@pass_cli
def lists(ctx: CliContext, status: str | None, as_json: bool) -> None:
    """Destruction lists, newest first."""
    archive = ctx.ready_archive()
    with archive.session() as session:
        views = [
            list_svc.list_view(dl, with_items=False)
            for dl in list_svc.list_lists(session, ctx.actor(session), status)
        ]
    emit(as_json, {"lists": views}, "\n".join(_list_lines(v) for v in views) or say("retention.cli.no_lists"))


@retention.command("show")
@click.argument("number")
@json_option
@pass_cli
def show(ctx: CliContext, number: str, as_json: bool) -> None:
    """One destruction list and its items."""
    archive = ctx.ready_archive()
    with archive.session() as session:
        view = list_svc.show_list(session, ctx.actor(session), number)
    emit(as_json, view, _list_lines(view))


@retention.command("approve")
@click.argument("number")
@click.option(
    "--exclude",
    "excluded",
    type=int,
    multiple=True,
    metavar="DOC",
    help="Strike this document from the list (repeatable; each needs a --reason).",
)
@click.option(
    "--reason",
    "reasons",
    multiple=True,
    metavar="TEXT",
    help="Why the document is struck: one for all, or one per --exclude in order.",
)
@click.option(
    "--extend-years",
    type=int,
    metavar="N",
    help="Keep the struck documents N more years, counted from their disposal dates.",
)
@json_option
@pass_cli
def approve(
    ctx: CliContext,
    number: str,
    excluded: tuple[int, ...],
    reasons: tuple[str, ...],
    extend_years: int | None,
    as_json: bool,
) -> None:
    """Approve a list (retention officer, not its proposer), striking items with a reason.

    Four-eyes: the officer named by --as confirms with their password (asked) or their API
    token in DOSSIER_TOKEN."""
    if excluded and not reasons:
        fail(text("retention.cli.exclude_needs_reason"), 2)
    if reasons and not excluded:
        fail(text("retention.cli.reason_without_exclude"), 2)
    if len(reasons) not in (1, len(excluded)):
        fail(text("retention.cli.reason_count"), 2)
    pairs = [(doc, reasons[0] if len(reasons) == 1 else reasons[i]) for i, doc in enumerate(excluded)]
    archive = ctx.ready_archive()
    credential = (
        credential_of(ctx.as_user, say("retention.cli.approving", number=number)) if ctx.as_user else None
    )
    with archive.session() as session:
        actor = ctx.actor(session)
        if credential is not None:
            credential.verify(session, actor)
        dl = list_svc.approve(
            session, actor, list_svc.get_list(session, number), pairs, extend_years=extend_years
        )
        view = list_svc.list_view(dl)
    emit(
        as_json,
        view,
        say("retention.cli.approved", number=view["number"], name=view["approved_by"])
        + "\n"
        + _list_lines(view),
    )


@retention.command("execute")
@click.argument("number")
@json_option
@pass_cli
def execute(ctx: CliContext, number: str, as_json: bool) -> None:
    """Destroy the approved items of a list; safe to re-run after a crash or a storage failure.

    Exits 7 when storage failed for an item, 5 when an item was refused (held, not yet due, being
    processed); the JSON report on stdout says which and why."""
    from retention.execute import execute as run

    archive = ctx.ready_archive()
    with archive.session() as session:
        report = run(archive, session, ctx.actor(session), list_svc.get_list(session, number))
    payload = report.as_dict()
    human = [
        say(
            "retention.cli.executed",
            number=payload["list"],
            now=len(payload["destroyed"]),
            earlier=len(payload["already_destroyed"]),
            struck=payload["struck"],
            pending=len(payload["pending"]),
            status=list_svc.STATUS_TEXT.get(payload["status"], payload["status"]),
        )
    ]
    human += [
        say("retention.cli.pending_line", id=p["document"], reason=p["reason"]) for p in payload["pending"]
    ]
    emit(as_json, payload, "\n".join(human))
    if report.storage_failed:
        count = sum(1 for p in report.pending if p.get("storage"))
        fail(text("retention.cli.storage_failed", number=payload["list"], count=count), 7)
    if report.pending:  # held, not yet due, being processed: refused, and said so
        first = report.pending[0]
        fail(
            text(
                "retention.cli.not_destroyed",
                number=payload["list"],
                count=len(report.pending),
                id=first["document"],
                reason=first["reason"],
            ),
            5,
        )


@retention.command("paper")
@click.argument("number")
@click.option("--shredded-by", required=True, metavar="NAME", help="Who destroyed the paper.")
@click.option(
    "--witness",
    "witnesses",
    multiple=True,
    required=True,
    metavar="NAME",
    help="A witness (监销人); at least two.",
)
@click.option(
    "--method", default=DEFAULT_PAPER_METHOD, show_default=True, help="How the paper was destroyed."
)
@click.option("--date", "on", metavar="YYYY-MM-DD", help="When (default today).")
@click.option(
    "--document",
    "documents",
    type=int,
    multiple=True,
    metavar="ID",
    help="Only these documents' paper (default: all waiting on the list).",
)
@json_option
@pass_cli
def paper(
    ctx: CliContext,
    number: str,
    shredded_by: str,
    witnesses: tuple[str, ...],
    method: str,
    on: str | None,
    documents: tuple[int, ...],
    as_json: bool,
) -> None:
    """Record the physical destruction of a list's paper originals."""
    from retention.paper import paper_view, record_paper_destruction

    archive = ctx.ready_archive()
    with archive.session() as session:
        record, count = record_paper_destruction(
            archive,
            session,
            ctx.actor(session),
            list_svc.get_list(session, number),
            shredded_by=shredded_by,
            witnesses=list(witnesses),
            method=method,
            destroyed_on=_date(on, "--date") or localtime.today(),
            document_ids=list(documents) or None,
        )
        view = paper_view(record, count)
    emit(
        as_json,
        view,
        say(
            "retention.cli.paper_recorded",
            count=count,
            number=number,
            date=view["destroyed_on"],
            method=view["method"],
            witnesses="、".join(view["witnesses"]),
        ),
    )


@retention.command("certificate")
@click.argument("number")
@json_option
@pass_cli
def certificate(ctx: CliContext, number: str, as_json: bool) -> None:
    """The certificate of destruction (销毁证明) of a list."""
    from retention.export import certificate as make
    from retention.export import certificate_pairs

    archive = ctx.ready_archive()
    with archive.session() as session:
        cert = make(session, ctx.actor(session), list_svc.get_list(session, number))
    emit(as_json, cert, "\n".join(f"{label}: {value}" for label, value in certificate_pairs(cert)))


@retention.command("export")
@click.argument("number")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="xlsx", show_default=True)
@click.option(
    "--certificate", "what", flag_value="certificate", help="CSV: the certificate instead of the items."
)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@json_option
@pass_cli
def export(ctx: CliContext, number: str, fmt: str, what: str | None, output: Path, as_json: bool) -> None:
    """Write a list (and its certificate) as CSV or XLSX (both sheets)."""
    from retention.export import certificate as make
    from retention.export import certificate_csv, items_csv, workbook

    archive = ctx.ready_archive()
    with archive.session() as session:
        dl = list_svc.get_list(session, number)
        cert = make(session, ctx.actor(session), dl)
        if fmt == "xlsx":
            data = workbook(dl, cert)
        else:
            data = certificate_csv(cert) if what == "certificate" else items_csv(dl)
    tmp = output.with_name(f".{output.name}.tmp")
    try:
        tmp.write_bytes(data)
        tmp.replace(output)  # never a half-written file under the name asked for
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        fail(text("cli.cannot_write", path=output, reason=os_reason(exc)), 2)
    emit(
        as_json,
        {"list": number, "format": fmt, "output": str(output), "bytes": len(data)},
        say("retention.cli.written", number=number, path=output),
    )


# --- holds -------------------------------------------------------------------------------------


@click.group("hold")
def hold() -> None:
    """Holds (legal hold, complaint, dispute): held documents are never destroyed."""


@hold.command("add")
@click.option("--household", metavar="CODE")
@click.option("--community", metavar="NAME")
@click.option("--document", "document_id", type=int, metavar="ID")
@click.option("--reason", required=True, metavar="TEXT")
@json_option
@pass_cli
def hold_add(
    ctx: CliContext,
    household: str | None,
    community: str | None,
    document_id: int | None,
    reason: str,
    as_json: bool,
) -> None:
    """Hold a household's documents or one document."""
    from dossier.services.documents import get_document
    from dossier.services.households import get_household
    from retention.holds import add_hold, hold_view

    if bool(household) == bool(document_id):
        fail(text("retention.cli.household_or_document"), 2)
    archive = ctx.ready_archive()
    with archive.session() as session:
        actor = ctx.actor(session)
        row = add_hold(
            session,
            actor,
            reason,
            household=get_household(session, household, community) if household else None,
            document=get_document(session, document_id) if document_id else None,
        )
        view = hold_view(row)
    emit(
        as_json,
        view,
        say("retention.cli.hold_placed_household", id=view["id"], household=view["household"])
        if view["scope"] == "household"
        else say("retention.cli.hold_placed_document", id=view["id"], document=view["document"]),
    )


@hold.command("release")
@click.argument("hold_id", type=int)
@click.option("--reason", metavar="TEXT")
@json_option
@pass_cli
def hold_release(ctx: CliContext, hold_id: int, reason: str | None, as_json: bool) -> None:
    """Release a hold (retention officer)."""
    from retention.holds import hold_view, release_hold

    archive = ctx.ready_archive()
    with archive.session() as session:
        view = hold_view(release_hold(session, ctx.actor(session), hold_id, reason))
    emit(as_json, view, say("retention.cli.hold_released", id=hold_id))


@hold.command("list")
@click.option("--all", "include_released", is_flag=True, help="Released holds too.")
@json_option
@pass_cli
def hold_list(ctx: CliContext, include_released: bool, as_json: bool) -> None:
    """Holds, with who placed them and why."""
    from retention.holds import hold_view, list_holds

    archive = ctx.ready_archive()
    with archive.session() as session:
        views = [
            hold_view(h) for h in list_holds(session, ctx.actor(session), include_released=include_released)
        ]
    emit(
        as_json,
        {"holds": views},
        "\n".join(
            say(
                "retention.cli.hold_line",
                id=h["id"],
                state=text(
                    "retention.cli.hold_active" if h["active"] else "retention.cli.hold_released_state"
                ),
                household=h["household"],
                scope=f" #{h['document']}" if h["document"] else text("retention.cli.whole_household"),
                reason=h["reason"],
                by=h["placed_by"],
                day=_day(h["placed_at"]),
            )
            for h in views
        )
        or say("retention.cli.no_holds"),
    )


# --- the shredding log -------------------------------------------------------------------------


@click.group("shredlog")
def shredlog() -> None:
    """The shredding log: append-only, hash-chained, signed."""


@shredlog.command("verify")
@click.option(
    "--public-key",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Verify with this PEM public key (dossier keys export-public) instead of the archive's.",
)
@json_option
@pass_cli
def shredlog_verify(ctx: CliContext, public_key: Path | None, as_json: bool) -> None:
    """Check the chain and every signature; exits 8 naming the first bad entry."""
    from dossier.signing import load_public_key
    from retention.shredlog import verify_log

    archive = ctx.ready_archive()
    key = load_public_key(public_key.read_bytes()) if public_key else archive.signer.public_key
    with archive.session() as session:
        result = verify_log(session, ctx.actor(session), key)

    def problem(p: Mapping[str, Any]) -> str:
        return str(p["problem"])  # the ledger says it in the process's language

    human = (
        say("retention.cli.log_intact", entries=result.entries)
        if result.ok
        else "\n".join(problem(p) for p in result.problems)
    )
    emit(as_json, result.as_dict(), human)
    if not result.ok:
        fail(text("retention.cli.log_broken", seq=result.broken_at, problem=problem(result.problems[0])), 8)


@shredlog.command("show")
@click.option("--list", "list_number", metavar="NUMBER", help="Only this destruction list's entries.")
@json_option
@pass_cli
def shredlog_show(ctx: CliContext, list_number: str | None, as_json: bool) -> None:
    """The log's entries."""
    from retention.shredlog import list_entries

    archive = ctx.ready_archive()
    with archive.session() as session:
        views = list_entries(session, ctx.actor(session), list_number)
    emit(
        as_json,
        {"entries": views},
        "\n".join(
            f"{e['seq']:<5} {format_datetime(datetime.fromisoformat(e['at']), seconds=True)} "
            f"{say('retention.cli.log_kind_' + e['kind'])} {e['list']} #{e['document']} "
            f"{e['record'].get('title', '')} {e['hash'][:16]}…"
            for e in views
        )
        or say("retention.cli.log_empty"),
    )


@shredlog.command("export")
@click.option(
    "-o",
    "--output",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The file to write (JSON lines); refused if it exists.",
)
@json_option
@pass_cli
def shredlog_export(ctx: CliContext, out: Path, as_json: bool) -> None:
    """Write the whole log for `dossier restore --shredlog` (keep it with, and newer than, the backups)."""
    from dossier.errors import AlreadyExists
    from retention.shredlog import export_log

    archive = ctx.ready_archive()
    if out.exists():
        raise AlreadyExists("retention.file_exists", path=out)
    with archive.session() as session:
        lines = export_log(session, ctx.actor(session))
    partial = out.with_name(out.name + ".part")
    partial.write_text("\n".join(lines) + "\n", encoding="utf-8")
    partial.replace(out)
    emit(
        as_json,
        {"file": str(out), "entries": len(lines) - 1},
        say("retention.cli.log_exported", entries=len(lines) - 1, path=out),
    )


def register(cli: click.Group) -> None:
    for command in (retention, hold, shredlog):
        cli.add_command(command)
