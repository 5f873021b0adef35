"""Two processes indexing at once through the single writer: nothing corrupted, nothing lost."""

from __future__ import annotations

import multiprocessing

from dossier.services.households import add_household
from search.service import search_documents
from search.writer import IndexWriter, open_engine
from tests.search_helpers import add_doc

N_DOCS = 30


def _index(ids: list[int], barrier) -> None:
    # A fresh process (spawned), configured by the DOSSIER_* environment like an OCR worker.
    from dossier.archive import Archive
    from search import hooks

    archive = Archive()
    barrier.wait()
    for document_id in ids:
        hooks.document_changed(archive, document_id)


def test_two_processes_index_at_once_without_loss(archive, console):
    with archive.session() as session:
        h = add_household(session, console, None, "C-2-0801", owner="王五")
        session.flush()
        ids = [
            add_doc(
                session, h.id, "repair", f"报修单{i}", [f"报修编号R{i:04d} 水管漏水", f"第二页 编号R{i:04d}"]
            ).id
            for i in range(N_DOCS)
        ]
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    # Each process indexes its own half, and both index a shared third (overlapping updates).
    shared = ids[: N_DOCS // 3]
    a = ctx.Process(target=_index, args=(ids[0::2] + shared, barrier))
    b = ctx.Process(target=_index, args=(ids[1::2] + shared, barrier))
    a.start(), b.start()
    a.join(120), b.join(120)
    assert a.exitcode == 0 and b.exitcode == 0

    writer = IndexWriter(archive)
    report = writer.check()
    assert report["ok"], report
    assert report["indexed_documents"] == N_DOCS and report["indexed_pages"] == 2 * N_DOCS
    assert report["pending"] == []
    with archive.session() as session:
        result = search_documents(session, console, open_engine(archive.settings), "水管漏水", limit=200)
    assert result["total"] == N_DOCS
    with archive.session() as session:
        one = search_documents(session, console, open_engine(archive.settings), "r0007", limit=5)
    assert one["total"] == 1


def test_ids_left_by_a_busy_writer_are_applied_later(archive, console):
    with archive.session() as session:
        h = add_household(session, console, None, "C-2-0802", owner="赵六")
        session.flush()
        doc = add_doc(session, h.id, "repair", "报修单", ["燃气表更换"])
    writer = IndexWriter(archive)
    with writer.writing(None):  # someone else (a rebuild) holds the lock
        assert writer.notify([doc.id], timeout=0.05) is False
        assert writer.journal.pending() == [doc.id]
    assert writer.drain() is True
    assert writer.journal.pending() == []
    assert writer.check()["ok"]
