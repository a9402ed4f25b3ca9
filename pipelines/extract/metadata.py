"""Title, author, dates, language and the declared original of a page."""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from datetime import UTC, date, datetime, timedelta, timezone
from urllib.parse import urljoin

import numpy as np
from lxml.html import HtmlElement

from pipelines.extract.html import node_text
from pipelines.extract.selectors import PageIndex, select

_CDATA = re.compile(r"^\s*(?://\s*)?<!\[CDATA\[|\]\]>\s*(?://)?\s*$")
_TITLE_SEPARATORS = re.compile(r"\s+[-|_–—·]\s+|\s*[|_]\s*")
#: Code point ranges counted by :func:`detect_lang`.
_HAN = (0x3400, 0x9FFF)
_KANA = (0x3040, 0x30FF)
_HANGUL = (0xAC00, 0xD7AF)
_CYRILLIC = (0x0400, 0x04FF)
_ASCII_LOWER = (ord("a"), ord("z"))  # ``codes | 32`` folds A-Z onto a-z
_DATE = re.compile(
    r"(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?"
    # an offset: "Z", "+08:00", or "-04:00" apart from the time ("10:00-12:00" is a range)
    r"(?:[\sT]*(\d{1,2}):(\d{2})(?::(\d{2}))?)?(Z|\s*\+\d{2}:?\d{2}|\s+-\d{2}:?\d{2})?"
)
_ORIGINAL_MARKERS = re.compile(
    r"(?:原文链接|原文地址|本文转载自|转载自|文章来源|原文出处|来源|出处|Originally published at|"
    r"Originally posted (?:at|on)|"
    r"This (?:post|article) (?:was )?(?:originally )?(?:published|appeared) (?:at|on)|"
    r"Source)\s*[:：]?\s*(https?://[^\s<>\"'，。)）]+)",
    re.IGNORECASE,
)


def first_match(
    root: HtmlElement, selectors: tuple[str, ...], attr: str | None = None, index: PageIndex | None = None
) -> str | None:
    """Text (or ``attr``) of the first element matching one of ``selectors``."""
    for selector in selectors:
        for el in select(root, selector, index):
            value = el.get(attr) if attr else (el.get("content") if el.tag == "meta" else node_text(el))
            if value and value.strip():
                return " ".join(value.split())
    return None


_LAST_METAS = threading.local()


def _metas(root: HtmlElement) -> dict[str, str]:
    """``{property/name/itemprop (case-folded): content}`` of the head's metas, first one wins.

    The index of the last tree asked about is kept (per thread, holding the tree so its identity
    stays unique), so the several look-ups of one extraction read the head once.
    """
    cached = getattr(_LAST_METAS, "value", None)
    if cached is not None and cached[0] is root:
        return cached[1]
    index: dict[str, str] = {}
    head = root.find("head")
    for el in head.iter("meta") if head is not None else ():
        content = el.get("content")
        if not content or not content.strip():
            continue
        for attr in ("property", "name", "itemprop"):
            key = (el.get(attr) or "").casefold()
            if key and key not in index:
                index[key] = " ".join(content.split())
    _LAST_METAS.value = (root, index)
    return index


def forget_metas() -> None:
    """Drop this thread's cached head index (and with it the last tree)."""
    _LAST_METAS.value = None


def meta_content(root: HtmlElement, *names: str) -> str | None:
    """The first non-empty ``content`` of a ``<meta>`` in the head called one of ``names``
    (by ``property``, ``name`` or ``itemprop``, case-insensitive)."""
    index = _metas(root)
    for name in names:
        value = index.get(name.casefold())
        if value:
            return value
    return None


def json_ld(root: HtmlElement) -> list[dict]:
    """Objects from ``<script type="application/ld+json">`` blocks."""
    found: list[dict] = []
    for script in root.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(_CDATA.sub("", script.text or "").strip())
        except (json.JSONDecodeError, TypeError):
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                found.append(item)
                stack.extend(v for k, v in item.items() if k == "@graph")
    return found


def clean_title(raw: str | None, site_names: tuple[str, ...] = ()) -> str | None:
    """Strip a " - Site name" suffix from a document title."""
    if not raw:
        return None
    title = " ".join(raw.split())
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) > 1:
        longest = max(parts, key=len)
        if len(longest) >= 6:
            return longest.strip()
    return title


#: No time zone is further from UTC than this.
_MAX_OFFSET = timedelta(hours=14)


def _zone(offset: str | None) -> timezone | None:
    """A fixed offset like ``+08:00`` as a tzinfo, or None."""
    match = re.fullmatch(r"([+-])(\d{2}):?(\d{2})", offset or "")
    if not match:
        return UTC if offset == "Z" else None
    sign, hours, minutes = match.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes))
    if delta > _MAX_OFFSET or int(minutes) > 59:  # a time range ("20:00-22:00"), not an offset
        return None
    return timezone(-delta if sign == "-" else delta)


