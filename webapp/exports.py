"""导出: each list as XLSX or CSV (with a BOM), with the filters of the page it sits on.

Thin: each table is built by the service next to its list (``households_table``,
``search_table``, ``batch_table``, ``access_table``, ``loans_table``), through the same calls
the pages make, so a role exports exactly what it sees; exports of personal data are recorded
in the access log by those services. The file is named in Chinese (``filename*``), with an
ASCII name for old clients.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from dossier.localtime import today
from dossier.permissions import Permission
from dossier.services.accesslog import access_table
from dossier.services.household_sheets import households_table
from dossier.sheets import CSV_TYPE, XLSX_TYPE, Table, csv_bytes, xlsx_bytes
from paper.exports import loans_table
from search.exports import search_table
from search.writer import open_engine
from webapp.access import requires
from webapp.accesslog import access_filter
from webapp.batches import batch_table
from webapp.context import actor, archive, db
from webapp.documents import purposes_given
from webapp.downloads import download
from webapp.forms import HouseholdFilterForm
from webapp.households import household_filter
from webapp.search import current_args, filters_from

bp = Blueprint("exports", __name__)

KIND = "<any(xlsx, csv):kind>"


def send_table(table: Table, kind: str, name: str, ascii_name: str) -> Response:
    """``table`` as a download: ``name-2026-12-04.xlsx`` (the office's date)."""
    if kind == "xlsx":
        data, mimetype = xlsx_bytes(table), XLSX_TYPE
    else:
        data, mimetype = csv_bytes(table), CSV_TYPE
    day = today().isoformat()
    return download(data, mimetype, f"{name}-{day}.{kind}", f"{ascii_name}-{day}.{kind}")


@bp.get(f"/households/export.{KIND}")
@requires(Permission.SEARCH)
def households(kind: str):
    flt, _page = household_filter(HouseholdFilterForm(request.args))
    table = households_table(db(), actor(), flt)
    return send_table(table, kind, table.title, "households")


@bp.get(f"/search/export.{KIND}")
@requires(Permission.SEARCH)
def search(kind: str):
    args = current_args()
    table = search_table(
        db(),
        actor(),
        open_engine(archive().settings),
        args.get("q", ""),
        filters_from(args),
        purposes=purposes_given(),
    )
    return send_table(table, kind, table.title, "search-results")


@bp.get(f"/intake/batches/<int:batch_id>/export.{KIND}")
@requires(Permission.MANAGE_RECORDS)
def batch(batch_id: int, kind: str):
    table = batch_table(db(), batch_id, actor().username)
    return send_table(table, kind, table.title, f"batch-{batch_id}")


@bp.get(f"/audit/access-log/export.{KIND}")
@requires(Permission.AUDIT)
def access_log(kind: str):
    _form, f = access_filter()
    table = access_table(db(), actor(), f)
    return send_table(table, kind, table.title, "access-log")


@bp.get(f"/paper/loans/export.{KIND}")
@requires(Permission.MANAGE_RECORDS, Permission.AUDIT)
def loans(kind: str):
    table = loans_table(db(), actor(), only_overdue=request.args.get("filter") == "overdue")
    return send_table(table, kind, table.title, "loans")
