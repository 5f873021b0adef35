"""Looking at the unfiled pages of a split stack before filing them: one page as a small image.

The pages are not documents yet, so they have no stored previews: the page is copied out of the
stored stack (``dossier.services.stacks``) into a private work folder, rendered at a low
resolution and returned as PNG bytes; nothing is kept. Each look is recorded in the access log.
"""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy.orm import Session

from dossier.actor import Actor
from dossier.archive import Archive
from dossier.catalog import zh
from dossier.errors import NotFound
from dossier.models import AccessAction, BatchItem, BatchOutcome
from dossier.permissions import Permission, require
from dossier.services.access import record_access
from dossier.services.stacks import copy_stack, stack_positions
from dossier.workdir import work_folder
from ingest._tools import decoding
from ingest.detect import detect
from ingest.rasterise import iter_pages
from ingest.separate import extract_page_list

PREVIEW_DPI = 60  # enough to recognise a page, small enough to show several in a row
MAX_SIDE = 900  # pixels; a page scanned oversize is shrunk to this
MAX_SHOWN = 12  # pages of one unfiled part shown on the batch page


def unfiled_item(session: Session, batch_id: int, item_id: int) -> BatchItem:
    """The unfiled part ``item_id`` of batch ``batch_id`` (NotFound otherwise)."""
    item = session.get(BatchItem, item_id)
    if (
        item is None
        or item.batch_id != batch_id
        or item.stack_id is None
        or item.outcome != BatchOutcome.UNFILED
        or item.first_page is None
        or item.last_page is None
    ):
        raise NotFound("intake.unfiled_not_found", batch=batch_id, item=item_id)
    return item


def unfiled_page_image(
    archive: Archive, session: Session, actor: Actor, batch_id: int, item_id: int, number: int
) -> bytes:
    """Page ``number`` (of the stack, as the batch page counts) of an unfiled part, as PNG bytes."""
    require(actor, Permission.MANAGE_RECORDS)
    item = unfiled_item(session, batch_id, item_id)
    assert item.first_page is not None and item.last_page is not None  # unfiled_item checked
    if not item.first_page <= number <= item.last_page:
        raise NotFound("intake.unfiled_no_page", page=number)
    stack = item.stack
    assert stack is not None  # unfiled_item checked
    [position] = stack_positions(stack, number, number)
    label = zh("intake.part_name", name=stack.file_name, pages=number)
    with work_folder(archive.settings, "unfiled-") as folder:
        whole = copy_stack(archive, session, stack, folder / "stack")
        detected = detect(whole, name=stack.file_name)
        one = extract_page_list(whole, detected, [position], folder / f"page{detected.suffix}", name=label)
        whole.unlink()
        page = next(
            iter_pages(one, detect(one, name=label), dpi=PREVIEW_DPI, workdir=folder / "r", name=label)
        )
        with decoding(label), Image.open(page.path) as image:
            small = image.convert("L")
            small.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            small.save(out, "PNG", optimize=True)
    record_access(
        session,
        actor,
        AccessAction.STACK_VIEW,
        detail=zh("intake.log.stack_page", stack=stack.id, page=number),
    )
    return out.getvalue()
