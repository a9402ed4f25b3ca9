"""``wordpress``: WordPress: the REST API (``wp-json/wp/v2/posts``, paged by ``X-WP-TotalPages``) when open, else the feed and the core sitemap (``-a url=`` a self-hosted blog, ``-a user=`` a wordpress.com one)."""

from __future__ import annotations

from crawler.spiders.base import PlatformSpider


class WordpressSpider(PlatformSpider):
    """WordPress; everything it knows is ``crawler.platforms`` data."""

    name = "wordpress"
    platform_name = "wordpress"
