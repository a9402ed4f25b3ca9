"""Counts as pages show them: "阅读 206,378", "1.2万", "3.4k", "12 likes"."""

from __future__ import annotations

import re

_NUMBER = re.compile(r"(\d+(?:[.,]\d+)*)\s*(万|w|千|k|m|亿)?", re.IGNORECASE)
_GROUPED = re.compile(r"\d{1,3}(?:[.,]\d{3})+")
_MULTIPLIERS = {"万": 10_000, "w": 10_000, "千": 1_000, "k": 1_000, "m": 1_000_000, "亿": 100_000_000}


def parse_count(text: str | None) -> int | None:
    """The first count in ``text`` as an int, or None when there is none."""
    if not text:
        return None
    match = _NUMBER.search(text)
    if not match:
        return None
    digits, unit = match.groups()
    if unit:
        value = float(digits.replace(",", ""))
        return int(round(value * _MULTIPLIERS[unit.lower()]))
    if _GROUPED.fullmatch(digits):
        return int(re.sub(r"[.,]", "", digits))
    return int(float(digits.replace(",", ".")))
