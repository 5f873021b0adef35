"""HTML for matched words: search snippets (from ``search.service``) and a page's full text.

The service builds snippets with the page text escaped and only ``<mark>``/``</mark>`` added.
``safe_snippet`` checks that before marking the string safe; anything else is escaped whole
and the marks put back, so page text can never become markup.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markupsafe import Markup, escape

from search import highlight
from search.query import parse

_MARK = re.compile(r"</?mark>")


def safe_snippet(snippet: str | None) -> Markup:
    text = snippet or ""
    rest = _MARK.sub("", text)
    if "<" not in rest and ">" not in rest and _balanced(text):
        return Markup(text)
    # Not the shape we expect: escape everything, then restore only the bare mark tags.
    escaped = str(escape(text))
    return Markup(
        escaped.replace("&lt;mark&gt;", "<mark>").replace("&lt;/mark&gt;", "</mark>")
        if _balanced(text)
        else escaped
    )


def _balanced(text: str) -> bool:
    depth = 0
    for tag in _MARK.findall(text):
        depth += 1 if tag == "<mark>" else -1
        if depth not in (0, 1):
            return False
    return depth == 0


def query_texts(q: str | None):
    """The positive free-text parts of a query (what gets highlighted)."""
    try:
        return parse(q or "").texts()
    except Exception:  # noqa: BLE001 - a query the parser refuses still shows the page, just unmarked
        return []


def query_finder(q: str | None) -> Callable[[str], list[tuple[int, int]]] | None:
    """What finds the query's words on a page's text (``dossier.services.viewing`` applies it to
    the page's own text, before masking); None without a query."""
    if not q:
        return None
    texts = query_texts(q)
    return lambda text: highlight.marks(text, texts)


def marked_page(text: str | None, ranges: list[tuple[int, int]]) -> tuple[Markup, int]:
    """The page's whole text, escaped, with ``ranges`` (the query's words) in ``<mark>``; and how
    many marks."""
    text = text or ""
    out: list[str] = []
    pos = 0
    for start, end in ranges:
        out.append(str(escape(text[pos:start])))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        pos = end
    out.append(str(escape(text[pos:])))
    return Markup("".join(out)), len(ranges)
