"""The document viewer and the print view in the real browser: zoom, turn, the query's marks on the
page image, thumbnails, the full-size image in a new tab, and the watermarked print view whose
print is logged when the browser prints.

Screenshots go to /tmp/dossier-shots/ (viewer-*.png) for a human to look at.
"""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.test_web_browser import _login, _shot, browser, desk_page, web_server  # noqa: F401 - fixtures
from tests.test_web_viewer import _events, viewer_docs  # noqa: F401 - fixture

pytestmark = pytest.mark.browser


def _loaded(page, selector: str) -> None:
    page.wait_for_function(
        "s => { const i = document.querySelector(s); return i && i.complete && i.naturalWidth > 0; }",
        arg=selector,
    )


def _prints(web_archive, document_id: int) -> int:
    return [a for a, _ in _events(web_archive, document_id)].count("document.print")


def _wait_prints(page, web_archive, document_id: int, expected: int) -> None:
    for _ in range(50):
        if _prints(web_archive, document_id) >= expected:
            break
        page.wait_for_timeout(100)
    page.wait_for_load_state("networkidle")
    assert _prints(web_archive, document_id) == expected


def _box(page, selector: str) -> dict:
    return page.locator(selector).first.evaluate(
        "el => { const r = el.getBoundingClientRect(); return {x: r.x, y: r.y, w: r.width, h: r.height}; }"
    )


def test_zoom_turn_marks_and_thumbnails(web_server, browser, web_archive, viewer_docs, tmp_path):
    base = web_server
    context, page, problems = desk_page(browser)
    _login(page, base, "staff")
    page.goto(f"{base}/documents/{viewer_docs.notice}?page=1&q=维修基金")
    _loaded(page, "#page-preview")
    stage = page.locator("#page-stage")
    page.wait_for_function("() => document.getElementById('page-stage').hasAttribute('data-zoom')")

    # The query is marked on the image, over the words (a third across, near the top).
    assert page.locator(".page-mark").count() == 1
    image, mark = _box(page, "#page-preview"), _box(page, ".page-mark")
    assert image["x"] < mark["x"] and mark["x"] + mark["w"] < image["x"] + image["w"] / 2
    assert image["y"] < mark["y"] < image["y"] + image["h"] * 0.15
    assert page.locator("#image-marks-note").inner_text() == "图像上已标出 1 处"
    _shot(page, tmp_path, "viewer-01-marked")

    # Zoom in and out with the buttons, back to the width with 适合宽度.
    fit = float(stage.get_attribute("data-zoom"))
    # data-zoom has three decimals, the label rounds the exact zoom: 0.7149 shows 71%, data 0.715.
    assert abs(int(page.locator("#zoom-level").inner_text().rstrip("%")) - fit * 100) <= 0.51
    page.click("button[data-zoom=in]")
    page.click("button[data-zoom=in]")
    assert float(stage.get_attribute("data-zoom")) == pytest.approx(fit * 1.25 * 1.25, rel=0.01)
    assert _box(page, "#page-preview")["w"] == pytest.approx(image["w"] * 1.5625, rel=0.02)
    assert stage.evaluate("s => s.scrollWidth > s.clientWidth")  # wider than the pane: it scrolls
    _shot(page, tmp_path, "viewer-02-zoomed")
    page.click("button[data-zoom=out]")
    assert float(stage.get_attribute("data-zoom")) == pytest.approx(fit * 1.25, rel=0.01)
    page.click("button[data-zoom=fit]")
    assert float(stage.get_attribute("data-zoom")) == pytest.approx(fit, rel=0.01)

    # Turn a quarter right: the page lies on its side, the mark turns with it.
    page.click("button[data-rotate='90']")
    assert stage.get_attribute("data-rotate") == "90"
    turned = _box(page, "#page-preview")
    assert turned["w"] > turned["h"]
    mark = _box(page, ".page-mark")
    assert mark["h"] > mark["w"]  # a line of text now runs down the page
    assert turned["x"] + turned["w"] * 0.8 < mark["x"] + mark["w"]  # near the right-hand edge (was the top)
    _shot(page, tmp_path, "viewer-03-turned")
    page.click("button[data-rotate='-90']")
    assert stage.get_attribute("data-rotate") == "0"

    # The keyboard does the same on the focused image.
    stage.focus()
    page.keyboard.press("+")
    assert float(stage.get_attribute("data-zoom")) == pytest.approx(fit * 1.25, rel=0.01)
    page.keyboard.press("0")
    page.keyboard.press("l")
    assert stage.get_attribute("data-rotate") == "270"
    page.keyboard.press("r")
    assert stage.get_attribute("data-rotate") == "0"

    # The full-size image opens in a new tab, from the preview route.
    with context.expect_page() as opened:
        page.click("#open-full")
    full = opened.value
    full.wait_for_load_state()
    assert full.url == f"{base}/documents/{viewer_docs.notice}/pages/1/preview"
    assert full.evaluate("document.images.length && document.images[0].naturalWidth") == 620
    full.close()

    # Every page has a thumbnail; one click goes there.
    thumbs = page.locator("#thumbs .thumb")
    assert thumbs.count() == 3
    for n in (1, 2, 3):
        _loaded(page, f"#thumbs .thumb[data-page='{n}'] img")
    assert page.locator("#thumbs .thumb.current").get_attribute("data-page") == "1"
    page.click("#thumbs .thumb[data-page='3']")
    page.wait_for_url(f"{base}/documents/{viewer_docs.notice}?page=3*")
    assert page.locator("#page-of").inner_text() == "第 3 / 3 页"
    assert page.locator("#thumbs .thumb.current").get_attribute("data-page") == "3"
    assert page.locator("#thumbs .thumb[data-page='3']").get_attribute("aria-current") == "page"
    _loaded(page, "#page-preview")
    _shot(page, tmp_path, "viewer-04-page3")
    context.close()
    assert problems == []


