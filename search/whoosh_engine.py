"""The Whoosh implementation of :class:`search.engine.SearchEngine`.

Layout of the index folder (``DOSSIER_INDEX_DIR``)::

    current -> gen-000002     symlink to the live generation (replaced atomically by a rebuild)
    gen-000002/               a Whoosh index
    write.lock, journal ...   the single writer's lock and journal (see search.writer)

Page text is analysed (positions kept, for phrases) but not stored: snippets are computed from
the catalog's page text. Keyword fields used for filters and facets are sortable (columns), so
facet counts and the per-document grouping read columns instead of stored fields.

How a search runs (``WhooshEngine.search``):

* Top-level filters (type, household, community, building, date) and the confidential mask
  become per-segment sets of page numbers, cached per searcher (recomputed only when the index
  changed). Text is matched only on pages they admit: a phrase's positions are never read on a
  page that a filter or the user's clearance rules out, so totals and facets are exact for the
  user who asks.
* A word is a phrase of bigrams, matched by ``_PhraseMatcher``: the term postings are
  intersected by leapfrogging, rarest first, and positions compared as integer sets (Whoosh's
  own phrase matcher builds Span objects per posting, several times slower).
* Only when the exact query finds fewer than TOLERANT_BELOW documents is it run again with OCR
  tolerance: a Chinese word of 4+ characters also matches pages holding it within
  ``max_edits`` edits (``_ApproxQ``: misread, dropped or added characters anywhere, the first
  and last included; one edit, two from TWO_EDITS_FROM characters), ranked below exact
  matches. Of several such words, one per page may be damaged (see ``compile_query``).
* Every matching page is scored (BM25F, page lengths read once per segment); pages are grouped
  per document and facets counted with numpy over columns read once per searcher.
"""

from __future__ import annotations

import bisect
import os
from itertools import accumulate
from pickle import loads as _pickle_loads
import shutil
import threading
from datetime import date
from pathlib import Path
from typing import Iterable

import numpy as np
from whoosh import analysis as wa
from whoosh import fields as wf
from whoosh import index as wi
from whoosh import query as wq
from whoosh import scoring
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching import ReadTooFar, mcore

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
# A tolerant match's score is its bigrams' BM25F times EDIT_FACTOR per edit (an edit at the
# first or last character counts 1 + END_EDIT_EXTRA): fewer edits rank first, BM25 within.
EDIT_FACTOR = 0.3
# Words of this many characters or more tolerate two OCR errors, shorter ones one.
TWO_EDITS_FROM = 10
END_EDIT_EXTRA = 1.0
# Matching pages collected per query at most. A query matching more pages (a stock word in a
# large archive) is collected in index order up to here: its total and facets then count the
# pages collected (EngineResult.total_exact is False, the API says "total_exact": false and the
# page "at least N") and its hits are the best of those pages. Bounds such a query's time
# (about 20-45 µs a page); permission filtering stays exact, it happens before counting.
MAX_PAGES = 20_000
FILTER_CACHE_SIZE = 64


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


# --- matchers: phrases and OCR-tolerant words, verified on integer positions ------------------

class _Restrict:
    """Which documents of one segment may match at all: ``allowed`` (sorted list, or None for
    every document) minus ``excluded`` (a set, or None). Filters and the confidential mask are
    applied here, before any positions are read, so a phrase is verified only on pages the user
    may see and the filters admit."""

    __slots__ = ("allowed", "allowed_set", "excluded")

    def __init__(self, allowed: list[int] | None = None, excluded: set[int] | None = None):
        self.allowed = allowed
        self.allowed_set = set(allowed) if allowed is not None else None
        self.excluded = excluded or None

    def next_ok(self, docnum: int) -> int | None:
        """The first admitted document number >= ``docnum`` (None: there is none)."""
        allowed, excluded = self.allowed, self.excluded
        if allowed is not None:
            i = bisect.bisect_left(allowed, docnum)
            while i < len(allowed) and excluded is not None and allowed[i] in excluded:
                i += 1
            return allowed[i] if i < len(allowed) else None
        if excluded is not None:
            while docnum in excluded:
                docnum += 1
        return docnum

    def ok(self, docnum: int) -> bool:
        if self.allowed_set is not None and docnum not in self.allowed_set:
            return False
        return self.excluded is None or docnum not in self.excluded


