"""Correcting a household after intake: its facts (户号, 小区, 用途, 楼栋 …) and its parties
(业主, 租户, 紧急联系人): add, edit, remove, and mark one moved out (迁出).

Archivists and administrators only (``MANAGE_RECORDS``). The archive number is never changed.
Every change writes one access-log entry naming what changed, from what to what, and the reason
(ID numbers are never written there, phone numbers masked). Nothing here commits; a result
carries the ids of the documents whose search entries hold the changed facts (household code,
community, building, party names), for the caller to tell ``search.hooks`` after committing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from dossier.actor import Actor
from dossier.dates import parse_date
from dossier.errors import AlreadyExists, InvalidInput, NotFound
from dossier.fieldcrypt import FieldCipher, normalise_id_number
from dossier.masking import mask_personal_numbers
from dossier.models import (
    AccessAction,
    Community,
    Document,
    DocumentStatus,
    Household,
    HouseholdUse,
    Party,
    PartyRole,
)
from dossier.permissions import Permission, require
from dossier.services.access import record_access
from dossier.services.households import (
    _CODE_RE,
    _ID_NUMBER_RE,
    _PHONE_RE,
    ID_NUMBER,
    PARTY_ROLE_NAMES_ZH,
    USE_NAMES_ZH,
    add_party,
)

MAX_REASON = 500
HOUSEHOLD_LABELS = {
    "code": "户号",
    "community": "小区",
    "use": "用途",
    "building": "楼栋",
    "unit": "单元",
    "floor": "楼层",
    "room": "房号",
    "area": "面积",
}
PARTY_LABELS = {
    "role": "身份",
    "name": "姓名",
    "phone": "联系电话",
    "id_number": "身份证号",
    "emergency_contact": "紧急联络人",
    "emergency_phone": "紧急联络电话",
    "since": "入住日期",
    "until": "迁出日期",
}
# Facts the search index carries with every page of the household's documents.
_INDEXED = {"code", "community", "building", "name"}
_SHORT_TEXT = {"building": 32, "unit": 32, "room": 32}


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    before: str | None
    after: str | None

    def text(self) -> str:
        if self.field == "id_number":  # never in the log, not even masked
            return f"{self.label}已更改"
        return f"{self.label}：{self.before or '（空）'} → {self.after or '（空）'}"


@dataclass
class Outcome:
    """What a correction did: the changes, and the documents to re-index once committed."""

    changes: list[Change] = field(default_factory=list)
    reindex: list[int] = field(default_factory=list)


def require_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason or len(reason) > MAX_REASON:
        raise InvalidInput(f"请填写修改理由（1 至 {MAX_REASON} 个字）。")
    return reason


def describe(changes: list[Change], reason: str | None = None, lead: str | None = None) -> str:
    parts = ([lead] if lead else []) + [c.text() for c in changes]
    if reason:
        parts.append(f"理由：{reason}")
    return "；".join(parts)


def household_document_ids(session: Session, household_ids: list[int]) -> list[int]:
    """The documents (not destroyed) of these households: what the index holds of them."""
    if not household_ids:
        return []
    return list(
        session.scalars(
            select(Document.id)
            .where(Document.household_id.in_(household_ids), Document.status != DocumentStatus.DESTROYED)
            .order_by(Document.id)
        )
    )


# --- the household's facts ------------------------------------------------------------------


def _text(value: object, what: str, limit: int) -> str | None:
    text = str(value).strip() if value is not None else ""
    if len(text) > limit:
        raise InvalidInput(f"{what}最多 {limit} 个字。")
    return text or None


def _area(value: object) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        area = Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidInput(f"面积“{value}”不是数字（平方米）。") from None
    if not area.is_finite() or area <= 0 or area >= Decimal("100000000"):
        raise InvalidInput("面积须为正数（平方米）。")
    return area.quantize(Decimal("0.01"))


def _use(value: object) -> HouseholdUse:
    for use in HouseholdUse:
        if value in (use, USE_NAMES_ZH[use]):
            return use
    raise InvalidInput("用途须为住宅、商业或办公。")


def find_community_zh(session: Session, name_or_code: str) -> Community:
    """A community by its name or code (an unknown one is an error, never created here)."""
    text = (name_or_code or "").strip()
    row = session.scalar(select(Community).where(or_(Community.name == text, Community.code == text)))
    if row is None:
        raise NotFound(f"没有名为“{text}”的小区；请先核对小区名称。")
    return row


def _show(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, HouseholdUse):
        return USE_NAMES_ZH[value]
    return str(value)


def edit_household(
    session: Session, actor: Actor, household: Household, reason: str, changes: Mapping[str, object]
) -> Outcome:
    """Apply ``changes`` (field → new value; None or "" clears an optional fact) to a household's
    facts. Fields: code, community, use, building, unit, floor, room, area. The archive number
    stays as it is. Refuses when nothing would change."""
    require(actor, Permission.MANAGE_RECORDS)
    reason = require_reason(reason)
    unknown = set(changes) - set(HOUSEHOLD_LABELS)
    if unknown:
        raise InvalidInput(f"不能修改：{', '.join(sorted(unknown))}（档案编号不可修改）。")
    new: dict[str, object] = {}
    for name, value in changes.items():
        if name == "code":
            code = str(value or "").strip()
            if not _CODE_RE.match(code):
                raise InvalidInput(f"户号“{code}”格式不对：只能用字母、数字、汉字和 - _ .，例如 A-3-1201。")
            new[name] = code
        elif name == "community":
            new[name] = find_community_zh(session, str(value or ""))
        elif name == "use":
            new[name] = _use(value)
        elif name == "floor":
            if value in (None, ""):
                new[name] = None
            else:
                try:
                    floor = int(str(value))
                except ValueError:
                    raise InvalidInput(f"楼层“{value}”不是整数。") from None
                if not -10 <= floor <= 300:
                    raise InvalidInput("楼层须在 -10 至 300 之间。")
                new[name] = floor
        elif name == "area":
            new[name] = _area(value)
        else:
            new[name] = _text(value, HOUSEHOLD_LABELS[name], _SHORT_TEXT[name])

    done: list[Change] = []
    for name, value in new.items():
        if name == "community":
            assert isinstance(value, Community)
            if value.id != household.community_id:
                done.append(Change(name, HOUSEHOLD_LABELS[name], household.community.name, value.name))
            continue
        before = getattr(household, name)
        if before == value:
            continue
        done.append(Change(name, HOUSEHOLD_LABELS[name], _show(before), _show(value)))
    if not done:
        raise InvalidInput("没有任何改动。")

    target = new.get("community", household.community)
    assert isinstance(target, Community)
    code = str(new.get("code", household.code))
    clash = session.scalar(
        select(Household.id).where(
            Household.community_id == target.id, Household.code == code, Household.id != household.id
        )
    )
    if clash is not None:
        raise AlreadyExists(f"{target.name}已有户号 {code} 的档案；不能重复。")
    for change in done:
        if change.field == "community":
            household.community = target
        else:
            setattr(household, change.field, new[change.field])
    session.flush()
    record_access(
        session,
        actor,
        AccessAction.HOUSEHOLD_EDIT,
        household_id=household.id,
        detail=describe(done, reason),
    )
    indexed = any(c.field in _INDEXED for c in done)
    return Outcome(done, household_document_ids(session, [household.id]) if indexed else [])


# --- parties ----------------------------------------------------------------------------------


def party_role(value: object) -> PartyRole:
    for role in PartyRole:
        if value in (role, PARTY_ROLE_NAMES_ZH[role]):
            return role
    raise InvalidInput("身份须为业主、租户或紧急联系人。")


def get_party(session: Session, household: Household, party_id: int) -> Party:
    party = session.get(Party, party_id)
    if party is None or party.household_id != household.id:
        raise NotFound(f"{household.code} 没有编号为 {party_id} 的登记人。")
    return party


def _phone(value: object, what: str) -> str | None:
    text = str(value).strip() if value is not None else ""
    if not text:
        return None
    if not _PHONE_RE.match(text):
        raise InvalidInput(f"{what}“{text}”不是电话号码。")
    return text


def _name(value: object, what: str = "姓名", required: bool = True) -> str | None:
    text = str(value).strip() if value is not None else ""
    if not text:
        if required:
            raise InvalidInput(f"请填写{what}。")
        return None
    if len(text) > 128:
        raise InvalidInput(f"{what}最多 128 个字。")
    return text


def _id_number(value: object) -> str:
    text = normalise_id_number(str(value or ""))
    if not _ID_NUMBER_RE.match(text):
        raise InvalidInput("身份证号须为 15 位数字，或 17 位数字加一位数字或 X。")
    return text


def _date(value: object, what: str) -> date | None:
    value = parse_date(value if isinstance(value, date) or value is None else str(value), what)
    if value is None:
        return None
    if value > date.today():
        raise InvalidInput(f"{what}不能晚于今天。")
    return value


def _party_label(party: Party) -> str:
    return f"{PARTY_ROLE_NAMES_ZH.get(party.role, party.role)} {party.name}"


def new_party(
    session: Session,
    actor: Actor,
    fields: FieldCipher | None,
    household: Household,
    *,
    name: str,
    role: str = PartyRole.OWNER,
    phone: str | None = None,
    id_number: str | None = None,
    emergency_contact: str | None = None,
    emergency_phone: str | None = None,
    since: date | str | None = None,
) -> Party:
    """Register a party of an existing household (``fields`` seals an ID number), on record."""
    require(actor, Permission.MANAGE_RECORDS)
    name_value = _name(name)
    role_value = party_role(role)
    phone_value = _phone(phone, "联系电话")
    contact_phone = _phone(emergency_phone, "紧急联络电话")
    id_value = _id_number(id_number) if id_number else None
    if id_value and fields is None:
        raise InvalidInput("需要载入档案主密钥才能保存身份证号。")
    party = add_party(
        session,
        actor,
        fields,
        household,
        name=name_value or "",
        role=role_value,
        phone=phone_value,
        id_number=id_value,
        emergency_contact=_name(emergency_contact, "紧急联络人", required=False),
        emergency_phone=contact_phone,
        since=_date(since, "入住日期"),
    )
    session.flush()
    extra = "，已登记身份证号" if id_value else ""
    record_access(
        session,
        actor,
        AccessAction.PARTY_ADD,
        household_id=household.id,
        detail=f"登记{_party_label(party)}（#{party.id}）{extra}",
    )
    return party


def edit_party(
    session: Session,
    actor: Actor,
    fields: FieldCipher | None,
    household: Household,
    party_id: int,
    reason: str,
    changes: Mapping[str, object],
) -> Outcome:
    """Correct a party: role, name, phone, emergency contact and phone, since, until (the move-out
    date; None clears it), and id_number (a new number replaces the sealed one; "" removes it)."""
    require(actor, Permission.MANAGE_RECORDS)
    reason = require_reason(reason)
    party = get_party(session, household, party_id)
    unknown = set(changes) - set(PARTY_LABELS)
    if unknown:
        raise InvalidInput(f"不能修改：{', '.join(sorted(unknown))}。")
    new: dict[str, object] = {}
    for name, value in changes.items():
        if name == "role":
            new[name] = party_role(value)
        elif name == "name":
            new[name] = _name(value)
        elif name in ("phone", "emergency_phone"):
            new[name] = _phone(value, PARTY_LABELS[name])
        elif name == "emergency_contact":
            new[name] = _name(value, PARTY_LABELS[name], required=False)
        elif name in ("since", "until"):
            new[name] = _date(value, PARTY_LABELS[name])
        else:  # id_number
            new[name] = _id_number(value) if value else None
    since = new.get("since", party.since)
    until = new.get("until", party.until)
    if isinstance(since, date) and isinstance(until, date) and until < since:
        raise InvalidInput("迁出日期不能早于入住日期。")

    done: list[Change] = []
    for name, value in new.items():
        if name == "id_number":
            if value is None and party.id_number_enc is None:
                continue
            if value is not None:
                if fields is None:
                    raise InvalidInput("需要载入档案主密钥才能保存身份证号。")
                digest = fields.lookup_hash(str(value), ID_NUMBER)
                if digest == party.id_number_hmac:
                    continue
                party.id_number_enc, party.id_number_hmac = fields.seal(str(value), ID_NUMBER), digest
            else:
                party.id_number_enc = party.id_number_hmac = None
            done.append(Change(name, PARTY_LABELS[name], None, None))
            continue
        before = getattr(party, name)
        if before == value:
            continue
        shown_before, shown_after = before, value
        if name == "role":
            shown_before, shown_after = (
                PARTY_ROLE_NAMES_ZH.get(before, before),
                PARTY_ROLE_NAMES_ZH[str(value)],
            )
        elif name in ("phone", "emergency_phone"):
            shown_before = mask_personal_numbers(before)
            shown_after = mask_personal_numbers(str(value)) if value else None
        setattr(party, name, value)
        done.append(
            Change(name, PARTY_LABELS[name], _show(shown_before), _show(shown_after)),
        )
    if not done:
        raise InvalidInput("没有任何改动。")
    session.flush()
    record_access(
        session,
        actor,
        AccessAction.PARTY_EDIT,
        household_id=household.id,
        detail=describe(done, reason, lead=f"修改{_party_label(party)}（#{party.id}）"),
    )
    indexed = any(c.field in _INDEXED for c in done)
    return Outcome(done, household_document_ids(session, [household.id]) if indexed else [])


def move_out_party(
    session: Session,
    actor: Actor,
    household: Household,
    party_id: int,
    on: date | None,
    reason: str | None = None,
) -> Party:
    """Mark a party moved out (迁出) on ``on`` (today when None): kept, shown apart, never deleted."""
    require(actor, Permission.MANAGE_RECORDS)
    party = get_party(session, household, party_id)
    if party.until is not None:
        raise InvalidInput(f"{party.name} 已于 {party.until.isoformat()} 迁出。")
    day = _date(on, "迁出日期") or date.today()
    if party.since is not None and day < party.since:
        raise InvalidInput("迁出日期不能早于入住日期。")
    note = (reason or "").strip()
    if len(note) > MAX_REASON:
        raise InvalidInput(f"说明最多 {MAX_REASON} 个字。")
    party.until = day
    session.flush()
    record_access(
        session,
        actor,
        AccessAction.PARTY_MOVE_OUT,
        household_id=household.id,
        detail=describe(
            [], note or None, lead=f"{_party_label(party)}（#{party.id}）于 {day.isoformat()} 迁出"
        ),
    )
    return party


def remove_party(session: Session, actor: Actor, household: Household, party_id: int, reason: str) -> Outcome:
    """Delete a party registered by mistake (one who left is marked moved out instead)."""
    require(actor, Permission.MANAGE_RECORDS)
    reason = require_reason(reason)
    party = get_party(session, household, party_id)
    label = f"删除{_party_label(party)}（#{party.id}）"
    household.parties.remove(party)
    session.flush()
    record_access(
        session,
        actor,
        AccessAction.PARTY_REMOVE,
        household_id=household.id,
        detail=describe([], reason, label),
    )
    return Outcome([Change("party", "登记人", label, None)], household_document_ids(session, [household.id]))
