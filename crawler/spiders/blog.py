"""``blog``: the ad-hoc spider for any site (``scrapy crawl blog -a url=URL``)."""

from __future__ import annotations

from crawler.spiders.base import PlatformSpider


class BlogSpider(PlatformSpider):
    """Any blog: an article URL, or a home page whose same-site links are followed."""

    name = "blog"