_NO_RESTRICT = _Restrict()


def _restrict_of(context) -> _Restrict:
    return getattr(context, "dossier_restrict", None) or _NO_RESTRICT


def _leaf(searcher, context, fieldname: str, text: str):
    """The postings matcher of one term, or None when the term is not in this segment."""
    reader = searcher.reader()
    if (fieldname, text) not in reader:
        return None
    return wq.Term(fieldname, text).matcher(searcher, context)


def _positions(m) -> list[int]:
    """The positions of a posting (the ``Positions`` format: a count, then the pickled deltas),
    decoded in C instead of Whoosh's Python loop."""
    v = m.value()
    if not v.endswith(b"."):
        v += b"."
    return list(accumulate(_pickle_loads(v[4:])))


def _w3_skip_to(self, targetid):
    """``W3LeafMatcher.skip_to`` with a binary search inside the block instead of Whoosh's walk
    posting by posting (same contract: ReadTooFar when inactive; at the first id >= target)."""
    if not self.is_active():
        raise ReadTooFar
    if targetid <= self.id():
        return
    while targetid > self._maxid:
        self._next_block()
        if self._atend:
            return
    if self._ids is None:
        self._read_ids()
    self._i = bisect.bisect_left(self._ids, targetid, self._i)


# Installed on Whoosh's postings matcher, so that its own AND/OR matchers skip as fast.
W3LeafMatcher.skip_to = _w3_skip_to


def _skip_to(m, target: int) -> None:
    if m.is_active():
        m.skip_to(target)


def _align(ms: list, target: int, restrict: _Restrict) -> int | None:
    """Leapfrog the matchers (rarest first) to the next document >= ``target`` that all of them
    hold and ``restrict`` admits; None when one of them runs out."""
    while True:
        target = restrict.next_ok(target)
        if target is None:
            return None
        moved = False
        for m in ms:
            if m.id() < target:
                _skip_to(m, target)
                if not m.is_active():
                    return None
            if m.id() != target:
                target = m.id()
                moved = True
                break
        if not moved:
            return target


class _LazyMatcher(mcore.Matcher):
    """A matcher that finds its next match on demand: subclasses set ``_id`` (None at the end)
    and ``_score`` in ``_find(target)``, the first match at or after ``target``."""

    _id: int | None = None
    _score: float = 0.0

    def _find(self, target: int) -> None:
        raise NotImplementedError

    def is_active(self):
        return self._id is not None

    def id(self):
        return self._id

    def next(self):
        self._find(self._id + 1)

    def skip_to(self, id):
        if self._id is not None and id > self._id:
            self._find(id)

    def score(self):
        return self._score

    def weight(self):
        return 1.0

    def supports_block_quality(self):
        return False

    def replace(self, minquality=0):
        return self if self.is_active() else mcore.NullMatcher()

    def copy(self):
        raise NotImplementedError("matched once, in order")

    def depth(self):
        return 1


class _PhraseMatcher(_LazyMatcher):
    """Documents holding every term at ``position + offset`` for one position: the leaf
    matchers are intersected by leapfrogging (rarest first) and positions are compared as
    integer sets. Replaces Whoosh's ``SpanNear2`` (Span objects, sorted lists) for our phrases
    of bigrams; the score is the sum of the terms' BM25F scores, as Whoosh's phrase score."""

    def __init__(self, ms: list, offsets: list[int], drive: list, restrict: _Restrict, boost: float = 1.0,
                 positions: bool = True):
        self._ms = ms
        self._offsets = offsets if positions else None
        self._drive = list(drive)
        self._restrict = restrict
        self._boost = boost
        self._id = None
        self._find(0)

    def _verify(self) -> bool:
        if self._offsets is None:          # every term on the page is enough
            return True
        common: set[int] | None = None
        for m, off in zip(self._ms, self._offsets):
            ps = {p - off for p in _positions(m)}
            common = ps if common is None else common & ps
            if not common:
                return False
        return True

    def _find(self, target: int) -> None:
        while True:
            d = _align(self._drive, target, self._restrict)
            if d is None:
                self._id = None
                return
            if self._verify():
                self._id = d
                return
            target = d + 1

    def score(self):
        return sum(m.score() for m in self._ms) * self._boost

    def term_matchers(self):
        return iter(self._ms)




