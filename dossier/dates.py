"""Dates as people type them: the one parser for every date a user gives (CLI options, web
forms, manifests, API bodies), so every entry point accepts the same forms and refuses the
rest with the same reason.

Accepted (blanks around ignored): 2024-03-09, 2024-3-9, 2024/3/9, 2024.3.9, 2024年3月9日.
A blank value is "no date" (None); anything else raises InvalidInput (codes ``dates.*``).
"""

from __future__ import annotations

import re
from datetime import date

from dossier.catalog import Text, text
from dossier.errors import InvalidInput

_SHOWN = 40  # characters of a refused value repeated in the message

# One separator throughout (2024/3-9 is a typo, not a date); ASCII digits only.
_DATE = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})|(\d{4})年(\d{1,2})月(\d{1,2})日", re.ASCII)


def parse_date(value: str | date | None, what: str | None = None) -> date | None:
    """The date ``value`` names, None when it is blank. ``what`` names the field in the reason
    (e.g. ``--as-of``, ``第 3 行日期``, ``销毁日期``)."""
    if value is None or isinstance(value, date):
        return value
    typed = str(value).strip()
    if not typed:
        return None
    field = _field(what)
    shown = typed if len(typed) <= _SHOWN else typed[:_SHOWN] + "…"
    match = _DATE.fullmatch(typed)
    if match is None:
        raise InvalidInput("dates.bad_format", field=field, value=shown)
    year, month, day = (match[1], match[3], match[4]) if match[1] else (match[5], match[6], match[7])
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise InvalidInput("dates.no_such_day", field=field, value=shown) from None


def require_date(value: str | date | None, what: str | None = None) -> date:
    """As ``parse_date``, for a date that must be given."""
    parsed = parse_date(value, what)
    if parsed is None:
        raise InvalidInput("dates.required", field=_field(what))
    return parsed


def _field(what: str | None) -> Text | str:
    """The lead-in naming the field (``--as-of：``), or nothing."""
    return text("dates.field", what=what) if what else ""
