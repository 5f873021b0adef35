"""The Whoosh engine on its own (real index in a tmp dir): phrases, OCR noise, folding, deletion."""

from datetime import date

import pytest

from search.engine import DateIn, EngineQuery, FieldIn, PageEntry
from search.query import Text
from search.whoosh_engine import WhooshEngine


def entry(doc, page, text, **kw):
    base = dict(
        document=doc,
        page=page,
        household="A-3-1201",
        community="阳光花园",
        building="A",
        names="张三",
        type="repair",
        title="报修单",
        date=date(2020, 5, 1),
        confidential=False,
        status="indexed",
        text=text,
    )
    base.update(kw)
    return PageEntry(**base)


@pytest.fixture
def engine(tmp_path):
    e = WhooshEngine(tmp_path / "index")
    e.apply(
        {
            1: [
                entry(1, 1, "业主申请维修基金缴纳，请于五月前办理。"),
                entry(1, 2, "附：5单元水電表編號 DN2019001，车牌沪A12345"),
            ],
            2: [entry(2, 1, "关于维俢基金缴纳的通知（扫描件）")],  # OCR misread 修 → 俢
            3: [entry(3, 1, "基金缴纳回执")],
            4: [
                entry(
                    4,
                    1,
                    "装修押金收据 维修费 300 元",
                    type="renovation",
                    building="B",
                    date=date(2019, 3, 2),
                    confidential=True,
                )
            ],
            5: [entry(5, 1, "物業管理費繳費記錄", type="payment", date=date(2021, 1, 5))],
        }
    )
    return e


def docs(engine, *must, hide=False, must_not=()):
    result = engine.search(
        EngineQuery(must=list(must), must_not=list(must_not), hide_confidential=hide, limit=50)
    )
    return sorted(h.document for h in result.hits)


def test_chinese_words_phrases_and_substrings(engine):
    assert docs(engine, Text("维修基金"), Text("办理")) == [1]
    assert docs(engine, Text("修费")) == [4]  # a substring inside unsegmented text
    assert docs(engine, Text("押")) == [4]  # one character
    assert docs(engine, Text("修")) == [1, 2, 3, 4, 5]  # (every title is 报修单)
    assert docs(engine, Text("基金缴纳", exact=True)) == [1, 2, 3]
    assert docs(engine, Text("维修基金缴纳", exact=True)) == [1]


def test_one_ocr_error_does_not_hide_a_phrase(engine):
    assert docs(engine, Text("维修基金缴纳")) == [1, 2]
    result = engine.search(EngineQuery(must=[Text("维修基金缴纳")], hide_confidential=False))
    assert result.hits[0].document == 1  # the exact match ranks first


def test_traditional_and_simplified_both_ways(engine):
    assert docs(engine, Text("水电表编号")) == [1]  # page reads 水電表編號
    assert docs(engine, Text("物业管理费")) == [5]  # page reads 物業管理費
    assert docs(engine, Text("裝修押金")) == [4]  # page reads 装修押金


def test_english_words_and_digits(engine):
    assert docs(engine, Text("DN2019001")) == [1]
    assert docs(engine, Text("a12345")) == [1]
    assert docs(engine, Text("12345")) == [1]
    assert docs(engine, Text("5单元")) == [1]
    assert docs(engine, Text("300")) == [4]
    assert docs(engine, Text("A-3-1201")) == []  # not in any page text


def test_filters_exclusion_and_grouping(engine):
    assert docs(engine, FieldIn("type", ("renovation",))) == [4]
    assert docs(engine, DateIn(date(2020, 1, 1), date(2020, 12, 31))) == [1, 2, 3]
    assert docs(engine, Text("基金"), must_not=[Text("通知")]) == [1, 3]
    result = engine.search(EngineQuery(must=[Text("维修")], hide_confidential=False))
    assert result.total == len({h.document for h in result.hits})


def test_confidential_documents_are_masked_everywhere(engine):
    shown = engine.search(EngineQuery(must=[Text("维修")], hide_confidential=False))
    hidden = engine.search(EngineQuery(must=[Text("维修")], hide_confidential=True))
    assert 4 in [h.document for h in shown.hits] and 4 not in [h.document for h in hidden.hits]
    assert hidden.total == shown.total - 1
    assert "renovation" in shown.facets["type"] and "renovation" not in hidden.facets["type"]
    assert "b" not in hidden.facets["building"] and "2019" not in hidden.facets["year"]


def test_deletion_takes_effect_for_an_open_searcher(engine):
    assert docs(engine, Text("维修基金")) == [1, 2]
    engine.apply({1: []})
    assert docs(engine, Text("维修基金")) == [2]
    assert 1 not in engine.documents()


