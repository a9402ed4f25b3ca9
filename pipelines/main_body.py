"""MainBodyPipeline: extract body, metadata and recommendations from each page."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import DropItem, NotConfigured

from crawler.encoding import decode_html
from crawler.items import ArticlePage
from pipelines.extract import NoBodyFound, extract_article
from pipelines.minhash_dedup import dedup_params
from pipelines.workers import WorkerDied, WorkerPool, default_processes, process_page

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from pipelines.dedup import DedupParams
    from pipelines.workers import PageWork

logger = logging.getLogger(__name__)

#: Values of ``WORKERS_MODE``.
MODES = ("pool", "inline")


class PageRejected(DropItem):
    """A page that reaches no archive row; ``stage`` says where it stopped."""

    def __init__(self, stage: str, reason: str) -> None:
        super().__init__(reason, log_level="INFO")
        self.stage = stage
        self.reason = reason


class MainBodyPipeline:
    """Fill ``item.extraction`` from the page (``item.body`` decoded, or ``item.html``);
    pages without a body are rejected
    (and recorded in ``failures`` by the store pipeline).

    With ``WORKERS_MODE = "pool"`` (the default) the page is parsed, extracted and
    fingerprinted in one call in a worker process (:mod:`pipelines.workers`), so
    ``item.fingerprint`` is filled here too and the reactor stays free. Items leave
    this pipeline in the order they entered it, so the archive sees pages in the same
    order as with ``WORKERS_MODE = "inline"``, which does the work on the reactor
    thread (for tests and debugging).

    Settings: ``EXTRACT_ENABLED`` (default True), ``WORKERS_MODE``,
    ``WORKERS_PROCESSES`` (0: one per core), ``WORKERS_START_METHOD``, ``WORKERS_RETRIES``.
    """

    def __init__(
        self,
        crawler: Crawler,
        *,
        mode: str = "pool",
        processes: int = 0,
        start_method: str = "forkserver",
        retries: int = 1,
        params: DedupParams | None = None,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"WORKERS_MODE must be one of {MODES}, not {mode!r}")
        self.crawler = crawler
        self.stats = crawler.stats
        self.mode = mode
        self.params = params
        self.pool = (
            WorkerPool(processes or default_processes(), start_method=start_method, retries=retries)
            if mode == "pool"
            else None
        )
        self._previous: asyncio.Future[None] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MainBodyPipeline:
        settings = crawler.settings
        if not settings.getbool("EXTRACT_ENABLED", True):
            raise NotConfigured("EXTRACT_ENABLED is off")
        pipeline = cls(
            crawler,
            mode=settings.get("WORKERS_MODE", "pool"),
            processes=settings.getint("WORKERS_PROCESSES", 0),
            start_method=settings.get("WORKERS_START_METHOD", "forkserver"),
            retries=settings.getint("WORKERS_RETRIES", 1),
            # every archived page needs a fingerprint: make it while the text is at hand
            params=dedup_params(settings),
        )
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    async def open_spider(self) -> None:
        if self.pool is not None:
            await self.pool.start(self.params)
            logger.info("Extracting in %(n)d worker processes", {"n": self.pool.processes})

    def spider_closed(self) -> None:
        if self.pool is not None:
            self.stats.set_value("blogarchive/workers/restarts", self.pool.restarts)
            self.pool.shutdown()

    async def process_item(self, item: object) -> object:
        if not isinstance(item, ArticlePage):
            return item
        adapter = ItemAdapter(item)
        if self.pool is None:
            self._extract_inline(adapter)
            return item
        previous, self._previous = self._previous, asyncio.get_running_loop().create_future()
        mine = self._previous
        try:
            try:
                page, content_type = _page_and_content_type(adapter)
                work = await self.pool.run(
                    process_page, page, adapter["final_url"], adapter["platform"], self.params, content_type
                )
            except WorkerDied as exc:
                self.stats.inc_value("blogarchive/workers/died")
                raise PageRejected("worker", str(exc)) from exc
            except Exception as exc:  # noqa: BLE001 - any other error in a worker: this page only
                raise self._extraction_error(adapter, exc) from exc
            self._apply(adapter, work)
        finally:
            try:
                if previous is not None:
                    await previous  # leave in arrival order
            finally:
                mine.set_result(None)
        return item

    def _apply(self, adapter: ItemAdapter, work: PageWork) -> None:
        if work.encoding is not None:
            adapter["encoding"] = work.encoding
        self.stats.inc_value("blogarchive/extract/cpu_seconds", work.extract_seconds, 0.0)
        if work.extraction is None:
            self.stats.inc_value("blogarchive/extract/no_body")
            raise PageRejected("extract", work.rejected or "no article body found")
        self.stats.inc_value("blogarchive/extract/ok")
        adapter["extraction"] = work.extraction
        if work.fingerprint is not None:
            self.stats.inc_value("blogarchive/dedup/cpu_seconds", work.dedup_seconds, 0.0)
            adapter["fingerprint"] = work.fingerprint
            adapter["shingles"] = work.shingles

    def _extract_inline(self, adapter: ItemAdapter) -> None:
        start = time.thread_time()
        try:
            page, content_type = _page_and_content_type(adapter)
            if isinstance(page, bytes):
                adapter["html"], adapter["encoding"] = decode_html(page, content_type)
            adapter["extraction"] = extract_article(
                adapter["html"], url=adapter["final_url"], platform=adapter["platform"]
            )
        except NoBodyFound as exc:
            self.stats.inc_value("blogarchive/extract/no_body")
            raise PageRejected("extract", str(exc)) from exc
        except Exception as exc:  # noqa: BLE001 - a bug or a pathological page: this page only
            raise self._extraction_error(adapter, exc) from exc
        finally:
            self.stats.inc_value("blogarchive/extract/cpu_seconds", time.thread_time() - start, 0.0)
        self.stats.inc_value("blogarchive/extract/ok")

    def _extraction_error(self, adapter: ItemAdapter, exc: Exception) -> PageRejected:
        """An unexpected error extracting one page: logged with its traceback, counted,
        and the page recorded as a failure (stage ``extract``) instead of vanishing."""
        self.stats.inc_value("blogarchive/extract/errors")
        logger.error("Extracting %(url)s failed: %(error)r", {"url": adapter["url"], "error": exc}, exc_info=exc)
        return PageRejected("extract", f"{type(exc).__name__}: {exc}")


def _page_and_content_type(adapter: ItemAdapter) -> tuple[str | bytes, str | None]:
    """What a worker gets of a page: its text if something decoded it already, else
    the bytes as fetched and their ``Content-Type`` (cheaper to send, decoded there)."""
    if adapter["html"] is not None:
        return adapter["html"], None
    return adapter["body"], (adapter["headers"] or {}).get("content-type")
