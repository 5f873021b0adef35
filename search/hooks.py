"""How the rest of Dossier tells search that a document changed.

The intake pipeline calls :func:`document_changed` after a document's pages are committed. The
search issue builds the index behind it (one writer, fed from the catalog's page text); until
then there is no index to update, and the catalog stays the source every index is rebuilt from.
"""

from __future__ import annotations


def document_changed(archive, document_id: int) -> None:
    """A document's pages or metadata changed (or it was destroyed): bring the index in line."""
    return None
