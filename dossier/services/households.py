"""Households (一户一档): one folder per household, its parties and its archive number."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from dossier import archiveno
from dossier.actor import Actor
from dossier.catalog import CATALOG, Text, text
from dossier.errors import AlreadyExists, InvalidInput, NotFound
from dossier.fieldcrypt import FieldCipher, mask_id_number, normalise_id_number
from dossier.models import (
    AccessAction,
    Community,
    Household,
    HouseholdStatus,
    HouseholdUse,
    Party,
    PartyRole,
)
from dossier.permissions import Permission, can, require
from dossier.seed import DEFAULT_COMMUNITY_CODE
from dossier.services.access import record_access

ID_NUMBER = "party.id_number"
USE_NAMES_ZH = {str(u): CATALOG["household.use." + u].zh for u in HouseholdUse}
STATUS_NAMES_ZH = {str(s): CATALOG["household.status." + s].zh for s in HouseholdStatus}
PARTY_ROLE_NAMES_ZH = {str(r): CATALOG["household.role." + r].zh for r in PartyRole}


def use_name(use: str) -> Text:
    """A use (住宅/商业/办公) as a message, for output in either language."""
    return text("household.use." + use)


def status_name(status: str) -> Text:
    return text("household.status." + status)


def party_role_name(role: str) -> Text:
    return text("household.role." + role)


_CODE_RE = re.compile(r"^[0-9A-Za-z\u4e00-\u9fff][0-9A-Za-z\u4e00-\u9fff._-]{0,63}$")
# A-3-1201: building A, unit 3, room 1201 (floor 12); A-1201: building A, room 1201.
_CODE_PARTS = re.compile(r"^(?P<building>[^-]+)(?:-(?P<unit>[^-]+))?-(?P<room>\d{3,5})$")
_ID_NUMBER_RE = re.compile(r"^(\d{15}|\d{17}[\dX])$")
_PHONE_RE = re.compile(r"^\+?[\d\- ]{5,20}$")


@dataclass
class HouseholdFilter:
    community: str | None = None
    building: str | None = None
    floor: int | None = None
    use: str | None = None
    status: str | None = None
    owner: str | None = None
    q: str | None = None  # code, archive number, party name or phone
    limit: int = 50
    offset: int = 0


def parse_use(value: str | None) -> HouseholdUse:
    if value is None:
        return HouseholdUse.RESIDENTIAL
    for use in HouseholdUse:
        if value in (use, USE_NAMES_ZH[use]):
            return use
    raise InvalidInput("household.bad_use", value=value)


def parse_status(value: str) -> HouseholdStatus:
    try:
        return HouseholdStatus(value)
    except ValueError:
        raise InvalidInput("household.bad_status", value=value) from None


def validate_id_number(value: str) -> str:
    value = normalise_id_number(value)
    if not _ID_NUMBER_RE.match(value):
        raise InvalidInput("household.bad_id_number")
    return value


def _validate_phone(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if not _PHONE_RE.match(value):
        raise InvalidInput("household.bad_phone", value=value)
    return value.strip()


def community_names(session: Session) -> list[str]:
    return list(session.scalars(select(Community.name).order_by(Community.code)))


def find_community(session: Session, name_or_code: str | None) -> Community:
    if name_or_code is None:
        community = session.scalar(select(Community).where(Community.code == DEFAULT_COMMUNITY_CODE))
        if community is None:
            community = session.scalar(select(Community).order_by(Community.id))
        if community is None:
            raise NotFound("household.no_community_yet")
        return community
    community = session.scalar(
        select(Community).where(or_(Community.name == name_or_code, Community.code == name_or_code))
    )
    if community is None:
        raise NotFound("household.no_such_community", name=name_or_code)
    return community


def get_or_create_community(session: Session, name: str | None) -> Community:
    if name is None:
        return find_community(session, None)
    name = name.strip()
    if not name or len(name) > 128:
        raise InvalidInput("household.community_name_length")
    community = session.scalar(select(Community).where(or_(Community.name == name, Community.code == name)))
    if community is None:
        count = session.scalar(select(func.count(Community.id))) or 0
        code = f"C{count + 1:03d}"
        while _code_taken(session, code):
            count += 1
            code = f"C{count + 1:03d}"
        community = Community(code=code, name=name)
        session.add(community)
        session.flush()
    return community


def _code_taken(session: Session, code: str) -> bool:
    """A community code in use, or once used: a merged community's code lives on in its
    households' archive numbers, so a new community never takes it."""
    if session.scalar(select(Community.id).where(Community.code == code)) is not None:
        return True
    like = select(Household.id).where(Household.archive_no.like(f"{code}-%")).limit(1)
    return session.scalar(like) is not None


