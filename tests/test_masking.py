"""Masking of personal numbers in page text (dossier.masking): each pattern, and what is left alone."""

from __future__ import annotations

import pytest

from dossier.fieldcrypt import mask_id_number
from dossier.masking import mask_personal_numbers as mask


@pytest.mark.parametrize(
    "text, masked",
    [
        ("身份证号码 110101199003071234。", "身份证号码 110***********1234。"),
        ("身份证：11010119850101002X", "身份证：110***********002X"),
        ("11010119850101002x号", "110***********002x号"),
        ("旧证 110101850101002 已换", "旧证 110********1002 已换"),
    ],
)
def test_id_card_numbers_are_masked_as_the_folder_masks_them(text, masked):
    assert mask(text) == masked
    assert mask_id_number("110101199003071234") in mask("110101199003071234")


@pytest.mark.parametrize(
    "text, masked",
    [
        ("手机13800138000", "手机*******8000"),
        ("电话 138 0013 8000 联系", "电话 *** **** 8000 联系"),
        ("138-0013-8000", "***-****-8000"),
        ("+86 138 0013 8000", "+86 *** **** 8000"),
        ("+86-13912345678", "+86-*******5678"),
        ("+8619912345678", "+86*******5678"),
    ],
)
def test_mobile_numbers_are_masked_with_or_without_grouping_and_country_code(text, masked):
    assert mask(text) == masked


@pytest.mark.parametrize(
    "text, masked",
    [
        ("卡号 6222021234567890", "卡号 ************7890"),
        ("卡号6222021234567890123。", "卡号***************0123。"),
        ("6222 0212 3456 7890", "**** **** **** 7890"),
        ("6222-0212-3456-7890-123", "****-****-****-***0-123"),
    ],
)
def test_bank_card_numbers_are_masked_run_together_or_in_groups_of_four(text, masked):
    assert mask(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "2023-05-18",
        "2023年5月18日",
        "20230518",
        "2023.05.18 09:30",
        "¥12,345.67",
        "金额 1234567.89 元",
        "300 元",
        "档案编号 YG-R00001",
        "销毁清册 XH2024-001",
        "表号 DN2019001",
        "021-5555-1234",
        "0755-86001234",
        "(010) 6512 3456",
        "010-65123456",
        "12345678901",
        "138001380001",
        "1234567890123456789012",
        "统一社会信用代码：91440300MA5F2K7X3Q",
    ],
)
def test_dates_amounts_archive_numbers_and_landlines_are_left_alone(text):
    assert mask(text) == text


def test_masking_keeps_the_length_and_every_other_character():
    text = "甲方：王建国　身份证号：440305198207153216　手机 139-1234-5678，卡号 6222 0212 3456 7890。"
    masked = mask(text)
    assert len(masked) == len(text)
    assert [i for i, (a, b) in enumerate(zip(text, masked, strict=True)) if a != b] == [
        i for i, c in enumerate(masked) if c == "*"
    ]
    assert "440305198207153216" not in masked and "13912345678" not in masked.replace("-", "")
    assert masked.count("*") == 11 + 7 + 12


def test_empty_text_is_returned_as_it_is():
    assert mask(None) is None and mask("") == ""
