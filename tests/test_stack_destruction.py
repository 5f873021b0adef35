"""Destroying a document cut from a scanned stack: the stored stack no longer yields its pages.

Everything is real (Pillow, poppler, qpdf, zxing-cpp, the vault, the catalog on SQLite and
PostgreSQL); no OCR. A destruction is driven the way ``retention.execute`` drives it: the cut
stored first, one catalog transaction (cut applied, document tombstoned), then the old object
deleted. Page content is compared by the scanned images themselves: a PDF page's JPEG stream
(``pdfimages -all``, the bytes qpdf copies unchanged) or a TIFF frame's pixels.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageSequence
from sqlalchemy import insert, select, update

from audit.checks import CheckContext
from audit.consistency import destroyed_pages_in_stacks
from dossier.errors import InvalidInput
from dossier.models import Document, ObjectKey, ScanStack, utcnow
from dossier.services import households as hh
from dossier.services.stacks import held_pages, stack_positions, verify_stack
from dossier.signing import load_public_key
from ingest.detect import pdf_info
from ingest.split import assign_unfiled
from retention.execute import object_keys_of, tombstone
from retention.stacks import (
    StackChanged,
    apply_stack_cuts,
    discard_stack_cuts,
    finish_stack_cuts,
    plan_stack_cuts,
)
from tests.synthetic import make_pdf, make_tiff
from tests.test_coversheets import _facts, _plain, _split, blank, content, sheet

LIST = "XH-2026-001"


@pytest.fixture
def folders(archive, console):
    """An archive with the two households the stacks' cover sheets name."""
    with archive.session() as session:
        for code in ("A-3-1201", "A-3-1202"):
            hh.add_household(session, console, None, code, owner="张三", building="A", floor=3)
    return archive


# --- helpers -------------------------------------------------------------------------------------


def _two_part_stack(archive, tmp_path: Path, maker=make_pdf, suffix: str = ".pdf") -> Path:
    """Sheet A, its blank back, A's two pages, sheet B, B's page: parts 1 | 2 | 3-4 | 5 | 6."""
    key = archive.cover_sheet_key
    a, b = _facts(archive, "A-3-1201"), _facts(archive, "A-3-1202")
    pages = [
        sheet(a, key),
        blank(1),
        content("甲一", 2),
        content("甲二", 3),
        sheet(b, key, skew=2.0),
        content("乙", 4),
    ]
    return maker(_plain(pages), tmp_path / f"stack{suffix}")


def _documents(archive) -> list[int]:
    with archive.session() as session:
        return list(session.scalars(select(Document.id).order_by(Document.id)))


def _destroy(archive, document_id: int, at: datetime | None = None) -> list[dict]:
    """One document destroyed as execution does it; returns the cut facts for the shredding log."""
    with archive.session() as session:
        doc = session.get(Document, document_id)
        cuts = plan_stack_cuts(archive, session, doc)
        keys = object_keys_of(archive, session, doc)
        for key in keys:
            archive.store.delete(key)
        now = at or utcnow()
        try:
            facts = apply_stack_cuts(session, archive.signer, cuts, list_number=LIST, at=now)
            tombstone(session, doc, keys, at=now, by="officer", list_number=LIST)
            session.commit()
        except BaseException:
            session.rollback()
            discard_stack_cuts(archive, cuts)
            raise
    finish_stack_cuts(archive, cuts)
    return facts


def _stack_row(session) -> ScanStack:
    return session.scalar(select(ScanStack))


def _stored_stack(archive, session, stack: ScanStack, out: Path) -> Path:
    key_row = session.get(ObjectKey, stack.original_key)
    with archive.vault.open(stack.original_key, key_row.wrapped_key) as stream:
        out.write_bytes(stream.read())
    return out


def _jpegs(pdf: Path, tmp_path: Path) -> list[bytes]:
    """Each page's scanned image as stored in the PDF (one JPEG stream per page)."""
    folder = tmp_path / f"images-{pdf.stem}"
    folder.mkdir()
    subprocess.run(["pdfimages", "-all", str(pdf), str(folder / "p")], check=True)
    return [path.read_bytes() for path in sorted(folder.glob("p-*.jpg"))]


def _frames(tiff: Path) -> list[np.ndarray]:
    with Image.open(tiff) as image:
        return [np.asarray(frame.convert("L")).copy() for frame in ImageSequence.Iterator(image)]


def _stack_objects(archive) -> list[str]:
    return [info.key for info in archive.store.list("stacks/")]


# --- cutting a part ------------------------------------------------------------------------------


