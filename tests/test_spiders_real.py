"""Platform spiders on real listing responses (../shared/fixtures/listings: WordPress
REST pages, RSS, core sitemaps, Blogger Atom through FeedBurner, Medium and Ghost
feeds), served by the mock site with their links pointed at it; the articles they
list are answered with real article pages of the same platform."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest
from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.test import get_crawler

from crawler.spiders._discovery import blocked_reason
from tests.conftest import crawl_settings
from tests.utils import coroutine_test

pytestmark = pytest.mark.shared_corpus


def rows(path, sql, *params):
    with sqlite3.connect(path) as conn:
        return conn.execute(sql, params).fetchall()


def listing(shared_dir, name: str) -> bytes:
    return (shared_dir / "fixtures" / "listings" / name).read_bytes()


def count_posts(shared_dir, name: str) -> int:
    return len(json.loads(listing(shared_dir, name)))


def count_items(shared_dir, name: str) -> int:
    return listing(shared_dir, name).count(b"<item>") + listing(shared_dir, name).count(b"<item ")


def ghost_urls(shared_dir) -> int:
    feed = listing(shared_dir, "ghost/ghost-rss-pwningtech.xml")
    sitemap = listing(shared_dir, "ghost/ghost-sitemap-posts-pwningtech.xml")
    items = re.findall(rb"<item>.*?<link>([^<]+)</link>", feed, re.S)
    return len(set(items) | set(re.findall(rb"<loc>([^<]+)</loc>", sitemap)))


#: (spider, path below /real/, spider arguments, expected sightings)
CASES = [
    ("wordpress", "wordpress-polarisweb.com.co/", {}, lambda d: count_posts(d, "wordpress/wp-rest-polarisweb-posts.json")),
    ("wordpress", "wordpress-demo.worona.org/", {},
     lambda d: count_posts(d, "wordpress/wp-rest-worona-cat7-page1.json")
     + count_posts(d, "wordpress/wp-rest-worona-cat7-page2.json")),
    ("wordpress", "wordpress-blog.pitan76.net/feed/", {"as_url": "1"},
     lambda d: count_items(d, "wordpress/wp-rss2-pitan76.xml")),
    ("wordpress", "wordpress-aresou.net/wp-sitemap.xml", {},
     lambda d: listing(d, "wordpress/wp-sitemap-posts-post-1-aresou.xml").count(b"<loc>")),
    ("ghost", "ghost-pwning.tech/", {}, ghost_urls),
    ("medium", "medium-medium.com/", {"user": "@emarley"},
     lambda d: count_items(d, "medium/medium-user-emarley.xml")),
    ("blogger", "blogger-feeds.feedburner.com/blogspot/RLXA", {"limit": "5"}, lambda d: 5),
]


@pytest.mark.parametrize(("spider", "path", "args", "expected"), CASES, ids=[c[1] for c in CASES])
@coroutine_test
async def test_platform_spider_on_real_listing(site, archive_path, shared_dir, spider, path, args, expected):
    spidercls = SpiderLoader(Settings({"SPIDER_MODULES": ["crawler.spiders"]})).load(spider)
    url = site.url(f"/real/{path}")
    args = dict(args)
    where = {"base_url": url} if url.endswith("/") and not args.pop("as_url", None) else {"url": url}
    crawler = get_crawler(spidercls, crawl_settings(archive_path))
    await crawler.crawl_async(**where, **args)
    sightings = [u for (u,) in rows(archive_path, "select url from sightings")]
    # every listed article was fetched; a page the extractor finds no body in is an
    # "extract" failure (extraction's business), never a fetch or discovery one
    unextracted = [u for (u,) in rows(archive_path, "select url from failures where stage = 'extract'")]
    assert len(sightings) + len(unextracted) == expected(shared_dir)
    assert all(u.startswith(site.url("/real/")) for u in sightings + unextracted)
    assert not any("source=rss" in u for u in sightings), "tracking parameters are dropped"
    assert rows(archive_path, "select stage, reason from failures where stage != 'extract'") == []
    assert crawler.stats.get_value("blogarchive/crawl_status") == "finished"


def test_no_real_article_page_is_taken_for_a_challenge(shared_dir):
    pages = sorted((shared_dir / "fixtures" / "pages").rglob("*.html"))
    assert pages
    assert {p.name: blocked_reason(200, p.read_bytes()) for p in pages} == {p.name: None for p in pages}
