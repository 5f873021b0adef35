"""The dashboard (首页)."""

from __future__ import annotations

from flask import Blueprint, render_template

from dossier.dashboard import dashboard_counts
from dossier.permissions import Permission, can
from paper.loans import overdue_loans
from webapp.access import requires
from webapp.context import actor, db

bp = Blueprint("main", __name__)


@bp.get("/")
@requires(Permission.SEARCH)
def dashboard():
    counts = dashboard_counts(db(), actor())
    keeps_paper = can(actor(), Permission.MANAGE_RECORDS) or can(actor(), Permission.AUDIT)
    overdue = overdue_loans(db(), actor()) if keeps_paper else None
    return render_template("main/dashboard.html", counts=counts, overdue=overdue)
