"""How the rest of Dossier tells search that a document changed.

The intake pipeline calls :func:`document_changed` after a document's pages are committed (and
retention calls it after a destruction). The id is journalled first, then the single index
writer (see ``search.writer``) applies it from the catalog's page text before this returns —
unless another writer (a rebuild) holds the lock past ``HOOK_WAIT``, in which case the id stays
journalled and that writer applies it. An indexing failure never fails the caller: the catalog
is committed, the id stays in the journal, and ``dossier index sync`` or the next write retries.
"""

from __future__ import annotations

import logging

from search.writer import IndexWriter

log = logging.getLogger(__name__)

HOOK_WAIT = 30.0


def document_changed(archive, document_id: int) -> None:
    """A document's pages or metadata changed (or it was destroyed): bring the index in line."""
    documents_changed(archive, [document_id])


def documents_changed(archive, document_ids) -> bool:
    try:
        return IndexWriter(archive).notify(list(document_ids), timeout=HOOK_WAIT)
    except Exception:  # the journal keeps the ids; see the module docstring
        log.exception("indexing documents %s failed; they stay in the index journal", list(document_ids))
        return False
