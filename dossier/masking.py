"""Masking of personal numbers in page text, for roles without clearance for personal data.

What is masked (each only as a whole number, never digits inside a longer run):
* ID-card numbers: 18 characters (17 digits and a digit or X) or 15 digits, shown as the folder
  shows them (``110***********1234``: the first 3 and the last 4 kept);
* mainland mobile numbers: 1[3-9]x and 8 more digits, optionally grouped 3-4-4 by spaces or
  dashes, optionally after +86;
* bank-card numbers: 16 to 19 digits, run together or in groups of 4 (one space or dash).
Mobile and card numbers keep their last 4 digits (and +86). Masking keeps the text's length (each hidden
digit becomes ``*``, separators stay), so highlight offsets computed on the text stay valid.
"""

from __future__ import annotations

import re

MASK = "*"
KEEP_TAIL = 4
ID_HEAD = 3

_ID = r"\d{17}[\dXx](?![A-Za-z])|\d{15}"
_CARD = r"\d{4}(?:[ -]?\d{4}){3}(?:[ -]?\d{1,3})?"
_MOBILE = r"(?:\+86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}"
# Longest first at each place: a card or ID number is never cut into a mobile number.
_NUMBER = re.compile(rf"(?<![\d+])(?:(?P<id>{_ID})|(?P<card>{_CARD})|(?P<mobile>{_MOBILE}))(?!\d)")


def _hide(value: str, head: int = 0) -> str:
    """Every digit but the first ``head`` and the last 4 characters becomes ``*``; separators stay."""
    last = sum(c.isalnum() for c in value) - KEEP_TAIL
    out, seen = [], 0
    for c in value:
        if c.isalnum():  # digits, and the X of an ID number
            c = MASK if head <= seen < last else c
            seen += 1
        out.append(c)
    return "".join(out)


def _masked(match: re.Match[str]) -> str:
    value: str = match.group(0)
    if match.group("id"):
        return _hide(value, ID_HEAD)
    if value.startswith("+86"):  # the country code is not personal
        return value[:3] + _hide(value[3:])
    return _hide(value)


def mask_personal_numbers(text: str | None) -> str | None:
    """``text`` with ID-card, mobile and bank-card numbers masked (same length); None stays None."""
    if not text:
        return text
    return _NUMBER.sub(_masked, text)
