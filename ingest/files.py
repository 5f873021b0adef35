"""The files of a batch, shared by plain intake (``ingest.intake``) and split stacks
(``ingest.split``): what a file is and where it goes, the early refusal of what processing
would refuse later, and the batch item that records what became of each file or part.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dossier.catalog import Text
from dossier.errors import InvalidInput
from dossier.models import Batch, BatchItem, BatchOutcome
from ingest._tools import decoding
from ingest.detect import Detected, detect, page_count, pdf_info


@dataclass
class FileSpec:
    """One file to take in and where it goes. ``problem`` refuses it before it is read."""

    path: Path | None
    name: str
    household: str | None = None
    community: str | None = None
    type_code: str | None = None
    title: str | None = None
    document_date: date | None = None
    confidential: bool = False
    retention_class: str | None = None  # its own class (a manifest row's); wins over the batch's
    problem: Text | None = None
    split: bool = False  # a stack with cover sheets: split it, file each part by its sheet


def probe(path: Path, name: str, max_pages: int | None = None) -> Detected:
    """Refuse early what processing would refuse later: wrong type, damaged or locked PDF, an
    image whose declared size trips Pillow's decompression-bomb limit, and (with ``max_pages``,
    the setting ``DOSSIER_MAX_PAGES``) more pages than one file may have, before it is stored."""
    detected = detect(path, name=name)
    if detected.is_pdf:
        pages = pdf_info(path, name=name).pages
    else:
        with decoding(name), Image.open(path) as image:
            image.size  # noqa: B018 - opening reads the header, where the bomb check happens
        pages = page_count(path, detected, name=name) if max_pages is not None else 1
    if max_pages is not None and pages > max_pages:
        raise InvalidInput("intake.too_many_pages", name=name, pages=f"{pages:,}", max=f"{max_pages:,}")
    return detected


def record_item(session: Session, batch: Batch, name: str, outcome: BatchOutcome, **kw: Any) -> BatchItem:
    """Record (and commit) what became of one file or one part of a split stack, after the
    batch's others."""
    position = 1 + (
        session.scalar(select(func.max(BatchItem.position)).where(BatchItem.batch_id == batch.id)) or 0
    )
    item = BatchItem(batch_id=batch.id, position=position, file_name=name, outcome=outcome, **kw)
    session.add(item)
    session.commit()
    return item
