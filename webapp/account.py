"""Accounts: one's own password; admins manage users, roles, logins and API tokens."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("account", __name__, url_prefix="/account")
