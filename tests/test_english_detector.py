"""The English-sentence detector the page crawler uses (tests/english.py)."""

from __future__ import annotations

import pytest

from tests.english import english_sentences


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("there is no document 999999", ["there is no document 999999"]),
        # A Chinese lead-in does not hide the English after it; codes do not end a sentence.
        ("记录已存在：household A-3-1201 already exists.", ["household A-3-1201 already exists"]),
        (
            "日期无效：the start date must be a date like 2024-01-31",
            ["the start date must be a date like 2024-01-31"],
        ),
        ("Not found", []),  # two words: a label, not a sentence
        ("Dossier · 一户一档", []),
        ("保存于 2026-12-04 11:23 UTC", ["UTC"]),
    ],
)
def test_sentences_are_found(text, found):
    assert english_sentences(text) == found


@pytest.mark.parametrize(
    "text",
    [
        "业户 A-3-1201 的档案已建立。",
        "校验值 SHA-256 与 SM3 一致",
        "导出 XLSX · CSV · PDF · JSON",
        "原件 scan.pdf、维修基金通知 2020.pdf",
        "OCR API URL IP 地址",
        "清册 XH-2026-0001 已批准",
        "A-1-0101\t阳光花园\t张三",
        "管理员 admin",
        "Dossier\n业户档案系统",
        "a b c d e",  # single letters are no words
    ],
)
def test_codes_and_chinese_pass(text):
    assert english_sentences(text) == []


def test_cells_and_lines_are_separate():
    """innerText puts table cells apart with tabs and rows with newlines: words in different
    cells make no sentence."""
    assert english_sentences("archived\tindexed\tqueued") == []
    assert english_sentences("archived\nindexed\nqueued") == []
    assert english_sentences("archived indexed queued") == ["archived indexed queued"]


def test_chinese_punctuation_ends_a_run():
    assert english_sentences("文件 alpha beta，gamma delta") == []
    assert english_sentences("文件 alpha beta, gamma delta") == ["alpha beta, gamma delta"]


def test_allowed_names_are_codes():
    assert english_sentences("admin archivist staff") == ["admin archivist staff"]
    assert english_sentences("admin archivist staff", allowed={"admin", "Archivist", "staff"}) == []
    assert english_sentences("admin reads documents", allowed={"admin"}) == []
