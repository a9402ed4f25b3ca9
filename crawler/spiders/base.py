"""PlatformSpider: the shared machinery behind every thin platform spider.

A platform spider is a name and a platform; everything it knows about listing
articles comes from that platform's :class:`~crawler.platforms.base.Discovery`:
its JSON API (falling back to feeds, sitemaps and listing pages when the API is
closed), its feeds (RSS/Atom, with ``rel=next`` paging), its sitemaps (indexes
followed) and its HTML listing pages (a ``next`` link). The ad-hoc ``blog`` spider
has no platform: it detects one from the URL and the markup, and otherwise uses feed
autodiscovery and same-site links.

Request meta keys set here (see docs/reference.md): ``blogarchive_kind``
(``article``, ``page``, ``listing``, ``feed``, ``sitemap``, ``api``),
``blogarchive_depth``, ``blogarchive_listed`` (the article URLs of the listing page a
"next page" request follows) and ``blogarchive_api`` (API paging state).
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from parsel import Selector
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import LinkExtractor
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure
from w3lib.url import add_or_replace_parameter

from crawler.items import ArticlePage, NotModified, PageFailure
from crawler.platforms import PLATFORMS, Platform, get_platform, platform_for_url
from crawler.spiders._discovery import (
    Entry,
    api_entries,
    autodiscovered_feeds,
    blocked_reason,
    dig,
    entries_after,
    feed_entries,
    fill,
    generator,
    is_feed,
    is_sitemap,
    parse_date,
    sitemap_entries,
)

#: Markup only an article page carries: og:type article, its publication time, schema.org
#: Article or BlogPosting in JSON-LD (alone or in a list of types).
_ARTICLE_HINTS = (
    re.compile(rb'<meta[^>]+property=["\']og:type["\'][^>]+content=["\']article', re.I),
    re.compile(rb'<meta[^>]+property=["\']article:published_time["\']', re.I),
    re.compile(rb'"@type"\s*:\s*(?:\[[^\]]*)?"(?:Blog|News)?(?:Posting|Article)"', re.I),
)
#: Microdata that marks a post's body, and a post: an article page has one body (and
#: perhaps related posts as items), a listing showing posts in full (Blogger's home
#: page) one of each per post.
_ONE_POST_HINTS = (
    re.compile(rb'itemprop=["\']?(?:description )?articleBody\b', re.I),
    re.compile(rb'itemtype=["\']https?://schema\.org/(?:Blog|News|Tech)?(?:Posting|Article)["\']', re.I),
)
_DISCOVERY_KINDS = ("listing", "feed", "sitemap", "api")

#: Control bytes that text never holds (tab, newlines and form feed are fine).
_CONTROL_BYTES = bytes([*range(9), *range(14, 32)])


def check_arguments(limit: Any = None, depth: Any = None, since: Any = None) -> tuple[int, int, datetime | None]:
    """``limit``, ``depth`` and ``since`` spider arguments as values (defaults: no
    limit, depth 2, no date).

    :raises ValueError: a limit or depth that is not a whole number of 0 or more, a
        ``since`` that is not a date
    """
    numbers = []
    for name, value, default in (("limit", limit, 0), ("depth", depth, 2)):
        if value is None or value == "":
            numbers.append(default)
            continue
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ValueError(f"{name}={value!r} is not a whole number") from None
        if number < 0:
            raise ValueError(f"{name}={value!r} must be 0 or more")
        numbers.append(number)
    when = parse_date(str(since)) if since else None
    if since and when is None:
        raise ValueError(f"since={since!r} is not a date (use YYYY-MM-DD)")
    return numbers[0], numbers[1], when


def _as_bool(value: Any) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def _with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


class PlatformSpider(scrapy.Spider):
    """Discover and fetch the article pages of one platform (or any site) and yield
    ``ArticlePage`` items; fetch problems become ``PageFailure`` items, 304 answers to
    conditional requests ``NotModified`` items.

    Spider arguments (``-a name=value``):

    - ``url``: start URLs (comma-separated): article, listing, feed or sitemap URLs
    - ``user``: the blog's user, column or slug; with the platform's ``home`` it gives
      the listing to start from (``scrapy crawl medium -a user=@someone``)
    - ``base_url``: where the platform lives (point it at a test server);
      ``allowed_domains`` is derived from it
    - ``limit``: stop after this many articles
    - ``since``: skip listed articles published before this date (ISO 8601)
    - ``depth``: how many links deep to follow from a page without a listing (default 2)
    - ``follow_recommendations``: also fetch the articles a page recommends, on the
      same platform, up to ``depth``
    - ``revisit``: seconds before an archived article is fetched again (overrides
      ``BLOGARCHIVE_REVISIT_AFTER``)
    - ``cookies``: a ``Cookie`` header for platforms that need a session (zhihu);
      never stored in the archive
    """

    platform_name: str | None = None
    argument_names = ("url", "base_url", "limit", "depth", "since", "user",
                      "follow_recommendations", "revisit")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.platform: Platform | None = get_platform(self.platform_name)
        self.user = str(getattr(self, "user", "") or "").strip() or None
        urls = [u.strip() for u in str(getattr(self, "url", "") or "").split(",") if u.strip()]
        base = str(getattr(self, "base_url", "") or "").strip() or None
        self.rebased = bool(base)
        home = self.platform.discovery.home if self.platform else None
        if not base and home and self.user:
            base = fill(home, user=self.user)
        self.base = _with_slash(base) if base else None
        self.explicit_urls = urls
        self.start_urls = urls or ([self.base] if self.base else [])
        if not self.start_urls:
            if self.user:
                raise ValueError(f"spider {self.name!r} has no address for a user: give -a url=URL or -a base_url=URL")
            raise ValueError(f"spider {self.name!r} needs -a url=URL, -a user=USER or -a base_url=URL")
        hosts = {urlsplit(u).hostname or "" for u in [*self.start_urls, self.base or ""]} - {""}
        if self.platform and not self.rebased:
            hosts |= set(self.platform.domains)
        self.allowed_domains = sorted(hosts)
        self.since: datetime | None
        self.limit, self.max_depth, self.since = check_arguments(
            getattr(self, "limit", None), getattr(self, "depth", None), getattr(self, "since", None)
        )
        self.follow_recommendations = _as_bool(getattr(self, "follow_recommendations", False))
        self.article_urls: set[str] = set()  # every article requested, for de-duplication
        self.counted = 0  # those that count towards ``limit`` (not requeued revisits)
        self.prefixes = {urlsplit(self.base).path.rstrip("/")} if self.base else set()
        # allow_domains would compare host:port, so same-site links are filtered by host below
        self.links = LinkExtractor(unique=True)

    # -- start ----------------------------------------------------------------------
    @property
    def cookie_header(self) -> str | None:
        """The ``Cookie`` header from ``-a cookies=`` or ``BLOGARCHIVE_COOKIES[platform]``."""
        explicit = getattr(self, "cookies", None)
        if explicit:
            return str(explicit)
        if self.platform:
            return self.settings.getdict("BLOGARCHIVE_COOKIES").get(self.platform.name) or None
        return None

    async def start(self) -> AsyncIterator[Any]:
        if self.platform and self.platform.needs_cookies and not self.cookie_header:
            reason = (f"{self.platform.name} needs the cookies of a logged-in session: set cookies = \"...\" "
                      f"for the site in sites.toml, -a cookies=..., or "
                      f"BLOGARCHIVE_COOKIES = {{\"{self.platform.name}\": \"...\"}}")
            self.logger.error(reason)
            self.crawler.stats.inc_value("blogarchive/fetch/failed")
            self.crawler.stats.inc_value("blogarchive/config/missing_cookies")
            yield PageFailure(url=self.start_urls[0], stage="config", reason=reason)
            return
        for url in self.explicit_urls:
            yield self.request(url, "page")
        if not self.explicit_urls and self.base:
            if self.platform:
                for request in self.discovery_requests(self.platform, self.base):
                    yield request
            else:
                yield self.request(self.base, "page")

    # -- requests -------------------------------------------------------------------
    def request(self, url: str, kind: str, depth: int = 0, callback: Any = None, **kwargs: Any) -> scrapy.Request:
        """A request of one kind (see the module docstring), with the session cookie when
        the platform needs one."""
        meta = {"blogarchive_kind": kind, "blogarchive_depth": depth, **kwargs.pop("meta", {})}
        headers = dict(kwargs.pop("headers", {}))
        cookie = self.cookie_header if self.platform and self.platform.needs_cookies else None
        if cookie:
            headers["Cookie"] = cookie
        return scrapy.Request(url, callback=callback or self.parse, errback=self.on_error, meta=meta,
                              headers=headers, **kwargs)

    @property
    def limit_reached(self) -> bool:
        return bool(self.limit) and self.counted >= self.limit

    def article_request(self, url: str, depth: int, platform: str | None = None, *,
                        requeued: bool = False) -> scrapy.Request | None:
        """A request for an article (of ``platform`` when its listing said so), unless
        ``limit`` is reached or it was scheduled already. A ``requeued`` one (a revisit
        or retry from the archive) does not count towards ``limit`` and waits behind the
        listings' requests."""
        if url in self.article_urls:
            return None
        if requeued:
            self.article_urls.add(url)
            return self.request(url, "article", depth, priority=-1)
        if self.limit_reached:
            self.crawler.stats.inc_value("blogarchive/discovery/over_limit")
            return None
        self.article_urls.add(url)
        self.counted += 1
        return self.request(url, "article", depth, meta={"blogarchive_platform": platform} if platform else {})

    def requeued_page_request(self, url: str) -> scrapy.Request | None:
        """A page this site's earlier crawl found by following links (article or listing,
        decided on the answer) that failed, asked for again: archived if it is an article,
        else left alone (no link, feed or sitemap entry of it is followed). Like a requeued
        article it does not count towards ``limit``."""
        if url in self.article_urls:
            return None
        self.article_urls.add(url)
        return self.request(url, "page", self.max_depth, priority=-1, meta={"blogarchive_requeued": True})

    def resolve(self, template: str, base: str) -> str | None:
        """A discovery template as a URL: ``{user}`` filled, relative to ``base``; an
        absolute template moves onto ``base`` when the spider was given ``base_url``."""
        if "{user}" in template and not self.user:
            return None
        url = fill(template, user=self.user or "")
        parts = urlsplit(url)
        if parts.scheme and self.rebased:
            url = parts.path.lstrip("/") + (f"?{parts.query}" if parts.query else "")
        return urljoin(base, url)

    def discovery_requests(self, platform: Platform, base: str, *, api: bool = True) -> Iterator[scrapy.Request]:
        """The first listing requests of a blog: its API, else feeds, sitemaps and listings."""
        found = platform.discovery
        if api and found.api:
            url = self.resolve(found.api.url, base)
            if url:
                yield self.api_request(platform, base, url, {"page": 1, "offset": 0, "cursor": "0"})
                return
        guesses = [(kind, url) for kind, templates in (("feed", found.feeds), ("sitemap", found.sitemaps),
                                                        ("listing", found.listing_pages))
                   for url in (self.resolve(t, base) for t in templates) if url]
        for kind, url in guesses:
            # with several sources, one that does not exist (an old WordPress has no sitemap) is no failure
            yield self.request(url, kind, meta={"blogarchive_platform": platform.name,
                                                "blogarchive_optional": len(guesses) > 1})

    def api_request(self, platform: Platform, base: str, url: str, state: dict[str, Any]) -> scrapy.Request:
        api = platform.discovery.api
        assert api is not None
        meta = {"blogarchive_api": {**state, "url": url, "base": base}, "blogarchive_platform": platform.name}
        if api.paging == "cursor":
            body = fill(api.body or "{}", user=self.user or "", cursor=state["cursor"])
            return self.request(url, "api", callback=self.parse_api, method="POST", body=body, meta=meta,
                                headers={"Content-Type": "application/json"})
        if api.paging in ("page", "offset"):
            url = add_or_replace_parameter(url, api.paging, str(state[api.paging]))
        return self.request(url, "api", callback=self.parse_api, meta=meta)

    # -- callbacks ------------------------------------------------------------------
    def parse(self, response: Response) -> Iterator[Any]:
        """Any page: an article, a feed or sitemap given as URL, or a listing/home page."""
        kind = response.meta.get("blogarchive_kind", "page")
        depth = response.meta.get("blogarchive_depth", 0)
        if response.status == 304:
            yield self.not_modified(response)
            return
        problem = self.check(response)
        if problem:
            yield problem
            return
        self.crawler.stats.inc_value("blogarchive/fetch/ok")
        requeued = bool(response.meta.get("blogarchive_requeued"))
        if requeued and kind == "page" and not self.looks_like_article(response):
            # a page an earlier crawl found by following links, retried: only an article counts
            self.crawler.stats.inc_value("blogarchive/retry/not_an_article")
            self.logger.info("%(url)s, retried from an earlier crawl, is no article: not followed",
                             {"url": response.url})
            # its answer, recorded at a stage not retried: the earlier failure is no longer its latest
            first_url = response.request.meta.get("redirect_urls", [response.url])[0] if response.request else response.url
            yield PageFailure(url=first_url, stage="discovery", reason="retried: no article, not followed",
                              http_status=response.status, requested_as=kind)
            return
        if kind == "feed" or is_feed(response.body):
            yield from self.parse_feed(response)
            return
        if kind == "sitemap" or is_sitemap(response.body):
            yield from self.parse_sitemap(response)
            return
        is_article = kind == "article" or (kind == "page" and (requeued or self.looks_like_article(response)
                                                                or self.max_depth == 0))
        if is_article:
            if kind == "page" and not requeued and response.url not in self.article_urls:
                if self.limit_reached:
                    return
                self.article_urls.add(response.url)
                self.counted += 1
            yield self.article_page(response)
            if self.follow_recommendations and depth < self.max_depth:
                yield from self.recommended(response, depth)
            return
        if kind == "page" and depth == 0:
            self.logger.info("%(url)s has no article markup: following its links as a listing "
                             "(depth 0 would take it as an article)", {"url": response.url})
        yield from self.parse_listing(response, depth)

    def parse_listing(self, response: Response, depth: int) -> Iterator[Any]:
        """An HTML listing or home page: article links, the next page, feeds it announces."""
        self.crawler.stats.inc_value("blogarchive/discovery/listing_pages")
        platform = self.platform_for(response)
        sel = response.selector
        if platform is None and response.meta.get("blogarchive_kind") == "page":
            platform = self.detect(response, sel)
        if response.meta.get("blogarchive_kind") == "page" and depth == 0:
            yield from self.home_discovery(response, sel, platform)
        patterns = platform.article_url if platform else ()
        links = [link.url for link in self.links.extract_links(response)
                 if urlsplit(link.url).hostname in self.allowed_domains]
        listed = [url for url in links if patterns and self.matches(url, patterns)]
        for url in listed:
            request = self.article_request(url, depth + 1, platform.name if platform else None)
            if request:
                yield request
        next_selector = platform.discovery.next_page if platform else None
        next_href = sel.css(next_selector).xpath("@href").get() if next_selector else None
        if next_href and not self.limit_reached:
            yield self.request(response.urljoin(next_href), "listing", depth,
                               meta={"blogarchive_listed": listed,
                                     "blogarchive_platform": platform.name if platform else None})
        if patterns or depth >= self.max_depth:
            return
        for url in links:  # no article pattern known: same-site links, depth-limited
            if self.limit_reached:
                return
            yield self.request(url, "page", depth + 1)

    def home_discovery(self, response: Response, sel: Selector, platform: Platform | None) -> Iterator[Any]:
        """A start page that is no article: its platform's listings below it; for the
        ad-hoc spider also the feeds it announces and, for an unknown platform, its sitemap."""
        root = _with_slash(response.url.split("?", 1)[0].rsplit("/", 1)[0])
        if self.platform is not None:
            yield from self.discovery_requests(self.platform, root)
            return
        self.prefixes.add(urlsplit(root).path.rstrip("/"))
        for url in autodiscovered_feeds(sel, response.url):
            yield self.request(url, "feed", meta={"blogarchive_platform": platform.name if platform else None})
        if platform is not None:
            self.crawler.stats.inc_value(f"blogarchive/discovery/detected/{platform.name}")
            yield from self.discovery_requests(platform, root)
        else:
            yield self.request(root + "sitemap.xml", "sitemap", meta={"blogarchive_optional": True})

    def parse_feed(self, response: Response) -> Iterator[Any]:
        self.crawler.stats.inc_value("blogarchive/discovery/feed_pages")
        entries, next_url = feed_entries(response.body, response.url)
        yield from self.follow_entries(response, entries, next_url and self.request(
            next_url, "feed", meta={"blogarchive_listed": [e.url for e in entries],
                                    "blogarchive_platform": response.meta.get("blogarchive_platform")}))

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        self.crawler.stats.inc_value("blogarchive/discovery/sitemap_pages")
        kind, entries = sitemap_entries(response.body, response.url)
        if kind == "sitemapindex":
            posts = [e for e in entries if "post" in e.url.rsplit("/", 1)[-1]] or entries
            for entry in posts:
                yield self.request(entry.url, "sitemap",
                                   meta={"blogarchive_platform": response.meta.get("blogarchive_platform")})
            return
        # sitemaps are not ordered: filter on lastmod, never stop early
        if self.platform_for(response) is None:  # a generic sitemap lists any page: look at each
            depth = response.meta.get("blogarchive_depth", 0)
            for entry in entries_after(entries, self.since):
                if not self.limit_reached:
                    yield self.request(entry.url, "page", depth + 1)
            return
        yield from self.follow_entries(response, entries, None)

    def parse_api(self, response: Response) -> Iterator[Any]:
        """One page of a JSON listing API; falls back to feeds and sitemaps when the API
        answers something other than the expected JSON (a closed WordPress API)."""
        state = response.meta["blogarchive_api"]
        platform = get_platform(response.meta.get("blogarchive_platform")) or self.platform
        api = platform.discovery.api if platform else None
        if platform is None or api is None:
            raise ValueError(f"{response.url} is not the API listing of a platform")
        try:
            data = json.loads(response.text)
        except (ValueError, AttributeError):
            data = None
        items = dig(data, api.items)
        if not isinstance(items, list):
            yield from self.api_closed(platform, state["base"], response.url, "not a JSON listing")
            return
        self.crawler.stats.inc_value("blogarchive/fetch/ok")
        self.crawler.stats.inc_value("blogarchive/discovery/api_pages")
        entries = api_entries(data, api, state["base"])
        next_request = None
        if api.paging == "page" and entries:
            total = response.headers.get("X-WP-TotalPages")
            if total is None or state["page"] < int(total):
                next_request = self.api_request(platform, state["base"], state["url"],
                                                {**state, "page": state["page"] + 1})
        elif api.paging == "offset" and entries:
            next_request = self.api_request(platform, state["base"], state["url"],
                                            {**state, "offset": state["offset"] + len(items)})
        elif api.paging == "next" and not dig(data, api.end) and dig(data, api.next):
            url = str(dig(data, api.next))
            next_request = self.api_request(platform, state["base"], response.urljoin(url), state)
        elif api.paging == "cursor" and dig(data, api.more) and dig(data, api.cursor) is not None:
            next_request = self.api_request(platform, state["base"], state["url"],
                                            {**state, "cursor": dig(data, api.cursor)})
        if next_request is not None:
            next_request.meta["blogarchive_listed"] = [e.url for e in entries]
        yield from self.follow_entries(response, entries, next_request)

    def api_closed(self, platform: Platform, base: str, url: str, why: str) -> Iterator[Any]:
        self.crawler.stats.inc_value("blogarchive/discovery/api_closed")
        fallback = list(self.discovery_requests(platform, base, api=False))
        self.logger.info("API %(url)s unusable (%(why)s); %(n)d fallback listings",
                         {"url": url, "why": why, "n": len(fallback)})
        if not fallback:
            self.crawler.stats.inc_value("blogarchive/fetch/failed")
            yield PageFailure(url=url, stage="discovery", reason=f"listing API unusable: {why}")
        yield from fallback

    def follow_entries(self, response: Response, entries: list[Entry],
                       next_request: scrapy.Request | None) -> Iterator[Any]:
        """Article requests for a listing's entries, then its next page unless the
        listing reached articles older than ``since`` or the ``limit``."""
        depth = response.meta.get("blogarchive_depth", 0)
        fresh = list(entries_after(entries, self.since))
        self.crawler.stats.inc_value("blogarchive/discovery/entries", len(entries))
        if len(fresh) < len(entries):
            self.crawler.stats.inc_value("blogarchive/discovery/older_than_since", len(entries) - len(fresh))
        platform = response.meta.get("blogarchive_platform") or (self.platform.name if self.platform else None)
        for entry in fresh:
            request = self.article_request(entry.url, depth + 1, platform)
            if request:
                yield request
        if next_request is None or len(fresh) < len(entries) or self.limit_reached:
            return
        yield next_request

    def recommended(self, response: Response, depth: int) -> Iterator[scrapy.Request]:
        """Articles an article recommends, on the same platform."""
        platform = self.platform_for(response)
        if platform is None:
            return
        for block in platform.recommendations:
            for href in response.css(block.container).css("a::attr(href)").getall():
                url = response.urljoin(href)
                host = urlsplit(url).hostname
                if host not in self.allowed_domains and not platform.owns_host(host):
                    continue
                if platform.article_url and not self.matches(url, platform.article_url):
                    continue
                request = self.article_request(url, depth + 1)
                if request:
                    self.crawler.stats.inc_value("blogarchive/discovery/recommendations_followed")
                    yield request

    def on_error(self, failure: Failure) -> Iterator[Any]:
        """A request that got no usable response: record why (blocked, HTTP status,
        robots.txt, off-site redirect, network error), except requests deliberately
        skipped because their article is archived and not due for a revisit."""
        request = failure.request  # type: ignore[attr-defined]
        kind = request.meta.get("blogarchive_kind", "page")
        stats = self.crawler.stats
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            message = str(failure.value)
            if request.meta.get("blogarchive_skip"):
                return  # not due for a revisit, or the listing reached seen articles
            stats.inc_value("blogarchive/fetch/failed")  # a crawl of nothing else fetched nothing: it failed
            if "robots.txt" in message:
                stats.inc_value("blogarchive/fetch/robots_forbidden")
                yield PageFailure(url=request.url, stage="robots", reason="forbidden by robots.txt")
                return
            origin = request.meta.get("redirect_urls", [request.url])[0]
            if "max redirections" in message:  # RedirectMiddleware gave up: a loop
                stats.inc_value("blogarchive/fetch/redirect_loop")
                yield self.failure(request, origin, "redirect", f"redirect loop ({message}): {request.url}")
                return
            stats.inc_value("blogarchive/fetch/offsite")
            yield PageFailure(url=origin, stage="offsite", reason=f"{message}: {request.url}")
            return
        if kind == "api":
            state = request.meta["blogarchive_api"]
            platform = get_platform(request.meta.get("blogarchive_platform")) or self.platform
            if platform is not None and state.get("page", 1) == 1 and state.get("offset", 0) == 0:
                yield from self.api_closed(platform, state["base"], request.url, failure.getErrorMessage())
                return
        if request.meta.get("blogarchive_optional"):
            stats.inc_value("blogarchive/fetch/failed")
            stats.inc_value("blogarchive/discovery/missing")
            self.logger.info("No listing at %(url)s: %(error)s", {"url": request.url, "error": failure.getErrorMessage()})
            return
        if failure.check(HttpError) and request.meta.get("blogarchive_offsite_redirect"):
            stats.inc_value("blogarchive/fetch/failed")
            stats.inc_value("blogarchive/fetch/offsite")
            yield PageFailure(url=request.url, stage="offsite", http_status=failure.value.response.status,
                              reason=f"redirected to another site: {request.meta['blogarchive_offsite_redirect']}")
            return
        if failure.check(HttpError):
            response = failure.value.response
            blocked = self.blocked(response)
            if blocked:
                yield blocked
                return
            status = response.status
            stats.inc_value(f"blogarchive/fetch/http_{status}")
            reason, code = f"HTTP {status}", status
        else:
            reason, code = f"{failure.type.__name__}: {failure.getErrorMessage()}", None
            stats.inc_value(f"blogarchive/fetch/{failure.type.__name__}")
        stats.inc_value("blogarchive/fetch/failed")
        self.logger.info("Could not fetch %(url)s: %(reason)s", {"url": request.url, "reason": reason})
        yield self.failure(request, request.url, "fetch", reason, code)

    # -- helpers ----------------------------------------------------------------------
    def platform_for(self, response: Response) -> Platform | None:
        named = get_platform(response.meta.get("blogarchive_platform")) if response.meta else None
        return self.platform or named or platform_for_url(response.url)

    def detect(self, response: Response, sel: Selector) -> Platform | None:
        """The platform of a page on an unknown host, from its generator tag or markup."""
        name = generator(sel)
        for platform in PLATFORMS.values():
            if name and any(name.startswith(g) for g in platform.generators):
                return platform
        for platform in PLATFORMS.values():
            if any(sel.css(marker) for marker in platform.markers if marker):
                return platform
        return None

    def matches(self, url: str, patterns: Iterable[str]) -> bool:
        """True when the URL's path, or its path below a known prefix (a test server's
        ``/sites/jianshu``), matches one of the platform's article regexes."""
        path = urlsplit(url).path
        paths = [path] + [path[len(p):] for p in self.prefixes if p and path.startswith(p + "/")]
        return any(re.search(p, candidate) for p in patterns for candidate in paths)

    def check(self, response: Response) -> PageFailure | None:
        """A failure for a blocked or unusable response, or None."""
        blocked = self.blocked(response)
        if blocked:
            return blocked
        problem = self.unusable(response)
        if problem:
            self.crawler.stats.inc_value("blogarchive/fetch/failed")
            self.crawler.stats.inc_value("blogarchive/fetch/unusable")
            return self.failure(response.request, response.url, "fetch", problem, response.status)
        return None

    def blocked(self, response: Response) -> PageFailure | None:
        """A ``blocked`` failure for a challenge, captcha or login-wall page, or None."""
        headers = {k.decode("latin-1"): response.headers.get(k, b"").decode("latin-1") for k in response.headers}
        kind = blocked_reason(response.status, response.body, headers)
        if kind is None:
            return None
        self.crawler.stats.inc_value("blogarchive/fetch/failed")
        self.crawler.stats.inc_value("blogarchive/blocked/total")
        self.crawler.stats.inc_value(f"blogarchive/blocked/{kind}")
        self.logger.warning("Blocked at %(url)s: %(kind)s (HTTP %(status)s)",
                            {"url": response.url, "kind": kind, "status": response.status})
        url = response.request.meta.get("redirect_urls", [response.url])[0] if response.request else response.url
        return self.failure(response.request, url, "blocked", f"blocked: {kind}", response.status)

    def failure(self, request: scrapy.Request | None, url: str, stage: str, reason: str,
                http_status: int | None = None) -> PageFailure:
        """A failure of ``request`` (for ``url``, its first URL before redirects), recording
        what it was asked for as, at ``stage`` or at ``discovery`` for a page later crawls
        should not retry. They retry ``fetch`` and ``blocked`` as what was asked for, but a
        listing, feed, sitemap or API page, and a start page of a crawl that follows links
        (a home page, perhaps) unless its URL is the platform's article URL, are asked for
        again by the crawl that starts from them. With depth 0 a page is an article."""
        meta = request.meta if request is not None else {}
        kind = self.requested_as(request)
        start_page = kind == "page" and meta.get("blogarchive_depth", 0) == 0
        if kind in _DISCOVERY_KINDS or (start_page and not self.is_article_url(url)):
            stage = "discovery"
        return PageFailure(url=url, stage=stage, reason=reason, http_status=http_status, requested_as=kind)

    def requested_as(self, request: scrapy.Request | None) -> str:
        """What ``request`` asked for (``blogarchive_kind``: ``article``, ``page``, ``listing``,
        ...); with depth 0 a page is an article, as :meth:`parse` takes it."""
        meta = request.meta if request is not None else {}
        kind = meta.get("blogarchive_kind", "page")
        if kind == "page" and self.max_depth == 0 and not meta.get("blogarchive_requeued"):
            return "article"
        return kind

    def is_article_url(self, url: str, platform: Platform | None = None) -> bool:
        """Whether ``url`` matches the article URL pattern of ``platform`` (by default the
        spider's, else the one its host is known for)."""
        platform = platform or self.platform or platform_for_url(url)
        return bool(platform and platform.article_url and self.matches(url, platform.article_url))

    @staticmethod
    def unusable(response: Response) -> str | None:
        """Why a response can be neither an article nor a listing, or None."""
        if not isinstance(response, TextResponse):
            return f"not a text page ({response.headers.get('Content-Type', b'?').decode('latin-1')})"
        body = response.body
        if not body.strip():
            return "empty response"
        sample = body[:4096]
        if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return None  # UTF-16 text, read by its byte-order mark (crawler.encoding)
        # a stray NUL or two (a broken CMS) do not make a page binary; an image or an
        # archive has control bytes all over
        controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
        if controls > len(sample) / 20:
            return "not an HTML page (binary content)"
        return None

    def looks_like_article(self, response: Response) -> bool:
        """Article or listing? URL pattern of the platform, else og:type, article:published_time,
        JSON-LD, or microdata marking exactly one post."""
        if self.is_article_url(response.url, self.platform_for(response)):
            return True
        body = response.body
        if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # the hints are ASCII bytes
            body = body.decode("utf-16", errors="replace").encode("utf-8")
        head = body[:200_000]
        if any(p.search(head) for p in _ARTICLE_HINTS):
            return True
        # one post's body marked up in the whole page (a listing showing its posts in full
        # marks each, perhaps past the first 200 KB); else one post item and no body
        bodies, items = (len(p.findall(body)) for p in _ONE_POST_HINTS)
        return bodies == 1 or (bodies == 0 and items == 1)

    def not_modified(self, response: Response) -> NotModified:
        self.crawler.stats.inc_value("blogarchive/fetch/not_modified")
        return NotModified(url=response.request.url if response.request else response.url,
                           fetched_at=datetime.now(UTC).replace(microsecond=0).isoformat())

    def article_page(self, response: Response) -> ArticlePage:
        platform = self.platform_for(response)
        request_url = response.request.meta.get("redirect_urls", [response.url])[0] if response.request else response.url
        headers = {
            name: response.headers.get(name, b"").decode("latin-1")
            for name in ("ETag", "Last-Modified", "Content-Type")
            if response.headers.get(name)
        }
        return ArticlePage(
            url=request_url,
            final_url=response.url,
            platform=platform.name if platform else None,
            http_status=response.status,
            fetched_at=datetime.now(UTC).replace(microsecond=0).isoformat(),
            body=response.body,  # decoded with extraction, in a worker (crawler.encoding.decode_html)
            headers={k.lower(): v for k, v in headers.items()},
        )
