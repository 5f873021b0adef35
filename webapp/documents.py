"""The document viewer: metadata, page navigation, the page preview, the OCR text with the
query's words marked, and the original for download.

Every view checks ``may_view`` through ``dossier.services.documents.require_view`` (which logs a
refusal and answers 404, as for a missing document). A confidential document is shown only after
the user has said why (查阅目的): the purpose is asked once per document in a small
CSRF-protected form, kept in the user's session for that document, and written into every
access-log entry of the views that follow (search shows such a document's snippet only then).
Page text is shown with personal numbers masked for roles without clearance (``text_mask``).
"""

from __future__ import annotations

import json
import re
from typing import BinaryIO, Iterator

from flask import Blueprint, Response, redirect, render_template, request, send_file, session as web_session, url_for
from sqlalchemy import select

from dossier import pagetext
from dossier.errors import NotFound
from dossier.models import Confidentiality, DocumentStatus, Page
from dossier.permissions import Permission
from dossier.services.access import record_access
from dossier.services.documents import (
    document_view,
    download_name,
    get_document,
    open_original,
    require_view,
    shown_text,
    text_mask,
    wrapped_key_for,
)
from webapp.access import requires
from webapp.context import actor, archive, db
from webapp.forms import PurposeForm
from retention.schedule import schedule_view
from webapp.highlighting import highlight_page

bp = Blueprint("documents", __name__)

PURPOSES_KEY = "document_purposes"
MAX_REMEMBERED = 20
CHUNK = 64 * 1024
_MEDIA_TYPE = re.compile(r"^[a-z0-9][a-z0-9.+-]*/[a-z0-9][a-z0-9.+-]*$")


def _is_confidential(doc) -> bool:
    return doc.confidentiality == Confidentiality.CONFIDENTIAL.value


def _purpose(document_id: int) -> str | None:
    return (web_session.get(PURPOSES_KEY) or {}).get(str(document_id))


def purposes_given() -> set[int]:
    """The documents this session gave a purpose for (search shows their snippets)."""
    return {int(k) for k in (web_session.get(PURPOSES_KEY) or {}) if str(k).isdigit()}


def _remember_purpose(document_id: int, purpose: str) -> None:
    purposes = dict(web_session.get(PURPOSES_KEY) or {})
    purposes.pop(str(document_id), None)
    purposes[str(document_id)] = purpose
    while len(purposes) > MAX_REMEMBERED:            # the oldest go first (dicts keep order)
        purposes.pop(next(iter(purposes)))
    web_session[PURPOSES_KEY] = purposes


def _detail(**values) -> str:
    return json.dumps({k: v for k, v in values.items() if v is not None}, ensure_ascii=False)


def _q() -> str | None:
    return (request.args.get("q") or "").strip()[:500] or None


def _page_arg(count: int) -> int:
    raw = request.args.get("page", "")
    number = int(raw) if raw.isdigit() else 1
    return max(1, min(number, count)) if count else 1


def _pages(session, document_id: int) -> list[Page]:
    return list(session.scalars(select(Page).where(Page.document_id == document_id).order_by(Page.number)))


def _chunks(stream: BinaryIO) -> Iterator[bytes]:
    try:
        while True:
            data = stream.read(CHUNK)
            if not data:
                break
            yield data
    finally:
        stream.close()


def _ask_purpose(doc, form: PurposeForm | None = None, status: int = 200):
    form = form or PurposeForm(formdata=None, data={"page": request.args.get("page", ""), "q": _q() or ""})
    return render_template("documents/purpose.html", doc=document_view(doc),
                           household_id=doc.household_id, form=form), status


def _viewable(document_id: int, action: str, page: int | None = None):
    """The document if the user may see it (a refusal is logged), the purpose given for it, and
    a redirect to the purpose form when it is confidential and no purpose was given yet."""
    doc = get_document(db(), document_id)
    require_view(db(), actor(), doc, action)
    purpose = _purpose(doc.id) if _is_confidential(doc) else None
    ask = None
    if _is_confidential(doc) and not purpose:
        ask = redirect(url_for("documents.show", document_id=doc.id, page=page))
    return doc, purpose, ask


