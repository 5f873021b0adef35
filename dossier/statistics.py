"""档案统计: the archive's figures for archivists, auditors and administrators, each a chart's
data (categories and series) and the table under it, one sheet per figure in the export.

Every number is one aggregate query (GROUP BY, or a CASE that buckets times into the office's
months and years), never a loop over documents. Documents count only where the viewer may see
them (``visible_clause``); the searches and views per person come from the access log, so only
those who may read it (AUDIT) get that figure. Months and years are Beijing time
(``dossier.localtime``): a CASE over the months' first moments, so any database and any zone.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import ColumnElement, and_, case, extract, func, select, true
from sqlalchemy.orm import Session

from dossier.actor import Actor
from dossier.catalog import zh
from dossier.errors import InvalidInput
from dossier.localtime import local, start_of_day, today
from dossier.models import (
    AccessAction,
    AccessEvent,
    AccessOutcome,
    Community,
    Document,
    DocumentStatus,
    DocumentType,
    Household,
    HouseholdStatus,
    Loan,
)
from dossier.people import display_names
from dossier.permissions import Permission, can, require_any
from dossier.services.access import record_access
from dossier.services.disposal import list_classes
from dossier.services.documents import sees_confidential, visible_clause
from dossier.services.folders import expected_types
from dossier.sheets import Column, Table, export_note

LAST_12 = "last12"
YEARS_OFFERED = 10  # the period menu: the last twelve months and this year back to ten years ago
TOP_PEOPLE = 8  # people drawn in a stacked chart; the rest are summed as 其他 (the table has all)


# --- the period ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Twelve months of the office's calendar: a year, or the twelve months up to this one."""

    key: str  # "2026" or "last12"
    label: str
    months: tuple[tuple[int, int], ...]  # (year, month), oldest first

    @property
    def edges(self) -> list[datetime]:
        """The first moment (UTC) of each month and of the month after the last."""
        year, month = self.months[-1]
        after = (year + 1, 1) if month == 12 else (year, month + 1)
        return [start_of_day(date(y, m, 1)) for y, m in (*self.months, after)]

    @property
    def month_keys(self) -> list[str]:
        return [f"{y:04d}-{m:02d}" for y, m in self.months]


def period_for(key: str | None, now: date | None = None) -> Period:
    """The period named ``key`` (a year like ``2026``, or ``last12``); this year when empty."""
    now = now or today()
    key = (key or "").strip() or str(now.year)
    if key == LAST_12:
        months = []
        year, month = now.year, now.month
        for _ in range(12):
            months.append((year, month))
            year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        return Period(LAST_12, zh("statistics.period_last12"), tuple(reversed(months)))
    if not re.fullmatch(r"\d{4}", key) or not 2000 <= int(key) <= now.year:
        raise InvalidInput("statistics.bad_period", value=key[:20], first=2000, last=now.year)
    year = int(key)
    return Period(key, zh("statistics.period_year", year=year), tuple((year, m) for m in range(1, 13)))


def period_choices(now: date | None = None) -> list[Period]:
    now = now or today()
    return [period_for(LAST_12, now)] + [period_for(str(now.year - k), now) for k in range(YEARS_OFFERED)]


# --- what a figure is ------------------------------------------------------------------------

ChartKind = Literal["bars", "columns", "stacked"]


@dataclass
class Series:
    name: str
    values: Sequence[float]


@dataclass
class Chart:
    """What to draw: ``bars`` (horizontal, one bar per category and series), ``columns``
    (vertical; several series side by side, or one panel each with ``panels``), ``stacked``
    (vertical, series stacked). ``unit`` follows every value; ``max_value`` fixes the scale."""

    kind: ChartKind
    categories: list[str]
    series: list[Series]
    unit: str = ""
    max_value: float | None = None
    panels: bool = False  # one small chart per series (different scales, e.g. documents and pages)
    months: bool = False  # categories are "YYYY-MM": labelled 1月…12月 with the year under January


@dataclass
class Figure:
    key: str  # the element id on the page and the figure's name in tests
    title: str
    description: str
    chart: Chart
    table: Table
    row_hints: list[str | None] = field(default_factory=list)  # a tooltip for each row's first cell

    @property
    def empty(self) -> bool:
        """Nothing to draw: no categories, or only zeros of a count (a 0 % rate is still shown)."""
        if not self.chart.categories:
            return True
        return self.chart.max_value is None and not any(v for s in self.chart.series for v in s.values)