def test_build_and_swap(engine, tmp_path):
    built = engine.build([entry(9, 1, "新的索引")])
    assert docs(engine, Text("索引")) == []
    engine.swap_in(built)
    assert docs(engine, Text("索引")) == [9]
    assert engine.documents() == {9: 1}


@pytest.fixture
def noisy(tmp_path):
    """One page per kind of OCR error in 维修基金缴纳 (and a nine-character phrase with two)."""
    e = WhooshEngine(tmp_path / "noisy")
    pages = {
        11: "关于维修基缴纳的说明",  # 金 dropped
        12: "关于维修基丶金缴纳的说明",  # a stroke read as 丶
        13: "关于锥修基金缴纳的说明",  # first character misread
        14: "关于维修基金缴呐的说明",  # last character misread
        15: "关于修基金缴纳的说明",  # first character dropped
        16: "另有基金缴纳回执",  # two characters missing: not the phrase
        17: "物业服务费用缴纳通知单",  # the nine-character phrase, exact
        18: "物叶服务费用缴呐通知单",  # the same with two misreads
        19: "物叶服务赞用缴呐通知单",  # three misreads: too many
    }
    e.apply({d: [entry(d, 1, t)] for d, t in pages.items()})
    return e


def test_ocr_tolerance_covers_dropped_added_and_end_characters(noisy):
    assert docs(noisy, Text("维修基金缴纳")) == [11, 12, 13, 14, 15]
    assert docs(noisy, Text("维修基金缴纳", exact=True)) == []


def test_two_ocr_errors_are_tolerated_in_a_long_word_only(noisy):
    result = noisy.search(EngineQuery(must=[Text("物业服务费用缴纳通知")], hide_confidential=False))
    assert [h.document for h in result.hits] == [17, 18]  # exact first
    assert docs(noisy, Text("业服务费用缴纳")) == [17]  # seven characters: one error at most


def test_filters_and_mask_apply_to_tolerant_matches(noisy):
    noisy.apply(
        {
            13: [entry(13, 1, "关于锥修基金缴纳的说明", confidential=True)],
            14: [entry(14, 1, "关于维修基金缴呐的说明", type="payment")],
        }
    )
    assert docs(noisy, Text("维修基金缴纳"), hide=True) == [11, 12, 14, 15]
    assert docs(noisy, Text("维修基金缴纳"), FieldIn("type", ("payment",))) == [14]
    result = noisy.search(EngineQuery(must=[Text("维修基金缴纳")], hide_confidential=True))
    assert result.total == 4 and result.total_exact
    assert result.facets["type"] == {"repair": 3, "payment": 1}


def test_several_segments_with_deletions(engine):
    engine.apply({6: [entry(6, 1, "维修基金缴纳补充", date=date(2022, 2, 2))]})
    engine.apply({7: [entry(7, 1, "维修基金缴纳补充", date=date(2022, 3, 3))]})
    engine.apply({6: []})
    assert docs(engine, Text("维修基金缴纳", exact=True)) == [1, 7]
    assert docs(engine, DateIn(date(2022, 1, 1), date(2022, 12, 31))) == [7]
    assert docs(engine, Text("补充"), DateIn(date(2022, 1, 1), None)) == [7]


def test_one_word_of_several_may_be_ocr_damaged(noisy):
    noisy.apply(
        {
            20: [entry(20, 1, "维修基金缴纳 装修押金退还")],
            21: [entry(21, 1, "锥修基金缴纳 装修押金退还")],  # one word damaged
            22: [entry(22, 1, "锥修基金缴纳 装修抻金退还")],
        }
    )  # both damaged
    result = noisy.search(
        EngineQuery(must=[Text("维修基金缴纳"), Text("装修押金退还")], hide_confidential=False)
    )
    assert [h.document for h in result.hits] == [20, 21]


def test_a_difference_many_pages_share_ranks_below_a_misreading(tmp_path):
    """广州安泰 on three pages is another company, 广州安居园休 on one page is 广州安居园林
    misread: the misreading ranks first although both are one character away."""
    e = WhooshEngine(tmp_path / "variants")
    e.apply(
        {
            30: [entry(30, 1, "乙方广州安居园林绿化有限公司")],
            31: [entry(31, 1, "乙方广州安居园休绿化有限公司，施工期间遵守本小区装修管理规定并承担相应责任")],
            **{d: [entry(d, 1, "乙方广州安泰园林绿化有限公司")] for d in (32, 33, 34)},
        }
    )
    result = e.search(EngineQuery(must=[Text("广州安居园林绿化")], hide_confidential=False))
    assert [h.document for h in result.hits][:2] == [30, 31]
    assert result.total == 5


