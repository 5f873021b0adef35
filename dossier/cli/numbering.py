"""``dossier numbering ...``: the item-number (档号) scheme, 全宗号 and 门类代码."""

from __future__ import annotations

import click

from dossier.catalog import say
from dossier.cli.common import CliContext, emit, json_option, pass_cli
from dossier.services import numbering as svc


@click.group("numbering")
def numbering() -> None:
    """Item numbers (档号): the scheme new documents are numbered by."""


def _describe(scheme: svc.Scheme) -> str:
    return say(
        "cli.numbering.show",
        scheme=scheme.pattern,
        fonds=scheme.fonds,
        category=scheme.category,
        name=scheme.name,
    )


@numbering.command("show")
@json_option
@pass_cli
def show(ctx: CliContext, as_json: bool) -> None:
    archive = ctx.ready_archive()
    with archive.session() as session:
        scheme = svc.load_scheme(session)
    emit(as_json, scheme.as_dict(), _describe(scheme))


@numbering.command("set")
@click.option(
    "--scheme",
    "pattern",
    metavar="PATTERN",
    help="e.g. {全宗号}-{门类代码}·{年度}-{保管期限代码}-{户号}-{件号:04d}",
)
@click.option("--fonds", metavar="CODE", help="全宗号 (fonds number).")
@click.option("--category", metavar="CODE", help="门类代码 (category code).")
@click.option("--name", metavar="TEXT", help="立档单位名称 (the archive's name on handover packages).")
@json_option
@pass_cli
def set_(
    ctx: CliContext,
    pattern: str | None,
    fonds: str | None,
    category: str | None,
    name: str | None,
    as_json: bool,
) -> None:
    """Change the scheme for documents filed from now on (numbers given stay as they are)."""
    archive = ctx.ready_archive()
    with archive.session() as session:
        scheme = svc.configure(
            session, ctx.actor(session), pattern=pattern, fonds=fonds, category=category, name=name
        )
    emit(as_json, scheme.as_dict(), _describe(scheme))


def register(cli: click.Group) -> None:
    cli.add_command(numbering)
