"""Every platform spider, end to end: a fixture site in the platform's shape (listing
pages, feeds, JSON APIs, article pages) served on 127.0.0.1, crawled through the real
engine and pipelines into a real archive."""

from __future__ import annotations

import sqlite3

import pytest
from scrapy.utils.test import get_crawler

from tests.conftest import crawl_settings
from tests.utils import coroutine_test


def rows(path, sql, *params):
    with sqlite3.connect(path) as conn:
        return conn.execute(sql, params).fetchall()


async def crawl(name: str, archive_path, settings=None, **args):
    from scrapy.settings import Settings
    from scrapy.spiderloader import SpiderLoader

    spidercls = SpiderLoader(Settings({"SPIDER_MODULES": ["crawler.spiders"]})).load(name)
    crawler = get_crawler(spidercls, crawl_settings(archive_path, **(settings or {})))
    await crawler.crawl_async(**args)
    return crawler


#: (spider, arguments with {site} for the fixture site, article paths below it)
PLATFORM_CASES = [
    ("jianshu", {"user": "ada0001"}, ["p/3f2a9c1d7e01", "p/3f2a9c1d7e02", "p/3f2a9c1d7e03"]),
    ("jianshu", {"url": "{site}c/5f1a2b3c"}, ["p/3f2a9c1d7e04", "p/3f2a9c1d7e02"]),
    ("csdn", {"user": "devnotes"}, [f"devnotes/article/details/14000000{i}" for i in (1, 2, 3)]),
    ("cnblogs", {"user": "lamplight"}, [f"lamplight/p/1850000{i}.html" for i in (1, 2, 3)]),
    ("zhihu", {"user": "c_slowreading", "cookies": "z_c0=test-session"}, [f"p/61000000{i}" for i in (1, 2, 3)]),
    ("juejin", {"user": "2100000000000001"}, [f"post/740000000000000000{i}" for i in (1, 2, 3)]),
    ("wechat", {"url": "{site}s/Zm9vZEFuZFRlYQ,{site}s/cml2ZXJXYWxr"}, ["s/Zm9vZEFuZFRlYQ", "s/cml2ZXJXYWxr"]),
    ("sina", {"user": "1533000001"}, [f"s/blog_5b6c7d8e0102aaa{i}.html" for i in (1, 2, 3)]),
    ("wordpress", {}, ["2025/03/02/tide-tables/", "2025/02/14/winter-sourdough/", "2025/01/20/fixing-a-bicycle-chain/"]),
    ("medium", {"user": "@ada"}, ["@ada/notes-on-walking-meetings-1a2b3c4d5e6f",
                                  "@ada/the-case-for-boring-technology-2b3c4d5e6f70",
                                  "@ada/learning-to-draw-at-night-3c4d5e6f7081"]),
    ("blogger", {}, ["2025/03/kite-festival.html", "2025/02/night-trains.html", "2025/01/repairing-a-radio.html"]),
    ("substack", {}, ["p/the-quiet-kitchen", "p/letters-from-a-small-town", "p/on-keeping-bees"]),
    ("ghost", {}, ["slow-software/", "a-year-of-self-hosting/", "sitemap-only-post/"]),
    ("devto", {"user": "ada"}, ["ada/writing-a-tiny-http-server-4k2j", "ada/why-i-like-sqlite-for-side-projects-9m1p",
                                 "ada/regular-expressions-without-fear-2x7q"]),
]


@pytest.mark.parametrize(("spider", "args", "articles"), PLATFORM_CASES,
                         ids=[f"{c[0]}-{'-'.join(c[1]) or 'home'}" for c in PLATFORM_CASES])
@coroutine_test
async def test_platform_spider_archives_fixture_site(site, archive_path, spider, args, articles):
    base = site.url(f"/sites/{spider}/")
    args = {k: v.replace("{site}", base) for k, v in args.items()}
    crawler = await crawl(spider, archive_path, base_url=base, **args)
    archived = rows(archive_path, "select url, platform from sightings order by url")
    assert sorted(url for url, _ in archived) == sorted(base + a for a in articles)
    assert {platform for _, platform in archived} == {crawler.spider.platform_name}
    assert rows(archive_path, "select count(*) from texts")[0][0] == len(articles)
    assert rows(archive_path, "select url, reason from failures") == []
    assert crawler.stats.get_value("blogarchive/crawl_status") == "finished"


