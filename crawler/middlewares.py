"""Crawler middlewares: a crawl that can run from cron for months.

- :class:`ArchiveRevisitMiddleware` (downloader): the archive is the "seen" store.
  An archived article is not fetched again before its revisit interval, then only
  with a conditional request; a listing stops paginating at articles already seen.
- :class:`RetryAfterMiddleware` (downloader): Scrapy's retries with exponential
  backoff, honouring ``Retry-After`` on 429/503, never retrying a challenge page.
- :class:`ContactUserAgentMiddleware` (downloader): a User-Agent that says who to
  contact (``BLOGARCHIVE_CONTACT``).
- :class:`MetaRefreshMiddleware` (downloader): Scrapy's, without decoding every page
  that cannot hold a ``<meta http-equiv="refresh">``.
- :class:`RequeueMiddleware` (spider): adds to the start requests the articles of
  this site that are due for a revisit and the pages that failed in earlier crawls.
- :class:`ParseFailureMiddleware` (spider): a page the spider could not handle (a
  bug, a JSON answer where a page was expected) becomes a recorded failure.

The archive is only read while this process holds its lock (the store pipeline takes
it), so a crawl refused by the lock touches nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware as ScrapyMetaRefreshMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.asyncio import sleep

from archive import Archive, ArchiveLock
from crawler.items import PageFailure
from crawler.spiders._discovery import RETRYABLE_BLOCKS, blocked_reason

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

#: Request kinds that are articles (or may be): the only ones ever skipped.
ARTICLE_KINDS = ("article", "page")
#: Request kinds of listings: always fetched, but their "next page" may be skipped.
LISTING_KINDS = ("listing", "feed", "sitemap", "api")


#: The spider arguments that say which site a crawl is for (``limit``, ``revisit``... may change).
SITE_ARGUMENTS = ("url", "base_url", "user")


def site_of(spider: Spider) -> dict[str, Any]:
    """The arguments naming the spider's site, as the store pipeline records them in
    ``crawls.args`` (JSON null when absent)."""
    return {key: getattr(spider, key, None) for key in SITE_ARGUMENTS}


class _ArchiveReader:
    """Lazy read access to the archive, only while this process holds its lock."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.path = crawler.settings.get("ARCHIVE_PATH")
        self.timeout = crawler.settings.getfloat("ARCHIVE_TIMEOUT", 60.0)
        self._archive: Archive | None = None
        crawler.signals.connect(self.close, signal=signals.spider_closed)

    @property
    def archive(self) -> Archive | None:
        if self._archive is None and self.path and ArchiveLock(self.path).held:
            self._archive = Archive(self.path, timeout=self.timeout)
        return self._archive

    def close(self) -> None:
        if self._archive is not None:
            self._archive.close()
            self._archive = None


