"""The Whoosh implementation of :class:`search.engine.SearchEngine`.

Layout of the index folder (``DOSSIER_INDEX_DIR``)::

    current -> gen-000002     symlink to the live generation (replaced atomically by a rebuild)
    gen-000002/               a Whoosh index
    gen-000002/FORMAT         the index format it was written in (INDEX_FORMAT): an index whose
                              FORMAT is missing or different is rebuilt by `dossier init` and by
                              the single writer, and refused by searches until then
    write.lock, journal ...   the single writer's lock and journal (see search.writer)

Whoosh stores the index: schema, segments, term dictionary, posting lists (in the layout of
``search.postings``, through ``search.whoosh_compat.DossierCodec``), columns, deletions, merges
and the commit protocol. This module uses Whoosh's public API only; what needs its internals
is in ``search.whoosh_compat``, which also checks the pinned Whoosh version. Page
text is analysed (positions kept, for phrases) but not stored: snippets are computed from the
catalog's page text. Keyword fields used for filters and facets are sortable (columns), so facet
counts and the per-document grouping read columns instead of stored fields.

Queries are not run through Whoosh's matchers, which check a phrase one page at a time in
Python (tens of microseconds a page, seconds for a stock word in a large archive), but through
``search.matching``, which works on whole posting lists with numpy. How a search runs
(``WhooshEngine.search``):

* Top-level filters (type, household, community, building, date), the confidential mask and
  deleted pages become one boolean array per segment, cached per searcher (recomputed only when
  the index changed). Text is matched only on pages it admits, so totals and facets are exact
  for the user who asks; scores use statistics over the pages the user may see
  (``search.matching.VisibleStats``), so a hidden page changes no score or order.
* The exact query runs first; only when it finds fewer than TOLERANT_BELOW documents does it run
  again with OCR tolerance (``search.matching.Approx``).
* Pages are grouped per document (best page first) and facets counted with numpy over columns
  read once per searcher.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from whoosh import analysis as wa
from whoosh import fields as wf
from whoosh import index as wi

from dossier.errors import DossierError
from dossier.fsutil import fsync_dir
from search import analysis, matching
from search.engine import (
    DateIn,
    EngineHit,
    EngineQuery,
    EngineResult,
    FieldIn,
    PageEntry,
    SearchEngine,
)
from search.matching import (
    IndexStats,
    SegmentView,
    VisibleStats,
    compile_query,
    date_int,
    evaluate,
    has_tolerable,
    keyword,
)
from search.postings import term_cache
from search.whoosh_compat import DossierCodec, PackedPositions, deleted_docs, holds_index, segment_id

# Bumped whenever the schema, what is indexed or the postings layout changes; written to the
# FORMAT file of each generation (bench/search.py --index-dir reuses an index only of the same
# format). 3: positions packed (PackedPositions) in blocks of byte strings. 4: blocks in the
# documented binary layout of search.postings (layout 1).
INDEX_FORMAT = 4
FORMAT_FILE = "FORMAT"

TEXT_FIELDS = matching.TEXT_FIELDS
FIELD_BOOST = {"text": 1.0, "title": 1.5, "names": 1.2}
KEYWORD_FIELDS = ("household", "community", "building", "type")
# OCR tolerance is tried only when the exact query finds fewer documents than this: an exact
# phrase is cheap, the tolerant match looks at every place where a few of the word's bigrams sit.
TOLERANT_BELOW = 20
# Matching pages kept per query at most. A query matching more pages keeps the first ones in
# index order: its total and facets then count those (EngineResult.total_exact is False, the
# API says "total_exact": false and the page "at least N") and its hits are the best of them.
# Matching runs over whole posting lists, so this bounds grouping and facet work, not matching;
# permission filtering stays exact, it happens before counting.
MAX_PAGES = 250_000
FILTER_CACHE_SIZE = 64
# What a full filter cache keeps: segment views, columns and the scoring statistics.
KEPT_IN_CACHE = ("views", "columns", "stats")


class IndexOutdated(DossierError):
    exit_code = 6
    http_status = 503

    def __init__(self):
        super().__init__(
            "the search index was written by an older version of Dossier; run `dossier index rebuild`"
        )


class DossierTokenizer(wa.Tokenizer):
    """Whoosh wrapper around :func:`search.analysis.tokenize` (folding included)."""

    def __eq__(self, other):
        return type(self) is type(other)

    @staticmethod
    def term_positions(value: str) -> dict[str, list[int]]:
        """What indexing needs (see PackedPositions.word_values): the same terms as __call__."""
        return analysis.term_positions(value)

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
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


def _text_field(ana, boost: float = 1.0) -> wf.TEXT:
    field = wf.TEXT(analyzer=ana, phrase=True, field_boost=boost)
    field.format = PackedPositions(field_boost=boost)
    return field


def make_schema() -> wf.Schema:
    ana = dossier_analyzer()
    return wf.Schema(
        id=wf.ID(unique=True, stored=True),  # "document:page"
        doc=wf.ID(stored=True, sortable=True),
        page=wf.STORED(),
        household=wf.ID(sortable=True),
        community=wf.ID(sortable=True),
        building=wf.ID(sortable=True),
        type=wf.ID(sortable=True),
        date=wf.NUMERIC(int, bits=32, sortable=True, signed=False),  # YYYYMMDD, 0 when unknown
        confidential=wf.ID(),
        status=wf.ID(),
        title=_text_field(ana, FIELD_BOOST["title"]),
        names=_text_field(ana, FIELD_BOOST["names"]),
        text=_text_field(ana),
    )


def _fields(entry: PageEntry) -> dict:
    return {
        "id": f"{entry.document}:{entry.page}",
        "doc": str(entry.document),
        "page": entry.page,
        "household": keyword(entry.household),
        "community": keyword(entry.community),
        "building": keyword(entry.building) or "-",
        "type": entry.type,
        "date": date_int(entry.date),
        "confidential": "y" if entry.confidential else "n",
        "status": entry.status,
        "title": entry.title or "",
        "names": entry.names or "",
        "text": entry.text or "",
    }


# --- the engine ----------------------------------------------------------------------------


class _ReaderState:
    """One process's open searcher on one index folder, refreshed when the index changed."""

    def __init__(self):
        self.lock = threading.Lock()
        self.target: str | None = None
        self.searcher = None
        self.cache: dict = {}  # filter and mask sets of this searcher


