"""Snippets from the catalog's page text (the index stores no text), with ``<mark>`` around the
characters that matched. Offsets come from the same analysis as the index, on the page's own
characters, so a Simplified query marks the Traditional characters the page shows."""

from __future__ import annotations

import html
import re

from search import analysis
from search.query import Text

WINDOW = 120          # characters of page text in a snippet
LEAD = 30             # characters shown before the first mark


def _terms(texts: list[Text]) -> tuple[set[str], set[str]]:
    multi: set[str] = set()
    single: set[str] = set()
    for t in texts:
        for tok in analysis.query_terms(t.value):
            (single if tok.kind == analysis.UNIGRAM else multi).add(tok.text)
    return multi, single


def marks(text: str, texts: list[Text]) -> list[tuple[int, int]]:
    """Merged ``(start, end)`` character ranges of ``text`` that match the query's terms."""
    multi, single = _terms(texts)
    if not multi and not single:
        return []
    spans: list[tuple[int, int]] = []
    for tok in analysis.tokenize(text):
        if tok.kind == analysis.UNIGRAM:
            if tok.text in single:
                spans.append((tok.start, tok.end))
        elif tok.text in multi:
            spans.append((tok.start, tok.end))
    spans.sort()
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


_SPACE = re.compile(r"\s+")


def snippet(text: str | None, texts: list[Text], *, window: int = WINDOW) -> str:
    """An HTML-safe excerpt of ``text`` around its densest matches."""
    text = text or ""
    ranges = marks(text, texts)
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


def _clean(s: str) -> str:
    return _SPACE.sub(" ", s).strip()
