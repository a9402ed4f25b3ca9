"""``cnblogs``: 博客园 (cnblogs.com): a user's RSS feed and list pages (``-a user=NAME``)."""

from __future__ import annotations

from crawler.spiders.base import PlatformSpider


class CnblogsSpider(PlatformSpider):
    """博客园 (cnblogs.com); everything it knows is ``crawler.platforms`` data."""

    name = "cnblogs"
    platform_name = "cnblogs"
