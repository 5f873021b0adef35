"""Per-request state: the archive, the catalog session, the signed-in principal and its actor.

One ``Archive`` per app (``app.extensions["dossier"]``); one SQLAlchemy session per request,
opened on first use. The session is committed just before the response leaves (so a failed
commit becomes a 500 instead of a page that lied about success), rolled back when the request
ended in an error, and closed at teardown in every case.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from flask import Flask, current_app, g, request
from flask_login import UserMixin, current_user
from sqlalchemy import event
from sqlalchemy.orm import Session

from dossier.actor import Actor
from dossier.archive import Archive
from dossier.models import Channel, User
from search.hooks import documents_changed


class WebUser(UserMixin):
    """What Flask-Login keeps of a user for one request (a plain object, not an ORM row)."""

    def __init__(self, user: User):
        self.id = user.id
        self.username = user.username
        self.display_name = user.display_name
        self.role = user.role
        self.active = bool(user.active)
        self.session_tag = session_tag(user)

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        # The tag changes with the password hash, so changing a password ends other sessions.
        return f"{self.id}.{self.session_tag}"

    @property
    def label(self) -> str:
        return self.display_name or self.username


def session_tag(user: User) -> str:
    return hashlib.sha256((user.password_hash or "").encode("utf-8")).hexdigest()[:16]


def archive() -> Archive:
    return current_app.extensions["dossier"]


def db() -> Session:
    session = g.get("_dossier_db")
    if session is None:
        session = g._dossier_db = archive().new_session()
    return session


def reindex_after_commit(document_ids: Iterable[int]) -> None:
    """Tell search about ``document_ids`` once this request's transaction has committed (the
    index reads the catalog; a refused or failed request tells it nothing)."""
    ids = list(document_ids)
    if not ids:
        return
    current = archive()
    event.listen(db(), "after_commit", lambda _session: documents_changed(current, ids), once=True)


def discard_changes() -> None:
    """Roll back whatever the failed operation left in the request's session."""
    session = g.get("_dossier_db")
    if session is not None:
        session.rollback()


def is_api_request() -> bool:
    return request.blueprint == "api" or request.path == "/api" or request.path.startswith("/api/")


def principal():
    """The signed-in user (web: the session cookie; API: the bearer token only), or None."""
    if is_api_request():
        return g.get("_dossier_api_user")
    if current_user and current_user.is_authenticated:
        return current_user._get_current_object()
    return None


def actor() -> Actor:
    """The ``Actor`` the services see for this request (anonymous when nobody is signed in)."""
    cached = g.get("_dossier_actor")
    if cached is not None:
        return cached
    user = principal()
    channel = Channel.API if is_api_request() else Channel.WEB
    if user is None:
        return anonymous_actor()
    g._dossier_actor = Actor.from_user(user, channel, request.remote_addr)
    return g._dossier_actor


def anonymous_actor() -> Actor:
    channel = Channel.API if is_api_request() else Channel.WEB
    return Actor(None, "anonymous", "", False, channel, request.remote_addr)


def init_app(app: Flask) -> None:
    @app.after_request
    def _commit(response):
        session = g.get("_dossier_db")
        if session is not None and not g.get("_dossier_failed"):
            session.commit()
        return response

    @app.teardown_request
    def _close(exc):
        session = g.pop("_dossier_db", None)
        if session is not None:
            try:
                if exc is not None or g.get("_dossier_failed"):
                    session.rollback()
            finally:
                session.close()