@dataclass
class Statistics:
    period: Period
    periods: list[Period]
    summary: dict[str, Any]
    figures: list[Figure]
    activity_shown: bool  # the per-person figures (access log) are there

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)


# --- queries ---------------------------------------------------------------------------------


def _live_visible(actor: Actor) -> ColumnElement[bool]:
    return and_(Document.status != DocumentStatus.DESTROYED, visible_clause(actor))


def _bucket(column: Any, edges: Sequence[datetime]) -> Any:
    """The index of the interval ``[edges[i], edges[i+1])`` holding ``column``, for rows the
    query already keeps within ``[edges[0], edges[-1])`` (one comparison per month passed)."""
    return case(*[(column < edges[i + 1], i) for i in range(len(edges) - 1)], else_=None)


def _counts_by_bucket(session: Session, column: Any, edges: Sequence[datetime], *where: Any, value=None):
    """{bucket index: (rows, sum of ``value``)} over the rows of ``column``'s table in ``edges``."""
    measure = func.coalesce(value, 0) if value is not None else None
    inner = select(
        _bucket(column, edges).label("bucket"),
        *([measure.label("measure")] if measure is not None else []),
    ).where(column >= edges[0], column < edges[-1], *where)
    sub = inner.subquery()
    totals: list[Any] = [func.count()]
    if measure is not None:
        totals.append(func.sum(sub.c.measure))
    rows = session.execute(select(sub.c.bucket, *totals).group_by(sub.c.bucket)).all()
    return {
        int(r[0]): (int(r[1]), int(r[2] or 0) if measure is not None else 0) for r in rows if r[0] is not None
    }


