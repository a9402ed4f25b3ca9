"""``jianshu``: 简书 (jianshu.com): a user's articles (``-a user=ID``), a collection/专题 or article pages (``-a url=``); recommendations can be followed (``-a follow_recommendations=1``)."""

from __future__ import annotations

from crawler.spiders.base import PlatformSpider


class JianshuSpider(PlatformSpider):
    """简书 (jianshu.com); everything it knows is ``crawler.platforms`` data."""

    name = "jianshu"
    platform_name = "jianshu"
