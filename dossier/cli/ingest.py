"""``dossier ingest``, ``dossier worker``, ``dossier batch ...``, ``dossier doc show``."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from dossier.catalog import say, text
from dossier.cli.common import CliContext, emit, fail, filing_options, json_option, pass_cli
from dossier.dates import parse_date

if TYPE_CHECKING:
    from tqdm import tqdm


def _progress_bar(total_docs: int, enabled: bool) -> tqdm[Any] | None:
    """A tqdm bar counting pages on a terminal; nothing when output is piped or JSON."""
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(
        total=0,
        unit="page",
        desc=say("intake.cli_ocr"),
        file=sys.stderr,
        dynamic_ncols=True,
        bar_format="{desc}: " + say("intake.cli_progress", n="{n}", total="{total}") + " |{bar}| {postfix}",
    )


def _tick(bar: tqdm[Any] | None, total_docs: int) -> Callable[[int, int, int], None]:
    def on_tick(pages_done: int, pages_total: int, docs_done: int) -> None:
        if bar is None:
            return
        bar.total = max(pages_total, pages_done)
        bar.n = pages_done
        rate = bar.format_dict.get("rate")
        parts = [say("intake.cli_progress_docs", done=docs_done, total=total_docs)]
        if rate:
            parts.append(say("intake.cli_progress_rate", rate=f"{rate * 60:.1f}"))
        bar.set_postfix_str(", ".join(parts), refresh=False)
        bar.refresh()

    return on_tick


@click.command("ingest")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--household", metavar="CODE", help="Household the files belong to.")
@click.option("--community", metavar="NAME", help="Community of the household, when its code is not unique.")
@filing_options()
@click.option(
    "--manifest",
    type=click.Path(dir_okay=False, path_type=str),
    help="CSV mapping each file to household, type, title, date, confidentiality (UTF-8 or GBK).",
)
@click.option(
    "--split",
    is_flag=True,
    help="Each file is a stack scanned with cover sheets (dossier coversheet): split it at the "
    "sheets and file each part where its sheet says.",
)
@click.option("--wait", is_flag=True, help="Return when every document is indexed or failed.")
@click.option(
    "--processes", type=click.IntRange(1, 256), help="Processes when working here (default: all cores)."
)
@json_option
@pass_cli
def ingest(
    ctx: CliContext,
    paths: tuple[str, ...],
    household: str | None,
    community: str | None,
    type_code: str | None,
    title: str | None,
    doc_date: str | None,
    confidential: bool,
    retention: str | None,
    manifest: str | None,
    split: bool,
    wait: bool,
    processes: int | None,
    as_json: bool,
) -> None:
    """Take in scanned files (PDF, TIFF, JPEG, PNG; folders too) as signed originals and queue
    them for OCR."""
    from ingest import intake as svc
    from ingest.queue import enqueue_documents
    from ingest.runner import process_here, progress, wait_for
    from ingest.state import worker_alive

    if manifest and (household or type_code):
        fail(text("intake.cli_manifest_or_household"), 2)
    if split:
        if manifest or household or type_code or title or doc_date or confidential or retention:
            fail(text("intake.cli_split_only_files"), 2)
        if not paths:
            fail(text("intake.cli_split_needs_files"), 2)
        specs = [svc.FileSpec(path=path, name=name, split=True) for path, name in svc.expand_paths(paths)]
        if not specs:
            fail(text("intake.cli_no_files_found"), 2)
    elif manifest:
        if paths:
            fail(text("intake.cli_manifest_no_paths"), 2)
        specs = svc.read_manifest(manifest)
    else:
        if not paths:
            fail(text("intake.cli_no_paths"), 2)
        if not household or not type_code:
            fail(text("intake.cli_household_and_type"), 2)
        document_date = parse_date(doc_date, "--date")
        specs = [
            svc.FileSpec(
                path=path,
                name=name,
                household=household,
                community=community,
                type_code=type_code,
                title=title,
                document_date=document_date,
                confidential=confidential,
            )
            for path, name in svc.expand_paths(paths)
        ]
        if not specs:
            fail(text("intake.cli_no_files_found"), 2)
    archive = ctx.ready_archive()
    with archive.session() as session:
        actor = ctx.actor(session)
        request = svc.IntakeRequest(specs, source="cli", retention_class=retention)
        batch = svc.intake(archive, session, actor, request)
        document_ids = svc.batch_document_ids(session, batch.id)
        alive = worker_alive(session)
    if document_ids:
        enqueue_documents(archive.settings, document_ids)
    if wait and document_ids:
        bar = _progress_bar(len(document_ids), not as_json and sys.stderr.isatty())
        on_tick = _tick(bar, len(document_ids))
        if alive:
            wait_for(archive, document_ids, on_tick)
        else:
            worker = threading.Thread(
                target=process_here, args=(archive, document_ids, processes), daemon=True
            )
            worker.start()
            while worker.is_alive():
                worker.join(1.0)
                on_tick(*progress(archive, document_ids))
            on_tick(*progress(archive, document_ids))
        if bar is not None:
            bar.close()
    with archive.session() as session:
        report = svc.batch_report(session, batch.id)
    emit(as_json, report, _human_report(report))
    if any(d["status"] in ("rejected", "failed", "unfiled") for d in report["documents"]):
        sys.exit(9)


# A file's state as the batch report names it (``ingest.intake.file_status``).
_STATUS_CODES = {
    "indexed": "intake.cli_status.indexed",
    "queued": "intake.cli_status.queued",
    "processing": "intake.cli_status.processing",
    "duplicate": "intake.cli_status.duplicate",
    "rejected": "intake.cli_status.rejected",
    "failed": "intake.cli_status.failed",
    "destroyed": "intake.cli_status.destroyed",
    "unfiled": "intake.cli_status.unfiled",
    "separator": "intake.cli_status.separator",
    "blank": "intake.cli_status.blank",
}


def _human_report(report: dict[str, Any]) -> str:
    lines = [say("intake.cli_batch", id=report["batch"])]
    for d in report["documents"]:
        ident = f"#{d['id']}" if d["id"] else "-"
        pages = say("intake.cli_pages", pages=d["pages"]) if d["pages"] else ""
        status = say(_STATUS_CODES[d["status"]]) if d["status"] in _STATUS_CODES else d["status"]
        line = f"  {status:<6} {ident:<7} {pages:<7} {d['file']}"
        if d.get("sheet") and d["status"] != "unfiled":
            line += f"  → {d['sheet']['household']} {d['sheet']['type']}"
        if d.get("archive_no"):
            line += "  " + say("intake.cli_archive_no", archive_no=d["archive_no"])
        if d.get("error"):
            line += f"  （{d['error']}）"
        lines.append(line)
        for warning in d.get("warnings", []):
            lines.append("            " + say("intake.cli_warning", warning=warning))
    return "\n".join(lines)


@click.command("worker")
@click.option("--processes", type=click.IntRange(1, 256), help="Worker processes (default: all cores).")
@pass_cli
def worker(ctx: CliContext, processes: int | None) -> None:
    """Process queued documents and background jobs until stopped (Ctrl-C)."""
    # The handlers of the background jobs the web queues register themselves when imported.
    import audit.jobs  # noqa: F401
    import handover.jobs  # noqa: F401
    import retention.jobs  # noqa: F401
    from ingest.runner import default_processes, run_worker

    archive = ctx.ready_archive()
    archive.master_key  # noqa: B018 - refuse a wrong key before taking work
    run_worker(archive.settings, processes or default_processes(), on_start=lambda m: click.echo(m, err=True))


@click.group("batch")
def batch() -> None:
    """Intake batches."""


@batch.command("show")
@click.argument("batch_id", type=int)
@json_option
@pass_cli
def batch_show(ctx: CliContext, batch_id: int, as_json: bool) -> None:
    """What became of each file of a batch."""
    from ingest.intake import show_batch

    archive = ctx.ready_archive()
    with archive.session() as session:
        report = show_batch(session, ctx.actor(session), batch_id)
    emit(as_json, report, _human_report(report))


@click.group("doc")
def doc() -> None:
    """Documents."""


@doc.command("show")
@click.argument("document_id", type=int)
@click.option(
    "--purpose", metavar="TEXT", help="Why you look (查阅目的; required for a confidential document)."
)
@json_option
@pass_cli
def doc_show(ctx: CliContext, document_id: int, purpose: str | None, as_json: bool) -> None:
    """A document's catalog record and its pages' text (personal numbers masked without clearance)."""
    from dossier.services.documents import STATUS_NAMES_ZH
    from dossier.services.viewing import view_document

    archive = ctx.ready_archive()
    with archive.session() as session:
        view = view_document(session, ctx.actor(session), document_id, purpose).as_dict()
    status = view["status"]
    lines = [
        f"#{view['id']} {view['type_name']} {view['title']}  "
        f"（{view['household']}，{STATUS_NAMES_ZH.get(status, status)}）",
        *([say("doc.cli_archive_no", archive_no=view["archive_no"])] if view.get("archive_no") else []),
        f"  SHA-256 {view['sha256']}",
    ]
    for page in view["pages"]:
        source = page["language"] or say("doc.cli_text_layer")
        confidence = page["confidence"] if page["confidence"] is not None else "-"
        lines.append(
            "  --- " + say("doc.cli_page", number=page["number"], source=source, confidence=confidence)
        )
        lines.append("  " + (page["text"] or "").replace("\n", "\n  "))
    emit(as_json, view, "\n".join(lines))


@doc.command("export")
@click.argument("document_id", type=int)
@click.option(
    "-o",
    "--output",
    "dest",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write into (created if need be).",
)
@click.option("--purpose", metavar="TEXT", help="Why it is exported (required for a confidential document).")
@json_option
@pass_cli
def doc_export(ctx: CliContext, document_id: int, dest: Path, purpose: str | None, as_json: bool) -> None:
    """Export the original with its signed record and the public key, for `audit verify-file`."""
    from audit.offline import export_original

    archive = ctx.ready_archive()
    with archive.session() as session:
        result = export_original(archive, session, ctx.actor(session), document_id, dest, purpose=purpose)
    emit(
        as_json,
        result,
        say(
            "doc.cli_exported",
            id=result["document"],
            file=result["file"],
            record=result["record"],
            key=result["public_key"],
            fingerprint=result["key_fingerprint"],
        ),
    )


@doc.command("edit")
@click.argument("document_id", type=int)
@click.option("--title", metavar="T", help="The corrected title.")
@click.option(
    "--type", "type_code", metavar="CODE", help="The corrected document type (dossier doctype list)."
)
@click.option("--date", "doc_date", metavar="YYYY-MM-DD", help="The corrected date of the document.")
@click.option(
    "--confidential/--ordinary", default=None, help="Make it confidential (保密) or ordinary (普通)."
)
@click.option("--retention", metavar="CLASS", help="Its own retention class, or 'default' for its type's.")
@click.option("--household", metavar="CODE", help="Move it to this household.")
@click.option("--community", metavar="NAME", help="Community of that household, when its code is not unique.")
@click.option("--reason", required=True, metavar="TEXT", help="Why it is corrected (kept in its history).")
@json_option
@pass_cli
def doc_edit(
    ctx: CliContext,
    document_id: int,
    title: str | None,
    type_code: str | None,
    doc_date: str | None,
    confidential: bool | None,
    retention: str | None,
    household: str | None,
    community: str | None,
    reason: str,
    as_json: bool,
) -> None:
    """Correct what was filed wrongly; the change is signed into the document's history."""
    from dossier.services.corrections import Correction, change_history, correct_document
    from search.hooks import document_changed

    change = Correction(
        reason=reason,
        title=title,
        type_code=type_code,
        document_date=parse_date(doc_date, "--date"),
        confidential=confidential,
        retention_class=retention,
        household=household,
        community=community,
    )
    archive = ctx.ready_archive()
    with archive.session() as session:
        who = ctx.actor(session)
        entry = correct_document(session, who, document_id, change)
        session.flush()
        newest = change_history(session, who, document_id)[0]  # the entry just made, in words
    document_changed(archive, document_id)
    changed = "；".join(f"{label}：{before} → {after}" for label, before, after in newest["lines"])
    emit(
        as_json, {"document": document_id, **entry}, say("doc.cli_corrected", id=document_id, changes=changed)
    )


