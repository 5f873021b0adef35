"""The Whoosh implementation of :class:`search.engine.SearchEngine`.

Layout of the index folder (``DOSSIER_INDEX_DIR``)::

    current -> gen-000002     symlink to the live generation (replaced atomically by a rebuild)
    gen-000002/               a Whoosh index
    write.lock, journal ...   the single writer's lock and journal (see search.writer)

Page text is analysed (positions kept, for phrases) but not stored: snippets are computed from
the catalog's page text. Keyword fields used for filters and facets are sortable (columns), so
facet counts and the per-document grouping read columns instead of stored fields.
"""

from __future__ import annotations

import os
import shutil
import threading
from datetime import date
from pathlib import Path
from typing import Iterable

from whoosh import analysis as wa
from whoosh import fields as wf
from whoosh import index as wi
from whoosh import query as wq
from whoosh.query import spans as wspans

from search import analysis
from search.engine import (
    Any_,
    DateIn,
    EngineHit,
    EngineQuery,
    EngineResult,
    FieldIn,
    PageEntry,
    Text,
)

# Bumped whenever the schema or what is indexed changes (bench/search.py --index-dir reuses an
# index only of the same format).
INDEX_FORMAT = 1

TEXT_FIELDS = ("text", "title", "names")
FIELD_BOOST = {"text": 1.0, "title": 1.5, "names": 1.2}
KEYWORD_FIELDS = ("household", "community", "building", "type")
# A phrase found exactly outranks the same words found with one OCR error.
EXACT_BOOST = 2.0
# Words shorter than this must match exactly (a 3-character word with one error left is a bigram).
TOLERANT_MIN_CHARS = 4
# OCR tolerance is tried only when the exact query finds fewer documents than this: exact
# phrases are cheap, the one-misread-character variants cost several span queries per word.
TOLERANT_BELOW = 20


class DossierTokenizer(wa.Tokenizer):
    """Whoosh wrapper around :func:`search.analysis.tokenize` (folding included)."""

    def __eq__(self, other):
        return type(self) is type(other)

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        t = wa.Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = analysis.fold(value)
            t.boost = 1.0
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(value)
            yield t
            return
        for tok in analysis.tokenize(value):
            t.text = tok.text
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = tok.text
            if positions:
                t.pos = start_pos + tok.pos
            if chars:
                t.startchar = start_char + tok.start
                t.endchar = start_char + tok.end
            yield t


def dossier_analyzer():
    return DossierTokenizer()


def keyword(value: str | None) -> str:
    """Keyword fields are compared folded (case, width, Traditional/Simplified)."""
    return analysis.fold((value or "").strip())


def make_schema() -> wf.Schema:
    ana = dossier_analyzer()
    return wf.Schema(
        id=wf.ID(unique=True, stored=True),                      # "document:page"
        doc=wf.ID(stored=True, sortable=True),
        page=wf.STORED(),
        household=wf.ID(sortable=True),
        community=wf.ID(sortable=True),
        building=wf.ID(sortable=True),
        type=wf.ID(sortable=True),
        date=wf.NUMERIC(int, bits=32, sortable=True, signed=False),  # YYYYMMDD, 0 when unknown
        confidential=wf.ID(),
        status=wf.ID(),
        title=wf.TEXT(analyzer=ana, phrase=True, field_boost=FIELD_BOOST["title"]),
        names=wf.TEXT(analyzer=ana, phrase=True, field_boost=FIELD_BOOST["names"]),
        text=wf.TEXT(analyzer=ana, phrase=True),
    )


def _date_int(d: date | None) -> int:
    return d.year * 10000 + d.month * 100 + d.day if d else 0


def _fields(entry: PageEntry) -> dict:
    return {
        "id": f"{entry.document}:{entry.page}",
        "doc": str(entry.document),
        "page": entry.page,
        "household": keyword(entry.household),
        "community": keyword(entry.community),
        "building": keyword(entry.building) or "-",
        "type": entry.type,
        "date": _date_int(entry.date),
        "confidential": "y" if entry.confidential else "n",
        "status": entry.status,
        "title": entry.title or "",
        "names": entry.names or "",
        "text": entry.text or "",
    }


