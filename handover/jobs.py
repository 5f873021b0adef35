"""Handovers from the web: 移交 and 接收 as background jobs (``dossier.jobs``), and the record of
past handovers with the files each one left.

:func:`start_export` (an administrator; households, a community or everything) queues
:func:`handover.export.export_package`; the worker writes the package under
``$DOSSIER_HOME/handovers/<package_id>/`` (first into a folder named after the job, renamed when
complete, so a half-written package is never offered). :func:`start_import` checks an uploaded
ZIP's directory (``handover.transport``), keeps it under ``handovers/incoming/`` and queues the
接收: the worker unpacks it into a private working folder (``dossier.workdir``), runs
:func:`handover.receive.receive_package` (the checks, then the filing) and removes the ZIP. Either
job keeps the ``Handover`` record's id as its result; the web shows that record's report.

Who commits: ``start_*`` add to the caller's transaction; the handlers commit what the services
did once they return (a refused package stores nothing but its record).
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dossier import jobs
from dossier.actor import Actor
from dossier.archive import Archive
from dossier.catalog import zh
from dossier.config import Settings
from dossier.errors import DossierError, InvalidInput, NotFound
from dossier.models import AccessAction, Handover, HandoverDirection, Job
from dossier.people import display_names
from dossier.permissions import Permission, require
from dossier.services.access import record_access
from dossier.workdir import work_folder
from handover.checks import ASPECT_CODES, ASPECTS, key_statement
from handover.export import Selection, export_package, select_households
from handover.package import REGISTER_PDF, REGISTER_XLSX, parse_fingerprint
from handover.receive import receive_package, received_folder
from handover.transport import Limits, check_zip, unpack

log = logging.getLogger(__name__)

EXPORT = "handover.export"
IMPORT = "handover.import"
ROOT = "handovers"
INCOMING = "incoming"
MAX_CODES = 500
_PACKAGE_ID = re.compile(r"^[0-9a-f]{8,64}$")
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


# --- where the files are ---------------------------------------------------------------------------


def handovers_root(settings: Settings) -> Path:
    """``$DOSSIER_HOME/handovers`` (0700): exported packages and uploads waiting to be received."""
    root = settings.home / ROOT
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    return root


def package_folder(settings: Settings, package_id: str) -> Path | None:
    """The folder of an exported package, when it is still there."""
    if not _PACKAGE_ID.match(package_id or ""):
        return None
    folder = handovers_root(settings) / package_id
    return folder if folder.is_dir() and not folder.is_symlink() else None


def _incoming(settings: Settings) -> Path:
    folder = handovers_root(settings) / INCOMING
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def limits(settings: Settings) -> Limits:
    """What an uploaded package may unpack to: four times the upload limit (a ZIP may be
    compressed, a package's originals hardly are)."""
    return Limits(max_bytes=4 * settings.max_upload_mb * 1024 * 1024)


# --- the record of handovers -----------------------------------------------------------------------


@dataclass(frozen=True)
class FindingView:
    item: str
    text: str


@dataclass(frozen=True)
class CheckView:
    """One property's result in a receipt's report: passed, failed or not checked."""

    aspect: str
    property: str  # its Chinese name (真实性 …)
    outcome: str  # passed | failed | unchecked
    findings: list[FindingView]
    note: str = ""


def _finding(found: dict[str, Any]) -> FindingView:
    """A finding; its item named in front unless its sentence already names it."""
    item, message = str(found.get("item") or ""), str(found.get("message") or "")
    return FindingView("" if item and item in message else item, message)


def report_checks(report: dict[str, Any]) -> list[CheckView]:
    """The checks of a receipt's stored report (``ReceiveReport.as_dict``), in DA/T 70's order."""
    checks = report.get("checks")
    if not isinstance(checks, dict):
        return []
    out = []
    for aspect in ASPECTS:
        found = checks.get(aspect)
        if not isinstance(found, dict):
            continue
        findings = [_finding(f) for f in found.get("findings") or [] if isinstance(f, dict)]
        outcome = "failed" if findings or found.get("ok") is False else "passed"
        out.append(CheckView(aspect, zh(ASPECT_CODES[aspect]), outcome, findings))
    return out


@dataclass
class HandoverView:
    """One handover as the web lists it (names resolved, report parsed)."""

    id: int
    direction: str
    package_id: str
    created_at: datetime
    created_by: str | None
    created_by_name: str | None
    scope: str
    source_archive: str | None
    households: int
    documents: int
    pages: int
    bytes: int
    accepted: bool
    manifest_sha256: str | None
    report: dict[str, Any] = field(default_factory=dict)
    checks: list[CheckView] = field(default_factory=list)  # a receipt's 四性 (and conflicts)
    key_statement: str | None = None  # a receipt: its signing key compared with the sender's, or not
    has_package: bool = False  # an export whose package folder is still here
    has_register: bool = False  # its 登记表 can be downloaded


def _view(settings: Settings, row: Handover, names: dict[str, str]) -> HandoverView:
    try:
        report = json.loads(row.report) if row.report else {}
    except ValueError:
        report = {}
    folder = package_folder(settings, row.package_id) if row.direction == HandoverDirection.EXPORT else None
    return HandoverView(
        id=row.id,
        direction=str(row.direction),
        package_id=row.package_id,
        created_at=row.created_at,
        created_by=row.created_by,
        created_by_name=names.get(row.created_by or "", row.created_by),
        scope=row.scope,
        source_archive=row.source_archive,
        households=row.households,
        documents=row.documents,
        pages=row.pages,
        bytes=row.bytes,
        accepted=row.accepted,
        manifest_sha256=row.manifest_sha256,
        report=report if isinstance(report, dict) else {},
        checks=report_checks(report) if isinstance(report, dict) else [],
        key_statement=key_statement(report) if isinstance(report, dict) else None,
        has_package=folder is not None,
        has_register=register_path(settings, row, "pdf") is not None,
    )


def list_handovers(
    session: Session, actor: Actor, settings: Settings, *, limit: int = 100
) -> list[HandoverView]:
    """The latest handovers, newest first (administrators)."""
    require(actor, Permission.ADMIN)
    rows = list(session.scalars(select(Handover).order_by(Handover.id.desc()).limit(limit)))
    names = display_names(session, (r.created_by for r in rows))
    return [_view(settings, r, names) for r in rows]


def get_handover(session: Session, actor: Actor, settings: Settings, handover_id: int) -> HandoverView:
    require(actor, Permission.ADMIN)
    row = session.get(Handover, handover_id)
    if row is None:
        raise NotFound("handover.web.not_found", id=handover_id)
    return _view(settings, row, display_names(session, [row.created_by]))


def register_path(settings: Settings, row: Handover | HandoverView, kind: str) -> Path | None:
    """The 登记表 (``kind`` pdf or xlsx) of a handover, when its file is here: an export's is in
    its package; a receipt's is kept beside the received records (``handovers/received/<id>``)."""
    name = REGISTER_PDF if kind == "pdf" else REGISTER_XLSX
    if str(row.direction) == HandoverDirection.EXPORT:
        folder = package_folder(settings, row.package_id)
    else:
        folder = received_folder(settings, row.id)
    if folder is None:
        return None
    path = folder / name
    return path if path.is_file() and not path.is_symlink() else None


def package_download(
    session: Session, actor: Actor, settings: Settings, handover_id: int
) -> tuple[str, Path]:
    """The package id and folder of an export, to be sent as a ZIP (recorded in the access log:
    a package carries whole folders)."""
    require(actor, Permission.ADMIN)
    row = session.get(Handover, handover_id)
    if row is None:
        raise NotFound("handover.web.not_found", id=handover_id)
    folder = package_folder(settings, row.package_id) if row.direction == HandoverDirection.EXPORT else None
    if folder is None:
        raise NotFound("handover.web.package_gone")
    record_access(
        session,
        actor,
        AccessAction.HANDOVER_EXPORT,
        detail=zh("handover.web.download_detail", package=row.package_id),
    )
    return row.package_id, folder


# --- 移交 ----------------------------------------------------------------------------------------


def parse_codes(text: str | None) -> list[str]:
    """Household codes typed one per line or separated by commas (，、 too), in order, once each."""
    codes: list[str] = []
    for part in re.split(r"[\s,，、;；]+", text or ""):
        if part and part not in codes:
            codes.append(part)
    if len(codes) > MAX_CODES:
        raise InvalidInput("handover.web.too_many_codes", limit=MAX_CODES)
    return codes


def start_export(
    session: Session, actor: Actor, selection: Selection, *, queue: Callable[[int], None]
) -> Job:
    """Queue the writing of a package of ``selection`` (exactly one of households, a community or
    everything; every household and the community must exist). Queued when the caller commits."""
    require(actor, Permission.ADMIN)
    total = len(select_households(session, selection))  # a bad scope is refused here, not in the job
    params = {
        "households": list(selection.households),
        "community": selection.community,
        "everything": bool(selection.everything),
    }
    job = jobs.submit(session, actor, EXPORT, params, queue=queue, total=total)
    record_access(session, actor, AccessAction.JOB_START, detail=jobs.started_detail(job))
    return job


def _progress(running: jobs.Running) -> Callable[..., None]:
    def report(done: int, total: int | None = None, message: str | None = None) -> None:
        running.progress(done, total, message)

    return report


def _run_export(running: jobs.Running) -> str:
    archive = Archive(running.settings)
    root = handovers_root(running.settings)
    partial = root / f".job-{running.job_id}"
    shutil.rmtree(partial, ignore_errors=True)  # a run cut short starts again
    params = running.params
    selection = Selection(
        households=list(params.get("households") or []),
        community=params.get("community"),
        everything=bool(params.get("everything")),
    )
    session = archive.new_session()
    try:
        actor = running.actor(session)
        # Commits the Handover record once the package is complete under ``partial``.
        result = export_package(archive, session, actor, selection, partial, progress=_progress(running))
        running.keep_result(str(result.handover_id))
        os.replace(partial, root / result.package_id)
        counts = result.counts
    finally:
        session.close()
    return zh(
        "handover.job.exported",
        households=counts.get("households", 0),
        documents=counts.get("documents", 0),
        pages=counts.get("pages", 0),
    )


# --- 接收 ----------------------------------------------------------------------------------------


def start_import(
    session: Session,
    actor: Actor,
    settings: Settings,
    upload: Path,
    name: str,
    *,
    queue: Callable[[int], None],
    sender_key: str | None = None,
) -> Job:
    """Check the uploaded ZIP at ``upload`` (its directory: names, links, counts, sizes), keep it
    for the worker and queue the 接收 (against ``sender_key``, the fingerprint on the sender's
    登记表, when given). The upload is moved, not copied."""
    require(actor, Permission.ADMIN)
    expected = parse_fingerprint(sender_key) if sender_key and sender_key.strip() else None
    check_zip(upload, limits(settings))
    token = secrets.token_hex(16)
    kept = _incoming(settings) / f"{token}.zip"
    shutil.move(upload, kept)
    try:
        params = {"upload": token, "name": name[:200], "sender_key": expected}
        job = jobs.submit(session, actor, IMPORT, params, queue=queue)
    except BaseException:
        kept.unlink(missing_ok=True)
        raise
    record_access(session, actor, AccessAction.JOB_START, detail=jobs.started_detail(job, name[:200]))
    return job


def _run_import(running: jobs.Running) -> str:
    settings = running.settings
    token = str(running.params.get("upload", ""))
    upload = _incoming(settings) / f"{token}.zip"
    if not _TOKEN.match(token) or not upload.is_file():
        raise InvalidInput("handover.web.upload_gone")
    archive = Archive(settings)
    session = archive.new_session()
    try:
        actor = running.actor(session)
        with work_folder(settings, "handover-") as work:
            running.progress(0, None, zh("handover.job.unpacking"))
            target = work / "package"
            target.mkdir(mode=0o700)
            package = unpack(upload, target, limits(settings))
            try:
                report = receive_package(
                    archive,
                    session,
                    actor,
                    package,
                    progress=_progress(running),
                    sender_key=running.params.get("sender_key") or None,
                )
            except DossierError as exc:
                session.rollback()
                refused = getattr(exc, "report", None)
                if refused is None:
                    raise
                handover_id = getattr(refused, "handover_id", None)
                if handover_id:
                    running.keep_result(str(handover_id))
                raise InvalidInput("handover.job.refused") from None
            session.commit()
            handover_id = getattr(report, "handover_id", None)
            if handover_id:
                running.keep_result(str(handover_id))
        counts = getattr(report, "counts", {}) or {}
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
        upload.unlink(missing_ok=True)
    return zh(
        "handover.job.accepted",
        households=counts.get("households", 0),
        documents=counts.get("documents", 0),
    )


jobs.register(EXPORT, zh("handover.job.export_title"), _run_export, (Permission.ADMIN,))
jobs.register(IMPORT, zh("handover.job.import_title"), _run_import, (Permission.ADMIN,))
