"""Dates as people type them: the one parser for every date a user gives (CLI options, web
forms, manifests, API bodies), so every entry point accepts the same forms and refuses the
rest with the same reason.

Accepted (blanks around ignored): 2024-03-09, 2024-3-9, 2024/3/9, 2024.3.9, 2024年3月9日.
A blank value is "no date" (None); anything else raises InvalidInput with a Chinese reason.
"""

from __future__ import annotations

import re
from datetime import date

from dossier.errors import InvalidInput

FORMATS_ZH = "2024-03-09、2024/3/9、2024.3.9 或 2024年3月9日"
_SHOWN = 40  # characters of a refused value repeated in the message

# One separator throughout (2024/3-9 is a typo, not a date); ASCII digits only.
_DATE = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})|(\d{4})年(\d{1,2})月(\d{1,2})日", re.ASCII)


def parse_date(value: str | date | None, what: str | None = None) -> date | None:
    """The date ``value`` names, None when it is blank. ``what`` names the field in the reason
    (e.g. ``--as-of``, ``row 3 date``, ``销毁日期``)."""
    if value is None or isinstance(value, date):
        return value
    text = str(value).strip()
    if not text:
        return None
    prefix = f"{what}：" if what else ""
    shown = text if len(text) <= _SHOWN else text[:_SHOWN] + "…"
    match = _DATE.fullmatch(text)
    if match is None:
        raise InvalidInput(f"{prefix}日期格式应为 {FORMATS_ZH}，收到：{shown}")
    year, month, day = (match[1], match[3], match[4]) if match[1] else (match[5], match[6], match[7])
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise InvalidInput(f"{prefix}没有这一天：{shown}") from None


def require_date(value: str | date | None, what: str | None = None) -> date:
    """As ``parse_date``, for a date that must be given."""
    parsed = parse_date(value, what)
    if parsed is None:
        raise InvalidInput(f"{what + '：' if what else ''}请填写日期（{FORMATS_ZH}）")
    return parsed
