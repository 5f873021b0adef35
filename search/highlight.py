"""Snippets from the catalog's page text (the index stores no text), with ``<mark>`` around the
characters that matched. Offsets come from the same analysis as the index, on the page's own
characters, so a Simplified query marks the Traditional characters the page shows."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from functools import lru_cache

from search import analysis
from search.query import Text

WINDOW = 120  # characters of page text in a snippet
LEAD = 30  # characters shown before the first mark


def _terms(texts: list[Text]) -> tuple[set[str], set[str]]:
    multi: set[str] = set()
    single: set[str] = set()
    for t in texts:
        for tok in analysis.query_terms(t.value):
            (single if tok.kind == analysis.UNIGRAM else multi).add(tok.text)
    return multi, single


def marks(text: str, texts: list[Text]) -> list[tuple[int, int]]:
    """Merged ``(start, end)`` character ranges of ``text`` that match the query's terms.

    Same ranges as tokenizing the page and keeping the tokens equal to a query term, found with
    one regular expression over the folded text instead (tokenizing a 1,500-character page in
    Python costs about a millisecond and a half, twenty times per result page)."""
    multi, single = _terms(texts)
    if not multi and not single:
        return []
    pattern = _pattern(frozenset(multi), frozenset(single))
    spans: list[tuple[int, int]] = []
    for m in pattern.finditer(analysis.fold(text)):
        spans.append((m.start(), m.end(1)))
    merged: list[list[int]] = []
    for start, end in spans:  # already in start order
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


_LATIN = "a-z"
_DIGIT = "0-9"
_OTHER = "\u00df-\u024f\u0370-\u052f"


@lru_cache(maxsize=256)
def _pattern(multi: frozenset[str], single: frozenset[str]) -> re.Pattern[str]:
    """A zero-width scan (so overlapping terms all count) for the tokens the analyser would
    produce: a bigram is its two characters with any whitespace between (a CJK run continues
    across whitespace), a word is a whole run of its class (letters, digits, other letters), a
    unigram is its character."""
    alts: list[str] = []
    for term in sorted(multi, key=len, reverse=True):
        if len(term) == 2 and analysis.is_cjk(term[0]) and analysis.is_cjk(term[1]):
            alts.append(re.escape(term[0]) + r"\s*" + re.escape(term[1]))
        else:
            cls = _DIGIT if term[0].isdigit() else (_LATIN if "a" <= term[0] <= "z" else _OTHER)
            alts.append(f"(?<![{cls}]){re.escape(term)}(?![{cls}])")
    if single:
        alts.append("[" + "".join(re.escape(c) for c in sorted(single)) + "]")
    return re.compile("(?=(" + "|".join(alts) + "))")


_SPACE = re.compile(r"\s+")


def snippet(
    text: str | None, texts: list[Text], *, window: int = WINDOW, mask: Callable[[str], str] | None = None
) -> str:
    """An HTML-safe excerpt of ``text`` around its densest matches. With ``mask`` (a function
    that keeps length, ``dossier.masking``), the matches are found on the page's text and the
    excerpt shows the masked text: the marks land on the same characters."""
    text = text or ""
    ranges = marks(text, texts)
    text = shown(text, mask)
    if not ranges:
        excerpt = text[:window]
        return _clean(html.escape(excerpt)) + ("…" if len(text) > window else "")
    # The window start that covers the most marked characters.
    best_i, best_cover = 0, -1
    j = 0
    for i, (start, _) in enumerate(ranges):
        cover = 0
        j = i
        while j < len(ranges) and ranges[j][0] < start + window:
            cover += min(ranges[j][1], start + window) - ranges[j][0]
            j += 1
        if cover > best_cover:
            best_i, best_cover = i, cover
    lo = max(0, ranges[best_i][0] - LEAD)
    hi = min(len(text), lo + window)
    out: list[str] = ["…"] if lo > 0 else []
    pos = lo
    for start, end in ranges:
        if end <= lo or start >= hi:
            continue
        start, end = max(start, lo), min(end, hi)
        out.append(html.escape(text[pos:start]))
        out.append(f"<mark>{html.escape(text[start:end])}</mark>")
        pos = end
    out.append(html.escape(text[pos:hi]))
    if hi < len(text):
        out.append("…")
    return _clean("".join(out))


def shown(text: str, mask: Callable[[str], str] | None) -> str:
    """``text`` through ``mask``, which must keep its length (offsets are shared)."""
    if mask is None:
        return text
    masked = mask(text)
    if len(masked) != len(text):
        raise ValueError("a text mask must keep the text's length")
    return masked


def _clean(s: str) -> str:
    return _SPACE.sub(" ", s).strip()
