"""Folder archive numbers (档案编号): ``<community code>-<use letter><serial>``, e.g. C001-Z00001.

One series per community and use (Z residential, S commercial, B office); the serial has
``WIDTH`` digits. New numbers are made here and existing ones read back here (the numbering
of a new folder, the audit's check for gaps in a series). A number given by hand may follow
any other pattern: it is then in no series.
"""

from __future__ import annotations

from dossier.models import HouseholdUse

WIDTH = 5
USE_LETTERS = {HouseholdUse.RESIDENTIAL: "Z", HouseholdUse.COMMERCIAL: "S", HouseholdUse.OFFICE: "B"}


def series_prefix(community_code: str, use: HouseholdUse) -> str:
    """The part before the serial: ``C001-Z``."""
    return f"{community_code}-{USE_LETTERS[use]}"


def format_archive_no(prefix: str, serial: int) -> str:
    """``C001-Z`` and 1 → ``C001-Z00001``."""
    return f"{prefix}{serial:0{WIDTH}d}"


def split_archive_no(archive_no: str) -> tuple[str, int] | None:
    """``C001-Z00001`` → (``C001-Z``, 1); None for a number without a trailing serial."""
    prefix = archive_no.rstrip("0123456789")
    digits = archive_no[len(prefix) :]
    return (prefix, int(digits)) if digits else None


def serial_in(archive_no: str, prefix: str) -> int | None:
    """The serial of ``archive_no`` in the series ``prefix``, or None when it is not one of it."""
    parts = split_archive_no(archive_no)
    return parts[1] if parts is not None and parts[0] == prefix else None
