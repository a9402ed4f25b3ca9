"""The shape of a platform description: data only, no Scrapy, no pipeline code."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RecommendationBlock:
    """Where a platform lists promoted or related stories, and how to read one item.

    All selectors are CSS, relative to ``container`` (or to each item).
    """

    container: str
    heading: str | None = None  # block heading when the page shows none, e.g. "推荐阅读"
    heading_selector: str | None = None
    item: str = "li"
    title: str = "a"
    url: str = "a"
    author: str | None = None
    snippet: str | None = None
    reads: str | None = None
    comments: str | None = None
    likes: str | None = None
    heading_match: str | None = None  # regex the heading must match for the container to count
    strip_rank: bool = False  # ranking lists: drop "1. " before and "(430)" after a title
    exclude: str | None = None  # parts of an item that are not its title (badges, counters)


@dataclass(frozen=True)
class ApiListing:
    """A public JSON API that lists a blog's articles, newest first.

    Keys are dotted paths into the JSON (``"article_info.ctime"``); ``link`` may also
    be a template filled from an entry (``"post/{article_id}"``).

    ``paging`` is one of:

    - ``"page"``: add ``page=N`` (1, 2, ...); stop at an empty page or at the
      ``X-WP-TotalPages`` header
    - ``"offset"``: add ``offset=N`` (entries so far); stop at an empty page
    - ``"next"``: follow the URL at ``next`` until ``end`` is true or it is missing
    - ``"cursor"``: POST ``body`` with ``{cursor}`` filled from ``cursor``; stop when
      ``more`` is false
    """

    url: str
    items: str = ""  # where the list of entries is ("" for a top-level list)
    link: str = "link"
    date: str | None = None
    paging: str = "page"
    next: str | None = None
    end: str | None = None
    body: str | None = None
    cursor: str | None = None
    more: str | None = None


@dataclass(frozen=True)
class Discovery:
    """How a blog's articles are listed on this platform.

    ``{user}`` in a template is the blog's user or slug; relative paths are relative
    to the spider's ``base_url`` (default: ``home`` filled with the user), absolute
    ones are moved onto ``base_url`` when one is given (a test server).
    """

    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    listing_pages: tuple[str, ...] = ()
    api: ApiListing | None = None
    next_page: str | None = None  # CSS selector of a listing's "next" link
    home: str | None = None  # the blog's address for a user, e.g. "https://{user}.substack.com/"


@dataclass(frozen=True)
class Platform:
    """Everything the project knows about one blogging platform.

    Selectors are CSS; the first that matches wins.
    """

    name: str
    domains: tuple[str, ...] = ()
    generators: tuple[str, ...] = ()  # prefixes of <meta name="generator">, case-folded
    markers: tuple[str, ...] = ()  # selectors whose presence identifies the markup
    article_url: tuple[str, ...] = ()  # regexes matching article URLs (path part)
    title: tuple[str, ...] = ()
    author: tuple[str, ...] = ()
    published: tuple[str, ...] = ()
    body: tuple[str, ...] = ()
    #: blogs render their own themes: the body selectors are hints, the generic extractor reads the text
    themed: bool = False
    body_all: bool = False  # the body is all matches of the body selector (e.g. Medium's sections)
    drop: tuple[str, ...] = ()  # removed from the body before extraction
    recommendations: tuple[RecommendationBlock, ...] = ()
    #: also look for heading-introduced link blocks (推荐阅读, Related posts...) outside the body
    generic_recommendations: bool = True
    discovery: Discovery = field(default_factory=Discovery)
    needs_cookies: bool = False

    def owns_host(self, host: str | None) -> bool:
        """True when ``host`` is one of the platform's domains or a subdomain of one."""
        if not host:
            return False
        host = host.lower().rstrip(".")
        return any(host == d or host.endswith("." + d) for d in self.domains)
