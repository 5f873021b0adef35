"""Role checks for every route.

Each view carries exactly one marker: ``@requires(Permission.X)`` (or several permissions, any
one of which will do), ``@requires_login`` (any
signed-in user, e.g. logout) or ``@public`` (the login page). ``create_app`` refuses to start if
a view has none, so a new route cannot be forgotten.

Unauthenticated: web → redirect to /login; API → 401 JSON. Forbidden: 403 (Chinese page or
JSON), recorded in the access log, without saying what was missing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Flask, redirect, request, url_for

from dossier.permissions import Permission, can
from dossier.services.access import record_forbidden
from webapp.context import actor, db, is_api_request, principal
from webapp.errors import api_error, error_page

ACCESS_ATTR = "_dossier_access"


def _unauthenticated():
    if is_api_request():
        return api_error(401)
    target = request.full_path if request.query_string else request.path
    return redirect(url_for("auth.login", next=target))


def _forbidden():
    record_forbidden(db(), actor(), f"{request.method} {request.path}")
    return api_error(403) if is_api_request() else error_page(403)


def requires(*permissions: Permission) -> Callable:
    """Signed in and holding the permission (with several: any one of them)."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            user = principal()
            if user is None:
                return _unauthenticated()
            if not any(can(user, permission) for permission in permissions):
                return _forbidden()
            return view(*args, **kwargs)

        setattr(wrapper, ACCESS_ATTR, "|".join(permissions))
        return wrapper

    return decorate


def requires_login(view: Callable) -> Callable:
    @wraps(view)
    def wrapper(*args, **kwargs):
        if principal() is None:
            return _unauthenticated()
        return view(*args, **kwargs)

    setattr(wrapper, ACCESS_ATTR, "login")
    return wrapper


def public(view: Callable) -> Callable:
    setattr(view, ACCESS_ATTR, "public")
    return view


def route_permissions(app: Flask) -> dict[str, str | None]:
    """endpoint → its marker (None when a view has none)."""
    return {name: getattr(view, ACCESS_ATTR, None) for name, view in app.view_functions.items()}


def check_every_route_is_guarded(app: Flask) -> None:
    missing = sorted(
        name for name, marker in route_permissions(app).items() if marker is None and name != "static"
    )
    if missing:
        raise RuntimeError(f"views without a role check: {', '.join(missing)}")
