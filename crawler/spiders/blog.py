"""``blog``: the ad-hoc spider for any site (``scrapy crawl blog -a url=URL``)."""

from __future__ import annotations

from crawler.spiders.base import PlatformSpider


class BlogSpider(PlatformSpider):
    """Any blog: an article URL, or a home page. The platform is detected from the host,
    the generator tag and the markup, and its listings are used; otherwise the feeds the
    page announces, its ``sitemap.xml`` and same-site links (to ``depth``)."""

    name = "blog"
