"""What every template sees: the signed-in user, permission checks, Chinese names."""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from flask_babel import format_datetime

from dossier.permissions import ROLE_NAMES_ZH, Permission, can
from dossier.services.documents import CONFIDENTIALITY_NAMES_ZH
from dossier.services.documents import STATUS_NAMES_ZH as DOCUMENT_STATUS_NAMES_ZH
from dossier.services.households import PARTY_ROLE_NAMES_ZH, USE_NAMES_ZH
from dossier.services.households import STATUS_NAMES_ZH as HOUSEHOLD_STATUS_NAMES_ZH
from webapp.context import is_api_request, principal
from webapp.forms import LogoutForm


def _datetime(value, fmt: str = "yyyy-MM-dd HH:mm") -> str:
    """A datetime (or its ISO-8601 text, as the JSON-shaped service views carry it) in local time."""
    if isinstance(value, str) and value:
        value = datetime.fromisoformat(value)
    return format_datetime(value, fmt) if value else "—"


def _percent(value) -> str:
    if value is None:
        return "—"
    return f"{value:.0f}%" if float(value).is_integer() else f"{value:.1f}%"


def init_app(app: Flask) -> None:
    app.jinja_env.filters["datetime"] = _datetime
    app.jinja_env.filters["percent"] = _percent

    @app.context_processor
    def _globals():
        try:
            user = None if is_api_request() else principal()
        except Exception:  # noqa: BLE001 - e.g. the catalog is down while an error page is being drawn
            user = None

        def may(permission: Permission) -> bool:
            return can(user, permission)

        logout_form = None
        if user is not None:
            logout_form = LogoutForm(formdata=None)  # never parses the request (a 413 page must render)
        return {
            "user": user,
            "may": may,
            "Permission": Permission,
            "logout_form": logout_form,
            "ROLE_NAMES_ZH": ROLE_NAMES_ZH,
            "USE_NAMES_ZH": USE_NAMES_ZH,
            "HOUSEHOLD_STATUS_NAMES_ZH": HOUSEHOLD_STATUS_NAMES_ZH,
            "PARTY_ROLE_NAMES_ZH": PARTY_ROLE_NAMES_ZH,
            "DOCUMENT_STATUS_NAMES_ZH": DOCUMENT_STATUS_NAMES_ZH,
            "CONFIDENTIALITY_NAMES_ZH": CONFIDENTIALITY_NAMES_ZH,
        }
