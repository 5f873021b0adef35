"""What every template sees: the signed-in user, permission checks, Chinese names."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, g
from markupsafe import Markup

from dossier.localtime import format_date, format_datetime
from dossier.people import all_display_names
from dossier.permissions import ROLE_NAMES_ZH, Permission, can
from dossier.services.documents import CONFIDENTIALITY_NAMES_ZH
from dossier.services.documents import STATUS_NAMES_ZH as DOCUMENT_STATUS_NAMES_ZH
from dossier.services.households import PARTY_ROLE_NAMES_ZH, USE_NAMES_ZH
from dossier.services.households import STATUS_NAMES_ZH as HOUSEHOLD_STATUS_NAMES_ZH
from webapp.context import db, is_api_request, principal
from webapp.forms import LogoutForm


def _datetime(value, fmt: str = "minutes") -> str:
    """A datetime (or its ISO-8601 text, as the JSON-shaped service views carry it) in the office's
    time (``dossier.localtime``): ``fmt`` is "minutes" (default), "seconds" or "date"."""
    if isinstance(value, str) and value:
        value = datetime.fromisoformat(value)
    if not value:
        return "—"
    if not isinstance(value, datetime):  # a date: no zone to move it to
        return value.isoformat()
    if fmt in ("date", "yyyy-MM-dd"):
        return format_date(value)
    return format_datetime(value, seconds=fmt in ("seconds", "yyyy-MM-dd HH:mm:ss"))


def _person(username: str | None, known: str | None = None) -> Markup | str:
    """The 姓名 of the account ``username`` (or ``known``, a name a service already gave it, such
    as 系统 for the console) with the username as a tooltip; the username itself where there is
    no name; the names are read once per request."""
    if not username:
        return known or "—"
    names = g.get("_dossier_people")
    if names is None:
        try:
            names = all_display_names(db())
        except Exception:  # noqa: BLE001 - an error page drawn while the catalog is down
            names = {}
        g._dossier_people = names
    name = names.get(username) or known
    if not name or name == username:
        return username
    return Markup('<span class="person" title="{}">{}</span>').format(username, name)


def _percent(value) -> str:
    if value is None:
        return "—"
    return f"{value:.0f}%" if float(value).is_integer() else f"{value:.1f}%"


def init_app(app: Flask) -> None:
    app.jinja_env.filters["datetime"] = _datetime
    app.jinja_env.filters["percent"] = _percent
    app.jinja_env.filters["person"] = _person

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
