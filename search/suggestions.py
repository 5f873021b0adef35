"""Other searches to offer when a search finds nothing, each with the documents it would find.

Three kinds, each a query the clerk can run with one click:

* ``ocr``: the spelling OCR gave the words. A quoted phrase is matched exactly; unquoted it
  tolerates a misread character (``search.matching``), and the stretches it then matches on the
  pages the user may read are offered as written there (``维俢基金``). Letters and digits OCR
  confuses (0/O, 1/l, 5/S, 8/B, 2/Z) are tried one at a time in numbers and codes.
* ``script``: the words in the other script *with its vocabulary* (OpenCC ``s2twp`` / ``tw2sp``:
  出租车 ↔ 計程車). Characters alone need no suggestion: the index folds Traditional to Simplified.
* ``fewer``: the query with one of its words (or query filters) left out.

Only queries that find something are offered. Counting is the caller's (``count``): the service
runs each candidate as the same user, so a count covers only what that user may see.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

import opencc

from search import analysis
from search.matching import TOLERANT_MIN_CHARS, max_edits
from search.query import Any_, ParsedQuery, Text, unparse

OCR, SCRIPT, FEWER = "ocr", "script", "fewer"
MAX_CANDIDATES = 12  # searches run for one empty result, at most (each as costly as a search)
MAX_SPELLINGS = 3  # OCR spellings offered per word
SCRIPT_CONFIGS = ("s2twp", "tw2sp")
# Letters and digits OCR reads one for the other (folded: lower case).
CONFUSABLE = {"0": "o", "o": "0", "1": "l", "l": "1", "i": "1", "5": "s", "s": "5", "8": "b", "b": "8"}
CONFUSABLE.update({"2": "z", "z": "2", "6": "g", "g": "6"})


@dataclass(frozen=True)
class Suggestion:
    kind: str  # OCR | SCRIPT | FEWER
    q: str
    count: int

    def as_dict(self) -> dict:
        return {"kind": self.kind, "q": self.q, "count": self.count}


# count(q) → (documents found, page texts of the first hits the user may read)
Counter = Callable[[str], tuple[int, list[str]]]


def suggest(parsed: ParsedQuery, count: Counter) -> list[Suggestion]:
    """Suggestions for ``parsed``, which found nothing; ``count`` runs a query as the user."""
    out: list[Suggestion] = []
    original = unparse(parsed.must, parsed.must_not)
    offered = {original}
    counted: dict[str, tuple[int, list[str]]] = {}

    def run(q: str) -> tuple[int, list[str]]:
        """``count(q)``, once per query and within the budget (0 beyond it)."""
        if q not in counted:
            counted[q] = count(q) if len(counted) < MAX_CANDIDATES and q != original else (0, [])
        return counted[q]

    def offer(kind: str, q: str) -> bool:
        if q in offered or not q.strip():
            return False
        offered.add(q)
        n, _ = run(q)
        if n > 0:
            out.append(Suggestion(kind, q, n))
        return n > 0

    for i, part in enumerate(parsed.must):
        if not isinstance(part, Text):
            continue
        if part.exact and _tolerable_unquoted(part.value):
            _ocr_spellings(parsed, i, part, run, offer)
        for variant in _confusions(part.value):
            offer(OCR, _replaced(parsed, i, Text(variant, part.exact)))
    for config in SCRIPT_CONFIGS:
        converted = _converted(parsed, config)
        if converted is not None:
            offer(SCRIPT, converted)
    items = [(False, p) for p in parsed.must] + [(True, p) for p in parsed.must_not]
    if len(items) > 1 and parsed.must:
        for i in range(len(items)):
            rest = items[:i] + items[i + 1 :]
            if any(not neg for neg, _ in rest):
                offer(FEWER, unparse([p for neg, p in rest if not neg], [p for neg, p in rest if neg]))
    return out


def _replaced(parsed: ParsedQuery, index: int, part: object) -> str:
    must = list(parsed.must)
    must[index] = part
    return unparse(must, parsed.must_not)


def _tolerable_unquoted(value: str) -> bool:
    chars = [c for c in analysis.fold(value) if not c.isspace()]
    return len(chars) >= TOLERANT_MIN_CHARS and all(analysis.is_cjk(c) for c in chars)


def _ocr_spellings(parsed: ParsedQuery, index: int, part: Text, run: Counter, offer) -> None:
    """The quoted phrase unquoted finds it with a misread character: offer the spellings the
    pages show (quoted, so each finds exactly those pages), else the unquoted query."""
    unquoted = _replaced(parsed, index, Text(part.value))
    n, texts = run(unquoted)
    if n <= 0:
        return
    word = "".join(c for c in analysis.fold(part.value) if not c.isspace())
    found = [offer(OCR, _replaced(parsed, index, Text(s, exact=True))) for s in spellings(word, texts)]
    if not any(found):
        offer(OCR, unquoted)


def spellings(word: str, texts: Iterable[str]) -> list[str]:
    """Stretches of ``texts`` within the OCR tolerance of ``word`` but not equal to it, commonest
    first (folded: Traditional characters read as Simplified)."""
    edits = max_edits(word)
    found: dict[str, int] = {}
    for text in texts:
        for stretch in _near(word, "".join(analysis.fold(text or "").split()), edits):
            found[stretch] = found.get(stretch, 0) + 1
    return sorted(found, key=lambda s: (-found[s], s))[:MAX_SPELLINGS]


def _near(word: str, text: str, edits: int) -> Iterator[str]:
    """Stretches of ``text`` (CJK only) within ``edits`` of ``word``, around its bigrams (the word
    itself, where the page has it, is cut out: its parts are no other spelling)."""
    text = text.replace(word, "\n")
    n = len(word)
    starts: set[int] = set()
    for k in range(n - 1):
        at = text.find(word[k : k + 2])
        while at >= 0:
            starts.update(range(max(0, at - k - edits), at - k + edits + 1))
            at = text.find(word[k : k + 2], at + 1)
    for start in sorted(starts):
        best: tuple[int, str] | None = None
        for length in range(max(1, n - edits), n + edits + 1):
            stretch = text[start : start + length]
            if len(stretch) != length or not all(analysis.is_cjk(c) for c in stretch):
                continue
            d = _distance(word, stretch)
            if 0 < d <= edits and (best is None or d < best[0]):
                best = (d, stretch)
        if best is not None:
            yield best[1]


def _distance(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def _confusions(value: str) -> list[str]:
    """A number or code with one letter/digit OCR confuses swapped (3+ characters, at most 4)."""
    folded = analysis.fold(value)
    if len(folded) < 3 or not folded.isascii() or not any(c.isdigit() for c in folded):
        return []
    out = [folded[:i] + CONFUSABLE[c] + folded[i + 1 :] for i, c in enumerate(folded) if c in CONFUSABLE]
    return out[:4]


@lru_cache(maxsize=4)
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def _converted(parsed: ParsedQuery, config: str) -> str | None:
    """The query with its words converted (vocabulary included), when that is another search."""
    changed = False

    def convert(part: object) -> object:
        nonlocal changed
        if isinstance(part, Text) and analysis.has_cjk(part.value):
            value = _converter(config).convert(part.value)
            if analysis.fold(value) != analysis.fold(part.value):
                changed = True
                return Text(value, part.exact)
        if isinstance(part, Any_):
            return Any_(tuple(convert(p) for p in part.parts))
        return part

    must = [convert(p) for p in parsed.must]
    must_not = [convert(p) for p in parsed.must_not]
    return unparse(must, must_not) if changed else None
