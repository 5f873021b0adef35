"""What every command shares: the archive, the acting user, JSON or human output, errors."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from typing import Any, Callable, NoReturn

import click

from dossier.actor import Actor
from dossier.archive import Archive

json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout.")


def filing_options(type_help: str = "Document type code (dossier doctype list).",
                   title_help: str = "Title (default: the file name).") -> Callable:
    """--type, --title, --date, --confidential, --retention: where and how documents are filed."""
    options = [
        click.option("--type", "type_code", metavar="TYPE", help=type_help),
        click.option("--title", metavar="T", help=title_help),
        click.option("--date", "doc_date", metavar="YYYY-MM-DD", help="Date of the document."),
        click.option("--confidential", is_flag=True, help="Confidential (保密): only cleared roles see it."),
        click.option("--retention", metavar="CLASS",
                     help="Retention class code (dossier retention class list); default: the type's."),
    ]

    def decorate(command: Callable) -> Callable:
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


def fail(message: str, code: int = 1) -> NoReturn:
    click.echo(f"dossier: error: {message}", err=True)
    sys.exit(code)


@dataclass
class CliContext:
    as_user: str | None = None
    _archive: Archive | None = field(default=None, repr=False)

    @property
    def archive(self) -> Archive:
        if self._archive is None:
            self._archive = Archive()
        return self._archive

    def ready_archive(self) -> Archive:
        """The archive, refusing politely when it has not been initialised."""
        archive = self.archive
        archive.check_ready()
        return archive

    def actor(self, session) -> Actor:
        if self.as_user is None:
            return Actor.console()
        from dossier.services.users import get_user

        user = get_user(session, self.as_user)
        if not user.active:
            fail(f"user {self.as_user} is deactivated", 5)
        return Actor.from_user(user, "cli")


pass_cli = click.make_pass_decorator(CliContext)

TOKEN_ENV = "DOSSIER_TOKEN"


@dataclass(frozen=True)
class Credential:
    """Who must be there for a four-eyes action, and what they gave to prove it."""

    username: str
    action: str
    secret: str = field(repr=False)

    def verify(self, session, actor: Actor):
        """The user, if the secret is theirs (PermissionDenied otherwise, the refusal logged for
        ``actor``); call it in the command's session before the action, so nothing happens
        unconfirmed."""
        from dossier.services.users import verify_credential

        return verify_credential(session, self.username, self.secret, actor=actor, action=self.action)


def credential_of(username: str, action: str) -> Credential:
    """The credential of ``username`` for a four-eyes action (``--as`` alone is not enough): that
    user's API token from ``DOSSIER_TOKEN`` (for scripts; ``dossier user token``), else the
    password typed at a hidden prompt. Asked before any transaction starts, so no lock is held
    while someone types."""
    token = os.environ.get(TOKEN_ENV, "").strip()
    if token:
        return Credential(username, action, token)
    try:
        password = click.prompt(f"password of {username} ({action})", hide_input=True, err=True)
    except click.exceptions.Abort:
        fail(f"{action} needs the credential of {username}: type their password at the prompt, or set "
             f"{TOKEN_ENV} to their API token", 5)
    return Credential(username, action, password)


def emit(as_json: bool, payload: Any, human: str | None = None) -> None:
    if as_json:
        click.echo(json.dumps(payload, ensure_ascii=False, default=str))
    else:
        click.echo(human if human is not None else json.dumps(payload, ensure_ascii=False, indent=2, default=str))
