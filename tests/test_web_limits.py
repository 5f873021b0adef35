"""Request-body limits by route (issue 14, part B): 1 MiB for every request, large bodies only for
the intake upload of a signed-in user who may ingest, decided from the headers before the body is
read — through Flask's test client, and through a real waitress server over a raw socket."""

from __future__ import annotations

import io
import socket

import pytest
from PIL import Image
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from dossier.actor import Actor
from dossier.archive import Archive
from dossier.models import Batch
from tests.serving import running
from tests.web_fixtures import web_password

MB = 1024 * 1024
ANNOUNCED = 300 * MB
HOUSEHOLD = "A-1-0101"


class Untouchable(io.RawIOBase):
    """A request body that fails the test if anyone reads it."""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer):
        raise AssertionError("the body was read")


def png_of_about(size: int) -> bytes:
    """A PNG scan of about ``size`` bytes (noise does not compress)."""
    import random

    side = int((size / 3) ** 0.5) + 1
    rng = random.Random(14)
    image = Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3))
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=0)
    return out.getvalue()


def batches(settings) -> int:
    with Archive(settings).session() as session:
        return session.scalar(select(func.count(Batch.id)))


@pytest.fixture
def app(web_archive):
    from webapp import create_app

    app = create_app(web_archive.settings, testing=True)  # CSRF on: the size check comes first
    return app


def signed_in(app, username: str):
    from tests.web_fixtures import web_csrf_token

    client = app.test_client()
    token = web_csrf_token(client, "/login")
    response = client.post(
        "/login", data={"username": username, "password": web_password(username), "csrf_token": token}
    )
    assert response.status_code == 302
    return client


def announce(client, path: str, length: int = ANNOUNCED):
    """POST with a Content-Length of ``length`` and a body nobody may read."""
    return client.post(
        path,
        content_type="multipart/form-data; boundary=xyz",
        environ_overrides={"CONTENT_LENGTH": str(length), "wsgi.input": Untouchable()},
    )


# --- in the app (Flask's test client) ------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/login", "/intake", "/households", "/logout", "/api/v1/households", "/nowhere"]
)
def test_an_anonymous_request_announcing_300_mb_gets_413_at_once(app, path):
    response = announce(app.test_client(), path)
    assert response.status_code == 413  # and Untouchable was never read
    if not path.startswith("/api/"):
        assert "提交的内容过大" in response.get_data(as_text=True)


@pytest.mark.parametrize("username", ["staff", "auditor", "officer"])
def test_a_user_who_may_not_ingest_is_held_to_the_small_limit_even_on_the_upload(app, username):
    client = signed_in(app, username)
    assert announce(client, "/intake").status_code == 413  # before the permission check: nothing read
    assert announce(client, "/intake", 2 * MB).status_code == 413


