"""档案统计: the figures page (a chart and its table each) and its workbook, one sheet per figure.

The numbers come from ``dossier.statistics`` (aggregate queries over what the viewer may see);
this view only picks the period and draws the charts (``webapp.charts``).
"""

from __future__ import annotations

from flask import Blueprint, render_template, request

from dossier.catalog import zh
from dossier.permissions import Permission
from dossier.sheets import XLSX_TYPE, xlsx_bytes
from dossier.statistics import archive_statistics, period_for, statistics_tables
from webapp.access import requires
from webapp.charts import chart_svg
from webapp.context import actor, db
from webapp.downloads import download

bp = Blueprint("statistics", __name__, url_prefix="/statistics")


@bp.get("")
@requires(Permission.MANAGE_RECORDS, Permission.AUDIT)
def index():
    stats = archive_statistics(db(), actor(), request.args.get("period"))
    charts = {f.key: chart_svg(f.chart, f"chart-{f.key}", f.title, f.description) for f in stats.figures}
    return render_template("statistics/index.html", stats=stats, charts=charts)


@bp.get("/export.xlsx")
@requires(Permission.MANAGE_RECORDS, Permission.AUDIT)
def export():
    period = request.args.get("period")
    tables = statistics_tables(db(), actor(), period)
    name = zh("statistics.workbook_name", period=period_for(period).label)
    return download(xlsx_bytes(*tables), XLSX_TYPE, name, f"statistics-{period_for(period).key}.xlsx")
