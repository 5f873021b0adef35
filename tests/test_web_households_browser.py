"""Correcting a household in the browser: edit its facts, add and edit a party, mark one moved
out, merge a community (typing its name to confirm) and close the household after the
confirmation step. Screenshots go to /tmp/dossier-shots/households-*.png."""

from __future__ import annotations

import pytest

from dossier import localtime
from dossier.actor import Actor
from dossier.archive import Archive
from dossier.models import Household
from retention.holds import add_hold
from tests.test_web_browser import _login, _shot, browser, desk_page, web_server  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


def test_correcting_a_household_in_the_browser(web_server, browser, web_archive, tmp_path):  # noqa: F811
    base = web_server
    hid = web_archive.households["A-1-1201"]
    with Archive(web_archive.settings).session() as session:
        add_hold(session, Actor.console(), "产权纠纷，法院保全", household=session.get(Household, hid))
    context, page, problems = desk_page(browser)
    _login(page, base, "archivist")

    # The household's facts, with a reason.
    page.goto(f"{base}/households/{hid}")
    page.click("#edit-household")
    page.wait_for_url(f"{base}/households/{hid}/edit")
    page.fill("#household-edit input[name=building]", "B")
    page.fill("#household-edit input[name=area]", "101.5")
    _shot(page, tmp_path, "households-01-edit")
    page.click("#household-edit button[type=submit]")  # no reason yet
    assert "请填写修改理由" in page.locator(".field-error").inner_text()
    page.fill("#household-edit input[name=reason]", "建档时楼栋录错")
    page.click("#household-edit button[type=submit]")
    page.wait_for_url(f"{base}/households/{hid}")
    assert "楼栋：A → B" in page.locator(".flash-success").inner_text()
    assert "101.50 ㎡" in page.locator("dl.facts").inner_text()

    # A tenant added, then the owner's name corrected.
    page.click("#add-party")
    page.select_option("#party-form select[name=role]", "tenant")
    page.fill("#party-form input[name=name]", "钱七")
    page.fill("#party-form input[name=phone]", "13900139000")
    _shot(page, tmp_path, "households-02-party-new")
    page.click("#party-form button[type=submit]")
    page.wait_for_url(f"{base}/households/{hid}")
    assert page.locator("#parties tr[data-party='钱七']").count() == 1
    page.click("#parties tr[data-party='王五'] >> text=修改/迁出")
    page.fill("#party-form input[name=name]", "王伍")
    page.fill("#party-form input[name=reason]", "姓名录错")
    _shot(page, tmp_path, "households-03-party-edit")
    page.click("#party-form button[type=submit]")
    page.wait_for_url(f"{base}/households/{hid}")
    assert page.locator("#parties tr[data-party='王伍']").count() == 1

    # The tenant moves out: kept, shown apart.
    page.click("#parties tr[data-party='钱七'] >> text=修改/迁出")
    page.fill("#moveout-form input[name=on]", localtime.today().isoformat())
    page.click("#moveout-form button[type=submit]")
    page.wait_for_url(f"{base}/households/{hid}")
    assert page.locator("#former-parties tr[data-party='钱七']").count() == 1
    assert page.locator("#parties tr[data-party='钱七']").count() == 0
    assert "产权纠纷，法院保全" in page.locator("#holds").inner_text()
    _shot(page, tmp_path, "households-04-folder")

    # Merge 滨江商城 into 阳光花园: the target's name must be typed.
    page.goto(f"{base}/households")
    page.click("#communities-link")
    page.wait_for_url(f"{base}/communities")
    row = page.locator("tr[data-community='滨江商城']")
    row.locator("details.merge summary").click()
    row.locator("select[name=target]").select_option(label="阳光花园")
    row.locator("input[name=confirm_name]").fill("阳光")
    _shot(page, tmp_path, "households-05-merge-confirm")
    row.locator("button:has-text('确认合并')").click()
    page.wait_for_load_state()
    assert "不一致" in page.locator("tr[data-community='滨江商城'] .field-error").inner_text()
    row = page.locator("tr[data-community='滨江商城']")
    row.locator("input[name=confirm_name]").fill("阳光花园")
    row.locator("button:has-text('确认合并')").click()
    page.wait_for_url(f"{base}/communities")
    assert "已并入“阳光花园”" in page.locator(".flash-success").inner_text()
    assert page.locator("tr[data-community='滨江商城']").count() == 0
    _shot(page, tmp_path, "households-06-merged")

    # Closing asks first.
    page.goto(f"{base}/households/{hid}")
    page.fill("#closed_on", localtime.today().isoformat())
    page.click("#close-form button[type=submit]")
    page.wait_for_selector("#close-confirm")
    assert page.locator("#household-status").count() == 0
    _shot(page, tmp_path, "households-07-close-confirm")
    page.click("#close-confirm-button")
    page.wait_for_url(f"{base}/households/{hid}")
    assert page.locator("#household-status").inner_text().startswith("已结档")
    # The two refusals above answer 400 on purpose (the form comes back with the reason).
    assert [p for p in problems if "status of 400" not in p] == []
    context.close()
