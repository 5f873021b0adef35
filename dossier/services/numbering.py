"""Item numbers (档号): every document gets one when it is filed, and keeps it for ever.

DA/T 22-2015 files the item (件) as the unit: its 档号 ends with a 件号 that runs on without gaps
within its folder (here: the household folder, 一户一档). The number is made from a scheme, an
archive setting whose default follows DA/T 22's order::

    {全宗号}-{门类代码}·{年度}-{保管期限代码}-{户号}-{件号:04d}   e.g. 0001-WY·2024-Y-C001-Z00001-0003

户号 is the folder's archive number (unique in the archive), 年度 the document's year (its date,
else the day it was received), 保管期限代码 its retention class's code (DA/T 22's Y, D30, D10).
A number is never reused: the folder's counter (``Household.item_counter``) only goes up, a
destroyed document keeps its number on its tombstone, and a moved document keeps its number
(its history says where it came from); a corrected date or class does not renumber. A changed
scheme applies to documents filed afterwards. ``audit verify`` checks each folder's numbers run
on without gaps (``gaps``).
"""

from __future__ import annotations

import json
import string
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dossier.actor import Actor
from dossier.catalog import zh
from dossier.errors import InvalidInput
from dossier.keycheck import get_setting, put_setting
from dossier.models import (
    Document,
    DocumentHistory,
    Handover,
    HandoverDirection,
    HistoryAction,
    Household,
    RetentionClass,
    ShredLogEntry,
)
from dossier.permissions import Permission, require
from dossier.services import history
from dossier.services.disposal import class_of, trigger_date

SCHEME_KEY, FONDS_KEY, CATEGORY_KEY = "numbering.scheme", "numbering.fonds", "numbering.category"
NAME_KEY = "archive.name"
DEFAULT_NAME = "物业服务中心档案室"  # 立档单位名称: who keeps the archive (handover packages, registers)
DEFAULT_SCHEME = "{全宗号}-{门类代码}·{年度}-{保管期限代码}-{户号}-{件号:04d}"
DEFAULT_FONDS = "0001"  # 全宗号: the archive's fonds number, as its archives bureau gave it
DEFAULT_CATEGORY = "WY"  # 门类代码: 物业 (property-management records)
# The parts a scheme may use. 户号 and 件号 together make a number unique, so both are required.
FIELDS = ("全宗号", "门类代码", "年度", "保管期限代码", "户号", "件号", "小区代码", "户代码")
REQUIRED = ("户号", "件号")
# Kept permanently: a document without a class has no disposal date either.
PERMANENT_CODE = "Y"
_CODE_CHARS = set(string.ascii_letters + string.digits + "-_.")


@dataclass(frozen=True)
class Scheme:
    pattern: str
    fonds: str
    category: str
    name: str = DEFAULT_NAME  # 立档单位名称

    def as_dict(self) -> dict[str, str]:
        return {"scheme": self.pattern, "fonds": self.fonds, "category": self.category, "name": self.name}


def check_pattern(pattern: str) -> str:
    """``pattern`` if it is a usable scheme, else InvalidInput naming what is wrong."""
    pattern = (pattern or "").strip()
    if not pattern or len(pattern) > 200:
        raise InvalidInput("numbering.scheme_empty")
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None]
    except ValueError:
        raise InvalidInput("numbering.scheme_braces", scheme=pattern) from None
    unknown = [name for name in names if name not in FIELDS]
    if unknown:
        raise InvalidInput("numbering.scheme_unknown", name=unknown[0], known="、".join(FIELDS))
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise InvalidInput("numbering.scheme_missing", name=missing[0])
    try:
        sample = _format(pattern, _sample_parts())
    except (ValueError, TypeError, IndexError, KeyError):
        raise InvalidInput("numbering.scheme_format", scheme=pattern) from None
    if len(sample) > 100:
        raise InvalidInput("numbering.scheme_long", sample=sample)
    return pattern


