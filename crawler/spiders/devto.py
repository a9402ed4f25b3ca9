"""``devto``: dev.to: a user's articles through the public articles API (``-a user=NAME``)."""

from __future__ import annotations

from crawler.spiders.base import PlatformSpider


class DevtoSpider(PlatformSpider):
    """dev.to; everything it knows is ``crawler.platforms`` data."""

    name = "devto"
    platform_name = "devto"
