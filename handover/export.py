"""移交: whole household folders written as a handover package another archive can check.

``export_package`` (administrators only: a package carries whole folders, ID numbers in the
clear) writes into a hidden sibling of ``out`` and renames it into place at the end, so a
failure leaves nothing half-written. Per household: ``folder.json`` (the folder's own data,
parties with their ID numbers opened, active holds, the documents and the tombstones of the
destroyed ones with their shredding-log entries); per live document: the original decrypted from
the vault and checked against its recorded size, SHA-256 and SM3 while it is written, its page
text and its DA/T 48 EEP (history and loans as 业务实体). Then the 移交接收登记表, the signed
manifest, a ``Handover`` row and one access-log entry per household. Format:
docs/formats/handover-package.md.
"""

from __future__ import annotations

import json
import logging
import mimetypes
import os
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from dossier import pagetext
from dossier.actor import Actor
from dossier.archive import Archive
from dossier.catalog import os_reason, text, zh
from dossier.digests import FileDigests
from dossier.errors import IntegrityFailure, InvalidInput
from dossier.localtime import format_date, local
from dossier.models import (
    AccessAction,
    Community,
    Confidentiality,
    Document,
    DocumentStatus,
    Handover,
    HandoverDirection,
    Hold,
    Household,
    Loan,
    Page,
    ShredLogEntry,
    User,
    utcnow,
)
from dossier.people import display_names
from dossier.permissions import ROLE_NAMES_ZH, Permission, require
from dossier.services import history, numbering
from dossier.services.access import record_access
from dossier.services.documents import wrapped_key_for
from dossier.services.households import ID_NUMBER, get_household
from handover import eep, package, register

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Selection:
    """What to hand over: exactly one of some households (codes), a community (name or code)
    or everything."""

    households: list[str] = field(default_factory=list)
    community: str | None = None
    everything: bool = False

    def scope(self) -> dict[str, Any]:
        if self.households:
            return {"households": list(self.households)}
        if self.community is not None:
            return {"community": self.community}
        return {"all": True}

    def describe(self) -> str:
        if self.households:
            return zh("handover.export.scope_households", codes="、".join(self.households))
        if self.community is not None:
            return zh("handover.export.scope_community", name=self.community)
        return zh("handover.export.scope_all")


@dataclass
class ExportResult:
    package_id: str
    path: Path
    counts: dict[str, int]
    manifest_sha256: str
    handover_id: int
    key_fingerprint: str
    register: register.RegisterFacts

    def as_dict(self) -> dict[str, Any]:
        return {
            "package_id": self.package_id,
            "path": str(self.path),
            "counts": dict(self.counts),
            "gigabytes": self.register.gigabytes,
            "manifest_sha256": self.manifest_sha256,
            "handover_id": self.handover_id,
            "key_fingerprint": self.key_fingerprint,
        }


# --- choosing -----------------------------------------------------------------------------------


def select_households(session: Session, selection: Selection) -> list[Household]:
    """The folders ``selection`` names, in archive-number order (InvalidInput / NotFound)."""
    chosen = sum((bool(selection.households), selection.community is not None, bool(selection.everything)))
    if chosen != 1:
        raise InvalidInput("handover.export.choose_one")
    if selection.households:
        found = {h.id: h for h in (get_household(session, code) for code in selection.households)}
        households = list(found.values())
    elif selection.community is not None:
        name = selection.community.strip()
        community = session.scalar(
            select(Community).where(or_(Community.name == name, Community.code == name))
        )
        if community is None:
            raise InvalidInput("handover.export.no_community", name=name)
        households = list(session.scalars(select(Household).where(Household.community_id == community.id)))
    else:
        households = list(session.scalars(select(Household)))
    if not households:
        raise InvalidInput("handover.export.nothing")
    return sorted(households, key=lambda h: h.archive_no)


def check_out(out: Path) -> None:
    """``out`` must not exist, or be an empty folder."""
    if out.is_symlink() or (out.exists() and (not out.is_dir() or any(out.iterdir()))):
        raise InvalidInput("handover.export.out_not_empty", path=out)


# --- the folder's own data ----------------------------------------------------------------------


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _folder_no(session: Session, household_id: int | None, cache: dict[int, str]) -> str | None:
    if household_id is None:
        return None
    if household_id not in cache:
        folder = session.get(Household, household_id)
        cache[household_id] = folder.archive_no if folder is not None else ""
    return cache[household_id]


