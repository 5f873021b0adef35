"""Query plans and their evaluation over whole posting lists with numpy.

A query (``search.engine.EngineQuery``) compiles to a small tree of plan nodes (:func:`compile_query`);
:func:`evaluate` runs a node on one index segment and returns the matching pages and their
scores as arrays. Nothing is matched a page at a time in Python:

* A word is a phrase of bigrams. Its terms' positions are keys ``docnum << 32 | position``
  (``search.postings``); the rarest term's keys, shifted by their offset in the phrase, are the
  candidate starts, and each other term keeps the starts where its own key sits at the right
  offset (a sorted ``searchsorted``). The pages are the distinct documents of what is left.
* Filters, the confidential mask, deleted pages and the pages already ruled out by the other
  words of an AND are one boolean array over the segment, applied to the rarest term before
  anything else, so totals and facets are exact for the user who asks.
* OCR tolerance (:class:`Approx`): a Chinese word matches a stretch of a page within
  ``max_edits`` edits (a character misread, dropped or added, the first and last included).
  Candidate starts come from the rarest bigrams (a stretch with ``need`` of the word's bigrams
  holds one of the ``len - need + 1`` rarest); a start is kept when enough bigrams and then
  enough characters sit within ``max_edits`` of their place; the edit distance of the survivors
  is a dynamic programme run for all of them at once. Ranking: exact first (``EXACT_BOOST``),
  then fewer edits (``EDIT_FACTOR`` per edit, an edit at either end counting double, and one
  more when other pages differ from the word in the same way: that is another phrase, not a
  misreading). The edits lower the score of the whole AND the word is part of, so one misread
  word weighs the same whether it is the query's rarest word or its commonest.
* Scores are Whoosh's BM25F (B 0.75, K1 1.2), a phrase scoring the sum of its terms, as Whoosh's
  own phrase query does. The idf and average lengths come from the pages the user may see
  (:class:`VisibleStats`; the whole index, :class:`IndexStats`, for a role cleared for all), so a
  hidden page changes no visible score or order.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from datetime import date

import numpy as np

from search import analysis
from search.engine import Any_, DateIn, EngineQuery, FieldIn, Text
from search.postings import POSITION_BITS, TermArrays, term_cache
from search.whoosh_compat import read_term

TEXT_FIELDS = ("text", "title", "names")
# A phrase found exactly outranks the same words found with one OCR error.
EXACT_BOOST = 2.0
# Words shorter than this must match exactly (a 3-character word with one error left is a bigram).
TOLERANT_MIN_CHARS = 4
# A tolerant match's score is its bigrams' BM25F times EDIT_FACTOR per edit (an edit at the
# first or last character counts 1 + END_EDIT_EXTRA): fewer edits rank first, BM25 within.
EDIT_FACTOR = 0.3
END_EDIT_EXTRA = 1.0
# A damaged stretch that differs from the word exactly as a stretch on another page does ranks
# as if it had this many more edits (see _shared_variant).
SHARED_VARIANT_EXTRA = 1.0
# Words of this many characters or more tolerate two OCR errors, shorter ones one.
TWO_EDITS_FROM = 10
BM25_B, BM25_K1 = 0.75, 1.2
# SegmentView.bm25 reads weights through a dense array when scoring more than 1/DENSE_FROM
# of the segment's pages.
DENSE_FROM = 32

_EMPTY = (np.empty(0, np.int64), np.empty(0), np.empty(0))


def keyword(value: str | None) -> str:
    """Keyword fields are compared folded (case, width, Traditional/Simplified)."""
    return analysis.fold((value or "").strip())


def date_int(d: date | None) -> int:
    return d.year * 10000 + d.month * 100 + d.day if d else 0


# --- plan nodes -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    field: str
    text: str
    boost: float = 1.0


@dataclass(frozen=True)
class Phrase:
    """Terms at consecutive positions (a word's bigrams)."""

    field: str
    words: tuple[str, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class Approx:
    """A Chinese word within ``max_edits`` edits (OCR tolerance)."""

    field: str
    chars: str
    max_edits: int
    boost: float = 1.0


@dataclass(frozen=True)
class Keyword:
    """A keyword field equal to one of ``values`` (inside an OR or an exclusion; top-level
    filters become the segment mask instead)."""

    field: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Dates:
    lo: int
    hi: int


@dataclass(frozen=True)
class AllOf:
    parts: tuple


@dataclass(frozen=True)
class AnyOf:
    parts: tuple


@dataclass(frozen=True)
class Except:
    positive: object
    negative: object


@dataclass(frozen=True)
class Every:
    pass


@dataclass(frozen=True)
class Nothing:
    pass


# --- compilation ----------------------------------------------------------------------------


def max_edits(chars: str) -> int:
    """OCR errors tolerated in a word of ``chars``: one, two from TWO_EDITS_FROM characters."""
    return 2 if len(chars) >= TWO_EDITS_FROM else 1


def tolerable(text: Text) -> bool:
    chars = [c for c in analysis.fold(text.value) if not c.isspace()]
    return not text.exact and len(chars) >= TOLERANT_MIN_CHARS and all(analysis.is_cjk(c) for c in chars)


def _any(parts: list):
    parts = [p for p in parts if not isinstance(p, Nothing)]
    if not parts:
        return Nothing()
    return parts[0] if len(parts) == 1 else AnyOf(tuple(parts))


def _text_in_field(fieldname: str, text: Text, tolerant: bool):
    words = tuple(t.text for t in analysis.query_terms(text.value))
    if not words:
        return None
    exact = Term(fieldname, words[0]) if len(words) == 1 else Phrase(fieldname, words)
    if not tolerant or fieldname != "text" or not tolerable(text):
        return exact
    chars = "".join(c for c in analysis.fold(text.value) if not c.isspace())
    return AnyOf((Phrase(fieldname, words, EXACT_BOOST), Approx(fieldname, chars, max_edits(chars))))


def _compile_part(part, tolerant: bool):
    if isinstance(part, Text):
        subs = [q for q in (_text_in_field(f, part, tolerant) for f in TEXT_FIELDS) if q is not None]
        return _any(subs) if subs else None
    if isinstance(part, FieldIn):
        values = tuple(keyword(v) if part.field != "type" else v for v in part.values)
        return Keyword(part.field, values) if values else Nothing()
    if isinstance(part, DateIn):
        return Dates(
            date_int(part.start) if part.start else 1, date_int(part.end) if part.end else 99_999_999
        )
    if isinstance(part, Any_):
        subs = [q for q in (_compile_part(p, tolerant) for p in part.parts) if q is not None]
        return _any(subs) if subs else None
    if isinstance(part, Every):
        return part
    raise TypeError(f"cannot compile {part!r}")


def has_tolerable(parts) -> bool:
    for p in parts:
        if isinstance(p, Text) and tolerable(p):
            return True
        if isinstance(p, Any_) and has_tolerable(p.parts):
            return True
    return False


def _all_of(parts, tolerant_at=None, tolerant_all: bool = False):
    must = [
        q
        for q in (_compile_part(p, tolerant_all or i == tolerant_at) for i, p in enumerate(parts))
        if q is not None
    ]
    if not must:
        return None
    return must[0] if len(must) == 1 else AllOf(tuple(must))


def compile_query(query: EngineQuery, tolerant: bool = True):
    """The plan of ``query``. With ``tolerant``, a query of several Chinese words lets one of
    them be OCR-damaged on a page (any one: an OR over the words, each branch with the other
    words exact), so that the costly tolerant match runs only on pages holding the others."""
    must_not = [q for q in (_compile_part(p, False) for p in query.must_not) if q is not None]
    positive: object  # a plan node
    if not query.must:
        positive = Every()
    else:
        damaged = (
            [i for i, p in enumerate(query.must) if isinstance(p, Text) and tolerable(p)] if tolerant else []
        )
        if len(damaged) > 1:
            positive = _any(
                [b for b in (_all_of(query.must, tolerant_at=i) for i in damaged) if b is not None]
            )
        else:
            positive = _all_of(query.must, tolerant_all=tolerant) or Nothing()
    if must_not and not isinstance(positive, Nothing):
        positive = Except(positive, _any(must_not))
    return positive


# --- evaluation -----------------------------------------------------------------------------


class IndexStats:
    """BM25's collection statistics (pages, a term's document frequency, average field length)
    of the whole index, as Whoosh keeps them: what a role cleared for everything is scored by."""

    def __init__(self, searcher):
        self.searcher = searcher
        self._weights: dict = {}

    def weight(self, field: str, text: str) -> tuple[float, float]:
        """(idf, average field length) of a term."""
        key = (field, text)
        if key not in self._weights:
            s = self.searcher
            self._weights[key] = (
                _idf(s.doc_count_all(), s.doc_frequency(field, text)),
                s.avg_field_length(field) or 1,
            )
        return self._weights[key]


class VisibleStats(IndexStats):
    """The same statistics over only the pages a role may see (``masks``, one per segment), so a
    page hidden from the user changes none of its scores. A term's document frequency is counted
    once per index version: Whoosh's figure in segments without hidden pages, the visible entries
    of its posting list (one numpy gather) elsewhere."""

    def __init__(self, views: list[SegmentView], masks: list[np.ndarray]):
        super().__init__(None)
        self._parts = [(view, mask, bool(mask.all())) for view, mask in zip(views, masks, strict=True)]
        self.pages = int(sum(np.count_nonzero(m) for m in masks))
        self._avgfl: dict[str, float] = {}

    def weight(self, field: str, text: str) -> tuple[float, float]:
        key = (field, text)
        if key not in self._weights:
            self._weights[key] = (
                _idf(self.pages, self.doc_frequency(field, text)),
                self.avg_field_length(field),
            )
        return self._weights[key]

    def doc_frequency(self, field: str, text: str) -> int:
        n = 0
        for view, mask, whole in self._parts:
            if whole:
                n += view.reader.doc_frequency(field, text)
            elif (ta := view.term(field, text)) is not None:
                n += int(np.count_nonzero(mask[ta.docs]))
        return n

    def avg_field_length(self, field: str) -> float:
        if field not in self._avgfl:
            total = sum(float(view.lengths(field)[mask].sum()) for view, mask, _ in self._parts)
            self._avgfl[field] = total / self.pages if self.pages else 1.0
        return self._avgfl[field] or 1.0


def _idf(pages: int, df: int) -> float:
    return math.log(max(pages, 1) / (df + 1)) + 1


class SegmentView:
    """What evaluation needs of one segment: its terms (through the shared cache), page lengths
    per field, the date column, and the statistics scores are computed with (``scored_by``)."""

    def __init__(self, searcher, reader, segment_id: str, lengths: dict, dates: np.ndarray):
        self.reader = reader
        self.segment_id = segment_id
        self.ndocs = reader.doc_count_all()
        self._lengths = lengths  # field → float64 array of page lengths
        self.dates = dates
        self.stats: IndexStats = IndexStats(searcher)

    def scored_by(self, stats: IndexStats) -> SegmentView:
        """This view, scoring with ``stats`` (a shallow copy: views are shared by every query)."""
        view = copy.copy(self)
        view.stats = stats
        return view

    def term(self, field: str, text: str) -> TermArrays | None:
        return term_cache.get((self.segment_id, field, text), lambda: read_term(self.reader, field, text))

    def lengths(self, field: str) -> np.ndarray:
        return self._lengths[field]

    def bm25(self, field: str, text: str, ta: TermArrays, docs: np.ndarray) -> np.ndarray:
        """The term's BM25F score on each of ``docs`` (0 where the term is not on the page)."""
        idf, avgfl = self.stats.weight(field, text)
        if len(docs) * DENSE_FROM > self.ndocs:
            # Many pages: scatter the weights over the segment once instead of a binary search
            # per page (0 where the term is not on the page).
            dense = np.zeros(self.ndocs)
            dense[ta.docs] = ta.weights
            tf = dense[docs]
        else:
            idx = np.minimum(np.searchsorted(ta.docs, docs), len(ta.docs) - 1)
            tf = np.where(ta.docs[idx] == docs, ta.weights[idx], 0.0)
        fl = self._lengths[field][docs]
        return idf * (tf * (BM25_K1 + 1)) / (tf + BM25_K1 * ((1 - BM25_B) + BM25_B * fl / avgfl))


def _mask_of(docs: np.ndarray, ndocs: int) -> np.ndarray:
    m = np.zeros(ndocs, dtype=bool)
    m[docs] = True
    return m


def run_starts(a: np.ndarray) -> np.ndarray:
    """Where each run of equal values starts in an ascending array (``np.unique`` with
    ``return_index`` for sorted input: numpy's own unique hashes or sorts again, which costs
    10-20× more on the million-element arrays of a common bigram)."""
    starts = np.empty(len(a), dtype=bool)
    if len(a):
        starts[0] = True
        np.not_equal(a[1:], a[:-1], out=starts[1:])
    return np.flatnonzero(starts)


def unique_sorted(a: np.ndarray) -> np.ndarray:
    """The distinct values of an ascending array."""
    return a[run_starts(a)]


def unique_values(a: np.ndarray) -> np.ndarray:
    """The distinct values of any array, ascending (``np.unique`` without its hashing)."""
    return unique_sorted(np.sort(a))


def _near(keys: np.ndarray, targets: np.ndarray, k: int) -> np.ndarray:
    """For each target key, whether ``keys`` holds one within ``k`` of it."""
    if not len(keys):
        return np.zeros(len(targets), dtype=bool)
    idx = np.searchsorted(keys, targets - k)
    found = idx < len(keys)
    return found & (keys[np.minimum(idx, len(keys) - 1)] <= targets + k)


def _member(keys: np.ndarray, targets: np.ndarray) -> np.ndarray:
    return _near(keys, targets, 0)


def evaluate(node, seg: SegmentView, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(pages, scores) of ``node`` on the segment, pages ascending, only where ``mask`` is set."""
    docs, scores, quality = _match(node, seg, mask)
    return docs, scores * quality


def _exact(docs: np.ndarray, scores: np.ndarray):
    return docs, scores, np.ones(len(docs))


def _match(node, seg: SegmentView, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(pages, scores, quality): a page's score is ``scores × quality``. Quality is 1 for an
    exact match and EDIT_FACTOR per edit for an OCR-tolerant one; it multiplies the score of
    the whole AND the damaged word is part of, so a page whose words all match exactly
    outranks one with a misread word, whatever each word's own weight."""
    if isinstance(node, Phrase):
        return _exact(*_phrase(node, seg, mask))
    if isinstance(node, Term):
        ta = seg.term(node.field, node.text)
        if ta is None:
            return _EMPTY
        docs = ta.docs[mask[ta.docs]]
        return _exact(docs, seg.bm25(node.field, node.text, ta, docs) * node.boost)
    if isinstance(node, Approx):
        return _approx(node, seg, mask)
    if isinstance(node, AllOf):
        return _all(node, seg, mask)
    if isinstance(node, AnyOf):
        # Scores add up, the best quality among the parts that matched a page counts.
        results = [r for r in (_match(p, seg, mask) for p in node.parts) if len(r[0])]
        if not results:
            return _EMPTY
        if len(results) == 1:
            return results[0]
        n = seg.ndocs
        present = np.zeros(n, dtype=bool)
        scores, quality = np.zeros(n), np.zeros(n)
        for d, sc, q in results:  # a part's pages are distinct
            present[d] = True
            scores[d] += sc
            quality[d] = np.maximum(quality[d], q)
        docs = np.flatnonzero(present)
        return docs, scores[docs], quality[docs]
    if isinstance(node, Except):
        docs, scores, quality = _match(node.positive, seg, mask)
        if not len(docs):
            return _EMPTY
        out, _ = evaluate(node.negative, seg, _mask_of(docs, seg.ndocs))
        keep = ~_mask_of(out, seg.ndocs)[docs]
        return docs[keep], scores[keep], quality[keep]
    if isinstance(node, Keyword):
        found = [ta.docs for ta in (seg.term(node.field, v) for v in node.values) if ta is not None]
        docs = unique_values(np.concatenate(found)) if found else _EMPTY[0]
        docs = docs[mask[docs]]
        return _exact(docs, np.zeros(len(docs)))
    if isinstance(node, Dates):
        docs = np.nonzero(mask & (seg.dates >= node.lo) & (seg.dates <= node.hi))[0]
        return _exact(docs, np.zeros(len(docs)))
    if isinstance(node, Every):
        docs = np.nonzero(mask)[0]
        return _exact(docs, np.ones(len(docs)))
    if isinstance(node, Nothing):
        return _EMPTY
    raise TypeError(f"cannot evaluate {node!r}")


def _positions(ta: TermArrays) -> np.ndarray:
    """A term's keys: phrases and tolerant words are only looked for in fields with positions."""
    assert ta.keys is not None
    return ta.keys


def _phrase(node: Phrase, seg: SegmentView, mask: np.ndarray):
    found = [seg.term(node.field, w) for w in node.words]
    terms = [t for t in found if t is not None]
    if len(terms) < len(found):
        return _EMPTY[:2]
    keys = [_positions(t) for t in terms]
    order = sorted(range(len(terms)), key=lambda i: len(keys[i]))
    first = keys[order[0]]
    starts = first[mask[first >> POSITION_BITS]] - order[0]
    for i in order[1:]:
        if not len(starts):
            return _EMPTY[:2]
        starts = starts[_member(keys[i], starts + i)]
    docs = unique_sorted(starts >> POSITION_BITS)  # starts are ascending
    if not len(docs):
        return _EMPTY[:2]
    score = np.zeros(len(docs))
    for w, ta in zip(node.words, terms, strict=True):
        score += seg.bm25(node.field, w, ta, docs)
    return docs, score * node.boost


def _cost(node) -> int:
    """Evaluation order inside an AND: plain words first, OCR-tolerant parts last."""
    if isinstance(node, Approx):
        return 2
    if isinstance(node, (AnyOf, AllOf, Except)):
        parts = node.parts if not isinstance(node, Except) else (node.positive,)
        return max(_cost(p) for p in parts)
    return 0


def _all(node: AllOf, seg: SegmentView, mask: np.ndarray):
    results = []
    current = mask
    for part in sorted(node.parts, key=_cost):
        docs, scores, quality = _match(part, seg, current)
        if not len(docs):
            return _EMPTY
        results.append((docs, scores, quality))
        current = _mask_of(docs, seg.ndocs)
    docs = results[-1][0]  # every later part was evaluated inside the earlier ones
    total, quality = np.zeros(len(docs)), np.ones(len(docs))
    for d, s, q in results:
        at = np.searchsorted(d, docs)
        total += s[at]
        quality *= q[at]
    return docs, total, quality


def _approx(node: Approx, seg: SegmentView, mask: np.ndarray):
    chars, k, field = node.chars, node.max_edits, node.field
    n = len(chars)
    need = max(1, (n - 1) - 2 * k)
    found = [(j, seg.term(field, chars[j : j + 2])) for j in range(n - 1)]
    bigrams = [(j, ta) for j, ta in found if ta is not None]
    if len(bigrams) < need:
        return _EMPTY
    bigrams.sort(key=lambda x: len(_positions(x[1])))
    # A stretch holding `need` of the bigrams holds one of the len - need + 1 rarest.
    rarest = [(j, _positions(ta)) for j, ta in bigrams[: len(bigrams) - need + 1]]
    starts = unique_values(np.concatenate([keys[mask[keys >> POSITION_BITS]] - j for j, keys in rarest]))
    if not len(starts):
        return _EMPTY
    votes = np.zeros(len(starts), dtype=np.int64)
    for j, ta in bigrams:
        votes += _near(_positions(ta), starts + j, k)
    starts = starts[votes >= need]
    if not len(starts):
        return _EMPTY
    # n - k of the word's characters within k of their place.
    unigrams = [seg.term(field, c) for c in chars]
    keys_of = [_positions(u) if u is not None else np.empty(0, np.int64) for u in unigrams]
    placed = np.zeros(len(starts), dtype=np.int64)
    for i in range(n):
        placed += _near(keys_of[i], starts + i, k)
    starts = starts[placed >= n - k]
    if not len(starts):
        return _EMPTY
    edits = _edit_distances(keys_of, starts, k)
    ok = edits <= k
    starts, edits = starts[ok], edits[ok]
    if not len(starts):
        return _EMPTY
    # An edit at either end of the word counts twice in the ranking: a stretch that differs only
    # at its ends is more often another phrase sharing the middle (a stock phrase, a neighbouring
    # name) than the word misread.
    ends = (~_near(keys_of[0], starts, k)).astype(np.int64) + (~_near(keys_of[n - 1], starts + n - 1, k))
    cost = edits + END_EDIT_EXTRA * ends
    page = starts >> POSITION_BITS
    order = np.lexsort((cost, page))  # each page's cheapest stretch first
    first = run_starts(page[order])
    docs, best = page[order][first], cost[order][first]
    best = best + SHARED_VARIANT_EXTRA * _shared_variant(keys_of, starts[order][first], best > 0)
    score = np.zeros(len(docs))
    for j, ta in bigrams:
        score += seg.bm25(field, chars[j : j + 2], ta, docs)
    return docs, score * node.boost, EDIT_FACTOR**best


def _shared_variant(keys_of: list[np.ndarray], starts: np.ndarray, damaged: np.ndarray) -> np.ndarray:
    """Whether each damaged stretch differs from the word the same way as another page's
    stretch does (the same characters out of place). A misreading is the page's own; the same
    difference on several pages is more often another phrase (杭州安居 for 广州安居)."""
    shared = np.zeros(len(starts), dtype=bool)
    if damaged.sum() < 2:
        return shared
    placed = np.stack([_member(keys, starts[damaged] + i) for i, keys in enumerate(keys_of)], axis=1)
    _, inverse, counts = np.unique(placed, axis=0, return_inverse=True, return_counts=True)
    shared[damaged] = counts[inverse.ravel()] > 1
    return shared


def _edit_distances(keys_of: list[np.ndarray], starts: np.ndarray, k: int) -> np.ndarray:
    """Fewest edits turning the word into some stretch of the page around each start (the
    window from ``start - k`` to ``start + n + k``), for every start at once."""
    n = len(keys_of)
    width = n + 2 * k
    cols = starts[:, None] - k + np.arange(width)[None, :]
    here = [_member(keys, cols.ravel()).reshape(cols.shape) for keys in keys_of]  # here[i][s, c]
    prev = np.repeat(np.arange(n + 1)[:, None], len(starts), axis=1)
    best = prev[n].copy()
    for c in range(width):
        cur = np.empty_like(prev)
        cur[0] = 0
        for i in range(1, n + 1):
            sub = prev[i - 1] + (~here[i - 1][:, c])
            cur[i] = np.minimum(np.minimum(sub, prev[i] + 1), cur[i - 1] + 1)
        np.minimum(best, cur[n], out=best)
        prev = cur
    return best
