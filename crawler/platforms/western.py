"""Western blogging platforms."""

from __future__ import annotations

from crawler.platforms.base import ApiListing, Discovery, Platform, RecommendationBlock

WORDPRESS = Platform(
    themed=True,
    name="wordpress",
    domains=("wordpress.com",),
    generators=("wordpress",),
    markers=("link[href*='/wp-content/']", "link[href*='wp-json']", "body.wordpress", "body.wpcomblog"),
    article_url=(r"/\d{4}/\d{2}/(?:\d{2}/)?(?!page/|\d{1,2}/?$)[^/]+/?$",),  # a post, not a month or day archive
    title=(
        "h1.entry-title",
        "h1.post-title",
        "h2.entry-title",
        ".post h1",
        "meta[property='og:title']",
        "h1",
    ),
    author=(
        ".author.vcard a", ".byline .author", "a[rel=author]", ".entry-author-name", ".post-author-name",
        # block themes (Twenty Twenty-Three and later) without an SEO plugin's metadata
        ".wp-block-post-author-name a", ".wp-block-post-author-name", ".wp-block-post-author__name",
    ),
    published=("time.entry-date", "time[datetime]"),
    body=(".entry-content", ".entrytext", ".post-content", ".post-entry", "article .content", "article"),
    drop=(
        ".sharedaddy",
        ".jp-relatedposts",
        ".wpcnt",
        ".blog-subscribe",
        ".wordads-ad-wrapper",
        ".wpa",
        ".post-likes-widget-placeholder",
        ".jetpack-likes-widget-wrapper",
    ),
    recommendations=(
        RecommendationBlock(
            # Jetpack, YARPP, Contextual Related Posts, Related Posts for WP, theme boxes
            container=".jp-relatedposts, .wp-block-jetpack-related-posts, .yarpp-related, .crp_related, "
            ".rp4wp-related-posts, .related-posts, section.related, .related-articles",
            heading="Related",
            heading_selector=".jp-relatedposts-headline, h2, h3, h4",
            item=".jp-relatedposts-post, .jp-related-posts-i2__post, li, article, a.yarpp-thumbnail",
            title=".jp-relatedposts-post-title a, .jp-relatedposts-post-title, .crp_title, .entry-title, "
            ".yarpp-thumbnail-title, h4, h3, a",
            snippet=".jp-relatedposts-post-excerpt, .entry-summary",
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
    markers=(
        "meta[property='al:android:package'][content='com.medium.reader']",
        "meta[name='twitter:app:id:iphone'][content='828256236']",
        "link[href^='https://cdn-static-1.medium.com']",
        "[data-platform='medium']",
    ),
    article_url=(r"-[0-9a-f]{10,16}$",),
    title=("h1[data-testid='storyTitle']", "meta[property='og:title']", "h1"),
    author=("a[data-testid='authorName']", "meta[name='author']"),
    published=("meta[property='article:published_time']", "span[data-testid='storyPublishDate']", "time"),
    body=("article .postArticle-content", "article div section", "article"),
    body_all=True,
    drop=(
        "[data-testid='headerSocialShareButton']",
        "header",
        ".speechify-ignore",
        "[aria-label='responses']",
    ),
    recommendations=(
        RecommendationBlock(
            container="section.more-from-medium, div.more-from",
            heading="More from Medium",
            item="article, li",
            title="h2, h3, a",
        ),
    ),
    discovery=Discovery(home="https://medium.com/", feeds=("feed/{user}",)),
)

BLOGGER = Platform(
    name="blogger",
    domains=("blogspot.com", "blogger.com"),
    generators=("blogger",),
    markers=("div.post-body.entry-content", "div.blog-posts.hfeed", ".widget.BlogArchive"),
    article_url=(r"/\d{4}/\d{2}/[^/]+\.html$",),
    title=("h3.post-title", "h2.post-title", ".post-title", "meta[property='og:title']", "h1"),
    author=(
        ".post-author .fn",
        ".post-author .g-profile span",
        ".post-author a",
        ".author.vcard a",
        "a[rel=author]",
        ".profile-name-link",
    ),
    published=(
        "abbr.published[title]", ".post-timestamp abbr", "time.published", "a.timestamp-link abbr",
        ".date-header span", ".date-header",  # classic themes: the day heading above the post
    ),
    body=("div.post-body",),
    drop=(".post-share-buttons", ".post-footer", ".blog-pager", ".related-posts"),
    recommendations=(
        RecommendationBlock(container=".BlogArchive ul.posts", heading="Blog Archive", item="li", title="a"),
        RecommendationBlock(
            container=".widget.PopularPosts",
            heading="Popular Posts",
            heading_selector="h2, h3",
            item="li, article",  # a list in classic themes, article cards in Contempo, Soho, Notable
            title=".item-title a, .item-title, .post-title a, .post-title, a",
            snippet=".item-snippet, .snippet-item",
        ),
        RecommendationBlock(container=".related-posts", heading="Related Posts", item="li", title="a"),
    ),
    generic_recommendations=False,
    discovery=Discovery(
        home="https://{user}.blogspot.com/",
        feeds=("feeds/posts/default?max-results=25",),  # pages with start-index, linked by rel=next
    ),
)

SUBSTACK = Platform(
    name="substack",
    domains=("substack.com",),
    markers=("div.available-content", "article.newsletter-post", "link[href*='substackcdn.com']"),
    article_url=(r"^/p/[\w-]+$",),
    title=("h1.post-title", "meta[property='og:title']", "h1"),
    author=(".byline-names a", "meta[name='author']", ".profile-hover-card-target a"),
    published=("meta[property='article:published_time']", "time"),
    published_pattern=r"\"post_date\":\"([^\"]+)\"",
    body=(".available-content .body.markup", "article .body.markup", ".available-content"),
    drop=(".subscription-widget-wrap", ".subscribe-widget", ".button-wrapper", ".captioned-button-wrap"),
    recommendations=(
        RecommendationBlock(
            container=".portable-archive-list",
            heading="More from this publication",
            item=".post-preview",
            title="a.post-preview-title, .post-preview-title",
            snippet=".post-preview-description",
            author=".post-preview-byline",
        ),
    ),
    generic_recommendations=False,
    discovery=Discovery(
        home="https://{user}.substack.com/",
        api=ApiListing(url="api/v1/archive?sort=new&limit=12", link="canonical_url", date="post_date",
                       paging="offset"),
        feeds=("feed",),
    ),
)

GHOST = Platform(
    name="ghost",
    domains=("ghost.io",),
    generators=("ghost",),
    markers=("section.post-content", "section.gh-content", "article.post .post-full-content"),
    title=("h1.post-title", "h1.article-title", "h1.post-full-title", "h1"),
    author=(".author-name", ".post-full-byline-meta h4 a", "meta[name='author']"),
    published=("meta[property='article:published_time']", "time.post-date", "time"),
    body=("section.gh-content", ".post-full-content .post-content", "section.post-content", ".post-content"),
    recommendations=(
        RecommendationBlock(
            container=".read-next, .read-more-wrap, aside.read-more",
            heading="Read next",
            heading_selector="h2, h3",
            item="article, li",
            title=".post-card-title, h2, h3, a",
        ),
        RecommendationBlock(
            # Source (Ghost's default theme since 5.x) and its kin: a titled post feed below the post
            container="section.gh-container",
            heading="Read more",
            heading_selector=".gh-container-title",
            heading_match=r"^\s*(?:read (?:more|next)|you might also like|more from\b|related|recommended)",
            item="article.gh-card, article",
            title=".gh-card-title, h3, h2, a",
            snippet=".gh-card-excerpt",
            author=".gh-card-author",
        ),
    ),
    generic_recommendations=False,
    discovery=Discovery(feeds=("rss/",), sitemaps=("sitemap-posts.xml",)),
)

DEVTO = Platform(
    name="devto",
    domains=("dev.to",),
    markers=("#article-body.crayons-article__body", "#article-show-container"),
    title=("#main-title h1", "article h1", "h1"),
    author=(
        ".crayons-article__subheader a.crayons-link",
        "meta[name='author']",
        "#article-show-container [data-author-name]",
    ),
    published=("#article-show-container time[datetime]", "time[datetime]"),
    body=("#article-body",),
    recommendations=(
        RecommendationBlock(
            container=".crayons-card--secondary",
            heading_selector="header h3, h3",
            heading_match=r"^more from",
            item="a.crayons-link",
            title="",
            exclude=".crayons-link__secondary",
        ),
    ),
    generic_recommendations=False,
    article_url=(r"^/[\w-]+/[\w-]+-[0-9a-z]{4,6}$",),
    discovery=Discovery(
        home="https://dev.to/",
        api=ApiListing(url="api/articles?username={user}&per_page=30", link="url", date="published_at",
                       paging="page"),
    ),
)

LIVEJOURNAL = Platform(
    name="livejournal",
    domains=("livejournal.com",),
    markers=(".j-e-text", "article.entry-content", "[class*='aentry-post']"),
    article_url=(r"^/\d+\.html$",),
    title=("h1.entry-title", "h1.aentry-post__title", ".j-e-title", "meta[property='og:title']", "h1"),
    author=(
        ".j-e-user-name .i-ljuser-username",  # who posted the entry (a community's member)
        ".j-e-header-poster .i-ljuser-username",
        ".aentry-post__journal .i-ljuser-username",
        ".i-ljuser-username",
    ),
    published=("time.published", ".j-e-date-time", "time"),
    body=(".j-e-text", ".aentry-post__text", ".entry-content"),
    recommendations=(
        RecommendationBlock(
            container=".appwidget-topentries",
            heading="Top entries",
            item="li",
            title=".b-posts-head a, h3 a, a",
        ),
        RecommendationBlock(container=".similar-posts", heading="Similar posts", item="li", title="a"),
    ),
    generic_recommendations=False,
)

HASHNODE = Platform(
    name="hashnode",
    domains=("hashnode.dev", "hashnode.com"),
    markers=(
        "meta[property='og:site_name'][content='Hashnode']",
        "link[href*='cdn.hashnode.com']",
        "#post-content-parent",
        "[data-platform='hashnode']",
    ),
    title=("h1[data-testid='post-title']", "h1"),
    author=("[data-testid='author-name']", "a[href^='/@'] span", "meta[name='author']"),
    published=("meta[property='article:published_time']", "time[datetime]"),
    body=("#post-content-wrapper", "#post-content-parent .prose", ".prose"),
    recommendations=(
        RecommendationBlock(
            container="[data-testid='more-articles'], section.more-articles",
            heading="More articles",
            heading_selector="h2, h3",
            item="article, li",
            title="h2, h3, a",
            snippet="p",
        ),
    ),
)

TUMBLR = Platform(
    themed=True,
    name="tumblr",
    domains=("tumblr.com",),
    markers=("meta[name='tumblr-theme']", "link[href*='assets.tumblr.com']", "[data-platform='tumblr']"),
    article_url=(r"^/post/\d+",),
    title=(".post h2.title", ".post .title", "meta[property='og:title']", "h1"),
    author=(".post .author", "meta[name='author']"),
    published=(".post time[datetime]", "time[datetime]"),
    body=(".post .body-text", ".post .post-content", "article .body", ".post"),
    drop=(".post .tags", ".post .notes", ".post .meta", ".post .title"),
    recommendations=(
        RecommendationBlock(
            container=".related-posts, #related-posts",
            heading="Related posts",
            heading_selector="h2, h3",
            item="li",
            title="a",
        ),
    ),
)

PLATFORMS = (WORDPRESS, MEDIUM, BLOGGER, SUBSTACK, GHOST, DEVTO, LIVEJOURNAL, HASHNODE, TUMBLR)
