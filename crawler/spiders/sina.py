"""``sina``: 新浪博客 (blog.sina.com.cn): a user's article list pages (``-a user=UID``)."""

from __future__ import annotations

from crawler.spiders.base import PlatformSpider


class SinaSpider(PlatformSpider):
    """新浪博客 (blog.sina.com.cn); everything it knows is ``crawler.platforms`` data."""

    name = "sina"
    platform_name = "sina"
