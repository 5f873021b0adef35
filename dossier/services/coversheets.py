"""Cover sheets (档案封面分隔页): printed separators that tell the stack splitter where each
household's documents begin and where they go.

A sheet carries its facts in a QR code, a versioned payload MACed under a key derived from the
master key (so a sheet of another archive, or an altered one, is refused; layout in
docs/formats/cover-sheet-qr.md), and in large Chinese for the person handling the paper. A black
bar across its top and bottom lets the splitter recognise it even when the code cannot be read.
Why: docs/decisions/010-cover-sheets-and-stack-splitting.md.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import segno
from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dossier.actor import Actor
from dossier.catalog import Text, os_reason, zh
from dossier.errors import InvalidInput
from dossier.fonts import find_font
from dossier.models import AccessAction, Community, Household, HouseholdStatus
from dossier.permissions import Permission, require
from dossier.services.access import record_access
from dossier.services.documents import CONFIDENTIALITY_NAMES_ZH, get_document_type
from dossier.services.households import find_community, get_household
from dossier.textfiles import decode_manifest

VERSION = 1
PREFIX = f"DSC{VERSION}"
_ANY_PREFIX = re.compile(r"^DSC(\d+)\|")
MAC_BYTES = 10
DEFAULT_TYPE = "other"
MAX_SHEETS = 2000

# Layout, in millimetres on A4 at 300 dpi.
DPI = 300
A4_MM = (210.0, 297.0)
BAR_MM = 14.0  # height of the black bars at top and bottom
BAR_MARGIN_MM = 12.0  # distance of the bars from the paper's edge (printers do not print to it)
QR_MM = 80.0


class SheetRefused(Exception):
    """A QR payload that is a Dossier cover sheet but cannot be trusted or read."""

    def __init__(self, code: str, /, **params: object):
        self.reason = Text(code, params)
        super().__init__(self.reason.en)


@dataclass(frozen=True)
class SheetFacts:
    """What a cover sheet says about the documents after it."""

    community: str  # community code
    household: str  # household code
    type_code: str
    title: str | None = None
    document_date: date | None = None
    retention_class: str | None = None
    confidential: bool = False

    def as_dict(self) -> dict:
        return {
            "community": self.community,
            "household": self.household,
            "type": self.type_code,
            "title": self.title,
            "date": self.document_date.isoformat() if self.document_date else None,
            "retention": self.retention_class,
            "confidential": self.confidential,
        }


# --- payload -----------------------------------------------------------------------------------


def _mac(key: bytes, signed_part: bytes) -> str:
    digest = hmac.new(key, signed_part, hashlib.sha256).digest()[:MAC_BYTES]
    return base64.b32encode(digest).decode("ascii").rstrip("=")


def encode_payload(facts: SheetFacts, key: bytes) -> bytes:
    body: dict[str, str | int] = {"c": facts.community, "h": facts.household, "t": facts.type_code}
    if facts.title:
        body["n"] = facts.title
    if facts.document_date:
        body["d"] = facts.document_date.isoformat()
    if facts.retention_class:
        body["r"] = facts.retention_class
    if facts.confidential:
        body["x"] = 1
    signed = f"{PREFIX}|{json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(',', ':'))}"
    signed_bytes = signed.encode("utf-8")
    return signed_bytes + b"|" + _mac(key, signed_bytes).encode("ascii")


def is_cover_payload(data: bytes) -> bool:
    """True for anything that claims to be a Dossier cover sheet (any version)."""
    return _ANY_PREFIX.match(data[:12].decode("ascii", "replace")) is not None


def decode_payload(data: bytes, key: bytes) -> SheetFacts:
    """The facts of a cover sheet's payload; SheetRefused with the reason when it is from
    another archive, altered, of an unknown version or malformed."""
    head = _ANY_PREFIX.match(data[:12].decode("ascii", "replace"))
    if head is None:
        raise SheetRefused("coversheet.not_ours")
    if int(head.group(1)) != VERSION:
        raise SheetRefused("coversheet.unknown_version", version=head.group(1))
    signed, sep, mac = data.rpartition(b"|")
    if not sep or not hmac.compare_digest(mac, _mac(key, signed).encode("ascii")):
        raise SheetRefused("coversheet.bad_mac")
    try:
        body = json.loads(signed[len(PREFIX) + 1 :].decode("utf-8"))
        return SheetFacts(
            community=str(body["c"]),
            household=str(body["h"]),
            type_code=str(body["t"]),
            title=body.get("n"),
            document_date=date.fromisoformat(body["d"]) if body.get("d") else None,
            retention_class=body.get("r"),
            confidential=bool(body.get("x")),
        )
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise SheetRefused("coversheet.malformed") from None


# --- choosing households -------------------------------------------------------------------------


def read_codes_file(path: str | os.PathLike) -> list[str]:
    """Household codes, one a line; blank lines and lines starting with # are skipped."""
    try:
        text = Path(path).read_bytes()
    except OSError as exc:
        raise InvalidInput(
            "coversheet.codes_unreadable", name=Path(path).name, reason=os_reason(exc)
        ) from None
    lines = [line.strip() for line in decode_manifest(text, Path(path).name).splitlines()]
    codes = [line for line in lines if line and not line.startswith("#")]
    if not codes:
        raise InvalidInput("coversheet.no_codes", name=Path(path).name)
    return codes


