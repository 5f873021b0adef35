"""``dossier household import FILE`` and ``dossier household export``: thin, over
``dossier.services.household_sheets`` (the same calls as the web's 导入 and 导出)."""

from __future__ import annotations

from pathlib import Path

import click

from dossier.catalog import language, os_reason, say
from dossier.cli.common import CliContext, emit, fail, json_option, pass_cli, subgroup
from dossier.localtime import today
from dossier.services import household_sheets as sheets
from dossier.services.households import HouseholdFilter
from dossier.sheets import csv_bytes, xlsx_bytes


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--valid-only", is_flag=True, help="Import the valid rows and skip (and list) the others.")
@json_option
@pass_cli
def import_(ctx: CliContext, file: Path, valid_only: bool, as_json: bool) -> None:
    """Open households and register parties from an XLSX or CSV file (the web's 导入 template).
    Nothing is imported unless every row is valid, unless --valid-only."""
    archive = ctx.ready_archive()
    lang = language()
    with archive.session() as session:
        actor = ctx.actor(session)
        report = sheets.import_households(
            session, actor, archive.fields, file.read_bytes(), file.name, valid_only=valid_only
        )
        reindex = report.reindex
    if reindex:
        from search.hooks import documents_changed

        documents_changed(archive, reindex)
    lines = [r.reason_text.render(lang) for r in report.refused if r.reason_text]
    emit(as_json, report.as_dict(lang), "\n".join([*lines, report.summary(lang)]))
    if report.refused and not report.kept:
        raise SystemExit(2)


@click.command("export")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="FILE.xlsx or FILE.csv."
)
@click.option("--community", metavar="NAME")
@click.option("--building", metavar="B")
@click.option("--use", type=click.Choice(["residential", "commercial", "office"]))
@click.option("--status", type=click.Choice(["active", "closed"]))
@click.option("--owner", metavar="NAME", help="Owner or tenant name contains this.")
@pass_cli
def export(
    ctx: CliContext,
    output: Path | None,
    community: str | None,
    building: str | None,
    use: str | None,
    status: str | None,
    owner: str | None,
) -> None:
    """Write the households list (业户基本情况汇总表) as XLSX or CSV with a BOM."""
    archive = ctx.ready_archive()
    with archive.session() as session:
        actor = ctx.actor(session)
        table = sheets.households_table(
            session,
            actor,
            HouseholdFilter(community=community, building=building, use=use, status=status, owner=owner),
        )
        output = output or Path(f"{table.title}-{today().isoformat()}.xlsx")
        suffix = output.suffix.lower()
        if suffix not in (".xlsx", ".csv"):
            fail(say("exports.cli_bad_suffix", name=output.name), 2)
        rows = list(table.rows)
        table.rows = rows
        data = xlsx_bytes(table) if suffix == ".xlsx" else csv_bytes(table)
        try:
            output.write_bytes(data)
        except OSError as exc:
            fail(say("cli.cannot_write", path=output, reason=os_reason(exc)))
    click.echo(say("exports.cli_exported", rows=len(rows), path=output))


def register(cli: click.Group) -> None:
    household = subgroup(cli, "household")
    household.add_command(import_)
    household.add_command(export)