def _next_archive_no(session: Session, community: Community, use: HouseholdUse) -> str:
    prefix = archiveno.series_prefix(community.code, use)
    existing = session.scalars(
        select(Household.archive_no).where(Household.archive_no.like(f"{prefix}%"))
    ).all()
    numbers = [n for n in (archiveno.serial_in(a, prefix) for a in existing) if n is not None]
    return archiveno.format_archive_no(prefix, max(numbers, default=0) + 1)


def add_household(
    session: Session,
    actor: Actor,
    fields: FieldCipher | None,
    code: str,
    *,
    community: str | None = None,
    use: str | None = None,
    building: str | None = None,
    unit: str | None = None,
    floor: int | None = None,
    room: str | None = None,
    area: str | Decimal | None = None,
    archive_no: str | None = None,
    owner: str | None = None,
    phone: str | None = None,
    id_number: str | None = None,
) -> Household:
    """Open a household's folder. ``fields`` seals the owner's ID number (needed only with one)."""
    require(actor, Permission.MANAGE_RECORDS)
    code = (code or "").strip()
    if not _CODE_RE.match(code):
        raise InvalidInput("household.bad_code", code=code)
    use_value = parse_use(use)
    parts = _CODE_PARTS.match(code)
    if parts:
        building = building or parts["building"]
        unit = unit or parts["unit"]
        room = room or parts["room"]
        if floor is None and len(parts["room"]) > 2:
            floor = int(parts["room"][:-2])
    area_value = None
    if area not in (None, ""):
        try:
            area_value = Decimal(str(area))
        except InvalidOperation:
            raise InvalidInput("household.bad_area", value=area) from None
        if area_value <= 0:
            raise InvalidInput("household.area_not_positive")
    community_row = get_or_create_community(session, community)
    if session.scalar(
        select(Household.id).where(Household.community_id == community_row.id, Household.code == code)
    ):
        raise AlreadyExists("household.exists", code=code, community=community_row.name)
    if archive_no is not None and session.scalar(
        select(Household.id).where(Household.archive_no == archive_no)
    ):
        raise AlreadyExists("household.archive_no_taken", archive_no=archive_no)
    household = Household(
        community_id=community_row.id,
        code=code,
        archive_no=archive_no or _next_archive_no(session, community_row, use_value),
        use=use_value,
        building=building,
        unit=unit,
        floor=floor,
        room=room,
        area=area_value,
        status=HouseholdStatus.ACTIVE,
    )
    if owner:  # validated in full before anything is added to the session
        add_party(session, actor, fields, household, name=owner, phone=phone, id_number=id_number)
    elif phone or id_number:
        raise InvalidInput("household.owner_needed")
    session.add(household)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise AlreadyExists("household.exists_or_archive_no", code=code) from None
    record_access(session, actor, AccessAction.HOUSEHOLD_CREATE, household_id=household.id, detail=code)
    return household


def add_party(
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
    since: date | None = None,
) -> Party:
    require(actor, Permission.MANAGE_RECORDS)
    name = (name or "").strip()
    if not name or len(name) > 128:
        raise InvalidInput("household.party_name_length")
    try:
        role_value = PartyRole(role)
    except ValueError:
        raise InvalidInput("household.bad_party_role", value=role) from None
    sealed = digest = None
    if id_number:
        if fields is None:
            raise InvalidInput("household.id_number_needs_key")
        normalised = validate_id_number(id_number)
        sealed, digest = fields.seal(normalised, ID_NUMBER), fields.lookup_hash(normalised, ID_NUMBER)
    party = Party(
        household=household,
        role=role_value,
        name=name,
        phone=_validate_phone(phone),
        emergency_contact=(emergency_contact or None),
        emergency_phone=_validate_phone(emergency_phone),
        since=since,
        id_number_enc=sealed,
        id_number_hmac=digest,
    )
    session.add(party)
    return party


