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

from dossier.cli.common import CliContext, OptionsDecorator, emit, json_option, pass_cli
from dossier.errors import InvalidInput
from dossier.models import Role
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
        raise InvalidInput(f"give only one of {', '.join(given)}")
    if password is not None:
        click.echo(
            f"dossier: warning: --{prefix}password leaves the password in the shell history and the "
            f"process list; use --{prefix}password-prompt or --{prefix}password-file",
            err=True,
        )
        return password
    if password_file:
        try:
            if password_file == "-":
                line = sys.stdin.readline()
            else:
                with open(password_file, encoding="utf-8") as handle:
                    line = handle.readline()
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInput(
                f"cannot read the password file {password_file}: {getattr(exc, 'strerror', None) or exc}"
            ) from None
        value = line.rstrip("\r\n")
        if not value:
            raise InvalidInput(f"the password file {password_file} is empty (the password is its first line)")
        return value
    if password_prompt:
        return click.prompt("Password", hide_input=True, confirmation_prompt="Repeat the password", err=True)
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
    human = f"user {name} ({role}) added"
    if generated:
        human += f"; password: {generated}"
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
            f"{u['username']:<20} {u['role']:<18} {'active' if u['active'] else 'disabled':<9} "
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
        f"password of {name} changed" + (f": {generated}" if generated else ""),
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
    emit(as_json, {"username": name, "active": False}, f"user {name} disabled")


@user.command("enable")
@click.argument("name")
@json_option
@pass_cli
def enable(ctx: CliContext, name: str, as_json: bool) -> None:
    """Re-enable a disabled user (their revoked API tokens stay revoked)."""
    archive = ctx.ready_archive()
    with archive.session() as session:
        svc.set_active(session, ctx.actor(session), name, True)
    emit(as_json, {"username": name, "active": True}, f"user {name} enabled")


@user.command("set")
@click.argument("name")
@click.option("--name", "display_name", metavar="姓名", help="The user's full name ('' clears it).")
@click.option("--role", type=click.Choice(ROLES))
@json_option
@pass_cli
def set_(ctx: CliContext, name: str, display_name: str | None, role: str | None, as_json: bool) -> None:
    """Set a user's 姓名 and/or role (the last active admin keeps the admin role)."""
    if display_name is None and role is None:
        raise InvalidInput("give --name and/or --role")
    archive = ctx.ready_archive()
    with archive.session() as session:
        changes = svc.set_profile(session, ctx.actor(session), name, display_name=display_name, role=role)
    human = (
        f"user {name}: "
        + ", ".join(f"{field} {old or '-'} -> {new or '-'}" for field, (old, new) in changes.items())
        if changes
        else f"user {name}: nothing to change"
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
    human = "\n".join(
        f"{t['id']:>4}  {t['prefix']}…  {t['name'] or '':<16} created {t['created_at']}  "
        f"last used {t['last_used_at'] or 'never'}"
        + (f"  REVOKED {t['revoked_at']}" if t["revoked_at"] else "")
        for t in rows
    )
    emit(as_json, {"username": name, "tokens": rows}, human or f"user {name} has no API tokens")


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
    emit(as_json, payload, f"token {payload['prefix']}… of {name} revoked")


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def register(cli: click.Group) -> None:
    cli.add_command(user)
