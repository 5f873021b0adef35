"""JSON API (``/api/v1``), authenticated by ``Authorization: Bearer <token>`` only.

Session cookies are ignored here (so the API needs no CSRF token and a forged cross-site
request carries no credentials). Errors answer with the matching status and
``{"code": "document.not_found", "error": "there is no document 999", "error_zh": "没有编号为 999 的文件。"}``:
the message's stable code (``dossier.catalog``), its English text and its Chinese text
(``webapp.errors.api_error``). A document the caller may not see answers exactly like a missing one (404).
"""

from __future__ import annotations

from typing import Any, overload

from flask import Blueprint, Response, g, jsonify, request, url_for

from dossier.catalog import Text, text
from dossier.dates import parse_date
from dossier.errors import InvalidInput
from dossier.permissions import Permission
from dossier.services.corrections import correct_document
from dossier.services.documents import document_view, get_document
from dossier.services.folders import catalog_view, completeness_by_household, folder_view
from dossier.services.history import history_of
from dossier.services.households import (
    HouseholdFilter,
    add_household,
    get_household_by_id,
    household_view,
    list_households,
)
from dossier.services.users import user_for_token
from dossier.services.viewing import view_document
from retention.schedule import set_household_close_date
from search.service import MAX_LIMIT, SearchFilters, search_documents
from search.writer import open_engine
from webapp.access import requires
from webapp.context import WebUser, actor, archive, db, reindex_after_commit
from webapp.corrections import correction_from_json

bp = Blueprint("api", __name__, url_prefix="/api/v1")

MAX_BODY = 64 * 1024


