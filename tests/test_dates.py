"""The one date parser every entry point uses (``dossier.dates``)."""

from __future__ import annotations

from datetime import date

import pytest

from dossier.dates import parse_date, require_date
from dossier.errors import InvalidInput


@pytest.mark.parametrize(
    "text",
    [
        "2024-03-09",
        "2024-3-9",
        "2024/3/9",
        "2024/03/09",
        "2024.3.9",
        "2024年3月9日",
        "2024年03月09日",
        "  2024-03-09 ",
    ],
)
def test_the_accepted_forms(text):
    assert parse_date(text) == date(2024, 3, 9)


@pytest.mark.parametrize("value", [None, "", "   "])
def test_blank_is_no_date(value):
    assert parse_date(value) is None


def test_a_date_passes_through():
    assert parse_date(date(2020, 1, 2)) == date(2020, 1, 2)


@pytest.mark.parametrize(
    "text",
    [
        "yesterday",
        "May 5",
        "20240309",
        "2024-03",
        "2024/3-9",
        "09/03/2024",
        "2024-03-09T10:00",
        "2024年3月9",
        "２０２４-03-09",
        "24-3-9",
    ],
)
def test_other_forms_are_refused_with_the_accepted_ones_named(text):
    with pytest.raises(InvalidInput) as refused:
        parse_date(text, "--as-of")
    message = refused.value.message
    assert message.startswith("--as-of：日期格式应为 2024-03-09、2024/3/9、2024.3.9 或 2024年3月9日，收到：")
    assert message.endswith(text.strip())


@pytest.mark.parametrize("text", ["2024-02-30", "2023/2/29", "2024.13.1", "2024年0月1日"])
def test_days_that_do_not_exist_are_refused(text):
    with pytest.raises(InvalidInput, match="没有这一天"):
        parse_date(text)


def test_a_long_refused_value_is_shortened():
    with pytest.raises(InvalidInput) as refused:
        parse_date("x" * 500)
    assert len(refused.value.message) < 120 and refused.value.message.endswith("…")


def test_a_required_date():
    assert require_date("2024.3.9", "--due") == date(2024, 3, 9)
    with pytest.raises(InvalidInput, match="--due：请填写日期"):
        require_date("  ", "--due")