def test_the_print_view_is_watermarked_and_logged_when_printed(
    web_server, browser, web_archive, viewer_docs, tmp_path
):
    base = web_server
    context, page, problems = desk_page(browser)
    _login(page, base, "staff")
    page.goto(f"{base}/documents/{viewer_docs.notice}")
    page.click("#print-document")
    page.wait_for_url(f"{base}/documents/{viewer_docs.notice}/print")
    for n in (1, 2, 3):
        _loaded(page, f".print-page[data-page='{n}'] img")
    assert page.locator(".print-page").count() == 3
    assert page.locator(".print-page .watermark span").count() == 36
    assert page.locator(".watermark span").first.inner_text().startswith("查阅专用 · 林客服 · ")
    assert "document.print" not in [a for a, _ in _events(web_archive, viewer_docs.notice)]
    _shot(page, tmp_path, "viewer-05-print-screen")

    page.emulate_media(media="print")
    assert page.locator(".topbar").is_hidden() and page.locator("#print-form").is_hidden()
    assert page.locator(".print-page[data-page='2'] .watermark span").first.is_visible()
    _shot(page, tmp_path, "viewer-06-print-media")
    # Printed for real (to PDF): one sheet per page, each under the watermark, no OCR text.
    pdf = tmp_path / "printed.pdf"
    page.pdf(path=str(pdf), format="A4")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+3$", info, re.M)
    for n in (1, 2, 3):
        text = subprocess.run(
            ["pdftotext", "-raw", "-f", str(n), "-l", str(n), str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.replace(" ", "")
        assert text.count("查阅专用·林客服·") == 12 and f"第{n}/3页" in text
        assert "五月" not in text and "明细" not in text
    _wait_prints(page, web_archive, viewer_docs.notice, 1)  # the browser's print fired beforeprint
    page.emulate_media(media="screen")

    # The print button logs the print, then asks the browser to print (stubbed: no dialog here).
    page.evaluate("() => { window.print = () => { window.printed = (window.printed || 0) + 1; }; }")
    page.click("#print-now")
    _wait_prints(page, web_archive, viewer_docs.notice, 2)
    assert page.evaluate("window.printed") == 1
    assert page.locator("#print-status").inner_text() == "本次打印已记入查阅登记。"
    # The browser's own print command (Ctrl+P) is logged through beforeprint, once per print.
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    _wait_prints(page, web_archive, viewer_docs.notice, 3)
    context.close()
    assert problems == []


def test_without_script_the_page_image_still_shows(web_server, browser, viewer_docs, tmp_path):
    context = browser.new_context(
        viewport={"width": 1280, "height": 860}, locale="zh-CN", java_script_enabled=False
    )
    page = context.new_page()
    _login(page, web_server, "staff")
    page.goto(f"{web_server}/documents/{viewer_docs.notice}?page=2")
    _loaded(page, "#page-preview")
    assert _box(page, "#page-preview")["w"] > 300  # at the column's width
    assert page.locator("button[data-zoom=in]").is_hidden() and page.locator("#open-full").is_visible()
    assert page.locator("#thumbs .thumb").count() == 3
    _shot(page, tmp_path, "viewer-07-no-script")
    context.close()
