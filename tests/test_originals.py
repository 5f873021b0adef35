"""The signed record of an original (``dossier.originals``): its layout is what old signatures
vouch for, and ``check_record`` reports a changed field, a wrong signature and altered content."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest

from dossier import originals
from dossier.models import Community, Document, Household, ScanStack
from dossier.signing import Signer

INTAKE_AT = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
CONTENT = b"%PDF-1.7 a scanned page"
SHA256 = hashlib.sha256(CONTENT).hexdigest()
SM3 = "ab" * 32


def _document() -> tuple[Document, Household]:
    household = Household(code="3-2-501", archive_no="HX-Z-0007", community=Community(code="HX", name="和谐"))
    doc = Document(
        id=42,
        original_key="originals/ab/cd",
        sha256=SHA256,
        sm3=SM3,
        size=len(CONTENT),
        media_type="application/pdf",
        intake_at=INTAKE_AT,
    )
    return doc, household


def _stack() -> ScanStack:
    return ScanStack(
        id=7,
        batch_id=3,
        file_name="scan-001.pdf",
        original_key="stacks/ef/01",
        sha256=SHA256,
        sm3=SM3,
        size=len(CONTENT),
        media_type="application/pdf",
        intake_at=INTAKE_AT,
        page_count=4,
    )


@pytest.fixture(scope="module")
def signer() -> Signer:
    return Signer.generate()


def test_the_document_record_keeps_its_signed_layout():
    doc, household = _document()
    assert originals.document_record(doc, household, "archivist") == {
        "v": 1,
        "document": 42,
        "household": "3-2-501",
        "community": "HX",
        "archive_no": "HX-Z-0007",
        "object": "originals/ab/cd",
        "sha256": SHA256,
        "sm3": SM3,
        "size": len(CONTENT),
        "media_type": "application/pdf",
        "intake_at": "2026-03-01T09:30:00+00:00",
        "intake_by": "archivist",
    }


def test_the_stack_records_keep_their_signed_layout():
    stack = _stack()
    first = originals.stack_record(stack, "archivist")
    assert first == {
        "v": 1,
        "kind": "scan_stack",
        "stack": 7,
        "batch": 3,
        "file": "scan-001.pdf",
        "object": "stacks/ef/01",
        "sha256": SHA256,
        "sm3": SM3,
        "size": len(CONTENT),
        "media_type": "application/pdf",
        "intake_at": "2026-03-01T09:30:00+00:00",
        "intake_by": "archivist",
    }
    stack.original_key, stack.sha256 = "stacks/ef/02", "0" * 64
    removed = [{"document": 9, "list": "D-1", "pages": [2, 3], "at": "2026-04-01T00:00:00+00:00"}]
    cut = originals.cut_record(first, stack, [1, 4], removed)
    assert cut == {
        **first,
        "v": 2,
        "object": "stacks/ef/02",
        "sha256": "0" * 64,
        "pages": [1, 4],
        "removed": removed,
        "source_sha256": SHA256,
    }


def test_a_record_as_signed_checks_out(signer: Signer):
    doc, household = _document()
    text, signature = originals.sealed(originals.document_record(doc, household, "archivist"), signer)
    record = originals.parse_record(text)
    assert record is not None
    check = originals.check_record(
        record,
        signature,
        signer.public_key,
        {"document": 42, "object": "originals/ab/cd", "size": len(CONTENT)},
        (SHA256, SM3, len(CONTENT)),
    )
    assert check.ok and check.problems() == []
    assert check.content == {"sha256": True, "sm3": True, "size": True}


def test_a_changed_field_is_reported(signer: Signer):
    doc, household = _document()
    record = originals.document_record(doc, household, "archivist")
    signature = signer.sign(record)
    check = originals.check_record(
        record, signature, signer.public_key, {"document": 43, "size": len(CONTENT)}
    )
    assert check.signature_ok and not check.ok
    assert check.differing_fields == ("document",)
    assert check.problems() == ["目录中的 document 与签名记录不符"]
    altered = {**record, "size": 1}  # the record itself changed after signing
    assert not originals.check_record(altered, signature, signer.public_key).signature_ok


def test_a_wrong_signature_is_reported(signer: Signer):
    doc, household = _document()
    record = originals.document_record(doc, household, "archivist")
    for signature in (Signer.generate().sign(record), "not base64!"):
        check = originals.check_record(record, signature, signer.public_key)
        assert not check.signature_ok and not check.ok
        assert check.problems() == ["签名与签名记录不符"]


def test_mismatched_content_is_reported(signer: Signer):
    doc, household = _document()
    record = originals.document_record(doc, household, "archivist")
    signature = signer.sign(record)
    check = originals.check_record(record, signature, signer.public_key, content=("0" * 64, SM3, 5))
    assert check.signature_ok and not check.ok
    assert check.content_problems == ("sha256", "size")
    assert check.problems() == [
        "存储内容的 SHA-256 与签名记录不符",
        "存储内容的 大小 与签名记录不符",
    ]


def test_sm3_is_compared_only_when_recorded(signer: Signer):
    doc, household = _document()
    doc.sm3 = None  # recorded before SM3 was kept
    record = originals.document_record(doc, household, "archivist")
    check = originals.check_record(
        record, signer.sign(record), signer.public_key, content=(SHA256, "ff" * 32, len(CONTENT))
    )
    assert check.ok and list(check.content) == ["sha256", "size"]


@pytest.mark.parametrize("text", ["not json", "[1, 2]", "null"])
def test_a_record_that_is_not_a_json_object_is_none(text: str):
    assert originals.parse_record(text) is None