class _PhraseQ(wq.Query):
    """A phrase of terms at given offsets (0, 1, 2, ... for consecutive bigrams)."""

    def __init__(self, fieldname: str, words: list[str], offsets: list[int] | None = None, boost: float = 1.0,
                 positions: bool = True):
        self.fieldname = fieldname
        self.words = list(words)
        self.offsets = list(offsets) if offsets is not None else list(range(len(words)))
        self.boost = boost
        self.positions = positions      # False: every term anywhere on the page (a superset)

    def __eq__(self, other):
        return (type(self) is type(other) and self.fieldname == other.fieldname and self.words == other.words
                and self.offsets == other.offsets and self.boost == other.boost and self.positions == other.positions)

    def __hash__(self):
        return hash((self.fieldname, tuple(self.words), tuple(self.offsets), self.boost, self.positions))

    def __repr__(self):
        return f"_PhraseQ({self.fieldname!r}, {self.words!r}, {self.offsets!r}, boost={self.boost})"

    def field(self):
        return self.fieldname

    def has_terms(self):
        return True

    def terms(self, phrases=False):
        for w in self.words:
            yield (self.fieldname, w)

    def estimate_size(self, ixreader):
        return min(ixreader.doc_frequency(self.fieldname, w) for w in self.words)

    def estimate_min_size(self, ixreader):
        return 0

    def matcher(self, searcher, context=None):
        reader = searcher.reader()
        leaves = []
        for w in self.words:
            m = _leaf(searcher, context, self.fieldname, w)
            if m is None or not m.is_active():
                return mcore.NullMatcher()
            leaves.append((reader.doc_frequency(self.fieldname, w), m))
        ms = [m for _, m in leaves]
        drive = [m for _, m in sorted(leaves, key=lambda x: x[0])]
        return _PhraseMatcher(ms, self.offsets, drive, _restrict_of(context), self.boost, self.positions)


def _edits(query: str, window: list[set[int]]) -> int:
    """Fewest edits (substitutions, insertions, deletions) turning ``query`` into some stretch of
    ``window``, where ``window[t]`` holds the indexes of the query characters found at that
    position of the page (an empty set: a character the query does not have)."""
    n = len(query)
    prev = list(range(n + 1))
    best = prev[n]
    for col in window:
        cur = [0] * (n + 1)
        for i in range(1, n + 1):
            sub = prev[i - 1] + (0 if (i - 1) in col else 1)
            ins = prev[i] + 1
            dele = cur[i - 1] + 1
            cur[i] = sub if sub < ins and sub < dele else (ins if ins < dele else dele)
        if cur[n] < best:
            best = cur[n]
        prev = cur
    return best


class _ApproxQ(wq.Query):
    """A Chinese word as OCR may have read it: pages holding a stretch of text within
    ``max_edits`` edits of the word (a character misread, dropped or added anywhere, the first
    and last included).

    Candidates are pages holding at least (bigrams - 2 × max_edits) of the word's bigrams (an
    edit breaks at most two), found from the rarest bigrams' postings; on each, the word is
    aligned around every place where its bigrams sit at the right distance, with an edit
    distance over the positions of its characters (unigrams). Score: the BM25F of the bigrams
    found, divided by (1 + edits)."""

    def __init__(self, fieldname: str, chars: str, max_edits: int, boost: float = 1.0):
        self.fieldname = fieldname
        self.chars = chars
        self.max_edits = max_edits
        self.boost = boost

    def __eq__(self, other):
        return (type(self) is type(other) and self.fieldname == other.fieldname and self.chars == other.chars
                and self.max_edits == other.max_edits and self.boost == other.boost)

    def __hash__(self):
        return hash((self.fieldname, self.chars, self.max_edits, self.boost))

    def __repr__(self):
        return f"_ApproxQ({self.fieldname!r}, {self.chars!r}, {self.max_edits})"

    def field(self):
        return self.fieldname

    def has_terms(self):
        return True

    def terms(self, phrases=False):
        for j in range(len(self.chars) - 1):
            yield (self.fieldname, self.chars[j:j + 2])

    def estimate_size(self, ixreader):
        return max([ixreader.doc_frequency(self.fieldname, w) for _, w in self.terms()] or [0])

    def estimate_min_size(self, ixreader):
        return 0

    def matcher(self, searcher, context=None):
        chars, k, f = self.chars, self.max_edits, self.fieldname
        reader = searcher.reader()
        need = max(1, (len(chars) - 1) - 2 * k)
        bigrams = []                       # (doc frequency, offset)
        for j in range(len(chars) - 1):
            if (f, chars[j:j + 2]) in reader:
                bigrams.append((reader.doc_frequency(f, chars[j:j + 2]), j))
        if len(bigrams) < need:
            return mcore.NullMatcher()
        bigrams.sort()
        return _ApproxMatcher(self, searcher, context, [j for _, j in bigrams], need)


