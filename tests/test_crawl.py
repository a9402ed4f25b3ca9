"""Real crawls through the real Scrapy engine against the local mock site."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest
from scrapy.utils.test import get_crawler

from crawler.spiders.blog import BlogSpider
from tests.conftest import ROOT, crawl_settings
from tests.utils import coroutine_test


def rows(path, sql, *params):
    with sqlite3.connect(path) as conn:
        return conn.execute(sql, params).fetchall()


def assert_429_left_for_a_later_run(archive_path, crawler, site, path: str, stat: str) -> None:
    """The page at ``path`` was asked for once, its 429 recorded as a ``fetch`` failure (a
    later run retries it), and ``stat`` says why it was not retried in this one."""
    assert rows(archive_path, "select stage, reason, http_status from failures") == [("fetch", "HTTP 429", 429)]
    assert crawler.stats.get_value(stat) == 1
    assert site.requests().count(path) == 1


@coroutine_test
async def test_blog_spider_archives_demo_site(site, archive_path):
    crawler = get_crawler(BlogSpider, crawl_settings(archive_path))
    await crawler.crawl_async(url=site.url("/"), depth="2")
    stats = crawler.stats.get_stats()
    assert stats["blogarchive/archive/pages"] == 14
    assert stats["blogarchive/crawl_status"] == "finished"
    (texts,) = rows(archive_path, "select count(*) from texts")[0]
    assert texts == 10
    (crawl_status,) = rows(archive_path, "select status from crawls")[0]
    assert crawl_status == "finished"


@coroutine_test
async def test_failures_are_recorded_not_dropped(site, archive_path):
    urls = ",".join(site.url(p) for p in ("/status/404", "/binary", "/empty", "/status/410"))
    crawler = get_crawler(BlogSpider, crawl_settings(archive_path))
    await crawler.crawl_async(url=urls, depth="0")
    failures = dict(rows(archive_path, "select url, reason from failures"))
    assert failures[site.url("/status/404")] == "HTTP 404"
    assert failures[site.url("/status/410")] == "HTTP 410"
    assert set(failures) == {site.url(p) for p in ("/status/404", "/status/410", "/binary", "/empty")}
    assert rows(archive_path, "select count(*) from sightings")[0][0] == 0
    assert crawler.stats.get_value("blogarchive/archive/failures") == 4


@coroutine_test
async def test_500_recovers_on_retry(site, archive_path):
    crawler = get_crawler(BlogSpider, crawl_settings(archive_path))
    await crawler.crawl_async(url=site.url("/flaky/one"), depth="0")
    assert rows(archive_path, "select title from sightings") == [("Flaky page recovered",)]
    assert rows(archive_path, "select count(*) from failures")[0][0] == 0


@coroutine_test
async def test_gbk_page_served_as_utf8_decodes(site, archive_path):
    crawler = get_crawler(BlogSpider, crawl_settings(archive_path))
    await crawler.crawl_async(url=site.url("/gbk-mislabelled"), depth="0")
    ((title, body),) = rows(archive_path, "select title, body from texts")
    assert title == "编码测试：腌笃鲜的做法"
    assert "春笋" in body
    assert "\ufffd" not in body


@coroutine_test
async def test_recrawl_of_unchanged_pages_adds_no_rows(site, archive_path):
    # a full re-fetch (no revisit skipping, no conditional request) still adds nothing
    for _ in range(2):
        crawler = get_crawler(BlogSpider, crawl_settings(archive_path, BLOGARCHIVE_REVISIT_ENABLED=False))
        await crawler.crawl_async(url=site.url("/jianshu/p/7d3c1a9e5b20"), depth="0")
    assert rows(archive_path, "select count(*) from sightings")[0][0] == 1
    assert rows(archive_path, "select count(*) from texts")[0][0] == 1
    assert crawler.stats.get_value("blogarchive/archive/unchanged") == 1
    (count,) = rows(archive_path, "select count(*) from recommendations")[0]
    assert count == 5


@coroutine_test
async def test_429_with_retry_after_waits_and_recovers(site, archive_path):
    crawler = get_crawler(BlogSpider, crawl_settings(archive_path))
    await crawler.crawl_async(url=site.url("/slow429/retry-after"), depth="0")
    assert rows(archive_path, "select title from sightings") == [("Rate limited page recovered",)]
    assert crawler.stats.get_value("blogarchive/retry/retry_after") == 1
    assert rows(archive_path, "select count(*) from failures")[0][0] == 0


@coroutine_test
async def test_retry_after_beyond_the_maximum_is_left_for_the_next_run(site, archive_path):
    crawler = get_crawler(BlogSpider, crawl_settings(archive_path, BLOGARCHIVE_RETRY_AFTER_MAX=0.5))
    await crawler.crawl_async(url=site.url("/slow429/too-long"), depth="0")
    assert_429_left_for_a_later_run(archive_path, crawler, site, "/slow429/too-long", "blogarchive/retry/retry_after_too_long")


@coroutine_test
async def test_robots_txt_disallow_is_obeyed(site, archive_path):
    crawler = get_crawler(BlogSpider, crawl_settings(archive_path))
    await crawler.crawl_async(url=site.url("/private/diary"), depth="0")
    assert "/private/diary" not in site.requests()
    assert rows(archive_path, "select stage, reason from failures") == [("robots", "forbidden by robots.txt")]
    assert rows(archive_path, "select count(*) from sightings")[0][0] == 0


@coroutine_test
async def test_meta_refresh_is_followed(site, archive_path):
    crawler = get_crawler(BlogSpider, crawl_settings(archive_path))
    await crawler.crawl_async(url=site.url("/moved"), depth="0")
    ((url, final_url),) = rows(archive_path, "select url, final_url from sightings")
    assert final_url == site.url("/jianshu/p/7d3c1a9e5b20")
    assert url == site.url("/moved")


@coroutine_test
async def test_a_page_redirecting_to_itself_to_set_a_cookie_is_archived_with_cookies_on(site, archive_path):
    """Scrapy's duplicate filter dropped the second request (same URL) at DEBUG."""
    crawler = get_crawler(BlogSpider, crawl_settings(archive_path, COOKIES_ENABLED=True))
    await crawler.crawl_async(url=site.url("/cookie-wall"), depth="0")
    ((url, final_url),) = rows(archive_path, "select url, final_url from sightings")
    assert url == final_url == site.url("/cookie-wall")
    assert rows(archive_path, "select count(*) from failures")[0][0] == 0


