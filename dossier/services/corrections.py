"""Correcting what was filed wrongly: a document's title, type, date, confidentiality, retention
class or household, always with a reason.

One use case, one function: ``correct_document`` checks the permission, applies and validates
every change, seals or opens the page text when confidentiality changes (``dossier.pagetext``),
recomputes the disposal date, appends the signed history entry (who, when, what before and
after, why) and the access-log entry. It does not commit; the caller commits, then
tells search (``search.hooks``) that the document changed. ``change_history`` is the history as
the document page reads it: newest first, people by name, values in words.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from dossier import pagetext
from dossier.actor import Actor
from dossier.errors import InvalidInput, NotFound
from dossier.models import (
    AccessAction,
    Confidentiality,
    Document,
    DocumentStatus,
    DocumentType,
    Hold,
    Household,
    RetentionClass,
)
from dossier.people import display_names
from dossier.permissions import Permission, require
from dossier.services import history
from dossier.services.access import record_access
from dossier.services.disposal import assign, resolve_class
from dossier.services.documents import (
    CONFIDENTIALITY_NAMES_ZH,
    get_document,
    get_document_type,
    may_view,
    no_such_document,
)
from dossier.services.households import get_household

DEFAULT_CLASS = "default"  # --retention default: follow the type's class again
MAX_REASON = 500


@dataclass(frozen=True)
class Correction:
    """The changes asked for; None leaves a fact as it is."""

    reason: str
    title: str | None = None
    type_code: str | None = None
    document_date: date | None = None
    confidential: bool | None = None
    retention_class: str | None = None  # a class code, or DEFAULT_CLASS
    household: str | None = None
    community: str | None = None


def _apply(session: Session, doc: Document, change: Correction) -> None:
    if change.title is not None:
        title = change.title.strip()
        if not title or len(title) > 256:
            raise InvalidInput("document.bad_title")
        doc.title = title
    if change.type_code is not None:
        doc.type_code = get_document_type(session, change.type_code).code
    if change.document_date is not None:
        doc.document_date = change.document_date
    if change.confidential is not None:
        doc.confidentiality = (
            Confidentiality.CONFIDENTIAL if change.confidential else Confidentiality.ORDINARY
        )
    if change.retention_class is not None:
        doc.retention_class = (
            None
            if change.retention_class == DEFAULT_CLASS
            else resolve_class(session, change.retention_class).code
        )
    if change.household is not None:
        try:
            target = get_household(session, change.household, change.community)
        except NotFound:  # the document exists; the value given is wrong
            if change.community:
                raise InvalidInput(
                    "correction.no_household_in", household=change.household, community=change.community
                ) from None
            raise InvalidInput("correction.no_household", household=change.household) from None
        if target.id != doc.household_id and _household_held(session, doc.household_id):
            raise InvalidInput("correction.household_held", id=doc.id)
        doc.household = target


def _household_held(session: Session, household_id: int) -> bool:
    """A household hold covers the documents in the folder: moving one out would escape it."""
    return (
        session.scalar(
            select(Hold.id).where(Hold.household_id == household_id, Hold.released_at.is_(None)).limit(1)
        )
        is not None
    )


def correct_document(session: Session, actor: Actor, document_id: int, change: Correction) -> dict:
    """Apply ``change`` to document ``document_id``; returns the history entry (``entry_view``)."""
    require(actor, Permission.MANAGE_RECORDS)
    doc = get_document(session, document_id)
    reason = (change.reason or "").strip()
    if not reason or len(reason) > MAX_REASON:
        raise InvalidInput("correction.reason_required", max=MAX_REASON)
    if doc.status == DocumentStatus.DESTROYED:
        raise InvalidInput("correction.destroyed", id=doc.id)
    if history.latest(session, doc.id) is None:  # not signed yet (upgraded): sign it as it was
        history.append(session, doc, history.UPGRADE, actor=None, reason="更正前对已有著录信息首次签名")
    old_household = doc.household_id
    _apply(session, doc, change)
    session.flush()
    if change.confidential is not None:
        # Confidential page text is sealed, ordinary text plain: in line before the history
        # entry signs the (plaintext) digest, in this transaction.
        pagetext.reseal(session, session, doc)
    assign(session, doc)
    entry = history.append(session, doc, history.CORRECTED, actor=actor.username, reason=reason)
    view = history.entry_view(entry)
    if not view["changes"]:
        raise InvalidInput("correction.nothing_changed", id=doc.id)
    record_access(
        session,
        actor,
        AccessAction.DOCUMENT_EDIT,
        household_id=doc.household_id,
        document_id=doc.id,
        detail=json.dumps(
            {
                "reason": reason,
                "changes": view["changes"],
                **({"from_household": old_household} if old_household != doc.household_id else {}),
            },
            ensure_ascii=False,
        ),
    )
    return view


# --- the history as the document page reads it ------------------------------------------------


def _lookup(session: Session, key, label, values: set) -> dict:
    values = {v for v in values if v is not None}
    return dict(session.execute(select(key, label).where(key.in_(values))).all()) if values else {}


def _value_words(session: Session, entries: list[dict]):
    """A function giving a history value in words: type and class names, household codes."""
    changed: dict[str, set] = {}
    for entry in entries:
        for name, pair in entry["changes"].items():
            changed.setdefault(name, set()).update(pair)
    types = _lookup(session, DocumentType.code, DocumentType.name, changed.get("type", set()))
    classes = _lookup(
        session, RetentionClass.code, RetentionClass.name, changed.get("retention_class", set())
    )
    codes = _lookup(session, Household.archive_no, Household.code, changed.get("household", set()))

    def word(name: str, value) -> str:
        if value is None:
            return "按文件类型默认" if name == "retention_class" else "—"
        if isinstance(value, bool):
            return "是" if value else "否"
        if name == "type":
            return types.get(value, value)
        if name == "retention_class":
            return f"{value} {classes[value]}" if value in classes else value
        if name == "household":
            return f"{codes[value]}（{value}）" if value in codes else value
        if name == "confidentiality":
            return CONFIDENTIALITY_NAMES_ZH.get(value, value)
        if name == "text_sha256":
            return str(value)[:12] + "…"
        return str(value)

    return word


def change_history(session: Session, actor: Actor, document_id: int) -> list[dict]:
    """The document's signed history, newest first, for someone who may see the document: each
    entry with ``by_name`` (姓名, else the username; None for the system) and ``lines``, one
    ``(field label, before, after)`` per changed fact in words. Reading it is part of viewing
    the document (logged there)."""
    doc = get_document(session, document_id)
    if not may_view(actor, doc):
        raise no_such_document(document_id)
    entries = list(reversed(history.history_of(session, doc.id)))
    names = display_names(session, {e["by"] for e in entries if e["by"]})
    word = _value_words(session, entries)
    for entry in entries:
        by = entry["by"]
        entry["by_name"] = names.get(by, by) if by else None
        entry["lines"] = [
            (history.FIELD_NAMES_ZH.get(name, name), word(name, before), word(name, after))
            for name, (before, after) in entry["changes"].items()
        ]
    return entries
