"""The dashboard (首页)."""

from __future__ import annotations

from flask import Blueprint, render_template

from dossier.permissions import Permission
from dossier.services.dashboard import dashboard_counts
from webapp.access import requires
from webapp.context import actor, db

bp = Blueprint("main", __name__)


@bp.get("/")
@requires(Permission.SEARCH)
def dashboard():
    counts = dashboard_counts(db(), actor())
    return render_template("main/dashboard.html", counts=counts)
