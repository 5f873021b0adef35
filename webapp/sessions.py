"""Server-side web sessions: the cookie carries only a random id; the values live in the catalog.

``web_sessions`` keeps the SHA-256 of the cookie's token, the user, start and last-seen times and
the values as JSON. A session idle past ``session_idle_minutes`` or older than ``session_max_hours``
is refused and its row deleted; logout, a password change and deactivation delete the row
(``dossier.services.users.end_sessions``); a cookie whose row is gone is not signed in. Anonymous
visitors get no row, only a cookie signed under a salt of its own that never carries a user id. A
request writes only the keys it changed (last write wins per key) and touches ``last_seen_at`` at
most once a minute. Why and details: docs/decisions/011-server-side-web-sessions.md.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import Flask, Request, Response, request
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SessionInterface, SessionMixin
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import delete, or_, select
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.datastructures import CallbackDict

from dossier.models import WebSession, utcnow

logger = logging.getLogger(__name__)

SESSION_ID_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")  # secrets.token_urlsafe(32)
USER_KEY = "_user_id"  # where Flask-Login keeps the signed-in user
CSRF_KEY = "csrf_token"  # Flask-WTF's default WTF_CSRF_FIELD_NAME
ANONYMOUS_KEYS = frozenset({CSRF_KEY, "_flashes"})  # all an anonymous cookie may carry
ANONYMOUS_SALT = "dossier.anonymous-session"  # never Flask's "cookie-session"
TOUCH_EVERY = timedelta(minutes=1)

_json = TaggedJSONSerializer()


def session_hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("ascii")).hexdigest()


def user_id_of(value) -> int | None:
    """The user id in Flask-Login's ``_user_id`` (``"7.<tag>"``), or None."""
    raw, _sep, _tag = str(value or "").partition(".")
    return int(raw) if raw.isascii() and raw.isdigit() else None


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _dump(value) -> str:
    return _json.dumps(value)


@dataclass(frozen=True)
class LiveRow:
    user_id: int
    values: dict
    last_seen_at: datetime


EXPIRED = LiveRow(0, {}, datetime.min.replace(tzinfo=UTC))  # a row refused for its age


class ServerSession(CallbackDict, SessionMixin):
    """The session of one request. ``session_id`` is the cookie's value when the session has a
    row (signed in), None for an anonymous one."""

    def __init__(
        self,
        initial: dict | None = None,
        *,
        session_id: str | None = None,
        row_user_id: int | None = None,
        last_seen_at: datetime | None = None,
        had_cookie: bool = False,
    ):
        def on_update(self) -> None:
            self.modified = True
            self.accessed = True

        super().__init__(initial, on_update)
        self.session_id = session_id
        self.row_user_id = row_user_id
        self.last_seen_at = last_seen_at
        self.had_cookie = had_cookie  # the request carried a cookie we may need to replace
        self.snapshot = {key: _dump(value) for key, value in self.items()}
        self.modified = False
        self.accessed = False

    def __getitem__(self, key):
        self.accessed = True
        return super().__getitem__(key)

    def get(self, key, default=None):
        self.accessed = True
        return super().get(key, default)

    def setdefault(self, key, default=None):
        self.accessed = True
        return super().setdefault(key, default)

    def changes(self) -> tuple[dict[str, object], set[str]]:
        """The keys whose values differ from what was loaded, and the keys removed. Compared by
        value, so a value changed in place counts and one put back unchanged does not."""
        changed = {key: value for key, value in self.items() if self.snapshot.get(key) != _dump(value)}
        removed = set(self.snapshot) - set(self.keys())
        return changed, removed


