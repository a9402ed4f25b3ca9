"""The worker pool and the batched writer: same archive as inline, safe when a worker dies."""

from __future__ import annotations

import os
import signal
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from scrapy.utils.test import get_crawler

from archive import Archive
from bench.crawl import Site
from crawler.items import ArticlePage
from crawler.spiders.blog import BlogSpider
from pipelines.main_body import MainBodyPipeline
from tests.conftest import crawl_settings
from tests.utils import coroutine_test

INLINE = {"WORKERS_MODE": "inline", "ARCHIVE_BATCH_SIZE": 1, "ARCHIVE_WRITER": "reactor"}
POOLED = {"WORKERS_MODE": "pool", "WORKERS_PROCESSES": 2, "ARCHIVE_BATCH_SIZE": 100, "ARCHIVE_WRITER": "thread"}
#: One request at a time: pages then reach the archive in the same order in both modes.
SERIAL = {"CONCURRENT_REQUESTS": 1, "ROBOTSTXT_OBEY": False}


@pytest.fixture(scope="module")
def bench_site():
    server = Site(60, seed=3)  # the benchmark's own generated site, small
    yield server
    server.stop()


def snapshot(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the archive that a crawl decides, without ids, times and crawl ids;
    references to other rows are replaced by the URL or content hash they point to."""
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row

    def rows(sql: str, drop: tuple[str, ...] = ()) -> list[tuple[Any, ...]]:
        result = [tuple(v for k, v in dict(r).items() if k not in drop) for r in conn.execute(sql)]
        return sorted(result, key=repr)

    try:
        return {
            "texts": rows(
                "select t.*, s.url as canonical_url from texts t "
                "left join sightings s on s.id = t.canonical_sighting_id",
                ("id", "canonical_sighting_id", "first_seen", "last_seen"),
            ),
            "sightings": rows(
                "select s.*, t.content_hash as text_hash from sightings s join texts t on t.id = s.text_id",
                ("id", "text_id", "fetched_at", "last_seen", "crawl_id"),
            ),
            "recommendations": rows(
                "select r.*, s.url as sighting_url from recommendations r join sightings s on s.id = r.sighting_id",
                ("id", "sighting_id"),
            ),
            "text_bands": rows("select b.band_key, t.content_hash from text_bands b join texts t on t.id = b.text_id"),
            "failures": rows("select * from failures", ("id", "crawl_id", "at")),
        }
    finally:
        conn.close()


async def crawl(path: Path, url: str, depth: str, **settings: Any) -> dict[str, Any]:
    crawler = get_crawler(BlogSpider, crawl_settings(path, **settings))
    await crawler.crawl_async(url=url, depth=depth)
    return crawler.stats.get_stats()


@pytest.mark.parametrize("writer", ["thread", "process"])
@coroutine_test
async def test_pooled_crawl_archives_the_same_rows_as_inline(bench_site, tmp_path, writer):
    inline, pooled = tmp_path / "inline.db", tmp_path / "pooled.db"
    start = bench_site.url + "/index.html"
    inline_stats = await crawl(inline, start, "3", **INLINE, **SERIAL)
    pooled_stats = await crawl(pooled, start, "3", **{**POOLED, "ARCHIVE_WRITER": writer}, **SERIAL)
    assert inline_stats["blogarchive/archive/pages"] == pooled_stats["blogarchive/archive/pages"] == 60
    # the site reposts pages, so dedup decisions are part of what is compared
    assert pooled_stats["blogarchive/archive/sightings_merged"] > 5
    assert pooled_stats["blogarchive/archive/batches"] >= 1
    expected, got = snapshot(inline), snapshot(pooled)
    for table in expected:
        assert got[table] == expected[table], table


@coroutine_test
async def test_pooled_crawl_of_mock_site_matches_inline_with_failures(site, tmp_path):
    urls = ",".join(site.url(p) for p in ("/", "/status/404", "/binary", "/empty", "/gbk-mislabelled"))
    inline, pooled = tmp_path / "inline.db", tmp_path / "pooled.db"
    await crawl(inline, urls, "2", **INLINE, **SERIAL)
    stats = await crawl(pooled, urls, "2", **POOLED, **SERIAL)
    assert stats["blogarchive/crawl_status"] == "finished"
    expected, got = snapshot(inline), snapshot(pooled)
    assert len(got["failures"]) == 3
    for table in expected:
        assert got[table] == expected[table], table


class KillWorkers:
    """Test pipeline placed before extraction: SIGKILLs every worker process when the
    ``after``-th page passes, so that page (and any other in flight) meets a dead pool."""

    after = 5
    killed: list[int] = []

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.seen = 0

    @classmethod
    def from_crawler(cls, crawler: Any) -> KillWorkers:
        return cls(crawler)

    def process_item(self, item: object) -> object:
        if isinstance(item, ArticlePage):
            self.seen += 1
            if self.seen == self.after:
                middlewares = self.crawler.engine.scraper.itemproc.middlewares
                pool = next(m.pool for m in middlewares if isinstance(m, MainBodyPipeline))
                for pid in pool.pids():
                    os.kill(pid, signal.SIGKILL)
                    self.killed.append(pid)
        return item


def pipelines_with_killer() -> dict[Any, int]:
    import crawler.settings as project

    return {KillWorkers: 50, **project.ITEM_PIPELINES}


def assert_consistent(path: Path, urls: set[str]) -> None:
    with Archive(path) as archive:
        assert archive.integrity_check() == "ok"
    conn = sqlite3.connect(path)
    try:
        sighted = {r[0] for r in conn.execute("select url from sightings")}
        failed = {r[0] for r in conn.execute("select url from failures")}
        # every page is either archived or recorded as a failure, never both, never lost
        assert sighted | failed == urls
        assert not sighted & failed
        orphans = (
            "select count(*) from texts t where not exists (select 1 from sightings s where s.text_id = t.id)",
            "select count(*) from texts where canonical_sighting_id is null",
            "select count(*) from recommendations r where not exists "
            "(select 1 from sightings s where s.id = r.sighting_id)",
            "select count(*) from text_bands b where not exists (select 1 from texts t where t.id = b.text_id)",
        )
        for sql in orphans:
            assert conn.execute(sql).fetchone()[0] == 0, sql
        assert conn.execute("pragma foreign_key_check").fetchall() == []
    finally:
        conn.close()


def article_urls(base: str) -> set[str]:
    from bench.sitegen import plan_site

    return {base + a.path for a in plan_site(60, 3)}


@coroutine_test
async def test_killed_worker_page_is_retried_on_a_new_pool(bench_site, tmp_path):
    KillWorkers.killed = []
    path = tmp_path / "archive.db"
    stats = await crawl(
        path, bench_site.url + "/index.html", "3", ITEM_PIPELINES=pipelines_with_killer(), **POOLED, WORKERS_RETRIES=1
    )
    assert len(KillWorkers.killed) == 2
    assert stats["blogarchive/workers/restarts"] >= 1
    assert stats["blogarchive/crawl_status"] == "finished"
    assert stats["blogarchive/archive/pages"] == 60
    assert_consistent(path, article_urls(bench_site.url))


@coroutine_test
async def test_killed_worker_page_is_recorded_as_failure_without_retries(bench_site, tmp_path):
    KillWorkers.killed = []
    path = tmp_path / "archive.db"
    stats = await crawl(
        path, bench_site.url + "/index.html", "3", ITEM_PIPELINES=pipelines_with_killer(), **POOLED, WORKERS_RETRIES=0
    )
    assert len(KillWorkers.killed) == 2
    assert stats["blogarchive/workers/died"] >= 1
    conn = sqlite3.connect(path)
    try:
        stages = {r[0] for r in conn.execute("select stage from failures")}
    finally:
        conn.close()
    assert stages == {"worker"}
    assert stats["blogarchive/archive/pages"] == 60 - stats["blogarchive/workers/died"]
    assert_consistent(path, article_urls(bench_site.url))