@coroutine_test
async def test_a_redirect_loop_is_recorded_as_a_failure(site, archive_path):
    crawler = get_crawler(BlogSpider, crawl_settings(archive_path))
    await crawler.crawl_async(url=site.url("/redirect-loop"), depth="0")
    ((url, stage, reason),) = rows(archive_path, "select url, stage, reason from failures")
    assert url == site.url("/redirect-loop")
    assert stage == "redirect"
    assert "loop" in reason
    assert rows(archive_path, "select count(*) from sightings")[0][0] == 0


@coroutine_test
async def test_redirect_to_another_host_is_recorded_not_followed(site, archive_path):
    crawler = get_crawler(BlogSpider, crawl_settings(archive_path))
    await crawler.crawl_async(url=site.url("/redirect-away"), depth="0")
    ((url, stage, reason),) = rows(archive_path, "select url, stage, reason from failures")
    assert url == site.url("/redirect-away")
    assert stage == "offsite"
    assert "localhost" in reason
    assert rows(archive_path, "select count(*) from sightings")[0][0] == 0


@coroutine_test
async def test_challenge_pages_are_failures_never_articles(site, archive_path):
    kinds = {
        "cloudflare": "blocked: cloudflare_challenge",
        "jschallenge": "blocked: js_cookie_challenge",
        "wechat": "blocked: wechat_environment",
        "login": "blocked: login_wall",
        "captcha": "blocked: captcha",
    }
    urls = ",".join(site.url(f"/blocked/{k}") for k in kinds)
    crawler = get_crawler(BlogSpider, crawl_settings(archive_path))
    await crawler.crawl_async(url=urls, depth="0")
    failures = {url: (stage, reason) for url, stage, reason in rows(archive_path, "select url, stage, reason from failures")}
    assert failures == {site.url(f"/blocked/{k}"): ("blocked", reason) for k, reason in kinds.items()}
    assert rows(archive_path, "select count(*) from texts")[0][0] == 0
    assert crawler.stats.get_value("blogarchive/blocked/total") == 5
    assert site.requests().count("/blocked/cloudflare") == 1, "a challenge is not retried"
    assert crawler.stats.get_value("blogarchive/crawl_status") == "failed"


