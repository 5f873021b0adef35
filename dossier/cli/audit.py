"""``dossier audit verify|report|history``: the auditor's checks of the originals (四性检测)."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from dossier.catalog import language, os_reason, say, text
from dossier.cli.common import CliContext, emit, json_option, pass_cli

CHECKS_FAILED_EXIT = 1  # like `index check`: the command worked, the archive did not pass
# The checks of `verify-file`, named in the CLI's language.
_FILE_CHECKS = {
    "signature": text("audit.offline.check.signature"),
    "metadata": text("audit.offline.check.metadata"),
    "size": text("audit.offline.check.size"),
    "sha256": text("audit.offline.check.sha256"),
    "sm3": text("audit.offline.check.sm3"),
}


@click.group("audit")
def audit() -> None:
    """Verify originals, report the four properties, show fixity histories."""


def _failure_line(f: dict[str, Any]) -> str:
    from audit.checks import CHECKS
    from dossier.localtime import format_datetime

    where = (
        text("audit.cli.where_document", id=f["document"], household=f["household"])
        if f["document"]
        else text("audit.cli.where_archive")
    )
    since = (
        text("audit.cli.last_good", at=format_datetime(datetime.fromisoformat(f["last_good"])))
        if f["last_good"]
        else text("audit.cli.never_passed")
    )
    check = CHECKS[f["check"]][1] if language() == "zh" and f["check"] in CHECKS else f["check"]
    detail = f["detail"] or text("audit.cli.failed_detail")
    return say("audit.cli.failure", where=where, check=check, detail=detail, since=since)


@audit.command("verify")
@click.option("--household", metavar="CODE", help="Only this household's documents.")
@click.option("--since", metavar="DATE", help="Only documents taken in on or after DATE (YYYY-MM-DD).")
@click.option(
    "--sample", type=int, metavar="N", help="Check N documents picked at random (daily spot check)."
)
@click.option("--restart", is_flag=True, help="Start afresh instead of continuing an unfinished run.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@json_option
@pass_cli
def verify(
    ctx: CliContext,
    household: str | None,
    since: str | None,
    sample: int | None,
    restart: bool,
    quiet: bool,
    as_json: bool,
) -> None:
    """Check every original, then catalog ↔ storage; exit 1 when any check fails.

    Whole-archive runs (no filter) also look for orphan and missing objects, archive-number
    gaps and unauthorised readers. An interrupted run continues when run again.
    """
    from tqdm import tqdm

    from audit.report import failures
    from audit.verification import (
        Scope,
        open_run,
        parse_since,
        remaining,
        run_failed,
        run_view,
        verify_archive,
    )

    archive = ctx.ready_archive()
    with archive.session() as session:
        actor = ctx.actor(session)
        run, resumed = open_run(session, actor, Scope(household, parse_since(since), sample), restart=restart)
        total = remaining(session, run)
        if resumed and not as_json:
            click.echo(say("audit.cli.continuing", id=run.id, checked=run.documents_checked), err=True)
        bar = tqdm(
            total=total, unit="doc", disable=quiet or as_json or not sys.stderr.isatty(), file=sys.stderr
        )
        with bar:
            verify_archive(archive, session, run, progress=bar.update)
        view = {**run_view(run), "failures": failures(session, run)}
    lines = [_failure_line(f) for f in view["failures"]]
    lines.append(
        say(
            "audit.cli.summary_failed" if run_failed(run) else "audit.cli.summary_ok",
            run=view["run"],
            checked=view["documents_checked"],
            failed=view["documents_failed"],
            problems=view["archive_failures"],
        )
    )
    emit(as_json, view, "\n".join(lines))
    if not view["ok"]:
        raise SystemExit(CHECKS_FAILED_EXIT)


@audit.command("report")
@click.option(
    "--format", "fmt", type=click.Choice(["html", "csv", "json"]), default="html", show_default=True
)
@click.option("--run", "run_id", type=int, metavar="ID", help="The run to report on (default: the latest).")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here, not to stdout."
)
@pass_cli
def report(ctx: CliContext, fmt: str, run_id: int | None, output: Path | None) -> None:
    """The four-property report (authenticity, integrity, usability, security) of a run."""
    from audit.report import build_report, render_report

    archive = ctx.ready_archive()
    with archive.session() as session:
        text = render_report(build_report(session, ctx.actor(session), run_id), fmt)
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        from dossier.errors import InvalidInput

        raise InvalidInput("cli.cannot_write", path=output, reason=os_reason(exc)) from None
    click.echo(say("audit.cli.report_written", path=output), err=True)


@audit.command("history")
@click.argument("document_id", type=int)
@json_option
@pass_cli
def history(ctx: CliContext, document_id: int, as_json: bool) -> None:
    """A document's fixity history: every check's outcome in every run, newest first."""
    from audit.report import fixity_history

    archive = ctx.ready_archive()
    with archive.session() as session:
        events = fixity_history(session, ctx.actor(session), document_id)
    from audit.checks import CHECKS
    from dossier.localtime import format_datetime

    zh_names = language() == "zh"
    lines = [
        say(
            "audit.cli.history_line",
            at=format_datetime(datetime.fromisoformat(e["at"]), seconds=True),
            run=e["run"],
            outcome=text("audit.report.ok" if e["outcome"] == "pass" else "audit.report.not_ok"),
            check=CHECKS[e["check"]][1] if zh_names and e["check"] in CHECKS else e["check"],
            detail=e["detail"] or "",
        )
        for e in events
    ]
    emit(
        as_json, {"document": document_id, "events": events}, "\n".join(lines) or say("audit.cli.no_history")
    )


@audit.command("verify-file")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--record",
    "record_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The exported signed record (NAME.record.json).",
)
@click.option(
    "--public-key",
    "key_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The archive's public signing key (PEM).",
)
@json_option
def verify_file(file: Path, record_path: Path, key_path: Path, as_json: bool) -> None:
    """Check an exported original against its signed record, without the archive or its keys."""
    from audit.offline import verify_exported

    result = verify_exported(file, record_path, key_path).as_dict()
    checks = ("，" if language() == "zh" else ", ").join(
        say("audit.cli.check_ok" if ok else "audit.cli.check_failed", name=_FILE_CHECKS.get(name, name))
        for name, ok in result["checks"].items()
    )
    human = [
        say(
            "audit.cli.file_ok" if result["ok"] else "audit.cli.file_failed",
            file=file,
            document=result["document"],
            checks=checks,
        ),
        say("audit.cli.signed_with", fingerprint=result["key_fingerprint"]),
    ] + [f"  {p}" for p in result["problems"]]
    emit(as_json, result, "\n".join(human))
    if not result["ok"]:
        raise SystemExit(CHECKS_FAILED_EXIT)


def register(cli: click.Group) -> None:
    cli.add_command(audit)
