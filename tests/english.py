"""Finds English sentences in what a page shows (issue 17: every word a person reads is Chinese).

A sentence is a run of at least three Latin words on one line (or in one table cell), where a
word has two or more letters and is not a code people use as a code: acronyms (PDF, XLSX, SM,
API), anything with a digit or inner punctuation (A-3-1201, SHA-256, SM3, scan.pdf,
XH-2026-0001), and the names the caller allows (usernames). Codes sit inside a run without
ending it ("household A-3-1201 already exists" is a sentence), a Chinese character or Chinese
punctuation ends it ("Dossier · 一户一档" is not). "UTC" counts on its own: no page labels times
as UTC.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

MIN_WORDS = 3

# A token: Latin letters and digits with inner joiners (codes, file names, e-mail-like names).
_TOKEN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_@'’./:-]*[A-Za-z0-9])?")
# What may stand between two tokens of one sentence: spaces and Latin punctuation only.
_GAP = re.compile(r"""^[\s,;:.!?"'“”‘’()\[\]/&*+=<>·-]*$""")
_WORD = re.compile(r"^[A-Za-z]{2,}(?:['’][A-Za-z]+)?$")


def _is_word(token: str, allowed: frozenset[str]) -> bool:
    """A Latin word of a sentence (not a code, an acronym or an allowed name)."""
    if not _WORD.match(token) or token.lower() in allowed:
        return False
    return not token.isupper()  # PDF, XLSX, OCR: codes


def _runs(segment: str) -> Iterator[list[re.Match[str]]]:
    """The tokens of ``segment`` in runs: a run ends where anything but Latin punctuation or
    spaces (a Chinese character, a Chinese comma) stands between two tokens."""
    run: list[re.Match[str]] = []
    previous_end: int | None = None
    for match in _TOKEN.finditer(segment):
        if previous_end is not None and not _GAP.match(segment[previous_end : match.start()]):
            yield run
            run = []
        run.append(match)
        previous_end = match.end()
    if run:
        yield run


def english_sentences(text: str, allowed: Iterable[str] = ()) -> list[str]:
    """The English sentences (runs of ``MIN_WORDS`` or more words) in ``text``, and every "UTC".

    ``allowed`` are extra words that count as codes, such as the usernames of the archive.
    Lines and tab-separated cells (as ``innerText`` gives a table) are looked at one by one.
    """
    allow = frozenset(a.lower() for a in allowed)
    found: list[str] = []
    for segment in re.split(r"[\n\t\r]+", text):
        for run in _runs(segment):
            tokens = [match.group(0) for match in run]
            found.extend(token for token in tokens if token == "UTC")
            if sum(_is_word(token, allow) for token in tokens) >= MIN_WORDS:
                found.append(segment[run[0].start() : run[-1].end()])
    return found