def select_households(
    session: Session,
    *,
    codes: Sequence[str] = (),
    ids: Sequence[int] = (),
    community: str | None = None,
    building: str | None = None,
    floor: int | None = None,
) -> list[Household]:
    """The households to print sheets for, in the order given (codes, ids) or in shelf order (a
    building, optionally one floor). Closed households are refused: nothing is filed there."""
    chosen: list[Household] = [get_household(session, code, community) for code in codes]
    if ids:
        rows = {h.id: h for h in session.scalars(select(Household).where(Household.id.in_(list(ids))))}
        missing = [str(i) for i in ids if i not in rows]
        if missing:
            raise InvalidInput("coversheet.no_household_id", ids=", ".join(missing))
        chosen += [rows[i] for i in ids]
    if building is not None:
        query = (
            select(Household)
            .join(Community)
            .where(Household.building == building, Household.status == HouseholdStatus.ACTIVE)
            .order_by(Household.community_id, Household.use, Household.floor, Household.room, Household.code)
        )
        if community is not None:
            query = query.where(Household.community_id == find_community(session, community).id)
        if floor is not None:
            query = query.where(Household.floor == floor)
        found = list(session.scalars(query.options(selectinload(Household.community))))
        if not found:
            if floor is not None:
                raise InvalidInput("coversheet.none_on_floor", building=building, floor=floor)
            raise InvalidInput("coversheet.none_in_building", building=building)
        chosen += found
    elif floor is not None:
        raise InvalidInput("coversheet.floor_without_building")
    if not chosen:
        raise InvalidInput("coversheet.none_chosen")
    closed = [h.code for h in chosen if h.status != HouseholdStatus.ACTIVE]
    if closed:
        raise InvalidInput("coversheet.household_closed", code=closed[0])
    if len(chosen) > MAX_SHEETS:
        raise InvalidInput("coversheet.too_many", count=len(chosen), max=MAX_SHEETS)
    return chosen


@dataclass(frozen=True)
class SheetOptions:
    """The same for every sheet of one print run."""

    type_code: str | None = None
    title: str | None = None
    document_date: date | None = None
    confidential: bool = False
    retention_class: str | None = None


def check_options(session: Session, options: SheetOptions) -> SheetOptions:
    type_code = (options.type_code or "").strip() or DEFAULT_TYPE
    get_document_type(session, type_code)
    title = (options.title or "").strip() or None
    if title and len(title) > 60:
        raise InvalidInput("coversheet.title_too_long")
    retention = (options.retention_class or "").strip() or None
    if retention and len(retention) > 16:
        raise InvalidInput("coversheet.retention_too_long")
    return SheetOptions(type_code, title, options.document_date, options.confidential, retention)


# --- drawing -----------------------------------------------------------------------------------


def _px(mm: float) -> int:
    return round(mm / 25.4 * DPI)


def _font(size_pt: float, bold: bool = False) -> ImageFont.FreeTypeFont:
    path, index = find_font("Noto Sans CJK SC", "Bold" if bold else "Regular")
    return ImageFont.truetype(path, round(size_pt / 72 * DPI), index=index)


