"""``dossier backup DEST``, ``dossier restore SRC --keys KEYS`` and ``dossier keys backup DEST``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from dossier.catalog import os_reason, say
from dossier.cli.common import CliContext, emit, json_option, pass_cli, subgroup

if TYPE_CHECKING:
    from tqdm import tqdm

passphrase_option = click.option(
    "--passphrase-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A file whose first line is the passphrase sealing the key backup.",
)


def _passphrase(path: Path | None) -> str | None:
    if path is None:
        return None
    from dossier.errors import InvalidInput

    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InvalidInput("backup.cannot_read_passphrase", path=path, reason=os_reason(exc)) from None
    if not lines or len(lines[0]) < 8:
        raise InvalidInput("backup.short_passphrase")
    return lines[0]


def _bar(total: int | None, quiet: bool) -> tqdm[Any]:
    from tqdm import tqdm

    return tqdm(total=total, unit="obj", disable=quiet or not sys.stderr.isatty(), file=sys.stderr)


@click.command("backup")
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@click.option("--quiet", is_flag=True, help="No progress bar.")
@json_option
@pass_cli
def backup(ctx: CliContext, dest: Path, quiet: bool, as_json: bool) -> None:
    """Write a consistent, signed backup (catalog, encrypted objects, manifest) into a new folder DEST.

    Keys are not in it: back them up apart with `dossier keys backup`."""
    from dossier.backup.archive import write_backup

    archive = ctx.ready_archive()
    with archive.session() as session:
        actor = ctx.actor(session)
    with _bar(None, quiet or as_json) as bar:
        report = write_backup(archive, actor, dest, progress=bar.update)
    human = say(
        "cli.backup.written",
        path=report["backup"],
        rows=sum(report["tables"].values()),
        objects=report["objects"],
    )
    if report["missing_objects"]:
        human += "\n" + say("cli.backup.missing_objects", count=len(report["missing_objects"]))
    emit(as_json, report, human)


@click.command("restore")
@click.argument("src", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option(
    "--keys",
    "keys_path",
    required=True,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="The key backup written by `dossier keys backup`.",
)
@passphrase_option
@click.option(
    "--shredlog",
    "shredlog_path",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="An export of the shredding log newer than the backup (`dossier shredlog export`): its "
    "destructions are carried out again before the restore reports success.",
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
@json_option
@pass_cli
def restore(
    ctx: CliContext,
    src: Path,
    keys_path: Path,
    passphrase_file: Path | None,
    shredlog_path: Path | None,
    quiet: bool,
    as_json: bool,
) -> None:
    """Restore a backup into a new, empty archive (this DOSSIER_HOME / database / store)."""
    from dossier.backup.archive import restore as restore_backup
    from dossier.errors import InvalidInput

    if ctx.as_user:
        raise InvalidInput("backup.restore_not_as")
    with _bar(None, quiet or as_json) as bar:
        lines = shredlog_path.read_text(encoding="utf-8").splitlines() if shredlog_path else None
        report = restore_backup(
            ctx.archive.settings,
            src,
            keys_path,
            passphrase=_passphrase(passphrase_file),
            progress=bar.update,
            shredlog_lines=lines,
        )
    emit(
        as_json,
        report,
        say(
            "cli.restore.done",
            path=report["restored"],
            rows=sum(report["rows"].values()),
            objects=report["objects"],
            documents=report["indexed_documents"],
        ),
    )


@click.command("backup")
@click.argument("dest", type=click.Path(dir_okay=False, path_type=Path))
@passphrase_option
@json_option
@pass_cli
def keys_backup(ctx: CliContext, dest: Path, passphrase_file: Path | None, as_json: bool) -> None:
    """Write the master, signing and web-session keys into the new file DEST (0600)."""
    from dossier.backup.keyfile import write_keys_backup

    archive = ctx.ready_archive()
    with archive.session() as session:
        actor = ctx.actor(session)
    report = write_keys_backup(archive.settings, actor, dest, lambda: _passphrase(passphrase_file))
    done = "cli.keys_backup.sealed" if report["sealed"] else "cli.keys_backup.not_sealed"
    emit(as_json, report, say(done, path=dest))


def register(cli: click.Group) -> None:
    cli.add_command(backup)
    cli.add_command(restore)
    subgroup(cli, "keys").add_command(keys_backup)
