"""Fixtures for the web tests: a pytest plugin module (list it in ``pytest_plugins``).

The archive is built once per session (``dossier init``, users of every role, a few households
and documents, API tokens) and copied into each test's tmp_path, so every test gets a fresh,
isolated archive without paying for key generation and password hashing again.

Names start with ``web_`` so they cannot clash with the shared fixtures in ``tests/conftest.py``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import shutil
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from dossier.actor import Actor
from dossier.archive import Archive
from dossier.config import Settings
from dossier.models import Confidentiality, Document, DocumentStatus, Role

WEB_ADMIN_PASSWORD = "admin-password-1"
WEB_ID_NUMBER = "110101199003071234"
WEB_ID_NUMBER_MASKED = "110***********1234"
WEB_ID_NUMBER_2 = "11010119850101002X"

# username → (role, display name); the password of each is f"{username}-password-1".
WEB_USERS: dict[str, tuple[str, str]] = {
    "archivist": (Role.ARCHIVIST.value, "陈档案"),
    "staff": (Role.STAFF.value, "林客服"),
    "officer": (Role.RETENTION_OFFICER.value, "周经理"),
    "auditor": (Role.AUDITOR.value, "吴审计"),
}
WEB_ROLES_BY_USER: dict[str, str] = {"admin": Role.ADMIN.value, **{u: r for u, (r, _) in WEB_USERS.items()}}


def web_password(username: str) -> str:
    return f"{username}-password-1"


@dataclasses.dataclass(frozen=True)
class WebArchive:
    settings: Settings
    households: dict[str, int]  # household code → id
    tokens: dict[str, str]  # username → API token
    confidential_title: str
    documents: dict[str, int]  # document title → id


def web_settings(home: Path) -> Settings:
    return Settings.from_env({"DOSSIER_HOME": str(home)})


def web_add_document(
    session,
    household_id: int,
    type_code: str,
    title: str,
    *,
    confidential: bool = False,
    status: str = DocumentStatus.INDEXED.value,
) -> Document:
    """A catalog row for a document (the web pages read the catalog; no stored object needed)."""
    digest = hashlib.sha256(f"{household_id}/{type_code}/{title}".encode()).hexdigest()
    doc = Document(
        household_id=household_id,
        type_code=type_code,
        title=title,
        document_date=date(2023, 5, 18),
        received_date=date(2023, 6, 1),
        confidentiality=(Confidentiality.CONFIDENTIAL if confidential else Confidentiality.ORDINARY).value,
        status=status,
        original_key=f"originals/test/{digest}",
        original_name=f"{type_code}.pdf",
        sha256=digest,
        size=1024,
        media_type="application/pdf",
        page_count=2,
        signed_record=json.dumps({"test": True}),
        signature="test",
        signing_key_id="test",
        intake_at=datetime(2023, 6, 1, 9, 30, tzinfo=UTC),
    )
    session.add(doc)
    session.flush()
    return doc


def _build_archive(home: Path) -> WebArchive:
    from dossier.services.households import add_household
    from dossier.services.users import add_user, issue_token
    from dossier.setup import initialise

    settings = web_settings(home)
    initialise(settings, admin_password=WEB_ADMIN_PASSWORD)
    archive = Archive(settings)
    console = Actor.console()
    households: dict[str, int] = {}
    documents: dict[str, int] = {}
    tokens: dict[str, str] = {}
    confidential_title = "业主身份证复印件（保密）"
    with archive.session() as session:
        for username, (role, display) in WEB_USERS.items():
            add_user(session, console, username, role, web_password(username), display_name=display)
        h1 = add_household(
            session,
            console,
            archive.fields,
            "A-1-0101",
            community="阳光花园",
            owner="张三",
            phone="13800138000",
            id_number=WEB_ID_NUMBER,
            area="89.5",
        )
        h2 = add_household(session, console, None, "A-1-1201", community="阳光花园", owner="王五")
        h3 = add_household(
            session,
            console,
            archive.fields,
            "S-101",
            community="滨江商城",
            use="commercial",
            owner="李四",
            phone="021-5555-1234",
            id_number=WEB_ID_NUMBER_2,
        )
        session.flush()
        households = {h.code: h.id for h in (h1, h2, h3)}
        for type_code, title, confidential in (
            ("contract", "购房合同（正本扫描）", False),
            ("move_in", "入住登记表", False),
            ("id_document", confidential_title, True),
        ):
            documents[title] = web_add_document(
                session, h1.id, type_code, title, confidential=confidential
            ).id
        for username in ("archivist", "staff", "auditor", "admin"):
            tokens[username] = issue_token(session, console, username, "tests")
    _dispose(settings)
    return WebArchive(settings, households, tokens, confidential_title, documents)


def _dispose(settings: Settings) -> None:
    from dossier import db

    engine = db._engines.pop(settings.database_url, None)
    if engine is not None:
        engine.dispose()


@pytest.fixture(scope="session")
def web_archive_template(tmp_path_factory) -> WebArchive:
    return _build_archive(tmp_path_factory.mktemp("web-archive") / "home")


@pytest.fixture
def web_archive(web_archive_template: WebArchive, tmp_path: Path):
    """A fresh copy of the prepared archive for this test (its own database, keys and objects)."""
    home = tmp_path / "home"
    shutil.copytree(web_archive_template.settings.home, home)
    settings = web_settings(home)
    yield dataclasses.replace(web_archive_template, settings=settings)
    _dispose(settings)


@pytest.fixture
def web_app(web_archive: WebArchive):
    """The app as deployed: CSRF protection on."""
    from webapp import create_app

    return create_app(web_archive.settings, testing=True)


@pytest.fixture
def web_csrf_client(web_app):
    return web_app.test_client()


@pytest.fixture
def web_client(web_archive: WebArchive):
    """A test client of an app with CSRF checks off (for convenience; see the CSRF tests)."""
    from webapp import create_app

    app = create_app(web_archive.settings, testing=True)
    app.config["WTF_CSRF_ENABLED"] = False
    return app.test_client()


@pytest.fixture
def web_login() -> Callable:
    """``web_login(client, username)`` signs in (password per ``web_password``); returns the response."""

    def login(client, username: str, password: str | None = None, **extra):
        if password is None:
            password = WEB_ADMIN_PASSWORD if username == "admin" else web_password(username)
        data = {"username": username, "password": password, **extra}
        token = web_csrf_token(client, "/login")
        if token:
            data["csrf_token"] = token
        return client.post("/login", data=data)

    return login


def web_csrf_token(client, path: str) -> str | None:
    """The CSRF token of the first form on ``path`` (None when the page has none)."""
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'<input[^>]*name="csrf_token"[^>]*>', page)
    if not match:
        return None
    value = re.search(r'value="([^"]+)"', match.group(0))
    return value.group(1) if value else None


# --- full-text search: documents with page text, previews and stored originals ----------------

WEB_SEARCH_ORIGINAL = b"%PDF-1.4\n% dossier web search test original\n" + bytes(range(256)) * 8
WEB_SEARCH_SECRET_ORIGINAL = b"%PDF-1.4\n% confidential original\n" + bytes(range(255, -1, -1)) * 4


@dataclasses.dataclass(frozen=True)
class WebSearchDocs:
    ids: dict[str, int]  # fund, reno, lease, secret → document id
    preview: bytes  # the WebP stored as page 1's preview of "fund" and "secret"


def web_webp_bytes() -> bytes:
    """A small WebP page preview (grey lines on white, like a scanned form)."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("L", (420, 594), 255)
    draw = ImageDraw.Draw(image)
    draw.rectangle((30, 30, 390, 564), outline=90, width=2)
    for y in range(80, 540, 26):
        draw.line((50, y, 370 if y % 3 else 260, y), fill=150, width=3)
    out = io.BytesIO()
    image.save(out, "WEBP", quality=60)
    return out.getvalue()


