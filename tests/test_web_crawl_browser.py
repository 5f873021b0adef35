"""The acceptance crawl (issue 17): as each role, every page reachable from the home page by
following links, plus the common error pages, at phone width (390×844) and desk width (1366×900):
no page wider than the window, and no English sentence on any page.

One browser for the module; each role gets its own copy of an archive with households,
documents with pages, a loan, a hold and a destruction list. Screenshots of the main pages (the
admin's crawl) go to /tmp/dossier-shots/crawl-*.png.
"""

from __future__ import annotations

import io
import re
from collections import Counter, deque
from urllib.parse import urlsplit

import pytest

from dossier import localtime
from tests.english import english_sentences
from tests.test_web_browser import SHOTS, chromium, web_server  # noqa: F401 - fixture
from tests.test_web_paper import shelf  # noqa: F401 - fixture
from tests.test_web_retention import due_docs  # noqa: F401 - fixture
from tests.web_fixtures import WEB_ADMIN_PASSWORD, WEB_ROLES_BY_USER, web_password

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1366, "height": 900}
MAX_PAGES = 150  # per role
# Pages per path shape, digits as N (/households/N; /search? for all its queries): the admin
# sees two of each and three queries of a page, the other roles one and two (what differs by
# role is mostly which pages there are).
PER_KIND = {"admin": 2}
QUERIES = {"admin": 3}
# Codes on the pages that read like words: the usernames, and the name of the command line tool
# (a page may name a command, such as "dossier shredlog verify").
CODE_WORDS = (*WEB_ROLES_BY_USER, "officer2", "dossier")
# Links that are not pages: downloads, images, the sign-out form's target.
NOT_PAGES = re.compile(
    r"/logout$|/static/|/original$|/preview$|\.(?:csv|xlsx|json|png|webp|pdf|zip)$|/export\.|/template\.|/report\."
)
# The main pages photographed at both widths (path shape → file name).
SHOT_KINDS = {
    "/": "home",
    "/households": "households",
    "/households/N": "folder",
    "/search?": "search",
    "/documents/N": "document",
    "/intake": "intake",
    "/intake/batches/N": "batch",
    "/statistics": "statistics",
    "/audit/runs/N": "audit-run",
    "/paper/loans": "loans",
    "/paper/inventory": "inventory",
    "/retention": "retention",
    "/retention/lists/XHN-N": "destruction-list",
    "/audit/access-log": "access-log",
    "/admin": "admin",
    "/handover": "handover",
    "/admin/users/admin": "admin-user",
}

# What overflows the window, described by its widest element outside any scrolling box.
OVERFLOW_JS = """() => {
  const width = window.innerWidth;
  if (document.documentElement.scrollWidth <= width) return null;
  const scrolls = (el) => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === 'auto' || o === 'scroll' || o === 'hidden' || o === 'clip') return true;
    }
    return false;
  };
  let worst = null, right = width;
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.right > right + 0.5 && !scrolls(el)) { worst = el; right = r.right; }
  }
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (el.classList.length ? '.' + [...el.classList].join('.') : '');
  let path = [];
  for (let el = worst; el && el !== document.body && path.length < 4; el = el.parentElement) path.unshift(name(el));
  return {scrollWidth: document.documentElement.scrollWidth, right: Math.round(right), element: path.join(' > '),
          text: worst ? worst.innerText.slice(0, 60) : ''};
}"""
# The words of the page, less the archived documents' own text (OCR text, snippets): that is the
# archive's content, in whatever language the paper was written.
VISIBLE_TEXT_JS = """() => {
  let text = document.body.innerText;
  for (const el of document.querySelectorAll('.ocr-text, .hit-snippet, .print-text')) {
    text = text.replace(el.innerText, '');
  }
  return document.title + '\\n' + text;
}"""


@pytest.fixture(scope="module")
def crawler_browser():
    yield from chromium()