class _ApproxMatcher(_LazyMatcher):
    """Lazy, so that inside an AND only the pages the other words admit are checked."""

    def __init__(self, q: _ApproxQ, searcher, context, offsets: list[int], need: int):
        self._q, self._searcher, self._context = q, searcher, context
        chars, f = q.chars, q.fieldname
        self._need = need
        self._restrict = _restrict_of(context)
        # A page with `need` of the bigrams holds at least one of the rarest (len - need + 1).
        self._drivers = [_leaf(searcher, context, f, chars[j:j + 2]) for j in offsets[: len(offsets) - need + 1]]
        self._checks = [(j, _leaf(searcher, context, f, chars[j:j + 2])) for j in offsets]
        self._unigrams: dict[str, object] = {}
        self._id = None
        self._score = 0.0
        self._find(0)

    def _find(self, target: int) -> None:
        while True:
            cand = None
            for m in self._drivers:
                if m.is_active() and m.id() < target:
                    _skip_to(m, target)
                if m.is_active() and (cand is None or m.id() < cand):
                    cand = m.id()
            if cand is None:
                self._id = None
                return
            nxt = self._restrict.next_ok(cand)
            if nxt is None:
                self._id = None
                return
            if nxt != cand:
                target = nxt
                continue
            score = self._check(cand)
            if score is not None:
                self._id, self._score = cand, score
                return
            target = cand + 1

    def _check(self, d: int) -> float | None:
        found = []
        for j, m in self._checks:
            if m.is_active() and m.id() < d:
                _skip_to(m, d)
            if m.is_active() and m.id() == d:
                found.append((j, m))
        if len(found) < self._need:
            return None
        # n - k of the word's characters must be on the page (a look at postings, no positions).
        n, k = len(self._q.chars), self._q.max_edits
        if len(found) < n - 1 and sum(1 for c in self._q.chars if self._holds(c, d)) < n - k:
            return None
        errors = self._best_edits(d, found)
        if errors is None:
            return None
        return sum(m.score() for _, m in found) * self._q.boost * EDIT_FACTOR ** errors

    def _unigram(self, c: str):
        if c not in self._unigrams:
            self._unigrams[c] = _leaf(self._searcher, self._context, self._q.fieldname, c)
        return self._unigrams[c]

    def _holds(self, c: str, d: int) -> bool:
        m = self._unigram(c)
        if m is None:
            return False
        if m.is_active() and m.id() < d:
            _skip_to(m, d)
        return m.is_active() and m.id() == d

    def _char_positions(self, d: int) -> list[set[int]]:
        """For each character of the word, its positions on page ``d``."""
        out: list[set[int]] = []
        for c in self._q.chars:
            out.append(set(_positions(self._unigrams[c])) if self._holds(c, d) else set())
        return out

    def _best_edits(self, d: int, found) -> float | None:
        """The lowest ranking cost (edits, end edits counted 1 + END_EDIT_EXTRA) of the word on
        page ``d``, None when no stretch of it is within ``max_edits`` edits."""
        chars, k = self._q.chars, self._q.max_edits
        n = len(chars)
        at = {j: _positions(m) for j, m in found}
        if len(found) == n - 1:
            common = None
            for j, ps in at.items():
                shifted = {p - j for p in ps}
                common = shifted if common is None else common & shifted
                if not common:
                    break
            if common:
                return 0                   # the word itself is on the page
        # Anchors: where the word would start if bigram j were in place (give or take k).
        votes: dict[int, set[int]] = {}
        for j, ps in at.items():
            for p in ps:
                for a in range(p - j - k, p - j + k + 1):
                    votes.setdefault(a, set()).add(j)
        # Only where a bigram sits exactly (the edit distance below looks k either side).
        anchors = sorted({p - j for j, ps in at.items() for p in ps if len(votes[p - j]) >= self._need})
        if not anchors:
            return None
        pos_of = self._char_positions(d)
        near = range(-k, k + 1)

        def placed(i: int, p: int) -> bool:          # character i within k of position p
            ps = pos_of[i]
            return any(p + s_ in ps for s_ in near)

        best = None
        done: set[int] = set()
        for a in anchors:
            if a in done:
                continue
            # At least n - k of the word's characters must be within k of their place.
            if sum(1 for i in range(n) if placed(i, a + i)) < n - k:
                continue
            done.update(range(a - k, a + k + 1))
            window = [{i for i in range(n) if p in pos_of[i]} for p in range(a - k, a + n + k)]
            e = _edits(chars, window)
            if e > k:
                continue
            # An edit at either end of the word counts twice in the ranking: a stretch that
            # differs only at its ends is more often another phrase sharing the middle (a stock
            # phrase, a neighbouring name) than the word misread.
            ends = (not placed(0, a)) + (not placed(n - 1, a + n - 1))
            cost = e + END_EDIT_EXTRA * ends
            if best is None or cost < best:
                best = cost
                if cost == 0:
                    break
        return best


