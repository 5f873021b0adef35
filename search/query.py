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
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dossier import dates
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


_CLOSING = {3: '"', 4: "”"}  # the _TOKEN group of a phrase → its closing quote
_SHOWN = 10  # characters of an unclosed phrase repeated in the message


def check_quotes(query: str) -> None:
    """Refuse a phrase whose quote is never closed (read silently to the end, it would search
    for something else than the clerk meant)."""
    text = (query or "").strip()
    for m in _TOKEN.finditer(text):
        for group, closing in _CLOSING.items():
            if m.group(group) is not None and (m.end(group) >= len(text) or text[m.end(group)] != closing):
                phrase = m.group(group)
                shown = phrase if len(phrase) <= _SHOWN else phrase[:_SHOWN]
                raise InvalidInput("search.unclosed_quote", quote=text[m.start(group) - 1], phrase=shown)


def parse(query: str, *, strict: bool = False) -> ParsedQuery:
    """Parse ``query``; unknown ``name:`` prefixes are read as ordinary text. ``strict``: an
    unclosed quote is refused (the search box) instead of running to the end (highlighting)."""
    if strict:
        check_quotes(query)
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


def _quoted(value: str) -> str:
    return f'"{value}"'


def unparse_part(part: object) -> str:
    """One part of a parsed query written back in the query syntax."""
    if isinstance(part, Text):
        bare = part.value and not part.exact and not any(c.isspace() or c in '"“”' for c in part.value)
        return part.value if bare and part.value != "OR" else _quoted(part.value)
    if isinstance(part, Filter):
        plain = part.value and not any(c.isspace() or c in '"“”' for c in part.value)
        return f"{part.field}:{part.value if plain else _quoted(part.value)}"
    if isinstance(part, Any_):
        return " OR ".join(unparse_part(p) for p in part.parts)
    raise TypeError(f"not a query part: {part!r}")


def unparse(must: Sequence[Any], must_not: Sequence[Any] = ()) -> str:
    """The query syntax for these parts (``parse(unparse(p.must, p.must_not))`` gives them back)."""
    return " ".join([unparse_part(p) for p in must] + ["-" + unparse_part(p) for p in must_not])


_YEAR_MONTH = re.compile(r"^(\d{4})年?(?:[-./年](\d{1,2})月?)?$", re.ASCII)


def _bounds(text: str, what: str | None = None) -> tuple[date, date]:
    """A year, a month or a day as its first and last day. A day is read by the one date parser
    (``dossier.dates.parse_date``), so a bad one is refused with the same reason everywhere."""
    value = text.strip()
    m = _YEAR_MONTH.match(value)
    if m:
        y, mo = int(m[1]), m[2]
        if mo is None:
            return date(y, 1, 1), date(y, 12, 31)
        if 1 <= int(mo) <= 12:
            month = int(mo)
            last = (date(y + (month == 12), month % 12 + 1, 1) - date(y, month, 1)).days
            return date(y, month, 1), date(y, month, last)
        raise InvalidInput("search.not_a_date", value=value)
    if not re.match(r"^\d{4}\D", value, re.ASCII):
        raise InvalidInput("search.not_a_date", value=value)
    day = dates.parse_date(value, what)
    assert day is not None  # value is not blank
    return day, day


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
        raise InvalidInput("search.range_reversed", value=value)
    return start, end


def parse_date(value: str | date | None, *, end: bool = False, what: str | None = None) -> date | None:
    """A date filter's bound: a day (the date pickers send 2021-03-15), or a year or a month
    (the year facet's links), as its first day or, with ``end``, its last."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    if not str(value).strip():
        return None
    lo, hi = _bounds(str(value), what)
    return hi if end else lo
