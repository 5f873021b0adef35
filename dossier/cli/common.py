"""What every command shares: the archive, the acting user, JSON or human output, errors."""

from __future__ import annotations

import json
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


def emit(as_json: bool, payload: Any, human: str | None = None) -> None:
    if as_json:
        click.echo(json.dumps(payload, ensure_ascii=False, default=str))
    else:
        click.echo(human if human is not None else json.dumps(payload, ensure_ascii=False, indent=2, default=str))