class ArchiveRevisitMiddleware(_ArchiveReader):
    """Skip archived articles until their revisit interval has passed, then revisit them
    with ``If-None-Match`` / ``If-Modified-Since`` (a 304 becomes a ``NotModified``
    item that moves ``last_seen``); stop a listing's pagination at seen articles.

    Pagination stops early only when the previous crawl with the same spider and
    arguments finished: after a killed or failed run the whole listing is walked again,
    so the next run picks up what the interrupted one missed.

    Settings: ``BLOGARCHIVE_REVISIT_ENABLED`` (True), ``BLOGARCHIVE_REVISIT_AFTER``
    (seconds, default 7 days; spider argument ``revisit`` overrides it),
    ``BLOGARCHIVE_STOP_AT_SEEN`` (True).
    """

    def __init__(self, crawler: Crawler, stop_at_seen: bool) -> None:
        super().__init__(crawler)
        self.stats = crawler.stats
        self.stop_at_seen = stop_at_seen
        self._previous_finished: bool | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveRevisitMiddleware:
        settings = crawler.settings
        if not settings.getbool("BLOGARCHIVE_REVISIT_ENABLED", True):
            raise NotConfigured("BLOGARCHIVE_REVISIT_ENABLED is off")
        if not settings.get("ARCHIVE_PATH"):
            raise NotConfigured("ARCHIVE_PATH is not set")
        return cls(crawler, settings.getbool("BLOGARCHIVE_STOP_AT_SEEN", True))

    def _previous_crawl_finished(self, archive: Archive) -> bool:
        if self._previous_finished is None:
            spider = self.crawler.spider
            status = archive.previous_crawl_status(
                spider.name, site_of(spider), before=self.stats.get_value("blogarchive/archive/crawl_id"))
            self._previous_finished = status == "finished"
        return self._previous_finished

    def _skip(self, request: Request, why: str, stat: str) -> None:
        request.meta["blogarchive_skip"] = why
        self.stats.inc_value(f"blogarchive/revisit/{stat}")
        raise IgnoreRequest(why)

    def process_request(self, request: Request) -> None:
        kind = request.meta.get("blogarchive_kind")
        archive = self.archive if kind else None
        if archive is None:
            return
        if kind in LISTING_KINDS:
            listed = request.meta.get("blogarchive_listed") or ()
            if (self.stop_at_seen and listed and self._previous_crawl_finished(archive)
                    and any(archive.sighting_by_url(url) for url in listed)):
                logger.info("Not paginating to %(url)s: the listing reached archived articles",
                            {"url": request.url})
                self._skip(request, "listing reached archived articles", "listing_stopped")
            return
        if kind not in ARTICLE_KINDS:
            return
        sighting = archive.sighting_by_url(request.url)
        if sighting is None:
            return
        last_seen = datetime.fromisoformat(sighting.last_seen)
        if last_seen.tzinfo is None:
            last_seen = last_seen.replace(tzinfo=UTC)
        if datetime.now(UTC) - last_seen < revisit_interval(self.crawler):
            self._skip(request, f"archived, not due for a revisit: {request.url}", "not_due")
        if not (sighting.etag or sighting.last_modified):
            self.stats.inc_value("blogarchive/revisit/unconditional")
            return
        if sighting.etag:
            request.headers["If-None-Match"] = sighting.etag
        if sighting.last_modified:
            request.headers["If-Modified-Since"] = sighting.last_modified
        request.meta["handle_httpstatus_list"] = [*request.meta.get("handle_httpstatus_list", ()), 304]
        self.stats.inc_value("blogarchive/revisit/conditional")


#: How often a retry's wait looks whether the crawl is being stopped.
_STOP_CHECK_SECONDS = 0.5


