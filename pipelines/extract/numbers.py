"""Counts as pages show them: "阅读 206,378", "1.2万", "3.4k", "12 likes"."""

from __future__ import annotations

import re

_NUMBER = re.compile(r"(\d+(?:[.,]\d+)*)\s*(万|千|亿|[wkm](?![a-z]))?", re.IGNORECASE)
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


_AMOUNT = r"(\d+(?:[.,]\d+)*\s*(?:万|千|亿|[wkm](?![a-z]))?)"
#: Labels of the counts shown beside a listed story: Chinese pages put the label first
#: ("阅读 206,378"), English ones after the number ("12 likes").
_LABELS = {
    "reads": (r"阅读|浏览", r"reads?|views?"),
    "comments": (r"评论|回复", r"comments?|responses?|replies"),
    "likes": (r"点赞|赞|喜欢", r"likes?|claps?|hearts?"),
}
_LABELLED = {
    kind: (
        re.compile(rf"(?:{zh})\s*[:：(（]?\s*{_AMOUNT}"),
        re.compile(rf"{_AMOUNT}\s*(?:{en})\b", re.IGNORECASE),
        re.compile(rf"{_AMOUNT}\s*(?:次|人|个)?\s*(?:{zh})"),
        re.compile(rf"\b(?:{en})\s*[:(]?\s*{_AMOUNT}", re.IGNORECASE),
    )
    for kind, (zh, en) in _LABELS.items()
}


def labelled_counts(text: str) -> dict[str, int | None]:
    """``{"reads", "comments", "likes"}`` counts found next to their label in ``text``
    ("阅读 206,378", "评论 6", "1.2万阅读", "12 likes"); None when not shown."""
    found: dict[str, int | None] = {}
    for kind, patterns in _LABELLED.items():
        match = next((m for m in (p.search(text) for p in patterns) if m), None)
        found[kind] = parse_count(match.group(1)) if match else None
    return found