def _parties(archive: Archive, household: Household) -> list[dict[str, Any]]:
    parties = []
    for p in household.parties:
        id_number = None
        if p.id_number_enc is not None:
            id_number = archive.fields.open(p.id_number_enc, ID_NUMBER, text("fieldcrypt.what_id_number"))
        parties.append(
            {
                "role": str(p.role),
                "name": p.name,
                "phone": p.phone,
                "emergency_contact": p.emergency_contact,
                "emergency_phone": p.emergency_phone,
                "id_number": id_number,
                "since": _iso(p.since),
                "until": _iso(p.until),
            }
        )
    return parties


def _holds(session: Session, household: Household, docs: list[Document]) -> list[dict[str, Any]]:
    by_id = {d.id: d for d in docs}
    conditions = [Hold.household_id == household.id]
    if by_id:
        conditions.append(Hold.document_id.in_(list(by_id)))
    rows = session.scalars(
        select(Hold).where(Hold.released_at.is_(None), or_(*conditions)).order_by(Hold.placed_at, Hold.id)
    )
    return [
        {
            "reason": h.reason,
            "placed_by": h.placed_by,
            "placed_at": _iso(h.placed_at),
            "document": by_id[h.document_id].archive_no if h.document_id in by_id else None,
        }
        for h in rows
    ]


def _stamp(session: Session, doc: Document) -> dict[str, Any]:
    """The 归档章's facts as the 档号 was made of them (the receiver keeps them with the number)."""
    facts = numbering.filing_stamp(session, doc) or {}
    return {"fonds": facts.get("fonds"), "year": facts.get("year"), "retention": facts.get("retention_code")}


def _tombstone(session: Session, doc: Document, numbered_in: str | None) -> dict[str, Any]:
    entries = session.scalars(
        select(ShredLogEntry).where(ShredLogEntry.document_id == doc.id).order_by(ShredLogEntry.seq)
    )
    return {
        "archive_no": doc.archive_no,
        "item_no": doc.item_no,
        "numbered_in": numbered_in,
        "stamp": _stamp(session, doc),
        "type": doc.type_code,
        "title": doc.title,
        "date": _iso(doc.document_date),
        "retention_class": doc.retention_class,
        "destroyed_at": _iso(doc.destroyed_at),
        "destruction_list": doc.destruction_list,
        "shredlog": [{"record": json.loads(e.record), "signature": e.signature} for e in entries],
    }


def _folder_record(archive: Archive, household: Household) -> dict[str, Any]:
    return {
        "community": {"code": household.community.code, "name": household.community.name},
        "code": household.code,
        "archive_no": household.archive_no,
        "use": str(household.use),
        "building": household.building,
        "unit": household.unit,
        "floor": household.floor,
        "room": household.room,
        "area": str(household.area) if household.area is not None else None,
        "status": str(household.status),
        "closed_on": _iso(household.closed_on),
        "notes": household.notes,
        "item_counter": household.item_counter,
        "parties": _parties(archive, household),
    }


# --- one document --------------------------------------------------------------------------------


def _item_name(doc: Document) -> str:
    return doc.archive_no or f"D{doc.id}"


def _extension(doc: Document) -> str:
    suffix = Path(doc.original_name or "").suffix
    return suffix if suffix and len(suffix) <= 8 else (mimetypes.guess_extension(doc.media_type or "") or "")


def _write_original(
    archive: Archive, session: Session, writer: package.PackageWriter, doc: Document, path: str
) -> FileDigests:
    assert doc.original_key is not None
    with archive.vault.open(doc.original_key, wrapped_key_for(session, doc.original_key)) as plain:
        found = writer.write_stream(path, plain)
    expected = (doc.size, doc.sha256, doc.sm3 or found.sm3)
    if (found.size, found.sha256, found.sm3) != expected:
        raise IntegrityFailure("handover.export.digest_mismatch", archive_no=_item_name(doc))
    return found


def _pages(archive: Archive, session: Session, doc: Document) -> dict[str, Any]:
    rows = session.scalars(select(Page).where(Page.document_id == doc.id).order_by(Page.number))
    return {
        "pages": [
            {
                "number": p.number,
                "text": pagetext.page_text(archive.fields, p),
                "confidence": None if p.confidence is None else round(p.confidence, 2),
                "language": p.language,
            }
            for p in rows
        ]
    }