@coroutine_test
async def test_blocked_page_is_retried_by_the_next_crawl(site, archive_path):
    crawler = get_crawler(BlogSpider, crawl_settings(archive_path))
    await crawler.crawl_async(url=site.url("/blocked/wechat"), depth="0")
    site.reset()
    crawler = get_crawler(BlogSpider, crawl_settings(archive_path))
    await crawler.crawl_async(url=site.url("/sites/wechat/s/cml2ZXJXYWxr"), depth="0")
    assert "/blocked/wechat" in site.requests()
    assert crawler.stats.get_value("blogarchive/retry/earlier_failures") == 1
    assert rows(archive_path, "select count(*) from failures where stage = 'blocked'")[0][0] == 2
    assert rows(archive_path, "select count(*) from sightings")[0][0] == 1


@coroutine_test
async def test_a_failed_start_page_of_a_crawl_that_follows_links_is_not_retried_as_an_article(site, archive_path):
    # the start page may be a home page or a listing: the crawl that starts from it asks
    # for it again; another crawl of the host must not fetch and archive it as an article
    crawler = get_crawler(BlogSpider, crawl_settings(archive_path))
    await crawler.crawl_async(url=site.url("/blocked/wechat"), depth="1")
    assert rows(archive_path, "select stage, requested_as from failures") == [("discovery", "page")]
    site.reset()
    crawler = get_crawler(BlogSpider, crawl_settings(archive_path))
    await crawler.crawl_async(url=site.url("/sites/wechat/s/cml2ZXJXYWxr"), depth="0")
    assert "/blocked/wechat" not in site.requests()
    assert crawler.stats.get_value("blogarchive/retry/earlier_failures") is None


@coroutine_test
async def test_a_failed_page_found_by_following_links_is_retried_as_a_page_not_as_an_article(site, archive_path):
    # the generic spider follows same-site links as "pages" (article or listing, decided on
    # the answer); a later crawl retries such a failure the same way: a listing that answers
    # then is not archived as an article, an article is
    from archive import Archive

    listing, article = site.url("/index.html"), site.url("/jianshu/p/7d3c1a9e5b20.html")
    with Archive(archive_path) as archive:
        for url in (listing, article):
            archive.add_failure(url, "fetch", "HTTP 503", http_status=503, requested_as="page")
        assert {kind for _, kind in archive.failed_urls(["127.0.0.1"])} == {"page"}
    crawler = get_crawler(BlogSpider, crawl_settings(archive_path))
    await crawler.crawl_async(url=site.url("/wordpress/2024/02/10/notes-on-learning-the-cello-at-forty.html"),
                              depth="0")
    assert crawler.stats.get_value("blogarchive/retry/earlier_failures") == 2
    assert {"/index.html", "/jianshu/p/7d3c1a9e5b20.html"} <= set(site.requests())
    archived = {url for (url,) in rows(archive_path, "select url from sightings")}
    assert article in archived
    assert listing not in archived


