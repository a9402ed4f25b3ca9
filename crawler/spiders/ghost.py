"""``ghost``: Ghost: the RSS feed and ``sitemap-posts.xml`` of a self-hosted blog (``-a url=HOME``)."""

from __future__ import annotations

from crawler.spiders.base import PlatformSpider


class GhostSpider(PlatformSpider):
    """Ghost; everything it knows is ``crawler.platforms`` data."""

    name = "ghost"
    platform_name = "ghost"
