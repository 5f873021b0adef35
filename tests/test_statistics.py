"""档案统计: the figures on a small archive (Beijing months, completeness, retention, loans,
activity per person by 姓名), what a role without clearance sees (non-interference), who may
see the page and the per-person figures, and the workbook's sheets."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from dossier.actor import Actor
from dossier.errors import InvalidInput, PermissionDenied
from dossier.localtime import today
from dossier.models import (
    AccessAction,
    AccessEvent,
    AccessOutcome,
    Channel,
    Confidentiality,
    Document,
    DocumentStatus,
    Household,
    HouseholdStatus,
    Loan,
    Role,
    User,
)
from dossier.permissions import ROLE_PERMISSIONS, Permission
from dossier.services.access import record_access
from dossier.services.households import add_household
from dossier.services.users import add_user
from dossier.sheets import xlsx_bytes
from dossier.statistics import Chart, Series, archive_statistics, period_for, statistics_tables

YEAR = 2026
NOW = date(YEAR, 12, 4)


def add_doc(session, household: Household, type_code: str, *, intake: datetime, **extra) -> Document:
    digest = hashlib.sha256(f"{household.id}/{type_code}/{intake}/{extra}".encode()).hexdigest()
    doc = Document(
        household_id=household.id,
        type_code=type_code,
        title=f"{type_code} {intake:%Y-%m-%d}",
        confidentiality=extra.pop("confidentiality", Confidentiality.ORDINARY),
        status=extra.pop("status", DocumentStatus.INDEXED),
        original_key=f"originals/test/{digest}",
        sha256=digest,
        size=1,
        media_type="application/pdf",
        page_count=extra.pop("pages", 2),
        signed_record="{}",
        signature="test",
        signing_key_id="test",
        intake_at=intake,
        **extra,
    )
    session.add(doc)
    session.flush()
    return doc


def actor_of(session, username: str) -> Actor:
    user = session.scalar(select(User).where(User.username == username))
    return Actor.from_user(user, Channel.CLI)


@pytest.fixture
def small(archive, console):
    """Two buildings of 阳光花园 and one of 滨江商城; documents filed around a Beijing month end;
    one confidential document; one destroyed; loans out, overdue and returned; searches and views."""
    with archive.session() as session:
        for name, role, display in (
            ("arc", Role.ARCHIVIST, "陈档案"),
            ("aud", Role.AUDITOR, "吴审计"),
            ("stf", Role.STAFF, "林客服"),
        ):
            add_user(session, console, name, role, f"{name}-password-1", display_name=display)
        h1 = add_household(
            session, console, None, "A-1-101", community="阳光花园", building="1栋", owner="张三"
        )
        h2 = add_household(
            session, console, None, "A-2-101", community="阳光花园", building="2栋", owner="王五"
        )
        h3 = add_household(
            session, console, None, "S-101", community="滨江商城", building="10栋", owner="李四"
        )
        gone = add_household(
            session, console, None, "A-2-102", community="阳光花园", building="2栋", owner="赵六"
        )
        session.flush()
        gone.status, gone.closed_on = HouseholdStatus.CLOSED, date(YEAR, 6, 30)
        # 2026-01-31 17:00 UTC is 2026-02-01 01:00 in Beijing: filed in February.
        late_jan = datetime(YEAR, 1, 31, 17, 0, tzinfo=UTC)
        mid_mar = datetime(YEAR, 3, 15, 2, 0, tzinfo=UTC)
        contract = add_doc(session, h1, "contract", intake=late_jan, pages=5)
        add_doc(session, h1, "move_in", intake=late_jan, pages=3, disposal_date=date(2057, 1, 1))
        add_doc(session, h1, "keys", intake=mid_mar, pages=1, disposal_date=date(2025, 1, 1))
        add_doc(session, h1, "contacts", intake=mid_mar, pages=1, disposal_date=date(2031, 1, 1))
        secret = add_doc(
            session,
            h1,
            "id_document",
            intake=mid_mar,
            pages=4,
            confidentiality=Confidentiality.CONFIDENTIAL,
            disposal_date=date(2031, 1, 1),
        )
        add_doc(session, h2, "contract", intake=mid_mar, pages=7)
        add_doc(
            session,
            h3,
            "repair",
            intake=datetime(2020, 5, 1, tzinfo=UTC),
            status=DocumentStatus.DESTROYED,
            destroyed_at=datetime(2025, 12, 31, 17, 0, tzinfo=UTC),  # 2026-01-01 in Beijing
        )
        session.add_all(
            [
                Loan(
                    document_id=contract.id,
                    borrower="甲",
                    lent_by="arc",
                    due_on=NOW + timedelta(days=3),
                    out_at=datetime(YEAR, 11, 20, 2, tzinfo=UTC),
                ),
                Loan(
                    document_id=secret.id,
                    borrower="乙",
                    lent_by="arc",
                    due_on=NOW - timedelta(days=10),
                    out_at=datetime(YEAR, 11, 1, 2, tzinfo=UTC),
                ),
                Loan(
                    document_id=contract.id,
                    borrower="丙",
                    lent_by="arc",
                    due_on=date(YEAR, 6, 1),
                    out_at=datetime(YEAR, 5, 1, 2, tzinfo=UTC),
                    returned_at=datetime(YEAR, 5, 20, 2, tzinfo=UTC),
                ),
            ]
        )
        arc, aud = actor_of(session, "arc"), actor_of(session, "aud")
        for _ in range(3):
            record_access(session, arc, AccessAction.SEARCH, detail="维修")
        record_access(session, aud, AccessAction.SEARCH, detail="合同")
        record_access(session, arc, AccessAction.DOCUMENT_VIEW, document_id=contract.id)
        record_access(session, arc, AccessAction.DOCUMENT_VIEW, document_id=secret.id)
        record_access(
            session, aud, AccessAction.SEARCH, outcome=AccessOutcome.DENIED
        )  # refusals are not counted
        session.commit()
    return {"h1": h1.id, "contract": contract.id, "secret": secret.id}


def rows(stats, key: str) -> list[list]:
    return [list(r) for r in stats.figure(key).table.rows]


def test_the_figures_of_a_small_archive(archive, small):
    with archive.session() as session:
        stats = archive_statistics(session, actor_of(session, "aud"), str(YEAR), now=NOW)
    # Completeness over the five expected types, active households only (the closed one is not counted).
    assert rows(stats, "completeness-community") == [["滨江商城", 1, 0, 0.0], ["阳光花园", 2, 1, 0.6]]
    assert rows(stats, "completeness-building") == [
        ["滨江商城", "10栋", 1, 0, 0.0],
        ["阳光花园", "1栋", 1, 1, 1.0],
        ["阳光花园", "2栋", 1, 0, 0.2],
    ]
    filed = rows(stats, "filed")
    assert filed[0] == ["2026-01", 0, 0]  # the late-January intake is Beijing's February
    assert filed[1] == ["2026-02", 2, 8] and filed[2] == ["2026-03", 4, 13]
    by_type = dict((r[0], r[1]) for r in rows(stats, "by-type"))
    assert (
        by_type["购房合同"] == 2 and by_type["证件资料"] == 1 and by_type["报修记录"] == 0
    )  # destroyed: gone
    by_class = {r[1]: r[2] for r in rows(stats, "by-class")}
    assert by_class == {"Y": 2, "D30": 2, "D10": 1, "D5": 1, "D3": 0}
    assert rows(stats, "due")[0] == ["2025", 1, "已到期"]
    assert {r[0]: r[1] for r in rows(stats, "due")}["2031"] == 2
    assert rows(stats, "destroyed") == [["2026", 1]]
    assert rows(stats, "loans-open") == [
        ["未到期", 1],
        ["逾期 1–30 天", 1],
        ["逾期 31–90 天", 0],
        ["逾期 90 天以上", 0],
    ]
    monthly = {r[0]: r[1:] for r in rows(stats, "loans-monthly")}
    assert monthly["2026-05"] == [1, 1] and monthly["2026-11"] == [2, 0]
    assert stats.summary["loans_open"] == 2 and stats.summary["loans_overdue"] == 1
    assert stats.summary["households"] == 3 and stats.summary["documents"] == 6


def test_searches_and_views_per_person_by_name_this_month(archive, small):
    now = today()
    with archive.session() as session:
        stats = archive_statistics(session, actor_of(session, "aud"), str(now.year), now=now)
    month = now.month
    searches = {r[0]: r for r in rows(stats, "searches")}
    assert set(searches) == {"陈档案", "吴审计"}  # 姓名, not usernames
    assert searches["陈档案"][month] == 3 and searches["陈档案"][-1] == 3
    assert searches["吴审计"][-1] == 1  # the refused search is not counted
    assert stats.figure("searches").row_hints[0] == "arc"  # the username is the tooltip
    assert [r[0] for r in rows(stats, "views")] == ["陈档案"] and rows(stats, "views")[0][-1] == 2
    assert [s.name for s in stats.figure("searches").chart.series] == ["陈档案", "吴审计"]


def test_who_may_see_the_statistics(archive, small):
    with archive.session() as session:
        with pytest.raises(PermissionDenied):
            archive_statistics(session, actor_of(session, "stf"), now=NOW)
        archivist = archive_statistics(session, actor_of(session, "arc"), now=NOW)
        # The per-person figures come from the access log: only for those who may read it.
        assert not archivist.activity_shown
        assert "searches" not in [f.key for f in archivist.figures]
        with pytest.raises(InvalidInput) as bad:
            archive_statistics(session, actor_of(session, "arc"), "1999", now=NOW)
        assert bad.value.code == "statistics.bad_period"


def test_the_last_twelve_months():
    period = period_for("last12", date(2026, 3, 9))
    assert period.month_keys[0] == "2025-04" and period.month_keys[-1] == "2026-03"
    assert period.edges[0] == datetime(2025, 3, 31, 16, 0, tzinfo=UTC)  # 1 April, Beijing time
    assert period_for(None, date(2026, 3, 9)).key == "2026"


def _tables(session, actor: Actor) -> dict[str, list]:
    stats = archive_statistics(session, actor, str(YEAR), now=NOW)
    return {f.key: [list(r) for r in f.table.rows] for f in stats.figures}


def test_a_role_without_clearance_sees_nothing_of_confidential_documents(
    archive, small, console, monkeypatch
):
    """An auditor without VIEW_CONFIDENTIAL (a role a site might configure): its figures are the
    same whatever the confidential documents, their loans and their views."""
    monkeypatch.setitem(ROLE_PERMISSIONS, Role.STAFF, frozenset({Permission.SEARCH, Permission.AUDIT}))
    with archive.session() as session:
        uncleared, cleared = actor_of(session, "stf"), actor_of(session, "aud")
        before, before_cleared = _tables(session, uncleared), _tables(session, cleared)
        h2 = session.scalar(select(Household).where(Household.code == "A-2-101"))
        more = add_doc(
            session,
            h2,
            "id_document",
            intake=datetime(YEAR, 4, 2, tzinfo=UTC),
            confidentiality=Confidentiality.CONFIDENTIAL,
            disposal_date=date(2040, 1, 1),
        )
        session.add(
            Loan(
                document_id=more.id,
                borrower="丁",
                lent_by="arc",
                due_on=NOW - timedelta(days=200),
                out_at=datetime(YEAR, 4, 3, tzinfo=UTC),
            )
        )
        record_access(session, actor_of(session, "arc"), AccessAction.DOCUMENT_VIEW, document_id=more.id)
        session.flush()
        after, after_cleared = _tables(session, uncleared), _tables(session, cleared)
    assert after == before
    assert after_cleared != before_cleared
    assert before["completeness-building"][2] == ["阳光花园", "2栋", 1, 0, 0.2]
    assert after_cleared["completeness-building"][2] == ["阳光花园", "2栋", 1, 0, 0.4]
    # The cleared viewer's confidential ID scan ticks 1栋's line; the uncleared viewer's does not.
    assert before["completeness-building"][1][3:] == [0, 0.8]


def test_the_workbook_has_one_sheet_per_figure_and_the_export_is_logged(archive, small):
    with archive.session() as session:
        tables = statistics_tables(session, actor_of(session, "aud"), str(YEAR), now=NOW)
        session.commit()
        logged = session.scalars(
            select(AccessEvent).where(AccessEvent.action == AccessAction.STATISTICS_EXPORT)
        ).all()
    assert [json.loads(e.detail) for e in logged] == [{"period": "2026"}]
    book = load_workbook(io.BytesIO(xlsx_bytes(*tables)))
    assert book.sheetnames == [t.title[:31] for t in tables]
    assert "档案完整率（按小区）" in book.sheetnames and "每月检索次数（按用户）" in book.sheetnames
    sheet = book["档案完整率（按楼栋）"]
    assert sheet["A1"].value == "档案完整率（按楼栋）" and "2026年" in sheet["A2"].value
    assert [c.value for c in sheet[3]] == ["小区", "楼栋", "业户数", "资料齐全户数", "平均完整率"]
    assert sheet["E5"].value == 1.0 and sheet["E5"].number_format == "0.0%"
    filed = book["每月归档文件与页数"]
    assert [c.value for c in filed[5]] == ["2026-02", 2, 8]


# --- the web page (test client) ------------------------------------------------------------


def test_the_page_and_its_workbook_by_role(web_client, web_login, web_archive):
    web_login(web_client, "staff")
    assert web_client.get("/statistics").status_code == 403
    assert web_client.get("/statistics/export.xlsx").status_code == 403
    web_client.post("/logout")
    web_login(web_client, "archivist")
    page = web_client.get("/statistics").get_data(as_text=True)
    assert page.count('<svg class="chart"') >= 4 and "暂无数据" in page and 'role="img"' in page
    assert 'id="figure-searches"' not in page and "仅审计人员可见" in page
    web_client.post("/logout")
    web_login(web_client, "auditor")
    page = web_client.get("/statistics?period=last12").get_data(as_text=True)
    assert 'id="figure-searches"' in page and "近12个月" in page
    bad = web_client.get("/statistics?period=19x")
    assert bad.status_code == 400 and "统计期间“19x”无效" in bad.get_data(as_text=True)
    export = web_client.get("/statistics/export.xlsx?period=last12")
    assert export.status_code == 200 and export.mimetype.endswith("spreadsheetml.sheet")
    assert "filename*=UTF-8''%E6%A1%A3%E6%A1%88%E7%BB%9F%E8%AE%A1" in export.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(export.data))
    assert len(book.sheetnames) == 11 and book.sheetnames[0] == "档案完整率（按小区）"


def test_charts_are_accessible_scalable_svg_with_escaped_labels():
    from webapp.charts import chart_svg

    bars = Chart(
        "bars", ["<b>花园</b>", "滨江商城"], [Series("平均完整率", [60, 0])], unit="%", max_value=100
    )
    svg = str(chart_svg(bars, "chart-x", "档案完整率", "说明"))
    assert svg.startswith('<svg class="chart" id="chart-x" role="img" viewBox="0 0 420 ')
    assert (
        'aria-labelledby="chart-x-t chart-x-d"' in svg and '<title id="chart-x-t">档案完整率</title>' in svg
    )
    assert "<b>" not in svg and "&lt;b&gt;花园&lt;/b&gt;：60%" in svg
    months = Chart(
        "stacked",
        ["2025-12", "2026-01"],
        [Series("陈档案", [3, 1]), Series("林客服", [0, 2])],
        months=True,
    )
    svg = str(chart_svg(months, "chart-m", "检索", "说明"))
    assert "2025年12月 · 陈档案：3" in svg and "2026年1月 · 林客服：2" in svg
    assert ">12月</text>" in svg and ">2026年</text>" in svg  # the year under January
    panels = Chart(
        "columns", ["2026-01"], [Series("文件数", [2]), Series("页数", [9])], panels=True, months=True
    )
    assert str(chart_svg(panels, "chart-p", "归档", "说明")).count(">文件数</text>") == 1
