"""Retention classes (保管期限): a code, a Chinese name, a period (永久 or N years) and a trigger.

Classes are data, not code: ``dossier init`` seeds the archival defaults and the administrator
adds or changes classes with ``dossier retention class add/set``. Changing a class's period or
trigger recomputes the disposal date of every document it governs (``retention.schedule``).
"""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from dossier.actor import Actor
from dossier.errors import AlreadyExists, InvalidInput, NotFound
from dossier.models import AccessAction, DocumentType, RetentionClass, RetentionTrigger
from dossier.permissions import Permission, require
from dossier.services.access import record_access
from dossier.services.disposal import list_classes as list_classes  # re-exported: class listings use it here
from dossier.services.disposal import recompute_all, recompute_for_class, recompute_for_type, resolve_class
from dossier.services.documents import get_document_type

MAX_YEARS = 200
TRIGGER_NAMES_ZH = {
    RetentionTrigger.DOCUMENT_DATE: "自文件日期起算",
    RetentionTrigger.HOUSEHOLD_CLOSED: "自业户结档起算",
}

# (code, Chinese name, years or None for permanent, trigger)
DEFAULT_CLASSES: list[tuple[str, str, int | None, str]] = [
    ("Y", "永久", None, RetentionTrigger.DOCUMENT_DATE),
    ("D30", "定期30年", 30, RetentionTrigger.DOCUMENT_DATE),
    ("D10", "定期10年", 10, RetentionTrigger.DOCUMENT_DATE),
    ("D5", "定期5年（常规表单）", 5, RetentionTrigger.DOCUMENT_DATE),
    ("D3", "定期3年（常规表单）", 3, RetentionTrigger.DOCUMENT_DATE),
]

# Each document type's default class (a document may name its own instead).
DEFAULT_TYPE_CLASSES: dict[str, str] = {
    "contract": "Y",
    "change": "Y",
    "move_in": "D30",
    "id_document": "D30",
    "incident": "D30",
    "contacts": "D10",
    "renovation": "D10",
    "payment": "D10",
    "correspondence": "D10",
    "violation": "D10",
    "photo": "D10",
    "other": "D10",
    "keys": "D5",
    "vehicle": "D5",
    "complaint": "D5",
    "repair": "D3",
    "service": "D3",
}

_CODE_RE = re.compile(r"^[A-Z][A-Z0-9_-]{0,15}$")


def seed_classes(session: Session) -> None:
    """Insert the default classes and type mappings that are missing; never overwrites. When
    anything was added (a new archive, or one upgraded from before retention), every
    document's disposal date is computed."""
    added = 0
    for code, name, years, trigger in DEFAULT_CLASSES:
        if session.get(RetentionClass, code) is None:
            session.add(RetentionClass(code=code, name=name, years=years, trigger=trigger))
            added += 1
    session.flush()
    for type_code, class_code in DEFAULT_TYPE_CLASSES.items():
        row = session.get(DocumentType, type_code)
        if row is not None and row.retention_class is None:
            row.retention_class = class_code
            added += 1
    if added:
        session.flush()
        recompute_all(session)


def get_class(session: Session, code: str) -> RetentionClass:
    row = session.get(RetentionClass, (code or "").strip().upper())
    if row is None:
        raise NotFound("retention.class_unknown", code=code)
    return row


def parse_trigger(value: str | None) -> RetentionTrigger:
    if value is None:
        return RetentionTrigger.DOCUMENT_DATE
    for trigger in RetentionTrigger:
        if value in (trigger, TRIGGER_NAMES_ZH[trigger]):
            return trigger
    raise InvalidInput("retention.trigger_unknown", value=value)


def parse_years(value: int | str | None, permanent: bool) -> int | None:
    if permanent:
        if value not in (None, ""):
            raise InvalidInput("retention.permanent_with_years")
        return None
    if value in (None, ""):
        raise InvalidInput("retention.years_needed")
    try:
        years = int(value)
    except (TypeError, ValueError):
        raise InvalidInput("retention.years_not_number", value=value) from None
    if years < 0:
        raise InvalidInput("retention.years_negative", years=years)
    if years == 0 or years > MAX_YEARS:
        raise InvalidInput("retention.years_range", max=MAX_YEARS)
    return years


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 64:
        raise InvalidInput("retention.class_name_length")
    return name


def add_class(
    session: Session,
    actor: Actor,
    code: str,
    name: str,
    *,
    years: int | str | None = None,
    permanent: bool = False,
    trigger: str | None = None,
) -> RetentionClass:
    require(actor, Permission.ADMIN)
    code = (code or "").strip().upper()
    if not _CODE_RE.match(code):
        raise InvalidInput("retention.class_code_invalid", code=code)
    row = RetentionClass(
        code=code, name=_check_name(name), years=parse_years(years, permanent), trigger=parse_trigger(trigger)
    )
    if session.get(RetentionClass, code) is not None:
        raise AlreadyExists("retention.class_exists", code=code)
    session.add(row)
    session.flush()
    record_access(session, actor, AccessAction.RETENTION_CLASS_ADD, detail=code)
    return row


def change_class(
    session: Session,
    actor: Actor,
    code: str,
    *,
    name: str | None = None,
    years: int | str | None = None,
    permanent: bool = False,
    trigger: str | None = None,
) -> tuple[RetentionClass, int]:
    """Change a class; returns it and how many documents' disposal dates were recomputed."""
    require(actor, Permission.ADMIN)
    row = get_class(session, code)
    if name is not None:
        row.name = _check_name(name)
    if permanent or years not in (None, ""):
        row.years = parse_years(years, permanent)
    if trigger is not None:
        row.trigger = parse_trigger(trigger)
    session.flush()
    changed = recompute_for_class(session, row.code)
    record_access(session, actor, AccessAction.RETENTION_CLASS_CHANGE, detail=row.code)
    return row, changed


def set_type_class(
    session: Session, actor: Actor, type_code: str, class_code: str
) -> tuple[DocumentType, int]:
    """Map a document type to its default class; recomputes the documents that follow it."""
    require(actor, Permission.ADMIN)
    doc_type = get_document_type(session, type_code)
    doc_type.retention_class = resolve_class(session, class_code).code
    session.flush()
    return doc_type, recompute_for_type(session, doc_type.code)


def period_text(row: RetentionClass) -> str:
    return "永久" if row.years is None else f"{row.years}年"


def class_view(row: RetentionClass) -> dict:
    return {
        "code": row.code,
        "name": row.name,
        "years": row.years,
        "permanent": row.years is None,
        "period": period_text(row),
        "trigger": row.trigger,
        "trigger_name": TRIGGER_NAMES_ZH.get(row.trigger, row.trigger),
    }
