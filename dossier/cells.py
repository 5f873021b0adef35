"""Cells of the CSV and XLSX files the archive writes, safe to open in a spreadsheet.

Whatever a cell holds can come from outside (a username typed at a failed login, a title, a
borrower's name, an OCR'd line): a cell starting with ``=``, ``+``, ``-`` or ``@``, or with a tab
or carriage return, would be taken as a formula by Excel or LibreOffice (CSV/formula
injection). :func:`safe_cell` keeps such a value as text by putting an apostrophe in front, the
usual spreadsheet escape; every exporter (access log, destruction lists and certificates, audit
reports) writes its cells through it.
"""

from __future__ import annotations

from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """``value`` as the text of one cell (None is empty), never read as a formula."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_row(values: Iterable[object]) -> list[str]:
    return [safe_cell(v) for v in values]
