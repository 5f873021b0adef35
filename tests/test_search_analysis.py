"""Chinese analysis: folding, bigrams with consecutive positions, Latin words and digits."""

from search.analysis import BIGRAM, UNIGRAM, WORD, fold, query_terms, tokenize


def test_fold_keeps_length_and_maps_traditional_fullwidth_and_case():
    for text in ("水電表編號", "ＡＢＣ１２３", "業主DN-2019", "裝修押金收據"):
        assert len(fold(text)) == len(text)
    assert fold("水電表編號") == "水电表编号"
    assert fold("裝修押金收據") == "装修押金收据"
    assert fold("ＡＢＣ１２３") == "abc123"
    assert fold("DN-2019") == "dn-2019"
    assert fold("水电表编号") == "水电表编号"  # Simplified stays Simplified


def test_bigrams_have_consecutive_positions_and_unigrams_share_them():
    toks = list(tokenize("维修费"))
    bigrams = [(t.text, t.pos) for t in toks if t.kind == BIGRAM]
    unigrams = [(t.text, t.pos) for t in toks if t.kind == UNIGRAM]
    assert bigrams == [("维修", 0), ("修费", 1)]
    assert unigrams == [("维", 0), ("修", 1), ("费", 2)]


def test_digits_before_chinese_and_latin_words_are_kept():
    toks = [(t.text, t.kind) for t in tokenize("5单元A-3-1201室，车牌沪A12345，电话138-0013-8000")]
    assert ("5", WORD) in toks and ("单元", BIGRAM) in toks
    assert [t for t, k in toks if k == WORD][:4] == ["5", "a", "3", "1201"]
    assert ("12345", WORD) in toks and ("0013", WORD) in toks


def test_offsets_point_at_the_pages_own_characters():
    text = "業主：張三"
    for tok in tokenize(text):
        assert fold(text[tok.start : tok.end]).replace(" ", "") == tok.text


def test_line_breaks_inside_chinese_do_not_break_a_word():
    assert "基金" in [t.text for t in tokenize("维修基\n金")]


def test_query_terms_one_per_position():
    assert [t.text for t in query_terms("维修费")] == ["维修", "修费"]
    assert [t.text for t in query_terms("修")] == ["修"]
    assert [t.text for t in query_terms("5单元3")] == ["5", "单元", "元", "3"]
    assert [t.text for t in query_terms("A-3-1201")] == ["a", "3", "1201"]


def test_term_positions_are_what_tokenize_gives():
    """Indexing uses term_positions (no Token objects); it must give tokenize's terms exactly."""
    import random

    from search.analysis import term_positions

    def expected(text):
        out = {}
        for tok in tokenize(text):
            out.setdefault(tok.text, []).append(tok.pos)
        return out

    pages = [
        "",
        "维修费",
        "业主 申请\n维修 基金，5单元水電表編號 DN2019001，车牌沪A12345 A-3-1201 ＡＢＣ１２",
        "Straße ΑΒΓ 〇〇七 かな・カナ゛ 한국 _x_ ①② 3.14",
        "维 ",
        "  维  修  ",
        "漢字𠀀𠀁ab",
    ]
    for text in pages:
        assert term_positions(text) == expected(text), text
    rng = random.Random(4)
    alphabet = "维修基金缴纳業主 \n\t\u3000\u00a0aBc12_-.,，。①ÄßΩ〇か・゛한𠀀"
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        assert term_positions(text) == expected(text), text