@coroutine_test
async def test_a_retried_page_that_is_a_platform_listing_follows_nothing(site, archive_path):
    # a listing of a known platform links its articles by their URL pattern: retried as a
    # page, it is left alone, and nothing it lists is fetched or counted
    from archive import Archive

    with Archive(archive_path) as archive:
        archive.add_failure(site.url("/sites/wordpress/"), "fetch", "HTTP 503", http_status=503, requested_as="page")
    crawler = get_crawler(BlogSpider, crawl_settings(archive_path))
    await crawler.crawl_async(url=site.url("/wordpress/2024/02/10/notes-on-learning-the-cello-at-forty.html"),
                              depth="0")
    assert "/sites/wordpress/" in site.requests()
    assert not any(path.startswith("/sites/wordpress/2") for path in site.requests())
    assert crawler.stats.get_value("blogarchive/retry/not_an_article") == 1
    # that answer is recorded at a stage not retried: the next crawl does not ask again
    with Archive(archive_path) as archive:
        assert archive.failed_urls(["127.0.0.1"]) == []


@coroutine_test
async def test_a_failed_start_page_of_a_depth_0_crawl_is_retried_as_an_article(site, archive_path):
    crawler = get_crawler(BlogSpider, crawl_settings(archive_path, RETRY_TIMES=0))
    await crawler.crawl_async(url=site.url("/status/503"), depth="0")
    assert rows(archive_path, "select stage, requested_as from failures") == [("fetch", "article")]


def test_the_kind_a_failure_is_retried_as_comes_from_its_retryable_failures(archive_path):
    # an earlier parse failure (no kind recorded) does not turn a failed page into an article
    from archive import Archive

    with Archive(archive_path) as archive:
        archive.add_failure("http://blog.example/tag/x", "parse", "ValueError")
        archive.add_failure("http://blog.example/tag/x", "fetch", "HTTP 503", requested_as="page")
        archive.add_failure("http://blog.example/old", "fetch", "HTTP 503")  # recorded before requested_as
        assert sorted(archive.failed_urls(["blog.example"])) == [
            ("http://blog.example/old", "article"), ("http://blog.example/tag/x", "page")
        ]


@coroutine_test
async def test_user_agent_names_the_contact(site, archive_path):
    crawler = get_crawler(BlogSpider, crawl_settings(archive_path, BLOGARCHIVE_CONTACT="ops@example.invalid"))
    await crawler.crawl_async(url=site.url("/user-agent"), depth="0")
    ((agent,),) = rows(archive_path, "select title from sightings")
    assert agent.startswith("blogarchive/")
    assert agent.endswith("contact: ops@example.invalid")


@coroutine_test
async def test_download_size_limit_records_a_failure(site, archive_path):
    crawler = get_crawler(BlogSpider, crawl_settings(archive_path, DOWNLOAD_MAXSIZE=1024 * 1024))
    await crawler.crawl_async(url=site.url("/large"), depth="0")
    ((stage, reason),) = rows(archive_path, "select stage, reason from failures")
    assert stage == "fetch"
    assert "Cancelled" in reason or "maxsize" in reason.lower()
    assert rows(archive_path, "select count(*) from texts")[0][0] == 0


def scrapy_crawl(site_url: str, archive_path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "blog", "-a", f"url={site_url}", "-a", "depth=0",
         "-s", f"ARCHIVE_PATH={archive_path}", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "WORKERS_MODE=inline"],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120, check=False,
    )


def test_scrapy_crawl_exit_code_tells_cron_what_happened(site, tmp_path):
    ok = scrapy_crawl(site.url("/jianshu/p/7d3c1a9e5b20"), tmp_path / "ok.db")
    assert ok.returncode == 0, ok.stderr[-2000:]
    failed = scrapy_crawl(site.url("/status/404"), tmp_path / "failed.db")
    assert failed.returncode == 1
    assert rows(tmp_path / "failed.db", "select status from crawls") == [("failed",)]


