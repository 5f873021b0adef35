"""The households list as a spreadsheet (业户基本情况汇总表), and households and parties read
back from one (业户导入) with its template.

The export walks the same ``list_households`` call as the list page with the page's filters,
so a role exports exactly the folders it sees; phones are masked as page text is for roles
without clearance (``shown_text``), and the export is on the access log.

The import validates every row with the services that open folders and register parties
(``add_household``, ``new_party``), each row in a savepoint: a refused row is rolled back with its
reason (``第 3 行：…``). Nothing is kept unless every row is valid, unless ``valid_only``: then
the valid rows are kept and the others reported as skipped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace

from sqlalchemy.orm import Session

from dossier import ledger
from dossier.actor import Actor
from dossier.catalog import Language, Text, text, zh
from dossier.errors import DossierError, InvalidInput, NotFound, PermissionDenied
from dossier.fieldcrypt import FieldCipher
from dossier.models import AccessAction, Household, PartyRole
from dossier.permissions import Permission, require
from dossier.services.access import record_access
from dossier.services.documents import shown_text
from dossier.services.folders import completeness_by_household
from dossier.services.household_changes import household_document_ids, new_party
from dossier.services.households import (
    PARTY_ROLE_NAMES_ZH,
    STATUS_NAMES_ZH,
    USE_NAMES_ZH,
    HouseholdFilter,
    add_household,
    get_household,
    list_households,
)
from dossier.sheets import Column, Table, export_note, read_rows

EXPORT_PAGE = 500  # list_households' largest page
MAX_IMPORT_ROWS = 5000


# --- export ---------------------------------------------------------------------------------


HOUSEHOLD_COLUMNS = (
    Column("户号", width=14),
    Column("小区", width=16),
    Column("楼栋"),
    Column("单元"),
    Column("房号"),
    Column("业主", width=18),
    Column("联系电话", width=18),
    Column("用途"),
    Column("状态"),
    Column("完整度", "percent"),
    Column("档案号", width=18),
)


def households_table(session: Session, actor: Actor, flt: HouseholdFilter) -> Table:
    """Every household matching ``flt`` (the list page's filters, all pages), as ``actor`` sees
    it; the export is written to the access log."""
    rows: list[list[object]] = []
    offset = 0
    while True:
        total, page = list_households(session, actor, replace(flt, limit=EXPORT_PAGE, offset=offset))
        completeness = completeness_by_household(session, actor, [h.id for h in page])
        rows.extend(_household_row(h, actor, completeness.get(h.id)) for h in page)
        offset += len(page)
        if not page or offset >= total:
            break
    filters = {k: v for k, v in vars(flt).items() if v not in (None, "") and k not in ("limit", "offset")}
    record_access(
        session,
        actor,
        AccessAction.HOUSEHOLD_EXPORT,
        detail=json.dumps({"filters": filters, "rows": len(rows)}, ensure_ascii=False, default=str),
    )
    return Table(
        zh("exports.households_title"), HOUSEHOLD_COLUMNS, rows, note=export_note(session, actor.username)
    )


def _household_row(household: Household, actor: Actor, completeness: float | None) -> list[object]:
    owners = [p for p in household.parties if p.role == PartyRole.OWNER and p.until is None]
    phones = [shown_text(actor, p.phone) for p in owners if p.phone]
    return [
        household.code,
        household.community.name,
        household.building,
        household.unit,
        household.room,
        "、".join(p.name for p in owners),
        "、".join(p for p in phones if p),
        USE_NAMES_ZH.get(household.use, household.use),
        STATUS_NAMES_ZH.get(household.status, household.status),
        None if completeness is None else completeness / 100,
        household.archive_no,
    ]


# --- import ---------------------------------------------------------------------------------

# Each column by key: its header in the template, then other headers read as the same column
# (the export's, so an exported sheet reads back).
IMPORT_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("户号",),
    "community": ("小区",),
    "use": ("用途",),
    "building": ("楼栋",),
    "unit": ("单元",),
    "floor": ("楼层",),
    "room": ("房号",),
    "area": ("面积（平方米）", "面积", "面积(平方米)", "建筑面积"),
    "archive_no": ("档案编号", "档案号"),
    "name": ("姓名", "业主", "业主姓名"),
    "role": ("身份",),
    "phone": ("联系电话", "电话", "手机"),
    "id_number": ("身份证号", "身份证号码"),
    "emergency_contact": ("紧急联系人",),
    "emergency_phone": ("紧急联系电话",),
    "since": ("入住日期",),
}
HOUSEHOLD_FACTS = ("use", "building", "unit", "floor", "room", "area", "archive_no")
TEMPLATE_EXAMPLE = {
    "code": "1-2-0301",
    "community": "阳光花园",
    "use": "住宅",
    "building": "1",
    "unit": "2",
    "floor": "3",
    "room": "0301",
    "area": "89.5",
    "name": "张三",
    "role": "业主",
    "phone": "13800138000",
    "since": "2020-05-01",
}


def import_template() -> Table:
    """The import template (业户导入模板): Chinese headers and one example row."""
    columns = [Column(names[0], width=max(10, len(names[0]) * 2 + 4)) for names in IMPORT_COLUMNS.values()]
    example = [TEMPLATE_EXAMPLE.get(key) for key in IMPORT_COLUMNS]
    return Table(zh("exports.template_title"), columns, [example], note=zh("exports.template_note"))


@dataclass
class ImportRow:
    number: int  # the row's number in the sheet (the header row counted)
    code: str
    ok: bool = False
    reason_text: Text | None = None  # 第 3 行：…, when refused
    household_created: bool = False
    party: str | None = None  # the party registered, if any

    @property
    def reason(self) -> str | None:
        return self.reason_text.render("zh") if self.reason_text else None


@dataclass
class ImportReport:
    rows: list[ImportRow] = field(default_factory=list)
    valid_only: bool = False
    kept: bool = False  # whether anything was imported
    households: int = 0
    parties: int = 0
    reindex: list[int] = field(default_factory=list)  # documents whose indexed facts changed

    @property
    def valid(self) -> list[ImportRow]:
        return [r for r in self.rows if r.ok]

    @property
    def refused(self) -> list[ImportRow]:
        return [r for r in self.rows if not r.ok]

    def as_dict(self, lang: Language = "zh") -> dict:
        return {
            "kept": self.kept,
            "valid_only": self.valid_only,
            "rows": len(self.rows),
            "households": self.households,
            "parties": self.parties,
            "refused": [
                {
                    "row": r.number,
                    "code": r.code,
                    "reason": r.reason_text.render(lang) if r.reason_text else None,
                }
                for r in self.refused
            ],
            "summary": self.summary(lang),
        }

    def summary(self, lang: Language = "zh") -> str:
        return self.summary_text().render(lang)

    def summary_text(self) -> Text:
        if not self.rows:
            return text("exports.import_nothing")
        if self.kept:
            return text(
                "exports.import_done",
                households=self.households,
                parties=self.parties,
                skipped=len(self.refused),
            )
        return text("exports.import_refused", rows=len(self.rows), refused=len(self.refused))


class _Abandon(Exception):
    """Rolls the whole import back (some row was refused and only all or nothing may be kept)."""


def import_households(
    session: Session,
    actor: Actor,
    fields: FieldCipher | None,
    data: bytes,
    name: str,
    *,
    valid_only: bool = False,
) -> ImportReport:
    """Households and parties from a workbook or CSV (see ``IMPORT_COLUMNS``). A row opens the
    folder it names unless an earlier row did (or it names only a party of an existing folder),
    and registers the party it names. The caller commits (and reindexes ``report.reindex``)."""
    require(actor, Permission.MANAGE_RECORDS)
    header_at, columns, rows = _read(data, name)
    report = ImportReport(valid_only=valid_only)
    created: set[int] = set()
    touched: set[int] = set()  # folders that existed and got a new party
    try:
        with ledger.savepoint(session):
            for number, row in enumerate(rows, start=header_at + 1):
                values = {key: (row[i] if i < len(row) else "").strip() for key, i in columns.items()}
                if not any(values.values()):
                    continue
                result = ImportRow(number, values.get("code", ""))
                report.rows.append(result)
                try:
                    with ledger.savepoint(session):
                        household = _import_row(session, actor, fields, values, created, result)
                except PermissionDenied:
                    raise
                except DossierError as exc:
                    result.reason_text = text("exports.import_row", row=number, reason=exc.text)
                    continue
                result.ok = True
                if result.household_created:
                    created.add(household.id)
                    report.households += 1
                elif result.party:
                    touched.add(household.id)
                report.parties += result.party is not None
            if report.refused and not valid_only:
                raise _Abandon
    except _Abandon:
        report.households = report.parties = 0
        return report
    report.kept = bool(report.valid)
    report.reindex = household_document_ids(session, sorted(touched))
    return report


def _read(data: bytes, name: str) -> tuple[int, dict[str, int], list[list[str]]]:
    """The header row's number, the column of each key, and the rows after the header."""
    rows = read_rows(data, name, max_rows=MAX_IMPORT_ROWS + 10)
    for index, row in enumerate(rows[:5]):
        header = [cell.strip() for cell in row]
        if "户号" in header:
            columns = {}
            for key, names in IMPORT_COLUMNS.items():
                found = next((header.index(n) for n in names if n in header), None)
                if found is not None:
                    columns[key] = found
            body = rows[index + 1 :]
            if not any(any(cell for cell in row) for row in body):
                raise InvalidInput("exports.import_empty", name=name)
            if len(body) > MAX_IMPORT_ROWS:
                raise InvalidInput("exports.too_many_rows", name=name, limit=MAX_IMPORT_ROWS)
            return index + 1, columns, body
    raise InvalidInput("exports.import_no_header", name=name)


def _find(session: Session, code: str, community: str | None) -> Household | None:
    try:
        return get_household(session, code, community)
    except NotFound:
        return None


def _floor(value: str) -> int | None:
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise InvalidInput("exports.import_bad_floor", value=value) from None


def _import_row(
    session: Session,
    actor: Actor,
    fields: FieldCipher | None,
    values: dict[str, str],
    created: set[int],
    result: ImportRow,
) -> Household:
    code = values.get("code", "")
    if not code:
        raise InvalidInput("exports.import_no_code")
    community = values.get("community") or None
    name = values.get("name") or None
    household = _find(session, code, community)
    has_facts = any(values.get(k) for k in HOUSEHOLD_FACTS)
    if household is None or not name or (has_facts and household.id not in created):
        # a new folder; for one that exists, add_household says so
        household = add_household(
            session,
            actor,
            None,
            code,
            community=community,
            use=values.get("use") or None,
            building=values.get("building") or None,
            unit=values.get("unit") or None,
            floor=_floor(values.get("floor", "")),
            room=values.get("room") or None,
            area=values.get("area") or None,
            archive_no=values.get("archive_no") or None,
        )
        result.household_created = True
    if name:
        role = values.get("role") or "业主"
        current = [p for p in household.parties if p.name == name and p.until is None]
        if any(role in (p.role, PARTY_ROLE_NAMES_ZH.get(p.role)) for p in current):
            raise InvalidInput("exports.import_party_exists", name=name, code=code)
        id_number = values.get("id_number") or None
        party = new_party(
            session,
            actor,
            fields if id_number else None,
            household,
            name=name,
            role=role,
            phone=values.get("phone") or None,
            id_number=id_number,
            emergency_contact=values.get("emergency_contact") or None,
            emergency_phone=values.get("emergency_phone") or None,
            since=values.get("since") or None,
        )
        result.party = party.name
    return household
