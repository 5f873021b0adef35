"""``dossier init``."""

from __future__ import annotations

import click

from dossier.cli.common import CliContext, emit, json_option, pass_cli
from dossier.cli.users import password_options, read_password


@click.command("init")
@password_options("admin-", "the first administrator's password")
@click.option("--admin-username", default="admin", show_default=True)
@json_option
@pass_cli
def init_command(
    ctx: CliContext,
    password: str | None,
    password_file: str | None,
    password_prompt: bool,
    admin_username: str,
    as_json: bool,
) -> None:
    """Create the catalog schema, keys, storage bucket and index folder (idempotent). The first
    administrator's password is generated and printed unless one is given."""
    from dossier.setup import initialise  # reason: pulls in the search engine; keeps `dossier --help` fast

    admin_password = read_password(password, password_file, password_prompt, "admin-")
    report = initialise(ctx.archive.settings, admin_password=admin_password, admin_username=admin_username)
    lines = [
        f"archive ready at {report.home}",
        f"  catalog: {report.database}",
        f"  objects: {report.store}",
    ]
    if report.keys_created:
        lines.append(
            f"  created: {', '.join(report.keys_created)} in {ctx.archive.settings.keys_dir} "
            "(back this folder up apart from the data; without it nothing can be read)"
        )
    if report.admin_created and report.admin_password:
        lines.append(
            f"  administrator: {report.admin_username} / {report.admin_password}  "
            "(change it after first login: 登录后在 /account/password 修改密码)"
        )
    elif report.admin_created:
        lines.append(f"  administrator: {report.admin_username} (password as given)")
    if report.modes_fixed:
        lines.append(f"  made private (readable by this user only): {', '.join(report.modes_fixed)}")
    if report.pages_sealed:
        lines.append(f"  sealed the page text of confidential documents: {report.pages_sealed} page(s)")
    if report.index_rebuilt:
        lines.append("  search index: rebuilt in the current format")
    emit(as_json, report.as_dict(), "\n".join(lines))


def register(cli: click.Group) -> None:
    cli.add_command(init_command)
