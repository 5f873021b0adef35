"""A document's processing state in the catalog: claim under a lease, renew, finish, fail.

The catalog, not the queue, decides who works on a document. ``claim`` is one conditional
UPDATE, so of two workers handed the same id only one proceeds. A worker that dies leaves its
document ``processing`` with a lease that runs out; ``sweep`` puts such documents back in the
queue. Every claim counts an attempt; the third failed attempt marks the document ``failed``
with its reason.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, and_, or_, select, update
from sqlalchemy.orm import Session

from dossier.catalog import text
from dossier.config import Settings
from dossier.keycheck import get_setting, put_setting
from dossier.models import Document, DocumentStatus, utcnow
from ingest import reasons

MAX_ATTEMPTS = 3
HEARTBEAT_KEY = "worker.heartbeat"


def lease(session: Session) -> timedelta:
    """How long a claim holds without renewal: ``Settings.lease`` (``DOSSIER_LEASE_SECONDS``) of
    the archive whose session this is (``dossier.db.session_factory`` puts the settings there)."""
    settings = session.info.get("settings")
    return settings.lease if isinstance(settings, Settings) else Settings.lease


def claim(session: Session, document_id: int) -> bool:
    """Take the document for processing; False when it is done, failed, or leased by another."""
    now = utcnow()
    result = cast(
        CursorResult[Any],
        session.execute(
            update(Document)
            .where(
                Document.id == document_id,
                or_(
                    Document.status.in_((DocumentStatus.QUEUED, DocumentStatus.STORED)),
                    and_(Document.status == DocumentStatus.PROCESSING, Document.lease_until < now),
                ),
            )
            .values(
                status=DocumentStatus.PROCESSING,
                lease_until=now + lease(session),
                attempts=Document.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        ),
    )
    session.commit()
    return result.rowcount == 1


def renew(session: Session, document_id: int, *, pages_done: int | None = None) -> None:
    """Extend the lease (and record progress, which the CLI and the intake page show)."""
    values: dict[str, object] = {"lease_until": utcnow() + lease(session)}
    if pages_done is not None:
        values["pages_done"] = pages_done
    session.execute(
        update(Document)
        .where(Document.id == document_id, Document.status == DocumentStatus.PROCESSING)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def fail(session: Session, document_id: int, reason: str, *, final: bool = False) -> str:
    """Record a failed attempt: back to the queue, or ``failed`` after the last attempt (or when
    ``final``: the input itself is bad and retrying cannot help). Returns the new status."""
    session.rollback()
    doc = session.get(Document, document_id)
    if doc is None or doc.status != DocumentStatus.PROCESSING:
        return doc.status if doc else "missing"
    doc.last_error = reason[:2000]
    doc.lease_until = None
    doc.status = DocumentStatus.FAILED if final or doc.attempts >= MAX_ATTEMPTS else DocumentStatus.QUEUED
    session.commit()
    return doc.status


def expire_leases(session: Session) -> list[int]:
    """Documents whose worker died (the lease ran out): back to the queue, counting as a failed
    attempt, or ``failed`` after the last one. Returns the ids to queue again."""
    now = utcnow()
    expired = list(
        session.scalars(
            select(Document).where(Document.status == DocumentStatus.PROCESSING, Document.lease_until < now)
        )
    )
    ids = []
    for doc in expired:
        doc.lease_until = None
        if doc.attempts >= MAX_ATTEMPTS:
            doc.status = DocumentStatus.FAILED
            doc.last_error = doc.last_error or reasons.dump(text("intake.stopped", attempts=MAX_ATTEMPTS))
        else:
            doc.status = DocumentStatus.QUEUED
            ids.append(doc.id)
    session.commit()
    return ids


def stranded(session: Session, older_than: timedelta = timedelta(minutes=2)) -> list[int]:
    """Queued documents nobody has touched for a while. Only meaningful when the queue itself is
    empty: then their messages were lost (a wiped queue file, a broker restart)."""
    return list(
        session.scalars(
            select(Document.id)
            .where(Document.status == DocumentStatus.QUEUED, Document.updated_at < utcnow() - older_than)
            .order_by(Document.id)
        )
    )


def beat(session: Session) -> None:
    """A running worker says so (``--wait`` uses it to decide whether to do the work itself)."""
    put_setting(session, HEARTBEAT_KEY, f"{utcnow().isoformat()} {socket.gethostname()} {os.getpid()}")
    session.commit()


def worker_alive(session: Session, within: timedelta = timedelta(seconds=30)) -> bool:
    value = get_setting(session, HEARTBEAT_KEY)
    if not value:
        return False
    try:
        at = datetime.fromisoformat(value.split()[0])
    except ValueError:
        return False
    return utcnow() - at < within
