"""``substack``: Substack: the archive API (``/api/v1/archive``, paged by offset), else the feed (``-a user=NAME``)."""

from __future__ import annotations

from crawler.spiders.base import PlatformSpider


class SubstackSpider(PlatformSpider):
    """Substack; everything it knows is ``crawler.platforms`` data."""

    name = "substack"
    platform_name = "substack"
