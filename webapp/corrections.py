"""Correcting what was filed wrongly, on the document page: the 更正 form (archivists and admins),
the change history (修改记录), the holds on the document and where its paper original is kept.

The POST views parse a form, call one service (``correct_document``, ``set_paper_location``)
and go back to the document. A correction is committed before search is told (the index reads
the committed catalog). ``record_panels``, a template global, gives the document page's panels
what they show; the API's PATCH reads its body with ``correction_from_json``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from dossier.catalog import text
from dossier.dates import parse_date
from dossier.errors import InvalidInput
from dossier.models import Confidentiality, Document, DocumentStatus
from dossier.permissions import Permission, can
from dossier.services.corrections import (
    DEFAULT_CLASS,
    Correction,
    change_history,
    correct_document,
)
from dossier.services.disposal import list_classes
from dossier.services.documents import CONFIDENTIALITY_NAMES_ZH, get_document
from dossier.services.folders import list_document_types
from paper.loans import PaperLocation, location_of, open_loan, set_paper_location
from retention.holds import active_holds_for, hold_view
from webapp.access import requires
from webapp.context import actor, db, reindex_after_commit
from webapp.forms import CorrectionForm, PaperLocationForm, choice

bp = Blueprint("corrections", __name__)

# PATCH /api/v1/documents/ID: field → accepted JSON type.
JSON_FIELDS: dict[str, type] = {
    "title": str,
    "type": str,
    "date": str,
    "confidential": bool,
    "retention": str,
    "household": str,
    "community": str,
    "reason": str,
}


def _back(document_id: int, anchor: str) -> Response:
    return redirect(url_for("documents.show", document_id=document_id) + f"#{anchor}")


def correction_form(doc: Document, **kwargs: Any) -> CorrectionForm:
    session = db()
    if "formdata" in kwargs and kwargs["formdata"] is None:
        kwargs["data"] = {
            "title": doc.title,
            "type_code": doc.type_code,
            "document_date": doc.document_date.isoformat() if doc.document_date else None,
            "confidential": str(doc.confidentiality),
            "retention_class": doc.retention_class or DEFAULT_CLASS,
            "household": doc.household.code,
        }
    return CorrectionForm(
        type_choices=[choice(t.code, t.name) for t in list_document_types(session)],
        class_choices=[choice(DEFAULT_CLASS, _("按文件类型默认"))]
        + [choice(c.code, f"{c.code} {c.name}") for c in list_classes(session)],
        levels=[choice(str(v), CONFIDENTIALITY_NAMES_ZH[v]) for v in Confidentiality],
        **kwargs,
    )


def _asked(form: CorrectionForm, doc: Document) -> Correction:
    """What the form asks to change: only the fields that differ from the record."""
    date_ = parse_date(form.document_date.data, _("文件日期"))
    retention = form.retention_class.data
    code, community = form.household.data, form.community.data
    moved = code != doc.household.code or (
        community is not None and community != doc.household.community.name
    )
    return Correction(
        reason=form.reason.data or "",
        title=form.title.data if form.title.data != doc.title else None,
        type_code=form.type_code.data if form.type_code.data != doc.type_code else None,
        document_date=date_ if date_ is not None and date_ != doc.document_date else None,
        confidential=(form.confidential.data == Confidentiality.CONFIDENTIAL)
        if form.confidential.data != doc.confidentiality
        else None,
        retention_class=retention if retention != (doc.retention_class or DEFAULT_CLASS) else None,
        household=code if moved else None,
        community=community if moved else None,
    )


def _flash_errors(form) -> None:
    for errors in form.errors.values():
        for message in errors:
            flash(_("输入有误：%(m)s", m=message), "error")


@bp.post("/documents/<int:document_id>/correct")
@requires(Permission.MANAGE_RECORDS)
def correct(document_id: int) -> Response:
    doc = get_document(db(), document_id)
    form = correction_form(doc)
    if not form.validate_on_submit():
        _flash_errors(form)
        return _back(document_id, "correction")
    correct_document(db(), actor(), document_id, _asked(form, doc))
    reindex_after_commit([document_id])
    flash(_("已更正文件著录信息，修改记录已签名保存。"), "success")
    return _back(document_id, "history")


@bp.post("/documents/<int:document_id>/paper-location")
@requires(Permission.MANAGE_RECORDS)
def paper_location(document_id: int) -> Response:
    form = PaperLocationForm()
    if not form.validate_on_submit():
        _flash_errors(form)
        return _back(document_id, "paper")
    location = PaperLocation(form.cabinet.data, form.box.data, form.position.data)
    set_paper_location(db(), actor(), document_id, location)
    flash(
        _("已保存纸质原件存放位置。") if location.kept else _("已记录：此文件没有纸质原件在库。"), "success"
    )
    return _back(document_id, "paper")


def record_panels(document_id: int) -> dict[str, Any]:
    """What the document page shows beside the viewer (the page has already checked and logged
    the view; ``change_history`` checks again that the user may see the document)."""
    session, who = db(), actor()
    entries = change_history(session, who, document_id)
    doc = get_document(session, document_id)
    holds = [hold_view(h) for h in active_holds_for(session, doc)]
    editable = can(who, Permission.MANAGE_RECORDS) and doc.status != DocumentStatus.DESTROYED
    paper = location_of(doc)
    return {
        "history": entries,
        "holds": holds,
        "paper": paper,
        "on_loan": open_loan(session, doc.id) is not None,
        "correction_form": correction_form(doc, formdata=None) if editable else None,
        "paper_form": PaperLocationForm(formdata=None, data=paper or {}) if editable else None,
    }


@bp.app_context_processor
def _template_globals() -> dict[str, Any]:
    return {"record_panels": record_panels}


def correction_from_json(body: Any) -> Correction:
    """The correction a PATCH body asks for (fields as ``JSON_FIELDS``; ``reason`` required)."""
    if not isinstance(body, dict):
        raise InvalidInput("api.body_not_object")
    unknown = sorted(set(body) - JSON_FIELDS.keys())
    if unknown:
        raise InvalidInput(
            "correction.unknown_fields", fields=", ".join(unknown), known=", ".join(JSON_FIELDS)
        )
    for name, value in body.items():
        kind = JSON_FIELDS[name]
        if value is not None and (
            not isinstance(value, kind) or (kind is not bool and isinstance(value, bool))
        ):
            raise InvalidInput(
                "api.wrong_type",
                name=name,
                expected=text("api.kind_boolean" if kind is bool else "api.kind_string"),
            )
    if not (body.get("reason") or "").strip():
        raise InvalidInput("correction.reason_field_required")
    if all(body.get(name) is None for name in JSON_FIELDS if name not in ("reason", "community")):
        raise InvalidInput("correction.nothing_asked")
    return Correction(
        reason=body["reason"],
        title=body.get("title"),
        type_code=body.get("type"),
        document_date=parse_date(body.get("date"), "date"),
        confidential=body.get("confidential"),
        retention_class=body.get("retention"),
        household=body.get("household"),
        community=body.get("community"),
    )