_readers: dict[tuple[str, int], _ReaderState] = {}
_readers_lock = threading.Lock()


class WhooshEngine:
    def __init__(self, root: Path, generation: Path | None = None, *, cache_mb: int | None = None):
        self.root = Path(root)
        self._generation = generation  # set for a built, not yet live, index
        if cache_mb is not None:  # the process-wide cache of decoded posting lists
            term_cache.resize(cache_mb << 20)

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
        return d is not None and (self.outdated() or wi.exists_in(str(d)))

    def outdated(self) -> bool:
        """The live index was written in another format (its FORMAT file is missing or says
        another INDEX_FORMAT): it must be rebuilt before it is searched or written to. Decided
        without opening the index, which an older version may have written unreadably."""
        d = self.live_dir()
        if d is None or not d.is_dir() or not holds_index(d):
            return False
        return index_format(d) != str(INDEX_FORMAT)

    def _new_generation(self) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        numbers = [int(p.name[4:]) for p in self.root.glob("gen-*") if p.name[4:].isdigit()]
        path = self.root / f"gen-{max(numbers, default=0) + 1:06d}"
        path.mkdir()
        wi.create_in(str(path), make_schema())
        (path / FORMAT_FILE).write_text(f"{INDEX_FORMAT}\n", encoding="ascii")
        return path

    def _point_current_at(self, gen: Path) -> None:
        tmp = self.root / f".current-{os.getpid()}-{threading.get_ident()}"
        if tmp.is_symlink() or tmp.exists():
            tmp.unlink()
        os.symlink(gen.name, tmp)
        os.replace(tmp, self.current_link)  # atomic on POSIX
        fsync_dir(self.root)

    def _open_for_write(self):
        if self.outdated():
            raise IndexOutdated()
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
            writer = ix.writer(timeout=30.0, delay=0.1, limitmb=128, codec=DossierCodec())
            try:
                for document_id, entries in changes.items():
                    writer.delete_by_term("doc", str(document_id))
                    for entry in entries:
                        writer.add_document(**_fields(entry))
            except BaseException:
                writer.cancel()
                raise
            writer.commit()  # default merge policy: small segments are merged as they pile up
        finally:
            ix.close()

    def build(self, entries: Iterable[PageEntry]) -> WhooshEngine:
        gen = self._new_generation()
        ix = wi.open_dir(str(gen))
        try:
            writer = ix.writer(limitmb=256, codec=DossierCodec())
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

    def swap_in(self, built: SearchEngine) -> None:
        assert isinstance(built, WhooshEngine) and built._generation is not None
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
    @property
    def term_cache(self):
        """The process's cache of decoded posting lists (shared by every engine in the process)."""
        return term_cache

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
        if d is None:
            return None
        target = str(d)
        if state.searcher is None or state.target != target:
            if self.outdated():  # decided before Whoosh reads anything of it
                raise IndexOutdated()
            if not wi.exists_in(target):
                return None
            state.searcher = wi.open_dir(target).searcher()
            state.target = target
            state.cache = {}
        elif not state.searcher.up_to_date():
            # A fresh reader, not Searcher.refresh(): refresh() reuses segment readers whose
            # deletions may be stale (a destroyed document would linger), and closes resources
            # another thread may still be reading. The old searcher is left to the collector.
            state.searcher = wi.open_dir(target).searcher()
            state.cache = {}
        return state.searcher

    # Filters (top-level type/household/community/building/date parts), the confidential mask
    # and deleted pages become one boolean array per segment, cached per searcher: they are read
    # once per index version, and the text part of a query is matched only where they admit.
    def _cached(self, state: _ReaderState, key, compute):
        cache = state.cache
        if key not in cache:
            if len(cache) >= FILTER_CACHE_SIZE:
                kept = {k: v for k, v in cache.items() if k[0] in KEPT_IN_CACHE}
                cache.clear()
                cache.update(kept)
            cache[key] = compute()
        return cache[key]

    def _views(self, state: _ReaderState, s) -> list[tuple[SegmentView, int, np.ndarray]]:
        """(view, first page number, live pages) of each segment."""

        def compute():
            out = []
            for sub, offset in s.leaf_searchers():
                r = sub.reader()
                seg_id = segment_id(r)
                view = SegmentView(s, r, seg_id, _segment_lengths(seg_id, r), _segment_dates(seg_id, r))
                live = np.ones(view.ndocs, dtype=bool)
                deleted = deleted_docs(r)
                if deleted:
                    live[np.fromiter(deleted, dtype=np.int64, count=len(deleted))] = False
                out.append((view, offset, live))
            return out

        return self._cached(state, ("views",), compute)

    def _term_masks(self, state: _ReaderState, s, field: str, values: tuple[str, ...]) -> list[np.ndarray]:
        def compute():
            masks = []
            for view, _, _ in self._views(state, s):
                m = np.zeros(view.ndocs, dtype=bool)
                for v in values:
                    ta = view.term(field, v)
                    if ta is not None:
                        m[ta.docs] = True
                masks.append(m)
            return masks

        return self._cached(state, ("in", field, values), compute)

    def _filter_masks(self, state: _ReaderState, s, part) -> list[np.ndarray]:
        if isinstance(part, FieldIn):
            values = tuple(sorted(keyword(v) if part.field != "type" else v for v in part.values))
            return self._term_masks(state, s, part.field, values)
        lo = date_int(part.start) if part.start else 1
        hi = date_int(part.end) if part.end else 99_999_999
        return self._cached(
            state,
            ("date", lo, hi),
            lambda: [(view.dates >= lo) & (view.dates <= hi) for view, _, _ in self._views(state, s)],
        )

    def _stats(self, state: _ReaderState, s, hide_confidential: bool) -> IndexStats:
        """Scoring statistics over what the user may see: the whole index for a cleared role,
        the live ordinary pages otherwise (so confidential pages change no score or order)."""
        if not hide_confidential:
            return self._cached(state, ("stats", "all"), lambda: IndexStats(s))

        def visible():
            views = self._views(state, s)
            hidden = self._term_masks(state, s, "confidential", ("y",))
            return VisibleStats(
                [v for v, _, _ in views], [live & ~h for (_, _, live), h in zip(views, hidden, strict=True)]
            )

        return self._cached(state, ("stats", "visible"), visible)

    def _run(
        self, views, masks, stats: IndexStats, query: EngineQuery, tolerant: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        """Matching pages (global page numbers, ascending) and their scores."""
        plan = compile_query(query, tolerant=tolerant)
        pages, scores = [], []
        for (view, offset, _), mask in zip(views, masks, strict=True):
            if not mask.any():
                continue
            docs, sc = evaluate(plan, view.scored_by(stats), mask)
            pages.append(docs + offset)
            scores.append(sc)
        if not pages:
            return np.empty(0, np.int64), np.empty(0)
        return np.concatenate(pages), np.concatenate(scores)

    def search(self, query: EngineQuery) -> EngineResult:
        state = self._state()
        with state.lock:
            s = self._searcher(state)
            if s is None:
                return EngineResult(0, 0, [], {"type": {}, "building": {}, "year": {}})
            views = self._views(state, s)
            masks = [live.copy() for _, _, live in views]
            filters = [p for p in query.must if isinstance(p, (FieldIn, DateIn))]
            for part in filters:
                for m, f in zip(masks, self._filter_masks(state, s, part), strict=True):
                    m &= f
            if query.hide_confidential:
                for m, f in zip(masks, self._term_masks(state, s, "confidential", ("y",)), strict=True):
                    m &= ~f
            cols = self._cached(state, ("columns",), lambda: _columns(s))
            stats = self._stats(state, s, query.hide_confidential)
        rest = [p for p in query.must if not isinstance(p, (FieldIn, DateIn))]
        positive = EngineQuery(must=rest or [matching.Every()], must_not=query.must_not)
        pages, scores = self._run(views, masks, stats, positive, False)
        if has_tolerable(rest) and len(matching.unique_values(cols["doc"][pages])) < TOLERANT_BELOW:
            pages, scores = self._run(views, masks, stats, positive, True)
        exact = len(pages) <= MAX_PAGES
        if not exact:  # pages are in index order: keep the first ones
            pages, scores = pages[:MAX_PAGES], scores[:MAX_PAGES]
        facets: dict[str, dict[str, int]] = {"type": {}, "building": {}, "year": {}}
        if not len(pages):
            return EngineResult(0, 0, [], facets, total_exact=exact)
        # Best page per document, documents by their best page's score (ties: index order).
        order = np.lexsort((pages, -scores))
        docnums, scores = pages[order], scores[order]
        docs = cols["doc"][docnums]
        by_doc = np.argsort(docs, kind="stable")  # within a document: best page first
        first = np.sort(by_doc[matching.run_starts(docs[by_doc])])
        best_pages, best_scores, best_docs = docnums[first], scores[first], docs[first]
        facets["type"] = _tally(cols["type"], best_pages)
        facets["building"] = {k: v for k, v in _tally(cols["building"], best_pages).items() if k != "-"}
        years = cols["date"][best_pages] // 10000
        counts = np.bincount(years[years > 0])
        facets["year"] = {str(y): int(counts[y]) for y in np.flatnonzero(counts)}
        hits = []
        for i in range(query.offset, min(len(first), query.offset + query.limit)):
            docnum = int(best_pages[i])
            hits.append(
                EngineHit(int(best_docs[i]), int(s.stored_fields(docnum)["page"]), float(best_scores[i]))
            )
        return EngineResult(len(first), len(pages), hits, facets, total_exact=exact)

    def documents(self) -> dict[int, int]:
        if self.outdated():
            raise IndexOutdated()
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


def index_format(folder: Path) -> str | None:
    """What a generation's FORMAT file says (None when it has none)."""
    try:
        return (folder / FORMAT_FILE).read_text(encoding="ascii").strip()
    except (FileNotFoundError, UnicodeDecodeError):
        return None


# Page lengths and dates of a segment never change once it is written (deletions are kept
# apart), so they are kept per segment id across searcher refreshes.
_segment_data: dict = {}
_SEGMENT_DATA_SIZE = 256


def _per_segment(key, compute):
    if key not in _segment_data:
        if len(_segment_data) >= _SEGMENT_DATA_SIZE:
            _segment_data.clear()
        _segment_data[key] = compute()
    return _segment_data[key]


def _segment_lengths(seg_id: str, reader) -> dict[str, np.ndarray]:
    n = reader.doc_count_all()
    return _per_segment(
        ("lengths", seg_id),
        lambda: {
            f: np.fromiter(
                (reader.doc_field_length(d, f, 1) or 1 for d in range(n)), dtype=np.float64, count=n
            )
            for f in TEXT_FIELDS
        },
    )


def _segment_dates(seg_id: str, reader) -> np.ndarray:
    n = reader.doc_count_all()
    return _per_segment(
        ("dates", seg_id),
        lambda: np.fromiter((v or 0 for v in reader.column_reader("date")), dtype=np.int64, count=n),
    )


def _columns(s) -> dict:
    """The columns grouping and facets read, as arrays indexed by page number (one read per
    searcher instead of one column look-up per matching page); type and building as
    (labels, code per page), for ``_tally``."""
    reader = s.reader()
    n = reader.doc_count_all()

    def text(value) -> str:
        return value.decode("utf-8") if isinstance(value, bytes) else (value or "")

    def codes(name: str) -> tuple[list[str], np.ndarray]:
        labels: dict[str, int] = {}
        values = np.fromiter(
            (labels.setdefault(text(v), len(labels)) for v in reader.column_reader(name)),
            dtype=np.int64,
            count=n,
        )
        return list(labels), values

    doc = np.fromiter((int(text(v) or -1) for v in reader.column_reader("doc")), dtype=np.int64, count=n)
    dates = np.fromiter((v or 0 for v in reader.column_reader("date")), dtype=np.int64, count=n)
    return {"doc": doc, "type": codes("type"), "building": codes("building"), "date": dates}


def _tally(column: tuple[list[str], np.ndarray], pages: np.ndarray) -> dict[str, int]:
    """How many of ``pages`` have each value of a keyword column (labels and codes)."""
    labels, values = column
    counts = np.bincount(values[pages], minlength=len(labels))
    return {labels[i]: int(counts[i]) for i in np.flatnonzero(counts) if labels[i]}
