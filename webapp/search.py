"""全文检索: one box, filters, facet counts, highlighted snippets, folders found by name/phone/code.

The view calls ``search.service.search_documents`` (the same function as ``dossier search``),
which checks the permission, hides confidential documents from those without clearance, masks
personal numbers in their snippets, shows a confidential hit's snippet only after a purpose was
given for it (this session's purposes) and writes the access-log entry; the request's session is
committed after the response.
"""

from __future__ import annotations

import math

from flask import Blueprint, render_template, request, url_for

from dossier.catalog import zh
from dossier.errors import DossierError, PermissionDenied
from dossier.permissions import Permission
from dossier.services.folders import list_document_types
from search.query import parse_date
from search.service import SearchFilters, search_documents
from search.writer import open_engine
from webapp.access import requires
from webapp.context import actor, archive, db, discard_changes
from webapp.documents import purposes_given
from webapp.errors import user_message
from webapp.highlighting import safe_snippet

bp = Blueprint("search", __name__)

PAGE_SIZE = 20
MAX_PAGE = 500
FILTER_ARGS = ("type", "household", "community", "building", "cabinet", "box", "from", "to")
FILTER_LABELS = {name: f"search.filter_{name}" for name in FILTER_ARGS}  # the chips' labels, by code


def _arg(name: str, limit: int = 64) -> str:
    return (request.args.get(name) or "").strip()[:limit]


def current_args() -> dict[str, str]:
    """The query and filters of this request (blank ones left out)."""
    args = {"q": _arg("q", 500)}
    for name in FILTER_ARGS:
        args[name] = _arg(name)
    return {k: v for k, v in args.items() if v}


def search_url(args: dict[str, str], **changes) -> str:
    merged = {**args, **{k: v for k, v in changes.items()}}
    merged = {k: v for k, v in merged.items() if v not in (None, "")}
    return url_for("search.index", **merged)


def filters_from(args: dict[str, str]) -> SearchFilters:
    return SearchFilters(
        household=args.get("household"),
        type=args.get("type"),
        date_from=args.get("from"),
        date_to=args.get("to"),
        community=args.get("community"),
        building=args.get("building"),
        cabinet=args.get("cabinet"),
        box=args.get("box"),
    )


def _page() -> int:
    raw = request.args.get("page", "")
    return min(MAX_PAGE, int(raw)) if raw.isdigit() and int(raw) >= 1 else 1


def _active_filters(args: dict[str, str], type_names: dict[str, str]) -> list[dict]:
    """Chips for the filters in force, each with a link that removes it."""
    labels = {name: zh(code) for name, code in FILTER_LABELS.items()}
    chips = []
    if args.get("from") and args.get("from") == args.get("to"):
        chips.append(
            {
                "label": zh("search.filter_year"),
                "value": args["from"],
                "remove": search_url(args, **{"from": None, "to": None}),
            }
        )
    for name in FILTER_ARGS:
        if not args.get(name) or (name in ("from", "to") and args.get("from") == args.get("to")):
            continue
        value = type_names.get(args[name], args[name]) if name == "type" else args[name]
        chips.append({"label": labels[name], "value": value, "remove": search_url(args, **{name: None})})
    return chips


def _date_field(value: str, *, end: bool) -> dict[str, object]:
    """A date filter as its picker shows it: a day as 2021-03-15 (a year or month from a facet
    link becomes its first or last day). A value that is not a date stays as typed, in a text
    box, so the clerk sees what to correct (the server reads typed dates either way)."""
    if not value:
        return {"type": "date", "value": "", "invalid": False}
    try:
        day = parse_date(value, end=end)
    except DossierError:
        return {"type": "text", "value": value, "invalid": True}
    return {"type": "date", "value": day.isoformat() if day else "", "invalid": False}


def _suggestion_links(args: dict[str, str], suggestions: list[dict]) -> list[dict]:
    """Each suggested search as a link that runs it with the same filters."""
    return [dict(s, url=search_url(args, q=s["q"], page=None)) for s in suggestions]


@bp.get("/search")
@requires(Permission.SEARCH)
def index():
    session, who = db(), actor()
    args = current_args()
    page = _page()
    types = list_document_types(session)
    type_names = {t.code: t.name for t in types}
    result, error = None, None
    if args:
        try:
            result = search_documents(
                session,
                who,
                open_engine(archive().settings),
                args.get("q", ""),
                filters_from(args),
                limit=PAGE_SIZE,
                offset=(page - 1) * PAGE_SIZE,
                purposes=purposes_given(),
            )
        except DossierError as exc:
            if isinstance(exc, PermissionDenied) or exc.http_status >= 500:
                raise
            discard_changes()
            error = user_message(exc)
    pages = max(1, math.ceil(result["total"] / PAGE_SIZE)) if result else 1
    facet_links = {}
    if result:
        facet_links = {
            "type": [
                dict(f, url=search_url(args, type=f["value"], page=None)) for f in result["facets"]["type"]
            ],
            "building": [
                dict(f, url=search_url(args, building=f["value"], page=None))
                for f in result["facets"]["building"]
            ],
            "year": [
                dict(f, url=search_url(args, **{"from": f["value"], "to": f["value"], "page": None}))
                for f in result["facets"]["year"]
            ],
        }
        for hit in result["hits"]:
            hit["snippet_html"] = safe_snippet(hit["snippet"])
            hit["url"] = url_for(
                "documents.show", document_id=hit["document"], page=hit["page"], q=args.get("q") or None
            )
    return render_template(
        "search/results.html",
        args=args,
        result=result,
        error=error,
        page=page,
        pages=min(pages, MAX_PAGE),
        first=(page - 1) * PAGE_SIZE + 1,
        last=(page - 1) * PAGE_SIZE + (len(result["hits"]) if result else 0),
        types=types,
        facets=facet_links,
        chips=_active_filters(args, type_names),
        suggestions=_suggestion_links(args, result["suggestions"]) if result else [],
        dates={
            "from": _date_field(args.get("from", ""), end=False),
            "to": _date_field(args.get("to", ""), end=True),
        },
        page_url=lambda n: search_url(args, page=n),
    ), (400 if error else 200)
