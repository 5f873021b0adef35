"""Correcting what was filed wrongly: document edits with a reason, and their history."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("corrections", __name__)
