"""The duplicate-request filter: Scrapy's, except for a redirect back into its own chain."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.dupefilters import RFPDupeFilter

if TYPE_CHECKING:
    from scrapy import Request


class RedirectAwareDupeFilter(RFPDupeFilter):
    """Scrapy's fingerprint filter, letting through a redirect to a URL of its own redirect
    chain: a site that sets a cookie and redirects to the same page serves it on the second
    request, and Scrapy's filter dropped that request as a duplicate (logged at DEBUG), the
    article with it. A real loop still ends: ``RedirectMiddleware`` gives up after
    ``REDIRECT_MAX_TIMES`` and the page is recorded as a failure."""

    def request_seen(self, request: Request) -> bool:
        if request.url in request.meta.get("redirect_urls", ()):
            return False
        return super().request_seen(request)
