"""The signed record of a stored original: what its signature vouches for, and the one check of
a record against its signature, the catalog and the stored bytes.

Intake signs a small record for each original (a document, ``document_record``) and for each
scanned stack (``stack_record``; ``cut_record`` after pages were cut from it). Both share the
facts of the stored object: its key, SHA-256, SM3, size, media type and who took it in when.
The catalog keeps the record exactly as signed (``sealed``); ``check_record`` is the one
verification, used by the records services, the audit and the offline verifier of an export,
each of which words its own findings. Layouts: docs/formats/stack-record.md.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from dossier.catalog import Text, text, zh
from dossier.models import Document, Household, ScanStack
from dossier.signing import Signer, verify

RECORD_VERSION = 1
STACK_RECORD_VERSION = 1
CUT_RECORD_VERSION = 2
# The facts of the stored content a record vouches for, in the order they are compared.
CONTENT_FACTS = ("sha256", "sm3", "size")

Record = dict[str, Any]


def _stored_object(row: Document | ScanStack, intake_by: str) -> Record:
    """The facts every signed original shares: the stored object and its intake."""
    return {
        "object": row.original_key,
        "sha256": row.sha256,
        "sm3": row.sm3,
        "size": row.size,
        "media_type": row.media_type,
        "intake_at": row.intake_at.isoformat(),
        "intake_by": intake_by,
    }


def document_record(doc: Document, household: Household, intake_by: str) -> Record:
    """The facts an original's signature vouches for: the document, its household at intake
    and the stored object."""
    return {
        "v": RECORD_VERSION,
        "document": doc.id,
        "household": household.code,
        "community": household.community.code,
        "archive_no": household.archive_no,
        **_stored_object(doc, intake_by),
    }


def stack_record(
    stack: ScanStack,
    intake_by: str,
    *,
    pages: Iterable[int] | None = None,
    removed: Iterable[Record] = (),
    source_sha256: str | None = None,
) -> Record:
    """The facts a stack's signature vouches for: version 1 as taken in, version 2 with
    ``pages`` once a cut has changed what the object holds."""
    record: Record = {
        "v": STACK_RECORD_VERSION,
        "kind": "scan_stack",
        "stack": stack.id,
        "batch": stack.batch_id,
        "file": stack.file_name,
        **_stored_object(stack, intake_by),
    }
    if pages is not None:
        record.update(
            v=CUT_RECORD_VERSION,
            pages=list(pages),
            removed=list(removed),
            source_sha256=source_sha256 or stack.sha256,
        )
    return record


def cut_record(previous: Record, stack: ScanStack, pages: Iterable[int], removed: Iterable[Record]) -> Record:
    """The version 2 record of ``stack`` (already pointing at its new object) after a cut, from
    the record signed before: provenance (file, batch, intake, source SHA-256) carried over as
    signed, ``removed`` appended to the earlier cuts."""
    record = stack_record(
        stack,
        previous["intake_by"],
        pages=pages,
        removed=[*previous.get("removed", []), *removed],
        source_sha256=previous.get("source_sha256") or previous["sha256"],
    )
    record["intake_at"] = previous["intake_at"]  # exactly as signed (a database may drop the zone)
    return record


def sealed(record: Record, signer: Signer) -> tuple[str, str]:
    """(the record as the catalog keeps it, its signature): the text is for reading back, the
    signature is over the canonical form (``dossier.signing``)."""
    return json.dumps(record, ensure_ascii=False, sort_keys=True), signer.sign(record)


def parse_record(text: str) -> Record | None:
    """The record the catalog keeps, as a dict; None when it is not a JSON object."""
    try:
        record = json.loads(text)
    except (ValueError, TypeError):
        return None
    return record if isinstance(record, dict) else None


@dataclass(frozen=True)
class RecordCheck:
    """What ``check_record`` found. ``content`` says, per content fact compared (``CONTENT_FACTS``;
    SM3 only when the record has one), whether the stored bytes match; empty when no content
    was given."""

    signature_ok: bool
    differing_fields: tuple[str, ...] = ()
    content: Mapping[str, bool] = field(default_factory=dict)

    @property
    def content_problems(self) -> tuple[str, ...]:
        return tuple(name for name, ok in self.content.items() if not ok)

    @property
    def ok(self) -> bool:
        return self.signature_ok and not self.differing_fields and not self.content_problems

    def problems(self) -> list[str]:
        """The findings in the archive's words, in Chinese (the records services and audit reports
        show these)."""
        found = [] if self.signature_ok else [zh("originals.signature_bad")]
        found += [zh("originals.field_differs", field=name) for name in self.differing_fields]
        found += [
            zh("originals.content_differs", fact=_CONTENT_NAMES[name]) for name in self.content_problems
        ]
        return found


_CONTENT_NAMES: dict[str, str | Text] = {"sha256": "SHA-256", "sm3": "SM3", "size": text("originals.size")}


def check_record(
    record: Mapping[str, Any],
    signature: str,
    public_key: Ed25519PublicKey,
    expected: Mapping[str, Any] | None = None,
    content: tuple[str, str, int] | None = None,
) -> RecordCheck:
    """Check ``record`` against its ``signature``, the catalog's ``expected`` facts (field →
    value, compared in the order given) and, when given, the stored content's actual
    (SHA-256, SM3, size). An SM3 is compared only when the record has one (records signed
    before SM3 was kept have none)."""
    signature_ok = verify(public_key, dict(record), signature)
    differing = tuple(name for name, value in (expected or {}).items() if record.get(name) != value)
    compared: dict[str, bool] = {}
    if content is not None:
        for name, actual in zip(CONTENT_FACTS, content, strict=True):
            if name == "sm3" and not record.get("sm3"):
                continue
            compared[name] = actual == record.get(name)
    return RecordCheck(signature_ok, differing, compared)