def test_a_misread_word_lowers_the_whole_page_not_only_its_own_score(tmp_path):
    """Of two pages each with one word of the query not exact, the one with a misreading
    inside the word ranks above the one where the word differs at its end (another owner's
    name), even when the damaged word is the rarer, heavier one."""
    e = WhooshEngine(tmp_path / "weights")
    e.apply(
        {
            40: [entry(40, 1, "三室天花走开裂，收到业主邹娟英来电")],  # 天花板开裂 misread
            41: [entry(41, 1, "三室天花板开裂，收到业主李娟英来电")],  # another owner
            **{d: [entry(d, 1, "收到业主邹娟英缴纳的物业费")] for d in range(42, 52)},
        }
    )
    result = e.search(EngineQuery(must=[Text("室天花板开裂"), Text("收到业主邹")], hide_confidential=False))
    ranked = [h.document for h in result.hits]
    assert ranked.index(40) < ranked.index(41)


def test_a_query_matching_too_many_pages_reports_a_lower_bound(noisy, monkeypatch):
    from search import whoosh_engine

    full = noisy.search(EngineQuery(must=[Text("说明")], hide_confidential=False))
    assert full.total_exact and full.total == 5
    monkeypatch.setattr(whoosh_engine, "MAX_PAGES", 3)
    capped = noisy.search(EngineQuery(must=[Text("说明")], hide_confidential=False))
    assert not capped.total_exact and capped.total == 3 and len(capped.hits) == 3
    assert sum(capped.facets["type"].values()) == 3


def test_results_do_not_depend_on_the_postings_cache(noisy, monkeypatch):
    """The decoded-postings cache only saves time: with no room at all (every term read from
    the index each time) the results are the same."""
    from search.postings import term_cache

    queries = [[Text("维修基金缴纳")], [Text("说明")], [Text("维修")], [Text("维修基金缴纳"), Text("说明")]]

    def results():
        out = []
        for must in queries:
            r = noisy.search(EngineQuery(must=must, hide_confidential=False, limit=50))
            out.append(
                (r.total, r.pages, [(h.document, h.page, round(h.score, 6)) for h in r.hits], r.facets)
            )
        return out

    term_cache.clear()
    cached = results()
    assert term_cache.size_bytes > 0
    monkeypatch.setattr(term_cache, "max_bytes", 0)
    term_cache.clear()
    assert results() == cached and term_cache.size_bytes == 0


def test_an_index_of_the_old_format_asks_for_a_rebuild(tmp_path):
    """An index with Whoosh's own positions format and no FORMAT file (INDEX_FORMAT 1)."""
    from whoosh import fields as wf
    from whoosh import index as wi

    from search.whoosh_engine import FORMAT_FILE, IndexOutdated, make_schema

    e = WhooshEngine(tmp_path / "old")
    gen = e._new_generation()
    (gen / FORMAT_FILE).unlink()
    schema = make_schema()
    schema.remove("text")
    schema.add("text", wf.TEXT(phrase=True))  # Whoosh's own Positions format
    wi.create_in(str(gen), schema)
    e._point_current_at(gen)
    with pytest.raises(IndexOutdated, match="dossier index rebuild"):
        e.search(EngineQuery(must=[Text("维修")]))


@pytest.mark.parametrize("written", [None, "3\n", "garbage"])
def test_the_format_file_decides_whether_an_index_is_current(engine, written):
    """FORMAT missing or different: outdated, refused for searching, writing and listing; an
    unreadable table of contents (an older version's classes) is never opened to decide."""
    from search.whoosh_engine import FORMAT_FILE, INDEX_FORMAT, IndexOutdated

    live = engine.live_dir()
    assert (live / FORMAT_FILE).read_text().strip() == str(INDEX_FORMAT) and not engine.outdated()
    if written is None:
        (live / FORMAT_FILE).unlink()
    else:
        (live / FORMAT_FILE).write_text(written)
    for toc in live.glob("_*_*.toc"):
        toc.write_bytes(b"not a table of contents")
    assert engine.outdated() and engine.exists()
    with pytest.raises(IndexOutdated):
        engine.search(EngineQuery(must=[Text("维修")]))
    with pytest.raises(IndexOutdated):
        engine.apply({9: [entry(9, 1, "维修")]})
    with pytest.raises(IndexOutdated):
        engine.documents()


def test_a_fresh_folder_is_not_outdated(tmp_path):
    e = WhooshEngine(tmp_path / "none")
    assert not e.outdated() and not e.exists() and e.documents() == {}


def test_exactly_max_pages_matches_is_still_exact(noisy, monkeypatch):
    from search import whoosh_engine

    monkeypatch.setattr(whoosh_engine, "MAX_PAGES", 5)
    result = noisy.search(EngineQuery(must=[Text("说明")], hide_confidential=False))
    assert result.total_exact and result.total == 5
