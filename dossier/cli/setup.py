"""``dossier init``."""

from __future__ import annotations

import click

from dossier.catalog import say
from dossier.cli.common import CliContext, emit, json_option, pass_cli
from dossier.cli.users import password_options, read_password

# The keys ``initialise`` reports created (``ensure_keys``'s names, kept in --json), by message.
_KEY_NAMES = {
    "master key": "keys.name.master",
    "signing key": "keys.name.signing",
    "web session key": "keys.name.web_session",
}


# The keys ``initialise`` reports created (``ensure_keys``'s names, kept in --json), by message.
_KEY_NAMES = {
    "master key": "keys.name.master",
    "signing key": "keys.name.signing",
    "web session key": "keys.name.web_session",
}


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
        say("cli.init.ready", home=report.home),
        say("cli.init.catalog", database=report.database),
        say("cli.init.objects", store=report.store),
    ]
    if report.keys_created:
        lines.append(
            say(
                "cli.init.keys_created",
                keys="、".join(say(_KEY_NAMES.get(name, name)) for name in report.keys_created),
                folder=ctx.archive.settings.keys_dir,
            )
        )
    if report.admin_created and report.admin_password:
        lines.append(
            say("cli.init.admin_generated", username=report.admin_username, password=report.admin_password)
        )
    elif report.admin_created:
        lines.append(say("cli.init.admin_given", username=report.admin_username))
    if report.modes_fixed:
        lines.append(say("cli.init.modes_fixed", paths=", ".join(report.modes_fixed)))
    if report.pages_sealed:
        lines.append(say("cli.init.pages_sealed", count=report.pages_sealed))
    if report.documents_numbered:
        lines.append(say("cli.init.documents_numbered", count=report.documents_numbered))
    if report.index_rebuilt:
        lines.append(say("cli.init.index_rebuilt"))
    emit(as_json, report.as_dict(), "\n".join(lines))


def register(cli: click.Group) -> None:
    cli.add_command(init_command)