def _describe_changes(changes: dict[str, Any]) -> str:
    parts = []
    for name, value in sorted(changes.items()):
        before, after = value if isinstance(value, list) and len(value) == 2 else (None, value)
        parts.append(
            zh(
                "handover.eep.change",
                field=history.FIELD_NAMES_ZH.get(name, name),
                before="" if before is None else before,
                after="" if after is None else after,
            )
        )
    return "；".join(parts)


def _business(session: Session, doc: Document, item: str) -> list[eep.Business]:
    done = zh("handover.eep.done")
    entries = []
    for e in history.history_of(session, doc.id):
        changes = e["changes"] or {}
        action = zh("handover.eep.move") if "household" in changes else e["action_name"]
        description = _describe_changes(changes) if changes else ""
        if e["action"] == history.INTAKE:
            description = zh("handover.eep.filed", title=doc.title)
        entries.append(
            eep.Business(
                ident=f"H{e['seq']}",
                person=e["by"] or "",
                document=item,
                status=done,
                action=action,
                at=_local_iso(e["at"]),
                basis=e["reason"] or "",
                description=description or zh("handover.eep.no_change"),
            )
        )
    loans = session.scalars(select(Loan).where(Loan.document_id == doc.id).order_by(Loan.out_at, Loan.id))
    for loan in loans:
        entries.append(
            eep.Business(
                ident=f"L{loan.id}",
                person=loan.lent_by,
                document=item,
                status=done if loan.returned_at is not None else zh("handover.eep.open"),
                action=zh("handover.eep.lend"),
                at=local(loan.out_at).isoformat(timespec="seconds"),
                basis=loan.purpose or "",
                description=zh(
                    "handover.eep.loan",
                    borrower=loan.borrower,
                    unit=loan.borrower_unit or "",
                    purpose=loan.purpose or "",
                    due=format_date(loan.due_on),
                ),
            )
        )
        if loan.returned_at is not None:
            entries.append(
                eep.Business(
                    ident=f"R{loan.id}",
                    person=loan.returned_to or "",
                    document=item,
                    status=done,
                    action=zh("handover.eep.return"),
                    at=local(loan.returned_at).isoformat(timespec="seconds"),
                    basis=loan.return_note or "",
                    description=zh("handover.eep.loan_returned", condition=str(loan.return_condition or "")),
                )
            )
    return entries


def _local_iso(at: str | None) -> str:
    return local(datetime.fromisoformat(at)).isoformat(timespec="seconds") if at else ""


def _people(session: Session, scheme: numbering.Scheme, business: list[eep.Business]) -> list[eep.Person]:
    people = [eep.Person(scheme.fonds, zh("handover.eep.archive"), scheme.name)]
    usernames = sorted({b.person for b in business if b.person})
    names = display_names(session, usernames)
    roles = {
        username: role
        for username, role in session.execute(
            select(User.username, User.role).where(User.username.in_(usernames))
        )
    }
    for username in usernames:
        role = roles.get(username)
        people.append(
            eep.Person(
                username,
                zh("handover.eep.person"),
                names.get(username, username),
                ROLE_NAMES_ZH.get(role, role) if role else "",
            )
        )
    return people


def _paper(doc: Document) -> str:
    if not (doc.paper_cabinet or doc.paper_box or doc.paper_position):
        return ""
    return zh(
        "handover.eep.paper",
        cabinet=doc.paper_cabinet or "",
        box=doc.paper_box or "",
        position=doc.paper_position or "",
    ).strip()


@dataclass
class _Context:
    archive: Archive
    session: Session
    writer: package.PackageWriter
    scheme: numbering.Scheme
    created_at: datetime
    folder_numbers: dict[int, str] = field(default_factory=dict)
    counts: dict[str, int] = field(
        default_factory=lambda: {"households": 0, "documents": 0, "destroyed": 0, "pages": 0, "bytes": 0}
    )


