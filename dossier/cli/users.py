"""``dossier user ...``."""

from __future__ import annotations

import click

from dossier.cli.common import emit, json_option, pass_cli
from dossier.models import Role
from dossier.services import users as svc

ROLES = [r.value for r in Role]


@click.group("user")
def user() -> None:
    """Users, roles and API tokens."""


@user.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--password", metavar="PW", help="Generated and printed when omitted.")
@click.option("--display-name", metavar="NAME")
@json_option
@pass_cli
def add(ctx, name, role, password, display_name, as_json):
    """Create a user."""
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
def list_(ctx, as_json):
    """List users."""
    archive = ctx.ready_archive()
    with archive.session() as session:
        rows = [
            {"id": u.id, "username": u.username, "role": u.role, "active": u.active,
             "last_login_at": u.last_login_at.isoformat() if u.last_login_at else None}
            for u in svc.list_users(session, ctx.actor(session))
        ]
    emit(as_json, {"users": rows}, "\n".join(
        f"{u['username']:<20} {u['role']:<18} {'active' if u['active'] else 'disabled'}" for u in rows))


@user.command("token")
@click.argument("name")
@click.option("--label", metavar="TEXT", help="What the token is for.")
@json_option
@pass_cli
def token(ctx, name, label, as_json):
    """Issue a new API token for NAME (shown once)."""
    archive = ctx.ready_archive()
    with archive.session() as session:
        value = svc.issue_token(session, ctx.actor(session), name, label)
    emit(as_json, {"username": name, "token": value}, value)


@user.command("passwd")
@click.argument("name")
@click.option("--password", metavar="PW", help="Generated and printed when omitted.")
@json_option
@pass_cli
def passwd(ctx, name, password, as_json):
    """Set a user's password."""
    archive = ctx.ready_archive()
    with archive.session() as session:
        generated = svc.set_password(session, ctx.actor(session), name, password)
    emit(as_json, {"username": name, "password": generated},
         f"password of {name} changed" + (f": {generated}" if generated else ""))


@user.command("disable")
@click.argument("name")
@json_option
@pass_cli
def disable(ctx, name, as_json):
    """Deactivate a user (e.g. staff leaving the company) and revoke their tokens."""
    archive = ctx.ready_archive()
    with archive.session() as session:
        svc.set_active(session, ctx.actor(session), name, False)
    emit(as_json, {"username": name, "active": False}, f"user {name} disabled")


def register(cli: click.Group) -> None:
    cli.add_command(user)