def qr_image(payload: bytes, size_px: int) -> Image.Image:
    code = segno.make_qr(payload, error="q", boost_error=False)
    buffer = io.BytesIO()
    code.save(buffer, kind="png", scale=1, border=4)
    buffer.seek(0)
    with Image.open(buffer) as png:
        small = png.convert("L")
        modules = small.width
        scale = max(1, size_px // modules)
        return small.resize((modules * scale, modules * scale), Image.Resampling.NEAREST)


def draw_sheet(
    facts: SheetFacts, *, community_name: str, archive_no: str, type_name: str, key: bytes
) -> Image.Image:
    """One A4 cover sheet at 300 dpi, 1-bit (crisp on a laser printer)."""
    width, height = _px(A4_MM[0]), _px(A4_MM[1])
    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    margin, bar = _px(BAR_MARGIN_MM), _px(BAR_MM)
    draw.rectangle((margin, margin, width - margin, margin + bar), fill=0)
    draw.rectangle((margin, height - margin - bar, width - margin, height - margin), fill=0)

    heading, big, normal, small = _font(30, bold=True), _font(22, bold=True), _font(18), _font(11)
    left = _px(25)
    y = margin + bar + _px(10)
    draw.text((left, y), "档案封面 · 分隔页", font=heading, fill=0)
    y += _px(20)
    qr = qr_image(encode_payload(facts, key), _px(QR_MM))
    page.paste(qr, ((width - qr.width) // 2, y))
    y += qr.height + _px(6)
    rows = [
        ("户号", facts.household, big),
        ("小区", community_name, normal),
        ("档案编号", archive_no, big),
        ("文件类型", type_name, big),
    ]
    if facts.title:
        rows.append(("标题", facts.title, normal))
    if facts.document_date:
        rows.append(("日期", facts.document_date.isoformat(), normal))
    if facts.retention_class:
        rows.append(("保管期限", facts.retention_class, normal))
    rows.append(
        (
            "密级",
            CONFIDENTIALITY_NAMES_ZH["confidential" if facts.confidential else "ordinary"],
            big if facts.confidential else normal,
        )
    )
    for label, value, font in rows:
        draw.text((left, y), f"{label}：{value}", font=font, fill=0)
        y += round(font.size * 1.45)
    note = "扫描时请将本页放在该户文件之前；本页只用于分隔，不存入档案。"
    draw.text((left, height - margin - bar - _px(14)), note, font=small, fill=0)
    return page.point(lambda v: 255 if v >= 128 else 0, mode="1")


def sheets_pdf(
    archive, session: Session, actor: Actor, households: list[Household], options: SheetOptions
) -> bytes:
    """The cover sheets for ``households`` as one PDF (one A4 page each)."""
    require(actor, Permission.MANAGE_RECORDS)
    options = check_options(session, options)
    type_code = options.type_code
    assert type_code is not None  # check_options fills it in
    type_name = get_document_type(session, type_code).name
    key = archive.cover_sheet_key
    pages = []
    for household in households:
        facts = SheetFacts(
            community=household.community.code,
            household=household.code,
            type_code=type_code,
            title=options.title,
            document_date=options.document_date,
            retention_class=options.retention_class,
            confidential=options.confidential,
        )
        pages.append(
            draw_sheet(
                facts,
                community_name=household.community.name,
                archive_no=household.archive_no,
                type_name=type_name,
                key=key,
            )
        )
    buffer = io.BytesIO()
    pages[0].save(buffer, "PDF", resolution=float(DPI), save_all=True, append_images=pages[1:])
    record_access(
        session,
        actor,
        AccessAction.COVERSHEET_PRINT,
        household_id=households[0].id if len(households) == 1 else None,
        detail=zh("coversheet.log.printed", n=len(households), type=type_name),
    )
    return buffer.getvalue()


@dataclass
class PrintedSheets:
    pdf: bytes
    households: list[str]  # the codes, one sheet each, in the PDF's order


def print_cover_sheets(
    archive,
    session: Session,
    actor: Actor,
    options: SheetOptions,
    *,
    codes: Sequence[str] = (),
    ids: Sequence[int] = (),
    community: str | None = None,
    building: str | None = None,
    floor: int | None = None,
) -> PrintedSheets:
    """Cover sheets for the households chosen as ``select_households`` reads them (records
    managers; who may print is checked before any household is looked up)."""
    require(actor, Permission.MANAGE_RECORDS)
    households = select_households(
        session, codes=codes, ids=ids, community=community, building=building, floor=floor
    )
    pdf = sheets_pdf(archive, session, actor, households, options)
    return PrintedSheets(pdf, [h.code for h in households])


def write_atomically(data: bytes, target: str | os.PathLike) -> None:
    """Write ``data`` to ``target`` whole or not at all (a temporary file renamed into place)."""
    target = Path(target)
    try:
        fd, tmp = tempfile.mkstemp(prefix=".coversheets-", dir=target.parent or ".")
    except OSError as exc:
        raise InvalidInput("coversheet.cannot_write", path=str(target), reason=os_reason(exc)) from None
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise InvalidInput("coversheet.cannot_write", path=str(target), reason=os_reason(exc)) from None