# --- query compilation ----------------------------------------------------------------------

class _Near(wspans.SpanNear):
    """SpanNear with the size estimates Whoosh's Or/And ask for (an AND of its two parts)."""

    def estimate_size(self, ixreader):
        return min(self.a.estimate_size(ixreader), self.b.estimate_size(ixreader))

    def estimate_min_size(self, ixreader):
        return 0


def _piece(fieldname: str, chars: str) -> wq.Query:
    terms = [t.text for t in analysis.query_terms(chars)]
    return wq.Term(fieldname, terms[0]) if len(terms) == 1 else wq.Phrase(fieldname, terms)


def _text_in_field(fieldname: str, text: Text, tolerant: bool = True) -> wq.Query | None:
    terms = analysis.query_terms(text.value)
    if not terms:
        return None
    words = [t.text for t in terms]
    exact = wq.Term(fieldname, words[0]) if len(words) == 1 else wq.Phrase(fieldname, words)
    folded = analysis.fold(text.value)
    chars = "".join(c for c in folded if not c.isspace())
    if not tolerant or fieldname != "text" or not _tolerable(text):
        return exact
    # OCR tolerance: the word with any one character misread. Each variant keeps the characters
    # left and right of the misread one, in order and at the right distance.
    variants: list[wq.Query] = [wq.Phrase(fieldname, words, boost=EXACT_BOOST) if len(words) > 1 else exact]
    n = len(chars)
    for i in range(n):
        left, right = chars[:i], chars[i + 1:]
        if not left:
            variants.append(_piece(fieldname, right))
        elif not right:
            variants.append(_piece(fieldname, left))
        else:
            # Left piece ends at the position of its last bigram (or its only character); the
            # right piece starts at position i + 1.
            end_left = i - 2 if len(left) > 1 else 0
            gap = (i + 1) - end_left
            variants.append(_Near(_piece(fieldname, left), _piece(fieldname, right),
                                            slop=gap, mindist=gap, ordered=True))
    return wq.Or(variants)


def _tolerable(text: Text) -> bool:
    chars = [c for c in analysis.fold(text.value) if not c.isspace()]
    return not text.exact and len(chars) >= TOLERANT_MIN_CHARS and all(analysis.is_cjk(c) for c in chars)


def _text_query(text: Text, tolerant: bool = True) -> wq.Query | None:
    parts = [q for q in (_text_in_field(f, text, tolerant) for f in TEXT_FIELDS) if q is not None]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.Or(parts)


def _compile_part(part, tolerant: bool = True) -> wq.Query | None:
    if isinstance(part, Text):
        return _text_query(part, tolerant)
    if isinstance(part, FieldIn):
        values = [keyword(v) if part.field != "type" else v for v in part.values]
        if not values:
            return wq.NullQuery
        terms = [wq.Term(part.field, v) for v in values]
        return terms[0] if len(terms) == 1 else wq.Or(terms)
    if isinstance(part, DateIn):
        lo = _date_int(part.start) if part.start else 1
        hi = _date_int(part.end) if part.end else None   # open-ended (a huge bound misfires)
        return wq.NumericRange("date", lo, hi)
    if isinstance(part, Any_):
        subs = [q for q in (_compile_part(p, tolerant) for p in part.parts) if q is not None]
        return wq.Or(subs) if subs else None
    raise TypeError(f"cannot compile {part!r}")


def _has_tolerable(parts) -> bool:
    for p in parts:
        if isinstance(p, Text) and _tolerable(p):
            return True
        if isinstance(p, Any_) and _has_tolerable(p.parts):
            return True
    return False


