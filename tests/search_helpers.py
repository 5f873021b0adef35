"""Helpers for the search tests: catalog rows with page text, no OCR (imported by test_search_*)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime

import pytest

from dossier.actor import Actor
from dossier.models import Confidentiality, Document, DocumentStatus, Page, Role


def add_doc(
    session,
    household_id: int,
    type_code: str,
    title: str,
    pages: list[str],
    *,
    confidential: bool = False,
    document_date: date | None = date(2023, 5, 18),
    status: str = DocumentStatus.INDEXED.value,
) -> Document:
    digest = hashlib.sha256(f"{household_id}/{type_code}/{title}/{pages!r}".encode()).hexdigest()
    doc = Document(
        household_id=household_id,
        type_code=type_code,
        title=title,
        document_date=document_date,
        received_date=date(2023, 6, 1),
        confidentiality=(Confidentiality.CONFIDENTIAL if confidential else Confidentiality.ORDINARY).value,
        status=status,
        original_key=f"originals/test/{digest}",
        original_name=f"{type_code}.pdf",
        sha256=digest,
        size=1024,
        media_type="application/pdf",
        page_count=len(pages),
        signed_record=json.dumps({"test": True}),
        signature="test",
        signing_key_id="test",
        intake_at=datetime(2023, 6, 1, 9, 30, tzinfo=UTC),
    )
    session.add(doc)
    session.flush()
    for number, text in enumerate(pages, start=1):
        session.add(Page(document_id=doc.id, number=number, text=text, source="ocr"))
    session.flush()
    return doc


def staff_actor() -> Actor:
    return Actor(user_id=None, username="staff-test", role=Role.STAFF.value, active=True, channel="cli")


def archivist_actor() -> Actor:
    return Actor(
        user_id=None, username="archivist-test", role=Role.ARCHIVIST.value, active=True, channel="cli"
    )


@pytest.fixture
def search_cli():
    """The search commands registered on the ``dossier`` group (the lead wires them for real)."""
    from dossier.cli import cli
    from dossier.cli.search import register

    if "search" not in cli.commands:
        register(cli)
    return cli