class RetryAfterMiddleware(RetryMiddleware):
    """Scrapy's ``RetryMiddleware`` made polite: waits ``Retry-After`` (seconds or a date)
    before retrying a 429/503, else backs off exponentially; a ``Retry-After`` longer
    than the maximum gives up at once (the page is recorded as failed and retried by a
    later run). Challenge pages (captcha, JS challenge, login wall) are never retried.

    Settings: ``RETRY_*`` as in Scrapy, ``BLOGARCHIVE_RETRY_BACKOFF`` (seconds, first
    wait, doubled per attempt; 1.0), ``BLOGARCHIVE_RETRY_BACKOFF_MAX`` (60),
    ``BLOGARCHIVE_RETRY_AFTER_MAX`` (300).
    """

    def __init__(self, settings: Any, crawler: Crawler) -> None:
        super().__init__(settings)
        self.crawler = crawler
        self.backoff = settings.getfloat("BLOGARCHIVE_RETRY_BACKOFF", 1.0)
        self.backoff_max = settings.getfloat("BLOGARCHIVE_RETRY_BACKOFF_MAX", 60.0)
        self.retry_after_max = settings.getfloat("BLOGARCHIVE_RETRY_AFTER_MAX", 300.0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        return cls(crawler.settings, crawler)

    @staticmethod
    def retry_after(response: Response) -> float | None:
        """Seconds asked for by a ``Retry-After`` header, or None."""
        value = (response.headers.get("Retry-After") or b"").decode("latin-1").strip()
        if not value:
            return None
        if value.isdigit():
            return float(value)
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        return max(0.0, (when - datetime.now(UTC)).total_seconds())

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.meta.get("dont_retry") or response.status not in self.retry_http_codes:
            return response
        stats = self.crawler.stats
        kind = blocked_reason(response.status, response.body)
        if kind and kind not in RETRYABLE_BLOCKS:
            stats.inc_value("blogarchive/retry/not_retried_challenge")
            return response
        asked = self.retry_after(response)
        if asked is not None and asked > self.retry_after_max:
            stats.inc_value("blogarchive/retry/retry_after_too_long")
            logger.info("%(url)s asks to come back in %(s).0f s: giving up for this run",
                        {"url": request.url, "s": asked})
            return response
        retry = self._retry(request, f"HTTP {response.status}")
        if retry is None:
            return response
        attempt = retry.meta.get("retry_times", 1)
        delay = asked if asked is not None else min(self.backoff * 2 ** (attempt - 1), self.backoff_max)
        stats.inc_value("blogarchive/retry/retry_after" if asked is not None else "blogarchive/retry/backoff")
        logger.info("Retrying %(url)s (HTTP %(status)s) in %(delay).1f s",
                    {"url": request.url, "status": response.status, "delay": delay})
        if delay > 0 and not await self._wait(delay):
            # Ctrl-C or SIGTERM: the 429/503 goes to the spider, recorded and retried by a later run
            stats.inc_value("blogarchive/retry/stopped_waiting")
            logger.info("Stopping: %(url)s not retried", {"url": request.url})
            return response
        return retry

    async def _wait(self, seconds: float) -> bool:
        """Sleep ``seconds`` in short steps that notice the crawl closing; False when it is."""
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            if self._closing():
                return False
            await sleep(min(left, _STOP_CHECK_SECONDS))
        return not self._closing()

    def _closing(self) -> bool:
        """Whether the crawl is stopping: Ctrl-C or SIGTERM (``crawler.crawling`` turns false),
        or the engine closing the spider for any other reason (``CLOSESPIDER_TIMEOUT``, a
        spider's ``CloseSpider``), which Scrapy shows only on its engine's slot."""
        slot = getattr(self.crawler.engine, "_slot", None)
        return not self.crawler.crawling or getattr(slot, "closing", None) is not None


class OffsiteRedirectMiddleware:
    """Refuse a redirect to a host outside ``allowed_domains`` so that it is recorded
    (stage ``offsite``) instead of vanishing in the offsite filter: the response goes
    to the spider's errback as the 3xx it is, with ``blogarchive_offsite_redirect``
    in its request's meta. Must sit after (above) ``RedirectMiddleware`` (600)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> OffsiteRedirectMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status not in (301, 302, 303, 307, 308) or not response.headers.get("Location"):
            return response
        location = response.urljoin(response.headers["Location"].decode("latin-1"))
        host = (urlsplit(location).hostname or "").lower()
        allowed = [d.lower() for d in getattr(self.crawler.spider, "allowed_domains", None) or () if d]
        if not allowed or any(host == d or host.endswith("." + d) for d in allowed):
            return response
        request.meta["dont_redirect"] = True
        request.meta["blogarchive_offsite_redirect"] = location
        self.crawler.stats.inc_value("blogarchive/fetch/offsite_redirect")
        return response


class ContactUserAgentMiddleware:
    """Send ``USER_AGENT`` with the operator's contact (``BLOGARCHIVE_CONTACT``) appended,
    so a site owner can reach whoever runs the crawl."""

    def __init__(self, user_agent: str) -> None:
        self.user_agent = user_agent

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ContactUserAgentMiddleware:
        agent = crawler.settings.get("USER_AGENT") or "blogarchive"
        contact = (crawler.settings.get("BLOGARCHIVE_CONTACT") or "").strip()
        if contact:
            agent = f"{agent} contact: {contact}"
        return cls(agent)

    def process_request(self, request: Request) -> None:
        request.headers.setdefault(b"User-Agent", self.user_agent)


#: Bytes that hold the first 4,096 characters Scrapy looks at for a meta refresh.
META_REFRESH_WINDOW = 4096 * 4


class MetaRefreshMiddleware(ScrapyMetaRefreshMiddleware):
    """Scrapy's meta-refresh redirects, skipping pages whose start has no ``refresh``.

    Scrapy decodes the whole body (``response.text``) of every HTML response to look
    for the tag, which cost as much as the spider's own decoding. An ASCII-compatible
    page without the word in its first characters cannot hold one; pages with NUL
    bytes there (UTF-16) are checked the usual way.
    """

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Any:
        head = response.body[:META_REFRESH_WINDOW]
        if b"\0" not in head and b"refresh" not in head.lower():
            return response
        return super().process_response(request, response)


def revisit_interval(crawler: Crawler) -> timedelta:
    """How long an archived article rests before it is fetched again: the spider's
    ``revisit`` argument, else ``BLOGARCHIVE_REVISIT_AFTER`` (seconds)."""
    value = getattr(crawler.spider, "revisit", None)
    if value in (None, ""):
        value = crawler.settings.getfloat("BLOGARCHIVE_REVISIT_AFTER", 7 * 86400)
    return timedelta(seconds=float(value))


class RequeueMiddleware(_ArchiveReader):
    """After a spider's own start requests, add from the archive (1) the articles this
    site's earlier crawls archived that are due for a revisit, since a listing that stops
    at archived articles never reaches the older ones, and (2) the pages of its hosts that
    failed in earlier crawls (fetch errors, blocked) and were never archived (as articles,
    or as pages, which may be listings, when that is what they were asked for as), up to
    ``BLOGARCHIVE_RETRY_FAILURES_MAX`` attempts within ``BLOGARCHIVE_RETRY_FAILURES_DAYS``.

    Settings: ``BLOGARCHIVE_REVISIT_ENABLED``, ``BLOGARCHIVE_RETRY_FAILURES`` (True),
    ``..._MAX`` (5), ``..._DAYS`` (30).
    """

    def __init__(self, crawler: Crawler, revisits: bool, failures: bool, max_attempts: int, days: float) -> None:
        super().__init__(crawler)
        self.revisits = revisits
        self.failures = failures
        self.max_attempts = max_attempts
        self.days = days

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RequeueMiddleware:
        settings = crawler.settings
        revisits = settings.getbool("BLOGARCHIVE_REVISIT_ENABLED", True)
        failures = settings.getbool("BLOGARCHIVE_RETRY_FAILURES", True)
        if not (revisits or failures):
            raise NotConfigured("BLOGARCHIVE_REVISIT_ENABLED and BLOGARCHIVE_RETRY_FAILURES are off")
        if not settings.get("ARCHIVE_PATH"):
            raise NotConfigured("ARCHIVE_PATH is not set")
        return cls(crawler, revisits, failures, settings.getint("BLOGARCHIVE_RETRY_FAILURES_MAX", 5),
                   settings.getfloat("BLOGARCHIVE_RETRY_FAILURES_DAYS", 30))

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for item_or_request in start:
            yield item_or_request
        spider = self.crawler.spider
        archive = self.archive
        if archive is None or not hasattr(spider, "article_request"):
            return
        now = datetime.now(UTC).replace(microsecond=0)
        if self.revisits:
            due = (now - revisit_interval(self.crawler)).isoformat()
            for url in archive.due_for_revisit(spider.name, site_of(spider), due):
                request = spider.article_request(url, 0, requeued=True)
                if request is not None:
                    self.crawler.stats.inc_value("blogarchive/revisit/due")
                    yield request
        if self.failures:
            since = (now - timedelta(days=self.days)).isoformat()
            for url, requested_as in archive.failed_urls(spider.allowed_domains, since=since,
                                                         max_attempts=self.max_attempts):
                if requested_as == "page":  # perhaps a listing: it must not be archived as an article
                    request = spider.requeued_page_request(url)
                else:
                    request = spider.article_request(url, 0, requeued=True)
                if request is not None:
                    self.crawler.stats.inc_value("blogarchive/retry/earlier_failures")
                    yield request


class ParseFailureMiddleware:
    """Turn an exception raised while the spider handles a response into a
    :class:`~crawler.items.PageFailure` (stage ``parse``), recorded in ``failures`` (not
    retried: the same page would fail the same way) and counted as ``blogarchive/parse/errors``:
    otherwise Scrapy only logs it and the page is silently not archived."""

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ParseFailureMiddleware:
        return cls(crawler)

    def process_spider_exception(self, response: Response, exception: Exception) -> list[Any]:
        self.stats.inc_value("blogarchive/parse/errors")
        logger.error("Could not handle %(url)s: %(error)r", {"url": response.url, "error": exception},
                     exc_info=exception)
        request = response.request
        url = request.meta.get("redirect_urls", [response.url])[0] if request is not None else response.url
        return [PageFailure(url=url, stage="parse", reason=f"{type(exception).__name__}: {exception}"[:500],
                            http_status=response.status)]
