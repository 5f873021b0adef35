"""Correcting what was filed wrongly: a document's title, type, date, confidentiality, retention
class or household, always with a reason.

One use case, one function: ``correct_document`` checks the permission, applies and validates
every change, seals or opens the page text when confidentiality changes (``dossier.pagetext``),
recomputes the disposal date, appends the signed history entry (who, when, what before and
after, why) and the access-log entry. It does not commit; the caller commits, then
tells search (``search.hooks``) that the document changed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from dossier import pagetext
from dossier.actor import Actor
from dossier.errors import InvalidInput
from dossier.models import AccessAction, Confidentiality, Document, DocumentStatus
from dossier.permissions import Permission, require
from dossier.services import history
from dossier.services.access import record_access
from dossier.services.disposal import assign, resolve_class
from dossier.services.documents import get_document, get_document_type
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
            raise InvalidInput("a document title must have 1 to 256 characters")
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
        doc.household = get_household(session, change.household, change.community)


def correct_document(session: Session, actor: Actor, document_id: int, change: Correction) -> dict:
    """Apply ``change`` to document ``document_id``; returns the history entry (``entry_view``)."""
    require(actor, Permission.MANAGE_RECORDS)
    reason = (change.reason or "").strip()
    if not reason or len(reason) > MAX_REASON:
        raise InvalidInput(f"say why the document is corrected (a reason of 1 to {MAX_REASON} characters)")
    doc = get_document(session, document_id)
    if doc.status == DocumentStatus.DESTROYED:
        raise InvalidInput(f"document {doc.id} has been destroyed; its record can no longer change")
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
        raise InvalidInput(f"nothing to change: document {doc.id} already reads so")
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