# --- query compilation ----------------------------------------------------------------------

def _or(subs: list) -> wq.Query:
    """An Or that unions its parts as they are read (Whoosh's automatic choice preloads every
    part over the whole index when it holds fewer than 5,000 pages)."""
    q = wq.Or(subs)
    q.matcher_type = wq.Or.DEFAULT_MATCHER
    return q


def max_edits(chars: str) -> int:
    """OCR errors tolerated in a word of ``chars``: one, two from TWO_EDITS_FROM characters."""
    return 2 if len(chars) >= TWO_EDITS_FROM else 1


def _text_in_field(fieldname: str, text: Text, tolerant: bool = True) -> wq.Query | None:
    terms = analysis.query_terms(text.value)
    if not terms:
        return None
    words = [t.text for t in terms]
    exact = wq.Term(fieldname, words[0]) if len(words) == 1 else _PhraseQ(fieldname, words)
    if not tolerant or fieldname != "text" or not _tolerable(text):
        return exact
    # OCR tolerance: the word as found exactly (ranked first) or within a few edits.
    chars = "".join(c for c in analysis.fold(text.value) if not c.isspace())
    return _or([_PhraseQ(fieldname, words, boost=EXACT_BOOST), _ApproxQ(fieldname, chars, max_edits(chars))])


def _tolerable(text: Text) -> bool:
    chars = [c for c in analysis.fold(text.value) if not c.isspace()]
    return not text.exact and len(chars) >= TOLERANT_MIN_CHARS and all(analysis.is_cjk(c) for c in chars)


def _text_query(text: Text, tolerant: bool = True) -> wq.Query | None:
    parts = [q for q in (_text_in_field(f, text, tolerant) for f in TEXT_FIELDS) if q is not None]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else _or(parts)


def _compile_part(part, tolerant: bool = True) -> wq.Query | None:
    if isinstance(part, Text):
        return _text_query(part, tolerant)
    if isinstance(part, FieldIn):
        values = [keyword(v) if part.field != "type" else v for v in part.values]
        if not values:
            return wq.NullQuery
        terms = [wq.Term(part.field, v) for v in values]
        return terms[0] if len(terms) == 1 else _or(terms)
    if isinstance(part, DateIn):
        lo = _date_int(part.start) if part.start else 1
        hi = _date_int(part.end) if part.end else None   # open-ended (a huge bound misfires)
        return wq.NumericRange("date", lo, hi)
    if part is _EVERY:
        return wq.Every()
    if isinstance(part, Any_):
        subs = [q for q in (_compile_part(p, tolerant) for p in part.parts) if q is not None]
        return _or(subs) if subs else None
    raise TypeError(f"cannot compile {part!r}")


