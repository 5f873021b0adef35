"""Chinese-aware, OCR-tolerant text analysis (engine-neutral; the Whoosh wrapper lives in whoosh_engine).

What a page's text becomes in the index:

* Every character is first *folded* through a per-character table: Traditional → Simplified
  (OpenCC's ``t2s`` applied one character at a time, kept only where it maps one character to one
  character), full-width ASCII → ASCII, Latin → lowercase. Because the fold is one character for
  one character, a token's offsets in the folded text are offsets in the page's own text, so
  highlights land on the characters the page really shows.
* A run of CJK characters (whitespace between two CJK characters does not break a run: OCR wraps
  lines inside words) becomes overlapping bigrams at consecutive positions, and each character
  also becomes a unigram at the position of the bigram that starts with it. A query of any length
  is then a phrase of bigrams (``维修费`` = 维修 修费), a one-character query is a unigram, and a
  substring such as ``修费`` is found inside unsegmented text.
* Latin letters and digits become plain lowercase words, split where letters meet digits
  (``沪A12345`` → 沪 a 12345, ``A-3-1201`` → a 3 1201), so plate, meter and phone numbers are
  searchable whole or in part.
* Punctuation separates tokens and consumes no position.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import opencc

# Kinds of token.
BIGRAM, UNIGRAM, WORD = "b", "u", "w"


def is_cjk(ch: str) -> bool:
    o = ord(ch)
    return (
        0x4E00 <= o <= 0x9FFF  # CJK unified ideographs
        or 0x3400 <= o <= 0x4DBF  # extension A
        or 0xF900 <= o <= 0xFAFF  # compatibility ideographs
        or 0x20000 <= o <= 0x3134F  # extensions B–G
        or 0x3040 <= o <= 0x30FF  # kana
        or 0xAC00 <= o <= 0xD7AF  # hangul syllables
        or o == 0x3007  # 〇
    )


@lru_cache(maxsize=1)
def fold_table() -> dict[int, str]:
    """``str.translate`` table: Traditional → Simplified, full-width → ASCII, upper → lower case."""
    table: dict[int, str] = {}
    # Full-width ASCII variants (！ to ～) and the ideographic space.
    for o in range(0xFF01, 0xFF5F):
        table[o] = chr(o - 0xFEE0)
    table[0x3000] = " "
    # Traditional → Simplified, one character at a time. Characters are converted in one call
    # separated by newlines, so no multi-character phrase rule of OpenCC can apply.
    converter = opencc.OpenCC("t2s")
    ranges = [(0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF)]
    chars = [chr(o) for lo, hi in ranges for o in range(lo, hi + 1)]
    converted = converter.convert("\n".join(chars)).split("\n")
    if len(converted) == len(chars):
        for src, dst in zip(chars, converted, strict=True):
            if dst != src and len(dst) == 1:
                table[ord(src)] = dst
    for o in range(0x41, 0x5B):
        table[o] = chr(o + 32)
    # Other cased letters whose lower case is one character (Greek, Cyrillic, accented Latin).
    for o in range(0xC0, 0x530):
        ch = chr(o)
        low = ch.lower()
        if low != ch and len(low) == 1:
            table[o] = low
    # Full-width upper case letters fold straight to ASCII lower case.
    for o in range(0xFF21, 0xFF3B):
        table[o] = chr(o - 0xFEE0 + 32)
    return table


def fold(text: str) -> str:
    """The folded text; same length as ``text``, character for character."""
    return text.translate(fold_table())


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    pos: int
    start: int  # character offsets into the original (and folded) text
    end: int
    kind: str  # BIGRAM, UNIGRAM or WORD


_ALNUM = re.compile(r"[a-z]+|[0-9]+|[\u00df-\u024f\u0370-\u052f]+")


def tokenize(text: str, *, unigrams: bool = True, folded: bool = False) -> Iterator[Token]:
    """Tokens of ``text`` in position order (a unigram shares the position of its bigram)."""
    if not text:
        return
    s = text if folded else fold(text)
    n = len(s)
    pos = 0
    i = 0
    while i < n:
        ch = s[i]
        if is_cjk(ch):
            # Collect the run: CJK characters, possibly separated by whitespace only.
            run: list[int] = [i]
            j = i + 1
            while j < n:
                c = s[j]
                if is_cjk(c):
                    run.append(j)
                    j += 1
                elif c.isspace():
                    k = j + 1
                    while k < n and s[k].isspace():
                        k += 1
                    if k < n and is_cjk(s[k]):
                        j = k
                    else:
                        break
                else:
                    break
            last = len(run) - 1
            for r, at in enumerate(run):
                if r < last:
                    nxt = run[r + 1]
                    yield Token(s[at] + s[nxt], pos, at, nxt + 1, BIGRAM)
                if unigrams or r == last:
                    yield Token(s[at], pos, at, at + 1, UNIGRAM)
                pos += 1
            i = run[-1] + 1
            continue
        if ch.isalnum():
            j = i + 1
            while j < n and s[j].isalnum() and not is_cjk(s[j]):
                j += 1
            for m in _ALNUM.finditer(s, i, j):
                yield Token(m.group(), pos, m.start(), m.end(), WORD)
                pos += 1
            # Letters and digits of other scripts that the pattern skipped are ignored.
            i = j
            continue
        i += 1


_CJK_CLASS = "\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff\U00020000-\U0003134f\u3040-\u30ff\uac00-\ud7af\u3007"
# A CJK run (whitespace inside it joins) or a stretch of other letters and digits: the two
# things tokenize() makes tokens of, in one pass of the regular-expression engine.
_SEGMENT = re.compile(f"([{_CJK_CLASS}](?:\\s*[{_CJK_CLASS}])*)|((?:(?![{_CJK_CLASS}])[^\\W_])+)")
_SPACE = re.compile(r"\s+")


def term_positions(text: str) -> dict[str, list[int]]:
    """Each term of ``tokenize(text)`` with its positions, ascending: what the index stores for
    a page, computed without making a Token per term (indexing spends most of its Python time
    here). A test checks it against :func:`tokenize`."""
    out: dict[str, list[int]] = {}
    if not text:
        return out
    pos = 0
    for m in _SEGMENT.finditer(fold(text)):
        run = m.group(1)
        if run is not None:
            if len(run) > 1 and not run.isalnum():  # whitespace inside the run
                run = _SPACE.sub("", run)
            for i, ch in enumerate(run, pos):
                out.setdefault(ch, []).append(i)
            for i, (a, b) in enumerate(zip(run, run[1:], strict=False), pos):
                out.setdefault(a + b, []).append(i)
            pos += len(run)
        else:
            for word in _ALNUM.findall(m.group(2)):
                out.setdefault(word, []).append(pos)
                pos += 1
    return out


def query_terms(text: str) -> list[Token]:
    """One token per position, for building a phrase out of a query word: a bigram where a CJK
    character has a successor in its run, else the unigram or word. A trailing unigram already
    covered by the bigram before it is dropped (``维修费`` → 维修 修费)."""
    chosen: dict[int, Token] = {}
    for tok in tokenize(text):
        have = chosen.get(tok.pos)
        if have is None or (have.kind == UNIGRAM and tok.kind == BIGRAM):
            chosen[tok.pos] = tok
    terms = [chosen[p] for p in sorted(chosen)]
    if (
        len(terms) >= 2
        and terms[-1].kind == UNIGRAM
        and terms[-2].kind == BIGRAM
        and terms[-2].end == terms[-1].end
    ):
        terms.pop()
    return terms


def has_cjk(text: str) -> bool:
    return any(is_cjk(c) for c in text)
