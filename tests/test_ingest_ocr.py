"""ingest.ocr: the right model per page, English kept, Chinese text cleaned, one run per page."""

from __future__ import annotations

import re
import subprocess

import pytest

from ingest.ocr import Word, clean_text, text_from_words
from tests.synthetic import cer, ocr_samples

CJK_SPACE_CJK = re.compile(
    r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef] +[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]"
)


@pytest.fixture(scope="module")
def samples():
    return ocr_samples()


def test_traditional_page_is_read_with_chi_tra(samples):
    sample = samples["traditional"]
    assert sample.result.language == "chi_tra"
    assert sample.result.script.method == "glyphs"
    assert sample.result.models.startswith("chi_tra")
    assert "物業服務費" in sample.result.text and "裝修申請" in sample.result.text
    assert cer(sample.truth, sample.result.text) < 0.05


def test_simplified_page_is_read_with_chi_sim(samples):
    sample = samples["simplified"]
    assert sample.result.language == "chi_sim"
    assert sample.result.models.startswith("chi_sim")
    assert "物业服务费" in sample.result.text and "装修申请" in sample.result.text
    assert cer(sample.truth, sample.result.text) < 0.05


@pytest.mark.parametrize("script", ["simplified", "traditional"])
def test_english_words_and_identifiers_come_out(samples, script):
    text = samples[script].result.text
    assert "Dossier" in text
    assert "ABC-123" in text
    assert "A-3-1201" in text
    assert "Dossier ABC-123" in text  # the space between Latin words is kept


@pytest.mark.parametrize("script", ["simplified", "traditional"])
def test_no_spaces_between_chinese_characters(samples, script):
    result = samples[script].result
    assert not CJK_SPACE_CJK.search(result.text), result.text
    # tesseract's own output did have them: the word list keeps single characters apart.
    assert len(result.words) > len(result.text.split())


@pytest.mark.parametrize("script", ["simplified", "traditional"])
def test_words_confidence_and_pdf(samples, script):
    sample = samples[script]
    result = sample.result
    assert 60 < result.confidence <= 100
    for word in result.words:
        assert 0 <= word.confidence <= 100
        assert word.left >= 0 and word.left + word.width <= sample.prepared.width
        assert word.top >= 0 and word.top + word.height <= sample.prepared.height
    layer = subprocess.run(
        ["pdftotext", result.pdf_path, "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "A-3-1201" in layer


def test_clean_text_removes_spaces_between_cjk_only():
    assert clean_text("物 业 服 务 费 ， 已 缴 纳 。") == "物业服务费，已缴纳。"
    assert clean_text("房号 A-3-1201 业主 王 建 国") == "房号 A-3-1201 业主王建国"
    assert clean_text("Dossier ABC-123 and 2.80 元") == "Dossier ABC-123 and 2.80 元"
    # ASCII punctuation next to Chinese is a misread of the full-width form
    assert clean_text("房号: A-3-1201, 业主:王建国") == "房号：A-3-1201，业主：王建国"
    assert clean_text("电话 400-820-6688 , 或发送邮件") == "电话 400-820-6688，或发送邮件"
    assert clean_text("Tel: 138, mobile") == "Tel: 138, mobile"
    assert clean_text("第一行  \n\n\n\n第二行\n") == "第一行\n\n第二行"
    # bracket halves, full stops and stray quotes misread by tesseract
    assert clean_text("室(房号 B-2-1503)建筑") == "室（房号 B-2-1503）建筑"
    assert clean_text("门禁卡4张〈编号 IC-88012）。") == "门禁卡4张（编号 IC-88012）。"
    assert clean_text("验收合格后退还o\n存档°") == "验收合格后退还。\n存档。"
    assert clean_text("王建国 ”联系电话") == "王建国联系电话"
    assert clean_text("称为“一户一档”。") == "称为“一户一档”。"
    assert clean_text("Hello o world (see note)") == "Hello o world (see note)"


def test_text_from_words_drops_noise_and_joins_chinese_without_spaces():
    def word(text, conf, line=1, par=1):
        return Word(text, conf, 0, 0, 10, 10, 1, par, line)

    words = [
        word("业主", 95),
        word("姓名", 93),
        word(":", 90),
        word("王建国", 91),
        word("”", 0.0),
        word("”联系", 12.0),
        word("电话", 90),
        word("Dossier", 96, line=2),
        word("ABC-123", 92, line=2),
        word("2024", 95, line=3, par=2),
        word("年", 96, line=3, par=2),
    ]
    assert text_from_words(words) == "业主姓名：王建国联系电话\nDossier ABC-123\n\n2024年"


def test_a_wrong_guess_is_caught_on_the_page_and_read_again(samples, tmp_path):
    from ingest.ocr import ScriptGuess, ocr_page

    sample = samples["traditional"]
    # The previous page of the document was Simplified: that is the first guess, and the page's
    # own glyphs overrule it.
    result = ocr_page(sample.prepared, tmp_path / "page.pdf", prior=ScriptGuess("chi_sim", "glyphs"))
    assert result.language == "chi_tra" and result.models.startswith("chi_tra")
    assert result.script.method == "glyphs" and result.script.evidence > 0
    assert cer(sample.truth, result.text) < 0.05


def test_a_right_guess_from_the_previous_page_is_kept(samples, tmp_path):
    from ingest.ocr import ScriptGuess, ocr_page

    sample = samples["simplified"]
    result = ocr_page(sample.prepared, tmp_path / "page.pdf", prior=ScriptGuess("chi_sim", "glyphs"))
    assert result.language == "chi_sim" and result.script.evidence < 0
    assert result.text == sample.result.text


@pytest.mark.parametrize("engine", ["tesserocr", "command"])
def test_an_image_path_with_a_band_is_read_in_its_script(samples, tmp_path, monkeypatch, engine):
    from dossier.config import Settings
    from ingest import tesseract
    from ingest.ocr import ocr_page

    monkeypatch.setattr(tesseract, "_choice", tesseract._choice)  # put back afterwards
    tesseract.configure(Settings.from_env({"DOSSIER_OCR_ENGINE": engine}))
    assert tesseract.engine_name() == engine
    sample = samples["traditional"]
    result = ocr_page(
        sample.prepared.path,
        tmp_path / "page.pdf",
        text_box=sample.prepared.text_box,
        dpi=sample.prepared.dpi,
    )
    assert result.language == "chi_tra" and cer(sample.truth, result.text) < 0.05
    layer = subprocess.run(
        ["pdftotext", result.pdf_path, "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "A-3-1201" in layer
