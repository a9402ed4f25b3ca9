"""ArchiveStorePipeline: write each page to the SQLite archive with its provenance."""

from __future__ import annotations

import logging
import sqlite3
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import CloseSpider, DropItem, NotConfigured

from archive import Archive, ArchiveLock, ArchiveLocked
from crawler.items import ArticlePage, NotModified, PageFailure
from pipelines.dedup import fingerprint
from pipelines.minhash_dedup import dedup_params
from pipelines.recording import PageRecord, fingerprint_params, record_page

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class ArchiveStorePipeline:
    """Resolve each page against the archive (new text, exact, near or excerpt copy) and
    write texts, sightings and recommendations in one transaction per page. Records
    failures, and the crawl itself with its stats.

    Settings: ``ARCHIVE_PATH`` (default ``archive.db``), ``ARCHIVE_TIMEOUT``.
    """

    def __init__(self, crawler: Crawler, path: str, timeout: float) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.path = path
        self.timeout = timeout
        self.params = dedup_params(crawler.settings)
        self.archive: Archive | None = None
        self.lock = ArchiveLock(path)
        self.crawl_id: int | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveStorePipeline:
        path = crawler.settings.get("ARCHIVE_PATH")
        if not path:
            raise NotConfigured("ARCHIVE_PATH is not set")
        pipeline = cls(crawler, path, crawler.settings.getfloat("ARCHIVE_TIMEOUT", 60.0))
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self) -> None:
        try:
            self.lock.acquire()
        except ArchiveLocked as exc:
            # another crawl writes this archive: close at once, touch nothing
            logger.error("%(error)s; closing the spider", {"error": exc})
            raise CloseSpider("archive_locked") from exc
        self.archive = Archive(self.path, timeout=self.timeout)
        self.archive.check_fingerprint_params(fingerprint_params(self.params))
        if self.archive.mark_interrupted_crawls():
            logger.warning("An earlier crawl of %(path)s was interrupted; this one picks up the rest",
                           {"path": self.path})
        spider = self.crawler.spider
        args = {k: v for k, v in vars(spider).items() if k in getattr(spider, "argument_names", ())}
        self.crawl_id = self.archive.start_crawl(spider.name, args)
        self.stats.set_value("blogarchive/archive/crawl_id", self.crawl_id)
        logger.info("Archiving to %(path)s (crawl %(crawl)s)", {"path": self.path, "crawl": self.crawl_id})

    def close_spider(self) -> None:
        """Nothing to do here: the crawl row needs the final stats (see spider_closed)."""

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.archive is None:
            if reason == "archive_locked":
                self.stats.set_value("blogarchive/crawl_status", "locked")
            return
        stats = self.stats.get_stats()
        # failed: closed early, archive errors, or every request failed
        failed = reason not in ("finished",) or (
            stats.get("blogarchive/archive/errors", 0) > 0
        ) or (
            stats.get("blogarchive/fetch/failed", 0) > 0
            and not stats.get("blogarchive/fetch/ok", 0)
            and not stats.get("blogarchive/archive/pages", 0)
        )
        status = "failed" if failed else "finished"
        self.stats.set_value("blogarchive/crawl_status", status)
        try:
            self.archive.finish_crawl(self.crawl_id, status, self.stats.get_stats())
        finally:
            self.archive.close()
            self.archive = None
            self.lock.release()

    def _record_failure(self, url: str, stage: str, reason: str, http_status: int | None) -> None:
        assert self.archive is not None
        self.archive.add_failure(url, stage, reason, crawl_id=self.crawl_id, http_status=http_status)
        self.stats.inc_value("blogarchive/archive/failures")
        self.stats.inc_value(f"blogarchive/failures/{stage}")

    def item_dropped(self, item: Any, response: Any, exception: BaseException, spider: Any) -> None:
        if not isinstance(item, ArticlePage) or self.archive is None:
            return
        stage = getattr(exception, "stage", "pipeline")
        self._record_failure(item.url, stage, str(exception), item.http_status)

    def process_item(self, item: object) -> object:
        if self.archive is None:
            raise RuntimeError("ArchiveStorePipeline used before open_spider")
        if isinstance(item, PageFailure):
            self._record_failure(item.url, item.stage, item.reason, item.http_status)
            raise DropItem(f"recorded failure: {item.reason}", log_level="DEBUG")
        if isinstance(item, NotModified):
            if self.archive.touch_sighting(item.url, item.fetched_at):
                self.stats.inc_value("blogarchive/archive/not_modified")
            raise DropItem(f"not modified: {item.url}", log_level="DEBUG")
        if not isinstance(item, ArticlePage):
            return item
        adapter = ItemAdapter(item)
        extraction = adapter["extraction"]
        if extraction is None:
            return item
        fp = adapter["fingerprint"] or fingerprint(extraction.body, self.params)
        headers = adapter["headers"] or {}
        page = PageRecord(
            url=adapter["url"],
            final_url=adapter["final_url"],
            platform=adapter["platform"] or extraction.platform,
            http_status=adapter["http_status"],
            fetched_at=adapter["fetched_at"],
            etag=headers.get("etag"),
            last_modified=headers.get("last-modified"),
            extraction=extraction,
            fingerprint=fp,
        )
        try:
            outcome = record_page(self.archive, page, self.params, self.crawl_id)
        except sqlite3.Error as exc:
            self.stats.inc_value("blogarchive/archive/errors")
            logger.error("Could not archive %(url)s: %(error)s", {"url": page.url, "error": exc})
            raise DropItem(f"archive error: {exc}") from exc
        self.stats.inc_value("blogarchive/archive/pages")
        if outcome.unchanged:
            self.stats.inc_value("blogarchive/archive/unchanged")
        else:
            self.stats.inc_value(f"blogarchive/dedup/{outcome.relation}")
        if outcome.new_text:
            self.stats.inc_value("blogarchive/archive/texts_added")
        if outcome.new_sighting:
            self.stats.inc_value("blogarchive/archive/sightings_added")
            if not outcome.new_text:
                self.stats.inc_value("blogarchive/archive/sightings_merged")
        self.stats.inc_value("blogarchive/archive/recommendations", outcome.recommendations)
        return item
