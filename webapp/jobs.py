"""Background jobs (whole-archive audits, destruction execution) and their progress."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("jobs", __name__, url_prefix="/jobs")
