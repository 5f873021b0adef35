"""The work queue: huey, on a SQLite file by default, on Redis when ``DOSSIER_REDIS_URL`` is set.

The queue only carries ids: documents to process, and background jobs (``dossier.jobs``: audit
runs, destruction) whose handlers the worker's entry point registered. The catalog is the source
of truth for a document's state (``queued`` → ``processing`` under a lease → ``indexed`` or
``failed``) and a job's, so a lost or repeated message is harmless: processing starts by
claiming the document (or the job) in the catalog, which succeeds for one worker only, and the
sweep re-queues whatever a dead worker left behind.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from huey import Huey, RedisHuey, SqliteHuey
from huey.api import TaskWrapper

from dossier import jobs
from dossier.archive import Archive
from dossier.config import Settings
from ingest.pipeline import process_document
from ingest.tesseract import configure

PROCESS_TASK = "dossier.process_document"
JOB_TASK = "dossier.run_job"

log = logging.getLogger(__name__)

_hueys: dict[str, Huey] = {}
_process_tasks: dict[str, TaskWrapper] = {}
_job_tasks: dict[str, TaskWrapper] = {}
_lock = threading.Lock()


def _process_document_task(settings: Settings) -> Callable[[int], None]:
    """The task that processes one document, with the settings of the process that registered it
    (in the worker: the ones ``dossier worker`` read at start, inherited by its forks)."""

    def process(document_id: int) -> None:
        configure(settings)
        status = process_document(Archive(settings), document_id)
        if status == "failed":
            log.warning("document %s failed; its last error is recorded on it", document_id)

    return process


def _run_job_task(settings: Settings) -> Callable[[int], None]:
    """The task that runs one background job (``dossier.jobs.run`` claims it in the catalog)."""

    def run(job_id: int) -> None:
        jobs.run(settings, job_id)

    return run


def _queue_key(settings: Settings) -> str:
    return settings.redis_url or str(settings.home / "queue.db")


def get_huey(settings: Settings) -> Huey:
    """The queue for these settings, with Dossier's tasks registered on it."""
    key = _queue_key(settings)
    with _lock:
        huey = _hueys.get(key)
        if huey is None:
            if settings.redis_url:
                huey = RedisHuey("dossier", url=settings.redis_url, results=False)
            else:
                settings.home.mkdir(parents=True, exist_ok=True)
                huey = SqliteHuey("dossier", filename=key, results=False)
            _process_tasks[key] = huey.task(name=PROCESS_TASK, retries=0)(_process_document_task(settings))
            _job_tasks[key] = huey.task(name=JOB_TASK, retries=0)(_run_job_task(settings))
            _hueys[key] = huey
        return huey


def enqueue_documents(settings: Settings, document_ids: list[int]) -> None:
    get_huey(settings)
    process = _process_tasks[_queue_key(settings)]
    for document_id in document_ids:
        process(document_id)  # calling a huey task wrapper enqueues it


def enqueue_job(settings: Settings, job_id: int) -> None:
    get_huey(settings)
    _job_tasks[_queue_key(settings)](job_id)


def pending_count(settings: Settings) -> int:
    return get_huey(settings).pending_count()
