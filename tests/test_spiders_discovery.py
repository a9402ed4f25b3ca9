"""The plain functions the spiders read listings and interstitials with."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crawler.platforms import get_platform
from crawler.spiders._discovery import (
    _INVISIBLE,
    api_entries,
    blocked_reason,
    clean_url,
    feed_entries,
    parse_date,
    sitemap_entries,
    without_invisible,
)


@pytest.mark.parametrize(("value", "expected"), [
    ("2025-02-01", datetime(2025, 2, 1, tzinfo=UTC)),
    ("2025-03-02T08:00:00", datetime(2025, 3, 2, 8, tzinfo=UTC)),  # WordPress date_gmt
    ("2025-03-04T12:00:00.000Z", datetime(2025, 3, 4, 12, tzinfo=UTC)),
    ("Tue, 05 Nov 2024 09:00:00 +0000", datetime(2024, 11, 5, 9, tzinfo=UTC)),
    ("1740000000", datetime.fromtimestamp(1740000000, UTC)),  # juejin ctime
    (1735000000, datetime.fromtimestamp(1735000000, UTC)),  # zhihu created
    ("not a date", None),
    (None, None),
])
def test_parse_date_reads_every_listing_format(value, expected):
    assert parse_date(value) == expected


@given(st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)))
def test_parse_date_round_trips_iso(moment):
    assert parse_date(moment.isoformat()) == moment


def test_clean_url_drops_tracking_parameters_only():
    assert clean_url("https://medium.com/@a/post-1a2b3c4d5e6f?source=rss----abc---4") == (
        "https://medium.com/@a/post-1a2b3c4d5e6f")
    assert clean_url("https://x.example/p?id=3&utm_source=feed") == "https://x.example/p?id=3"
    assert clean_url("https://x.example/p?page=2") == "https://x.example/p?page=2"


def test_atom_feed_entries_and_next_page():
    body = b"""<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'>
    <link rel='next' href='/feeds/posts/default?start-index=3'/>
    <entry><published>2025-01-09T10:00:00.000-08:00</published>
    <link rel='replies' href='/c'/><link rel='alternate' type='text/html' href='/2025/01/a.html'/></entry>
    </feed>"""
    entries, next_url = feed_entries(body, "http://b.example/feeds/posts/default")
    assert [e.url for e in entries] == ["http://b.example/2025/01/a.html"]
    assert entries[0].published == datetime(2025, 1, 9, 18, tzinfo=UTC)
    assert next_url == "http://b.example/feeds/posts/default?start-index=3"


def test_feedburner_orig_link_wins():
    body = b"""<rss version='2.0' xmlns:feedburner='http://rssnamespace.org/feedburner/ext/1.0'><channel><item>
    <link>http://feedproxy.google.com/~r/x/1</link><feedburner:origLink>http://b.example/p.html</feedburner:origLink>
    </item></channel></rss>"""
    entries, _ = feed_entries(body, "http://feeds.example/x")
    assert [e.url for e in entries] == ["http://b.example/p.html"]


def test_sitemap_index_and_urlset():
    index = b"""<sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>
    <sitemap><loc>https://s.example/sitemap-posts.xml</loc></sitemap></sitemapindex>"""
    assert sitemap_entries(index, "https://s.example/")[0] == "sitemapindex"
    urlset = b"""<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>
    <url><loc>https://s.example/a/</loc><lastmod>2025-03-04</lastmod></url></urlset>"""
    kind, entries = sitemap_entries(urlset, "https://s.example/")
    assert kind == "urlset"
    assert entries[0].published == datetime(2025, 3, 4, tzinfo=UTC)


def test_juejin_entries_are_built_from_a_link_template():
    api = get_platform("juejin").discovery.api
    data = {"data": [{"article_id": "7400000000000000001", "article_info": {"ctime": "1740000000"}},
                     {"article_info": {}}], "has_more": False}
    entries = api_entries(data, api, "https://juejin.cn/")
    assert [e.url for e in entries] == ["https://juejin.cn/post/7400000000000000001"]


@pytest.mark.parametrize(("status", "body", "kind"), [
    (403, b"<html><head><title>Just a moment...</title></head><body></body></html>", "cloudflare_challenge"),
    (521, b"<script>document.cookie='__jsl_clearance_s=1';location.reload()</script>", "js_cookie_challenge"),
    (200, "<html><body><p>操作过于频繁，请稍后再试</p></body></html>".encode(), "wechat_rate_limited"),
    (200, "<html><body><p>当前环境异常，完成验证后即可继续访问。</p></body></html>".encode(), "wechat_environment"),
    (200, "<html><body><div>请登录后查看完整内容</div></body></html>".encode(), "login_wall"),
    (200, b"<html><body><div class='g-recaptcha'></div></body></html>", "captcha"),
    (429, b"<html><body><h1>Too Many Requests</h1><p>Try again later.</p></body></html>", "rate_limited"),
    (200, b"<html><body><p>Sign in to continue reading.</p></body></html>", "login_wall"),
    (200, "<html><body><p>请完成<b>滑动验证</b></p></body></html>".encode(), "captcha"),
    (521, b"<html><body><p>Loading</p></body></html>", "js_cookie_challenge"),
    (200, b"<html><body><p>Short page, nothing to see.</p></body></html>", None),
])
def test_interstitials_are_recognised(status, body, kind):
    assert blocked_reason(status, body) == kind