@doc.command("history")
@click.argument("document_id", type=int)
@json_option
@pass_cli
def doc_history(ctx: CliContext, document_id: int, as_json: bool) -> None:
    """A document's signed change history, oldest first."""
    from datetime import datetime

    from dossier.localtime import format_datetime
    from dossier.services.corrections import change_history
    from dossier.services.documents import document_history

    archive = ctx.ready_archive()
    with archive.session() as session:
        who = ctx.actor(session)
        entries = document_history(session, who, document_id)
        worded = list(reversed(change_history(session, who, document_id)))  # oldest first, in words
    lines = [
        f"#{e['seq']} {format_datetime(datetime.fromisoformat(e['at']) if e['at'] else None, seconds=True)} "
        f"{e['action_name']} {w['by_name'] or say('doc.cli_system')}"
        + ("  " + say("doc.cli_reason", reason=e["reason"]) if e["reason"] else "")
        + "".join(f"\n    {label}：{before} → {after}" for label, before, after in w["lines"])
        for e, w in zip(entries, worded, strict=True)
    ]
    emit(
        as_json,
        {"document": document_id, "history": entries},
        "\n".join(lines) or say("doc.cli_no_history"),
    )


def register(cli: click.Group) -> None:
    for command in (ingest, worker, batch, doc):
        cli.add_command(command)
