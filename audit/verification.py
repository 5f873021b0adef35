"""``audit verify``: check every original (or a household's, a recent slice, a random sample),
then the archive as a whole, and keep every check's outcome as a fixity event.

A run is resumable: documents are checked in id order in chunks of ``CHUNK``, each chunk's
events and the run's cursor committed together, so a run that was interrupted continues after
the last committed chunk. Memory stays bounded: one chunk of documents at a time, the session
cleared between chunks, and at most ``MAX_FINDINGS`` events kept per archive-wide check.

Archive-wide checks (``audit.checks.ARCHIVE_CHECKS``) need the whole store and catalog, so
they run only on a whole-archive run (no household, date or sample filter).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from audit.checks import ARCHIVE_CHECKS, CheckContext, Finding, Outcome, check_document, property_of
from dossier.actor import Actor
from dossier.archive import Archive
from dossier.catalog import zh
from dossier.dates import parse_date
from dossier.errors import InvalidInput, NotFound
from dossier.models import (
    AuditRun,
    AuditStatus,
    Document,
    DocumentStatus,
    FixityEvent,
    FixityOutcome,
    Household,
    utcnow,
)
from dossier.permissions import Permission, require
from dossier.signing import load_public_key
from search.writer import open_engine

CHUNK = 100
MAX_FINDINGS = 1000
RUNNING, FINISHED = AuditStatus.RUNNING, AuditStatus.FINISHED


@dataclass(frozen=True)
class Scope:
    household: str | None = None
    since: date | None = None
    sample: int | None = None

    @property
    def whole_archive(self) -> bool:
        return self.household is None and self.since is None and self.sample is None

    def as_dict(self) -> dict:
        return {
            "household": self.household,
            "since": self.since.isoformat() if self.since else None,
            "sample": self.sample,
        }


def parse_since(value: str | None) -> date | None:
    return parse_date(value, "--since")


def _scope_json(scope: Scope, sample_ids: list[int] | None = None) -> str:
    data = scope.as_dict()
    if sample_ids is not None:
        data["ids"] = sample_ids
    return json.dumps(data, sort_keys=True)


def _documents_query(session: Session, scope: Scope, ids: list[int] | None = None):
    query = select(Document.id).where(Document.status != DocumentStatus.DESTROYED)
    if scope.household:
        household_id = session.scalar(select(Household.id).where(Household.code == scope.household))
        if household_id is None:
            raise NotFound("audit.household_unknown", code=scope.household)
        query = query.where(Document.household_id == household_id)
    if scope.since:
        query = query.where(Document.intake_at >= datetime.combine(scope.since, time.min, UTC))
    if ids is not None:
        query = query.where(Document.id.in_(ids))
    return query


def _pick_sample(session: Session, scope: Scope) -> list[int] | None:
    if scope.sample is None:
        return None
    if scope.sample < 1:
        raise InvalidInput("audit.sample_min")
    query = _documents_query(session, Scope(household=scope.household, since=scope.since))
    return sorted(session.scalars(query.order_by(func.random()).limit(scope.sample)))


def open_run(session: Session, actor: Actor, scope: Scope, *, restart: bool = False) -> tuple[AuditRun, bool]:
    """The unfinished run with the same scope (to continue it), else a new one.
    Returns the run and whether it is being resumed. Sample runs always start afresh."""
    require(actor, Permission.AUDIT)
    wanted = _scope_json(scope)
    if not restart and scope.sample is None:
        run = session.scalar(
            select(AuditRun)
            .where(AuditRun.status == RUNNING, AuditRun.scope == wanted)
            .order_by(AuditRun.id.desc())
        )
        if run is not None:
            return run, True
    run = AuditRun(
        started_by=actor.username,
        scope=_scope_json(scope, _pick_sample(session, scope)),
        status=RUNNING,
        cursor=0,
        documents_checked=0,
        documents_failed=0,
        archive_failures=0,
    )
    session.add(run)
    session.commit()
    return run, False


def get_run(session: Session, actor: Actor, run_id: int) -> AuditRun:
    require(actor, Permission.AUDIT)
    run = session.get(AuditRun, run_id)
    if run is None:
        raise NotFound("audit.run_unknown", id=run_id)
    return run


def run_scope(run: AuditRun) -> Scope:
    data = json.loads(run.scope)
    return Scope(data.get("household"), parse_since(data.get("since")), data.get("sample"))


def _count(session: Session, query) -> int:
    return session.scalar(select(func.count()).select_from(query.subquery())) or 0


def remaining(session: Session, run: AuditRun) -> int:
    return _count(session, _run_documents(session, run).where(Document.id > run.cursor))


def scope_size(session: Session, scope: Scope) -> int:
    """How many documents a run of ``scope`` would check."""
    if scope.sample is not None:
        whole = _count(
            session, _documents_query(session, Scope(household=scope.household, since=scope.since))
        )
        return max(0, min(scope.sample, whole))
    return _count(session, _documents_query(session, scope))


def _run_documents(session: Session, run: AuditRun):
    return _documents_query(session, run_scope(run), json.loads(run.scope).get("ids"))


def _context(archive: Archive, session: Session) -> CheckContext:
    engine = open_engine(archive.settings)
    # Loads one integer pair per indexed document: small even for millions of documents.
    indexed = engine.documents() if engine.exists() else None
    return CheckContext(archive, session, load_public_key(archive.signer.public_pem()), indexed)


def _event(
    run: AuditRun,
    at: datetime,
    check: str,
    ok: bool,
    detail: str | None,
    document_id: int | None = None,
    household_id: int | None = None,
) -> FixityEvent:
    return FixityEvent(
        run_id=run.id,
        document_id=document_id,
        household_id=household_id,
        check=check,
        property=property_of(check),
        outcome=FixityOutcome.PASS if ok else FixityOutcome.FAIL,
        detail=(detail or None) and detail[:2000],
        at=at,
    )


def _check_chunk(ctx: CheckContext, run: AuditRun, ids: list[int]) -> None:
    session = ctx.session
    docs = session.scalars(
        select(Document)
        .where(Document.id.in_(ids))
        .order_by(Document.id)
        .options(selectinload(Document.pages), selectinload(Document.household))
    )
    for doc in docs:
        outcomes: list[Outcome] = check_document(ctx, doc)
        at = utcnow()
        session.add_all(_event(run, at, o.check, o.ok, o.detail, doc.id, doc.household_id) for o in outcomes)
        run.documents_checked += 1
        run.documents_failed += any(not o.ok for o in outcomes)
    run.cursor = ids[-1]
    session.commit()
    session.expunge_all()
    session.add(run)


def _archive_checks(ctx: CheckContext, run: AuditRun) -> None:
    """Each archive-wide check commits its events at once; a resumed run skips the checks it
    has already recorded (fixity events are never changed or deleted)."""
    session = ctx.session
    done = set(
        session.scalars(
            select(FixityEvent.check)
            .where(FixityEvent.run_id == run.id, FixityEvent.check.in_([c.name for c in ARCHIVE_CHECKS]))
            .distinct()
        )
    )
    for check in ARCHIVE_CHECKS:
        if check.name in done:
            continue
        findings: list[Finding] = []
        more = 0
        for finding in check.run(ctx):
            if len(findings) < MAX_FINDINGS:
                findings.append(finding)
            else:
                more += 1
        at = utcnow()
        if not findings:
            session.add(_event(run, at, check.name, True, None))
        for f in findings:
            session.add(_event(run, at, check.name, False, f.detail, f.document_id, f.household_id))
        if more:
            session.add(_event(run, at, check.name, False, zh("audit.finding.more", more=more)))
        run.archive_failures += len(findings) + more
        session.commit()


def verify_archive(
    archive: Archive,
    session: Session,
    run: AuditRun,
    *,
    progress: Callable[[int], None] | None = None,
    chunk: int = CHUNK,
) -> AuditRun:
    """Check the run's remaining documents, then (whole-archive runs) the archive; finish the run."""
    scope = run_scope(run)
    ctx = _context(archive, session)
    base = _run_documents(session, run).order_by(Document.id)
    while True:
        ids = list(session.scalars(base.where(Document.id > run.cursor).limit(chunk)))
        if not ids:
            break
        _check_chunk(ctx, run, ids)
        if progress:
            progress(len(ids))
    if scope.whole_archive:
        _archive_checks(ctx, run)
    run.status = FINISHED
    run.finished_at = utcnow()
    session.commit()
    return run


def run_failed(run: AuditRun) -> bool:
    return bool(run.documents_failed or run.archive_failures)


def run_view(run: AuditRun) -> dict:
    scope = json.loads(run.scope)
    scope.pop("ids", None)
    return {
        "run": run.id,
        "status": run.status,
        "started_at": run.started_at.isoformat() if run.started_at else None,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "started_by": run.started_by,
        "scope": scope,
        "documents_checked": run.documents_checked,
        "documents_failed": run.documents_failed,
        "archive_failures": run.archive_failures,
        "ok": run.status == FINISHED and not run_failed(run),
    }
