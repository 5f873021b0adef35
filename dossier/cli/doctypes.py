"""``dossier doctype ...``: document types and the folder catalog's expected list."""

from __future__ import annotations

import click

from dossier.cli.common import emit, json_option, pass_cli
from dossier.services import folders as svc


@click.group("doctype")
def doctype() -> None:
    """Document types (their codes are used by the CLI and the API)."""


@doctype.command("list")
@json_option
@pass_cli
def list_(ctx, as_json):
    archive = ctx.ready_archive()
    with archive.session() as session:
        rows = [{"code": t.code, "name": t.name, "expected": t.expected}
                for t in svc.list_document_types(session)]
    emit(as_json, {"types": rows}, "\n".join(
        f"{t['code']:<16} {t['name']}{'  (expected in every folder)' if t['expected'] else ''}" for t in rows))


@doctype.command("add")
@click.argument("code")
@click.argument("name")
@click.option("--expected/--not-expected", default=False, help="Part of every folder's catalog.")
@json_option
@pass_cli
def add(ctx, code, name, expected, as_json):
    archive = ctx.ready_archive()
    with archive.session() as session:
        row = svc.add_document_type(session, ctx.actor(session), code, name, expected)
        payload = {"code": row.code, "name": row.name, "expected": row.expected}
    emit(as_json, payload, f"document type {code} added")


@doctype.command("set")
@click.argument("code")
@click.option("--expected/--not-expected", required=True, help="Part of every folder's catalog or not.")
@json_option
@pass_cli
def set_(ctx, code, expected, as_json):
    archive = ctx.ready_archive()
    with archive.session() as session:
        row = svc.set_expected(session, ctx.actor(session), code, expected)
        payload = {"code": row.code, "name": row.name, "expected": row.expected}
    emit(as_json, payload, f"document type {code} is {'now' if expected else 'no longer'} expected in every folder")


def register(cli: click.Group) -> None:
    cli.add_command(doctype)
