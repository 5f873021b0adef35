"""``dossier search ...`` and ``dossier index rebuild|check|sync``."""

from __future__ import annotations

import html
import re

import click

from dossier.catalog import say, text
from dossier.cli.common import CliContext, emit, json_option, pass_cli

_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)


def terminal_snippet(snippet: str) -> str:
    """A hit's HTML excerpt for a terminal: the matches in 【】, entities as characters."""
    return html.unescape(_MARK.sub(lambda m: "【" + m.group(1) + "】", snippet))


@click.command("search")
@click.argument("query", nargs=-1)
@click.option("--household", metavar="CODE")
@click.option("--type", "type_", metavar="TYPE", help="Document type: code or Chinese name.")
@click.option("--from", "date_from", metavar="DATE")
@click.option("--to", "date_to", metavar="DATE")
@click.option("--community", metavar="NAME")
@click.option("--building", metavar="B")
@click.option("--cabinet", metavar="C", help="Only documents whose paper original is in cabinet C (柜).")
@click.option("--box", metavar="B", help="Only documents whose paper original is in box B (盒).")
@click.option("--limit", type=click.IntRange(1, 200), default=20, show_default=True)
@click.option("--offset", type=click.IntRange(0), default=0)
@json_option
@pass_cli
def search_cmd(
    ctx: CliContext,
    query: tuple[str, ...],
    household: str | None,
    type_: str | None,
    date_from: str | None,
    date_to: str | None,
    community: str | None,
    building: str | None,
    cabinet: str | None,
    box: str | None,
    limit: int,
    offset: int,
    as_json: bool,
) -> None:
    """Search the archive: words, "phrases", OR, -excluded, type:装修, household:A-3-1201, date:2019..2021."""
    from search.service import SearchFilters, search_documents
    from search.writer import open_engine

    archive = ctx.ready_archive()
    with archive.session() as session:
        actor = ctx.actor(session)
        result = search_documents(
            session,
            actor,
            open_engine(archive.settings),
            " ".join(query),
            SearchFilters(
                household=household,
                type=type_,
                date_from=date_from,
                date_to=date_to,
                community=community,
                building=building,
                cabinet=cabinet,
                box=box,
            ),
            limit=limit,
            offset=offset,
        )
    total = "search.cli_total" if result.get("total_exact", True) else "search.cli_total_at_least"
    lines = [say(total, total=result["total"])]
    if result.get("text_withheld"):
        lines.append(say("search.cli_text_withheld"))
    for h in result["households"]:
        lines.append(
            say(
                "search.cli_folder",
                code=h["code"],
                community=h["community"],
                owners="、".join(h.get("owners", [])),
            )
        )
    for hit in result["hits"]:
        snippet = (
            terminal_snippet(hit["snippet"])
            if hit["snippet"] is not None
            else say("search.cli_withheld_snippet")
        )
        confidential = say("search.cli_confidential") if hit["confidential"] else ""
        lines.append(
            f"#{hit['document']} {hit['archive_no'] or ''}  {say('search.cli_page', page=hit['page'])}  "
            f"{hit['household']}  "
            f"{hit['type_name']}  {hit['date'] or '-'}  {confidential}{hit['title']}\n    {snippet}"
        )
    if result.get("suggestions"):
        items = "、".join(
            say("search.cli_suggestion", q=s["q"], count=s["count"]) for s in result["suggestions"]
        )
        lines.append(say("search.cli_suggestions", items=items))
    emit(as_json, result, "\n".join(lines))


@click.group("index")
def index() -> None:
    """The full-text index: rebuild, check, sync."""


@index.command("rebuild")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@json_option
@pass_cli
def rebuild(ctx: CliContext, quiet: bool, as_json: bool) -> None:
    """Rebuild the index from the catalog into a fresh folder and swap it in."""
    from search.maintenance import rebuild_index

    archive = ctx.ready_archive()
    with archive.session() as session:
        actor = ctx.actor(session)
    report = rebuild_index(archive, actor, progress=not quiet and not as_json)
    emit(as_json, report, say("search.cli_rebuilt", documents=report["documents"], pages=report["pages"]))


@index.command("check")
@json_option
@pass_cli
def check(ctx: CliContext, as_json: bool) -> None:
    """Compare the index with the catalog (exit 1 when they differ)."""
    from search.maintenance import check_index

    archive = ctx.ready_archive()
    with archive.session() as session:
        actor = ctx.actor(session)
    report = check_index(archive, actor)
    human = text(
        "search.cli_check",
        indexed=report["indexed_documents"],
        documents=report["documents"],
        missing=report["missing"],
        orphans=report["orphans"],
        stale=report["stale"],
        pending=report["pending"],
    )
    emit(
        as_json,
        report,
        say("search.cli_check_ok" if report["ok"] else "search.cli_check_mismatch", detail=human),
    )
    if not report["ok"]:
        raise SystemExit(1)


@index.command("sync")
@click.argument("document_ids", nargs=-1, type=int)
@json_option
@pass_cli
def sync(ctx: CliContext, document_ids: tuple[int, ...], as_json: bool) -> None:
    """Re-index the given documents, or whatever `index check` finds wrong, and the journal."""
    from search.maintenance import sync_index

    archive = ctx.ready_archive()
    with archive.session() as session:
        actor = ctx.actor(session)
    report = sync_index(archive, actor, list(document_ids) or None)
    emit(as_json, report, say("search.cli_synced", synced=report["synced"]))


def register(cli: click.Group) -> None:
    cli.add_command(search_cmd)
    cli.add_command(index)