@pytest.mark.parametrize("mode", ["pool", "inline"])
@coroutine_test
async def test_items_export_as_json_lines(site, archive_path, tmp_path, mode):
    """``-o items.jsonl`` works: every archived page is one JSON record with its
    extraction and where it went in the archive (the raw page bytes are left out)."""
    import json

    feed = tmp_path / "items.jsonl"
    settings = crawl_settings(archive_path, FEEDS={str(feed): {"format": "jsonlines"}}, WORKERS_MODE=mode)
    crawler = get_crawler(BlogSpider, settings)
    await crawler.crawl_async(url=site.url("/"), depth="2")
    records = [json.loads(line) for line in feed.read_text(encoding="utf-8").splitlines()]
    assert len(records) == crawler.stats.get_value("blogarchive/archive/pages") == 14
    texts = dict(rows(archive_path, "select id, body from texts"))
    for record in records:
        assert record["body"] is None
        assert record["html"] is None
        assert record["shingles"] is None
        assert record["extraction"]["body"].strip()
        assert isinstance(record["extraction"]["recommendations"], list)
        assert len(record["fingerprint"]["content_hash"]) == 32
        assert record["archived"]["text_id"] in texts
        assert record["archived"]["relation"] in ("original", "exact", "near", "excerpt")
    assert all(r["extraction"]["title"] for r in records if "/jianshu/p/" in r["url"])
    exported = sum(len(r["extraction"]["recommendations"]) for r in records)
    assert exported == crawler.stats.get_value("blogarchive/archive/recommendations") > 0
    assert {r["archived"]["text_id"] for r in records} == set(texts)


@coroutine_test
async def test_a_page_the_spider_cannot_handle_is_a_recorded_failure(site, archive_path):
    """A JSON answer where a page was expected made the spider raise; Scrapy only
    logged it, and the URL left no trace in the archive."""
    crawler = get_crawler(BlogSpider, crawl_settings(archive_path))
    await crawler.crawl_async(url=site.url("/-/requests"), depth="1")
    assert crawler.stats.get_value("blogarchive/parse/errors") == 1
    failures = rows(archive_path, "select url, stage, reason from failures")
    assert [(url, stage) for url, stage, _ in failures] == [(site.url("/-/requests"), "parse")]
    assert "ValueError" in failures[0][2]


class FailingPipeline:
    """A pipeline between dedup and the store that fails on pages whose URL holds
    ``/jianshu/`` with an error, not a drop (a bug in a user's pipeline)."""

    def process_item(self, item):
        if "/jianshu/" in getattr(item, "url", ""):
            raise ValueError("a pipeline bug")
        return item


@coroutine_test
async def test_an_unexpected_extraction_error_is_recorded_not_lost(site, archive_path, monkeypatch):
    """Any error extracting a page (not only "no body found") becomes a failures row at
    stage ``extract``, counted, and the crawl goes on with the other pages."""
    import pipelines.main_body

    real = pipelines.main_body.extract_article

    def extract(html, url=None, platform=None):
        if "/jianshu/" in (url or ""):
            raise RecursionError("maximum recursion depth exceeded")
        return real(html, url=url, platform=platform)

    monkeypatch.setattr(pipelines.main_body, "extract_article", extract)
    urls = [site.url("/jianshu/p/7d3c1a9e5b20"), site.url("/flaky/one")]
    crawler = get_crawler(BlogSpider, crawl_settings(archive_path, WORKERS_MODE="inline"))
    await crawler.crawl_async(url=",".join(urls), depth="0")
    assert rows(archive_path, "select url, stage, reason from failures") == [
        (urls[0], "extract", "RecursionError: maximum recursion depth exceeded")
    ]
    assert rows(archive_path, "select url from sightings") == [(urls[1],)]
    assert crawler.stats.get_value("blogarchive/extract/errors") == 1
    assert crawler.stats.get_value("blogarchive/archive/failures") == 1


