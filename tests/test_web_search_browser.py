"""全文检索 in the real browser: staff searches a Chinese phrase, sees the marked hit, opens it.

Screenshots go to /tmp/dossier-shots/ (search page, document page) for a human to look at.
"""

from __future__ import annotations

import pytest

from tests.test_web_browser import _login, _shot, browser, web_server  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


def test_staff_searches_and_opens_a_hit(web_server, browser, web_archive, web_search_docs, tmp_path):
    base = web_server
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))

    _login(page, base, "staff")
    # The header box on the dashboard leads to the search page.
    page.fill("form.topsearch input[name=q]", "维修基金")
    page.press("form.topsearch input[name=q]", "Enter")
    page.wait_for_url(f"{base}/search?*")
    hits = page.locator("#hits .hit")
    assert hits.count() == 2
    assert page.locator("#hits mark").count() >= 2
    assert "业主身份证明" not in page.locator("#hits").inner_text()

    # A phrase from the search page's own box; the snippet marks it.
    page.fill("#search-q", "\u201c维修基金缴纳\u201d")
    page.click("#search-form button[type=submit]")
    page.wait_for_load_state()
    assert hits.count() == 1
    assert page.locator("#hits mark").first.inner_text() == "维修基金缴纳"
    assert page.locator("#hits .hit-snippet").inner_text().count("<script>") == 1  # shown as text, not run
    page.fill("#search-q", "维修")
    page.click("#search-form button[type=submit]")
    page.wait_for_load_state()
    assert hits.count() == 3
    _shot(page, tmp_path, "20-search")

    # A facet narrows the results.
    page.click("[data-facet=type] a:has-text('装修档案')")
    page.wait_for_load_state()
    assert hits.count() == 1
    assert "类型：装修档案" in page.locator("#active-filters").inner_text()
    page.click("#active-filters .chip")
    page.wait_for_load_state()
    assert hits.count() == 3

    # Open the fund notice at its page: the preview loads and the words are marked.
    page.click(f"#hits .hit[data-document='{web_search_docs.ids['fund']}'] a.hit-title")
    page.wait_for_url(f"{base}/documents/*")
    assert page.locator("#doc-title").inner_text() == "维修基金缴纳通知"
    assert page.locator("#ocr-text mark").count() >= 1
    if page.locator("#page-of").inner_text() != "第 1 / 2 页":  # the best page was page 2
        page.click("#page-nav .page-jump a >> text='1'")
        page.wait_for_load_state()
    assert page.locator("#page-of").inner_text() == "第 1 / 2 页"
    assert page.locator("#ocr-text mark").count() >= 1
    preview = page.locator("#page-preview")
    for _ in range(50):
        if preview.evaluate("img => img.complete && img.naturalWidth > 0"):
            break
        page.wait_for_timeout(100)
    assert preview.evaluate("img => img.naturalWidth") == 420  # the stored WebP, decoded
    _shot(page, tmp_path, "21-document")
    page.click("#page-nav a[rel=next]")
    page.wait_for_load_state()
    assert page.locator("#page-of").inner_text() == "第 2 / 2 页"
    assert page.locator("#ocr-text mark").count() >= 1

    # The owner's name finds the folder.
    page.fill("form.topsearch input[name=q]", "张三")
    page.press("form.topsearch input[name=q]", "Enter")
    page.wait_for_url(f"{base}/search?*")
    page.click("#found-households a.household-hit")
    page.wait_for_url(f"{base}/households/*")
    context.close()

    # An archivist opens the confidential document after giving a purpose.
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    page = context.new_page()
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    _login(page, base, "archivist")
    page.goto(f"{base}/search?q=身份证")
    page.click(f"#hits .hit[data-document='{web_search_docs.ids['secret']}'] a.hit-title")
    page.wait_for_url(f"{base}/documents/*")
    _shot(page, tmp_path, "22-purpose")
    page.fill("#purpose-form input[name=purpose]", "办理产权变更，核对业主身份")
    page.click("#purpose-form button[type=submit]")
    page.wait_for_load_state()
    assert "办理产权变更" in page.locator("#purpose-note").inner_text()
    assert page.locator("#ocr-text mark").count() >= 1
    _shot(page, tmp_path, "23-confidential-document")
    context.close()

    assert problems == []


def test_an_empty_result_offers_suggestions_and_bad_input_keeps_the_form(
    web_server, browser, web_archive, web_search_docs, tmp_path
):
    base = web_server
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    _login(page, base, "staff")
    page.goto(f"{base}/search")
    assert page.locator("input[name=q]").count() == 1  # one search box on the search page
    assert page.locator("#f-from").get_attribute("type") == "date"

    # Nothing found: a suggestion with fewer words, counted for staff, runs that search.
    page.fill("#search-q", "维修基金 乌龙茶")
    page.click("#search-form button[type=submit]")
    page.wait_for_load_state()
    assert "没有找到符合条件的文件" in page.locator("#result-count").inner_text()
    suggestion = page.locator("#suggestions li[data-kind=fewer]")
    assert suggestion.count() == 1 and "2 份文件" in suggestion.inner_text()
    _shot(page, tmp_path, "search-suggestions")
    suggestion.locator("a").click()
    page.wait_for_load_state()
    assert page.locator("#search-q").input_value() == "维修基金"
    assert page.locator("#hits .hit").count() == 2

    # A date from the picker narrows the search; an unclosed quote explains itself, form kept.
    page.fill("#f-from", "2021-01-01")
    page.click("#search-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#hits .hit").count() == 1
    page.fill("#search-q", '"维修基金')
    page.click("#search-form button[type=submit]")
    page.wait_for_load_state()
    assert "引号没有闭合" in page.locator("#search-error").inner_text()
    assert page.locator("#search-q").input_value() == '"维修基金'
    assert page.locator("#f-from").input_value() == "2021-01-01"
    _shot(page, tmp_path, "search-unclosed-quote")

    # A bad typed date (from a link or an old bookmark) stays visible to correct.
    page.goto(f"{base}/search?q=维修&from=2021-02-30")
    assert "没有这一天" in page.locator("#search-error").inner_text()
    assert page.locator("#f-from").input_value() == "2021-02-30"
    _shot(page, tmp_path, "search-bad-date")

    # At phone width the empty result and its suggestions fit the window.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/search?q=维修基金 乌龙茶")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    _shot(page, tmp_path, "search-suggestions-phone")
    context.close()
    assert problems == []
