"""Running the processing of documents: here and now (``ingest --wait`` with no worker), or as
the long-lived ``dossier worker`` fed by the queue.

Here and now uses every core: child processes read pages (one tesseract each,
``OMP_THREAD_LIMIT=1``) fed by a few documents in flight in this process, so a batch of single
scans and a 500-page PDF keep every core busy alike (see :func:`process_here`).

Both set the process up for reading pages (:func:`_prepare`) before forking: the children
inherit the OpenMP limit and the OCR engine the settings name.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed

from sqlalchemy import select

from dossier import jobs
from dossier.archive import Archive
from dossier.catalog import say
from dossier.config import Settings, limit_openmp_threads
from dossier.db import dispose_engines
from dossier.filemodes import private_umask
from dossier.models import Document
from dossier.workdir import sweep
from ingest import state, tesseract
from ingest.pipeline import process_document
from ingest.queue import enqueue_documents, enqueue_job, get_huey, pending_count

log = logging.getLogger(__name__)

HOUSEKEEPING_SECONDS = 10
FINAL = ("indexed", "failed", "destroyed")


def default_processes() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def _prepare(settings: Settings) -> None:
    """Set this process up for reading pages, before it forks the processes that read them."""
    limit_openmp_threads()  # one tesseract per core: each runs one OpenMP thread
    tesseract.configure(settings)


def _child_start() -> None:
    dispose_engines()


def _pool(processes: int) -> ProcessPoolExecutor:
    # fork: children start at once and inherit the environment (settings, keys) as they are.
    return ProcessPoolExecutor(
        processes, mp_context=multiprocessing.get_context("fork"), initializer=_child_start
    )


def process_here(archive: Archive, document_ids: list[int], processes: int | None = None) -> None:
    """Process these documents in this process and its children, returning when all are done.

    With one process, documents and pages are read one after the other, here. Otherwise
    ``processes`` children read pages (prepare, OCR, preview) and this process keeps a few
    documents in flight at once (one thread each: fetching the original, rasterising, storing
    derivatives, the catalog), each feeding its pages to the same children. So the children have
    work queued whatever the batch is made of: many one-page scans, one 500-page PDF, or both
    (a batch whose documents went whole to children left all cores but one idle while a long
    document was read page by page).
    """
    processes = processes or default_processes()
    if not document_ids:
        return
    _prepare(archive.settings)
    if processes <= 1:
        for document_id in document_ids:
            process_document(archive, document_id)
        return
    with _pool(processes) as pool:
        pool.submit(os.getpid).result()  # the children are forked now, before the threads below
        in_flight = max(2, processes * 2) if len(document_ids) == 1 else max(2, processes)
        with ThreadPoolExecutor(
            min(len(document_ids), processes + 1), thread_name_prefix="dossier-document"
        ) as docs:
            futures = [
                docs.submit(process_document, archive, document_id, executor=pool, in_flight=in_flight)
                for document_id in document_ids
            ]
            for future in as_completed(futures):
                future.result()


def housekeeping(settings: Settings) -> None:
    """One round of the worker's chores: say it is alive; re-queue what dead workers left
    (documents, and background jobs whose worker fell silent)."""
    archive = Archive(settings)
    with archive.session() as session:
        state.beat(session)
        ids = state.expire_leases(session)
        queue_empty = pending_count(settings) == 0
        if queue_empty:
            ids += state.stranded(session)
        job_ids = jobs.to_requeue(session, queue_empty=queue_empty)
    if ids:
        log.info("queueing again %d document(s) a dead worker or a lost message left behind", len(set(ids)))
        enqueue_documents(settings, sorted(set(ids)))
    for job_id in job_ids:
        log.info("queueing job %s again: its worker fell silent or its message was lost", job_id)
        enqueue_job(settings, job_id)


def _housekeeping_loop(settings: Settings) -> None:
    while True:
        try:
            housekeeping(settings)
        except Exception:  # noqa: BLE001 - a passing database hiccup must not stop the chores
            log.exception("worker housekeeping failed; trying again in %s seconds", HOUSEKEEPING_SECONDS)
        time.sleep(HOUSEKEEPING_SECONDS)


def run_worker(settings: Settings, processes: int, on_start: Callable[[str], None] | None = None) -> None:
    """The long-lived worker: a huey consumer with one process per core, plus housekeeping.

    Housekeeping runs in a process of its own, not a thread: the consumer forks its workers
    (and forks again to replace one that died), and a fork taken while a thread is inside
    SQLite or holds a lock leaves the child deadlocked.

    At start, the working folders a killed process left under ``$DOSSIER_HOME/work`` (plaintext
    copies of originals, page images) are removed; folders of live processes stay.

    The consumer runs background jobs too (``dossier.jobs``); the caller has imported their
    handlers (``dossier worker`` does) before this forks the consumer's processes.
    """
    private_umask()
    _prepare(settings)
    swept = sweep(settings)
    huey = get_huey(settings)
    housekeeping(settings)  # fail loudly at start if the catalog is unreachable
    dispose_engines()  # no pooled connection crosses the forks below
    chores = multiprocessing.get_context("fork").Process(
        target=_housekeeping_loop, args=(settings,), name="dossier-housekeeping", daemon=True
    )
    chores.start()
    if on_start:
        if swept:
            on_start(say("intake.worker_swept", count=len(swept)))
        on_start(
            say(
                "intake.worker_running",
                processes=processes,
                queue=settings.redis_url or settings.home / "queue.db",
            )
        )
    consumer = huey.create_consumer(
        workers=processes, worker_type="process", periodic=False, check_worker_health=True
    )
    try:
        consumer.run()
    finally:
        chores.terminate()
        chores.join(5)


def progress(archive: Archive, document_ids: list[int]) -> tuple[int, int, int]:
    """(pages done, pages known so far, documents finished) for these documents."""
    with archive.session() as session:
        rows = session.execute(
            select(Document.status, Document.pages_done, Document.page_count).where(
                Document.id.in_(document_ids)
            )
        ).all()
    done = sum(1 for r in rows if r.status in FINAL)
    pages_total = sum(r.page_count or 0 for r in rows)
    pages_done = sum((r.page_count or 0) if r.status in FINAL else (r.pages_done or 0) for r in rows)
    return pages_done, pages_total, done


def wait_for(
    archive: Archive,
    document_ids: list[int],
    on_tick: Callable[[int, int, int], None] | None = None,
    poll: float = 1.0,
) -> None:
    """Block until these documents are indexed or failed, reporting progress on each tick."""
    while True:
        pages_done, pages_total, done = progress(archive, document_ids)
        if on_tick:
            on_tick(pages_done, pages_total, done)
        if done >= len(document_ids):
            return
        time.sleep(poll)
