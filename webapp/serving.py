"""The web app on waitress, with each request's body limit decided from its headers.

waitress reads a whole body before the app is called, so its request parser here asks the app
(``webapp.security.body_limit_for_headers``) once the headers are in: a request announcing more
gets waitress's 413 and the connection is closed; a chunked body is cut off once past the limit.
The only module reaching into waitress's internals (``HTTPChannel.parser_class``,
``HTTPRequestParser.parse_header``, the parser's ``adj``): waitress is pinned to 3.0.x and
``tests/test_web_limits.py`` drives a server. Why: docs/decisions/012-request-body-limits-from-headers.md.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import BaseWSGIServer, create_server

from webapp.security import SMALL_BODY_BYTES, body_limit_for_headers, upload_limit

logger = logging.getLogger(__name__)

# decide(method, path, cookie header) -> the largest body this request may carry, in bytes
Decide = Callable[[str, str, "str | None"], int]


class _RequestAdjustments:
    """waitress's settings for one request: the server's, with this request's body limit."""

    def __init__(self, adj, max_request_body_size: int):
        self._adj = adj
        self.max_request_body_size = max_request_body_size

    def __getattr__(self, name):
        return getattr(self._adj, name)


def channel_class(decide: Decide) -> type[HTTPChannel]:
    """An HTTPChannel whose parser applies ``decide``'s limit to each request."""

    class LimitedParser(HTTPRequestParser):
        def parse_header(self, header_plus):
            super().parse_header(header_plus)
            ceiling = self.adj.max_request_body_size
            if not self.chunked and self.content_length <= SMALL_BODY_BYTES:
                return  # small enough for any route: no look-up
            try:
                limit = decide(self.command or "", self.path or "/", self.headers.get("COOKIE"))
            except Exception:  # a failed look-up must not let a large body in
                logger.exception("deciding the body limit of %s %s failed", self.command, self.path)
                limit = SMALL_BODY_BYTES
            # waitress refuses a body of max_request_body_size bytes or more; the app, more than limit.
            self.adj = _RequestAdjustments(self.adj, min(ceiling, limit + 1))
            if not self.chunked and self.content_length > limit:
                self.expect_continue = False  # 413 only, not "100 Continue" first

    class LimitedChannel(HTTPChannel):
        parser_class = LimitedParser

    return LimitedChannel


def make_server(app: Flask, host: str = "127.0.0.1", port: int = 8000, threads: int = 8):
    """A waitress server for ``app`` (not yet running: call ``run()``; ``port=0`` picks one)."""

    def decide(method: str, path: str, cookie: str | None) -> int:
        with app.app_context():
            return body_limit_for_headers(app, method, path, cookie)

    sockets: dict = {}
    server = create_server(
        app,
        map=sockets,
        host=host,
        port=port,
        threads=threads,
        ident="dossier",
        max_request_body_size=upload_limit(app) + 1,
    )
    limited = channel_class(decide)
    for dispatcher in list(sockets.values()):
        if isinstance(dispatcher, BaseWSGIServer):
            dispatcher.channel_class = limited
    return server


def serve(app: Flask, host: str, port: int, threads: int) -> None:
    logging.basicConfig()  # as waitress.serve does: its warnings reach stderr
    make_server(app, host, port, threads).run()
