"""``dossier accesslog export``: the access log (查阅登记) for auditors, as CSV or JSON lines."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from dossier.catalog import os_reason
from dossier.cli.common import CliContext, pass_cli


@click.group("accesslog")
def accesslog() -> None:
    """The access log: who looked at what, and who was refused."""


@accesslog.command("export")
@click.option("--csv", "fmt", flag_value="csv", default=True, help="CSV with a header line (the default).")
@click.option("--json", "fmt", flag_value="json", help="One JSON object per line.")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here, not to stdout."
)
@click.option("--user", metavar="USERNAME")
@click.option("--action", metavar="ACTION", help="e.g. document.view, document.download, search, forbidden.")
@click.option("--household", metavar="CODE")
@click.option("--document", type=int, metavar="ID")
@click.option("--outcome", type=click.Choice(["ok", "denied"]))
@click.option("--from", "date_from", metavar="DATE")
@click.option("--to", "date_to", metavar="DATE")
@pass_cli
def export(
    ctx: CliContext,
    fmt: str,
    output: Path | None,
    user: str | None,
    action: str | None,
    household: str | None,
    document: int | None,
    outcome: str | None,
    date_from: str | None,
    date_to: str | None,
) -> None:
    """Every matching entry, oldest first (the export itself is recorded)."""
    from dossier.errors import InvalidInput
    from dossier.services.accesslog import AccessFilter, csv_lines, iter_access

    archive = ctx.ready_archive()
    f = AccessFilter(user, action, household, document, outcome, date_from, date_to)
    with archive.session() as session:
        rows = iter_access(session, ctx.actor(session), f)
        session.commit()  # the export is on record before any row leaves
        lines = (
            csv_lines(session, rows)
            if fmt == "csv"
            else (json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        )
        try:
            out = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
        except OSError as exc:
            raise InvalidInput("cli.cannot_write", path=str(output), reason=os_reason(exc)) from None
        try:
            if output and fmt == "csv":
                out.write("\ufeff")  # so that spreadsheet programs read the UTF-8 Chinese
            for line in lines:
                out.write(line)
        finally:
            if output:
                out.close()


def register(cli: click.Group) -> None:
    cli.add_command(accesslog)
