"""Times as people read them: Beijing time (``DOSSIER_TIMEZONE``, default Asia/Shanghai) to the
minute or second, never "UTC", never microseconds. Times are stored in UTC; this is the one place
that turns them into the office's local time, for pages, the CLI, reports and exports alike."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dossier.errors import ConfigurationError

DEFAULT_ZONE = "Asia/Shanghai"


def zone() -> ZoneInfo:
    """The office's time zone: ``DOSSIER_TIMEZONE`` (an IANA name), else Beijing time."""
    name = os.environ.get("DOSSIER_TIMEZONE", "").strip() or DEFAULT_ZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigurationError("config.bad_timezone", name=name) from None


def local(moment: datetime) -> datetime:
    """``moment`` in the office's zone, without microseconds (a naive time is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone()).replace(microsecond=0)


def local_naive(moment: datetime) -> datetime:
    """``local(moment)`` without its zone: what a spreadsheet cell holds (Excel has no zones)."""
    return local(moment).replace(tzinfo=None)


def format_datetime(moment: datetime | None, *, seconds: bool = False) -> str:
    """``2026-12-04 11:23`` (or ``…:45`` with ``seconds``) in the office's zone; "" for None."""
    if moment is None:
        return ""
    return local(moment).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def format_date(day: date | datetime | None) -> str:
    """``2026-12-04``; a datetime is first moved to the office's zone; "" for None."""
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = local(day).date()
    return day.isoformat()


def today() -> date:
    """Today in the office's zone (not the server's, not UTC)."""
    return datetime.now(zone()).date()


def start_of_day(day: date) -> datetime:
    """The first moment of ``day`` in the office's zone, as an aware UTC time (for queries)."""
    return datetime(day.year, day.month, day.day, tzinfo=zone()).astimezone(UTC)
