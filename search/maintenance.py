"""The index's upkeep as use cases (``dossier index rebuild|check|sync``): each checks the
actor's permission, then asks the ``IndexWriter``. None touches the catalog's session."""

from __future__ import annotations

from collections.abc import Iterable

from dossier.actor import Actor
from dossier.archive import Archive
from dossier.permissions import Permission, require
from search.writer import IndexWriter


def rebuild_index(archive: Archive, actor: Actor, *, progress: bool = False) -> dict:
    """Rebuild the index from the catalog and swap it in (administrators)."""
    require(actor, Permission.ADMIN)
    return IndexWriter(archive).rebuild(progress=progress)


def check_index(archive: Archive, actor: Actor) -> dict:
    """Compare the index with the catalog (auditors)."""
    require(actor, Permission.AUDIT)
    return IndexWriter(archive).check()


def sync_index(archive: Archive, actor: Actor, document_ids: Iterable[int] | None = None) -> dict:
    """Re-index the given documents, or whatever ``check`` finds wrong (administrators)."""
    require(actor, Permission.ADMIN)
    return IndexWriter(archive).sync(document_ids)
