"""An optional dedicated index-writer queue (huey, one worker), for deployments that prefer OCR
workers not to wait for the index at all.

``enqueue_index(settings, ids)`` journals the ids (so nothing is lost even if the queue is) and
enqueues one drain; the index worker (``huey_consumer`` with ``-w 1`` on :func:`get_index_huey`'s
queue) applies every journalled change in one commit. Its queue is separate from the OCR queue:
SQLite file ``$DOSSIER_HOME/index-queue.db`` by default, the ``dossier-index`` queue on Redis
when ``DOSSIER_REDIS_URL`` is set.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from huey import Huey, RedisHuey, SqliteHuey

from dossier.archive import Archive
from dossier.config import Settings
from search.writer import IndexWriter, Journal

DRAIN_TASK = "dossier.index_drain"

log = logging.getLogger(__name__)

_hueys: dict[str, tuple[Huey, object]] = {}
_lock = threading.Lock()


def _drain_task() -> None:
    if not IndexWriter(Archive(Settings.from_env())).drain(timeout=600.0):
        log.warning(
            "the index writer lock was busy for 10 minutes; the changes stay journalled for the next drain"
        )


def get_index_huey(settings: Settings) -> Huey:
    return _get(settings)[0]


def _get(settings: Settings):
    key = settings.redis_url or str(settings.home / "index-queue.db")
    with _lock:
        entry = _hueys.get(key)
        if entry is None:
            if settings.redis_url:
                huey = RedisHuey("dossier-index", url=settings.redis_url, results=False)
            else:
                settings.home.mkdir(parents=True, exist_ok=True)
                huey = SqliteHuey("dossier-index", filename=key, results=False)
            task = huey.task(name=DRAIN_TASK, retries=3, retry_delay=5)(_drain_task)
            entry = _hueys[key] = (huey, task)
        return entry


def enqueue_index(settings: Settings, document_ids: list[int]) -> None:
    root = Path(settings.index_dir)
    root.mkdir(parents=True, exist_ok=True)
    Journal(root).append(document_ids)
    _get(settings)[1]()  # enqueue one drain
    log.debug("journalled %d document(s) and queued an index drain", len(document_ids))
