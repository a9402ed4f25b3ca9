"""Reading listings (feeds, sitemaps, JSON APIs) and recognising blocked pages.

Plain functions over bytes and parsed JSON, no Scrapy engine: the spiders call them,
the tests can too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin

from parsel import Selector
from scrapy.utils.sitemap import Sitemap
from w3lib.url import url_query_cleaner

from crawler.platforms.base import ApiListing


@dataclass(frozen=True)
class Entry:
    """One article a listing points to, with its date when the listing gives one."""

    url: str
    published: datetime | None = None


def parse_date(value: Any) -> datetime | None:
    """A timezone-aware datetime from ISO 8601, RFC 2822, a date or a Unix timestamp.

    Naive values are taken as UTC (WordPress ``date_gmt``); unreadable ones give None.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    text = str(value).strip()
    if re.fullmatch(r"\d{9,13}", text):
        seconds = int(text) / (1000 if len(text) > 11 else 1)
        return datetime.fromtimestamp(seconds, UTC)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def fill(template: str, **values: Any) -> str:
    """Replace ``{name}`` for the given names only (templates may hold JSON braces)."""
    for name, value in values.items():
        template = template.replace("{" + name + "}", str(value))
    return template


#: Query parameters that only track where a click came from (Medium's ``source=rss...``).
TRACKING_PARAMS = ("source", "utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")


def clean_url(url: str) -> str:
    """A listed URL without tracking parameters, so each article has one URL."""
    if "?" not in url:
        return url
    return url_query_cleaner(url, TRACKING_PARAMS, remove=True)


def dig(data: Any, path: str | None) -> Any:
    """The value at a dotted path (``"paging.next"``) or None; ``""`` is ``data`` itself."""
    if not path:
        return data
    for key in path.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


# -- feeds and sitemaps ------------------------------------------------------------

def is_feed(body: bytes) -> bool:
    """True for an RSS or Atom document."""
    head = body[:1024].lstrip().lower()
    return (head.startswith(b"<?xml") or head.startswith(b"<rss") or head.startswith(b"<feed")) and (
        b"<rss" in body[:4096].lower() or b"<feed" in body[:4096].lower()
    )


def is_sitemap(body: bytes) -> bool:
    head = body[:4096].lower()
    return b"<urlset" in head or b"<sitemapindex" in head


def feed_entries(body: bytes, base_url: str) -> tuple[list[Entry], str | None]:
    """Entries of an RSS 2.0 or Atom feed and the URL of its next page (Atom ``rel=next``,
    which Blogger's start-index paging uses)."""
    sel = Selector(body=body, type="xml")
    sel.remove_namespaces()
    entries: list[Entry] = []
    for item in sel.xpath("//channel/item"):
        link = (item.xpath("origLink/text()").get()  # FeedBurner keeps the blog's own URL there
                or item.xpath("link/text()").get()
                or item.xpath("guid[not(@isPermaLink='false')]/text()").get())
        published = item.xpath("pubDate/text()").get() or item.xpath("date/text()").get()
        if link and link.strip():
            entries.append(Entry(clean_url(urljoin(base_url, link.strip())), parse_date(published)))
    for entry in sel.xpath("//feed/entry"):
        link = (entry.xpath("origLink/text()").get()
                or entry.xpath("link[@rel='alternate']/@href").get()
                or entry.xpath("link[not(@rel)]/@href").get())
        published = entry.xpath("published/text()").get() or entry.xpath("updated/text()").get()
        if link:
            entries.append(Entry(clean_url(urljoin(base_url, link.strip())), parse_date(published)))
    next_url = sel.xpath("/feed/link[@rel='next']/@href").get()
    return entries, urljoin(base_url, next_url) if next_url else None


def sitemap_entries(body: bytes, base_url: str) -> tuple[str, list[Entry]]:
    """``("sitemapindex", child sitemaps)`` or ``("urlset", pages)``, with ``lastmod``."""
    sitemap = Sitemap(body)
    entries = [
        Entry(urljoin(base_url, entry["loc"].strip()), parse_date(entry.get("lastmod")))
        for entry in sitemap
        if entry.get("loc")
    ]
    return sitemap.type or "urlset", entries


def api_entries(data: Any, api: ApiListing, base_url: str) -> list[Entry]:
    """Entries of one page of a JSON listing API."""
    items = dig(data, api.items)
    if not isinstance(items, list):
        return []
    entries = []
    for item in items:
        if not isinstance(item, dict):
            continue
        if "{" in api.link:
            values = {name: dig(item, name) for name in re.findall(r"\{([\w.]+)\}", api.link)}
            if any(v is None for v in values.values()):
                continue
            link = fill(api.link, **values)
        else:
            link = dig(item, api.link)
        if isinstance(link, str) and link:
            entries.append(Entry(clean_url(urljoin(base_url, link)), parse_date(dig(item, api.date))))
    return entries


def autodiscovered_feeds(sel: Selector, base_url: str) -> list[str]:
    """Feeds a page announces with ``<link rel="alternate" type="application/rss+xml">``."""
    hrefs = sel.css(
        "link[rel~=alternate][type*='rss'], link[rel~=alternate][type*='atom']"
    ).xpath("@href").getall()
    return [urljoin(base_url, h.strip()) for h in hrefs if h.strip() and "comments" not in h]


def generator(sel: Selector) -> str:
    return (sel.css("meta[name=generator]::attr(content)").get() or "").strip().casefold()


# -- blocked pages -----------------------------------------------------------------