def get_household(session: Session, code: str, community: str | None = None) -> Household:
    query = (
        select(Household)
        .where(Household.code == code)
        .options(selectinload(Household.parties), selectinload(Household.community))
    )
    if community is not None:
        query = query.where(Household.community_id == find_community(session, community).id)
    rows = session.scalars(query).all()
    if not rows:
        if community:
            raise NotFound("household.not_found_in", code=code, community=community)
        raise NotFound("household.not_found", code=code)
    if len(rows) > 1:
        names = "、".join(sorted(h.community.name for h in rows))
        raise InvalidInput("household.ambiguous", code=code, names=names)
    return rows[0]


def get_household_by_id(session: Session, household_id: int) -> Household:
    household = session.get(Household, household_id)
    if household is None:
        raise NotFound("household.no_such_id", id=household_id)
    return household


def list_households(session: Session, actor: Actor, flt: HouseholdFilter) -> tuple[int, list[Household]]:
    """Households matching the filter, in shelf order (use, building, floor, room); with the total."""
    require(actor, Permission.SEARCH)
    query = select(Household).join(Household.community)
    if flt.community:
        query = query.where(Household.community_id == find_community(session, flt.community).id)
    if flt.building:
        query = query.where(Household.building == flt.building)
    if flt.floor is not None:
        query = query.where(Household.floor == flt.floor)
    if flt.use:
        query = query.where(Household.use == parse_use(flt.use))
    if flt.status:
        query = query.where(Household.status == parse_status(flt.status))
    if flt.owner:
        query = query.where(
            Household.id.in_(
                select(Party.household_id).where(Party.name.contains(flt.owner.strip(), autoescape=True))
            )
        )
    if flt.q:
        q = flt.q.strip()
        query = query.where(
            or_(
                Household.code.contains(q, autoescape=True),
                Household.archive_no.contains(q, autoescape=True),
                Household.id.in_(
                    select(Party.household_id).where(
                        or_(Party.name.contains(q, autoescape=True), Party.phone.contains(q, autoescape=True))
                    )
                ),
            )
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    limit = max(1, min(int(flt.limit), 500))
    rows = session.scalars(
        query.options(selectinload(Household.parties), selectinload(Household.community))
        .order_by(
            Community.code, Household.use, Household.building, Household.floor, Household.room, Household.code
        )
        .limit(limit)
        .offset(max(0, int(flt.offset)))
    ).all()
    return total, list(rows)


def party_view(party: Party, actor: Actor, fields: FieldCipher | None) -> dict:
    """A party as this actor may see it: ID numbers in full only with clearance."""
    id_number = None
    if party.id_number_enc is not None:
        if fields is None:
            id_number = "******"
        else:
            plain = fields.open(party.id_number_enc, ID_NUMBER, text("fieldcrypt.what_id_number"))
            id_number = plain if can(actor, Permission.VIEW_CONFIDENTIAL) else mask_id_number(plain)
    return {
        "id": party.id,
        "role": party.role,
        "name": party.name,
        "phone": party.phone,
        "emergency_contact": party.emergency_contact,
        "emergency_phone": party.emergency_phone,
        "id_number": id_number,
        "id_number_masked": not can(actor, Permission.VIEW_CONFIDENTIAL),
        "since": party.since.isoformat() if party.since else None,
        "until": party.until.isoformat() if party.until else None,
        "moved_out": party.until is not None,
    }


def household_view(
    household: Household, actor: Actor, fields: FieldCipher | None = None, *, with_parties: bool = True
) -> dict:
    view = {
        "id": household.id,
        "code": household.code,
        "community": household.community.name,
        "community_code": household.community.code,
        "archive_no": household.archive_no,
        "use": household.use,
        "building": household.building,
        "unit": household.unit,
        "floor": household.floor,
        "room": household.room,
        "area": str(household.area) if household.area is not None else None,
        "status": household.status,
        "closed_on": household.closed_on.isoformat() if household.closed_on else None,
    }
    if with_parties:
        view["parties"] = [party_view(p, actor, fields) for p in household.parties]
    else:
        view["owners"] = [p.name for p in household.parties if p.role == PartyRole.OWNER and p.until is None]
    return view


def find_by_id_number(session: Session, actor: Actor, fields: FieldCipher, id_number: str) -> list[Household]:
    """Folders whose parties carry this ID number (clearance needed: it reveals who holds it)."""
    require(actor, Permission.VIEW_CONFIDENTIAL)
    digest = fields.lookup_hash(validate_id_number(id_number), ID_NUMBER)
    return list(
        session.scalars(
            select(Household).where(
                Household.id.in_(select(Party.household_id).where(Party.id_number_hmac == digest))
            )
        ).all()
    )