def _limit_body() -> None:
    """Refuse a JSON body over ``MAX_BODY`` before it is parsed."""
    if (request.content_length or 0) > MAX_BODY:
        raise InvalidInput("api.body_too_large", kib=MAX_BODY // 1024)


# JSON body of POST /api/v1/households: field → accepted JSON types (null is always accepted).
CREATE_FIELDS: dict[str, tuple[type, ...]] = {
    "code": (str,),
    "community": (str,),
    "use": (str,),
    "building": (str,),
    "unit": (str,),
    "floor": (int,),
    "room": (str,),
    "area": (str, int, float),
    "archive_no": (str,),
    "owner": (str,),
    "phone": (str,),
    "id_number": (str,),
}


# What a field of CREATE_FIELDS must be, in words (a message).
_KIND_WORDS: dict[tuple[type, ...], Text] = {
    (str,): text("api.kind_string"),
    (int,): text("api.kind_integer"),
    (str, int, float): text("api.kind_string_or_number"),
}


@bp.before_request
def _authenticate() -> None:
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() == "bearer" and token:
        user = user_for_token(db(), token)
        if user is not None:
            g._dossier_api_user = WebUser(user)


@overload
def _int_arg(name: str, default: int, low: int, high: int) -> int: ...
@overload
def _int_arg(name: str, default: None, low: int, high: int) -> int | None: ...


def _int_arg(name: str, default: int | None, low: int, high: int) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidInput("api.not_an_integer", name=name) from None
    if not low <= value <= high:
        raise InvalidInput("api.out_of_range", name=name, low=low, high=high)
    return value


def _str_arg(name: str) -> str | None:
    value = (request.args.get(name) or "").strip()
    return value or None


@bp.get("/households")
@requires(Permission.SEARCH)
def households() -> Response:
    session, who = db(), actor()
    flt = HouseholdFilter(
        community=_str_arg("community"),
        building=_str_arg("building"),
        floor=_int_arg("floor", None, -1000, 1000),
        use=_str_arg("use"),
        status=_str_arg("status"),
        owner=_str_arg("owner"),
        q=_str_arg("q"),
        limit=_int_arg("limit", 50, 1, 500),
        offset=_int_arg("offset", 0, 0, 10_000_000),
    )
    total, rows = list_households(session, who, flt)
    completeness = completeness_by_household(session, who, [h.id for h in rows])
    items = []
    for row in rows:
        item = household_view(row, who, with_parties=False)
        item["completeness"] = completeness.get(row.id)
        items.append(item)
    return jsonify(total=total, limit=flt.limit, offset=flt.offset, households=items)


@bp.get("/households/<int:household_id>")
@requires(Permission.SEARCH)
def household(household_id: int) -> Response:
    session, who = db(), actor()
    row = get_household_by_id(session, household_id)
    view, documents, catalog = folder_view(archive(), session, who, row)
    view["documents"] = [document_view(d) for d in documents]
    view["catalog"] = catalog_view(catalog)
    return jsonify(view)


@bp.get("/documents/<int:document_id>")
@requires(Permission.SEARCH)
def document(document_id: int) -> Response:
    """A document's record, its pages' text (personal numbers masked without clearance) and its
    signed history; a confidential one needs ``?purpose=...``. One the caller may not see answers 404."""
    view = view_document(db(), actor(), document_id, _str_arg("purpose")).as_dict()
    return jsonify({**view, "history": history_of(db(), document_id)})


@bp.patch("/documents/<int:document_id>")
@requires(Permission.MANAGE_RECORDS)
def correct(document_id: int) -> Response:
    """Correct a document: ``{"title", "type", "date", "confidential", "retention", "household",
    "community"}`` (any of them) and a ``reason``; answers the record and the history entry."""
    _limit_body()
    entry = correct_document(db(), actor(), document_id, correction_from_json(request.get_json(silent=True)))
    reindex_after_commit([document_id])
    return jsonify(document=document_view(get_document(db(), document_id)), change=entry)


def _create_body() -> dict[str, Any]:
    _limit_body()
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput("api.body_not_object")
    unknown = sorted(set(body) - CREATE_FIELDS.keys())
    if unknown:
        raise InvalidInput("api.unknown_fields", fields=", ".join(unknown))
    for name, value in body.items():
        kinds = CREATE_FIELDS[name]
        if value is not None and (isinstance(value, bool) or not isinstance(value, kinds)):
            raise InvalidInput("api.wrong_type", name=name, expected=_KIND_WORDS[kinds])
    if not body.get("code"):
        raise InvalidInput("api.code_required")
    return body


@bp.post("/households")
@requires(Permission.MANAGE_RECORDS)
def create_household() -> Response:
    body = _create_body()
    row = add_household(
        db(),
        actor(),
        archive().fields if body.get("id_number") else None,
        body["code"],
        community=body.get("community"),
        use=body.get("use"),
        building=body.get("building"),
        unit=body.get("unit"),
        floor=body.get("floor"),
        room=body.get("room"),
        area=None if body.get("area") is None else str(body["area"]),
        archive_no=body.get("archive_no"),
        owner=body.get("owner"),
        phone=body.get("phone"),
        id_number=body.get("id_number"),
    )
    response = jsonify(id=row.id, code=row.code, archive_no=row.archive_no, community=row.community.name)
    response.status_code = 201
    response.headers["Location"] = url_for("api.household", household_id=row.id)
    return response


@bp.post("/households/<int:household_id>/close")
@requires(Permission.MANAGE_RECORDS)
def close_household(household_id: int) -> Response:
    """Set (``{"closed_on": "YYYY-MM-DD"}``) or clear (``{"closed_on": null}``) the close date."""
    _limit_body()
    body = request.get_json(silent=True)
    if (
        not isinstance(body, dict)
        or set(body) != {"closed_on"}
        or not isinstance(body["closed_on"], (str, type(None)))
    ):
        raise InvalidInput("api.close_body")
    row = get_household_by_id(db(), household_id)
    changed = set_household_close_date(db(), actor(), row, parse_date(body["closed_on"], "closed_on"))
    return jsonify(
        id=row.id,
        code=row.code,
        status=row.status,
        closed_on=row.closed_on.isoformat() if row.closed_on else None,
        recomputed=changed,
    )


@bp.get("/search")
@requires(Permission.SEARCH)
def search() -> Response:
    """Full-text search: the service's result (``total``, ``hits``, ``facets``, ``households``)."""
    result = search_documents(
        db(),
        actor(),
        open_engine(archive().settings),
        (request.args.get("q") or "").strip(),
        SearchFilters(
            household=_str_arg("household"),
            type=_str_arg("type"),
            date_from=_str_arg("from"),
            date_to=_str_arg("to"),
            community=_str_arg("community"),
            building=_str_arg("building"),
            cabinet=_str_arg("cabinet"),
            box=_str_arg("box"),
        ),
        limit=_int_arg("limit", 20, 1, MAX_LIMIT),
        offset=_int_arg("offset", 0, 0, 10_000_000),
    )
    return jsonify(result)
