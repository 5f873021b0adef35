"""Security headers on every response, and the failed-login throttle."""

from __future__ import annotations

import threading
import time
from collections import deque

from flask import Flask, request

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def init_app(app: Flask) -> None:
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


class LoginThrottle:
    """Failed logins per (username, client address), kept in memory.

    After ``limit`` failures within ``window`` seconds that pair is refused until the oldest
    failure ages out. In memory means per process: a restart forgets, and several waitress
    processes count separately (waitress is one process with threads, so one counter).
    """

    def __init__(self, limit: int = 5, window: float = 15 * 60, max_keys: int = 10_000):
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _key(username: str, address: str | None) -> tuple[str, str]:
        return ((username or "").strip().lower()[:64], address or "-")

    def _prune(self, entries: deque[float], now: float) -> None:
        while entries and now - entries[0] > self.window:
            entries.popleft()

    def retry_after(self, username: str, address: str | None) -> int:
        """Seconds until this pair may try again (0 when it may try now)."""
        now = time.monotonic()
        with self._lock:
            entries = self._failures.get(self._key(username, address))
            if not entries:
                return 0
            self._prune(entries, now)
            if len(entries) < self.limit:
                return 0
            return max(1, int(self.window - (now - entries[0])) + 1)

    def failed(self, username: str, address: str | None) -> None:
        now = time.monotonic()
        with self._lock:
            if len(self._failures) >= self.max_keys:
                for key in [k for k, v in self._failures.items() if not v or now - v[-1] > self.window]:
                    del self._failures[key]
                if len(self._failures) >= self.max_keys:
                    self._failures.pop(next(iter(self._failures)))
            entries = self._failures.setdefault(self._key(username, address), deque())
            self._prune(entries, now)
            entries.append(now)

    def succeeded(self, username: str, address: str | None) -> None:
        with self._lock:
            self._failures.pop(self._key(username, address), None)
