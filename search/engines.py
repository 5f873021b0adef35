"""The one place that picks the concrete search engine: everything else speaks
``search.engine.SearchEngine``."""

from __future__ import annotations

from pathlib import Path

from dossier.config import Settings
from search.engine import SearchEngine


def make_engine(index_dir: Path, *, cache_mb: int | None = None) -> SearchEngine:
    """The engine over the index folder ``index_dir``; ``cache_mb`` bounds the process's cache of
    decoded posting lists (None: leave it as it is)."""
    # Whoosh, numpy and the compatibility check load on first use, not with every CLI command.
    from search.whoosh_engine import WhooshEngine

    return WhooshEngine(Path(index_dir), cache_mb=cache_mb)


def open_engine(settings: Settings) -> SearchEngine:
    """The engine of an archive (read side for the web and CLI, write side for the writer)."""
    return make_engine(settings.index_dir, cache_mb=settings.search_cache_mb)
