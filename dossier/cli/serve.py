"""``dossier serve``: the web app on waitress (a production WSGI server)."""

from __future__ import annotations

import click

from dossier.catalog import say
from dossier.cli.common import CliContext, pass_cli


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--threads", type=click.IntRange(1, 64), default=8, show_default=True)
@pass_cli
def serve(ctx: CliContext, host: str, port: int, threads: int) -> None:
    """Serve the web app."""
    from webapp import create_app
    from webapp.serving import serve as serve_app

    archive = ctx.ready_archive()
    app = create_app(archive.settings)
    click.echo(say("cli.serve.started", url=f"http://{host}:{port}", home=archive.settings.home), err=True)
    # waitress with a body limit per request, decided from the headers before the body is read:
    # Settings.max_upload_mb (DOSSIER_MAX_UPLOAD_MB) for an authorised intake upload, 1 MiB for
    # everything else.
    serve_app(app, host=host, port=port, threads=threads)


def register(cli: click.Group) -> None:
    cli.add_command(serve)