def _export_document(ctx: _Context, household: Household, doc: Document) -> dict[str, Any]:
    session, item = ctx.session, _item_name(doc)
    base = package.item_dir(household.archive_no, item)
    original = f"{base}/{package.original_name(_extension(doc))}"
    found = _write_original(ctx.archive, session, ctx.writer, doc, original)
    resolution, colour = eep.scan_attributes(ctx.writer.root.joinpath(*original.split("/")), doc.media_type)
    pages = _pages(ctx.archive, session, doc)
    ctx.writer.write_json(f"{base}/{package.PAGES_FILE}", pages)
    latest = history.latest(session, doc.id)
    stamp = _stamp(session, doc)
    business = _business(session, doc, item)
    page_count = doc.page_count if doc.page_count is not None else len(pages["pages"])
    numbered_in = _folder_no(session, doc.numbered_in_id, ctx.folder_numbers)
    facts = eep.EepFacts(
        archive_name=ctx.scheme.name,
        created_at=ctx.created_at,
        file=eep.FileFacts(
            archive_no=item,
            fonds=str(stamp["fonds"]),
            fonds_name=ctx.scheme.name,
            category=ctx.scheme.category,
            year=str(stamp["year"]),
            retention=numbering.retention_name(session, str(stamp["retention"])),
            item_no="" if doc.item_no is None else str(doc.item_no),
            folder=household.archive_no,
            title=doc.title,
            type_name=doc.type.name if doc.type is not None else doc.type_code,
            date=_iso(doc.document_date) or "",
            confidentiality=zh(
                "handover.eep.confidential"
                if doc.confidentiality == Confidentiality.CONFIDENTIAL
                else "handover.eep.ordinary"
            ),
            pages=str(page_count),
            paper_location=_paper(doc),
            intake_record=doc.signed_record,
            intake_signature=doc.signature,
            metadata_record=latest.record if latest is not None else "",
            metadata_signature=latest.signature if latest is not None else "",
            file_name=original.rsplit("/", 1)[-1],
            size=found.size,
            media_type=doc.media_type,
            sha256=found.sha256,
            sm3=found.sm3,
            resolution=resolution,
            colour=colour,
        ),
        business=business,
        people=_people(session, ctx.scheme, business),
    )
    ctx.writer.write_bytes(f"{base}/{package.EEP_FILE}", eep.build_eep(facts, ctx.archive.signer))
    ctx.counts["documents"] += 1
    ctx.counts["pages"] += page_count
    ctx.counts["bytes"] += found.size
    return {
        "archive_no": doc.archive_no,
        "item_no": doc.item_no,
        "numbered_in": numbered_in,
        "stamp": stamp,
        "path": base,
        "id": doc.id,
        "paper": {"cabinet": doc.paper_cabinet, "box": doc.paper_box, "position": doc.paper_position},
    }


def _moved_out(session: Session, household: Household) -> list[dict[str, Any]]:
    """Numbers this folder issued whose documents are now in another folder (the receiver
    counts those not in the package as not carried)."""
    rows = session.execute(
        select(Document.archive_no, Document.item_no, Household.archive_no)
        .join(Household, Household.id == Document.household_id)
        .where(Document.numbered_in_id == household.id, Document.household_id != household.id)
        .order_by(Document.item_no)
    )
    return [{"archive_no": number, "item_no": item, "to_folder": to} for number, item, to in rows]


def _export_household(ctx: _Context, household: Household) -> None:
    session = ctx.session
    docs = list(
        session.scalars(
            select(Document)
            .where(Document.household_id == household.id)
            .order_by(Document.item_no, Document.id)
        )
    )
    record = _folder_record(ctx.archive, household)
    record["holds"] = _holds(session, household, docs)
    record["moved_out"] = _moved_out(session, household)
    record["documents"], record["destroyed"] = [], []
    for doc in docs:
        if doc.status == DocumentStatus.DESTROYED or doc.original_key is None:
            numbered_in = _folder_no(session, doc.numbered_in_id, ctx.folder_numbers)
            record["destroyed"].append(_tombstone(session, doc, numbered_in))
            ctx.counts["destroyed"] += 1
        else:
            record["documents"].append(_export_document(ctx, household, doc))
    ctx.writer.write_json(f"{package.folder_dir(household.archive_no)}/{package.FOLDER_FILE}", record)
    ctx.counts["households"] += 1


# --- the use case --------------------------------------------------------------------------------


