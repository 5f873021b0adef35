"""Paper originals: loans (借阅登记) and monthly cabinet inventory (库房清点)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("paper", __name__, url_prefix="/paper")
