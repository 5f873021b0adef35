"""档案统计 in the real browser: from the admin's home page to the statistics page, whose figures
are inline SVG charts with their tables; the workbook downloads; at 390 px nothing scrolls
sideways. The auditor sees the per-person figures by 姓名, the staff member has no 统计 link.

Screenshots go to /tmp/dossier-shots/statistics-*.png.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from dossier.actor import Actor
from dossier.archive import Archive
from dossier.localtime import start_of_day, today
from dossier.models import AccessAction, Channel, DocumentStatus, Household, Loan, User
from dossier.services.access import record_access
from tests.test_web_browser import _login, _shot, browser, web_server  # noqa: F401 - fixtures
from tests.web_fixtures import _dispose, web_add_document

pytestmark = pytest.mark.browser

DESK = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def filed(web_archive):
    """Documents filed in several months of this year, a loan overdue, searches and views."""
    now = today()
    with Archive(web_archive.settings).session() as session:
        households = session.scalars(select(Household).order_by(Household.id)).all()
        for month in range(1, now.month + 1):
            for n in range(month % 4 + 1):
                doc = web_add_document(session, households[n % 3].id, "payment", f"缴费记录 {month}-{n}")
                doc.intake_at = start_of_day(now.replace(month=month, day=1)) + timedelta(hours=10 + n)
                doc.page_count = 3 + n
                doc.disposal_date = date(now.year - 1 + 3 * n, 1, 1)
        gone = web_add_document(session, households[2].id, "repair", "报修记录（已销毁）")
        gone.status, gone.destroyed_at = DocumentStatus.DESTROYED, datetime.now(UTC) - timedelta(days=400)
        contract = web_archive.documents["购房合同（正本扫描）"]
        session.add(
            Loan(
                document_id=contract,
                borrower="赵六",
                lent_by="archivist",
                due_on=now - timedelta(days=12),
                out_at=datetime.now(UTC) - timedelta(days=40),
            )
        )
        for username, searches in (("archivist", 4), ("staff", 2), ("auditor", 1)):
            user = session.scalar(select(User).where(User.username == username))
            who = Actor.from_user(user, Channel.WEB)
            for _ in range(searches):
                record_access(session, who, AccessAction.SEARCH, detail="维修基金")
            record_access(session, who, AccessAction.DOCUMENT_VIEW, document_id=contract)
        session.commit()
    _dispose(web_archive.settings)


def _page(browser, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    return context, page, problems


def test_statistics_from_the_home_page(web_server, browser, web_archive, filed, tmp_path):
    base = web_server
    context, page, problems = _page(browser, DESK)
    _login(page, base, "admin")
    page.click("#statistics-link a")
    page.wait_for_url(f"{base}/statistics")
    assert page.locator("h1").inner_text() == "档案统计"
    figures = page.locator("section.stat-figure")
    assert figures.count() == 11
    assert page.locator("svg.chart").count() == 11
    for key in (
        "completeness-community",
        "filed",
        "by-type",
        "by-class",
        "due",
        "searches",
        "views",
        "loans-open",
    ):
        figure = page.locator(f"#figure-{key}")
        assert figure.locator("svg.chart").count() == 1, key
        assert figure.locator("svg.chart > title").text_content(), key
    # Values on hover: every bar carries its own title.
    assert "逾期 1–30 天：1" in page.locator("#figure-loans-open svg").inner_html()
    searches = page.locator("#figure-searches table").inner_text()
    assert "陈档案" in searches and "林客服" in searches and "archivist" not in searches
    assert "1" in page.locator("#statistics-summary").inner_text()
    _shot(page, tmp_path, "statistics-01-desk")

    # The last twelve months, then the workbook of that period.
    page.select_option("#period", "last12")
    page.click("#period-form button")
    page.wait_for_url(f"{base}/statistics?period=last12")
    assert "近12个月" in page.locator(".page-head").inner_text()
    with page.expect_download() as download:
        page.click("#statistics-export")
    saved = tmp_path / "statistics.xlsx"
    download.value.save_as(saved)
    assert download.value.suggested_filename == "档案统计-近12个月.xlsx"
    book = load_workbook(io.BytesIO(saved.read_bytes()))
    assert "每月归档文件与页数" in book.sheetnames and len(book.sheetnames) == figures.count()
    assert problems == []
    context.close()

    # At phone width: the charts scale, nothing scrolls sideways.
    context, page, problems = _page(browser, PHONE)
    _login(page, base, "auditor")
    page.goto(f"{base}/statistics")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width
    box = page.locator("#figure-filed svg.chart").bounding_box()
    assert box is not None and box["width"] <= PHONE["width"]
    _shot(page, tmp_path, "statistics-02-phone")
    page.locator("#figure-searches").screenshot(path=str(tmp_path / "statistics-03-phone-searches.png"))
    _shot(page, tmp_path, "statistics-02-phone")
    assert problems == []
    context.close()


def test_staff_have_no_statistics(web_server, browser, web_archive, tmp_path):
    base = web_server
    context, page, _problems = _page(browser, DESK)
    _login(page, base, "staff")
    assert page.locator("#statistics-link").count() == 0
    assert page.locator("nav.mainnav a:text-is('统计')").count() == 0
    response = page.goto(f"{base}/statistics")
    assert response is not None and response.status == 403
    context.close()
