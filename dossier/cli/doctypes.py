"""``dossier doctype ...``: document types and the folder catalog's expected list."""

from __future__ import annotations

import click

from dossier.catalog import say, text
from dossier.cli.common import CliContext, emit, fail, json_option, pass_cli
from dossier.services import folders as svc


@click.group("doctype")
def doctype() -> None:
    """Document types (their codes are used by the CLI and the API)."""


@doctype.command("list")
@json_option
@pass_cli
def list_(ctx: CliContext, as_json: bool) -> None:
    archive = ctx.ready_archive()
    with archive.session() as session:
        rows = [
            {"code": t.code, "name": t.name, "expected": t.expected, "retention_class": t.retention_class}
            for t in svc.list_document_types(session)
        ]
    emit(
        as_json,
        {"types": rows},
        "\n".join(
            f"{t['code']:<16} {t['retention_class'] or '-':<5} {t['name']}"
            + ("  " + say("doctype.expected_everywhere") if t["expected"] else "")
            for t in rows
        )
        or say("doctype.none"),
    )


@doctype.command("add")
@click.argument("code")
@click.argument("name")
@click.option("--expected/--not-expected", default=False, help="Part of every folder's catalog.")
@json_option
@pass_cli
def add(ctx: CliContext, code: str, name: str, expected: bool, as_json: bool) -> None:
    archive = ctx.ready_archive()
    with archive.session() as session:
        row = svc.add_document_type(session, ctx.actor(session), code, name, expected)
        payload = {"code": row.code, "name": row.name, "expected": row.expected}
    emit(as_json, payload, say("doctype.added", code=row.code, name=row.name))


@doctype.command("set")
@click.argument("code")
@click.option("--expected/--not-expected", default=None, help="Part of every folder's catalog or not.")
@click.option("--retention", metavar="CLASS", help="Default retention class of this type's documents.")
@json_option
@pass_cli
def set_(ctx: CliContext, code: str, expected: bool | None, retention: str | None, as_json: bool) -> None:
    from retention.classes import set_type_class

    if expected is None and retention is None:
        fail(text("doctype.give_a_change"), 2)
    archive = ctx.ready_archive()
    with archive.session() as session:
        actor = ctx.actor(session)
        recomputed = 0
        row = svc.set_expected(session, actor, code, expected) if expected is not None else None
        if retention is not None:
            row, recomputed = set_type_class(session, actor, code, retention)
        assert row is not None  # --expected or --retention was given (checked above)
        payload = {
            "code": row.code,
            "name": row.name,
            "expected": row.expected,
            "retention_class": row.retention_class,
            "recomputed": recomputed,
        }
    emit(
        as_json,
        payload,
        say(
            "doctype.set",
            code=code,
            expected=text("doctype.expected" if payload["expected"] else "doctype.optional"),
            retention=payload["retention_class"] or "-",
        ),
    )


def register(cli: click.Group) -> None:
    cli.add_command(doctype)
