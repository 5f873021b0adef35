"""What an archive-wide check is given and what it yields, shared by ``audit.checks`` and the
checks it delegates to (``audit.consistency``), so neither imports the other back."""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy.orm import Session

from dossier.archive import Archive

LIST_CHUNK = 500


@dataclass(frozen=True)
class Finding:
    """One failure found by an archive-wide check."""

    detail: str
    document_id: int | None = None
    household_id: int | None = None


@dataclass
class CheckContext:
    archive: Archive
    session: Session
    public_key: Ed25519PublicKey
    indexed: dict[int, int] | None  # document id → pages in the index; None when there is no index
