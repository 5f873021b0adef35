"""Security headers on every response, request-body limits by route, and the sign-in throttle.

Body limits: at most ``SMALL_BODY_BYTES`` (1 MiB) per request; only the intake upload of a
signed-in user who may ingest, and the handover package upload of an administrator, may carry up
to ``DOSSIER_MAX_UPLOAD_MB`` (``UPLOAD_ENDPOINTS``). Decided from the headers
in the first ``before_request`` (before CSRFProtect's), and before waitress reads the body
(``webapp.serving``). Sign-in throttle: attempts are rows of ``login_attempts`` (counts hold
across processes and restarts), the name typed kept only as a keyed hash; see ``LoginThrottle``
for the limits. Why: docs/decisions/012-request-body-limits-from-headers.md.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import time
from datetime import UTC, datetime, timedelta

from flask import Flask, current_app, request
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from werkzeug.exceptions import MethodNotAllowed, NotFound, RequestEntityTooLarge
from werkzeug.http import parse_cookie
from werkzeug.routing import RequestRedirect

from dossier.fieldcrypt import derive_key
from dossier.models import LoginAttempt, User, utcnow
from dossier.permissions import Permission, can
from webapp.context import principal
from webapp.sessions import EXPIRED, USER_KEY, ServerSessionInterface, user_id_of

SMALL_BODY_BYTES = 1024 * 1024  # any request but an authorised upload
# The routes that take large uploads, each with the permission its sender needs.
UPLOAD_ENDPOINTS: dict[str, Permission] = {
    "intake.upload": Permission.MANAGE_RECORDS,
    "handover.import_package": Permission.ADMIN,  # a handover package (ZIP) to receive
}
UPLOAD_LIMIT_KEY = "MAX_CONTENT_LENGTH"  # the app's config: DOSSIER_MAX_UPLOAD_MB in bytes

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def init_app(app: Flask) -> None:
    # Registered before CSRFProtect's check (create_app calls this first): size before parsing.
    @app.before_request
    def _limit_body():
        limit = request_body_limit()
        request.max_content_length = limit
        if request.content_length is not None and request.content_length > limit:
            raise RequestEntityTooLarge()

    @app.after_request
    def _headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.endpoint != "static":
            # Pages show personal data: keep them out of browser and proxy caches (a view that
            # already said "private, no-store", such as a page preview, keeps its header).
            if "no-store" not in (headers.get("Cache-Control") or ""):
                headers["Cache-Control"] = "no-store"
            headers["Pragma"] = "no-cache"
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response


# --- request-body limits --------------------------------------------------------------------------


def upload_limit(app: Flask) -> int:
    return int(app.config[UPLOAD_LIMIT_KEY])


def _may_upload(endpoint: str | None, user) -> bool:
    permission = UPLOAD_ENDPOINTS.get(endpoint or "")
    return permission is not None and user is not None and can(user, permission)


def request_body_limit() -> int:
    """The largest body this request may carry (in a request, before its body is read)."""
    if request.endpoint in UPLOAD_ENDPOINTS and _may_upload(request.endpoint, principal()):
        return upload_limit(current_app)
    return SMALL_BODY_BYTES


def body_limit_for_headers(app: Flask, method: str, path: str, cookie_header: str | None) -> int:
    """The same decision as ``request_body_limit``, for a server that has only read the headers
    (``webapp.serving``): large only for an upload route and a live session of a user who holds
    that route's permission. The app checks again, with Flask-Login's own checks, before the body is parsed."""
    try:
        endpoint, _args = app.url_map.bind("localhost").match(path, method=method)
    except (NotFound, MethodNotAllowed, RequestRedirect):
        return SMALL_BODY_BYTES
    if endpoint not in UPLOAD_ENDPOINTS or not cookie_header:
        return SMALL_BODY_BYTES
    cookie = parse_cookie(cookie_header).get(app.config["SESSION_COOKIE_NAME"]) or ""
    interface = app.session_interface
    assert isinstance(interface, ServerSessionInterface)  # webapp.sessions installs it
    row = interface.live_row(app, cookie)
    if row is None or row is EXPIRED or user_id_of(row.values.get(USER_KEY)) != row.user_id:
        return SMALL_BODY_BYTES
    db = app.extensions["dossier"].new_session()
    try:
        user = db.get(User, row.user_id)
        return upload_limit(app) if _may_upload(endpoint, user) else SMALL_BODY_BYTES
    finally:
        db.close()


# --- the sign-in throttle ---------------------------------------------------------------------------


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _seconds(delta: timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds()))


class LoginThrottle:
    """Sign-in attempts, counted in the catalog by client address and by name typed.

    Refused for a while (the login page answers 429 and the password is not even checked):

    - one name from one address: after ``PAIR_LIMIT`` failures within ``WINDOW`` since that name
      last signed in there (guessing one account from one place);
    - one address, whatever the names: after ``ADDRESS_LIMIT`` failures within ``WINDOW``, or
      ``ADDRESS_DAY_LIMIT`` within a day (password spraying: 30 names from one address are
      stopped after the 10th failure);
    - one name from anywhere: after ``NAME_LIMIT`` failures within ``WINDOW`` each further try
      waits ``NAME_DELAY`` after the last failure (guessing spread over many addresses) — except
      from an address where that name signed in successfully within ``KNOWN_ADDRESS_DAYS``.

    Locking a real account out is therefore short and local: whoever fails from one address locks
    that address out for at most 15 minutes (a day only after 50 failures), never the account;
    the account-wide rule is a delay of one minute, and does not apply where the user signs in
    usually. A throttled attempt is not counted (it cannot prolong its own lock). Requests racing
    in the same instant may each pass the check once: the limits are approximate by the number of
    server threads. Failures are kept a day, successes ``KNOWN_ADDRESS_DAYS`` days.
    """

    WINDOW = timedelta(minutes=15)
    DAY = timedelta(days=1)
    PAIR_LIMIT = 5
    ADDRESS_LIMIT = 10
    ADDRESS_DAY_LIMIT = 50
    NAME_LIMIT = 10
    NAME_DELAY = timedelta(minutes=1)
    KNOWN_ADDRESS_DAYS = 30
    SWEEP_EVERY = 600.0  # seconds between deletions of rows nobody needs any more

    def __init__(self, key: bytes):
        self._key = key
        self._last_sweep = 0.0

    @classmethod
    def for_archive(cls, archive) -> LoginThrottle:
        master = base64.b64decode(archive.master_key.to_b64())
        return cls(derive_key(master, b"dossier login names v1"))

    # --- names and addresses -----------------------------------------------------------------------
    def name_key(self, username: str | None) -> str:
        """The keyed hash a typed name is stored as (64 hex digits); never the name itself."""
        normalised = (username or "").strip().lower()[:256]
        return hmac.new(self._key, normalised.encode("utf-8"), hashlib.sha256).hexdigest()

    def label(self, username: str | None) -> str:
        """A short keyed hash for the access log, for a name that is not a user's."""
        return "#" + self.name_key(username)[:12]

    @staticmethod
    def _address(address: str | None) -> str:
        return (address or "unknown")[:64]

    # --- the rules ---------------------------------------------------------------------------------
    def _wait(self, session: Session, now: datetime, window: timedelta, limit: int, *where) -> int:
        """Seconds until fewer than ``limit`` failures matching ``where`` fall within ``window``."""
        nth = session.scalar(
            select(LoginAttempt.at)
            .where(LoginAttempt.ok.is_(False), LoginAttempt.at > now - window, *where)
            .order_by(LoginAttempt.at.desc())
            .offset(limit - 1)
            .limit(1)
        )
        if nth is None:
            return 0
        left = _aware(nth) + window - now
        return _seconds(left) if left.total_seconds() > 0 else 0

    def _last_success(self, session: Session, name: str, address: str, since: datetime) -> datetime | None:
        last = session.scalar(
            select(func.max(LoginAttempt.at)).where(
                LoginAttempt.ok.is_(True),
                LoginAttempt.name_key == name,
                LoginAttempt.client_addr == address,
                LoginAttempt.at > since,
            )
        )
        return _aware(last) if last is not None else None

    def retry_after(
        self, session: Session, username: str | None, address: str | None, now: datetime | None = None
    ) -> int:
        """Seconds before this name may try again from this address (0: it may try now)."""
        now = now or utcnow()
        name, addr = self.name_key(username), self._address(address)
        pair = [LoginAttempt.name_key == name, LoginAttempt.client_addr == addr]
        signed_in = self._last_success(session, name, addr, now - timedelta(days=self.KNOWN_ADDRESS_DAYS))
        if signed_in is not None:
            pair.append(LoginAttempt.at > signed_in)
        waits = [
            self._wait(session, now, self.WINDOW, self.PAIR_LIMIT, *pair),
            self._wait(session, now, self.WINDOW, self.ADDRESS_LIMIT, LoginAttempt.client_addr == addr),
            self._wait(session, now, self.DAY, self.ADDRESS_DAY_LIMIT, LoginAttempt.client_addr == addr),
        ]
        if signed_in is None:
            row = session.execute(
                select(func.count(), func.max(LoginAttempt.at)).where(
                    LoginAttempt.ok.is_(False),
                    LoginAttempt.name_key == name,
                    LoginAttempt.at > now - self.WINDOW,
                )
            ).one()
            failures, last = row
            if failures >= self.NAME_LIMIT and last is not None:
                left = _aware(last) + self.NAME_DELAY - now
                if left.total_seconds() > 0:
                    waits.append(_seconds(left))
        return max(waits)

    def failed(self, session: Session, username: str | None, address: str | None) -> None:
        self._record(session, username, address, ok=False)

    def succeeded(self, session: Session, username: str | None, address: str | None) -> None:
        self._record(session, username, address, ok=True)

    def _record(self, session: Session, username: str | None, address: str | None, *, ok: bool) -> None:
        now = utcnow()
        session.add(
            LoginAttempt(at=now, name_key=self.name_key(username), client_addr=self._address(address), ok=ok)
        )
        if time.monotonic() - self._last_sweep >= self.SWEEP_EVERY:
            self._last_sweep = time.monotonic()
            self.sweep(session, now)

    def sweep(self, session: Session, now: datetime | None = None) -> None:
        """Delete attempts no rule looks at any more."""
        now = now or utcnow()
        session.execute(
            delete(LoginAttempt).where(LoginAttempt.ok.is_(False), LoginAttempt.at <= now - self.DAY)
        )
        session.execute(
            delete(LoginAttempt).where(
                LoginAttempt.ok.is_(True), LoginAttempt.at <= now - timedelta(days=self.KNOWN_ADDRESS_DAYS)
            )
        )