class ServerSessionInterface(SessionInterface):
    """Flask's session, kept in ``web_sessions`` (see the module's docstring)."""

    def __init__(self, idle: timedelta, max_age: timedelta):
        self.idle = idle
        self.max_age = max_age

    # --- the catalog ------------------------------------------------------------------------------
    def _db(self, app: Flask):
        return app.extensions["dossier"].new_session()

    def _expired(self, row: WebSession, now: datetime) -> bool:
        return now - _aware(row.last_seen_at) >= self.idle or now - _aware(row.created_at) >= self.max_age

    def _expiry_clause(self, now: datetime):
        return or_(WebSession.last_seen_at <= now - self.idle, WebSession.created_at <= now - self.max_age)

    def live_row(self, app: Flask, session_id: str) -> LiveRow | None:
        """The live session under this cookie value, or None. An expired row is deleted here and
        answered as ``EXPIRED``."""
        if not SESSION_ID_RE.match(session_id or ""):
            return None
        now = utcnow()
        db = self._db(app)
        try:
            row = db.get(WebSession, session_hash(session_id))
            if row is None:
                return None
            if self._expired(row, now):
                db.delete(row)
                db.commit()
                return EXPIRED
            try:
                values = _json.loads(row.data or "{}")
            except ValueError:
                values = {}
            return LiveRow(row.user_id, values if isinstance(values, dict) else {}, _aware(row.last_seen_at))
        finally:
            db.close()

    def sweep(self, app: Flask) -> int:
        """Delete every expired session row; returns how many."""
        db = self._db(app)
        try:
            result = db.execute(delete(WebSession).where(self._expiry_clause(utcnow())))
            db.commit()
            return int(getattr(result, "rowcount", 0) or 0)
        finally:
            db.close()

    def _create(self, app: Flask, user_id: int, values: dict, client_addr: str | None) -> str:
        session_id = secrets.token_urlsafe(32)
        now = utcnow()
        db = self._db(app)
        try:
            db.execute(delete(WebSession).where(self._expiry_clause(now)))  # sweep at each sign-in
            db.add(
                WebSession(
                    id_hash=session_hash(session_id),
                    user_id=user_id,
                    created_at=now,
                    last_seen_at=now,
                    client_addr=(client_addr or None) and client_addr[:64],
                    data=_dump(values),
                )
            )
            db.commit()
        finally:
            db.close()
        return session_id

    def _update(self, app: Flask, session_id: str, changed: dict, removed: set[str], touch: bool) -> None:
        """Apply this request's changes onto the row as it is now; never brings back a deleted row."""
        db = self._db(app)
        try:
            row = db.scalar(
                select(WebSession).where(WebSession.id_hash == session_hash(session_id)).with_for_update()
            )
            if row is None:
                db.rollback()
                return
            if changed or removed:
                try:
                    values = _json.loads(row.data or "{}")
                except ValueError:
                    values = {}
                values.update(changed)
                for key in removed:
                    values.pop(key, None)
                row.data = _dump(values)
            if touch:
                row.last_seen_at = utcnow()
            db.commit()
        finally:
            db.close()

    def _delete(self, app: Flask, session_id: str) -> None:
        db = self._db(app)
        try:
            db.execute(delete(WebSession).where(WebSession.id_hash == session_hash(session_id)))
            db.commit()
        finally:
            db.close()

    # --- the anonymous cookie ---------------------------------------------------------------------
    def _signer(self, app: Flask) -> URLSafeTimedSerializer:
        assert app.secret_key is not None  # create_app always sets SECRET_KEY
        return URLSafeTimedSerializer(
            app.secret_key,
            salt=ANONYMOUS_SALT,
            serializer=_json,
            signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha256},
        )

    def _anonymous_values(self, app: Flask, raw: str) -> dict:
        try:
            values = self._signer(app).loads(raw, max_age=int(self.max_age.total_seconds()))
        except (BadSignature, ValueError, TypeError):
            return {}
        if not isinstance(values, dict):
            return {}
        return {key: value for key, value in values.items() if key in ANONYMOUS_KEYS}

    # --- Flask's interface ------------------------------------------------------------------------
    def open_session(self, app: Flask, request: Request) -> ServerSession:
        raw = request.cookies.get(self.get_cookie_name(app)) or ""
        if not raw:
            return ServerSession()
        if SESSION_ID_RE.match(raw):
            row = self.live_row(app, raw)
            if row is not None and row is not EXPIRED:
                return ServerSession(
                    row.values,
                    session_id=raw,
                    row_user_id=row.user_id,
                    last_seen_at=row.last_seen_at,
                    had_cookie=True,
                )
            session = ServerSession(had_cookie=True)  # logged out, ended or expired: not signed in
            if row is EXPIRED:
                session["_flashes"] = [("info", _("登录已超时，请重新登录。"))]
            return session
        return ServerSession(self._anonymous_values(app, raw), had_cookie=True)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if not isinstance(session, ServerSession):
            return
        if session.accessed:
            response.vary.add("Cookie")
        user_id = user_id_of(session.get(USER_KEY))
        if session.session_id is not None:
            if user_id is not None and user_id == session.row_user_id:
                self._save_signed_in(app, session)
                return
            # Signed out (logout, or Flask-Login's strong protection dropped the user): the row goes.
            self._delete(app, session.session_id)
        if user_id is not None:
            self._start(app, session, response, user_id)
        else:
            self._save_anonymous(app, session, response)

    def _save_signed_in(self, app: Flask, session: ServerSession) -> None:
        assert session.session_id is not None  # only a session with a row is signed in
        changed, removed = session.changes()
        touch = session.last_seen_at is None or utcnow() - session.last_seen_at >= TOUCH_EVERY
        if not changed and not removed and not touch:
            return
        try:
            self._update(app, session.session_id, changed, removed, touch)
        except SQLAlchemyError:
            if changed or removed:
                raise
            logger.warning("could not record that a web session was seen", exc_info=True)

    def _start(self, app: Flask, session: ServerSession, response: Response, user_id: int) -> None:
        """A user signed in during this request: a new row under a new id (never the old cookie's)."""
        values = dict(session)
        # The CSRF token exists from the start, so concurrent first requests never race to make one.
        values.setdefault(CSRF_KEY, hashlib.sha1(os.urandom(64)).hexdigest())
        session_id = self._create(app, user_id, values, request.remote_addr)
        self._set_cookie(app, response, session_id)

    def _save_anonymous(self, app: Flask, session: ServerSession, response: Response) -> None:
        values = {key: value for key, value in session.items() if key in ANONYMOUS_KEYS}
        stale = session.session_id is not None or (session.had_cookie and not session.snapshot)
        if not values:
            if session.had_cookie:
                self._delete_cookie(app, response)
            return
        changed, removed = session.changes()
        if stale or changed or removed:
            self._set_cookie(app, response, self._signer(app).dumps(values))

    def _set_cookie(self, app: Flask, response: Response, value: str) -> None:
        # No Expires: a browser-session cookie; the server's idle and absolute timeouts decide.
        response.set_cookie(
            self.get_cookie_name(app),
            value,
            httponly=self.get_cookie_httponly(app),
            domain=self.get_cookie_domain(app),
            path=self.get_cookie_path(app),
            secure=self.get_cookie_secure(app),
            samesite=self.get_cookie_samesite(app),
            partitioned=self.get_cookie_partitioned(app),
        )
        response.vary.add("Cookie")

    def _delete_cookie(self, app: Flask, response: Response) -> None:
        response.delete_cookie(
            self.get_cookie_name(app),
            domain=self.get_cookie_domain(app),
            path=self.get_cookie_path(app),
            secure=self.get_cookie_secure(app),
            samesite=self.get_cookie_samesite(app),
            httponly=self.get_cookie_httponly(app),
            partitioned=self.get_cookie_partitioned(app),
        )
        response.vary.add("Cookie")


def init_app(app: Flask, settings) -> ServerSessionInterface:
    interface = ServerSessionInterface(
        idle=timedelta(minutes=settings.session_idle_minutes),
        max_age=timedelta(hours=settings.session_max_hours),
    )
    app.session_interface = interface
    return interface