@coroutine_test
async def test_wordpress_with_closed_api_falls_back_to_feed_and_sitemap(site, archive_path):
    base = site.url("/sites/wordpress-closed/")
    crawler = await crawl("wordpress", archive_path, base_url=base)
    urls = {url for (url,) in rows(archive_path, "select url from sightings")}
    assert urls == {base + p for p in ("2024/11/05/pressing-flowers/", "2024/10/12/a-small-balcony-garden/",
                                       "2024/09/01/only-in-the-sitemap/")}
    assert crawler.stats.get_value("blogarchive/discovery/api_closed") == 1
    assert crawler.stats.get_value("blogarchive/crawl_status") == "finished"


@coroutine_test
async def test_zhihu_without_cookies_says_what_is_missing(site, archive_path):
    crawler = await crawl("zhihu", archive_path, base_url=site.url("/sites/zhihu/"), user="c_slowreading")
    ((stage, reason),) = rows(archive_path, "select stage, reason from failures")
    assert stage == "config"
    assert "cookies" in reason
    assert "sites.toml" in reason
    assert crawler.stats.get_value("blogarchive/crawl_status") == "failed"


@coroutine_test
async def test_zhihu_cookies_come_from_settings(site, archive_path):
    await crawl("zhihu", archive_path, {"BLOGARCHIVE_COOKIES": {"zhihu": "z_c0=from-settings"}},
                base_url=site.url("/sites/zhihu/"), user="c_slowreading")
    assert rows(archive_path, "select count(*) from sightings")[0][0] == 3


@pytest.mark.parametrize(("home", "articles"), [("wordpress", 3), ("ghost", 3)])
@coroutine_test
async def test_blog_spider_detects_platform_from_home_page(site, archive_path, home, articles):
    crawler = await crawl("blog", archive_path, url=site.url(f"/sites/{home}/"))
    assert rows(archive_path, "select count(*) from sightings")[0][0] == articles
    assert crawler.stats.get_value(f"blogarchive/discovery/detected/{home}") == 1


@coroutine_test
async def test_blog_spider_reads_a_feed_url(site, archive_path):
    await crawl("blog", archive_path, url=site.url("/sites/cnblogs/lamplight/rss"))
    assert rows(archive_path, "select count(*) from sightings")[0][0] == 3


@coroutine_test
async def test_follow_recommendations_fetches_recommended_article(site, archive_path):
    base = site.url("/sites/jianshu/")
    await crawl("jianshu", archive_path, base_url=base, url=base + "p/3f2a9c1d7e01",
                follow_recommendations="1", depth="1")
    urls = {url for (url,) in rows(archive_path, "select url from sightings")}
    assert urls == {base + "p/3f2a9c1d7e01", base + "p/3f2a9c1d7e05"}


@coroutine_test
async def test_recommendations_not_followed_by_default(site, archive_path):
    base = site.url("/sites/jianshu/")
    await crawl("jianshu", archive_path, base_url=base, url=base + "p/3f2a9c1d7e01")
    assert rows(archive_path, "select url from sightings") == [(base + "p/3f2a9c1d7e01",)]


@coroutine_test
async def test_since_skips_older_listed_articles_and_stops_paging(site, archive_path):
    site.reset()
    base = site.url("/sites/devto/")
    crawler = await crawl("devto", archive_path, base_url=base, user="ada", since="2025-02-01")
    urls = {url for (url,) in rows(archive_path, "select url from sightings")}
    assert urls == {base + "ada/writing-a-tiny-http-server-4k2j", base + "ada/why-i-like-sqlite-for-side-projects-9m1p"}
    requested = site.requests()
    assert any(path.endswith("&page=2") for path in requested)
    assert not any(path.endswith("&page=3") for path in requested), "no page after one with an older entry"
    assert crawler.stats.get_value("blogarchive/discovery/older_than_since") == 1


@coroutine_test
async def test_since_filters_a_feed(site, archive_path):
    base = site.url("/sites/medium/")
    crawler = await crawl("medium", archive_path, base_url=base, user="@ada", since="2025-02-01")
    assert rows(archive_path, "select count(*) from sightings")[0][0] == 2
    assert crawler.stats.get_value("blogarchive/discovery/older_than_since") == 1


@coroutine_test
async def test_limit_stops_discovery(site, archive_path):
    site.reset()
    base = site.url("/sites/substack/")
    await crawl("substack", archive_path, base_url=base, limit="2")
    assert rows(archive_path, "select count(*) from sightings")[0][0] == 2
    requested = site.requests()
    assert not any("offset=2" in path for path in requested)
    assert sum("/p/" in path for path in requested) == 2


