"""Title, author, dates, language and the declared original of a page."""

from __future__ import annotations

import json
import re
import threading
from datetime import datetime
from urllib.parse import urljoin

from lxml.html import HtmlElement

from pipelines.extract.html import node_text
from pipelines.extract.selectors import PageIndex, select

_TITLE_SEPARATORS = re.compile(r"\s+[-|_–—·]\s+|\s*[|_]\s*")
_CJK = re.compile(r"[\u3400-\u9fff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_DATE = re.compile(
    r"(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?"
    r"(?:[\sT]*(\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*(Z|[+-]\d{2}:?\d{2})?"
)
_ORIGINAL_MARKERS = re.compile(
    r"(?:原文链接|原文地址|本文转载自|转载自|文章来源|原文出处|来源|出处|Originally published at|"
    r"Originally posted (?:at|on)|This (?:post|article) (?:was )?(?:originally )?(?:published|appeared) (?:at|on)|"
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
            data = json.loads(script.text or "")
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


def normalise_date(raw: str | None) -> str | None:
    """An ISO 8601 date (with time and offset when known) from common page formats."""
    if not raw:
        return None
    raw = raw.strip()
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00")).isoformat()
    except ValueError:
        pass
    match = _DATE.search(raw)
    if not match:
        return None
    year, month, day, hour, minute, second, zone = match.groups()
    try:
        value = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
    except ValueError:
        return None
    text = value.isoformat() if hour else value.date().isoformat()
    if hour and zone:
        text += "+00:00" if zone == "Z" else (zone if ":" in zone else f"{zone[:3]}:{zone[3:]}")
    return text


def detect_lang(root: HtmlElement, text: str) -> str | None:
    """The page's language: Chinese/Japanese/Korean by script, else ``<html lang>``."""
    sample = text[:4000]
    if sample:
        han = len(_CJK.findall(sample))
        if _KANA.search(sample) and len(_KANA.findall(sample)) > han / 10:
            return "ja"
        if len(_HANGUL.findall(sample)) > len(sample) / 10:
            return "ko"
        if han > len(sample) / 10:
            return "zh"
    lang = root.get("lang") or meta_content(root, "og:locale", "language")
    if lang:
        return lang.replace("_", "-").split("-")[0].lower()
    return "en" if sample and sample.isascii() else None


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


def _same_page(a: str, b: str) -> bool:
    def key(u: str) -> str:
        return re.sub(r"^https?://(www\.)?", "", u.split("#")[0].split("?")[0]).rstrip("/")

    return key(a) == key(b)
