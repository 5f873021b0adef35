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

from dossier import localtime
from dossier.actor import Actor
from dossier.catalog import Text, text, zh
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
# Field → its name (a message: Chinese in the log and on the web, English in an English CLI).
HOUSEHOLD_LABELS: dict[str, Text] = {
    name: text("household.label." + name)
    for name in ("code", "community", "use", "building", "unit", "floor", "room", "area")
}
PARTY_LABELS: dict[str, Text] = {
    name: text("household.party_label." + name)
    for name in (
        "role",
        "name",
        "phone",
        "id_number",
        "emergency_contact",
        "emergency_phone",
        "since",
        "until",
    )
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
            return zh("household.log.changed_secret", label=self.label)
        empty = text("household.log.empty")
        return zh(
            "household.log.change", label=self.label, before=self.before or empty, after=self.after or empty
        )


@dataclass
class Outcome:
    """What a correction did: the changes, and the documents to re-index once committed."""

    changes: list[Change] = field(default_factory=list)
    reindex: list[int] = field(default_factory=list)


def require_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason or len(reason) > MAX_REASON:
        raise InvalidInput("household.reason_needed", limit=MAX_REASON)
    return reason


def describe(changes: list[Change], reason: str | None = None, lead: str | None = None) -> str:
    parts = ([lead] if lead else []) + [c.text() for c in changes]
    if reason:
        parts.append(zh("household.log.reason", reason=reason))
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


def _text(value: object, what: Text, limit: int) -> str | None:
    shown = str(value).strip() if value is not None else ""
    if len(shown) > limit:
        raise InvalidInput("household.too_long", what=what, limit=limit)
    return shown or None


def _area(value: object) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        area = Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidInput("household.bad_area", value=value) from None
    if not area.is_finite() or area <= 0 or area >= Decimal("100000000"):
        raise InvalidInput("household.area_not_positive")
    return area.quantize(Decimal("0.01"))


def _use(value: object) -> HouseholdUse:
    for use in HouseholdUse:
        if value in (use, USE_NAMES_ZH[use]):
            return use
    raise InvalidInput("household.bad_use", value=value)


def find_community_zh(session: Session, name_or_code: str) -> Community:
    """A community by its name or code (an unknown one is an error, never created here)."""
    wanted = (name_or_code or "").strip()
    row = session.scalar(select(Community).where(or_(Community.name == wanted, Community.code == wanted)))
    if row is None:
        raise NotFound("household.no_such_community", name=wanted)
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
        raise InvalidInput("household.not_editable", fields=", ".join(sorted(unknown)))
    new: dict[str, object] = {}
    for name, value in changes.items():
        if name == "code":
            code = str(value or "").strip()
            if not _CODE_RE.match(code):
                raise InvalidInput("household.bad_code", code=code)
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
                    raise InvalidInput("household.bad_floor", value=value) from None
                if not -10 <= floor <= 300:
                    raise InvalidInput("household.floor_range")
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
                done.append(Change(name, HOUSEHOLD_LABELS[name].zh, household.community.name, value.name))
            continue
        before = getattr(household, name)
        if before == value:
            continue
        done.append(Change(name, HOUSEHOLD_LABELS[name].zh, _show(before), _show(value)))
    if not done:
        raise InvalidInput("household.no_change")

    target = new.get("community", household.community)
    assert isinstance(target, Community)
    code = str(new.get("code", household.code))
    clash = session.scalar(
        select(Household.id).where(
            Household.community_id == target.id, Household.code == code, Household.id != household.id
        )
    )
    if clash is not None:
        raise AlreadyExists("household.exists", code=code, community=target.name)
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
    raise InvalidInput("household.bad_party_role", value=value)


def get_party(session: Session, household: Household, party_id: int) -> Party:
    party = session.get(Party, party_id)
    if party is None or party.household_id != household.id:
        raise NotFound("household.no_such_party", code=household.code, party=party_id)
    return party


def _phone(value: object, what: Text) -> str | None:
    shown = str(value).strip() if value is not None else ""
    if not shown:
        return None
    if not _PHONE_RE.match(shown):
        raise InvalidInput("household.bad_phone_of", what=what, value=shown)
    return shown


def _name(value: object, what: Text = PARTY_LABELS["name"], required: bool = True) -> str | None:
    shown = str(value).strip() if value is not None else ""
    if not shown:
        if required:
            raise InvalidInput("household.required", what=what)
        return None
    if len(shown) > 128:
        raise InvalidInput("household.too_long", what=what, limit=128)
    return shown


def _id_number(value: object) -> str:
    number = normalise_id_number(str(value or ""))
    if not _ID_NUMBER_RE.match(number):
        raise InvalidInput("household.bad_id_number")
    return number


def _date(value: object, what: Text) -> date | None:
    value = parse_date(value if isinstance(value, date) or value is None else str(value), what.zh)
    if value is None:
        return None
    if value > localtime.today():
        raise InvalidInput("household.date_in_future", what=what)
    return value


def _party_label(party: Party) -> str:
    return zh("household.log.party", role=PARTY_ROLE_NAMES_ZH.get(party.role, party.role), name=party.name)


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
    phone_value = _phone(phone, PARTY_LABELS["phone"])
    contact_phone = _phone(emergency_phone, PARTY_LABELS["emergency_phone"])
    id_value = _id_number(id_number) if id_number else None
    if id_value and fields is None:
        raise InvalidInput("household.id_number_needs_key")
    party = add_party(
        session,
        actor,
        fields,
        household,
        name=name_value or "",
        role=role_value,
        phone=phone_value,
        id_number=id_value,
        emergency_contact=_name(emergency_contact, PARTY_LABELS["emergency_contact"], required=False),
        emergency_phone=contact_phone,
        since=_date(since, PARTY_LABELS["since"]),
    )
    session.flush()
    record_access(
        session,
        actor,
        AccessAction.PARTY_ADD,
        household_id=household.id,
        detail=zh(
            "household.log.party_added_with_id" if id_value else "household.log.party_added",
            party=_party_label(party),
            id=party.id,
        ),
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
        raise InvalidInput("household.party_not_editable", fields=", ".join(sorted(unknown)))
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
        raise InvalidInput("household.moved_out_before_in")

    done: list[Change] = []
    for name, value in new.items():
        if name == "id_number":
            if value is None and party.id_number_enc is None:
                continue
            if value is not None:
                if fields is None:
                    raise InvalidInput("household.id_number_needs_key")
                digest = fields.lookup_hash(str(value), ID_NUMBER)
                if digest == party.id_number_hmac:
                    continue
                party.id_number_enc, party.id_number_hmac = fields.seal(str(value), ID_NUMBER), digest
            else:
                party.id_number_enc = party.id_number_hmac = None
            done.append(Change(name, PARTY_LABELS[name].zh, None, None))
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
            Change(name, PARTY_LABELS[name].zh, _show(shown_before), _show(shown_after)),
        )
    if not done:
        raise InvalidInput("household.no_change")
    session.flush()
    record_access(
        session,
        actor,
        AccessAction.PARTY_EDIT,
        household_id=household.id,
        detail=describe(
            done, reason, lead=zh("household.log.party_edited", party=_party_label(party), id=party.id)
        ),
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
        raise InvalidInput("household.already_moved_out", name=party.name, day=party.until.isoformat())
    day = _date(on, PARTY_LABELS["until"]) or localtime.today()
    if party.since is not None and day < party.since:
        raise InvalidInput("household.moved_out_before_in")
    note = (reason or "").strip()
    if len(note) > MAX_REASON:
        raise InvalidInput("household.too_long", what=text("household.label.note"), limit=MAX_REASON)
    party.until = day
    session.flush()
    record_access(
        session,
        actor,
        AccessAction.PARTY_MOVE_OUT,
        household_id=household.id,
        detail=describe(
            [],
            note or None,
            lead=zh(
                "household.log.party_moved_out", party=_party_label(party), id=party.id, day=day.isoformat()
            ),
        ),
    )
    return party


def remove_party(session: Session, actor: Actor, household: Household, party_id: int, reason: str) -> Outcome:
    """Delete a party registered by mistake (one who left is marked moved out instead)."""
    require(actor, Permission.MANAGE_RECORDS)
    reason = require_reason(reason)
    party = get_party(session, household, party_id)
    label = zh("household.log.party_removed", party=_party_label(party), id=party.id)
    household.parties.remove(party)
    session.flush()
    record_access(
        session,
        actor,
        AccessAction.PARTY_REMOVE,
        household_id=household.id,
        detail=describe([], reason, label),
    )
    return Outcome(
        [Change("party", text("household.label.party").zh, label, None)],
        household_document_ids(session, [household.id]),
    )
