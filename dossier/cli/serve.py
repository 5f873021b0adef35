"""``dossier serve``: the web app on waitress (a production WSGI server)."""

from __future__ import annotations

import click

from dossier.cli.common import pass_cli


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--threads", type=click.IntRange(1, 64), default=8, show_default=True)
@pass_cli
def serve(ctx, host, port, threads):
    """Serve the web app."""
    from waitress import serve as waitress_serve

    from webapp import create_app

    archive = ctx.ready_archive()
    app = create_app(archive.settings)
    click.echo(f"Dossier serving on http://{host}:{port}  (catalog: {archive.settings.home})", err=True)
    # waitress refuses bodies over 1 GiB by default; let the app's own upload limit decide.
    waitress_serve(app, host=host, port=port, threads=threads, ident="dossier",
                   max_request_body_size=app.config["MAX_CONTENT_LENGTH"])


def register(cli: click.Group) -> None:
    cli.add_command(serve)