@coroutine_test
async def test_a_page_a_pipeline_fails_on_is_recorded_as_a_pipeline_failure(site, archive_path):
    pipelines = {**crawl_settings(archive_path)["ITEM_PIPELINES"], "tests.test_crawl.FailingPipeline": 250}
    urls = [site.url("/jianshu/p/7d3c1a9e5b20"), site.url("/flaky/one")]
    crawler = get_crawler(BlogSpider, crawl_settings(archive_path, ITEM_PIPELINES=pipelines))
    await crawler.crawl_async(url=",".join(urls), depth="0")
    assert rows(archive_path, "select url, stage, reason from failures") == [
        (urls[0], "pipeline", "ValueError: a pipeline bug")
    ]
    assert rows(archive_path, "select url from sightings") == [(urls[1],)]


@coroutine_test
async def test_a_crawl_that_fetched_nothing_usable_failed(site, archive_path):
    """Binary or empty responses, redirect loops and off-site redirects are failures like a
    404: a crawl that met only those archived nothing, and cron must hear it (exit 1)."""
    urls = ",".join(site.url(p) for p in ("/binary", "/empty", "/redirect-loop", "/redirect-away"))
    crawler = get_crawler(BlogSpider, crawl_settings(archive_path))
    await crawler.crawl_async(url=urls, depth="0")
    assert crawler.stats.get_value("blogarchive/crawl_status") == "failed"
    assert rows(archive_path, "select status from crawls") == [("failed",)]
    assert rows(archive_path, "select count(*) from failures")[0][0] == 4


@coroutine_test
async def test_a_page_whose_worker_died_or_that_met_an_archive_error_is_retried_by_the_next_crawl(
    site, archive_path
):
    """A worker killed on a page (out of memory) or a full disk is no property of the page:
    the next crawl of the site asks for it again. A page with no article body is not."""
    from archive import Archive

    died, disk_full, no_body = (site.url(p) for p in ("/jianshu/p/7d3c1a9e5b20", "/flaky/one", "/user-agent"))
    with Archive(archive_path) as archive:
        archive.add_failure(died, "worker", "the worker process died (signal 9)", requested_as="article")
        archive.add_failure(disk_full, "pipeline", "archive error: database or disk is full", requested_as="article")
        archive.add_failure(no_body, "extract", "no article body found", requested_as="article")
    crawler = get_crawler(BlogSpider, crawl_settings(archive_path))
    await crawler.crawl_async(url=site.url("/status/404"), depth="0")
    assert sorted(url for (url,) in rows(archive_path, "select url from sightings")) == sorted([died, disk_full])
    assert crawler.stats.get_value("blogarchive/retry/earlier_failures") == 2


@coroutine_test
async def test_an_archive_that_cannot_be_opened_closes_the_crawl_cleanly(site, tmp_path, caplog):
    """A file that is no SQLite archive (or cannot be written) fails the crawl before any
    request, leaves the file as it was and releases the lock, with one clear error."""
    path = tmp_path / "notes.txt"
    path.write_text("my notes, not an archive\n" * 100, encoding="utf-8")
    crawler = get_crawler(BlogSpider, crawl_settings(path))
    await crawler.crawl_async(url=site.url("/jianshu/p/7d3c1a9e5b20"), depth="0")
    assert crawler.stats.get_value("finish_reason") == "archive_unwritable"
    assert crawler.stats.get_value("blogarchive/crawl_status") == "failed"
    assert not crawler.stats.get_value("downloader/request_count")
    assert path.read_text(encoding="utf-8") == "my notes, not an archive\n" * 100
    assert "Traceback" not in caplog.text
    assert "AssertionError" not in caplog.text
    from archive import ArchiveLock

    lock = ArchiveLock(path)
    lock.acquire()  # free again
    lock.release()