@pytest.fixture
def web_search_docs(web_archive: WebArchive) -> WebSearchDocs:
    """Four documents with page text in the web archive, indexed; two carry a stored original
    and a WebP preview of page 1. One page text holds markup that must never reach a page."""
    import io

    from dossier.models import Household, ObjectKey, Page
    from dossier.services import history
    from dossier.services.documents import NewDocument, store_original
    from search.writer import IndexWriter

    archive = Archive(web_archive.settings)
    console = Actor.console()
    preview = web_webp_bytes()
    ids: dict[str, int] = {}

    def add_pages(session, doc, texts, preview_for_first=False):
        for number, text in enumerate(texts, start=1):
            page = Page(document_id=doc.id, number=number, text=text, source="ocr")
            if number == 1 and preview_for_first:
                key = f"derivatives/{doc.id}/0/preview-{number:06d}.webp"
                stored = archive.vault.put(key, io.BytesIO(preview))
                session.add(
                    ObjectKey(
                        object_key=key, wrapped_key=stored.wrapped_key, master_key_id=stored.master_key_id
                    )
                )
                page.preview_key = key
            session.add(page)
        doc.page_count = len(texts)
        doc.status = DocumentStatus.INDEXED.value
        history.append(session, doc, history.PROCESSED, actor=None)  # as the pipeline signs its text

    with archive.session() as session:
        h1 = session.get(Household, web_archive.households["A-1-0101"])
        fund = store_original(
            archive,
            session,
            console,
            NewDocument(
                household=h1,
                type_code="payment",
                title="维修基金缴纳通知",
                media_type="application/pdf",
                original_name="维修基金通知 2020.pdf",
                document_date=date(2020, 5, 1),
            ),
            io.BytesIO(WEB_SEARCH_ORIGINAL),
        )
        secret = store_original(
            archive,
            session,
            console,
            NewDocument(
                household=h1,
                type_code="id_document",
                title="业主身份证明（保密）",
                media_type="application/pdf",
                original_name="身份证明.pdf",
                document_date=date(2018, 1, 1),
                confidential=True,
            ),
            io.BytesIO(WEB_SEARCH_SECRET_ORIGINAL),
        )
        ids["fund"], ids["secret"] = fund.id, secret.id
        fund, secret = session.get(Document, fund.id), session.get(Document, secret.id)
        add_pages(
            session,
            fund,
            [
                "业主申请维修基金缴纳，请于五月前办理。<script>alert('x')</script> <b>加粗</b>",
                "第二页：缴费明细 维修基金 300 元",
            ],
            preview_for_first=True,
        )
        add_pages(session, secret, ["保密 维修基金 身份证号码 110101199003071234"], preview_for_first=True)
        h2 = session.get(Household, web_archive.households["A-1-1201"])
        reno = web_add_document(session, h2.id, "renovation", "装修申请表")
        reno.document_date = date(2019, 3, 2)
        add_pages(session, reno, ["装修押金收据 维修费 300 元"])
        h3 = session.get(Household, web_archive.households["S-101"])
        lease = web_add_document(session, h3.id, "correspondence", "商铺往来函件")
        lease.document_date = date(2021, 6, 1)
        add_pages(session, lease, ["关于商铺维修基金的函"])
        ids["reno"], ids["lease"] = reno.id, lease.id
        session.commit()
    IndexWriter(archive).sync(None)
    _dispose(web_archive.settings)
    return WebSearchDocs(ids, preview)