def compile_query(query: EngineQuery, tolerant: bool = True) -> wq.Query:
    must = [q for q in (_compile_part(p, tolerant) for p in query.must) if q is not None]
    must_not = [q for q in (_compile_part(p, False) for p in query.must_not) if q is not None]
    if not must and not query.must:
        positive: wq.Query = wq.Every()
    elif not must:
        return wq.NullQuery
    else:
        positive = must[0] if len(must) == 1 else wq.And(must)
    if must_not:
        positive = wq.AndNot(positive, must_not[0] if len(must_not) == 1 else wq.Or(must_not))
    return positive


# --- the engine ----------------------------------------------------------------------------

class _ReaderState:
    """One process's open searcher on one index folder, refreshed when the index changed."""

    def __init__(self):
        self.lock = threading.Lock()
        self.target: str | None = None
        self.searcher = None
        self.confidential: set[int] | None = None


_readers: dict[tuple[str, int], _ReaderState] = {}
_readers_lock = threading.Lock()


class WhooshEngine:
    def __init__(self, root: Path, generation: Path | None = None):
        self.root = Path(root)
        self._generation = generation       # set for a built, not yet live, index

    # --- layout ------------------------------------------------------------------------------
    @property
    def current_link(self) -> Path:
        return self.root / "current"

    def live_dir(self) -> Path | None:
        if self._generation is not None:
            return self._generation
        link = self.current_link
        if not link.is_symlink() and not link.exists():
            return None
        return self.root / os.readlink(link) if link.is_symlink() else link

    def exists(self) -> bool:
        d = self.live_dir()
        return d is not None and wi.exists_in(str(d))

    def _new_generation(self) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        numbers = [int(p.name[4:]) for p in self.root.glob("gen-*") if p.name[4:].isdigit()]
        path = self.root / f"gen-{max(numbers, default=0) + 1:06d}"
        path.mkdir()
        wi.create_in(str(path), make_schema())
        return path

    def _point_current_at(self, gen: Path) -> None:
        tmp = self.root / f".current-{os.getpid()}-{threading.get_ident()}"
        if tmp.is_symlink() or tmp.exists():
            tmp.unlink()
        os.symlink(gen.name, tmp)
        os.replace(tmp, self.current_link)       # atomic on POSIX
        _fsync_dir(self.root)

    def _open_for_write(self):
        d = self.live_dir()
        if d is None or not wi.exists_in(str(d)):
            d = self._new_generation()
            if self._generation is None:
                self._point_current_at(d)
        return wi.open_dir(str(d))

    # --- writes (the single writer only) -------------------------------------------------------
    def apply(self, changes: dict[int, list[PageEntry]]) -> None:
        if not changes:
            return
        ix = self._open_for_write()
        try:
            writer = ix.writer(timeout=30.0, delay=0.1, limitmb=128)
            try:
                for document_id, entries in changes.items():
                    writer.delete_by_term("doc", str(document_id))
                    for entry in entries:
                        writer.add_document(**_fields(entry))
            except BaseException:
                writer.cancel()
                raise
            writer.commit()          # default merge policy: small segments are merged as they pile up
        finally:
            ix.close()

    def build(self, entries: Iterable[PageEntry]) -> "WhooshEngine":
        gen = self._new_generation()
        ix = wi.open_dir(str(gen))
        try:
            writer = ix.writer(limitmb=256)
            try:
                for entry in entries:
                    writer.add_document(**_fields(entry))
            except BaseException:
                writer.cancel()
                raise
            writer.commit(optimize=True)
        except BaseException:
            ix.close()
            shutil.rmtree(gen, ignore_errors=True)
            raise
        ix.close()
        return WhooshEngine(self.root, generation=gen)

    def swap_in(self, built: "WhooshEngine") -> None:
        assert built._generation is not None
        previous = self.live_dir()
        self._point_current_at(built._generation)
        # Keep the generation just replaced (open searchers may still read it); drop older ones.
        keep = {built._generation.name, previous.name if previous else None}
        for old in self.root.glob("gen-*"):
            if old.name not in keep:
                shutil.rmtree(old, ignore_errors=True)

    def discard(self) -> None:
        if self._generation is not None:
            shutil.rmtree(self._generation, ignore_errors=True)

    # --- reads ---------------------------------------------------------------------------------
    def _state(self) -> _ReaderState:
        key = (str(self.root), os.getpid())
        with _readers_lock:
            state = _readers.get(key)
            if state is None:
                state = _readers[key] = _ReaderState()
            return state

    def _searcher(self, state: _ReaderState):
        """The process's searcher, reopened when a rebuild swapped generations and refreshed
        when the writer committed. Callers hold ``state.lock``."""
        d = self.live_dir()
        if d is None or not wi.exists_in(str(d)):
            return None
        target = str(d)
        if state.searcher is None or state.target != target:
            state.searcher = wi.open_dir(target).searcher()
            state.target = target
            state.confidential = None
        elif not state.searcher.up_to_date():
            # A fresh reader, not Searcher.refresh(): refresh() reuses segment readers whose
            # deletions may be stale (a destroyed document would linger), and closes resources
            # another thread may still be reading. The old searcher is left to the collector.
            state.searcher = wi.open_dir(target).searcher()
            state.confidential = None
        return state.searcher

    def _confidential(self, state: _ReaderState, searcher) -> set[int]:
        # Cached per searcher: recomputed only when the index changed.
        if state.confidential is None:
            state.confidential = set(searcher.docs_for_query(wq.Term("confidential", "y")))
        return state.confidential

    def search(self, query: EngineQuery) -> EngineResult:
        state = self._state()
        with state.lock:
            s = self._searcher(state)
            mask = self._confidential(state, s) if s is not None and query.hide_confidential else None
        if s is None:
            return EngineResult(0, 0, [], {"type": {}, "building": {}, "year": {}})
        results = s.search(compile_query(query, tolerant=False), limit=None, mask=mask, terms=False)
        if _has_tolerable(query.must) and _distinct_docs(results, s) < TOLERANT_BELOW:
            results = s.search(compile_query(query, tolerant=True), limit=None, mask=mask, terms=False)
        reader = s.reader()
        doc_col = reader.column_reader("doc")
        best: dict[str, tuple[float, int]] = {}
        order: list[str] = []
        for score, docnum in results.top_n:       # best first
            d = doc_col[docnum]
            if d not in best:
                best[d] = (score, docnum)
                order.append(d)
        pages = len(results.top_n)
        facets = {"type": {}, "building": {}, "year": {}}
        type_col, building_col, date_col = (reader.column_reader(n) for n in ("type", "building", "date"))
        for d in order:
            docnum = best[d][1]
            _count(facets["type"], type_col[docnum])
            building = building_col[docnum]
            if building and building != "-":
                _count(facets["building"], building)
            dv = date_col[docnum]
            if dv:
                _count(facets["year"], str(dv // 10000))
        window = order[query.offset: query.offset + query.limit]
        hits = []
        for d in window:
            score, docnum = best[d]
            hits.append(EngineHit(int(d), int(s.stored_fields(docnum)["page"]), float(score)))
        return EngineResult(len(order), pages, hits, facets)

    def documents(self) -> dict[int, int]:
        d = self.live_dir()
        if d is None or not wi.exists_in(str(d)):
            return {}
        ix = wi.open_dir(str(d))
        try:
            with ix.searcher() as s:
                counts: dict[int, int] = {}
                col = s.reader().column_reader("doc")
                for docnum in s.reader().all_doc_ids():
                    key = int(col[docnum])
                    counts[key] = counts.get(key, 0) + 1
                return counts
        finally:
            ix.close()


def _distinct_docs(results, searcher) -> int:
    col = searcher.reader().column_reader("doc")
    return len({col[docnum] for _, docnum in results.top_n})


def _count(bucket: dict[str, int], value) -> None:
    if isinstance(value, bytes):
        value = value.decode("utf-8")
    if value in (None, ""):
        return
    bucket[str(value)] = bucket.get(str(value), 0) + 1


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
