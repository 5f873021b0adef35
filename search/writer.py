"""The one index writer: every change to the index goes through here.

How several OCR workers (threads or processes) index without corrupting the index or losing an
update:

1. A changed document's id is appended to a *journal* file in the index folder (under a short
   ``flock``), so the change is recorded before anyone tries to write.
2. The caller then takes the *writer lock* (``flock`` on ``write.lock``, waiting up to a timeout).
   Whoever holds it drains the journal: it reads the pending ids, reads those documents' pages
   **from the catalog at that moment** (so the last committed state wins, whatever order the
   notifications came in), replaces them in the index in one commit, and only then removes
   those ids from the journal. Ids appended meanwhile are drained in the next round; after
   releasing the lock the holder looks again, so no id is left behind by a race.
3. A caller that cannot get the lock in time leaves its id in the journal: the current holder,
   the next write, ``dossier index sync`` or a rebuild applies it. Nothing is lost; a crash
   between reading and committing leaves the ids in the journal.

Several notifications arriving together are applied in one commit (batching comes for free).
A destroyed document's pages are deleted in the same way, before ``document_changed`` returns
(unless the lock is held by a rebuild, in which case the rebuild applies it when it swaps in).
Web processes never write: they open searchers and refresh them when the index changed.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from dossier import pagetext
from dossier.errors import DossierError
from dossier.models import Document, DocumentStatus, Household, Page
from search.engine import PageEntry, SearchEngine
from search.engines import open_engine

__all__ = [
    "DEFAULT_WAIT",
    "IndexBusy",
    "IndexWriter",
    "Journal",
    "entries_for",
    "load_changes",
    "open_engine",
]

log = logging.getLogger(__name__)

DEFAULT_WAIT = 60.0


class IndexBusy(DossierError):
    exit_code = 7
    http_status = 503

    def __init__(self, message: str):
        super().__init__(message)


# --- the file lock and the journal ----------------------------------------------------------


@contextmanager
def _flock(path: Path, timeout: float | None) -> Iterator[bool]:
    """Hold an exclusive ``flock`` on ``path``; yields False when it could not be had in time.
    ``flock`` locks belong to the open file, so threads of one process exclude each other too."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = None if timeout is None else time.monotonic() + timeout
        delay = 0.01
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    raise
                if deadline is not None and time.monotonic() >= deadline:
                    yield False
                    return
                time.sleep(delay)
                delay = min(delay * 2, 0.2)
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


class Journal:
    """Pending document ids, one per line, appended under a lock and removed once committed."""

    def __init__(self, root: Path):
        self.path = root / "journal"
        self.lock_path = root / "journal.lock"

    def append(self, ids: Iterable[int]) -> None:
        data = "".join(f"{int(i)}\n" for i in ids)
        if not data:
            return
        with _flock(self.lock_path, None), open(self.path, "a", encoding="ascii") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())

    def read(self) -> tuple[list[int], int]:
        """The pending ids (each once, in order) and how many bytes of the journal they span."""
        with _flock(self.lock_path, None):
            try:
                data = self.path.read_bytes()
            except FileNotFoundError:
                return [], 0
        end = data.rfind(b"\n") + 1  # a torn last line (a crash mid-append) waits
        ids: dict[int, None] = {}
        for line in data[:end].split(b"\n"):
            line = line.strip()
            if line.isdigit():
                ids[int(line)] = None
        return list(ids), end

    def remove(self, nbytes: int) -> None:
        """Drop the first ``nbytes`` (already applied); keep whatever was appended since."""
        if nbytes <= 0:
            return
        with _flock(self.lock_path, None):
            try:
                rest = self.path.read_bytes()[nbytes:]
            except FileNotFoundError:
                return
            tmp = self.path.with_name("journal.tmp")
            tmp.write_bytes(rest)
            os.replace(tmp, self.path)

    def pending(self) -> list[int]:
        return self.read()[0]


# --- from the catalog to index entries -------------------------------------------------------


def _names(household: Household) -> str:
    return " ".join(p.name for p in household.parties if p.name)


def entries_for(doc: Document, keys) -> list[PageEntry]:
    """The index entries of ``doc``'s pages, with their plaintext (sealed text opened with
    ``keys``: the archive, its field cipher or a catalog session, see ``dossier.pagetext``)."""
    if doc.status == DocumentStatus.DESTROYED:
        return []
    h = doc.household
    base: dict[str, Any] = dict(
        document=doc.id,
        household=h.code,
        community=h.community.name,
        building=h.building,
        names=_names(h),
        type=doc.type_code,
        title=doc.title,
        date=doc.document_date,
        confidential=doc.confidentiality == "confidential",
        status=doc.status,
    )
    return [PageEntry(page=p.number, text=pagetext.page_text(keys, p) or "", **base) for p in doc.pages]


def _load(session: Session, ids: list[int]) -> list[Document]:
    return list(
        session.scalars(
            select(Document)
            .where(Document.id.in_(ids))
            .options(
                selectinload(Document.pages),
                selectinload(Document.household).selectinload(Household.parties),
                selectinload(Document.household).selectinload(Household.community),
            )
            .execution_options(populate_existing=True)
        )
    )


def load_changes(session: Session, ids: list[int]) -> dict[int, list[PageEntry]]:
    """Each id → its pages' entries as the catalog has them now ([] when gone or destroyed)."""
    changes: dict[int, list[PageEntry]] = {i: [] for i in ids}
    for start in range(0, len(ids), 500):
        for doc in _load(session, ids[start : start + 500]):
            changes[doc.id] = entries_for(doc, session)
    return changes