#: (kind, phrases) in the lower-cased markup of a page with little text: only
#: interstitials have these. Plain substrings of ``body.lower()``: ``bytes.__contains__``
#: is six times faster than a regular expression of the same alternatives, and with
#: ``re.I`` the engine was slower still.
_STRONG_MARKERS: tuple[tuple[str, tuple[bytes, ...]], ...] = (
    ("cloudflare_challenge", (b"cf-chl-", b"challenge-platform", b"cf_chl_opt", b"<title>just a moment...<")),
    ("cloudflare_block", (b"attention required! | cloudflare",)),
    ("wechat_rate_limited", ("操作过于频繁".encode(), "访问过于频繁".encode())),
    ("wechat_environment", ("环境异常".encode(), "完成验证后即可继续访问".encode())),
    ("captcha", (b"g-recaptcha", b"h-captcha", b"hcaptcha.com", b"geetest", b"tencentcaptcha", b"nc_1_wrapper")),
)
#: A script that sets a cookie and reloads, on a page with (almost) no text (lower-cased).
_JS_CHALLENGE = re.compile(rb"__jsl_clearance|_jsl_clearance_s|acw_sc__v2|document\.cookie\s*=")
#: (kind, pattern) in the visible text of a page that is nearly empty otherwise (an
#: article may well mention a captcha or a login).
_WEAK_MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("captcha", re.compile("captcha|验证码|人机验证|安全验证|滑动验证", re.I)),
    # visible text has no whitespace left (see visible_text), hence the \s*
    ("login_wall", re.compile(
        r"请登录|登录后查看|登录后阅读|登录后即可|登录知乎|sign\s*in\s*to\s*(continue|read)|log\s*in\s*to\s*(continue|read)",
        re.I)),
    ("rate_limited", re.compile(r"too\s*many\s*requests|rate\s*limit(ed)?\s*exceeded", re.I)),
)
_INVISIBLE = re.compile(rb"<(script|style|noscript)\b.*?</\1\s*>|<!--.*?-->", re.I | re.S)
_TAG = re.compile(rb"<[^>]*>")
#: Kinds of block worth retrying within the same run (with backoff).
RETRYABLE_BLOCKS = frozenset({"rate_limited"})
#: Interstitials are small; larger pages are never taken for one.
MAX_INTERSTITIAL = 100_000
STRONG_TEXT_MAX = 3000  # visible characters
WEAK_TEXT_MAX = 600
JS_TEXT_MAX = 200


_INVISIBLE_OPEN = re.compile(rb"<(?:(script|style|noscript)\b|!--)")
_CLOSE_END = re.compile(rb"\s*>")


def without_invisible(body: bytes, lowered: bytes | None = None) -> bytes:
    """``_INVISIBLE.sub(b" ", body)``, done with ``bytes.find`` for the closing tags: the
    regular expression's lazy ``.*?`` tries to close at every byte of a script, which cost
    most of a millisecond per 100 KB page on every fetch. ``lowered`` is ``body.lower()``
    when the caller has it already."""
    low = body.lower() if lowered is None else lowered
    out: list[bytes] = []
    kept = 0
    match = _INVISIBLE_OPEN.search(low)
    while match:
        end = _block_end(low, match)
        if end < 0:  # never closed: no block starts here, as for the regular expression
            match = _INVISIBLE_OPEN.search(low, match.start() + 1)
            continue
        out += (body[kept : match.start()], b" ")
        kept = end
        match = _INVISIBLE_OPEN.search(low, end)
    out.append(body[kept:])
    return b"".join(out)


def _block_end(low: bytes, opening: re.Match[bytes]) -> int:
    name = opening.group(1)
    if name is None:
        close = low.find(b"-->", opening.end())
        return close + 3 if close >= 0 else -1
    position = opening.end()
    while (close := low.find(b"</" + name, position)) >= 0:
        tail = _CLOSE_END.match(low, close + 2 + len(name))
        if tail:
            return tail.end()
        position = close + 1
    return -1


def visible_text(body: bytes, lowered: bytes | None = None) -> str:
    """The text a reader would see (scripts, styles and tags removed), whitespace-free;
    ``lowered`` is ``body.lower()`` when the caller has it already."""
    return "".join(_TAG.sub(b" ", without_invisible(body, lowered)).decode("utf-8", "replace").split())


def blocked_reason(status: int, body: bytes, headers: dict[str, str] | None = None) -> str | None:
    """The kind of interstitial a response is (``"cloudflare_challenge"``, ``"captcha"``,
    ``"login_wall"``, ``"js_cookie_challenge"``, ...), or None for an ordinary page.

    Markers count only on small pages with little visible text, so an article that
    mentions a captcha or carries a comment form's widget is not taken for a block.
    """
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    if headers.get("cf-mitigated", "").lower() == "challenge":
        return "cloudflare_challenge"
    if len(body) > MAX_INTERSTITIAL:
        return None
    lowered = body.lower()
    text = visible_text(body, lowered)
    if len(text) > STRONG_TEXT_MAX:
        return "js_cookie_challenge" if status == 521 else None
    for kind, phrases in _STRONG_MARKERS:
        if any(phrase in lowered for phrase in phrases):
            return kind
    if len(text) <= JS_TEXT_MAX and _JS_CHALLENGE.search(lowered):
        return "js_cookie_challenge"
    if len(text) <= WEAK_TEXT_MAX:
        for kind, pattern in _WEAK_MARKERS:
            if pattern.search(text):
                return kind
    if status == 521:
        return "js_cookie_challenge"
    return None


def entries_after(entries: list[Entry], since: datetime | None) -> Iterator[Entry]:
    """Entries published at or after ``since`` (undated ones are kept)."""
    for entry in entries:
        if since is None or entry.published is None or entry.published >= since:
            yield entry