def test_an_article_that_mentions_a_captcha_is_no_interstitial():
    paragraph = "<p>" + "Why every signup form now shows a captcha, and what it costs readers. " * 20 + "</p>"
    assert blocked_reason(200, f"<html><body><article>{paragraph}</article></body></html>".encode()) is None


@given(st.lists(st.sampled_from([
    b"<script>", b"</script>", b"</SCRIPT >", b"<Style media=x>", b"</style>", b"<noscript>", b"</noscript\n>",
    b"<scripts>", b"<!--", b"-->", b"</script", b"<p>", b"text", b" ", b"<", b">",
])))
def test_invisible_blocks_are_removed_as_the_regular_expression_says(parts: list[bytes]):
    body = b"".join(parts)
    assert without_invisible(body) == _INVISIBLE.sub(b" ", body)


@pytest.mark.parametrize(
    ("head", "body", "article"),
    [
        ('<meta property="og:type" content="article">', "<p>text</p>", True),
        ('<meta property="article:published_time" content="2024-05-01T08:00:00Z">', "<p>text</p>", True),
        ('<script type="application/ld+json">{"@type": ["WebPage", "BlogPosting"]}</script>', "", True),
        ("", '<div itemprop="articleBody"><p>text</p></div>', True),
        ("", '<article itemscope itemtype="https://schema.org/BlogPosting"><p>text</p></article>', True),
        # a Blogger home page: one BlogPosting and one articleBody per post
        ("", "".join("<div itemscope itemtype='http://schema.org/BlogPosting'>"
                     f"<div itemprop='description articleBody'>post {i}</div></div>" for i in range(3)), False),
        ('<meta property="og:type" content="website">', "<article><p>one</p></article>", False),
        # a post with related posts marked as BlogPosting items
        ("", "<div itemscope itemtype='http://schema.org/BlogPosting'><div itemprop='articleBody'>the post</div></div>"
             + "<div itemscope itemtype='http://schema.org/BlogPosting'>a related post</div>" * 4, True),
        # a second post beyond the first 200 KB (large inline CSS, a long first post)
        ("<style>" + "x" * 210_000 + "</style>", "<div itemprop='articleBody'>first</div>"
                                                 "<div itemprop='articleBody'>second</div>", False),
    ],
    ids=["og-type", "published-time", "json-ld-type-list", "microdata-body", "microdata-type",
         "blogger-home", "website", "post-with-related-items", "second-post-far-down"],
)
def test_an_unknown_sites_start_page_is_an_article_by_its_markup(head, body, article):
    from scrapy.http import HtmlResponse, Request
    from scrapy.utils.test import get_crawler

    from crawler.spiders.blog import BlogSpider

    spider = BlogSpider.from_crawler(get_crawler(BlogSpider), url="https://unknown.example/2024/05/a-post")
    html = f"<html><head>{head}<title>t</title></head><body>{body}</body></html>"
    url = "https://unknown.example/2024/05/a-post"
    response = HtmlResponse(url, body=html.encode(), encoding="utf-8", request=Request(url))
    assert spider.looks_like_article(response) is article
    utf16 = HtmlResponse(url, body=html.encode("utf-16"), request=Request(url))  # with its BOM
    assert spider.looks_like_article(utf16) is article


def _response(body: bytes):
    from scrapy.http import HtmlResponse, Request

    url = "https://unknown.example/p/1"
    return HtmlResponse(url, body=body, request=Request(url), headers={"Content-Type": "text/html"})


def test_stray_nul_bytes_do_not_make_a_page_binary_but_binary_data_is_refused():
    import os

    from crawler.spiders.base import PlatformSpider

    page = "<html><head><title>t</title></head><body><p>" + "An article sentence. " * 50 + "</p></body></html>"
    with_nuls = page.replace("<body>", "<body>\x00").replace("</title>", "\x00</title>").encode()
    assert PlatformSpider.unusable(_response(with_nuls)) is None
    assert PlatformSpider.unusable(_response("\ufeff".encode("utf-16-le") + page.encode("utf-16-le"))) is None
    assert "binary" in PlatformSpider.unusable(_response(b"<html>" + os.urandom(8000)))
    assert "binary" in PlatformSpider.unusable(_response(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 16))


@pytest.mark.parametrize(
    ("path", "article"),
    [
        ("/2024/05/12/a-post/", True),
        ("/2024/05/a-post", True),
        ("/blog/2024/05/12/a-post.html", True),
        ("/2024/05/", False),  # the month's archive
        ("/2024/05/12/", False),  # the day's archive
        ("/2024/05/page/2/", False),
        ("/2024/05/12/a-post/comment-page-2/", False),
    ],
)
def test_a_wordpress_archive_page_is_no_article_url(path: str, article: bool) -> None:
    # a theme's archive widget links every month: taken for posts, they were archived as articles
    from scrapy.utils.test import get_crawler

    from crawler.spiders.wordpress import WordpressSpider

    spider = WordpressSpider.from_crawler(get_crawler(WordpressSpider), user="example")
    assert spider.is_article_url(f"https://example.wordpress.com{path}") is article