def test_destroying_one_part_stores_the_stack_again_without_its_pages(folders, console, tmp_path):
    path = _two_part_stack(folders, tmp_path)
    report = _split(folders, console, path)
    assert [d["status"] for d in report["documents"]] == [
        "separator",
        "blank",
        "queued",
        "separator",
        "queued",
    ]
    first, _second = _documents(folders)
    with folders.session() as session:
        stack = _stack_row(session)
        old_key, old_sha256, v1 = stack.original_key, stack.sha256, json.loads(stack.signed_record)

    at = utcnow().replace(microsecond=0)
    facts = _destroy(folders, first, at)

    with folders.session() as session:
        stack = _stack_row(session)
        assert facts == [
            {"stack": stack.id, "pages": [1, 4], "sha256_before": old_sha256, "sha256_after": stack.sha256}
        ]
        assert session.get(ObjectKey, old_key) is None and not folders.store.exists(old_key)
        assert stack.original_key != old_key and stack.page_count == 2
        assert verify_stack(folders, session, stack) == (True, [])
        record = json.loads(stack.signed_record)
        assert (record["v"], record["pages"], record["object"]) == (2, [5, 6], stack.original_key)
        assert record["removed"] == [{"document": first, "list": LIST, "pages": [1, 4], "at": at.isoformat()}]
        assert record["source_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest() == old_sha256
        assert {k: record[k] for k in ("intake_at", "intake_by", "file", "batch")} == {
            k: v1[k] for k in ("intake_at", "intake_by", "file", "batch")
        }
        reduced = _stored_stack(folders, session, stack, tmp_path / "reduced.pdf")
    assert pdf_info(reduced).pages == 2
    scanned, kept = _jpegs(path, tmp_path), reduced.read_bytes()
    assert len(scanned) == 6
    assert [page in kept for page in scanned] == [False, False, False, False, True, True]
    assert _jpegs(reduced, tmp_path) == scanned[4:]


def test_destroying_every_part_crypto_shreds_the_stack(folders, console, tmp_path):
    _split(folders, console, _two_part_stack(folders, tmp_path))
    first, second = _documents(folders)
    _destroy(folders, second)
    facts = _destroy(folders, first)
    with folders.session() as session:
        stack = _stack_row(session)
        assert facts == [
            {
                "stack": stack.id,
                "pages": [1, 4],
                "sha256_before": facts[0]["sha256_before"],
                "sha256_after": None,
            }
        ]
        assert (stack.original_key, stack.page_count, stack.size) == (None, 0, 0)
        assert not session.scalars(select(ObjectKey).where(ObjectKey.object_key.like("stacks/%"))).all()
        record = json.loads(stack.signed_record)
        assert record["pages"] == [] and record["object"] is None
        assert [(r["document"], r["pages"]) for r in record["removed"]] == [(second, [5, 6]), (first, [1, 4])]
        assert verify_stack(folders, session, stack) == (True, [])
        assert (
            held_pages(stack) == [] and plan_stack_cuts(folders, session, session.get(Document, first)) == []
        )
    assert _stack_objects(folders) == []


def test_a_stack_whose_object_is_gone_keeps_no_pages_and_says_which_were_lost(folders, console, tmp_path):
    """A catalog restored without the storage it described (replaying a destruction, say)."""
    _split(folders, console, _two_part_stack(folders, tmp_path))
    first, _second = _documents(folders)
    with folders.session() as session:
        old_key = _stack_row(session).original_key
    folders.store.delete(old_key)
    facts = _destroy(folders, first)
    assert [(f["pages"], f["sha256_after"], f["lost"]) for f in facts] == [([1, 4], None, [6])]
    with folders.session() as session:
        stack = _stack_row(session)
        assert (stack.original_key, held_pages(stack)) == (None, [])
        assert session.get(ObjectKey, old_key) is None
        assert verify_stack(folders, session, stack) == (True, [])


def test_a_tiff_stack_is_cut_frame_by_frame(folders, console, tmp_path):
    path = _two_part_stack(folders, tmp_path, make_tiff, ".tif")
    _split(folders, console, path)
    _first, second = _documents(folders)
    _destroy(folders, second)
    with folders.session() as session:
        stack = _stack_row(session)
        assert json.loads(stack.signed_record)["pages"] == [1, 2, 3, 4]
        assert verify_stack(folders, session, stack) == (True, [])
        reduced = _stored_stack(folders, session, stack, tmp_path / "reduced.tif")
    scanned, kept = _frames(path), _frames(reduced)
    assert len(kept) == 4 and all(np.array_equal(a, b) for a, b in zip(kept, scanned[:4], strict=True))
    assert not any(np.array_equal(frame, cut) for frame in kept for cut in scanned[4:])
    with Image.open(reduced) as image:
        assert round(image.info["dpi"][0]) == 300


# --- re-runs and races ---------------------------------------------------------------------------


def test_planning_again_after_a_cut_gives_no_cut(folders, console, tmp_path):
    _split(folders, console, _two_part_stack(folders, tmp_path))
    first, _second = _documents(folders)
    _destroy(folders, first)
    before = _stack_objects(folders)
    with folders.session() as session:
        assert plan_stack_cuts(folders, session, session.get(Document, first)) == []
    assert _stack_objects(folders) == before


def test_a_discarded_plan_leaves_storage_and_catalog_as_they_were(folders, console, tmp_path):
    _split(folders, console, _two_part_stack(folders, tmp_path))
    first, _second = _documents(folders)
    before = _stack_objects(folders)
    with folders.session() as session:
        record = _stack_row(session).signed_record
        cuts = plan_stack_cuts(folders, session, session.get(Document, first))
        assert len(cuts) == 1 and folders.store.exists(cuts[0].new.key)
        discard_stack_cuts(folders, cuts)
        assert _stack_row(session).signed_record == record
    assert _stack_objects(folders) == before


def test_a_stack_cut_by_another_run_meanwhile_is_refused(folders, console, tmp_path):
    _split(folders, console, _two_part_stack(folders, tmp_path))
    first, _second = _documents(folders)
    with folders.session() as session:
        doc = session.get(Document, first)
        mine, theirs = plan_stack_cuts(folders, session, doc), plan_stack_cuts(folders, session, doc)
        apply_stack_cuts(session, folders.signer, theirs, list_number=LIST, at=utcnow())
        session.commit()
        finish_stack_cuts(folders, theirs)
        with pytest.raises(StackChanged, match="期间已被另一次执行改动"):
            apply_stack_cuts(session, folders.signer, mine, list_number=LIST, at=utcnow())
        session.rollback()
        discard_stack_cuts(folders, mine)
        stack = _stack_row(session)
        assert stack.original_key == theirs[0].new.key and verify_stack(folders, session, stack) == (True, [])
    assert _stack_objects(folders) == [theirs[0].new.key]


# --- filing what is left -------------------------------------------------------------------------


def test_unfiled_pages_are_filed_from_a_cut_stack(folders, console, tmp_path):
    key = folders.cover_sheet_key
    a = _facts(folders, "A-3-1201")
    foreign = sheet(a, b"f" * 32)
    path = make_pdf(
        _plain(
            [
                sheet(a, key),
                content("甲一", 1),
                content("甲二", 2),
                foreign,
                content("外一", 3),
                content("外二", 4),
            ]
        ),
        tmp_path / "stack.pdf",
    )
    report = _split(folders, console, path)
    assert [(d["status"], d["stack_pages"]) for d in report["documents"]] == [
        ("separator", [1, 1]),
        ("queued", [2, 3]),
        ("separator", [4, 4]),
        ("unfiled", [5, 6]),
    ]
    [filed] = _documents(folders)
    _destroy(folders, filed)
    with folders.session() as session:
        stack = _stack_row(session)
        assert held_pages(stack) == [4, 5, 6] and stack_positions(stack, 5, 6) == [2, 3]
        with pytest.raises(InvalidInput, match="已不在存储中"):
            stack_positions(stack, 2, 3)
        doc = assign_unfiled(
            folders,
            session,
            console,
            report["documents"][3]["item"],
            household="A-3-1202",
            community=None,
            type_code="correspondence",
        )
        with folders.vault.open(doc.original_key, session.get(ObjectKey, doc.original_key).wrapped_key) as s:
            (tmp_path / "filed.pdf").write_bytes(s.read())
    assert _jpegs(tmp_path / "filed.pdf", tmp_path) == _jpegs(path, tmp_path)[4:]
    assert not list((folders.settings.home / "work").iterdir())  # plaintext copies removed


# --- audit -----------------------------------------------------------------------------------------


def _findings(archive) -> list:
    with archive.session() as session:
        ctx = CheckContext(archive, session, load_public_key(archive.signer.public_pem()), None)
        return list(destroyed_pages_in_stacks(ctx))


def test_the_audit_finds_a_stack_put_back_to_before_its_cut(folders, console, tmp_path):
    _split(folders, console, _two_part_stack(folders, tmp_path))
    first, _second = _documents(folders)
    columns = ("original_key", "sha256", "sm3", "size", "page_count", "signed_record", "signature")
    with folders.session() as session:
        stack = _stack_row(session)
        stack_id, before = stack.id, {c: getattr(stack, c) for c in columns}
        key_row = session.get(ObjectKey, stack.original_key)
        old_key = {
            "object_key": key_row.object_key,
            "wrapped_key": key_row.wrapped_key,
            "master_key_id": key_row.master_key_id,
        }
    _destroy(folders, first)
    assert _findings(folders) == []

    with folders.session() as session:  # a catalog restored from before the cut, say
        session.execute(update(ScanStack).where(ScanStack.id == stack_id).values(**before))
        session.execute(insert(ObjectKey).values(**old_key))
    [finding] = _findings(folders)
    assert finding.document_id == first
    assert finding.detail == (
        f"整叠扫描件 {stack_id}（stack.pdf）仍含已由销毁清册 {LIST} 销毁的文件 {first} 的第 3-4 页"
    )
