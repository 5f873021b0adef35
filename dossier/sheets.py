"""Spreadsheets out (and in): one table as XLSX (openpyxl) or CSV with a BOM, typed and safe.

Every list the archive exports (households, search hits, batch reports, the access log, loans,
statistics) is a :class:`Table`: a title, Chinese column headers with a kind each, and rows.
XLSX cells are typed (dates and times as Excel dates in the office's zone, numbers as numbers);
text goes through :func:`dossier.cells.safe_cell` so nothing is read as a formula; CSV is UTF-8
with a BOM, which Excel on Chinese Windows needs to read it as UTF-8. :func:`read_rows` reads
an uploaded workbook or CSV back as rows of text (imports).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal

from sqlalchemy.orm import Session

from dossier.catalog import zh
from dossier.cells import safe_cell
from dossier.errors import InvalidInput
from dossier.localtime import format_date, format_datetime, local_naive
from dossier.people import display_names
from dossier.textfiles import decode_manifest

Kind = Literal["text", "int", "float", "percent", "date", "datetime"]

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"

_FORMATS: dict[str, str] = {
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
    "percent": "0.0%",
    "float": "0.000",
}


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind = "text"
    width: int | None = None  # characters; a sensible default from the header otherwise


@dataclass
class Table:
    """One sheet: ``title`` (the sheet's name and its first row), the columns, the rows."""

    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[object]] = field(default_factory=list)
    note: str | None = None  # one line under the title (e.g. who exported it, when, the filter)


def _cell(value: object, kind: Kind) -> object:
    """The typed value of one XLSX cell."""
    if value is None or value == "":
        return None
    if kind == "datetime" and isinstance(value, datetime):
        return local_naive(value)
    if kind == "date" and isinstance(value, datetime):
        return local_naive(value).date()
    if kind == "date" and isinstance(value, date):
        return value
    if (
        kind in ("int", "float", "percent")
        and isinstance(value, (int, float))
        and not isinstance(value, bool)
    ):
        return value
    return safe_cell(value)


def _text(value: object, kind: Kind) -> str:
    """The text of one CSV cell (times in the office's zone, to the minute)."""
    if isinstance(value, datetime):
        return format_datetime(value) if kind != "date" else format_date(value)
    if isinstance(value, date):
        return format_date(value)
    if kind == "percent" and isinstance(value, (int, float)):
        return f"{value * 100:.1f}%"
    return safe_cell(value)


def export_note(session: Session, username: str) -> str:
    """The line under an export's title: who exported it (their 姓名) and when (office time)."""
    name = display_names(session, [username]).get(username, username)
    return zh("exports.note", who=name, at=format_datetime(datetime.now(UTC)))


def xlsx_bytes(*tables: Table) -> bytes:
    """A workbook with one sheet per table: title row, optional note row, bold headers, typed cells."""
    from openpyxl import Workbook  # reason: 500 ms at import; only XLSX exports need it
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(_sheet_name(table.title))
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True, size=14)
        if table.note:
            sheet.append([table.note])
        sheet.append([c.header for c in table.columns])
        header_row = sheet.max_row
        for cell in sheet[header_row]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = f"A{header_row + 1}"
        for row in table.rows:
            sheet.append([_cell(v, c.kind) for v, c in zip(row, table.columns, strict=True)])
            for cell, column in zip(sheet[sheet.max_row], table.columns, strict=True):
                if column.kind in _FORMATS and cell.value is not None:
                    cell.number_format = _FORMATS[column.kind]
        for index, column in enumerate(table.columns, start=1):
            width = column.width or max(10, len(column.header) * 2 + 4)
            sheet.column_dimensions[get_column_letter(index)].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_lines(columns: Sequence[Column], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """CSV text line by line (headers first, CRLF), for an export streamed in bounded memory."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(c.header) for c in columns])
    yield buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_text(v, c.kind) for v, c in zip(row, columns, strict=True)])
        yield buffer.getvalue()


def csv_bytes(table: Table) -> bytes:
    """The table as CSV (headers, then rows; no title row), UTF-8 with a BOM, CRLF lines."""
    return "".join(csv_lines(table.columns, table.rows)).encode("utf-8-sig")


def is_workbook(data: bytes) -> bool:
    """An XLSX file (a zip), told by its content, not by its name."""
    return data[:4] == b"PK\x03\x04"


def read_rows(data: bytes, name: str, *, max_rows: int = 20_000) -> list[list[str]]:
    """Spreadsheets in: the first sheet of a workbook or a CSV (UTF-8 with or without a BOM, or
    GBK), as rows of text; trailing blank rows dropped. Dates, whole numbers and booleans Excel
    stored as such come back as the text a person typed (是/否 for a boolean)."""
    return read_rows_and_delimiter(data, name, max_rows=max_rows)[0]


def read_rows_and_delimiter(data: bytes, name: str, *, max_rows: int = 20_000) -> tuple[list[list[str]], str]:
    """``read_rows`` and the CSV delimiter the file used ("," for a workbook), to write it back."""
    if is_workbook(data):
        rows, delimiter = _workbook_rows(data, name, max_rows), ","
    else:
        text = decode_manifest(data, name)
        try:
            dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        rows = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), dialect)]
        delimiter = getattr(dialect, "delimiter", ",")
        if len(rows) > max_rows:
            raise InvalidInput("exports.too_many_rows", name=name, limit=max_rows)
    while rows and not any(rows[-1]):
        rows.pop()
    return rows, delimiter


def _read_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return zh("sheets.yes") if value else zh("sheets.no")
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _workbook_rows(data: bytes, name: str, max_rows: int) -> list[list[str]]:
    from openpyxl import load_workbook  # reason: 500 ms at import; only workbooks need it

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise InvalidInput("exports.unreadable_workbook", name=name) from None
    try:
        rows: list[list[str]] = []
        for row in book.worksheets[0].iter_rows(values_only=True) if book.worksheets else ():
            if len(rows) >= max_rows:
                raise InvalidInput("exports.too_many_rows", name=name, limit=max_rows)
            rows.append([_read_cell(v) for v in row])
        return rows
    finally:
        book.close()


def _sheet_name(title: str) -> str:
    """An Excel sheet name: at most 31 characters, none of ``[]:*?/\\``."""
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in title).strip() or "Sheet"
    return cleaned[:31]
