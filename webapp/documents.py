"""The document viewer: metadata, page navigation, the page preview, the OCR text with the
query's words marked, and the original for download.

Each view parses the request, calls one use case of ``dossier.services.viewing`` (which checks
``may_view``, logs a refusal and answers 404 as for a missing document, masks page text for
roles without clearance and writes the access-log entry) and renders the result. A confidential
document is shown only after the user has said why (查阅目的): the service refuses without one
(``PurposeRequired``), and the purpose is then asked once per document in a small
CSRF-protected form, kept in the user's session for that document and passed to every view
that follows (search shows such a document's snippet only then).

The viewer (``static/viewer.js``) zooms, turns and opens the page image full size, shows every
page's thumbnail and draws the query's matches on the image from the rectangles the service
found in the stored word boxes (no text reaches the browser with them). The print view prints
the page images only, under a 查阅专用 watermark naming the user and the time; opening it is
logged as a view, the print as a print when the browser starts printing (``printed``: the
print button, or the browser's own print command through ``beforeprint``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO

from flask import Blueprint, Response, flash, redirect, render_template, request, send_file, url_for
from flask import session as web_session
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as WerkzeugResponse

from dossier.models import Document, utcnow
from dossier.permissions import Permission
from dossier.services.documents import PurposeRequired, document_view
from dossier.services.viewing import (
    may_give_purpose,
    open_original,
    print_document,
    record_print,
    view_document,
    view_page_preview,
)
from retention.schedule import schedule_view
from webapp.access import requires
from webapp.context import actor, archive, db, principal
from webapp.forms import PurposeForm
from webapp.highlighting import marked_page, query_finder

bp = Blueprint("documents", __name__)

PURPOSES_KEY = "document_purposes"
MAX_REMEMBERED = 20
CHUNK = 64 * 1024
_MEDIA_TYPE = re.compile(r"^[a-z0-9][a-z0-9.+-]*/[a-z0-9][a-z0-9.+-]*$")


def _purpose(document_id: int) -> str | None:
    return (web_session.get(PURPOSES_KEY) or {}).get(str(document_id))


def purposes_given() -> set[int]:
    """The documents this session gave a purpose for (search shows their snippets)."""
    return {int(k) for k in (web_session.get(PURPOSES_KEY) or {}) if str(k).isdigit()}


def _remember_purpose(document_id: int, purpose: str) -> None:
    purposes = dict(web_session.get(PURPOSES_KEY) or {})
    purposes.pop(str(document_id), None)
    purposes[str(document_id)] = purpose
    while len(purposes) > MAX_REMEMBERED:  # the oldest go first (dicts keep order)
        purposes.pop(next(iter(purposes)))
    web_session[PURPOSES_KEY] = purposes


def _q() -> str | None:
    return (request.args.get("q") or "").strip()[:500] or None


def _page_arg() -> int:
    raw = request.args.get("page", "")
    return int(raw) if raw.isdigit() else 1


def _chunks(stream: BinaryIO) -> Iterator[bytes]:
    try:
        while True:
            data = stream.read(CHUNK)
            if not data:
                break
            yield data
    finally:
        stream.close()


def _ask_purpose(doc: Document, form: PurposeForm | None = None, status: int = 200) -> tuple[str, int]:
    form = form or PurposeForm(formdata=None, data={"page": request.args.get("page", ""), "q": _q() or ""})
    return render_template(
        "documents/purpose.html", doc=document_view(doc), household_id=doc.household_id, form=form
    ), status


def _to_purpose_form(document_id: int, page: int | None = None) -> WerkzeugResponse:
    return redirect(url_for("documents.show", document_id=document_id, page=page))


@bp.get("/documents/<int:document_id>")
@requires(Permission.SEARCH)
def show(document_id: int) -> ResponseReturnValue:
    session, q = db(), _q()
    try:
        view = view_document(
            session, actor(), document_id, _purpose(document_id), page=_page_arg(), find=query_finder(q)
        )
    except PurposeRequired as exc:
        return _ask_purpose(exc.document)
    current = view.shown[0] if view.shown else None
    text_html, marks = marked_page(current.text if current else None, current.marks if current else [])
    return render_template(
        "documents/show.html",
        doc=view.record,
        schedule=schedule_view(session, view.document),
        household_id=view.document.household_id,
        destroyed=view.destroyed,
        pages=view.pages,
        page=next((p for p in view.pages if p.number == view.number), None),
        number=view.number,
        q=q,
        text_html=text_html,
        marks=marks,
        boxes=[list(box) for box in current.boxes] if current else [],
        masked=bool(current and current.masked),
        purpose=view.purpose if view.confidential else None,
        page_url=lambda n: url_for("documents.show", document_id=document_id, page=n, q=q),
    )


@bp.get("/documents/<int:document_id>/print")
@requires(Permission.SEARCH)
def print_view(document_id: int) -> ResponseReturnValue:
    """Every page's image (no text) on one printable page, watermarked 查阅专用 with the user's
    name and the time; logged as a view (the print is logged by ``printed``)."""
    try:
        printed = print_document(db(), actor(), document_id, _purpose(document_id))
    except PurposeRequired:
        return _to_purpose_form(document_id)
    return render_template(
        "documents/print.html",
        doc=printed.record,
        pages=printed.pages,
        stamp=printed.stamp,
        purpose=printed.purpose if printed.confidential else None,
        viewer=principal().label,
        at=utcnow(),
        form=FlaskForm(formdata=None),
    )


@bp.post("/documents/<int:document_id>/printed")
@requires(Permission.SEARCH)
def printed(document_id: int) -> ResponseReturnValue:
    """Log a print of the document (the print view's script posts here when the browser starts
    printing; without the script the print button posts the form and comes back)."""
    form = FlaskForm()
    if not form.validate_on_submit():  # CSRFProtect refuses a missing token before this
        return _("请求无效，请刷新页面后重试。"), 400
    try:
        record_print(db(), actor(), document_id, _purpose(document_id))
    except PurposeRequired:
        return _to_purpose_form(document_id)
    if request.headers.get("X-Requested-With") == "fetch":
        return "", 204
    flash(_("已记入查阅登记，请用浏览器的打印功能（Ctrl+P）打印。"), "success")
    return redirect(url_for("documents.print_view", document_id=document_id))


@bp.post("/documents/<int:document_id>/purpose")
@requires(Permission.SEARCH)
def give_purpose(document_id: int) -> ResponseReturnValue:
    doc = may_give_purpose(db(), actor(), document_id)
    form = PurposeForm()
    if not form.validate_on_submit():
        return _ask_purpose(doc, form, 400)
    _remember_purpose(doc.id, form.purpose.data)
    page = form.page.data if (form.page.data or "").isdigit() else None
    q = (form.q.data or "").strip()[:500] or None
    return redirect(url_for("documents.show", document_id=doc.id, page=page, q=q))


@bp.get("/documents/<int:document_id>/pages/<int:number>/preview")
@requires(Permission.SEARCH)
def preview(document_id: int, number: int) -> ResponseReturnValue:
    try:
        shown = view_page_preview(archive(), db(), actor(), document_id, number, _purpose(document_id))
    except PurposeRequired:
        return _to_purpose_form(document_id, number)
    response = Response(_chunks(shown.stream), mimetype=shown.media_type, direct_passthrough=True)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/documents/<int:document_id>/original")
@requires(Permission.SEARCH)
def original(document_id: int) -> ResponseReturnValue:
    try:
        file = open_original(archive(), db(), actor(), document_id, _purpose(document_id))
    except PurposeRequired:
        return _to_purpose_form(document_id)
    media_type = (file.media_type or "").lower()
    response = send_file(
        file.stream,
        mimetype=media_type if _MEDIA_TYPE.match(media_type) else "application/octet-stream",
        as_attachment=True,
        download_name=file.name,
        conditional=False,
        etag=False,
        max_age=0,
    )
    if file.size is not None:
        response.content_length = file.size
    response.headers["Cache-Control"] = "private, no-store"
    return response
