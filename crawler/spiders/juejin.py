"""``juejin``: 稀土掘金 (juejin.cn): a user's articles through the article-list API (``-a user=USER_ID``)."""

from __future__ import annotations

from crawler.spiders.base import PlatformSpider


class JuejinSpider(PlatformSpider):
    """稀土掘金 (juejin.cn); everything it knows is ``crawler.platforms`` data."""

    name = "juejin"
    platform_name = "juejin"