def _has_tolerable(parts) -> bool:
    for p in parts:
        if isinstance(p, Text) and _tolerable(p):
            return True
        if isinstance(p, Any_) and _has_tolerable(p.parts):
            return True
    return False


def _all_of(parts, tolerant_at=None, tolerant_all: bool = False) -> wq.Query | None:
    """The AND of ``parts``; OCR tolerance for every part or only for the one at ``tolerant_at``.
    None: nothing can match."""
    must = [q for q in (_compile_part(p, tolerant_all or i == tolerant_at) for i, p in enumerate(parts))
            if q is not None]
    if not must:
        return None
    return must[0] if len(must) == 1 else wq.And(must)


def compile_query(query: EngineQuery, tolerant: bool = True) -> wq.Query:
    """The Whoosh query. With ``tolerant``, a query of several Chinese words lets one of them be
    OCR-damaged on a page (any one: an OR over the words, each branch with the other words
    exact), so that the costly tolerant match runs only on pages that hold the other words."""
    must_not = [q for q in (_compile_part(p, False) for p in query.must_not) if q is not None]
    if not query.must:
        positive: wq.Query = wq.Every()
    else:
        damaged = [i for i, p in enumerate(query.must) if isinstance(p, Text) and _tolerable(p)] if tolerant else []
        if len(damaged) > 1:
            branches = [b for b in (_all_of(query.must, tolerant_at=i) for i in damaged) if b is not None]
            positive = _or(branches) if branches else None
        else:
            positive = _all_of(query.must, tolerant_all=tolerant)
        if positive is None:
            return wq.NullQuery
    if must_not:
        positive = wq.AndNot(positive, must_not[0] if len(must_not) == 1 else _or(must_not))
    return positive


def _superset(q: wq.Query) -> wq.Query:
    """A query matching at least the pages ``q`` matches, from postings alone (no positions):
    a phrase becomes its terms anywhere on the page, a tolerant word any of its bigrams, and
    exclusions are dropped."""
    if isinstance(q, _PhraseQ):
        return _PhraseQ(q.fieldname, q.words, q.offsets, q.boost, positions=False)
    if isinstance(q, _ApproxQ):
        return _or([wq.Term(q.fieldname, w) for _, w in q.terms()])
    if isinstance(q, wq.AndNot):
        return _superset(q.a)
    if isinstance(q, wq.Or):
        return _or([_superset(c) for c in q.subqueries])
    if isinstance(q, wq.And):
        return wq.And([_superset(c) for c in q.subqueries])
    return q


def _needs_candidates(query: EngineQuery) -> bool:
    """Several words (or an OR of them) in one query: the AND of their terms, read from postings
    alone, narrows the pages on which each word's positions are then checked."""
    texts = [p for p in query.must if isinstance(p, (Text, Any_))]
    return len(texts) >= 2 or any(isinstance(p, Any_) for p in texts)


def _candidates(s, q: wq.Query, restricts: list[_Restrict]) -> list[_Restrict]:
    """``restricts`` narrowed to the pages the superset of ``q`` matches."""
    ctx = s.boolean_context()
    out = []
    for (sub, _), restrict in zip(s.leaf_searchers(), restricts):
        found = [d for d, _ in _admitted(_superset(q), sub, ctx, restrict)]
        out.append(_Restrict(found, restrict.excluded))
    return out


class _BM25F(scoring.BM25F):
    """Whoosh's BM25F with each field's page lengths read once per segment into a list (the
    stock scorer reads the length column once per posting it scores)."""

    def scorer(self, searcher, fieldname, text, qf=1):
        sc = super().scorer(searcher, fieldname, text, qf=qf)
        if hasattr(sc, "dfl"):
            sc.dfl = _field_lengths(searcher.reader(), fieldname).__getitem__
        return sc


def _field_lengths(reader, fieldname: str) -> list[int]:
    cache = reader.__dict__.setdefault("_dossier_lengths", {})
    if fieldname not in cache:
        cache[fieldname] = [reader.doc_field_length(d, fieldname, 1) or 1 for d in range(reader.doc_count_all())]
    return cache[fieldname]


# --- the engine ----------------------------------------------------------------------------

