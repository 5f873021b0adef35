"""A search that finds nothing offers other searches (OCR spelling, other script, fewer words),
each counted as the user's own search; bad input (an unclosed quote, a bad date) is refused with
a reason by code."""

from __future__ import annotations

from datetime import date

import pytest

from dossier.errors import InvalidInput
from dossier.services.households import add_household
from search import hooks, suggestions
from search.query import ParsedQuery, Text, check_quotes, date_range, parse, unparse
from search.service import SearchFilters, search_documents
from search.writer import open_engine
from tests.search_helpers import add_doc, archivist_actor, staff_actor


@pytest.fixture
def catalog(archive, console):
    with archive.session() as session:
        h1 = add_household(session, console, None, "A-3-1201", community="阳光花园", owner="张三")
        h2 = add_household(session, console, None, "B-1-0502", community="阳光花园", owner="李四")
        session.flush()
        ids = {
            "fund": add_doc(
                session, h1.id, "payment", "缴费通知", ["业主申请维修基金缴纳，请于五月前办理。"]
            ).id,
            "noisy": add_doc(session, h2.id, "payment", "缴费说明", ["关于维俢基金缴纳的说明"]).id,
            "meter": add_doc(session, h2.id, "correspondence", "水表", ["水表编号 DN2O19001 已更换"]).id,
            "taxi": add_doc(session, h1.id, "correspondence", "往来函件", ["住户反映計程車在门口停放"]).id,
            "secret": add_doc(
                session,
                h1.id,
                "id_document",
                "证件",
                ["保密 身份证号码 护照"],
                confidential=True,
                document_date=date(2018, 1, 1),
            ).id,
        }
    for document_id in ids.values():
        hooks.document_changed(archive, document_id)
    return ids


def run(archive, actor, q, **kw):
    filters = SearchFilters(**{k: kw.pop(k) for k in list(kw) if k in SearchFilters.__dataclass_fields__})
    with archive.session() as session:
        return search_documents(session, actor, open_engine(archive.settings), q, filters, **kw)


def offered(result) -> list[tuple[str, str, int]]:
    return [(s["kind"], s["q"], s["count"]) for s in result["suggestions"]]


def test_a_quoted_phrase_is_offered_as_the_pages_spell_it(archive, console, catalog):
    result = run(archive, console, '"维修基金缴纳"', household="B-1-0502")
    assert result["total"] == 0
    assert offered(result) == [("ocr", '"维俢基金缴纳"', 1)]
    assert [h["document"] for h in run(archive, console, '"维俢基金缴纳"')["hits"]] == [catalog["noisy"]]


def test_digits_and_letters_ocr_confuses_are_tried(archive, console, catalog):
    result = run(archive, console, "dn2019001")
    assert result["total"] == 0 and offered(result) == [("ocr", "dn2o19001", 1)]


def test_the_other_script_with_its_vocabulary(archive, console, catalog):
    result = run(archive, console, "出租车")  # Taiwan writes 計程車
    assert result["total"] == 0 and offered(result) == [("script", "計程車", 1)]
    # Characters alone are no suggestion: the index already reads 維修 as 维修.
    assert run(archive, console, "維修基金")["total"] == 2


def test_fewer_words_drop_one_at_a_time_and_only_those_that_find_something(archive, console, catalog):
    result = run(archive, console, "维修基金 乌龙茶 办理")
    assert result["total"] == 0
    assert offered(result) == [("fewer", "维修基金 办理", 1)]
    # An exclusion is a word too; a query left with exclusions only is not offered.
    assert offered(run(archive, console, "说明 乌龙茶 -办理")) == [("fewer", "说明 -办理", 1)]


def test_suggestions_only_for_an_empty_result_and_not_when_unwanted(archive, console, catalog):
    assert run(archive, console, "维修基金")["suggestions"] == []
    assert run(archive, console, "维修基金 乌龙茶", suggestions_wanted=False)["suggestions"] == []


def test_suggestion_counts_cover_only_what_the_user_may_see(archive, console, catalog):
    """A word only a confidential page holds: nothing offered to staff, the count to the cleared."""
    assert offered(run(archive, staff_actor(), "身份证号码 乌龙茶")) == []
    assert offered(run(archive, archivist_actor(), "身份证号码 乌龙茶")) == [("fewer", "身份证号码", 1)]
    # The spellings come only from pages whose text the user may read (no purpose given here).
    assert offered(run(archive, archivist_actor(), '"身份证号妈护照"')) == [("ocr", "身份证号妈护照", 1)]


def test_an_unclosed_quote_is_refused_by_code(archive, console, catalog):
    for q in ('"维修基金', "维修 “装修押金", '"'):
        with pytest.raises(InvalidInput) as err:
            run(archive, console, q)
        assert err.value.code == "search.unclosed_quote", q
        assert "引号没有闭合" in err.value.render("zh")
    check_quotes('"维修基金" “装修押金”')  # closed: fine
    assert parse('"维修基金').must == [Text("维修基金", exact=True)]  # highlighting reads on


def test_bad_dates_explain_themselves_like_every_other_date(archive, console, catalog):
    with pytest.raises(InvalidInput) as err:
        run(archive, console, "维修", date_from="2021-02-30")
    assert err.value.code == "dates.no_such_day" and "文件日期自" in err.value.render("zh")
    with pytest.raises(InvalidInput) as err:
        run(archive, console, "date:2021-13")
    assert err.value.code == "search.not_a_date"
    with pytest.raises(InvalidInput) as err:
        run(archive, console, "date:2021..2019")
    assert err.value.code == "search.range_reversed"
    with pytest.raises(InvalidInput) as err:
        run(archive, console, "维修", date_from="2021-03-01", date_to="2021-02-01")
    assert err.value.code == "search.dates_reversed"
    assert date_range("2021年3月") == (date(2021, 3, 1), date(2021, 3, 31))
    assert date_range("2021/3/5..2021年3月9日") == (date(2021, 3, 5), date(2021, 3, 9))


def test_unparse_gives_the_parsed_query_back():
    for q in ('维修 "基金 缴纳" -投诉', "装修 OR 维修 type:装修", 'community:"阳光 花园" date:2019..2021'):
        parsed = parse(q)
        assert parse(unparse(parsed.must, parsed.must_not)) == parsed


def test_spellings_are_stretches_within_the_tolerance():
    texts = ["关于维俢基金缴纳的说明", "維俢基金", "维修基金"]
    assert suggestions.spellings("维修基金", texts) == ["维俢基金"]
    calls: list[str] = []

    def count(q: str) -> tuple[int, list[str]]:
        calls.append(q)
        return 0, []

    parsed = ParsedQuery(must=[Text(f"词{i}") for i in range(30)])
    assert suggestions.suggest(parsed, count) == []
    assert len(calls) == suggestions.MAX_CANDIDATES  # a long query costs a bounded number of searches
