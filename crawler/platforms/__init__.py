"""Platform knowledge: one small data description per platform, in one place.

Spiders use it to discover articles; the extraction pipeline uses the same
descriptions to find body, metadata and recommendation blocks. Adding a platform
means adding one module here and listing it in ``PLATFORMS``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from crawler.platforms import chinese, news_zh, western
from crawler.platforms.base import Discovery, Platform, RecommendationBlock

PLATFORMS: dict[str, Platform] = {p.name: p for p in (*chinese.PLATFORMS, *western.PLATFORMS, *news_zh.PLATFORMS)}


def get_platform(name: str | None) -> Platform | None:
    """The platform called ``name``, or None."""
    return PLATFORMS.get(name) if name else None


def platform_for_url(url: str | None) -> Platform | None:
    """The platform whose domains include the URL's host, or None."""
    if not url:
        return None
    host = urlsplit(url).hostname
    for platform in PLATFORMS.values():
        if platform.owns_host(host):
            return platform
    return None


__all__ = [
    "PLATFORMS",
    "Discovery",
    "Platform",
    "RecommendationBlock",
    "get_platform",
    "platform_for_url",
]