class _ReaderState:
    """One process's open searcher on one index folder, refreshed when the index changed."""

    def __init__(self):
        self.lock = threading.Lock()
        self.target: str | None = None
        self.searcher = None
        self.cache: dict = {}          # filter and mask sets of this searcher


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
            state.searcher = wi.open_dir(target).searcher(weighting=_BM25F())
            state.target = target
            state.cache = {}
        elif not state.searcher.up_to_date():
            # A fresh reader, not Searcher.refresh(): refresh() reuses segment readers whose
            # deletions may be stale (a destroyed document would linger), and closes resources
            # another thread may still be reading. The old searcher is left to the collector.
            state.searcher = wi.open_dir(target).searcher(weighting=_BM25F())
            state.cache = {}
        return state.searcher

    # Filters (top-level type/household/community/building/date parts) and the confidential mask
    # become per-segment document-number sets, cached per searcher: they are read once per index
    # version, and the text part of a query is verified only on the pages they admit.
    def _cached(self, state: _ReaderState, key, compute):
        cache = state.cache
        if key not in cache:
            if len(cache) >= FILTER_CACHE_SIZE:
                cache.clear()
            cache[key] = compute()
        return cache[key]

    def _segment_sets(self, s, ids_of) -> list:
        return [ids_of(sub) for sub, _ in s.leaf_searchers()]

    def _confidential(self, state: _ReaderState, s) -> list[set[int]]:
        return self._cached(state, ("confidential",), lambda: self._segment_sets(
            s, lambda sub: set(_term_ids(sub, "confidential", "y"))))

    def _filter_sets(self, state: _ReaderState, s, part) -> list[set[int]]:
        if isinstance(part, FieldIn):
            values = tuple(sorted(keyword(v) if part.field != "type" else v for v in part.values))

            def compute():
                return self._segment_sets(s, lambda sub: {d for v in values for d in _term_ids(sub, part.field, v)})
            return self._cached(state, ("in", part.field, values), compute)
        lo = _date_int(part.start) if part.start else 1
        hi = _date_int(part.end) if part.end else 99999999

        def dates():
            out = []
            for sub, _ in s.leaf_searchers():
                r = sub.reader()
                arr = np.fromiter((v or 0 for v in r.column_reader("date")), dtype=np.int64, count=r.doc_count_all())
                deleted = r.deleted_docs_set if hasattr(r, "deleted_docs_set") else frozenset()
                out.append((arr, deleted))
            return out

        def compute():
            sets = []
            for arr, deleted in self._cached(state, ("dates",), dates):
                found = set(np.nonzero((arr >= lo) & (arr <= hi))[0].tolist())
                sets.append(found - deleted if deleted else found)
            return sets
        return self._cached(state, ("date", lo, hi), compute)

    @staticmethod
    def _run(s, query: EngineQuery, tolerant: bool, restricts: list[_Restrict]):
        q = compile_query(query, tolerant=tolerant)
        if _needs_candidates(query):
            restricts = _candidates(s, q, restricts)
        return _collect(s, q, restricts)

    def search(self, query: EngineQuery) -> EngineResult:
        state = self._state()
        with state.lock:
            s = self._searcher(state)
            if s is None:
                return EngineResult(0, 0, [], {"type": {}, "building": {}, "year": {}})
            filters = [p for p in query.must if isinstance(p, (FieldIn, DateIn))]
            rest = [p for p in query.must if not isinstance(p, (FieldIn, DateIn))]
            allowed: list[list[int] | None] = [None] * len(s.leaf_searchers())
            for part in filters:
                sets = self._filter_sets(state, s, part)
                allowed = [set(x) if a is None else a & x for a, x in zip(allowed, sets)]
            allowed = [sorted(a) if a is not None else None for a in allowed]
            excluded = self._confidential(state, s) if query.hide_confidential else [None] * len(allowed)
        restricts = [_Restrict(a, x) for a, x in zip(allowed, excluded)]
        positive = EngineQuery(must=rest or [_EVERY], must_not=query.must_not)
        pages, exact = self._run(s, positive, False, restricts)
        if _has_tolerable(rest) and _distinct_docs(pages, s) < TOLERANT_BELOW:
            pages, exact = self._run(s, positive, True, restricts)
        with state.lock:
            cols = self._cached(state, ("columns",), lambda: _columns(s))
        facets: dict[str, dict[str, int]] = {"type": {}, "building": {}, "year": {}}
        if not pages:
            return EngineResult(0, 0, [], facets, total_exact=exact)
        # Best page per document, documents by their best page's score (ties: index order).
        scores = np.fromiter((p[0] for p in pages), dtype=np.float64, count=len(pages))
        docnums = np.fromiter((p[1] for p in pages), dtype=np.int64, count=len(pages))
        order = np.lexsort((docnums, -scores))
        docnums, scores = docnums[order], scores[order]
        docs = cols["doc"][docnums]
        _, first = np.unique(docs, return_index=True)
        first.sort()
        best_pages, best_scores, best_docs = docnums[first], scores[first], docs[first]
        facets["type"] = _tally(cols["type"][best_pages])
        facets["building"] = {k: v for k, v in _tally(cols["building"][best_pages]).items() if k != "-"}
        years = cols["date"][best_pages] // 10000
        facets["year"] = {str(y): n for y, n in zip(*(a.tolist() for a in np.unique(years[years > 0], return_counts=True)))}
        hits = []
        for i in range(query.offset, min(len(first), query.offset + query.limit)):
            docnum = int(best_pages[i])
            hits.append(EngineHit(int(best_docs[i]), int(s.stored_fields(docnum)["page"]), float(best_scores[i])))
        return EngineResult(len(first), len(pages), hits, facets, total_exact=exact)

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


