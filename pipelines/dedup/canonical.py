"""Which copy of a text is the original, and which copy's body is stored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

#: A copy must have this many times the original's tokens to replace the original's
#: body as the stored one (the original was cut short: an excerpt or a teaser).
FULLER_RATIO = 1.2


@dataclass(frozen=True)
class Copy:
    """What the choice needs to know of one sighting."""

    id: int
    url: str
    published: str | None
    fetched_at: str
    tokens: int = 0  # normalised tokens; only :func:`choose_body` needs them
    final_url: str | None = None
    declared_original: str | None = None


def url_key(url: str) -> str:
    """``url`` without scheme, ``www.``, query, fragment and trailing slash."""
    parts = urlsplit(url)
    return f"{(parts.hostname or '').removeprefix('www.')}{parts.path.rstrip('/')}"


def utc_key(value: str | None) -> str:
    """An ISO 8601 date or time as a sortable UTC string ("" when missing); a time
    without an offset is taken as UTC, text that is not ISO sorts as written."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return value.strip()[:19].replace(" ", "T")
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="seconds")


def _date_key(copy: Copy) -> tuple[int, str, str, int]:
    published = utc_key(copy.published)
    return (0 if published else 1, published, utc_key(copy.fetched_at), copy.id)


def choose_original(copies: list[Copy]) -> Copy:
    """The original among ``copies`` (non-empty).

    A copy that another copy declares as its original ("原文链接", rel=canonical)
    wins; when declarations chain (C → B → A), their end wins. Otherwise the earliest
    published copy wins, then the earliest fetched one. Copies without a published
    date come after dated ones.
    """
    if not copies:
        raise ValueError("no copies to choose from")
    by_url: dict[str, Copy] = {}
    for copy in copies:
        for url in (copy.url, copy.final_url):
            if url:
                by_url.setdefault(url_key(url), copy)
    declared: dict[int, Copy] = {}
    for copy in copies:
        if copy.declared_original:
            target = by_url.get(url_key(copy.declared_original))
            if target is not None and target.id != copy.id:
                declared[copy.id] = target
    if declared:
        ends = []
        for start in declared.values():
            node, seen = start, {start.id}
            while node.id in declared and declared[node.id].id not in seen:
                node = declared[node.id]
                seen.add(node.id)
            ends.append(node)
        return min(ends, key=_date_key)
    return min(copies, key=_date_key)


def choose_body(copies: list[Copy], original: Copy) -> Copy:
    """The copy whose body is stored: the original's, unless another copy is fuller
    by :data:`FULLER_RATIO` (the original is an excerpt), then the fullest one."""
    fullest = max(copies, key=lambda c: (c.tokens, -c.id))
    if fullest.tokens > original.tokens * FULLER_RATIO:
        return fullest
    return original
