"""MainBodyPipeline: extract body, metadata and recommendations from each page."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem, NotConfigured

from crawler.items import ArticlePage
from pipelines.extract import NoBodyFound, extract_article

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class PageRejected(DropItem):
    """A page that reaches no archive row; ``stage`` says where it stopped."""

    def __init__(self, stage: str, reason: str) -> None:
        super().__init__(reason, log_level="INFO")
        self.stage = stage
        self.reason = reason


class MainBodyPipeline:
    """Fill ``item.extraction`` from ``item.html``; pages without a body are rejected
    (and recorded in ``failures`` by the store pipeline).

    Settings: ``EXTRACT_ENABLED`` (default True).
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MainBodyPipeline:
        if not crawler.settings.getbool("EXTRACT_ENABLED", True):
            raise NotConfigured("EXTRACT_ENABLED is off")
        return cls(crawler)

    def process_item(self, item: object) -> object:
        if not isinstance(item, ArticlePage):
            return item
        adapter = ItemAdapter(item)
        try:
            adapter["extraction"] = extract_article(
                adapter["html"], url=adapter["final_url"], platform=adapter["platform"]
            )
        except NoBodyFound as exc:
            self.stats.inc_value("blogarchive/extract/no_body")
            raise PageRejected("extract", str(exc)) from exc
        self.stats.inc_value("blogarchive/extract/ok")
        return item
