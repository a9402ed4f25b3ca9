"""``csdn``: CSDN blogs: a user's article list (``-a user=NAME``) or article pages (``-a url=``)."""

from __future__ import annotations

from crawler.spiders.base import PlatformSpider


class CsdnSpider(PlatformSpider):
    """CSDN blogs; everything it knows is ``crawler.platforms`` data."""

    name = "csdn"
    platform_name = "csdn"
