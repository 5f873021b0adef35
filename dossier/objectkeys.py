"""The one layout of object keys in the store; every key is made (and read back) here.

    originals/<yyyy>/<mm>/<uuid>                          a document's original, as taken in
    stacks/<yyyy>/<mm>/<uuid>                             a scanned stack, stored whole
    derivatives/<document id>/<attempt>/preview-<page 000001>.webp
    derivatives/<document id>/<attempt>/searchable.pdf

Everything made from a document lies under ``derivatives_prefix(id)``: destroying a document
removes that whole prefix, and the audit names any derivative key whose document is gone.
"""

from __future__ import annotations

import uuid

from dossier.models import utcnow

ORIGINALS = "originals"
STACKS = "stacks"
DERIVATIVES_ROOT = "derivatives/"  # every derivative key starts so (also a LIKE prefix: no wildcards)


def _new_key(kind: str) -> str:
    now = utcnow()
    return f"{kind}/{now:%Y/%m}/{uuid.uuid4().hex}"


def original_key() -> str:
    """A fresh key for a document's original."""
    return _new_key(ORIGINALS)


def stack_key() -> str:
    """A fresh key for a scanned stack (whole, or rewritten after a destroyed part is cut)."""
    return _new_key(STACKS)


def derivatives_prefix(document_id: int) -> str:
    """The prefix under which every derivative of a document lies (ends with ``/``)."""
    return f"{DERIVATIVES_ROOT}{document_id}/"


def attempt_prefix(document_id: int, attempt: int) -> str:
    """The prefix of one processing attempt's derivatives (ends with ``/``)."""
    return f"{derivatives_prefix(document_id)}{attempt}/"


def preview_key(document_id: int, attempt: int, page: int) -> str:
    return f"{attempt_prefix(document_id, attempt)}preview-{page:06d}.webp"


def searchable_pdf_key(document_id: int, attempt: int) -> str:
    return f"{attempt_prefix(document_id, attempt)}searchable.pdf"


def derivative_owner(key: str) -> int | None:
    """The document a derivative key belongs to; None for a key outside the layout."""
    if not key.startswith(DERIVATIVES_ROOT):
        return None
    part = key[len(DERIVATIVES_ROOT) :].split("/", 1)[0]
    return int(part) if part.isascii() and part.isdigit() else None
