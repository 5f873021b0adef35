"""What every command shares: the archive, the acting user, JSON or human output, errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NoReturn

import click
from sqlalchemy.orm import Session

from dossier.actor import Actor
from dossier.archive import Archive
from dossier.catalog import Text, say, text
from dossier.config import Settings
from dossier.models import Channel, User

# A decorator adding click options to a command.
OptionsDecorator = Callable[[Callable[..., Any]], Callable[..., Any]]

json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout.")


def filing_options(
    type_help: str = "Document type code (dossier doctype list).",
    title_help: str = "Title (default: the file name).",
) -> OptionsDecorator:
    """--type, --title, --date, --confidential, --retention: where and how documents are filed."""
    options = [
        click.option("--type", "type_code", metavar="TYPE", help=type_help),
        click.option("--title", metavar="T", help=title_help),
        click.option("--date", "doc_date", metavar="YYYY-MM-DD", help="Date of the document."),
        click.option("--confidential", is_flag=True, help="Confidential (保密): only cleared roles see it."),
        click.option(
            "--retention",
            metavar="CLASS",
            help="Retention class code (dossier retention class list); default: the type's.",
        ),
    ]

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


def fail(message: str | Text, code: int = 1) -> NoReturn:
    """One line on stderr in the CLI's language (``dossier.catalog.language``), then exit ``code``."""
    click.echo(say("cli.error", message=message), err=True)
    sys.exit(code)


@dataclass
class CliContext:
    as_user: str | None = None
    # Read once by ``dossier.cli.main`` at start; from the environment when the group is invoked
    # some other way (click's test runner).
    settings: Settings = field(default_factory=Settings.from_env, repr=False)
    _archive: Archive | None = field(default=None, repr=False)

    @property
    def archive(self) -> Archive:
        if self._archive is None:
            self._archive = Archive(self.settings)
        return self._archive

    def ready_archive(self) -> Archive:
        """The archive, refusing politely when it has not been initialised."""
        archive = self.archive
        archive.check_ready()
        return archive

    def actor(self, session: Session) -> Actor:
        if self.as_user is None:
            return Actor.console()
        from dossier.services.users import get_user

        user = get_user(session, self.as_user)
        if not user.active:
            fail(text("cli.user_deactivated", username=self.as_user), 5)
        return Actor.from_user(user, Channel.CLI)


pass_cli = click.make_pass_decorator(CliContext)

TOKEN_ENV = "DOSSIER_TOKEN"


@dataclass(frozen=True)
class Credential:
    """Who must be there for a four-eyes action, and what they gave to prove it."""

    username: str
    action: str
    secret: str = field(repr=False)

    def verify(self, session: Session, actor: Actor) -> User:
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
    cli_context = click.get_current_context().find_object(CliContext)
    token = cli_context.settings.token if cli_context else None  # Settings.token: DOSSIER_TOKEN
    if token:
        return Credential(username, action, token)
    try:
        password = click.prompt(
            say("cli.credential.prompt", username=username, action=action), hide_input=True, err=True
        )
    except click.exceptions.Abort:
        fail(text("cli.credential.missing", action=action, username=username, variable=TOKEN_ENV), 5)
    return Credential(username, action, password)


def emit(as_json: bool, payload: Any, human: str | None = None) -> None:
    if as_json:
        click.echo(json.dumps(payload, ensure_ascii=False, default=str))
    else:
        click.echo(
            human if human is not None else json.dumps(payload, ensure_ascii=False, indent=2, default=str)
        )


def subgroup(cli: click.Group, name: str) -> click.Group:
    """The group ``name`` already registered on ``cli``, for a module adding commands to it."""
    group = cli.commands[name]
    assert isinstance(group, click.Group), name
    return group
