"""``dossier user ...``.

Passwords never need to be on the command line: they are generated (and printed once), typed at
a hidden, confirmed prompt (``--password-prompt``) or read from a file (``--password-file``, the
first line; ``-`` for standard input). ``--password PW`` still works for old scripts, with a
warning: it is kept in the shell's history and shown in the process list.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any

import click

from dossier.catalog import os_reason, say, text
from dossier.cli.common import CliContext, OptionsDecorator, emit, json_option, pass_cli
from dossier.errors import InvalidInput
from dossier.localtime import format_datetime
from dossier.models import Role
from dossier.permissions import role_name
from dossier.services import users as svc

ROLES = [str(r) for r in Role]  # plain strings: click matches Enum choices by name


def password_options(prefix: str = "", what: str = "the password") -> OptionsDecorator:
    """``--{prefix}password``, ``--{prefix}password-file`` and ``--{prefix}password-prompt``."""
    options = [
        click.option(
            f"--{prefix}password",
            "password",
            metavar="PW",
            help=f"Deprecated: {what} on the command line (kept in shell history); see the two below.",
        ),
        click.option(
            f"--{prefix}password-file",
            "password_file",
            metavar="FILE",
            type=click.Path(dir_okay=False, allow_dash=True),
            help=f"Read {what} from the first line of FILE ('-' for standard input).",
        ),
        click.option(
            f"--{prefix}password-prompt",
            "password_prompt",
            is_flag=True,
            help=f"Type {what} at a hidden prompt (asked twice).",
        ),
    ]

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


def read_password(
    password: str | None, password_file: str | None, password_prompt: bool, prefix: str = ""
) -> str | None:
    """The password from whichever source was given (None: generate one)."""
    given = [
        name
        for name, value in (
            (f"--{prefix}password", password),
            (f"--{prefix}password-file", password_file),
            (f"--{prefix}password-prompt", password_prompt),
        )
        if value
    ]
    if len(given) > 1:
        raise InvalidInput("cli.user.one_password_source", options=", ".join(given))
    if password is not None:
        click.echo(say("cli.user.password_warning", prefix=prefix), err=True)
        return password
    if password_file:
        try:
            if password_file == "-":
                line = sys.stdin.readline()
            else:
                with open(password_file, encoding="utf-8") as handle:
                    line = handle.readline()
        except (OSError, UnicodeDecodeError) as exc:
            reason = os_reason(exc) if isinstance(exc, OSError) else text("cli.user.password_file_not_utf8")
            raise InvalidInput(
                "cli.user.password_file_unreadable", path=password_file, reason=reason
            ) from None
        value = line.rstrip("\r\n")
        if not value:
            raise InvalidInput("cli.user.password_file_empty", path=password_file)
        return value
    if password_prompt:
        return click.prompt(
            say("cli.user.password_prompt"),
            hide_input=True,
            confirmation_prompt=say("cli.user.password_repeat"),
            err=True,
        )
    return None


@click.group("user")
def user() -> None:
    """Users, roles and API tokens."""


@user.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
@password_options()
@click.option("--display-name", metavar="NAME")
@json_option
@pass_cli
def add(
    ctx: CliContext,
    name: str,
    role: str,
    password: str | None,
    password_file: str | None,
    password_prompt: bool,
    display_name: str | None,
    as_json: bool,
) -> None:
    """Create a user (a password is generated and printed unless one is given)."""
    password = read_password(password, password_file, password_prompt)
    archive = ctx.ready_archive()
    with archive.session() as session:
        row, generated = svc.add_user(session, ctx.actor(session), name, role, password, display_name)
        payload = {"id": row.id, "username": row.username, "role": row.role, "password": generated}
    human = (
        say("cli.user.added_with_password", username=name, role=role_name(role), password=generated)
        if generated
        else say("cli.user.added", username=name, role=role_name(role))
    )
    emit(as_json, payload, human)


@user.command("list")
@json_option
@pass_cli
def list_(ctx: CliContext, as_json: bool) -> None:
    """List users."""
    archive = ctx.ready_archive()
    with archive.session() as session:
        rows = [
            {
                "id": u.id,
                "username": u.username,
                "display_name": u.display_name,
                "role": u.role,
                "active": u.active,
                "last_login_at": u.last_login_at.isoformat() if u.last_login_at else None,
            }
            for u in svc.list_users(session, ctx.actor(session))
        ]
    emit(
        as_json,
        {"users": rows},
        "\n".join(
            f"{u['username']:<20} {role_name(str(u['role']))!s:<10} "
            f"{say('cli.user.active') if u['active'] else say('cli.user.inactive'):<6} "
            f"{u['display_name'] or ''}".rstrip()
            for u in rows
        ),
    )


@user.command("token")
@click.argument("name")
@click.option("--label", metavar="TEXT", help="What the token is for.")
@json_option
@pass_cli
def token(ctx: CliContext, name: str, label: str | None, as_json: bool) -> None:
    """Issue a new API token for NAME (shown once)."""
    archive = ctx.ready_archive()
    with archive.session() as session:
        value = svc.issue_token(session, ctx.actor(session), name, label)
    emit(as_json, {"username": name, "token": value}, value)


@user.command("passwd")
@click.argument("name")
@password_options()
@json_option
@pass_cli
def passwd(
    ctx: CliContext,
    name: str,
    password: str | None,
    password_file: str | None,
    password_prompt: bool,
    as_json: bool,
) -> None:
    """Set a user's password (generated and printed unless given); signs them out of the web."""
    password = read_password(password, password_file, password_prompt)
    archive = ctx.ready_archive()
    with archive.session() as session:
        generated = svc.set_password(session, ctx.actor(session), name, password)
    emit(
        as_json,
        {"username": name, "password": generated},
        say("cli.user.password_generated", username=name, password=generated)
        if generated
        else say("cli.user.password_changed", username=name),
    )


