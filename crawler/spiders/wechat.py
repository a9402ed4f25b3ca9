"""``wechat``: WeChat official-account articles, given directly (``-a url=URL,URL``): WeChat has no public listing."""

from __future__ import annotations

from crawler.spiders.base import PlatformSpider


class WechatSpider(PlatformSpider):
    """WeChat official-account articles, given directly (``-a url=URL,URL``); everything it knows is ``crawler.platforms`` data."""

    name = "wechat"
    platform_name = "wechat"