def _term_ids(sub, fieldname: str, text: str) -> list[int]:
    """Document numbers (of one segment) holding a term, deleted documents left out."""
    reader = sub.reader()
    if (fieldname, text) not in reader:
        return []
    return list(reader.postings(fieldname, text).all_ids())


class _Every:
    """Placeholder for "every page" in a query whose parts are all filters."""


_EVERY = _Every()


def _collect(s, q: wq.Query, restricts: list[_Restrict]) -> tuple[list[tuple[float, int]], bool]:
    """(score, page number) of every page matching ``q`` that the segment's restriction admits;
    the flag is False when the collection stopped at MAX_PAGES."""
    ctx = s.context(needs_current=True)
    pages: list[tuple[float, int]] = []
    for (sub, offset), restrict in zip(s.leaf_searchers(), restricts):
        for d, m in _admitted(q, sub, ctx, restrict):
            if len(pages) >= MAX_PAGES:          # one match more than collected
                return pages, False
            pages.append((m.score(), offset + d))
    return pages, True


def _admitted(q: wq.Query, sub, ctx, restrict: _Restrict):
    """(page number, matcher positioned on it) for each page of segment ``sub`` that matches
    ``q`` and that ``restrict`` admits."""
    if restrict.allowed is not None and not restrict.allowed:
        return
    m = q.matcher(sub, ctx.set(dossier_restrict=restrict))
    while m.is_active():
        d = m.id()
        nxt = restrict.next_ok(d)
        if nxt is None:
            return
        if nxt != d:
            m.skip_to(nxt)
            continue
        yield d, m
        m.next()


def _distinct_docs(pages, searcher) -> int:
    col = searcher.reader().column_reader("doc")
    return len({col[docnum] for _, docnum in pages})


def _columns(s) -> dict[str, np.ndarray]:
    """The columns grouping and facets read, as arrays indexed by page number (one read per
    searcher instead of one column look-up per matching page)."""
    reader = s.reader()
    n = reader.doc_count_all()

    def text(value) -> str:
        return value.decode("utf-8") if isinstance(value, bytes) else (value or "")

    doc = np.fromiter((int(text(v) or -1) for v in reader.column_reader("doc")), dtype=np.int64, count=n)
    typ = np.array([text(v) for v in reader.column_reader("type")] or [""], dtype=object)[:n]
    building = np.array([text(v) for v in reader.column_reader("building")] or [""], dtype=object)[:n]
    dates = np.fromiter((v or 0 for v in reader.column_reader("date")), dtype=np.int64, count=n)
    return {"doc": doc, "type": typ, "building": building, "date": dates}


def _tally(values: np.ndarray) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in values.tolist():
        if v:
            out[v] = out.get(v, 0) + 1
    return out


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