@coroutine_test
async def test_a_graceful_stop_does_not_wait_out_a_retry_after(site, archive_path):
    """Ctrl-C or SIGTERM while a page waits out a 60 s ``Retry-After``: the wait ends, the
    429 is recorded as a failure (retried by a later run), and the page is not fetched again."""
    import asyncio

    crawler = get_crawler(BlogSpider, crawl_settings(archive_path))
    crawl = asyncio.ensure_future(crawler.crawl_async(url=site.url("/slow429-minute/a"), depth="0"))
    while not crawler.stats.get_value("blogarchive/retry/retry_after"):  # noqa: ASYNC110 - a stat, no event
        await asyncio.sleep(0.05)  # the 429 reached the retry middleware, which now waits
    await crawler.stop_async()  # what Scrapy does on Ctrl-C or SIGTERM
    await crawl
    assert_429_left_for_a_later_run(archive_path, crawler, site, "/slow429-minute/a", "blogarchive/retry/stopped_waiting")


@coroutine_test
async def test_a_crawl_closed_by_a_timeout_does_not_wait_out_a_retry_after(site, archive_path):
    """Any close (here CLOSESPIDER_TIMEOUT) ends the wait; the 429 is recorded, not dropped."""
    crawler = get_crawler(BlogSpider, crawl_settings(archive_path, CLOSESPIDER_TIMEOUT=1))
    await crawler.crawl_async(url=site.url("/slow429-minute/b"), depth="0")
    assert_429_left_for_a_later_run(archive_path, crawler, site, "/slow429-minute/b", "blogarchive/retry/stopped_waiting")


def test_a_retry_that_failed_at_a_stage_not_retried_is_not_asked_for_again(archive_path):
    """A worker death is retried; if the retry then finds no article body, that is the
    page's answer, not a fault to retry (it was asked for on every run for 30 days)."""
    from archive import Archive

    with Archive(archive_path) as archive:
        archive.add_failure("http://blog.example/a", "worker", "the worker process died", requested_as="article")
        archive.add_failure("http://blog.example/b", "worker", "the worker process died", requested_as="article")
        archive.add_failure("http://blog.example/b", "extract", "no article body found", requested_as="article")
        assert archive.failed_urls(["blog.example"]) == [("http://blog.example/a", "article")]


class DroppingPipeline:
    """A user's filter: drops pages whose URL holds ``/jianshu/`` on purpose."""

    def process_item(self, item):
        from scrapy.exceptions import DropItem

        if "/jianshu/" in getattr(item, "url", ""):
            raise DropItem("not wanted here")
        return item


@coroutine_test
async def test_a_page_a_pipeline_drops_on_purpose_is_recorded_and_not_retried(site, archive_path):
    from archive import Archive

    pipelines = {**crawl_settings(archive_path)["ITEM_PIPELINES"], "tests.test_crawl.DroppingPipeline": 250}
    url = site.url("/jianshu/p/7d3c1a9e5b20")
    crawler = get_crawler(BlogSpider, crawl_settings(archive_path, ITEM_PIPELINES=pipelines))
    await crawler.crawl_async(url=url, depth="0")
    assert rows(archive_path, "select url, stage, reason, requested_as from failures") == [
        (url, "dropped", "not wanted here", "article")]  # a depth-0 crawl's page is an article
    with Archive(archive_path) as archive:
        assert archive.failed_urls(["127.0.0.1"]) == []
    # a page the generic spider found by following links was asked for as a page
    crawler = get_crawler(BlogSpider, crawl_settings(archive_path, ITEM_PIPELINES=pipelines))
    await crawler.crawl_async(url=site.url("/"), depth="2")
    kinds = dict(rows(archive_path, "select url, requested_as from failures where url like '%/jianshu/%' and url != ?", url))
    assert kinds
    assert set(kinds.values()) == {"page"}