def test_only_the_intake_upload_takes_a_large_body(app, web_archive):
    client = signed_in(app, "archivist")
    from tests.web_fixtures import web_csrf_token

    token = web_csrf_token(client, "/intake")
    scan = png_of_about(2 * MB)
    assert len(scan) > 1.5 * MB
    response = client.post(
        "/intake",
        data={
            "household": HOUSEHOLD,
            "type_code": "photo",
            "csrf_token": token,
            "files": [(io.BytesIO(scan), "big.png")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302 and batches(web_archive.settings) == 1
    # The same body anywhere else is refused from its length, before CSRF or the form is looked at.
    refused = client.post(
        "/households",
        data={"code": "B-1-0101", "csrf_token": token, "files": [(io.BytesIO(scan), "big.png")]},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 413
    assert announce(client, "/intake", ANNOUNCED).status_code != 413  # within DOSSIER_MAX_UPLOAD_MB


def test_only_an_administrator_may_send_a_large_handover_package(app):
    admin = signed_in(app, "admin")
    assert announce(admin, "/handover/import", ANNOUNCED).status_code != 413  # within DOSSIER_MAX_UPLOAD_MB
    assert announce(admin, "/handover/export", 2 * MB).status_code == 413  # only the upload route
    for username in ("archivist", "staff", "auditor"):  # archivists may ingest, not receive packages
        assert announce(signed_in(app, username), "/handover/import", 2 * MB).status_code == 413


def test_a_body_without_content_length_is_cut_off_at_the_limit(app):
    from werkzeug.test import EnvironBuilder

    body = b"username=" + b"x" * (2 * MB)
    environ = EnvironBuilder(
        path="/login",
        method="POST",
        content_type="application/x-www-form-urlencoded",
        environ_overrides={"wsgi.input": io.BytesIO(body), "wsgi.input_terminated": True},
    ).get_environ()
    del environ["CONTENT_LENGTH"]  # a chunked upload: its length is not announced
    assert app.test_client().open(environ).status_code == 413


# --- under waitress (a real server, a raw socket) -------------------------------------------------


@pytest.fixture
def site(archive):
    """The app over a fresh archive (SQLite or PostgreSQL) with an archivist and a staff user."""
    from dossier.services.households import add_household
    from dossier.services.users import add_user
    from webapp import create_app

    with archive.session() as session:
        add_user(session, Actor.console(), "archivist", "archivist", web_password("archivist"))
        add_user(session, Actor.console(), "staff", "staff", web_password("staff"))
        add_user(session, Actor.console(), "admin2", "admin", web_password("admin2"))
        add_household(session, Actor.console(), None, HOUSEHOLD, community="阳光花园", owner="王五")
    app = create_app(archive.settings, testing=True)
    app.config["WTF_CSRF_ENABLED"] = False
    return app


@pytest.fixture
def served(site):
    """``site`` served by waitress on 127.0.0.1 (a free port), as ``dossier serve`` does."""
    from webapp.serving import make_server

    with running(make_server(site, "127.0.0.1", 0, threads=2)) as port:
        yield site, port


def exchange(port: int, head: str, body: bytes = b"", timeout: float = 5.0) -> bytes:
    """Send ``head`` (and ``body``, as far as the server takes it); what the server answered."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(head.replace("\n", "\r\n").encode("latin-1") + b"\r\n")
        try:
            for start in range(0, len(body), 64 * 1024):
                sock.sendall(body[start : start + 64 * 1024])
        except OSError:
            pass  # the server answered and closed: read its answer
        data = b""
        try:
            while chunk := sock.recv(65536):
                data += chunk
                if b"\r\n\r\n" in data:  # the status line and headers are all we look at
                    break
        except (TimeoutError, ConnectionResetError):
            pass
        return data


UA = "dossier-test"  # the browser's, for Flask-Login's strong session protection


def cookie(app, username: str) -> str:
    client = app.test_client()
    response = client.post(
        "/login", data={"username": username, "password": web_password(username)}, headers={"User-Agent": UA}
    )
    assert response.status_code == 302
    return f"dossier_session={client.get_cookie('dossier_session').value}"


def test_waitress_answers_413_from_the_headers_of_an_anonymous_300_mb_request(served):
    _app, port = served
    for path in ("/login", "/intake"):
        answer = exchange(
            port,
            f"POST {path} HTTP/1.1\nHost: 127.0.0.1\nContent-Length: {ANNOUNCED}\n"
            "Content-Type: multipart/form-data; boundary=xyz\n",
        )
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def test_waitress_holds_a_user_who_may_not_ingest_to_the_small_limit(served):
    app, port = served
    answer = exchange(
        port,
        f"POST /intake HTTP/1.1\nHost: 127.0.0.1\nContent-Length: {ANNOUNCED}\n"
        f"Cookie: {cookie(app, 'staff')}\nExpect: 100-continue\n",
    )
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def test_waitress_lets_an_archivist_send_a_large_upload(served):
    app, port = served
    session_cookie = cookie(app, "archivist")
    # Announced: waitress asks for the body instead of refusing it.
    answer = exchange(
        port,
        f"POST /intake HTTP/1.1\nHost: 127.0.0.1\nContent-Length: {ANNOUNCED}\n"
        f"Cookie: {session_cookie}\nExpect: 100-continue\n",
        timeout=3,
    )
    assert answer.startswith(b"HTTP/1.1 100 Continue"), answer[:200]
    # Sent: a 2 MB scan goes all the way into a batch.
    scan = FileStorage(io.BytesIO(png_of_about(2 * MB)), filename="big.png", content_type="image/png")
    boundary, body = encode_multipart(
        MultiDict({"household": HOUSEHOLD, "type_code": "photo", "files": scan})
    )
    answer = exchange(
        port,
        f"POST /intake HTTP/1.1\nHost: 127.0.0.1\nContent-Length: {len(body)}\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\n"
        f"Cookie: {session_cookie}\nUser-Agent: {UA}\n",
        body,
    )
    assert answer.startswith(b"HTTP/1.1 302") and b"Location: /intake/batches/" in answer, answer[:300]
    assert batches(app.extensions["dossier"].settings) == 1
    # The same cookie, a large body to any other route: refused from the headers.
    answer = exchange(
        port,
        f"POST /households HTTP/1.1\nHost: 127.0.0.1\nContent-Length: {2 * MB}\nCookie: {session_cookie}\n",
    )
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def test_waitress_lets_only_an_administrator_send_a_large_handover_package(served):
    app, port = served
    head = f"POST /handover/import HTTP/1.1\nHost: 127.0.0.1\nContent-Length: {ANNOUNCED}\nExpect: 100-continue\n"
    answer = exchange(port, head + f"Cookie: {cookie(app, 'admin2')}\n", timeout=3)
    assert answer.startswith(b"HTTP/1.1 100 Continue"), answer[:200]
    answer = exchange(port, head + f"Cookie: {cookie(app, 'archivist')}\n")
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def test_waitress_cuts_off_a_chunked_body_past_the_limit(served):
    _app, port = served
    size = 3 * MB
    body = f"{size:x}\r\n".encode() + b"x" * size + b"\r\n0\r\n\r\n"
    answer = exchange(
        port,
        "POST /login HTTP/1.1\nHost: 127.0.0.1\nTransfer-Encoding: chunked\n"
        "Content-Type: application/x-www-form-urlencoded\n",
        body,
    )
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def test_waitress_still_serves_ordinary_requests(served):
    _app, port = served
    assert exchange(port, "GET /login HTTP/1.1\nHost: 127.0.0.1\n").startswith(b"HTTP/1.1 200")
    form = b"username=staff&password=" + web_password("staff").encode()
    answer = exchange(
        port,
        f"POST /login HTTP/1.1\nHost: 127.0.0.1\nContent-Length: {len(form)}\n"
        "Content-Type: application/x-www-form-urlencoded\n",
        form,
    )
    assert answer.startswith(b"HTTP/1.1 302")