@pytest.fixture
def crawl_site(web_server, web_archive, web_search_docs, shelf, due_docs, web_client, web_login):  # noqa: F811
    """The served archive with something on every page: a hold, a proposed destruction list, a
    finished 四性 check and an intake batch still queued (no worker runs)."""
    from dossier.actor import Actor
    from dossier.archive import Archive
    from dossier.services.households import get_household
    from dossier.services.users import get_user
    from retention.holds import add_hold
    from retention.lists import DueFilter, propose
    from tests.jobs_helpers import run_queued
    from tests.synthetic import render_page, save_page

    archive = Archive(web_archive.settings)
    with archive.session() as session:
        officer = Actor.from_user(get_user(session, "officer"), "cli")
        add_hold(session, officer, "诉讼未结，暂缓销毁", household=get_household(session, "S-101"))
        propose(session, officer, DueFilter(as_of=localtime.today(), household="A-1-0101"))
    web_login(web_client, "admin")
    assert web_client.post("/audit/runs", data={"sample": "5"}).status_code == 302
    assert run_queued(web_archive.settings) >= 1
    scan = save_page(
        render_page("装修申请 A-1-1201", dpi=100), web_archive.settings.home / "scan.png", dpi=100
    )
    upload = {
        "household": "A-1-1201",
        "type_code": "renovation",
        "files": [(io.BytesIO(scan.read_bytes()), "装修申请.png")],
    }
    response = web_client.post("/intake", data=upload, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    return web_server


def _kind(url: str) -> str:
    """The shape of a page address: digits as N, a query as "?"."""
    parts = urlsplit(url)
    return re.sub(r"\d+", "N", parts.path) + ("?" if parts.query else "")


def _check(page, url: str, problems: list[str], shot: str | None = None) -> None:
    """The page at phone width and at desk width (starting with the width it was loaded at): no
    sideways scrolling at either, and its words (at desk width, where the menu shows) Chinese;
    photographed at both as /tmp/dossier-shots/crawl-<shot>-<width>.png when ``shot`` is given."""
    sizes = (PHONE, DESK) if page.viewport_size == PHONE else (DESK, PHONE)
    for size in sizes:
        if page.viewport_size != size:
            page.set_viewport_size(size)
        wide = page.evaluate(OVERFLOW_JS)
        if wide:
            problems.append(f"{url} at {size['width']}px is {wide['scrollWidth']}px wide: {wide}")
        if size == DESK:
            for sentence in english_sentences(page.evaluate(VISIBLE_TEXT_JS), allowed=CODE_WORDS):
                problems.append(f"{url}: English: {sentence!r}")
        if shot:
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / f"crawl-{shot}-{size['width']}.png"), full_page=True)