# --- the writer -----------------------------------------------------------------------------


class IndexWriter:
    def __init__(self, archive, engine: SearchEngine | None = None):
        self.archive = archive
        self.engine = engine or open_engine(archive.settings)
        self.root = self.engine.root
        self.journal = Journal(self.root)
        self.lock_path = self.root / "write.lock"

    def writing(self, timeout: float | None):
        return _flock(self.lock_path, timeout)

    def notify(self, document_ids: Iterable[int], *, timeout: float = DEFAULT_WAIT) -> bool:
        """Record that these documents changed and bring the index in line. True when the
        journal was drained before returning; False when another writer (such as a rebuild)
        held the lock past ``timeout`` — the ids stay journalled and are applied later."""
        self.journal.append(document_ids)
        return self.drain(timeout=timeout)

    def drain(self, *, timeout: float = DEFAULT_WAIT) -> bool:
        while True:
            with self.writing(timeout) as held:
                if not held:
                    return False
                self._drain_locked()
            # Another caller may have appended just before we released, after failing to get
            # the lock: look again so its ids are not left behind.
            if not self.journal.pending():
                return True
            timeout = 0.0

    def _drain_locked(self) -> int:
        if self.engine.outdated():
            # An index written by another version (see the engine's FORMAT file) is never
            # written to: it is rebuilt from the catalog, which applies the journal too.
            log.warning(
                "the search index in %s is in an older format; rebuilding it from the catalog", self.root
            )
            return int(self._rebuild_locked(progress=False, batch=200)["journal_applied"])
        return self._apply_journal()

    def _apply_journal(self) -> int:
        applied = 0
        while True:
            ids, nbytes = self.journal.read()
            if not ids:
                if nbytes:
                    self.journal.remove(nbytes)
                return applied
            with self.archive.session() as session:
                changes = load_changes(session, ids)
            self.engine.apply(changes)
            self.journal.remove(nbytes)
            applied += len(ids)

    # --- rebuild and check -------------------------------------------------------------------
    def rebuild(self, *, progress: bool = False, batch: int = 200, timeout: float = DEFAULT_WAIT) -> dict:
        """Rebuild the index from the catalog's page text into a fresh folder and swap it in.

        The writer lock is held throughout, so concurrent changes wait in the journal and are
        applied right after the swap (changes read by the rebuild before they happened are
        then corrected)."""
        with self.writing(timeout) as held:
            if not held:
                raise IndexBusy("search.index_busy")
            return self._rebuild_locked(progress=progress, batch=batch)

    def _rebuild_locked(self, *, progress: bool, batch: int) -> dict:
        with self.archive.session() as session:
            total_pages = (
                session.scalar(
                    select(func.count(Page.id))
                    .join(Document, Page.document_id == Document.id)
                    .where(Document.status != DocumentStatus.DESTROYED)
                )
                or 0
            )
            ids = list(
                session.scalars(
                    select(Document.id)
                    .where(Document.status != DocumentStatus.DESTROYED)
                    .order_by(Document.id)
                )
            )
        bar = None
        if progress:
            from tqdm import tqdm  # reason: 150 ms at import; only a rebuild with progress needs it

            bar = tqdm(total=total_pages, unit="page", desc="indexing", leave=True)
        counts = {"documents": 0, "pages": 0}

        def entries() -> Iterator[PageEntry]:
            for start in range(0, len(ids), batch):
                with self.archive.session() as session:
                    docs = _load(session, ids[start : start + batch])
                    chunk = [entries_for(doc, self.archive) for doc in docs]
                for doc_entries in chunk:
                    if doc_entries:
                        counts["documents"] += 1
                    for entry in doc_entries:
                        counts["pages"] += 1
                        yield entry
                    if bar is not None:
                        bar.update(len(doc_entries))

        try:
            built = self.engine.build(entries())
        finally:
            if bar is not None:
                bar.close()
        self.engine.swap_in(built)
        counts["journal_applied"] = self._apply_journal()
        return counts

    def check(self) -> dict:
        """Documents the catalog says should be searchable but are missing from the index (or
        have a different number of pages there), and index entries with no live document."""
        with self.archive.session() as session:
            expected = dict(
                session.execute(
                    select(Page.document_id, func.count(Page.id))
                    .join(Document, Page.document_id == Document.id)
                    .where(Document.status != DocumentStatus.DESTROYED)
                    .group_by(Page.document_id)
                ).all()
            )
        indexed = self.engine.documents()
        missing = sorted(d for d in expected if d not in indexed)
        orphans = sorted(d for d in indexed if d not in expected)
        stale = sorted(d for d in expected if d in indexed and indexed[d] != expected[d])
        pending = self.journal.pending()
        return {
            "ok": not (missing or orphans or stale),
            "documents": len(expected),
            "indexed_documents": len(indexed),
            "indexed_pages": sum(indexed.values()),
            "missing": missing,
            "orphans": orphans,
            "stale": stale,
            "pending": pending,
        }

    def sync(self, document_ids: Iterable[int] | None = None, *, timeout: float = DEFAULT_WAIT) -> dict:
        """Re-index the given documents, or whatever :meth:`check` finds wrong."""
        if document_ids is None:
            report = self.check()
            document_ids = report["missing"] + report["orphans"] + report["stale"]
        ids = list(document_ids)
        done = self.notify(ids, timeout=timeout) if ids else self.drain(timeout=timeout)
        if not done:
            raise IndexBusy("search.index_busy_journalled")
        return {"synced": len(ids)}
