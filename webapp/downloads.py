"""Downloads named in Chinese: ``Content-Disposition`` with the Chinese file name (RFC 5987
``filename*``) and an ASCII name beside it for clients that read only that one."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response


def attachment(name: str, fallback: str) -> str:
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"


def download(data: bytes | str, mimetype: str, name: str, fallback: str) -> Response:
    """``data`` as a private download named ``name`` (``fallback`` in ASCII)."""
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = attachment(name, fallback)
    response.headers["Cache-Control"] = "private, no-store"
    return response
