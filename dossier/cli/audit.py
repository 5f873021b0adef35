"""``dossier audit verify|report|history``: the auditor's checks of the originals (四性检测)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from dossier.cli.common import CliContext, emit, json_option, pass_cli

CHECKS_FAILED_EXIT = 1  # like `index check`: the command worked, the archive did not pass


@click.group("audit")
def audit() -> None:
    """Verify originals, report the four properties, show fixity histories."""


def _failure_line(f: dict[str, Any]) -> str:
    where = f"document {f['document']} ({f['household']})" if f["document"] else "archive"
    since = f"last good {f['last_good']}" if f["last_good"] else "never passed before"
    return f"FAIL {where}: {f['check']} — {f['detail'] or 'failed'}; {since}"


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
            click.echo(
                f"continuing audit run {run.id} ({run.documents_checked} document(s) already checked)",
                err=True,
            )
        bar = tqdm(
            total=total, unit="doc", disable=quiet or as_json or not sys.stderr.isatty(), file=sys.stderr
        )
        with bar:
            verify_archive(archive, session, run, progress=bar.update)
        view = {**run_view(run), "failures": failures(session, run)}
    lines = [_failure_line(f) for f in view["failures"]]
    lines.append(
        f"{'FAILED' if run_failed(run) else 'ok'}: audit run {view['run']}: {view['documents_checked']} "
        f"document(s) checked, {view['documents_failed']} failed, {view['archive_failures']} archive problem(s)"
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

        raise InvalidInput(f"cannot write {output}: {exc.strerror}") from None
    click.echo(f"report written to {output}", err=True)


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
    lines = [
        f"{e['at']}  run {e['run']:<5} {e['outcome']:<4} {e['check']:<12} {e['detail'] or ''}" for e in events
    ]
    emit(as_json, {"document": document_id, "events": events}, "\n".join(lines) or "no checks recorded")


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
    checks = ", ".join(f"{name} {'ok' if ok else 'FAILED'}" for name, ok in result["checks"].items())
    human = [
        f"{'ok' if result['ok'] else 'FAILED'}: {file} (document {result['document']}): {checks}",
        f"  signed with key {result['key_fingerprint']}",
    ] + [f"  {p}" for p in result["problems"]]
    emit(as_json, result, "\n".join(human))
    if not result["ok"]:
        raise SystemExit(CHECKS_FAILED_EXIT)


def register(cli: click.Group) -> None:
    cli.add_command(audit)
