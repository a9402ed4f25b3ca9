"""Western blogging platforms."""

from __future__ import annotations

from crawler.platforms.base import Discovery, Platform, RecommendationBlock

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
        api="wp-json/wp/v2/posts",
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
    discovery=Discovery(feeds=("feed/{user}",)),
)

PLATFORMS = (WORDPRESS, MEDIUM)
