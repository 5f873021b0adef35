"""What a user sees depends only on what that user may see (issue 14, part A).

Two archives that differ only in one confidential page give staff identical answers: search
(scores and order included), folders, completeness, the dashboard. Staff never read a whole
ID-card, mobile or bank-card number; a cleared role sees a confidential hit's snippet only after
giving a purpose; a confidential document answers staff exactly like a missing one.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from dossier import localtime
from dossier.actor import Actor
from dossier.archive import Archive
from dossier.config import Settings
from dossier.models import AccessEvent, Page
from dossier.services.households import add_household
from dossier.services.users import add_user, issue_token
from search.engine import EngineQuery
from search.query import Text
from search.whoosh_engine import WhooshEngine
from search.writer import IndexWriter
from tests.conftest import ADMIN_PASSWORD, fresh_pg_database, make_env
from tests.search_helpers import add_doc
from tests.test_search_index import entry

ID_NUMBER, MOBILE, CARD = "110101199003071234", "13800138000", "6222021234567890"
PERSONAL_PAGE = f"业主张三申请办理维修基金缴纳，身份证 {ID_NUMBER}，手机 {MOBILE}，退款卡号 {CARD}，请办理。"
QUERIES = ("维修基金", "维修", "基金 缴纳", "押金 OR 基金", "办理", "张三", "维修 type:payment", "身份证")
# Searches that find nothing: their suggestions' counts cover the visible pages only.
EMPTY_QUERIES = ("维修基金 乌龙茶", "押金 缴纳 乌龙茶", '"维修基金押金"')


# --- the engine: statistics over the visible pages --------------------------------------------


def _engine(path, hidden: bool) -> WhooshEngine:
    """Four ordinary documents; with ``hidden``, one confidential page full of the query's words
    indexed first (so every visible page's number in the index moves by one)."""
    e = WhooshEngine(path)
    pages = {
        1: [entry(1, 1, "业主申请维修基金缴纳，请于五月前办理。"), entry(1, 2, "维修基金 缴费明细")],
        2: [entry(2, 1, "关于维修基金缴纳的通知，维修基金按面积计")],
        3: [entry(3, 1, "装修押金收据 维修费 300 元", type="renovation")],
        4: [entry(4, 1, "基金缴纳回执 " * 3, title="回执")],
    }
    if hidden:
        pages = {
            9: [entry(9, 1, "维修基金 " * 40 + "押金 缴纳", confidential=True, title="身份证复印件")],
            **pages,
        }
    e.apply(pages)
    return e


def _answer(engine: WhooshEngine, q: Text, hide: bool):
    r = engine.search(EngineQuery(must=[q], hide_confidential=hide, limit=50))
    return r.total, r.pages, [(h.document, h.page, h.score) for h in r.hits], r.facets


def test_a_hidden_page_changes_no_score_or_order_of_the_visible_ones(tmp_path):
    plain, with_secret = _engine(tmp_path / "a", False), _engine(tmp_path / "b", True)
    for word in ("维修基金", "维修", "押金", "缴纳", "基金缴纳"):
        assert _answer(plain, Text(word), True) == _answer(with_secret, Text(word), True), word
    # A cleared role is scored over the whole index: there the page does count.
    assert _answer(plain, Text("维修基金"), False) != _answer(with_secret, Text("维修基金"), False)


def test_visible_statistics_count_only_live_visible_pages(tmp_path):
    from search.matching import VisibleStats

    e = _engine(tmp_path / "b", True)
    e.apply({3: []})  # a deleted page stays in its segment
    e.search(EngineQuery(must=[Text("维修")]))
    state = e._state()
    stats = state.cache[("stats", "visible")]
    assert isinstance(stats, VisibleStats)
    assert stats.pages == 4  # pages of documents 1, 2, 4
    assert stats.doc_frequency("text", "维修") == 3 and stats.doc_frequency("text", "押金") == 0


# --- two archives that differ only in one confidential page ------------------------------------


def _build(settings: Settings, with_secret: bool) -> dict:
    from dossier.setup import initialise

    initialise(settings, admin_password=ADMIN_PASSWORD)
    archive, console = Archive(settings), Actor.console()
    with archive.session() as session:
        add_user(session, console, "staff", "staff", "staff-password-1")
        add_user(session, console, "archivist", "archivist", "archivist-password-1")
        h1 = add_household(
            session, console, None, "A-3-1201", community="阳光花园", owner="张三", phone=MOBILE
        )
        h2 = add_household(session, console, None, "B-1-0502", community="阳光花园", owner="李四")
        session.flush()
        soon = localtime.today() + timedelta(days=30)
        docs = [
            add_doc(
                session, h1.id, "payment", "维修基金缴纳通知", [PERSONAL_PAGE, "第二页：维修基金 300 元"]
            ),
            add_doc(session, h1.id, "contract", "购房合同", ["购房合同 维修基金 按合同约定缴纳"]),
            add_doc(session, h2.id, "payment", "缴费通知", ["关于维修基金缴纳的说明，维修基金按面积计"]),
            add_doc(session, h2.id, "renovation", "装修申请表", ["装修押金收据 维修费 300 元"]),
        ]
        docs[3].disposal_date = soon
        if with_secret:
            secret = add_doc(
                session,
                h1.id,
                "id_document",
                "身份证复印件",
                ["维修基金 " * 30 + f"押金 缴纳 身份证 {ID_NUMBER}"],
                confidential=True,
            )
            secret.disposal_date = soon
            docs.insert(0, secret)  # indexed first: every visible page moves
        tokens = {u: issue_token(session, console, u, "tests") for u in ("staff", "archivist")}
        ids = {"households": [h1.id, h2.id], "documents": [d.id for d in docs]}
    IndexWriter(archive).notify(ids["documents"])
    return {"settings": settings, "tokens": tokens, **ids}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def twin_archives(request, tmp_path):
    """(plain, with one more confidential page), on SQLite or PostgreSQL."""
    cleanups, twins = [], []
    for name, with_secret in (("plain", False), ("secret", True)):
        url = None
        if request.param == "postgresql":
            gen = fresh_pg_database()
            url = next(gen)
            cleanups.append(gen)
        home = tmp_path / name
        home.mkdir()
        twins.append(_build(Settings.from_env(make_env(home, url)), with_secret))
    yield twins
    for gen in cleanups:
        next(gen, None)


def _api(client, token: str, path: str, **args):
    response = client.get(path, query_string=args or None, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, (path, response.get_data(as_text=True))
    return response.get_json()


def _staff_sees(twin: dict) -> dict:
    from dossier.dashboard import dashboard_counts
    from dossier.services.users import get_user
    from webapp import create_app

    client = create_app(twin["settings"], testing=True).test_client()
    token = twin["tokens"]["staff"]
    seen = {
        f"search {q}": _api(client, token, "/api/v1/search", q=q, limit=50) for q in QUERIES + EMPTY_QUERIES
    }
    seen["households"] = _api(client, token, "/api/v1/households")
    for hid in twin["households"]:
        seen[f"household {hid}"] = _api(client, token, f"/api/v1/households/{hid}")
    with Archive(twin["settings"]).session() as session:
        staff = Actor.from_user(get_user(session, "staff"), "web")
        seen["dashboard"] = dashboard_counts(session, staff)
    return seen


def test_staff_get_identical_answers_from_archives_differing_in_one_confidential_page(twin_archives):
    plain, secret = twin_archives
    seen = _staff_sees(plain)
    assert seen == _staff_sees(secret)
    fund = seen["search 维修基金"]
    assert fund["total"] == 3 and len({h["score"] for h in fund["hits"]}) > 1  # ranked, not tied
    assert seen["dashboard"]["documents"] == 4 and seen["dashboard"]["retention"]["due_soon"] == 1
    assert seen[f"household {plain['households'][0]}"]["catalog"]["completeness"] == 20.0
    assert seen["search 维修基金 乌龙茶"]["suggestions"] == [{"kind": "fewer", "q": "维修基金", "count": 3}]
    assert seen["search 押金 缴纳 乌龙茶"]["suggestions"] == []
    assert seen['search "维修基金押金"']["suggestions"] == []


def test_the_confidential_page_does_change_what_a_cleared_role_sees(twin_archives):
    from dossier.dashboard import dashboard_counts
    from webapp import create_app

    answers = []
    for twin in twin_archives:
        client = create_app(twin["settings"], testing=True).test_client()
        token = twin["tokens"]["archivist"]
        with Archive(twin["settings"]).session() as session:
            counts = dashboard_counts(session, Actor.console())
        answers.append(
            (
                _api(client, token, "/api/v1/search?q=维修基金")["total"],
                _api(client, token, f"/api/v1/households/{twin['households'][0]}")["catalog"]["completeness"],
                counts["documents"],
                counts["pages"],
                counts["retention"]["due_soon"],
                _api(client, token, "/api/v1/search", q="押金 缴纳 乌龙茶")["suggestions"],
            )
        )
    assert answers == [
        (3, 20.0, 4, 5, 1, []),
        (4, 40.0, 5, 6, 2, [{"kind": "fewer", "q": "押金 缴纳", "count": 1}]),
    ]


# --- personal numbers masked for staff ---------------------------------------------------------


def test_staff_snippets_show_no_whole_id_card_mobile_or_card_number(twin_archives, run_cli):
    twin = twin_archives[1]
    from webapp import create_app

    client = create_app(twin["settings"], testing=True).test_client()
    for user in ("staff", "archivist"):
        hit = _api(client, twin["tokens"][user], "/api/v1/search?q=张三 办理")["hits"][0]
        if user == "staff":
            assert (
                ID_NUMBER not in hit["snippet"]
                and MOBILE not in hit["snippet"]
                and CARD not in hit["snippet"]
            )
            assert "110***********1234" in hit["snippet"] and "*******8000" in hit["snippet"]
            assert "************7890" in hit["snippet"]
            # The marks land on the right characters after masking.
            assert "业主<mark>张三</mark>申请<mark>办理</mark>" in hit["snippet"]
            assert hit["snippet"].endswith("7890，请<mark>办理</mark>。")
        else:
            assert ID_NUMBER in hit["snippet"] and MOBILE in hit["snippet"]
    # Looking a number up in page text is withheld from staff alike, whether or not a page holds it.
    for number in (MOBILE, "13912345678"):
        body = _api(client, twin["tokens"]["staff"], f"/api/v1/search?q={number}")
        assert body["text_withheld"] and body["total"] == 0 and body["hits"] == []
    archivist_hit = _api(client, twin["tokens"]["archivist"], f"/api/v1/search?q={MOBILE}")["hits"][0]
    assert f"<mark>{MOBILE}</mark>" in archivist_hit["snippet"]


def test_staff_read_page_text_masked_in_the_api_and_the_cli(twin_archives, run_cli, monkeypatch):
    from webapp import create_app

    twin = twin_archives[0]
    doc_id = twin["documents"][0]
    client = create_app(twin["settings"], testing=True).test_client()
    staff = _api(client, twin["tokens"]["staff"], f"/api/v1/documents/{doc_id}")
    assert staff["pages"][0]["text"] == PERSONAL_PAGE.replace(ID_NUMBER, "110***********1234").replace(
        MOBILE, "*******8000"
    ).replace(CARD, "************7890")
    archivist = _api(client, twin["tokens"]["archivist"], f"/api/v1/documents/{doc_id}")
    assert archivist["pages"][0]["text"] == PERSONAL_PAGE
    for key, value in make_env(twin["settings"].home, twin["settings"].database_url).items():
        monkeypatch.setenv(key, value)
    shown = run_cli("--as", "staff", "doc", "show", str(doc_id))
    assert shown.exit_code == 0 and "110***********1234" in shown.stdout and ID_NUMBER not in shown.stdout
    assert MOBILE not in shown.stdout and CARD not in shown.stdout
    assert ID_NUMBER in run_cli("--as", "archivist", "doc", "show", str(doc_id)).stdout


# --- the web: viewer, print, search marks --------------------------------------------------------


@pytest.fixture
def personal_doc(web_archive, web_search_docs) -> int:
    """An ordinary document of household A-1-0101 whose page holds personal numbers (indexed)."""
    from tests.web_fixtures import web_add_document

    archive = Archive(web_archive.settings)
    with archive.session() as session:
        doc = web_add_document(session, web_archive.households["A-1-0101"], "payment", "退款申请")
        session.add(Page(document_id=doc.id, number=1, text=PERSONAL_PAGE, source="ocr"))
        doc.page_count = 1
        doc_id = doc.id
    IndexWriter(archive).notify([doc_id])
    return doc_id


def test_staff_see_personal_numbers_masked_in_the_viewer_and_the_print_view(
    web_client, web_login, personal_doc
):
    web_login(web_client, "staff")
    page = web_client.get(f"/documents/{personal_doc}?q=办理").get_data(as_text=True)
    ocr = re.search(r'<div class="ocr-text" id="ocr-text">(.*?)</div>', page, re.S).group(1)
    assert "110***********1234" in ocr and "*******8000" in ocr and "************7890" in ocr
    assert ocr.count("<mark>办理</mark>") == 2 and ocr.endswith("7890，请<mark>办理</mark>。")
    assert 'id="masked-note"' in page
    printed = web_client.get(f"/documents/{personal_doc}/print").get_data(as_text=True)
    for body in (page, printed):
        assert ID_NUMBER not in body and MOBILE not in body and CARD not in body
    assert "110***********1234" not in printed  # the print view prints page images, never their text

    web_client.post("/logout")
    web_login(web_client, "archivist")
    page = web_client.get(f"/documents/{personal_doc}").get_data(as_text=True)
    assert ID_NUMBER in page and 'id="masked-note"' not in page


def test_a_cleared_role_sees_a_confidential_snippet_only_after_giving_a_purpose(
    web_client, web_login, web_search_docs
):
    secret = web_search_docs.ids["secret"]
    web_login(web_client, "archivist")

    def secret_hit() -> str:
        body = web_client.get("/search?q=维修基金").get_data(as_text=True)
        return re.search(rf'<li class="hit" data-document="{secret}">(.*?)</li>', body, re.S).group(1)

    hit = secret_hit()
    assert "保密" in re.search(r'<div class="hit-head">(.*?)</div>', hit, re.S).group(1)
    assert "身份证号码" not in hit and "hit-withheld" in hit
    fund = web_client.get("/search?q=维修基金").get_data(as_text=True)
    assert "<mark>维修基金</mark>" in fund  # ordinary hits keep their snippet
    web_client.post(f"/documents/{secret}/purpose", data={"purpose": "核对业主身份"})
    hit = secret_hit()
    assert "保密" in hit and "<mark>维修基金</mark> 身份证号码 110101199003071234" in hit


# --- 404 for what one may not see ----------------------------------------------------------------

MISSING = 987654


def _same(a: str, a_id: int, b: str, b_id: int) -> bool:
    """The two answers are equal once each names its own id as "N"."""
    return re.sub(rf"\b{a_id}\b", "N", a) == re.sub(rf"\b{b_id}\b", "N", b)


def test_a_confidential_document_answers_staff_like_a_missing_one_on_the_web(
    web_client, web_login, web_archive, web_search_docs
):
    secret = web_search_docs.ids["secret"]
    web_login(web_client, "staff")
    for path in (
        "/documents/{}",
        "/documents/{}/pages/1/preview",
        "/documents/{}/original",
        "/documents/{}/print",
        "/documents/{}?page=1&q=身份证",
    ):
        hidden, missing = web_client.get(path.format(secret)), web_client.get(path.format(MISSING))
        assert hidden.status_code == missing.status_code == 404, path
        assert _same(hidden.get_data(as_text=True), secret, missing.get_data(as_text=True), MISSING), path
    hidden = web_client.post(f"/documents/{secret}/purpose", data={"purpose": "想看看"})
    missing = web_client.post(f"/documents/{MISSING}/purpose", data={"purpose": "想看看"})
    assert hidden.status_code == missing.status_code == 404
    hidden = web_client.post(f"/documents/{secret}/printed")
    missing = web_client.post(f"/documents/{MISSING}/printed")
    assert hidden.status_code == missing.status_code == 404
    assert _same(hidden.get_data(as_text=True), secret, missing.get_data(as_text=True), MISSING)

    with Archive(web_archive.settings).session() as session:
        denied = {
            e.action
            for e in session.scalars(
                select(AccessEvent).where(AccessEvent.outcome == "denied", AccessEvent.document_id == secret)
            )
        }
    assert denied >= {"document.view", "page.view", "document.download", "document.print"}


def test_a_confidential_document_answers_staff_like_a_missing_one_in_the_api(
    web_client, web_archive, web_search_docs
):
    secret = web_search_docs.ids["secret"]
    staff = {"Authorization": f"Bearer {web_archive.tokens['staff']}"}
    hidden = web_client.get(f"/api/v1/documents/{secret}", headers=staff)
    missing = web_client.get(f"/api/v1/documents/{MISSING}", headers=staff)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.get_json() == {
        "code": "document.not_found",
        "error": f"there is no document {secret}",
        "error_zh": f"没有编号为 {secret} 的文件。",
    }
    assert missing.get_json() == {
        "code": "document.not_found",
        "error": f"there is no document {MISSING}",
        "error_zh": f"没有编号为 {MISSING} 的文件。",
    }
    archivist = {"Authorization": f"Bearer {web_archive.tokens['archivist']}"}
    refused = web_client.get(f"/api/v1/documents/{secret}", headers=archivist)
    assert refused.status_code == 400 and "purpose" in refused.get_json()["error"]
    shown = web_client.get(f"/api/v1/documents/{secret}?purpose=核对", headers=archivist)
    assert shown.status_code == 200 and "110101199003071234" in shown.get_json()["pages"][0]["text"]


def test_a_confidential_document_answers_staff_like_a_missing_one_in_the_cli(
    archive, console, run_cli, tmp_path
):
    with archive.session() as session:
        add_user(session, console, "stf", "staff", "stf-password-1")
        household = add_household(session, console, None, "A-3-1201")
        session.flush()
        secret = add_doc(
            session, household.id, "id_document", "身份证复印件", ["身份证"], confidential=True
        ).id
    for command in (["doc", "show"], ["doc", "history"], ["doc", "export", "-o", str(tmp_path / "out")]):
        hidden = run_cli("--as", "stf", *command[:2], str(secret), *command[2:])
        missing = run_cli("--as", "stf", *command[:2], str(MISSING), *command[2:])
        assert hidden.exit_code == missing.exit_code, command
        assert _same(hidden.stderr, secret, missing.stderr, MISSING), command
        assert "身份证" not in hidden.stdout + hidden.stderr
    assert run_cli("--as", "stf", "doc", "show", str(secret)).exit_code == 3
    with archive.session() as session:
        denied = session.scalars(
            select(AccessEvent.action).where(
                AccessEvent.outcome == "denied", AccessEvent.document_id == secret
            )
        ).all()
    assert "document.view" in denied and "document.history" in denied


def test_staff_cannot_look_up_personal_numbers_in_page_text(archive):
    """Masked in snippets, so not confirmable through hits either: page text is not searched for
    a personal number (the same answer whether or not any page holds it); households still are."""
    from search.service import search_documents
    from search.writer import open_engine
    from tests.search_helpers import archivist_actor, staff_actor

    engine = open_engine(archive.settings)
    with archive.session() as session:
        for q in ("110101199003071234", "138 0013 8000", "6222 0202 0000 1234"):
            result = search_documents(session, staff_actor(), engine, q)
            assert result["text_withheld"] and result["hits"] == [] and result["total"] == 0
        assert not search_documents(session, archivist_actor(), engine, "110101199003071234")["text_withheld"]
        assert not search_documents(session, staff_actor(), engine, "维修")["text_withheld"]
