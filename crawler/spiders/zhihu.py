"""``zhihu``: 知乎专栏: a column through its API (``-a user=COLUMN``); needs the cookies of a logged-in session."""

from __future__ import annotations

from crawler.spiders.base import PlatformSpider


class ZhihuSpider(PlatformSpider):
    """知乎专栏; everything it knows is ``crawler.platforms`` data."""

    name = "zhihu"
    platform_name = "zhihu"
