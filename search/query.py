"""The clerk's query syntax, parsed into an engine-neutral tree.

Syntax:
    维修 基金            words: all must match (a Chinese word of 4+ characters tolerates an OCR
                        error, two from 10 characters; of several words, one per page)
    "维修基金 缴纳"       an exact phrase (no OCR tolerance)
    装修 OR 维修          either (OR binds tighter than the implicit AND)
    -投诉                 excluded
    type:装修  type:renovation   document type by code or Chinese name
    household:A-3-1201  community:阳光花园  building:A
    date:2019..2021  date:2019-03..2019-06  date:2020-05-01  year:2020
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dossier.errors import InvalidInput

FILTER_FIELDS = {"type", "household", "community", "building", "date", "year"}
_FIELD_ALIASES = {
    "类型": "type",
    "户": "household",
    "小区": "community",
    "楼栋": "building",
    "日期": "date",
    "年份": "year",
    "hh": "household",
}


@dataclass(frozen=True)
class Text:
    """Free text: analysed into terms; ``exact`` for quoted phrases."""

    value: str
    exact: bool = False


@dataclass(frozen=True)
class Filter:
    field: str
    value: str


@dataclass(frozen=True)
class Any_:
    """At least one of the parts matches."""

    parts: tuple[Any, ...]


@dataclass
class ParsedQuery:
    must: list[Any] = field(default_factory=list)  # Text | Filter | Any_
    must_not: list[Any] = field(default_factory=list)  # Text | Filter

    @property
    def is_empty(self) -> bool:
        return not self.must and not self.must_not

    def texts(self) -> list[Text]:
        """The positive free-text parts (for highlighting)."""
        out: list[Text] = []
        for part in self.must:
            if isinstance(part, Text):
                out.append(part)
            elif isinstance(part, Any_):
                out.extend(p for p in part.parts if isinstance(p, Text))
        return out

    def plain_words(self) -> list[str]:
        return [t.value for t in self.must if isinstance(t, Text)]


_TOKEN = re.compile(r'(-?)(?:([A-Za-z_\u4e00-\u9fff]+):)?(?:"([^"]*)"?|“([^”]*)”?|(\S+))')


def parse(query: str) -> ParsedQuery:
    """Parse ``query``; unknown ``name:`` prefixes are read as ordinary text."""
    parsed = ParsedQuery()
    items: list[tuple[bool, object]] = []  # (negated, part) or (False, "OR")
    for m in _TOKEN.finditer((query or "").strip()):
        neg, name, quoted, cquoted, bare = m.groups()
        phrase = quoted if quoted is not None else cquoted
        if name is not None:
            key = _FIELD_ALIASES.get(name, name.lower())
            if key in FILTER_FIELDS:
                value = phrase if phrase is not None else (bare or "")
                if value.strip():
                    items.append((bool(neg), Filter(key, value.strip())))
                continue
            # Not a filter: the whole thing is text (such as a time 10:30).
            bare = f"{name}:{bare or phrase or ''}"
            phrase = None
        if phrase is not None:
            if phrase.strip():
                items.append((bool(neg), Text(phrase.strip(), exact=True)))
            continue
        if bare == "OR" and not neg:
            items.append((False, "OR"))
            continue
        if bare == "-" or not bare:
            continue
        items.append((bool(neg), Text(bare)))

    # Group OR chains: a OR b OR c → Any_(a, b, c).
    groups: list[tuple[bool, object]] = []
    pending_or = False
    for neg, part in items:
        if part == "OR":
            pending_or = bool(groups)
            continue
        if pending_or and not neg and not groups[-1][0]:
            prev = groups[-1][1]
            parts = prev.parts if isinstance(prev, Any_) else (prev,)
            groups[-1] = (False, Any_(parts + (part,)))
        else:
            groups.append((neg, part))
        pending_or = False
    for neg, part in groups:
        (parsed.must_not if neg else parsed.must).append(part)
    return parsed


_DAY = re.compile(r"^(\d{4})(?:[-./年](\d{1,2})(?:[-./月](\d{1,2})日?)?月?)?年?$")


def _bounds(text: str) -> tuple[date, date]:
    m = _DAY.match(text.strip())
    if not m:
        raise InvalidInput(f"{text!r} is not a date; write 2021, 2021-03 or 2021-03-15")
    y, mo, d = int(m[1]), m[2], m[3]
    try:
        if mo is None:
            return date(y, 1, 1), date(y, 12, 31)
        mo = int(mo)
        if d is None:
            last = (date(y + (mo == 12), mo % 12 + 1, 1) - date(y, mo, 1)).days
            return date(y, mo, 1), date(y, mo, last)
        day = date(y, mo, int(d))
        return day, day
    except ValueError:
        raise InvalidInput(f"{text!r} is not a date") from None


def date_range(value: str) -> tuple[date | None, date | None]:
    """``2019..2021``, ``2019-03..``, ``..2020-06-30``, ``2020``, ``2019-2021`` → inclusive bounds."""
    value = value.strip()
    sep = ".." if ".." in value else ("~" if "~" in value else None)
    if sep is None and re.match(r"^\d{4}-\d{4}$", value):
        sep = "-"
    if sep is None:
        return _bounds(value)
    lo, hi = value.split(sep, 1)
    start = _bounds(lo)[0] if lo.strip() else None
    end = _bounds(hi)[1] if hi.strip() else None
    if start and end and start > end:
        raise InvalidInput(f"the date range {value!r} ends before it starts")
    return start, end


def parse_date(value: str | date | None, *, end: bool = False) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    lo, hi = _bounds(str(value))
    return hi if end else lo
