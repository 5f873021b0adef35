"""The small interface between Dossier's search service and the full-text engine.

Only ``search/whoosh_engine.py`` (and ``search/whoosh_compat.py`` under it) knows Whoosh; the
service, the writer and the CLI speak in the types below, and get an engine from the one factory,
``search.engines.open_engine``, so changing engine stays inside this package.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Protocol

from search.query import Any_, Text


@dataclass(frozen=True)
class PageEntry:
    """What the index holds for one page (the page text is analysed, never stored)."""

    document: int
    page: int
    household: str
    community: str
    building: str | None
    names: str  # owners' and tenants' names, space separated
    type: str  # document type code
    title: str
    date: date | None
    confidential: bool
    status: str
    text: str


@dataclass(frozen=True)
class FieldIn:
    """A keyword field equals one of ``values`` (fields: household, community, building, type,
    doc — the document id)."""

    field: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class DateIn:
    start: date | None
    end: date | None


@dataclass
class EngineQuery:
    must: list[object] = field(default_factory=list)  # Text | FieldIn | DateIn | Any_
    must_not: list[object] = field(default_factory=list)  # Text | FieldIn | DateIn
    hide_confidential: bool = True
    limit: int = 20
    offset: int = 0


@dataclass(frozen=True)
class EngineHit:
    document: int
    page: int
    score: float


@dataclass
class EngineResult:
    total: int  # matching documents
    pages: int  # matching pages
    hits: list[EngineHit]  # best page per document, best first
    facets: dict[str, dict[str, int]]  # type / building / year → value → documents
    total_exact: bool = True  # False: too many matches, total and facets count
    # the pages collected (a lower bound)


class SearchEngine(Protocol):
    @property
    def root(self) -> Path:
        """The index folder (the single writer keeps its lock and journal there)."""

    def exists(self) -> bool: ...

    def outdated(self) -> bool:
        """The live index was written in another format than this version's: it must be rebuilt
        from the catalog before it is searched or written to."""

    def apply(self, changes: dict[int, list[PageEntry]]) -> None:
        """Replace each document's pages by the given ones (an empty list deletes the document);
        one commit for the lot. Called only by the single writer."""

    def build(self, entries: Iterable[PageEntry]) -> SearchEngine:
        """Write a fresh index from ``entries`` beside the live one (not yet visible)."""

    def swap_in(self, built: SearchEngine) -> None:
        """Make a built index the live one, atomically."""

    def search(self, query: EngineQuery) -> EngineResult: ...

    def documents(self) -> dict[int, int]:
        """Every document id in the index → its number of pages."""


__all__ = [
    "Any_",
    "DateIn",
    "EngineHit",
    "EngineQuery",
    "EngineResult",
    "FieldIn",
    "PageEntry",
    "SearchEngine",
    "Text",
]
