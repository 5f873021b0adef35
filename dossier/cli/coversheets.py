"""``dossier coversheet`` (print separator sheets) and ``dossier batch assign`` (file unfiled pages)."""

from __future__ import annotations

import click

from dossier.catalog import say, text
from dossier.cli.common import CliContext, emit, fail, filing_options, json_option, pass_cli, subgroup
from dossier.dates import parse_date


@click.command("coversheet")
@click.option("--household", "codes", multiple=True, metavar="CODE", help="A household (repeat for several).")
@click.option(
    "--households-file",
    type=click.Path(dir_okay=False, path_type=str),
    help="A text file of household codes, one a line.",
)
@click.option("--building", metavar="B", help="Every open household of a building ...")
@click.option("--floor", type=int, metavar="F", help="... or of one floor of it.")
@click.option(
    "--community", metavar="NAME", help="Community of the households, when their codes are not unique."
)
@filing_options(
    type_help="Document type code (default: other).", title_help="Title of the documents after the sheet."
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=str),
    help="The PDF to write (A4, one sheet per household).",
)
@json_option
@pass_cli
def coversheet(
    ctx: CliContext,
    codes: tuple[str, ...],
    households_file: str | None,
    building: str | None,
    floor: int | None,
    community: str | None,
    type_code: str | None,
    title: str | None,
    doc_date: str | None,
    confidential: bool,
    retention: str | None,
    output: str,
    as_json: bool,
) -> None:
    """Print cover sheets: put one in front of each household's documents, scan the whole stack,
    and take it in with ``dossier ingest STACK --split``."""
    from dossier.services import coversheets as svc

    wanted = list(codes)
    if households_file:
        wanted += svc.read_codes_file(households_file)
    if not wanted and building is None:
        fail(text("coversheet.choose_households"), 2)
    options = svc.SheetOptions(
        type_code=type_code,
        title=title,
        document_date=parse_date(doc_date),
        confidential=confidential,
        retention_class=retention,
    )
    archive = ctx.ready_archive()
    with archive.session() as session:
        printed = svc.print_cover_sheets(
            archive,
            session,
            ctx.actor(session),
            options,
            codes=wanted,
            community=community,
            building=building,
            floor=floor,
        )
    chosen = printed.households
    svc.write_atomically(printed.pdf, output)
    emit(
        as_json,
        {"output": output, "sheets": len(chosen), "households": chosen},
        say("coversheet.printed", count=len(chosen), path=output, codes="、".join(chosen)),
    )


@click.command("assign")
@click.argument("item_id", type=int)
@click.option("--household", required=True, metavar="CODE")
@click.option("--community", metavar="NAME")
@filing_options(title_help="Title (default: the stack's name and pages).")
@json_option
@pass_cli
def assign(
    ctx: CliContext,
    item_id: int,
    household: str,
    community: str | None,
    type_code: str | None,
    title: str | None,
    doc_date: str | None,
    confidential: bool,
    retention: str | None,
    as_json: bool,
) -> None:
    """File the unfiled pages of a split stack (ITEM_ID from ``dossier batch show --json``)."""
    from ingest.queue import enqueue_documents
    from ingest.split import assign_unfiled

    if not type_code:
        fail(text("coversheet.type_needed"), 2)
    document_date = parse_date(doc_date)
    archive = ctx.ready_archive()
    with archive.session() as session:
        doc = assign_unfiled(
            archive,
            session,
            ctx.actor(session),
            item_id,
            household=household,
            community=community,
            type_code=type_code,
            title=title,
            document_date=document_date,
            confidential=confidential,
            retention_class=retention,
        )
        result = {
            "item": item_id,
            "document": doc.id,
            "archive_no": doc.archive_no,
            "household": household,
            "type": type_code,
        }
    enqueue_documents(archive.settings, [doc.id])
    emit(
        as_json,
        result,
        say("coversheet.filed_numbered", id=doc.id, archive_no=doc.archive_no, household=household)
        if doc.archive_no
        else say("coversheet.filed", id=doc.id, household=household),
    )


def register(cli: click.Group) -> None:
    cli.add_command(coversheet)
    subgroup(cli, "batch").add_command(assign)
