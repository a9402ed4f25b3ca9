"""``blogger``: Blogger/Blogspot: the Atom feed ``/feeds/posts/default``, paged by ``start-index`` (``rel=next``)."""

from __future__ import annotations

from crawler.spiders.base import PlatformSpider


class BloggerSpider(PlatformSpider):
    """Blogger/Blogspot; everything it knows is ``crawler.platforms`` data."""

    name = "blogger"
    platform_name = "blogger"
