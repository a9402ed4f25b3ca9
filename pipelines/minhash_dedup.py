"""MinHashDedupPipeline: fingerprint each body for near-duplicate detection."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from itemadapter import ItemAdapter
from scrapy.exceptions import NotConfigured

from crawler.items import ArticlePage
from pipelines.dedup import DedupParams, fingerprint

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings


def dedup_params(settings: BaseSettings) -> DedupParams:
    """``DedupParams`` from ``DEDUP_*`` settings."""
    defaults = DedupParams()
    return DedupParams(
        num_perm=settings.getint("DEDUP_NUM_PERM", defaults.num_perm),
        seed=settings.getint("DEDUP_SEED", defaults.seed),
        shingle_size=settings.getint("DEDUP_SHINGLE_SIZE", defaults.shingle_size),
        threshold=settings.getfloat("DEDUP_THRESHOLD", defaults.threshold),
        head_tokens=settings.getint("DEDUP_HEAD_TOKENS", defaults.head_tokens),
    )


class MinHashDedupPipeline:
    """Fill ``item.fingerprint`` (normalised hash, MinHash signature, LSH band keys).

    When the extraction pipeline ran in a worker process it already made the
    fingerprint in the same call (same function, same parameters); this pipeline then
    only counts it. Otherwise (``WORKERS_MODE = "inline"``) it computes it here.

    The merge decision needs the archive, so the store pipeline makes it with
    :func:`pipelines.recording.record_page`. Settings: ``DEDUP_ENABLED``,
    ``DEDUP_NUM_PERM``, ``DEDUP_SEED``, ``DEDUP_SHINGLE_SIZE``, ``DEDUP_THRESHOLD``,
    ``DEDUP_HEAD_TOKENS``.
    """

    def __init__(self, crawler: Crawler, params: DedupParams) -> None:
        self.crawler = crawler
        self.params = params

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MinHashDedupPipeline:
        if not crawler.settings.getbool("DEDUP_ENABLED", True):
            raise NotConfigured("DEDUP_ENABLED is off")
        return cls(crawler, dedup_params(crawler.settings))

    def process_item(self, item: object) -> object:
        if not isinstance(item, ArticlePage):
            return item
        adapter = ItemAdapter(item)
        extraction = adapter["extraction"]
        if extraction is None:
            return item
        if adapter["fingerprint"] is None:
            start = time.thread_time()
            adapter["fingerprint"] = fingerprint(extraction.body, self.params)
            self.crawler.stats.inc_value("blogarchive/dedup/cpu_seconds", time.thread_time() - start, 0.0)
        self.crawler.stats.inc_value("blogarchive/dedup/fingerprinted")
        return item