def _check_code(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value or len(value) > 16 or not set(value) <= _CODE_CHARS:
        raise InvalidInput("numbering.code_invalid", what=what, value=value[:20])
    return value


def load_scheme(session: Session) -> Scheme:
    return Scheme(
        pattern=get_setting(session, SCHEME_KEY) or DEFAULT_SCHEME,
        fonds=get_setting(session, FONDS_KEY) or DEFAULT_FONDS,
        category=get_setting(session, CATEGORY_KEY) or DEFAULT_CATEGORY,
        name=get_setting(session, NAME_KEY) or DEFAULT_NAME,
    )


def configure(
    session: Session,
    actor: Actor,
    *,
    pattern: str | None = None,
    fonds: str | None = None,
    category: str | None = None,
    name: str | None = None,
) -> Scheme:
    """Change the scheme, the 全宗号, the 门类代码 or the archive's name (admins). Numbers
    already given stay."""
    require(actor, Permission.ADMIN)
    if pattern is not None:
        put_setting(session, SCHEME_KEY, check_pattern(pattern))
    if fonds is not None:
        put_setting(session, FONDS_KEY, _check_code(fonds, "全宗号"))
    if category is not None:
        put_setting(session, CATEGORY_KEY, _check_code(category, "门类代码"))
    if name is not None:
        name = name.strip()
        if not name or len(name) > 64:
            raise InvalidInput("numbering.name_invalid")
        put_setting(session, NAME_KEY, name)
    session.flush()
    return load_scheme(session)


def _sample_parts() -> dict[str, object]:
    return {
        "全宗号": DEFAULT_FONDS,
        "门类代码": DEFAULT_CATEGORY,
        "年度": 2024,
        "保管期限代码": "D30",
        "户号": "C001-Z00001",
        "件号": 1,
        "小区代码": "C001",
        "户代码": "A-3-1201",
    }


def _format(pattern: str, parts: dict[str, object]) -> str:
    return pattern.format(**parts)


def retention_code(session: Session, doc: Document) -> str:
    row = class_of(session, doc)
    return row.code if row is not None else PERMANENT_CODE


def stamp_facts(scheme: Scheme, session: Session, doc: Document) -> tuple[str, int, str]:
    """(全宗号, 年度, 保管期限 code) of the document now: what its 档号 and 归档章 are made of."""
    return scheme.fonds, trigger_date(doc).year, retention_code(session, doc)


def set_stamp(doc: Document, fonds: str, year: int, retention: str) -> None:
    """Fix the 归档章's facts (once: ``dossier.models`` refuses a change)."""
    doc.stamp_fonds, doc.stamp_year, doc.stamp_retention = fonds, year, retention


def keep_stamp(session: Session, doc: Document, given: tuple[str, int, str] | None) -> None:
    """Stamp a document that came with its number (a handover): the facts the package gave, else
    this archive's facts of the day (as an upgrade stamps older documents)."""
    set_stamp(doc, *(given or stamp_facts(load_scheme(session), session, doc)))


def number_for(scheme: Scheme, folder: Household, item: int, stamp: tuple[str, int, str]) -> str:
    fonds, year, retention = stamp
    return _format(
        scheme.pattern,
        {
            "全宗号": fonds,
            "门类代码": scheme.category,
            "年度": year,
            "保管期限代码": retention,
            "户号": folder.archive_no,
            "件号": item,
            "小区代码": folder.community.code,
            "户代码": folder.code,
        },
    )


def next_item(session: Session, household_id: int) -> int:
    """Take the folder's next 件号: one UPDATE … RETURNING, so the row stays locked (PostgreSQL)
    or the database written (SQLite) until the caller commits, and two filings never share one."""
    value = session.execute(
        update(Household)
        .where(Household.id == household_id)
        .values(item_counter=Household.item_counter + 1)
        .returning(Household.item_counter)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    return int(value)


def number(session: Session, doc: Document, folder: Household, scheme: Scheme | None = None) -> str:
    """Give ``doc`` (filed into ``folder``) its 档号, in the caller's transaction."""
    if doc.archive_no is not None:
        return doc.archive_no
    scheme = scheme or load_scheme(session)
    item = next_item(session, folder.id)
    session.expire(folder, ["item_counter"])
    doc.item_no = item
    doc.numbered_in_id = folder.id
    stamp = stamp_facts(scheme, session, doc)
    doc.archive_no = number_for(scheme, folder, item, stamp)
    set_stamp(doc, *stamp)
    return doc.archive_no


def number_unnumbered(session: Session, *, chunk: int = 500) -> int:
    """Number every document of an older archive, per folder in filing order, each recorded in
    its history ("numbered"). Commits: every ``chunk`` documents, so a large upgrade resumes."""
    numbered = 0
    scheme = load_scheme(session)
    unnumbered = (
        select(Document)
        .where(Document.archive_no.is_(None))
        .order_by(Document.household_id, Document.intake_at, Document.id)
        .limit(chunk)
    )
    while docs := session.scalars(unnumbered).all():
        for doc in docs:
            number(session, doc, doc.household, scheme)
            history.append(session, doc, history.NUMBERED, actor=None, reason="升级时按归档顺序编制档号")
        session.commit()
        numbered += len(docs)
    return numbered


def stamp_unstamped(session: Session, *, chunk: int = 500) -> int:
    """Fix the 归档章's facts of documents numbered before they were kept (migration 0012), from
    the facts of the day: the best there is. Commits every ``chunk`` documents."""
    stamped = 0
    scheme = load_scheme(session)
    unstamped = (
        select(Document)
        .where(Document.archive_no.is_not(None), Document.stamp_year.is_(None))
        .order_by(Document.id)
        .limit(chunk)
    )
    while docs := session.scalars(unstamped).all():
        for doc in docs:
            set_stamp(doc, *stamp_facts(scheme, session, doc))
        session.commit()
        stamped += len(docs)
    return stamped


# --- continuity (连续编号无漏号), for ``audit verify`` ---------------------------------------------


@dataclass(frozen=True)
class Gap:
    folder: str  # the folder's archive number
    item: int
    reason: str  # a message code: numbering.gap.*
    document: int | None = None


def _history_records(session: Session, document_id: int) -> Iterator[tuple[str, dict]]:
    for action, record in session.execute(
        select(DocumentHistory.action, DocumentHistory.record)
        .where(DocumentHistory.document_id == document_id)
        .order_by(DocumentHistory.seq)
    ):
        yield action, json.loads(record)


def _move_recorded(session: Session, document_id: int) -> bool:
    """Whether the signed history of ``document_id`` records a change of its folder, here or
    (for a document received in a handover) in the sending archive, whose package's own
    numbering was checked when it was received."""
    return any(
        "household" in (r.get("changes") or {}) or action == HistoryAction.RECEIVED
        for action, r in _history_records(session, document_id)
    )


def _received_destroyed(session: Session, document_id: int) -> bool:
    """Whether ``document_id`` came in a handover package as the tombstone of a destruction the
    sending archive's shredding log records (its "received" entry says so)."""
    return any(
        action == HistoryAction.RECEIVED and (r.get("metadata") or {}).get("destroyed")
        for action, r in _history_records(session, document_id)
    )


def _shredded(session: Session) -> tuple[set[int], set[tuple[str, int]]]:
    """Documents the shredding log records as destroyed: by id, and by numbering folder and 件号
    (entries made since item numbers carry them, ``shred_facts``), so a number stays explained
    even if its catalog row were lost."""
    ids: set[int] = set()
    numbers: set[tuple[str, int]] = set()
    for document_id, record in session.execute(select(ShredLogEntry.document_id, ShredLogEntry.record)):
        ids.add(document_id)
        facts = json.loads(record)
        if facts.get("item_folder") and isinstance(facts.get("item"), int):
            numbers.add((facts["item_folder"], facts["item"]))
    return ids, numbers


def _not_carried(session: Session) -> set[tuple[str, int]]:
    """Numbers a received package's folders had issued but could not carry (their documents had
    moved to a folder outside the package), as each accepted import recorded them."""
    numbers: set[tuple[str, int]] = set()
    for report in session.scalars(
        select(Handover.report).where(
            Handover.direction == HandoverDirection.IMPORT, Handover.accepted.is_(True)
        )
    ):
        for folder, item in (json.loads(report or "{}") or {}).get("numbers_not_carried", []):
            numbers.add((folder, int(item)))
    return numbers


def shred_facts(session: Session, doc: Document) -> dict[str, object]:
    """What a shredding-log entry records of a document's number."""
    folder = session.get(Household, doc.numbered_in_id) if doc.numbered_in_id else None
    return {
        "item_archive_no": doc.archive_no,
        "item_folder": folder.archive_no if folder else None,
        "item": doc.item_no,
    }


def gaps(session: Session) -> Iterator[Gap]:
    """Each folder's numbers 1…counter, each accounted for: a document numbered there that is
    still there, or destroyed with an entry in the shredding log, or moved with its move in its
    history, or received destroyed from another archive (its history says so). Anything else is
    a gap: a number missing from the catalog, a tombstone the shredding log does not know, a
    document elsewhere without a recorded move, or a number above the folder's counter."""
    shredded, shredded_numbers = _shredded(session)
    shredded_numbers |= _not_carried(session)
    folders = session.execute(select(Household.id, Household.archive_no, Household.item_counter)).all()
    numbered: dict[int, dict[int, tuple[int, int, bool]]] = {}
    for doc_id, folder_id, item, household_id, destroyed_at in session.execute(
        select(
            Document.id,
            Document.numbered_in_id,
            Document.item_no,
            Document.household_id,
            Document.destroyed_at,
        ).where(Document.numbered_in_id.is_not(None))
    ):
        if folder_id is not None and item is not None:
            numbered.setdefault(folder_id, {})[item] = (doc_id, household_id, destroyed_at is not None)
    for folder_id, archive_no, counter in sorted(folders, key=lambda f: f[1]):
        items = numbered.get(folder_id, {})
        for item in range(1, max(counter, max(items, default=0)) + 1):
            if item > counter:
                yield Gap(archive_no, item, "numbering.gap.above_counter", items[item][0])
                continue
            if item not in items:
                if (archive_no, item) not in shredded_numbers:
                    yield Gap(archive_no, item, "numbering.gap.missing")
                continue
            doc_id, household_id, destroyed = items[item]
            if destroyed and doc_id not in shredded and not _received_destroyed(session, doc_id):
                yield Gap(archive_no, item, "numbering.gap.destroyed_unlogged", doc_id)
            elif household_id != folder_id and not _move_recorded(session, doc_id):
                yield Gap(archive_no, item, "numbering.gap.moved_unrecorded", doc_id)


# --- the 归档章 (filing stamp), for the print view and the handover package ------------------------


def filing_stamp(session: Session, doc: Document) -> dict[str, object] | None:
    """The facts of the document's 归档章 (DA/T 22: 全宗号, 年度, 件号, 保管期限, 页数) and its full
    档号; None for a document without a number. 全宗号, 年度 and 保管期限 are those its 档号 was
    made of (kept with the number; a handover carries them); 件号 the number it was given in its
    folder; 页数 its pages now."""
    if doc.archive_no is None:
        return None
    if doc.stamp_year is None:  # not stamped yet (an upgrade before ``init`` ran): today's facts
        fonds, year, code = stamp_facts(load_scheme(session), session, doc)
    else:
        fonds, year, code = doc.stamp_fonds or "", doc.stamp_year, doc.stamp_retention or PERMANENT_CODE
    return {
        "fonds": fonds,
        "year": year,
        "item": doc.item_no,
        "retention": retention_name(session, code),
        "retention_code": code,
        "pages": doc.page_count,
        "archive_no": doc.archive_no,
    }


def retention_name(session: Session, code: str) -> str:
    """The name of a retention class by code (永久 for the permanent code or a class since removed)."""
    row = session.get(RetentionClass, code)
    return row.name if row is not None else zh("document.stamp_permanent")