def _aspect(name: str) -> str:
    return zh("handover.receive.aspect." + name)


def _register_facts(ctx: _Context, package_id: str, fingerprint: str) -> register.RegisterFacts:
    Check, Outcome = register.Check, register.Outcome
    return register.RegisterFacts(
        direction=register.Direction.EXPORT,
        package_id=package_id,
        sender=ctx.scheme.name,
        created_at=ctx.created_at,
        households=ctx.counts["households"],
        documents=ctx.counts["documents"],
        destroyed=ctx.counts["destroyed"],
        pages=ctx.counts["pages"],
        bytes=ctx.counts["bytes"],
        key_fingerprint=fingerprint,
        checks=[
            Check(_aspect("authenticity"), Outcome.PASSED, zh("handover.export.authenticity_note")),
            Check(_aspect("integrity"), Outcome.PASSED, zh("handover.export.check_note")),
            Check(_aspect("usability"), Outcome.NOT_CHECKED, zh("handover.export.not_checked_note")),
            Check(_aspect("security"), Outcome.PASSED, zh("handover.export.security_note")),
        ],
    )


def export_package(
    archive: Archive,
    session: Session,
    actor: Actor,
    selection: Selection,
    out: Path,
    *,
    progress: Progress | None = None,
) -> ExportResult:
    """Write the package of ``selection`` to ``out`` (new, or an empty folder).

    Commits: the ``Handover`` row and the access-log entries, once the package is in place."""
    require(actor, Permission.ADMIN)
    out = Path(out)
    check_out(out)
    households = select_households(session, selection)
    signer = archive.signer
    package_id = uuid.uuid4().hex
    partial = out.parent / f".{out.name}.partial-{package_id}"
    try:
        partial.mkdir(parents=True)
        ctx = _Context(
            archive, session, package.PackageWriter(partial), numbering.load_scheme(session), utcnow()
        )
        for done, household in enumerate(households, start=1):
            _export_household(ctx, household)
            if progress is not None:
                progress(done, len(households))
        facts = _register_facts(ctx, package_id, signer.fingerprint)
        ctx.writer.write_bytes(package.REGISTER_PDF, register.register_pdf(facts))
        ctx.writer.write_bytes(package.REGISTER_XLSX, register.register_xlsx(facts))
        manifest = {
            "format": package.FORMAT,
            "package_id": package_id,
            "created_at": local(ctx.created_at).isoformat(timespec="seconds"),
            "source": {
                "name": ctx.scheme.name,
                "fonds": ctx.scheme.fonds,
                "category": ctx.scheme.category,
                "signing_key_id": signer.fingerprint,
            },
            "scope": selection.scope(),
            "counts": dict(ctx.counts),
            "digest_algorithms": list(package.DIGEST_ALGORITHMS),
            "files": ctx.writer.files(),
        }
        digest = package.write_manifest(partial, manifest, signer)
        row = _record(session, actor, selection, package_id, ctx, digest, households)
        if out.exists():
            out.rmdir()  # empty, checked above
        os.replace(partial, out)
    except OSError as exc:
        shutil.rmtree(partial, ignore_errors=True)
        raise InvalidInput("handover.export.cannot_write", path=out, reason=os_reason(exc)) from None
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    try:
        session.commit()
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)
        raise
    return ExportResult(package_id, out, dict(ctx.counts), digest, row.id, signer.fingerprint, facts)


def _record(
    session: Session,
    actor: Actor,
    selection: Selection,
    package_id: str,
    ctx: _Context,
    digest: str,
    households: list[Household],
) -> Handover:
    row = Handover(
        direction=HandoverDirection.EXPORT,
        package_id=package_id,
        created_at=ctx.created_at,
        created_by=actor.username,
        scope=selection.describe(),
        households=ctx.counts["households"],
        documents=ctx.counts["documents"],
        pages=ctx.counts["pages"],
        bytes=ctx.counts["bytes"],
        manifest_sha256=digest,
        accepted=True,
        report=json.dumps({"counts": ctx.counts, "scope": selection.scope()}, ensure_ascii=False),
    )
    session.add(row)
    detail = zh("handover.export.log_detail", package=package_id)
    for household in households:
        record_access(session, actor, AccessAction.HANDOVER_EXPORT, household_id=household.id, detail=detail)
    session.flush()
    return row
