"""The ``dossier`` command: the operator's console. Thin: every command calls a service.

Every error a user can cause ends in one line on stderr and a non-zero exit, never a traceback.
The settings are read once, first (a bad value stops here, naming its variable), and logging is
configured once from them before the command runs.
"""

from __future__ import annotations

import logging
import sys

import click
from sqlalchemy.exc import OperationalError, ProgrammingError

from dossier.catalog import text
from dossier.cli.common import CliContext, fail
from dossier.config import Settings
from dossier.errors import DossierError
from dossier.filemodes import private_umask


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--as",
    "as_user",
    metavar="USERNAME",
    help="Act for this user: their role is checked and they are recorded as the actor.",
)
@click.version_option(package_name="dossier")
@click.pass_context
def cli(ctx: click.Context, as_user: str | None) -> None:
    """Dossier: the household archive (一户一档)."""
    obj = ctx.ensure_object(CliContext)
    obj.as_user = as_user
    configure_logging(obj.settings, ctx.invoked_subcommand)


# The long-running commands say what they do (requests, documents re-queued) unless told otherwise.
_CHATTY_COMMANDS = ("serve", "worker")


def configure_logging(settings: Settings, command: str | None) -> None:
    """Logging for this process, once: to stderr at ``DOSSIER_LOG_LEVEL``, by default WARNING
    (INFO for ``serve`` and ``worker``). Does nothing when the process has configured it already."""
    level = settings.log_level or ("INFO" if command in _CHATTY_COMMANDS else "WARNING")
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def _register() -> None:
    from dossier.cli import (
        accesslog,
        audit,
        backup,
        coversheets,
        doctypes,
        handover,
        household_sheets,
        households,
        ingest,
        keys,
        loans,
        numbering,
        retention,
        search,
        serve,
        setup,
        users,
    )

    for module in (
        setup,
        households,
        household_sheets,
        users,
        keys,
        doctypes,
        numbering,
        ingest,
        coversheets,
        search,
        retention,
        serve,
        audit,
        accesslog,
        loans,
        backup,
        handover,
    ):
        module.register(cli)


_register()


def main(argv: list[str] | None = None) -> None:
    # Everything this process (and `serve`, `worker` and their children) creates is private:
    # the home, catalog, index, queue, backups and exports (dossier.filemodes).
    private_umask()
    settings: Settings | None = None
    try:
        settings = Settings.from_env()
        cli.main(args=argv, prog_name="dossier", standalone_mode=False, obj=CliContext(settings=settings))
    except click.exceptions.Abort:
        fail(text("cli.aborted"), 1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except DossierError as exc:
        fail(exc.message, exc.exit_code)
    except (OperationalError, ProgrammingError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        fail(text("cli.database_failed", reason=reason), 6)
    except KeyboardInterrupt:
        fail(text("cli.interrupted"), 130)
    except Exception as exc:  # a bug, not a user error: one line, the traceback only on request
        if settings is not None and settings.debug:  # DOSSIER_DEBUG
            raise
        fail(text("cli.internal_error", kind=type(exc).__name__), 70)
