"""``dossier keys ...``."""

from __future__ import annotations

import click

from dossier.catalog import os_reason, say
from dossier.cli.common import CliContext, emit, json_option, pass_cli
from dossier.errors import InvalidInput


@click.group("keys")
def keys() -> None:
    """The archive's keys."""


@keys.command("export-public")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="Write to a file instead of stdout.",
)
@json_option
@pass_cli
def export_public(ctx: CliContext, output: str | None, as_json: bool) -> None:
    """Print the signing public key (PEM), so auditors can verify originals without the private key."""
    signer = ctx.archive.signer
    pem = signer.public_pem()
    if output:
        try:
            with open(output, "w", encoding="ascii") as fh:
                fh.write(pem)
        except OSError as exc:
            raise InvalidInput("cli.cannot_write", path=output, reason=os_reason(exc)) from None
    emit(
        as_json,
        {"algorithm": "Ed25519", "fingerprint": signer.fingerprint, "public_key": pem},
        pem.rstrip("\n")
        if not output
        else say("cli.keys.public_written", fingerprint=signer.fingerprint, path=output),
    )


def register(cli: click.Group) -> None:
    cli.add_command(keys)
