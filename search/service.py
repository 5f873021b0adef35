"""Search as a service function: the CLI and the web call :func:`search_documents`.

Permission safety: a user without clearance for confidential documents has them masked inside
the engine query, so they count nowhere (hits, totals, facets, snippets, scores: the engine
scores with statistics over the visible pages); hits are checked again against the catalog with
``may_view`` before anything is shown, and personal numbers in snippets are masked
(``text_mask``). A cleared user sees a confidential hit marked ``confidential`` and its snippet
only once a purpose was given for that document (``purposes``). Every search is written to the
access log with the user, the query, the filters and the number of results.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from dossier import pagetext
from dossier.actor import Actor
from dossier.catalog import zh
from dossier.errors import DossierError, InvalidInput
from dossier.masking import mask_personal_numbers
from dossier.models import AccessAction, Community, Confidentiality, Document, DocumentStatus, DocumentType
from dossier.permissions import Permission, require
from dossier.services.access import record_access
from dossier.services.documents import may_view, sees_confidential, text_mask
from dossier.services.households import HouseholdFilter, household_view, list_households
from search import analysis, highlight, suggestions
from search.engine import DateIn, EngineHit, EngineQuery, EngineResult, FieldIn, SearchEngine
from search.query import Any_, Filter, Text, date_range, parse, parse_date

MAX_LIMIT = 200
HOUSEHOLD_MATCHES = 5
SUGGESTION_SAMPLE = 5  # hits of a suggested search read for its count and OCR spellings


@dataclass
class SearchFilters:
    household: str | None = None
    type: str | None = None
    date_from: date | str | None = None
    date_to: date | str | None = None
    community: str | None = None
    building: str | None = None
    cabinet: str | None = None  # where the paper original is kept (柜), from the catalog
    box: str | None = None  # (盒)

    def as_dict(self) -> dict:
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in self.__dict__.items() if v}


def resolve_types(session: Session, value: str) -> tuple[str, ...]:
    """Type codes for a code or Chinese name (or part of a name: ``装修`` → renovation)."""
    value = value.strip()
    rows = session.execute(select(DocumentType.code, DocumentType.name)).all()
    folded = analysis.fold(value)
    exact = [code for code, name in rows if code.lower() == value.lower() or analysis.fold(name) == folded]
    if exact:
        return tuple(exact)
    partial = [code for code, name in rows if folded and folded in analysis.fold(name)]
    if partial:
        return tuple(partial)
    raise InvalidInput("search.unknown_type", value=value)


def resolve_community(session: Session, value: str) -> str:
    name = session.scalar(select(Community.name).where(or_(Community.name == value, Community.code == value)))
    return name or value


def _filter_part(session: Session, f: Filter):
    if f.field == "type":
        return FieldIn("type", resolve_types(session, f.value))
    if f.field == "community":
        return FieldIn("community", (resolve_community(session, f.value),))
    if f.field in ("household", "building"):
        return FieldIn(f.field, (f.value,))
    if f.field in ("date", "year"):
        return DateIn(*date_range(f.value))
    raise InvalidInput("search.unknown_filter", field=f.field)


def _translate(session: Session, part):
    if isinstance(part, Filter):
        return _filter_part(session, part)
    if isinstance(part, Any_):
        return Any_(tuple(_translate(session, p) for p in part.parts))
    return part


def _kept_in(session: Session, cabinet: str | None, box: str | None) -> tuple[str, ...]:
    """Ids of the documents whose paper original is in that cabinet and/or box (the catalog
    knows; the engine then counts only those of them the user may see)."""
    query = select(Document.id)
    if cabinet:
        query = query.where(Document.paper_cabinet == cabinet.strip())
    if box:
        query = query.where(Document.paper_box == box.strip())
    return tuple(str(i) for i in session.scalars(query))


def build_query(session: Session, q: str) -> tuple[EngineQuery, list[Text]]:
    """The engine's query for the words of ``q``; the filters' clauses (``filter_clauses``) are
    added by the caller."""
    parsed = parse(q, strict=True)
    must = [_translate(session, p) for p in parsed.must]
    must_not = [_translate(session, p) for p in parsed.must_not]
    return EngineQuery(must=must, must_not=must_not), parsed.texts()


def filter_clauses(session: Session, filters: SearchFilters) -> list[object]:
    """The search form's filters as the engine's clauses: the one place they are defined (a
    document found by its 档号 is checked against them by the engine too)."""
    must: list[object] = []
    if filters.household:
        must.append(FieldIn("household", (filters.household,)))
    if filters.type:
        must.append(FieldIn("type", resolve_types(session, filters.type)))
    if filters.community:
        must.append(FieldIn("community", (resolve_community(session, filters.community),)))
    if filters.building:
        must.append(FieldIn("building", (filters.building,)))
    if filters.cabinet or filters.box:
        must.append(FieldIn("doc", _kept_in(session, filters.cabinet, filters.box)))
    start = parse_date(filters.date_from, what=zh("search.date_from"))
    end = parse_date(filters.date_to, end=True, what=zh("search.date_to"))
    if start or end:
        if start and end and start > end:
            raise InvalidInput("search.dates_reversed")
        must.append(DateIn(start, end))
    return must


def find_households(session: Session, actor: Actor, q: str) -> list[dict]:
    """Folders whose code, archive number, owner/tenant name or phone is the query (one word)."""
    _, rows = list_households(session, actor, HouseholdFilter(q=q, limit=HOUSEHOLD_MATCHES))
    return [household_view(h, actor, with_parties=False) for h in rows]


def _passes_filters(actor: Actor, engine: SearchEngine, doc: Document, clauses: list[object]) -> bool:
    """Whether a document found by its 档号 meets the search's filters, asked of the engine with
    the same clauses as the text hits (a document not indexed yet passes only when no filter is set)."""
    if not clauses:
        return True
    query = EngineQuery(must=[FieldIn("doc", (str(doc.id),)), *clauses], limit=1)
    query.hide_confidential = not sees_confidential(actor)
    return engine.search(query).total > 0


def _hit(doc: Document, page: int, score: float, snippet: str | None) -> dict:
    return {
        "document": doc.id,
        "archive_no": doc.archive_no,
        "page": page,
        "household": doc.household.code,
        "household_id": doc.household_id,
        "type": doc.type_code,
        "type_name": doc.type.name if doc.type else doc.type_code,
        "title": doc.title,
        "date": doc.document_date.isoformat() if doc.document_date else None,
        "confidential": doc.confidentiality == Confidentiality.CONFIDENTIAL,
        "score": round(score, 4),
        "snippet": snippet,
    }


def by_archive_no(session: Session, actor: Actor, q: str) -> Document | None:
    """The document whose 档号 is the whole query (spaces around it ignored), if ``actor`` may see
    it; else None, exactly as for a number no document has (a confidential document's number
    typed without clearance finds nothing more than an unknown one)."""
    q = (q or "").strip()
    if not q or len(q) > 128:
        return None
    doc = session.scalar(
        select(Document)
        .where(Document.archive_no == q)
        .options(selectinload(Document.household), selectinload(Document.type))
    )
    if doc is None or doc.status == DocumentStatus.DESTROYED or not may_view(actor, doc):
        return None
    return doc


def withholds_text(actor: Actor, q: str) -> bool:
    """A role that sees personal numbers masked may not look them up in page text either: which
    pages hold an ID-card, mobile or bank-card number would show in the hits. Its search then
    finds households only (a caller's phone number is basic household information)."""
    return not sees_confidential(actor) and mask_personal_numbers(q) != q


def _run(
    session: Session, actor: Actor, engine: SearchEngine, query: EngineQuery, *, skip: bool = False
) -> tuple[EngineResult, list[tuple[Document, EngineHit]], int]:
    """The engine's answer for ``actor`` (confidential pages masked unless cleared), its hits with
    their documents once the catalog allows them, and how many hits it dropped."""
    query.hide_confidential = not sees_confidential(actor)
    if skip:
        return EngineResult(total=0, pages=0, hits=[], facets={}), [], 0
    result = engine.search(query)
    ids = [h.document for h in result.hits]
    docs = (
        {
            d.id: d
            for d in session.scalars(
                select(Document)
                .where(Document.id.in_(ids))
                .options(selectinload(Document.household), selectinload(Document.type))
            )
        }
        if ids
        else {}
    )
    shown = []
    for h in result.hits:
        doc = docs.get(h.document)
        # The index may lag a destruction by a moment; the catalog has the last word.
        if doc is None or doc.status == DocumentStatus.DESTROYED or not may_view(actor, doc):
            continue
        shown.append((doc, h))
    return result, shown, len(result.hits) - len(shown)


def suggest(
    session: Session,
    actor: Actor,
    engine: SearchEngine,
    q: str,
    filters: SearchFilters,
    purposes: Collection[int] = (),
) -> list[dict]:
    """Other searches for a query that found nothing (``search.suggestions``), each counted as
    ``actor``'s own search with the same filters: a count covers only what ``actor`` may see, and
    spellings are read only from pages whose text ``actor`` may read here."""
    try:
        clauses: list[object] | None = filter_clauses(session, filters)  # once, for every candidate
    except DossierError:
        clauses = None

    def count(candidate: str) -> tuple[int, list[str]]:
        if clauses is None or withholds_text(actor, candidate):
            return 0, []
        try:
            query, _ = build_query(session, candidate)
        except DossierError:
            return 0, []
        query.must += clauses
        query.limit = SUGGESTION_SAMPLE
        result, shown, dropped = _run(session, actor, engine, query)
        readable = [
            (d.id, h.page)
            for d, h in shown
            if d.confidentiality != Confidentiality.CONFIDENTIAL or d.id in purposes
        ]
        texts = pagetext.texts_by_page(session, session, readable) if readable else {}
        return max(0, result.total - dropped), [t for t in texts.values() if t]

    return [s.as_dict() for s in suggestions.suggest(parse(q), count)]


def search_documents(
    session: Session,
    actor: Actor,
    engine: SearchEngine,
    q: str,
    filters: SearchFilters | None = None,
    *,
    limit: int = 20,
    offset: int = 0,
    households: bool = True,
    purposes: Collection[int] = (),
    suggestions_wanted: bool = True,
) -> dict:
    """Search; the caller commits the session (the access-log entry is added to it).
    ``purposes``: the confidential documents this user gave a purpose for (their snippets show).
    A search that finds nothing comes with ``suggestions`` (``suggest``) unless not wanted."""
    require(actor, Permission.SEARCH)
    filters = filters or SearchFilters()
    q = (q or "").strip()
    if len(q) > 500:
        raise InvalidInput("search.query_too_long")
    limit = max(1, min(int(limit), MAX_LIMIT))
    offset = max(0, int(offset))
    # A 档号 typed as the query finds its document first (when the filters allow it); the
    # engine's hits follow, without it.
    numbered = by_archive_no(session, actor, q)
    query, texts = build_query(session, q)  # the words first: a bad query is named before a bad filter
    clauses = filter_clauses(session, filters)
    query.must += clauses
    if not query.must and not query.must_not:
        raise InvalidInput("search.nothing_to_search")
    if numbered is not None and not _passes_filters(actor, engine, numbered, clauses):
        numbered = None
    if numbered is not None:
        query.must_not.append(FieldIn("doc", (str(numbered.id),)))
        # It takes the first page's first place: the engine's hits shift by one.
        query.limit, query.offset = (limit, 0) if offset == 0 else (limit, offset - 1)
    else:
        query.limit, query.offset = limit, offset
    withheld = withholds_text(actor, q)
    result, shown, dropped = _run(session, actor, engine, query, skip=withheld)
    if numbered is not None and offset == 0:
        shown = [(numbered, EngineHit(numbered.id, 1, 0.0)), *shown[: limit - 1]]
    page_text = pagetext.texts_by_page(session, session, [(doc.id, h.page) for doc, h in shown])
    hits = []
    mask = text_mask(actor)
    for doc, h in shown:
        hit = _hit(doc, h.page, h.score, None)
        if not hit["confidential"] or doc.id in purposes:
            hit["snippet"] = highlight.snippet(page_text.get((doc.id, h.page)), texts, mask=mask)
        hits.append(hit)
    total = max(0, result.total - dropped) + (1 if numbered is not None else 0)
    type_names = dict(session.execute(select(DocumentType.code, DocumentType.name)).all())
    facets = {
        "type": [
            {"value": k, "label": type_names.get(k, k), "count": n}
            for k, n in sorted(result.facets.get("type", {}).items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        "building": [
            {"value": k, "label": k.upper(), "count": n}
            for k, n in sorted(result.facets.get("building", {}).items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        "year": [
            {"value": k, "label": k, "count": n}
            for k, n in sorted(result.facets.get("year", {}).items(), reverse=True)
        ],
    }
    # total_exact is False when the query matched more pages than the engine collects (see
    # search.whoosh_engine.MAX_PAGES, 250,000): total and facet counts then cover the pages collected, a
    # lower bound. Confidential documents are masked inside the engine either way.
    payload = {
        "total": total,
        "total_exact": result.total_exact,
        "hits": hits,
        "facets": facets,
        "text_withheld": withheld,
        "suggestions": (
            suggest(session, actor, engine, q, filters, purposes)
            if suggestions_wanted and total == 0 and not withheld and not offset and q
            else []
        ),
    }
    words = [t for t in query.must if isinstance(t, Text)]
    if (
        households
        and len(words) == 1
        and len(query.must) == 1
        and not query.must_not
        and not filters.as_dict()
    ):
        payload["households"] = find_households(session, actor, words[0].value)
    else:
        payload["households"] = []
    record_access(
        session,
        actor,
        AccessAction.SEARCH,
        detail=json.dumps(
            {
                "q": q,
                "filters": filters.as_dict(),
                "total": total,
                **({"text_withheld": True} if withheld else {}),
            },
            ensure_ascii=False,
        ),
    )
    return payload