#: Dates that are placeholders, not dates: any year before 1900 (``0001-01-01`` from an
#: empty CMS field), the first day of 1900, and the Unix epoch (also as the day before,
#: in a time zone west of UTC). A digitised 1985 article keeps its date.
MIN_YEAR = 1900
PLACEHOLDER_DAYS = frozenset({"1900-01-01", "1969-12-31", "1970-01-01"})


def normalise_date(raw: str | None, tz: str | None = None) -> str | None:
    """An ISO 8601 date, with time and offset when known, from common page formats; None
    for what does not parse or is a placeholder (see :data:`PLACEHOLDER_DAYS`).

    :param tz: the platform's time zone (``+08:00``), when known: assumed for times given
        without an offset, and machine-readable (ISO 8601) times given with another are
        shown in it (the same instant, on the calendar day the platform's pages show)
    """
    value = _parsed_date(raw, tz)
    if value is None or int(value[:4]) < MIN_YEAR or value[:10] in PLACEHOLDER_DAYS:
        return None
    return value


def _parsed_date(raw: str | None, tz: str | None) -> str | None:
    if not raw:
        return None
    raw = raw.strip()
    if re.fullmatch(r"\d{10}(?:\d{3})?", raw):  # a Unix timestamp, in seconds or milliseconds
        return datetime.fromtimestamp(int(raw[:10]), _zone(tz) or UTC).isoformat()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        try:
            return date.fromisoformat(raw).isoformat()
        except ValueError:
            return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        value = None
    if value is not None and value.utcoffset() is not None and "T" not in raw.upper():
        value = None  # "2019-05-03 10:00-12:00" is a printed time range: read below, as text
    if value is not None:
        if _zone(tz):  # the platform's local time, as its pages show it (same instant)
            value = value.replace(tzinfo=_zone(tz)) if value.tzinfo is None else value.astimezone(_zone(tz))
        return value.isoformat()
    match = _DATE.search(raw)
    if not match:
        return _named_month_date(raw, tz)
    year, month, day, hour, minute, second, zone = match.groups()
    try:
        value = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
    except ValueError:
        return None
    if not hour:
        return value.date().isoformat()
    zone_info = _zone((zone or "").strip()) or _zone(tz)
    return (value.replace(tzinfo=zone_info) if zone_info else value).isoformat()


#: Month names as blogs print them (English, German, French, Spanish, Portuguese, Italian, Dutch).
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            "jan january januar janvier enero janeiro gennaio januari",
            "feb february februar février fevrier febrero fevereiro febbraio februari",
            "mar march märz maerz mars marzo março maart",
            "apr april avril abril aprile",
            "may mai mayo maio maggio mei",
            "jun june juni juin junio junho giugno",
            "jul july juli juillet julio julho luglio",
            "aug august août aout agosto augustus",
            "sep sept september septembre septiembre setembro settembre",
            "oct october oktober octobre octubre outubro ottobre",
            "nov november novembre noviembre novembro",
            "dec december dezember décembre decembre diciembre dezembro dicembre",
        ],
        start=1,
    )
    for name in names.split()
}
_MONTH_WORD = r"([^\W\d_]{3,10})\.?"
_DAY = r"(\d{1,2})(?:st|nd|rd|th|\.)?"
_CLOCK = r"(?:,?\s*(?:at\s+|um\s+|à\s+)?(\d{1,2}):(\d{2})\s*([ap]\.?m\.?)?)?"
_NAMED_DATES = (
    # "May 12th, 2024, 05:20 pm", "Mai 03, 2017"
    (re.compile(_MONTH_WORD + r"\s+" + _DAY + r",?\s+(\d{4})" + _CLOCK, re.IGNORECASE), ("m", "d", "y")),
    # "26 Sep 2020", "3. Mai 2017"
    (
        re.compile(_DAY + r"\s+(?:de\s+)?" + _MONTH_WORD + r",?\s+(?:de\s+)?(\d{4})" + _CLOCK, re.IGNORECASE),
        ("d", "m", "y"),
    ),
)


def _named_month_date(raw: str, tz: str | None) -> str | None:
    """A date written with a month name, with its time when shown."""
    for pattern, order in _NAMED_DATES:
        for match in pattern.finditer(raw):
            parts = dict(zip(order, match.groups()[:3], strict=True))
            month = _MONTHS.get(parts["m"].lower())
            if not month:
                continue
            hour, minute, half = match.groups()[3:]
            try:
                day = date(int(parts["y"]), month, int(parts["d"]))
            except ValueError:
                continue
            if hour is None:
                return day.isoformat()
            h = int(hour) % 12 + (12 if half and half.lower().startswith("p") else 0) if half else int(hour)
            try:
                value = datetime(day.year, day.month, day.day, h, int(minute))
            except ValueError:
                return day.isoformat()
            zone = _zone(tz)
            return (value.replace(tzinfo=zone) if zone else value).isoformat()
    return None


_FOLLOW_WORDS = re.compile(r"\s*(?:\+\s*)?(?:已关注|关注|Follow(?:ing)?|Subscribe)\s*$", re.IGNORECASE)


#: A byline's leading word: "By Jane Doe", "作者：张三" (other languages' words for "by"
#: begin real names too: "Von Miller", "Di Wang")
_BYLINE_PREFIX = re.compile(r"^by:?\s+(?=\S)|^作者\s*[:：]\s*", re.IGNORECASE)
_URL_LIKE = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)