@bp.get("/documents/<int:document_id>")
@requires(Permission.SEARCH)
def show(document_id: int):
    session, who = db(), actor()
    doc = get_document(session, document_id)
    require_view(session, who, doc, "document.view")
    purpose = _purpose(doc.id) if _is_confidential(doc) else None
    if _is_confidential(doc) and not purpose:
        return _ask_purpose(doc)
    destroyed = doc.status == DocumentStatus.DESTROYED.value
    pages = [] if destroyed else _pages(session, doc.id)
    number = _page_arg(len(pages))
    current = next((p for p in pages if p.number == number), None)
    q = _q()
    raw, mask = pagetext.page_text(session, current) if current else None, text_mask(who)
    text_html, marks = highlight_page(raw, q, mask)
    record_access(session, who, "document.view", household_id=doc.household_id, document_id=doc.id,
                  detail=_detail(page=number if current else None, purpose=purpose))
    return render_template(
        "documents/show.html",
        doc=document_view(doc),
        schedule=schedule_view(session, doc),
        household_id=doc.household_id,
        destroyed=destroyed,
        pages=pages,
        page=current,
        number=number,
        q=q,
        text_html=text_html,
        marks=marks,
        masked=bool(raw and mask and mask(raw) != raw),
        purpose=purpose,
        page_url=lambda n: url_for("documents.show", document_id=doc.id, page=n, q=q),
    )


@bp.get("/documents/<int:document_id>/print")
@requires(Permission.SEARCH)
def print_view(document_id: int):
    """Every page's preview and text on one printable page; the print is recorded."""
    session, who = db(), actor()
    doc, purpose, ask = _viewable(document_id, "document.print")
    if ask:
        return ask
    if doc.status == DocumentStatus.DESTROYED.value:
        raise NotFound(f"document {doc.id} has been destroyed")
    record_access(session, who, "document.print", household_id=doc.household_id, document_id=doc.id,
                  detail=_detail(purpose=purpose) if purpose else None)
    pages = [{"number": p.number, "preview_key": p.preview_key, "text": shown_text(who, pagetext.page_text(session, p))}
             for p in _pages(session, doc.id)]
    return render_template("documents/print.html", doc=document_view(doc), pages=pages, purpose=purpose)


@bp.post("/documents/<int:document_id>/purpose")
@requires(Permission.SEARCH)
def give_purpose(document_id: int):
    session, who = db(), actor()
    doc = get_document(session, document_id)
    require_view(session, who, doc, "document.view")
    form = PurposeForm()
    if not form.validate_on_submit():
        return _ask_purpose(doc, form, 400)
    _remember_purpose(doc.id, form.purpose.data)
    page = form.page.data if (form.page.data or "").isdigit() else None
    q = (form.q.data or "").strip()[:500] or None
    return redirect(url_for("documents.show", document_id=doc.id, page=page, q=q))


@bp.get("/documents/<int:document_id>/pages/<int:number>/preview")
@requires(Permission.SEARCH)
def preview(document_id: int, number: int):
    session, who = db(), actor()
    doc, purpose, ask = _viewable(document_id, "page.view", number)
    if ask:
        return ask
    if doc.status == DocumentStatus.DESTROYED.value:
        raise NotFound(f"document {doc.id} has been destroyed")
    page = session.scalar(select(Page).where(Page.document_id == doc.id, Page.number == number))
    if page is None or not page.preview_key:
        raise NotFound(f"document {doc.id} has no preview of page {number}")
    stream = archive().vault.open(page.preview_key, wrapped_key_for(session, page.preview_key))
    record_access(session, who, "page.view", household_id=doc.household_id, document_id=doc.id,
                  detail=_detail(page=number, purpose=purpose))
    response = Response(_chunks(stream), mimetype="image/webp", direct_passthrough=True)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/documents/<int:document_id>/original")
@requires(Permission.SEARCH)
def original(document_id: int):
    session, who = db(), actor()
    doc, purpose, ask = _viewable(document_id, "document.download")
    if ask:
        return ask
    stream = open_original(archive(), session, who, doc, purpose=purpose)
    media_type = (doc.media_type or "").lower()
    response = send_file(stream, mimetype=media_type if _MEDIA_TYPE.match(media_type) else "application/octet-stream",
                         as_attachment=True, download_name=download_name(doc), conditional=False, etag=False,
                         max_age=0)
    if doc.size is not None:
        response.content_length = doc.size
    response.headers["Cache-Control"] = "private, no-store"
    return response