@user.command("disable")
@click.argument("name")
@json_option
@pass_cli
def disable(ctx: CliContext, name: str, as_json: bool) -> None:
    """Deactivate a user (e.g. staff leaving the company) and revoke their tokens."""
    archive = ctx.ready_archive()
    with archive.session() as session:
        svc.set_active(session, ctx.actor(session), name, False)
    emit(as_json, {"username": name, "active": False}, say("cli.user.disabled", username=name))


@user.command("enable")
@click.argument("name")
@json_option
@pass_cli
def enable(ctx: CliContext, name: str, as_json: bool) -> None:
    """Re-enable a disabled user (their revoked API tokens stay revoked)."""
    archive = ctx.ready_archive()
    with archive.session() as session:
        svc.set_active(session, ctx.actor(session), name, True)
    emit(as_json, {"username": name, "active": True}, say("cli.user.enabled", username=name))


@user.command("set")
@click.argument("name")
@click.option("--name", "display_name", metavar="姓名", help="The user's full name ('' clears it).")
@click.option("--role", type=click.Choice(ROLES))
@json_option
@pass_cli
def set_(ctx: CliContext, name: str, display_name: str | None, role: str | None, as_json: bool) -> None:
    """Set a user's 姓名 and/or role (the last active admin keeps the admin role)."""
    if display_name is None and role is None:
        raise InvalidInput("cli.user.set_needs")
    archive = ctx.ready_archive()
    with archive.session() as session:
        changes = svc.set_profile(session, ctx.actor(session), name, display_name=display_name, role=role)
    human = (
        say(
            "cli.user.changed",
            username=name,
            changes="，".join(_change(f, o, n) for f, (o, n) in changes.items()),
        )
        if changes
        else say("cli.user.unchanged", username=name)
    )
    emit(as_json, {"username": name, "changed": {k: v[1] for k, v in changes.items()}}, human)


@user.command("tokens")
@click.argument("name")
@json_option
@pass_cli
def tokens(ctx: CliContext, name: str, as_json: bool) -> None:
    """List NAME's API tokens (prefix, label, created, last used, revoked); never the tokens."""
    archive = ctx.ready_archive()
    with archive.session() as session:
        rows = [
            {
                "id": t.id,
                "prefix": t.prefix,
                "name": t.name,
                "created_at": _iso(t.created_at),
                "last_used_at": _iso(t.last_used_at),
                "revoked_at": _iso(t.revoked_at),
            }
            for t in svc.list_tokens(session, ctx.actor(session), name)
        ]
    human = "\n".join(_token_line(t) for t in rows)
    emit(as_json, {"username": name, "tokens": rows}, human or say("cli.user.no_tokens", username=name))


@user.command("token-revoke")
@click.argument("name")
@click.argument("token")
@json_option
@pass_cli
def token_revoke(ctx: CliContext, name: str, token: str, as_json: bool) -> None:
    """Revoke NAME's API token TOKEN: its id or prefix as `dossier user tokens NAME` shows them."""
    archive = ctx.ready_archive()
    with archive.session() as session:
        row = svc.revoke_token(session, ctx.actor(session), name, token)
        payload = {"username": name, "id": row.id, "prefix": row.prefix, "revoked_at": _iso(row.revoked_at)}
    emit(as_json, payload, say("cli.user.token_revoked", prefix=payload["prefix"], username=name))


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _when(iso: str | None) -> str:
    """An ISO time of the --json payload as the office reads it (Beijing time, to the minute)."""
    return format_datetime(datetime.fromisoformat(iso)) if iso else ""


def _token_line(t: dict[str, Any]) -> str:
    line = say(
        "cli.user.token_line",
        id=t["id"],
        prefix=t["prefix"],
        name=t["name"] or "",
        created=_when(t["created_at"]),
        last_used=_when(t["last_used_at"]) or say("cli.user.never"),
    )
    if t["revoked_at"]:
        line += say("cli.user.token_revoked_at", at=_when(t["revoked_at"]))
    return line


def _change(field: str, old: str | None, new: str | None) -> str:
    """One changed field of ``user set``: 姓名 or role (a role by its name)."""
    if field == "role":
        return say("cli.user.change", field=text("user.field.role"), old=role_name(old), new=role_name(new))
    return say("cli.user.change", field=text("user.field." + field), old=old or "-", new=new or "-")


def register(cli: click.Group) -> None:
    cli.add_command(user)
