"""``medium``: Medium: user and publication feeds (``-a user=@name`` or ``-a user=publication``)."""

from __future__ import annotations

from crawler.spiders.base import PlatformSpider


class MediumSpider(PlatformSpider):
    """Medium; everything it knows is ``crawler.platforms`` data."""

    name = "medium"
    platform_name = "medium"