def _natural(text: str | None) -> tuple:
    """Sort key: 2栋 before 10栋."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", text or "") if p)


def _completeness(session: Session, actor: Actor) -> tuple[Figure, Figure, dict[str, Any]]:
    expected = [t.code for t in expected_types(session)]
    present = (
        select(
            Document.household_id.label("household_id"),
            func.count(func.distinct(Document.type_code)).label("present"),
        )
        .where(Document.type_code.in_(expected), _live_visible(actor))
        .group_by(Document.household_id)
        .subquery()
    )
    full = case((present.c.present >= len(expected), 1), else_=0) if expected else 1
    rows = session.execute(
        select(
            Community.name,
            Household.building,
            func.count(Household.id),
            func.coalesce(func.sum(present.c.present), 0),
            func.sum(full),
        )
        .select_from(Household)
        .join(Community, Household.community_id == Community.id)
        .outerjoin(present, present.c.household_id == Household.id)
        .where(Household.status == HouseholdStatus.ACTIVE)
        .group_by(Community.name, Household.building)
    ).all()
    rows = sorted(rows, key=lambda r: (_natural(r[0]), _natural(r[1])))

    def rate(households: int, ticked: int) -> float:
        if not households:
            return 0.0
        return 1.0 if not expected else ticked / (households * len(expected))

    no_building = zh("statistics.no_building")
    buildings = [(c, b or no_building, int(n), int(t), int(f or 0)) for c, b, n, t, f in rows]
    communities: dict[str, list[int]] = {}
    for c, _b, n, t, f in buildings:
        acc = communities.setdefault(c, [0, 0, 0])
        acc[0], acc[1], acc[2] = acc[0] + n, acc[1] + t, acc[2] + f
    columns = [
        Column("业户数", "int"),
        Column("资料齐全户数", "int"),
        Column("平均完整率", "percent"),
    ]
    by_community = Figure(
        "completeness-community",
        zh("statistics.completeness_community"),
        zh("statistics.completeness_desc", n=len(expected)),
        Chart(
            "bars",
            list(communities),
            [
                Series(
                    zh("statistics.series_completeness"),
                    [round(100 * rate(n, t), 1) for n, t, _ in communities.values()],
                )
            ],
            unit="%",
            max_value=100,
        ),
        Table(
            zh("statistics.completeness_community"),
            [Column("小区", width=18), *columns],
            [[c, n, f, rate(n, t)] for c, (n, t, f) in communities.items()],
        ),
    )
    by_building = Figure(
        "completeness-building",
        zh("statistics.completeness_building"),
        zh("statistics.completeness_desc", n=len(expected)),
        Chart(
            "bars",
            [f"{c} {b}" for c, b, *_ in buildings],
            [
                Series(
                    zh("statistics.series_completeness"),
                    [round(100 * rate(n, t), 1) for _c, _b, n, t, _f in buildings],
                )
            ],
            unit="%",
            max_value=100,
        ),
        Table(
            zh("statistics.completeness_building"),
            [Column("小区", width=18), Column("楼栋"), *columns],
            [[c, b, n, f, rate(n, t)] for c, b, n, t, f in buildings],
        ),
    )
    households = sum(acc[0] for acc in communities.values())
    ticked = sum(acc[1] for acc in communities.values())
    summary = {"households": households, "completeness": rate(households, ticked) if households else None}
    return by_community, by_building, summary


def _filed(session: Session, actor: Actor, period: Period) -> Figure:
    counts = _counts_by_bucket(
        session, Document.intake_at, period.edges, visible_clause(actor), value=Document.page_count
    )
    documents = [counts.get(i, (0, 0))[0] for i in range(12)]
    pages = [counts.get(i, (0, 0))[1] for i in range(12)]
    return Figure(
        "filed",
        zh("statistics.filed"),
        zh("statistics.filed_desc", period=period.label),
        Chart(
            "columns",
            period.month_keys,
            [
                Series(zh("statistics.series_documents"), documents),
                Series(zh("statistics.series_pages"), pages),
            ],
            panels=True,
            months=True,
        ),
        Table(
            zh("statistics.filed"),
            [Column("月份"), Column("文件数", "int"), Column("页数", "int")],
            [[m, d, p] for m, d, p in zip(period.month_keys, documents, pages, strict=True)],
        ),
    )


def _by_type(session: Session, actor: Actor) -> Figure:
    rows = session.execute(
        select(DocumentType.name, func.count(Document.id))
        .select_from(DocumentType)
        .outerjoin(Document, and_(Document.type_code == DocumentType.code, _live_visible(actor)))
        .group_by(DocumentType.code, DocumentType.name, DocumentType.sort_order)
        .order_by(DocumentType.sort_order, DocumentType.code)
    ).all()
    names, counts = [r[0] for r in rows], [int(r[1]) for r in rows]
    return Figure(
        "by-type",
        zh("statistics.by_type"),
        zh("statistics.live_desc"),
        Chart("bars", names, [Series(zh("statistics.series_documents"), counts)]),
        Table(
            zh("statistics.by_type"),
            [Column("文件类型", width=20), Column("文件数", "int")],
            [list(r) for r in zip(names, counts, strict=True)],
        ),
    )


def _by_retention_class(session: Session, actor: Actor) -> Figure:
    effective = func.coalesce(Document.retention_class, DocumentType.retention_class)
    counts = {
        code: int(n)
        for code, n in session.execute(
            select(effective, func.count(Document.id))
            .select_from(Document)
            .join(DocumentType, Document.type_code == DocumentType.code)
            .where(_live_visible(actor))
            .group_by(effective)
        ).all()
    }
    classes = [(c.code, c.name) for c in list_classes(session)]
    known = {code for code, _ in classes}
    rows = [(name, code, counts.get(code, 0)) for code, name in classes]
    unknown = sum(n for code, n in counts.items() if code not in known)
    if unknown:
        rows.append((zh("statistics.no_class"), "", unknown))
    return Figure(
        "by-class",
        zh("statistics.by_class"),
        zh("statistics.live_desc"),
        Chart(
            "bars", [r[0] for r in rows], [Series(zh("statistics.series_documents"), [r[2] for r in rows])]
        ),
        Table(
            zh("statistics.by_class"),
            [Column("保管期限", width=20), Column("代码"), Column("文件数", "int")],
            [list(r) for r in rows],
        ),
    )


def _due_by_year(session: Session, actor: Actor, now: date) -> Figure:
    year = extract("year", Document.disposal_date)
    rows = session.execute(
        select(year, func.count(Document.id))
        .where(_live_visible(actor), Document.disposal_date.is_not(None))
        .group_by(year)
    ).all()
    counts = {int(y): int(n) for y, n in rows}
    years = list(range(min(counts), max(counts) + 1)) if counts else []
    values = [counts.get(y, 0) for y in years]
    return Figure(
        "due",
        zh("statistics.due"),
        zh("statistics.due_desc", year=now.year),
        Chart("columns", [str(y) for y in years], [Series(zh("statistics.series_documents"), values)]),
        Table(
            zh("statistics.due"),
            [Column("年度"), Column("到期文件数", "int"), Column("说明", width=12)],
            [
                [str(y), n, zh("statistics.due_past") if y <= now.year else ""]
                for y, n in zip(years, values, strict=True)
            ],
        ),
    )


def _destroyed_by_year(session: Session, actor: Actor) -> Figure:
    destroyed = and_(Document.destroyed_at.is_not(None), visible_clause(actor))
    first, last = session.execute(
        select(func.min(Document.destroyed_at), func.max(Document.destroyed_at)).where(destroyed)
    ).one()
    years: list[int] = []
    values: list[int] = []
    if first is not None and last is not None:
        years = list(range(local(first).year, local(last).year + 1))
        edges = [start_of_day(date(y, 1, 1)) for y in (*years, years[-1] + 1)]
        counts = _counts_by_bucket(session, Document.destroyed_at, edges, destroyed)
        values = [counts.get(i, (0, 0))[0] for i in range(len(years))]
    return Figure(
        "destroyed",
        zh("statistics.destroyed"),
        zh("statistics.destroyed_desc"),
        Chart("columns", [str(y) for y in years], [Series(zh("statistics.series_documents"), values)]),
        Table(
            zh("statistics.destroyed"),
            [Column("年度"), Column("销毁文件数", "int")],
            [[str(y), n] for y, n in zip(years, values, strict=True)],
        ),
    )


def _activity(session: Session, actor: Actor, period: Period) -> list[Figure]:
    edges = period.edges
    where: list[Any] = [
        AccessEvent.outcome == AccessOutcome.OK,
        AccessEvent.action.in_([AccessAction.SEARCH, AccessAction.DOCUMENT_VIEW]),
        AccessEvent.at >= edges[0],
        AccessEvent.at < edges[-1],
    ]
    if not sees_confidential(actor):  # views of what this viewer may not see are not counted
        where.append(
            (AccessEvent.action != AccessAction.DOCUMENT_VIEW)
            | AccessEvent.document_id.in_(select(Document.id).where(visible_clause(actor)))
        )
    sub = (
        select(
            AccessEvent.username.label("username"),
            AccessEvent.action.label("action"),
            _bucket(AccessEvent.at, edges).label("bucket"),
        )
        .where(*where)
        .subquery()
    )
    rows = session.execute(
        select(sub.c.username, sub.c.action, sub.c.bucket, func.count()).group_by(
            sub.c.username, sub.c.action, sub.c.bucket
        )
    ).all()
    per: dict[str, dict[str, list[int]]] = {
        AccessAction.SEARCH: defaultdict(lambda: [0] * 12),
        AccessAction.DOCUMENT_VIEW: defaultdict(lambda: [0] * 12),
    }
    for username, action, bucket, n in rows:
        if bucket is not None:
            per[action][username or ""][int(bucket)] += int(n)
    names = display_names(session, [u for counts in per.values() for u in counts])
    figures = []
    for action, key, title, desc in (
        (AccessAction.SEARCH, "searches", "statistics.searches", "statistics.searches_desc"),
        (AccessAction.DOCUMENT_VIEW, "views", "statistics.views", "statistics.views_desc"),
    ):
        people = sorted(per[action].items(), key=lambda kv: (-sum(kv[1]), kv[0]))
        shown, rest = people[:TOP_PEOPLE], people[TOP_PEOPLE:]
        series = [Series(names.get(u, u or zh("statistics.nobody")), counts) for u, counts in shown]
        if rest:
            series.append(
                Series(zh("statistics.others", n=len(rest)), [sum(c[i] for _, c in rest) for i in range(12)])
            )
        table_rows = [
            [names.get(u, u or zh("statistics.nobody")), *counts, sum(counts)] for u, counts in people
        ]
        figures.append(
            Figure(
                key,
                zh(title),
                zh(desc, period=period.label),
                Chart("stacked", period.month_keys, series, months=True),
                Table(
                    zh(title),
                    [
                        Column("用户", width=12),
                        *[Column(m, "int") for m in period.month_keys],
                        Column("合计", "int"),
                    ],
                    table_rows,
                ),
                row_hints=[u if names.get(u) else None for u, _ in people],
            )
        )
    return figures


def _loans(
    session: Session, actor: Actor, period: Period, now: date
) -> tuple[Figure, Figure, dict[str, int]]:
    # Only those who may not see every document need the (costlier) filter.
    seen = (
        true()
        if sees_confidential(actor)
        else Loan.document_id.in_(select(Document.id).where(visible_clause(actor)))
    )
    open_ = and_(Loan.returned_at.is_(None), seen)
    buckets = (
        (zh("statistics.loan_not_due"), Loan.due_on >= now),
        (zh("statistics.loan_late_30"), and_(Loan.due_on < now, Loan.due_on >= now - timedelta(days=30))),
        (
            zh("statistics.loan_late_90"),
            and_(Loan.due_on < now - timedelta(days=30), Loan.due_on >= now - timedelta(days=90)),
        ),
        (zh("statistics.loan_late_more"), Loan.due_on < now - timedelta(days=90)),
    )
    counts = session.execute(
        select(*[func.sum(case((cond, 1), else_=0)) for _, cond in buckets]).where(open_)
    ).one()
    values = [int(v or 0) for v in counts]
    out_now = Figure(
        "loans-open",
        zh("statistics.loans_open"),
        zh("statistics.loans_open_desc", today=now.isoformat()),
        Chart("bars", [name for name, _ in buckets], [Series(zh("statistics.series_loans"), values)]),
        Table(
            zh("statistics.loans_open"),
            [Column("状态", width=16), Column("件数", "int")],
            [[name, v] for (name, _), v in zip(buckets, values, strict=True)],
        ),
    )
    lent = _counts_by_bucket(session, Loan.out_at, period.edges, seen)
    back = _counts_by_bucket(session, Loan.returned_at, period.edges, seen)
    lent_values = [lent.get(i, (0, 0))[0] for i in range(12)]
    back_values = [back.get(i, (0, 0))[0] for i in range(12)]
    monthly = Figure(
        "loans-monthly",
        zh("statistics.loans_monthly"),
        zh("statistics.loans_monthly_desc", period=period.label),
        Chart(
            "columns",
            period.month_keys,
            [
                Series(zh("statistics.series_lent"), lent_values),
                Series(zh("statistics.series_returned"), back_values),
            ],
            months=True,
        ),
        Table(
            zh("statistics.loans_monthly"),
            [Column("月份"), Column("借出", "int"), Column("归还", "int")],
            [[m, a, b] for m, a, b in zip(period.month_keys, lent_values, back_values, strict=True)],
        ),
    )
    return out_now, monthly, {"loans_open": sum(values), "loans_overdue": sum(values[1:])}


# --- the use cases ---------------------------------------------------------------------------


def archive_statistics(
    session: Session, actor: Actor, period_key: str | None = None, *, now: date | None = None
) -> Statistics:
    """Every figure of the 统计 page as ``actor`` may see it, for the period ``period_key``."""
    require_any(actor, Permission.MANAGE_RECORDS, Permission.AUDIT)
    now = now or today()
    period = period_for(period_key, now)
    community, building, summary = _completeness(session, actor)
    filed = _filed(session, actor, period)
    by_type = _by_type(session, actor)
    loans_open, loans_monthly, loan_summary = _loans(session, actor, period, now)
    figures = [
        community,
        building,
        filed,
        by_type,
        _by_retention_class(session, actor),
        _due_by_year(session, actor, now),
        _destroyed_by_year(session, actor),
    ]
    shown = can(actor, Permission.AUDIT)
    if shown:
        figures.extend(_activity(session, actor, period))
    figures.extend([loans_open, loans_monthly])
    summary.update(loan_summary)
    summary["documents"] = sum(by_type.chart.series[0].values)
    summary["filed"] = sum(filed.chart.series[0].values)
    summary["filed_pages"] = sum(filed.chart.series[1].values)
    return Statistics(period, period_choices(now), summary, figures, shown)


def statistics_tables(
    session: Session, actor: Actor, period_key: str | None = None, *, now: date | None = None
) -> list[Table]:
    """The figures as sheets (one each, the period and who exported it under every title); the
    export is written to the access log."""
    stats = archive_statistics(session, actor, period_key, now=now)
    note = f"{export_note(session, actor.username)} · {stats.period.label}"
    record_access(
        session,
        actor,
        AccessAction.STATISTICS_EXPORT,
        detail=json.dumps({"period": stats.period.key}, ensure_ascii=False),
    )
    return [Table(f.table.title, f.table.columns, f.table.rows, note=note) for f in stats.figures]
