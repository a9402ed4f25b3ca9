"""Western blogging platforms."""

from __future__ import annotations

from crawler.platforms.base import ApiListing, Discovery, Platform, RecommendationBlock

WORDPRESS = Platform(
    name="wordpress",
    domains=("wordpress.com",),
    generators=("wordpress",),
    markers=("link[href*='/wp-content/']", "link[href*='wp-json']", "body.wordpress"),
    article_url=(r"/\d{4}/\d{2}/",),
    title=("h1.entry-title", "h1.post-title", "h1"),
    author=(".author.vcard a", ".byline .author", "a[rel=author]"),
    published=("time.entry-date", "time[datetime]"),
    body=(".entry-content", ".post-content", "article"),
    drop=(".sharedaddy", ".jp-relatedposts", ".wpcnt", ".blog-subscribe"),
    recommendations=(
        RecommendationBlock(
            container=".jp-relatedposts, .related-posts",
            heading="Related",
            item=".jp-relatedposts-post, li",
            title="a",
        ),
    ),
    discovery=Discovery(
        home="https://{user}.wordpress.com/",
        # the REST API when it is open; its feed and core sitemap when it is not
        api=ApiListing(
            url="wp-json/wp/v2/posts?per_page=100&_fields=link,date_gmt",
            link="link",
            date="date_gmt",
            paging="page",
        ),
        feeds=("feed/",),
        sitemaps=("wp-sitemap.xml",),
    ),
)

MEDIUM = Platform(
    name="medium",
    domains=("medium.com",),
    markers=("meta[property='al:android:package'][content='com.medium.reader']",
             "[data-platform='medium']"),
    article_url=(r"-[0-9a-f]{10,16}$",),
    title=("h1[data-testid='storyTitle']", "h1"),
    author=("a[data-testid='authorName']", "meta[name='author']"),
    published=("span[data-testid='storyPublishDate']", "time"),
    body=("article section", "article"),
    drop=("[data-testid='headerSocialShareButton']",),
    recommendations=(
        RecommendationBlock(
            container="section.more-from-medium, div.more-from",
            heading="More from Medium",
            item="article, li",
            title="h2, h3, a",
        ),
    ),
    discovery=Discovery(home="https://medium.com/", feeds=("feed/{user}",)),  # @user or publication
)

BLOGGER = Platform(
    name="blogger",
    domains=("blogspot.com", "blogger.com"),
    generators=("blogger",),
    article_url=(r"/\d{4}/\d{2}/[^/]+\.html$",),
    discovery=Discovery(
        home="https://{user}.blogspot.com/",
        feeds=("feeds/posts/default?max-results=25",),  # pages with start-index, linked by rel=next
    ),
)

SUBSTACK = Platform(
    name="substack",
    domains=("substack.com",),
    article_url=(r"^/p/[\w-]+$",),
    discovery=Discovery(
        home="https://{user}.substack.com/",
        api=ApiListing(url="api/v1/archive?sort=new&limit=12", link="canonical_url", date="post_date",
                       paging="offset"),
        feeds=("feed",),
    ),
)

GHOST = Platform(
    name="ghost",
    generators=("ghost",),
    discovery=Discovery(feeds=("rss/",), sitemaps=("sitemap-posts.xml",)),  # self-hosted: -a url=
)

DEVTO = Platform(
    name="devto",
    domains=("dev.to",),
    article_url=(r"^/[\w-]+/[\w-]+-[0-9a-z]{4,6}$",),
    discovery=Discovery(
        home="https://dev.to/",
        api=ApiListing(url="api/articles?username={user}&per_page=30", link="url", date="published_at",
                       paging="page"),
    ),
)

PLATFORMS = (WORDPRESS, MEDIUM, BLOGGER, SUBSTACK, GHOST, DEVTO)
