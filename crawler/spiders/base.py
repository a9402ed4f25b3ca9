"""PlatformSpider: the shared machinery behind every thin platform spider."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response
from scrapy.linkextractors import LinkExtractor
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.encoding import decode_html
from crawler.items import ArticlePage, PageFailure
from crawler.platforms import Platform, get_platform, platform_for_url

_ARTICLE_HINTS = (
    re.compile(rb'<meta[^>]+property=["\']og:type["\'][^>]+content=["\']article', re.I),
    re.compile(rb'"@type"\s*:\s*"(?:Blog|News)?(?:Posting|Article)"', re.I),
)


def _as_bool(value: Any) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


class PlatformSpider(scrapy.Spider):
    """Fetch article pages of one platform (or any site) and yield ``ArticlePage`` items.

    Spider arguments (``-a name=value``):

    - ``url``: one or more start URLs (comma-separated): article or listing pages
    - ``base_url``: where the platform lives (point it at a test server)
    - ``limit``: stop after this many article pages
    - ``depth``: how many links deep to follow from the start pages (default 2)
    """

    platform_name: str | None = None
    argument_names = ("url", "base_url", "limit", "depth", "since", "user",
                      "follow_recommendations")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.platform: Platform | None = get_platform(self.platform_name)
        urls = [u.strip() for u in str(getattr(self, "url", "") or "").split(",") if u.strip()]
        base = getattr(self, "base_url", None)
        self.start_urls = urls or ([base] if base else [])
        if not self.start_urls:
            raise ValueError(f"spider {self.name!r} needs -a url=URL or -a base_url=URL")
        self.allowed_domains = sorted({urlsplit(u).hostname or "" for u in self.start_urls} - {""})
        self.limit = int(getattr(self, "limit", 0) or 0)
        self.max_depth = int(getattr(self, "depth", 2) or 0)
        self.follow_recommendations = _as_bool(getattr(self, "follow_recommendations", False))
        self.article_count = 0
        # allow_domains would compare host:port, so same-site links are filtered by host below
        self.links = LinkExtractor(unique=True)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.start_urls:
            yield scrapy.Request(url, callback=self.parse, errback=self.on_error,
                                 cb_kwargs={"depth": 0})

    # -- callbacks ------------------------------------------------------------------
    def parse(self, response: Response, depth: int = 0) -> Iterator[Any]:
        problem = self.unusable(response)
        if problem:
            self.crawler.stats.inc_value("blogarchive/fetch/unusable")
            yield PageFailure(url=response.url, stage="fetch", reason=problem, http_status=response.status)
            return
        if self.looks_like_article(response) or self.max_depth == 0:
            if self.limit and self.article_count >= self.limit:
                return
            self.article_count += 1
            yield self.article_page(response)
            if not self.follow_recommendations:
                return
        if depth >= self.max_depth:
            return
        for link in self.links.extract_links(response):
            if urlsplit(link.url).hostname not in self.allowed_domains:
                continue
            if self.limit and self.article_count >= self.limit:
                return
            yield response.follow(link.url, callback=self.parse, errback=self.on_error,
                                  cb_kwargs={"depth": depth + 1})

    def on_error(self, failure: Failure) -> Iterator[PageFailure]:
        request = failure.request  # type: ignore[attr-defined]
        if failure.check(HttpError):
            status = failure.value.response.status
            self.crawler.stats.inc_value(f"blogarchive/fetch/http_{status}")
            reason, code = f"HTTP {status}", status
        else:
            reason, code = f"{failure.type.__name__}: {failure.getErrorMessage()}", None
            self.crawler.stats.inc_value(f"blogarchive/fetch/{failure.type.__name__}")
        self.crawler.stats.inc_value("blogarchive/fetch/failed")
        self.logger.info("Could not fetch %(url)s: %(reason)s", {"url": request.url, "reason": reason})
        yield PageFailure(url=request.url, stage="fetch", reason=reason, http_status=code)

    # -- helpers ----------------------------------------------------------------------
    def platform_for(self, response: Response) -> Platform | None:
        return self.platform or platform_for_url(response.url)

    @staticmethod
    def unusable(response: Response) -> str | None:
        """Why a response can be neither an article nor a listing, or None."""
        body = response.body
        if not body.strip():
            return "empty response"
        sample = body[:4096]
        controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
        if b"\x00" in sample or controls > len(sample) / 20:
            return "not an HTML page (binary content)"
        return None

    def looks_like_article(self, response: Response) -> bool:
        """Article or listing? URL pattern of the platform, else og:type / JSON-LD."""
        platform = self.platform_for(response)
        path = urlsplit(response.url).path
        if platform and platform.article_url and any(re.search(p, path) for p in platform.article_url):
            return True
        head = response.body[:200_000]
        return any(p.search(head) for p in _ARTICLE_HINTS)

    def article_page(self, response: Response) -> ArticlePage:
        content_type = response.headers.get("Content-Type", b"").decode("latin-1")
        html, encoding = decode_html(response.body, content_type)
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
            html=html,
            encoding=encoding,
            headers={k.lower(): v for k, v in headers.items()},
        )