def _login(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", WEB_ADMIN_PASSWORD if username == "admin" else web_password(username))
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def _visit(page, url: str, problems: list[str]) -> bool:
    """Load ``url``; False when it is no HTML page (a download); a server error is a problem."""
    from playwright.sync_api import Error

    try:
        response = page.goto(url)
    except Error as exc:
        if "Download is starting" in str(exc):
            return False
        raise
    if response is None or "text/html" not in (response.headers.get("content-type") or ""):
        return False
    if response.status >= 500:
        problems.append(f"{url}: HTTP {response.status}")
    return True


def _crawl(page, base: str, problems: list[str], caps: tuple[int, int], shoot: bool) -> list[str]:
    """Breadth-first over the same-origin links from the home page; returns the pages seen."""
    seeds = [f"{base}/", f"{base}/search?q=%E7%BB%B4%E4%BF%AE%E5%9F%BA%E9%87%91"]  # and a search: 维修基金
    queue, seen, kinds, visited = deque(seeds), set(seeds), Counter(_kind(url) for url in seeds), []
    shots = dict(SHOT_KINDS) if shoot else {}
    while queue and len(visited) < MAX_PAGES:
        url = queue.popleft()
        if not _visit(page, url, problems):
            continue
        visited.append(url)
        _check(page, url, problems, shots.pop(_kind(url), None))  # the first page of a kind
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            link = href.split("#", 1)[0]
            if not link.startswith(base + "/") or link in seen or NOT_PAGES.search(urlsplit(link).path):
                continue
            seen.add(link)
            kind = _kind(link)
            if kinds[kind] < caps[kind.endswith("?")]:
                kinds[kind] += 1
                queue.append(link)
    return visited


def _error_pages(page, base: str, problems: list[str]) -> list[str]:
    """The error pages a user meets most: unknown document and household, a bad date in a
    filter, a household code that already exists (for those who may open folders)."""
    urls = [
        f"{base}/documents/999999",
        f"{base}/households/999999",
        f"{base}/search?q=%E7%BB%B4%E4%BF%AE&from=2024-13-45",
        f"{base}/audit/access-log?date_from=2024-13-45",
        f"{base}/retention/shredlog?date_from=2024-13-45",
    ]
    for url in urls:
        if _visit(page, url, problems):
            _check(page, url, problems)
    page.goto(f"{base}/households")
    if page.locator("#new-household").count():
        page.click("#new-household summary")
        page.fill("#new-household input[name=code]", "A-1-0101")
        page.fill("#new-household input[name=community]", "阳光花园")
        page.fill("#new-household input[name=owner]", "张三")
        page.click("#new-household button[type=submit]")
        page.wait_for_load_state()
        assert page.locator(".flash-error").count() == 1, page.content()
        _check(page, f"{page.url} (duplicate household)", problems)
        urls.append(page.url)
    return urls


def test_every_page_fits_a_phone_and_speaks_chinese(crawler_browser, crawl_site):
    """Each role in turn over one archive: the admin's crawl also takes the screenshots."""
    base, problems, counts = crawl_site, [], []
    for username in ("admin", "archivist", "staff", "officer", "auditor"):
        context = crawler_browser.new_context(viewport=PHONE, locale="zh-CN", accept_downloads=False)
        page = context.new_page()
        found: list[str] = []
        try:
            if username == "admin" and _visit(page, f"{base}/login", found):  # the sign-in page
                _check(page, f"{base}/login", found, "login")
            _login(page, base, username)
            caps = (PER_KIND.get(username, 1), QUERIES.get(username, 2))
            visited = _crawl(page, base, found, caps, shoot=username == "admin")
            errors = _error_pages(page, base, found)
        finally:
            context.close()
        assert len(visited) >= (30 if username == "admin" else 5), (username, visited)
        counts.append(f"{username}: {len(visited)} pages and {len(errors)} error pages")
        print(f"{username}:", *(url.removeprefix(base) for url in visited))  # shown with -s
        problems += [f"[{username}] {problem}" for problem in found]
    assert not problems, "\n".join([*counts, *problems])


def test_the_phone_menu(crawler_browser, web_server):  # noqa: F811 - fixture
    """At 390px the nav and the account sit behind 菜单, opened and closed from the keyboard; at
    1366px the admin's whole bar is one line; at 1280px the nav takes a line of its own."""
    base = web_server
    context = crawler_browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    try:
        _login(page, base, "admin")
        toggle, nav, who = page.locator(".menu-toggle"), page.locator("nav.mainnav"), page.locator(".who")
        assert toggle.is_visible() and not nav.is_visible() and not who.is_visible()
        assert page.locator("form.topsearch").is_visible()  # the search box stays on the page

        page.keyboard.press("Tab")  # the brand (home) link
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "menu-toggle"
        page.keyboard.press("Enter")
        assert nav.is_visible() and who.is_visible()
        assert toggle.get_attribute("aria-expanded") in (None, "true")  # popovers expose their state
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "crawl-menu-390.png"))
        page.keyboard.press("Tab")  # into the menu: its first link
        assert page.evaluate("document.activeElement.textContent.trim()") == "首页"
        assert page.evaluate(OVERFLOW_JS) is None
        page.keyboard.press("Escape")
        assert not nav.is_visible()
        toggle.click()
        assert nav.is_visible()
        page.set_viewport_size({"width": 800, "height": 900})  # a tablet turned: the menu closes
        # (the media query's change event comes with the next rendering step, not at once)
        page.wait_for_function("!document.getElementById('mainmenu').matches(':popover-open')")
        page.set_viewport_size(PHONE)
        assert not nav.is_visible()

        page.locator("nav.mainnav >> text=业户档案").evaluate("a => a.click()")  # a link of the closed menu
        page.wait_for_url(f"{base}/households")

        page.set_viewport_size(DESK)
        assert not toggle.is_visible() and nav.is_visible() and who.is_visible()
        tops = page.evaluate(
            "() => ['.brand', 'nav.mainnav', 'form.topsearch', '.who'].map("
            "s => document.querySelector(s).getBoundingClientRect()).map(r => Math.round(r.top + r.height / 2))"
        )
        assert max(tops) - min(tops) <= 4, tops  # one line
        page.set_viewport_size({"width": 1280, "height": 900})
        nav_top, who_bottom = page.evaluate(
            "() => [document.querySelector('nav.mainnav').getBoundingClientRect().top,"
            " document.querySelector('.who').getBoundingClientRect().bottom]"
        )
        assert nav_top >= who_bottom  # the nav on a line of its own, under the user
        assert page.evaluate(OVERFLOW_JS) is None
    finally:
        context.close()