def clean_author(raw: str | None) -> str | None:
    """A display name: no "By" before it, no trailing follow button text; not a bare
    number, not a URL, not a sentence."""
    if not raw:
        return None
    name = _FOLLOW_WORDS.sub("", " ".join(raw.split())).strip(" ·|,:：")
    name = _BYLINE_PREFIX.sub("", name).strip(" ·|,:：")
    if not name or name.isdigit() or len(name) > 80 or _URL_LIKE.match(name):
        return None
    return name


#: Frequent short words of the Latin-script languages seen most on blogs (a vote, not a model).
_STOPWORD_TEXT = {
    "en": "the and of to is in that it for with as was on are this be you",
    "de": "der die und das ist nicht ich mit sich auf für ein eine den zu",
    "fr": "le la les et des est une pour que qui dans pas sur du au",
    "es": "el la los las y que en del por una para con es se",
    "pt": "o os as e que em do da uma para com não por se",
    "it": "il di che e la per una sono non del della gli con",
    "nl": "de het een en van is dat niet op te zijn met voor",
}
STOPWORDS = {lang: frozenset(words.split()) for lang, words in _STOPWORD_TEXT.items()}
_WORD = re.compile(r"[^\W\d_]+")


def _in_range(codes: np.ndarray, bounds: tuple[int, int]) -> int:
    return int(np.count_nonzero((codes >= bounds[0]) & (codes <= bounds[1])))


def detect_lang(root: HtmlElement, text: str) -> str | None:
    """The body's language: CJK by script, Latin-script languages by frequent words,
    else ``<html lang>`` or ``og:locale``."""
    sample = text[:4000]
    codes = np.frombuffer(sample.encode("utf-32-le"), dtype=np.uint32)  # counted 10x faster than by regex
    han, kana, hangul = _in_range(codes, _HAN), _in_range(codes, _KANA), _in_range(codes, _HANGUL)
    if not kana and not hangul and han >= 20 and han * 10 > _in_range(codes | 32, _ASCII_LOWER):
        return "zh"  # decided whatever the word count below (it counts only ASCII letters)
    words = _WORD.findall(sample.lower())
    latin = sum(len(w) for w in words if w.isascii())
    if kana and kana > han / 10 and kana + han > latin / 4:
        return "ja"
    if hangul > latin / 4 and hangul > han:
        return "ko"
    if han >= 20 and han > latin / 10:  # Chinese tech posts quote a lot of code
        return "zh"
    if _in_range(codes, _CYRILLIC) > latin:
        return "ru"
    counts = Counter(words)
    votes = {lang: sum(counts[w] for w in stop) for lang, stop in STOPWORDS.items()}
    best = max(votes, key=votes.__getitem__)
    if votes[best] >= 5 and votes[best] >= 2 * sorted(votes.values())[-2]:
        return best
    lang = root.get("lang") or meta_content(root, "og:locale", "language")
    if lang:
        return lang.replace("_", "-").split("-")[0].lower()
    return None


def declared_original(root: HtmlElement, body_text: str, url: str | None) -> str | None:
    """The URL a page says it was copied from: ``rel=canonical`` or ``og:url`` pointing to
    another page, or a 原文链接/转载自/"Originally published at" marker in the text."""
    match = _ORIGINAL_MARKERS.search(body_text) if "http" in body_text else None
    if match:
        return match.group(1).rstrip(".,;")
    for href in root.xpath('//link[@rel="canonical"]/@href') + [meta_content(root, "og:url") or ""]:
        href = href.strip()
        if not href:
            continue
        absolute = urljoin(url or "", href)
        if url and _same_page(absolute, url):
            continue
        if url:
            return absolute
    return None


_SOURCE_MARKER = re.compile(
    r"(?:文章来源|来源|來源|本文转载自|转载自|轉載自|出处|出處)\s*[:：]\s*"
    r"(?!https?://)([^\s，。,;；|()（）<>《》]{2,30})"
)
_SOURCE_PREFIX = re.compile(r"^\s*(?:文章来源|来源|來源|出处|Source)\s*[:：]\s*", re.IGNORECASE)


def declared_source(root: HtmlElement, body_text: str, found: str | None) -> str | None:
    """The outlet a page says it reposts: the platform's source element (``found``), a
    ``<meta name="source">``, or a 来源：/转载自： line in the body (names, not URLs; image
    credits such as "Source: Shutterstock" are not reposts)."""
    for raw in (found, meta_content(root, "source")):
        if raw:
            words = _SOURCE_PREFIX.sub("", raw).split()
            if words and not words[0].startswith("http"):
                return words[0]
    match = _SOURCE_MARKER.search(body_text[:600]) or _SOURCE_MARKER.search(body_text[-600:])
    return match.group(1) if match else None


def _same_page(a: str, b: str) -> bool:
    def key(u: str) -> str:
        return re.sub(r"^https?://(www\.)?", "", u.split("#")[0].split("?")[0]).rstrip("/")

    return key(a) == key(b)
