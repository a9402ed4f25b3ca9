"""ArchiveStorePipeline: write each page to the SQLite archive with its provenance."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from functools import partial
from operator import methodcaller
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import CloseSpider, DropItem, NotConfigured

from archive import Archive, ArchiveLock, ArchiveLocked, FingerprintMismatch
from crawler.items import ArticlePage, NotModified, PageFailure
from pipelines.archive_writer import ArchiveWriter
from pipelines.dedup import fingerprint
from pipelines.main_body import PageRejected
from pipelines.minhash_dedup import dedup_params
from pipelines.recording import PageRecord, RecordOutcome, fingerprint_params, record_page

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class ArchiveStorePipeline:
    """Resolve each page against the archive (new text, exact, near or excerpt copy) and
    write texts, sightings and recommendations. Records failures, and the crawl itself
    with its stats.

    All writes go through one :class:`~pipelines.archive_writer.ArchiveWriter`, in the
    order items arrive: pages queued while a batch is written form the next batch, one
    transaction per batch with a savepoint per page, so a page still sees every page
    before it. The pending batch is committed before the crawl row is finished.

    Settings: ``ARCHIVE_PATH`` (default ``archive.db``), ``ARCHIVE_TIMEOUT``,
    ``ARCHIVE_BATCH_SIZE`` (most pages per transaction, default 100; 1 writes each page
    on its own), ``ARCHIVE_WRITER`` (``process``, the default: one dedicated writer
    process, replaced if it dies; ``thread``: one dedicated writer thread; ``reactor``:
    write on the reactor thread).
    """

    def __init__(
        self,
        crawler: Crawler,
        path: str,
        timeout: float,
        *,
        batch_size: int = 100,
        writer: str = "process",
    ) -> None:
        if writer not in ("thread", "process", "reactor"):
            raise ValueError(f"ARCHIVE_WRITER must be 'thread', 'process' or 'reactor', not {writer!r}")
        if batch_size < 1:
            raise ValueError("ARCHIVE_BATCH_SIZE must be at least 1")
        self.crawler = crawler
        self.stats = crawler.stats
        self.path = path
        self.timeout = timeout
        self.batch_size = batch_size
        self.writer_mode = writer
        self.params = dedup_params(crawler.settings)
        self.archive: Archive | None = None
        self.writer: ArchiveWriter | None = None
        self.lock = ArchiveLock(path)
        self.crawl_id: int | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveStorePipeline:
        path = crawler.settings.get("ARCHIVE_PATH")
        if not path:
            raise NotConfigured("ARCHIVE_PATH is not set")
        settings = crawler.settings
        pipeline = cls(
            crawler,
            path,
            settings.getfloat("ARCHIVE_TIMEOUT", 60.0),
            batch_size=settings.getint("ARCHIVE_BATCH_SIZE", 100),
            writer=settings.get("ARCHIVE_WRITER", "process"),
        )
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(pipeline.item_error, signal=signals.item_error)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    async def open_spider(self) -> None:
        # async, like the other pipelines' open_spider: a CloseSpider raised here then
        # never leaves another pipeline's opening coroutine un-awaited
        try:
            self.lock.acquire()
        except ArchiveLocked as exc:
            # another crawl writes this archive: close at once, touch nothing
            logger.error("%(error)s; closing the spider", {"error": exc})
            raise CloseSpider("archive_locked") from exc
        archive = None
        try:
            archive = Archive(self.path, timeout=self.timeout)
            archive.check_fingerprint_params(fingerprint_params(self.params))
            interrupted = archive.mark_interrupted_crawls()
            spider = self.crawler.spider
            args = {k: v for k, v in vars(spider).items() if k in getattr(spider, "argument_names", ())}
            crawl_id = archive.start_crawl(spider.name, args)
        except (FingerprintMismatch, sqlite3.Error) as exc:
            # its texts would not match this crawl's fingerprints, or it cannot be written
            # (read-only, a full disk, not an archive): close at once, touch nothing more
            if archive is not None:
                archive.close()
            self.lock.release()
            reason = _unusable_archive_reason(exc)
            hint = "; another process is writing it: try again later" if reason == "archive_busy" else ""
            logger.error("%(error)s%(hint)s; closing the spider", {"error": exc, "hint": hint})
            raise CloseSpider(reason) from exc
        self.archive, self.crawl_id = archive, crawl_id
        if interrupted:
            logger.warning("An earlier crawl of %(path)s was interrupted; this one picks up the rest",
                           {"path": self.path})
        self.stats.set_value("blogarchive/archive/crawl_id", self.crawl_id)
        self.writer = ArchiveWriter(self.archive, batch_size=self.batch_size, mode=self.writer_mode)
        logger.info("Archiving to %(path)s (crawl %(crawl)s)", {"path": self.path, "crawl": self.crawl_id})

    async def close_spider(self) -> None:
        """Commit what is still queued; the crawl row needs the final stats (see spider_closed)."""
        await self._drain()

    async def _drain(self) -> None:
        if self.writer is not None:
            await self.writer.drain()
            self.stats.set_value("blogarchive/archive/batches", self.writer.batches)
            self.stats.set_value("blogarchive/archive/cpu_seconds", self.writer.cpu_seconds)

    async def spider_closed(self, spider: Any, reason: str) -> None:
        if self.archive is None:
            if reason == "archive_locked":
                self.stats.set_value("blogarchive/crawl_status", "locked")
            elif reason in ("archive_fingerprint_mismatch", "archive_unwritable", "archive_busy"):
                self.stats.set_value("blogarchive/crawl_status", "failed")
            return
        # failures recorded by item_dropped after close_spider, if any, are committed first
        await self._drain()
        if self.writer is not None:
            self.writer.close()
            self.writer = None
        stats = self.stats.get_stats()
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

    def _record_failure(
        self, url: str, stage: str, reason: str, http_status: int | None, requested_as: str | None = None
    ) -> asyncio.Future[Any]:
        archive, writer = self.archive, self.writer
        if archive is None or writer is None:
            raise RuntimeError("ArchiveStorePipeline used before open_spider")
        self.stats.inc_value(f"blogarchive/failures/{stage}")
        future = writer.submit(
            methodcaller("add_failure", url, stage, reason, crawl_id=self.crawl_id, http_status=http_status,
                         requested_as=requested_as)
        )
        future.add_done_callback(self._failure_written)
        return future

    def _failure_written(self, future: asyncio.Future[Any]) -> None:
        """Count a failure as recorded once its row is written, or the write as an error."""
        if future.cancelled():
            return
        if future.exception() is not None:
            self.stats.inc_value("blogarchive/archive/errors")
            logger.error("Could not record a failure: %(error)s", {"error": future.exception()})
        else:
            self.stats.inc_value("blogarchive/archive/failures")

    def item_dropped(self, item: Any, response: Any, exception: BaseException, spider: Any) -> None:
        if not isinstance(item, ArticlePage) or self.archive is None:
            return
        # a pipeline's own drop (a filter) is a decision, not a fault: recorded, never retried
        stage = getattr(exception, "stage", "dropped")
        self._record_failure(item.url, stage, str(exception), item.http_status, _requested_as(response, spider))

    def item_error(self, item: Any, response: Any, spider: Any, failure: Any) -> None:
        """An article page that an item pipeline failed on with an error (not a drop):
        Scrapy logs it and goes on; it is recorded as a ``pipeline`` failure, so it does
        not vanish from the archive's record."""
        if not isinstance(item, ArticlePage) or self.archive is None or self.writer is None or item.archived:
            return  # archived already: a pipeline after this one failed on it
        error = failure.value
        self._record_failure(item.url, "pipeline", f"{type(error).__name__}: {error}", item.http_status,
                             _requested_as(response, spider))

    async def process_item(self, item: object) -> object:
        archive, writer = self.archive, self.writer
        if archive is None or writer is None:
            raise RuntimeError("ArchiveStorePipeline used before open_spider")
        if isinstance(item, PageFailure):
            try:
                await self._record_failure(item.url, item.stage, item.reason, item.http_status, item.requested_as)
            except Exception:  # noqa: BLE001 - counted and logged by _failure_written
                pass
            raise DropItem(f"recorded failure: {item.reason}", log_level="DEBUG")
        if isinstance(item, NotModified):
            touched = await writer.submit(methodcaller("touch_sighting", item.url, item.fetched_at))
            if touched:
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
            shingles=adapter["shingles"] if adapter["fingerprint"] is fp else None,
        )
        # queued now, synchronously, so pages are recorded in the order they arrive
        written = writer.submit(partial(record_page, page=page, params=self.params, crawl_id=self.crawl_id))
        try:
            outcome: RecordOutcome = await written
        except Exception as exc:  # noqa: BLE001 - SQLite errors, a writer process that died, a bug: counted, recorded
            self.stats.inc_value("blogarchive/archive/errors")
            logger.error("Could not archive %(url)s: %(error)s", {"url": page.url, "error": exc},
                         exc_info=not isinstance(exc, sqlite3.Error))
            raise PageRejected("pipeline", f"archive error: {exc}") from exc
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
        adapter["archived"] = {
            "text_id": outcome.text_id,
            "sighting_id": outcome.sighting_id,
            "relation": outcome.relation,
            "similarity": outcome.similarity,
            "new_text": outcome.new_text,
            "unchanged": outcome.unchanged,
        }
        return item


def _requested_as(response: Any, spider: Any) -> str:
    """What the page of ``response`` was asked for as (``PlatformSpider.requested_as``): a page the
    generic spider found by following links is retried as a page, not forced to be an article."""
    request = getattr(response, "request", None)
    if request is None or not hasattr(spider, "requested_as"):
        return "article"
    return spider.requested_as(request)


def _unusable_archive_reason(exc: Exception) -> str:
    """The spider's close reason for an archive it cannot start on: other fingerprints, busy
    (another process writes it longer than ``ARCHIVE_TIMEOUT``: try again later), or unwritable
    (read-only, a full disk, not an archive)."""
    if isinstance(exc, FingerprintMismatch):
        return "archive_fingerprint_mismatch"
    if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
        return "archive_busy"
    return "archive_unwritable"