@coroutine_test
async def test_blog_spider_finds_articles_through_a_generic_sitemap(site, archive_path):
    base = site.url("/sites/plain/")
    crawler = await crawl("blog", archive_path, url=base, depth="1")
    urls = {url for (url,) in rows(archive_path, "select url from sightings")}
    assert urls == {base + "essays/lighthouses.html", base + "essays/rain-gauges.html"}
    assert crawler.stats.get_value("blogarchive/discovery/sitemap_pages") == 1


@coroutine_test
async def test_blog_spider_keeps_the_detected_platform(site, archive_path):
    await crawl("blog", archive_path, url=site.url("/sites/ghost/"))
    assert rows(archive_path, "select distinct platform from sightings") == [("ghost",)]


@coroutine_test
async def test_missing_guessed_listing_is_no_failure(site, archive_path):
    # the demo site has no sitemap.xml: counted, but not a failure row
    crawler = await crawl("blog", archive_path, url=site.url("/"), depth="1")
    assert crawler.stats.get_value("blogarchive/discovery/missing") == 1
    assert rows(archive_path, "select count(*) from failures")[0][0] == 0
    assert crawler.stats.get_value("blogarchive/crawl_status") == "finished"


#: (kind, URL, the request's depth, the crawl's depth, the stage a failure is recorded with)
FAILURE_STAGES = [
    ("listing", "https://www.jianshu.com/u/abc", 0, "1", "discovery"),
    ("feed", "https://www.jianshu.com/u/abc", 0, "1", "discovery"),
    ("article", "https://www.jianshu.com/u/abc", 1, "1", None),
    # a start page of a crawl that follows links may be a home page: not retried as an article
    ("page", "https://www.jianshu.com/u/abc", 0, "1", "discovery"),
    # ... unless its URL is the platform's article URL, or the crawl takes it as an article
    ("page", "https://www.jianshu.com/p/7d3c1a9e5b20", 0, "2", None),
    ("page", "https://www.jianshu.com/u/abc", 0, "0", None),
    # a page found by following links (a generic site's post) is retried
    ("page", "https://www.jianshu.com/u/abc", 1, "2", None),
]


def spider_and_request(kind: str, url: str, request_depth: int, depth: str, tmp_path):  # noqa: ANN201
    from scrapy import Request

    from crawler.spiders.jianshu import JianshuSpider

    crawler = get_crawler(JianshuSpider, crawl_settings(tmp_path / "a.db"))
    spider = JianshuSpider.from_crawler(crawler, user="abc", depth=depth)
    return spider, Request(url, meta={"blogarchive_kind": kind, "blogarchive_depth": request_depth})


@pytest.mark.parametrize(("kind", "url", "request_depth", "depth", "stage"), FAILURE_STAGES)
def test_a_redirect_loop_is_recorded_by_what_was_asked_for(kind, url, request_depth, depth, stage, tmp_path) -> None:
    # a listing's failure is not retried as an article by later runs (the next crawl asks
    # for its listings anyway; retried as an article it would be archived as one)
    from scrapy.exceptions import IgnoreRequest
    from twisted.python.failure import Failure

    spider, request = spider_and_request(kind, url, request_depth, depth, tmp_path)
    try:
        raise IgnoreRequest("max redirections reached")
    except IgnoreRequest:
        failure = Failure()
    failure.request = request
    (recorded,) = spider.on_error(failure)
    assert recorded.stage == (stage or "redirect")


@pytest.mark.parametrize(("kind", "url", "request_depth", "depth", "stage"), FAILURE_STAGES)
def test_a_blocked_or_empty_listing_is_no_page_to_retry_as_an_article(kind, url, request_depth, depth, stage,
                                                                      tmp_path) -> None:
    from scrapy.http import HtmlResponse

    spider, request = spider_and_request(kind, url, request_depth, depth, tmp_path)
    response = HtmlResponse(request.url, status=403, headers={"cf-mitigated": "challenge"},
                            body=b"<html><body>Just a moment...</body></html>", request=request)
    assert spider.blocked(response).stage == (stage or "blocked")
    empty = HtmlResponse(request.url, status=200, body=b"  ", request=request)
    assert spider.check(empty).stage == (stage or "fetch")
