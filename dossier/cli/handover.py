"""``dossier handover ...``: hand whole folders to another archive (移交) and receive them (接收)."""

from __future__ import annotations

from pathlib import Path

import click

from dossier.catalog import say
from dossier.cli.common import CliContext, emit, fail, json_option, pass_cli


@click.group("handover")
def handover() -> None:
    """Handover packages (DA/T 48 XML, signed manifest, 移交接收登记表)."""


@handover.command("export")
@click.option(
    "--household", "households", multiple=True, metavar="CODE", help="A household's code (repeatable)."
)
@click.option("--community", metavar="NAME", help="Every household of this community (name or code).")
@click.option("--all", "everything", is_flag=True, help="Every household of the archive.")
@click.option(
    "-o",
    "--out",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="The package's folder (new, or empty).",
)
@json_option
@pass_cli
def export(
    ctx: CliContext,
    households: tuple[str, ...],
    community: str | None,
    everything: bool,
    out: Path,
    as_json: bool,
) -> None:
    """Write a handover package (移交包) of whole household folders (administrators)."""
    from handover.export import Selection, export_package

    archive = ctx.ready_archive()
    selection = Selection(households=list(households), community=community, everything=everything)
    with archive.session() as session:
        result = export_package(archive, session, ctx.actor(session), selection, out)
    counts = result.counts
    human = say(
        "cli.handover.exported",
        path=result.path,
        package=result.package_id,
        households=counts["households"],
        documents=counts["documents"],
        destroyed=counts["destroyed"],
        pages=counts["pages"],
        gigabytes=result.register.gigabytes,
        manifest=result.manifest_sha256,
        fingerprint=result.key_fingerprint,
    )
    emit(as_json, result.as_dict(), human)


@handover.command("import")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--sender-key",
    metavar="FINGERPRINT",
    help="The signing key fingerprint on the sender's signed register; any other key is refused.",
)
@json_option
@pass_cli
def import_(ctx: CliContext, directory: Path, sender_key: str | None, as_json: bool) -> None:
    """Check a handover package (接收检测) and file it; refused whole when any check fails."""
    from handover.receive import HandoverRefused, receive_package

    archive = ctx.ready_archive()
    try:
        with archive.session() as session:
            report = receive_package(archive, session, ctx.actor(session), directory, sender_key=sender_key)
    except HandoverRefused as refused:
        payload = refused.report.as_dict()
        if as_json:
            emit(True, payload)
        else:
            click.echo(_report_text(payload), err=True)
        fail(refused.message, refused.exit_code)
    payload = report.as_dict()
    filed = payload["filed"]
    human = "\n".join(
        [
            _report_text(payload),
            say(
                "handover.cli.accepted",
                households=filed["households"],
                documents=filed["documents"],
                destroyed=filed["destroyed"],
                pages=filed["pages"],
                register=payload["register"].get("pdf", ""),
            ),
        ]
    )
    emit(as_json, payload, human)


def _report_text(payload: dict) -> str:
    """The checks by property, each finding on its own line (the 接收 report)."""
    from handover.checks import ASPECTS, key_statement

    lines = []
    for aspect in ASPECTS:
        findings = payload["checks"][aspect]["findings"]
        name = say("handover.receive.aspect." + aspect)
        if findings:
            lines.append(say("handover.cli.section", aspect=name, count=len(findings)))
            lines.extend(f"  - {f['message']}" for f in findings)
        else:
            lines.append(say("handover.cli.section_ok", aspect=name))
    lines.extend(say("handover.cli.note", note=n["message"]) for n in payload["notes"])
    statement = key_statement(payload)
    if statement:
        lines.append(statement)
    return "\n".join(lines)


def register(cli: click.Group) -> None:
    cli.add_command(handover)
