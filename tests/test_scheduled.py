"""Crawls left running from cron: revisits with conditional requests, listings that stop
at archived articles, one crawl at a time per archive, and a run killed with -9 that
the next run completes."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler

from crawler.spiders.blog import BlogSpider
from crawler.spiders.jianshu import JianshuSpider
from tests.conftest import ROOT, crawl_settings
from tests.utils import coroutine_test

EXIT_LOCKED = 3


def load_spider(name: str):
    from scrapy.settings import Settings
    from scrapy.spiderloader import SpiderLoader

    return SpiderLoader(Settings({"SPIDER_MODULES": ["crawler.spiders"]})).load(name)


def rows(path, sql, *params):
    with sqlite3.connect(path) as conn:
        return conn.execute(sql, params).fetchall()


def conditional(site) -> list[str]:
    import urllib.request

    with urllib.request.urlopen(site.url("/-/conditional")) as response:
        return json.loads(response.read())


def blogarchive(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "blogarchive", *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=timeout, check=False)


def wait_for_sightings(proc: subprocess.Popen, db: Path, count: int, timeout: float = 60) -> None:
    """Wait until the crawl ``proc`` has archived ``count`` pages in ``db`` (or ended)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if db.exists() and rows(db, "select count(*) from sightings")[0][0] >= count:
                return
        except sqlite3.OperationalError:  # the file is being created
            pass
        time.sleep(0.02)


SITES_TOML = """
[settings]
AUTOTHROTTLE_ENABLED = false
BLOGARCHIVE_CONTACT = "tests@example.invalid"

[defaults]
limit = 20
revisit = "{revisit}"

[[site]]
platform = "jianshu"
base_url = "{base}sites/jianshu/"
user = "ada0001"

[[site]]
platform = "wordpress"
base_url = "{base}sites/wordpress/"

[[site]]
url = "{base}sites/ghost/"

[[site]]
platform = "zhihu"
base_url = "{base}sites/zhihu/"
user = "c_slowreading"
enabled = false
"""
ARTICLES = 9  # 3 jianshu + 3 wordpress + 3 ghost


def write_config(tmp_path: Path, site, revisit: str) -> Path:
    config = tmp_path / "sites.toml"
    config.write_text(SITES_TOML.format(base=site.url("/"), revisit=revisit), encoding="utf-8")
    return config


@pytest.mark.slow
def test_second_scheduled_run_fetches_no_article_bodies(site, tmp_path):
    db = tmp_path / "archive.db"
    config = write_config(tmp_path, site, revisit="7d")
    site.reset()
    first = blogarchive("crawl", "--config", str(config), "--db", str(db))
    assert first.returncode == 0, first.stderr
    assert rows(db, "select count(*) from sightings")[0][0] == ARTICLES
    first_requests = site.requests()
    assert not any("/sites/zhihu/" in p for p in first_requests), "a disabled site is not crawled"
    site.reset()
    log = tmp_path / "crawl.log"
    second = blogarchive("crawl", "--config", str(config), "--db", str(db), "--log-file", str(log))
    assert second.returncode == 0, second.stderr
    assert "Not paginating to" in log.read_text(encoding="utf-8")
    assert "Spider opened" not in second.stderr, "with --log-file the log goes to the file"
    requested = site.requests()
    assert requested, "listings are always fetched again"
    assert not any("/p/" in p or "/20" in p or p.rstrip("/").endswith(("slow-software", "self-hosting", "sitemap-only-post"))
                   for p in requested), requested
    assert "articles archived:            0" in second.stdout
    # jianshu and wordpress stop paginating at page 1 (2 articles each); ghost's sitemap lists 3
    assert "articles not due for revisit: 7" in second.stdout
    assert rows(db, "select count(*) from sightings")[0][0] == ARTICLES
    assert [s for (s,) in rows(db, "select status from crawls order by id")] == ["finished"] * 6


@pytest.mark.slow
def test_revisit_after_interval_is_conditional_and_304_costs_nothing(site, tmp_path):
    db = tmp_path / "archive.db"
    config = write_config(tmp_path, site, revisit="0s")
    assert blogarchive("crawl", "--config", str(config), "--db", str(db)).returncode == 0
    before = dict(rows(db, "select url, last_seen from sightings"))
    time.sleep(1.1)  # last_seen has a resolution of one second
    site.reset()
    second = blogarchive("crawl", "--config", str(config), "--db", str(db))
    assert second.returncode == 0, second.stderr
    article_paths = {"/" + url.split("/", 3)[3] for url in before}
    fetched = [p for p in site.requests() if p in article_paths]
    assert sorted(fetched) == sorted(article_paths), "each article asked once"
    assert sorted(conditional(site)) == sorted(article_paths), "and only conditionally"
    assert "not modified (304):           9" in second.stdout
    after = dict(rows(db, "select url, last_seen from sightings"))
    assert all(after[url] > before[url] for url in before)
    assert rows(db, "select count(*) from texts")[0][0] == ARTICLES
    stats = json.loads(rows(db, "select stats from crawls order by id desc limit 1")[0][0])
    assert stats["blogarchive/archive/not_modified"] == 3
    assert stats["blogarchive/fetch/not_modified"] == 3


@coroutine_test
async def test_listing_stops_paginating_at_archived_articles(site, archive_path):
    base = site.url("/sites/jianshu/")
    first = get_crawler(JianshuSpider, crawl_settings(archive_path))
    await first.crawl_async(base_url=base, user="ada0001")
    site.reset()
    second = get_crawler(JianshuSpider, crawl_settings(archive_path))
    await second.crawl_async(base_url=base, user="ada0001")
    requested = site.requests()
    assert "/sites/jianshu/u/ada0001" in requested, "the first listing page is always fetched"
    assert not any("page=2" in p for p in requested)
    assert second.stats.get_value("blogarchive/revisit/listing_stopped") == 1
    assert second.stats.get_value("blogarchive/crawl_status") == "finished"


@coroutine_test
async def test_listing_is_walked_again_after_an_interrupted_crawl(site, archive_path):
    base = site.url("/sites/jianshu/")
    first = get_crawler(JianshuSpider, crawl_settings(archive_path))
    await first.crawl_async(base_url=base, user="ada0001")
    with sqlite3.connect(archive_path) as conn:  # as a kill -9 leaves it
        conn.execute("update crawls set status = 'running', finished = null")
    site.reset()
    second = get_crawler(JianshuSpider, crawl_settings(archive_path))
    await second.crawl_async(base_url=base, user="ada0001")
    assert any("page=2" in p for p in site.requests())
    assert rows(archive_path, "select status from crawls order by id") == [("interrupted",), ("finished",)]


@pytest.fixture
def lock_holder(archive_path):
    """Another process holding the archive's lock, as an overlapping crawl would."""
    code = ("import sys, time; from archive import ArchiveLock; ArchiveLock(sys.argv[1]).acquire(); "
            "print('locked', flush=True); time.sleep(120)")
    proc = subprocess.Popen([sys.executable, "-c", code, str(archive_path)], stdout=subprocess.PIPE,
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.stdout.readline().strip() == b"locked"
    yield proc
    proc.kill()
    proc.wait()


def test_overlapping_crawls_exit_at_once_with_their_own_code(site, archive_path, tmp_path, lock_holder):
    config = write_config(tmp_path, site, revisit="7d")
    for args in (["crawl", site.url("/jianshu/p/7d3c1a9e5b20")], ["crawl", "--config", str(config)]):
        result = blogarchive(*args, "--db", str(archive_path), timeout=60)
        assert result.returncode == EXIT_LOCKED
        assert "locked by another crawl" in result.stderr
        assert f"pid {lock_holder.pid}" in result.stderr
    scrapy = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "blog", "-a", f"url={site.url('/jianshu/p/7d3c1a9e5b20')}",
         "-s", f"ARCHIVE_PATH={archive_path}"],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60, check=False)
    assert "archive is locked by another crawl" in scrapy.stderr
    assert "'finish_reason': 'archive_locked'" in scrapy.stderr
    assert scrapy.returncode == EXIT_LOCKED
    assert not archive_path.exists(), "a refused crawl does not touch the archive"


def test_an_archive_fingerprinted_otherwise_is_refused_in_one_line_and_left_as_it_was(site, archive_path):
    url = site.url("/jianshu/p/7d3c1a9e5b20")
    assert blogarchive("crawl", url, "--db", str(archive_path), timeout=60).returncode == 0
    with sqlite3.connect(archive_path) as conn:  # as an archive made by an older normaliser
        conn.execute("update archive_meta set value = '3/head64' where key = 'minhash_normaliser'")
    before = rows(archive_path, "select count(*) from crawls")
    result = blogarchive("crawl", url, "--db", str(archive_path), timeout=60)
    assert result.returncode == 1
    assert "blogarchive dedup --rebuild" in result.stderr
    assert "Traceback" not in result.stderr
    assert rows(archive_path, "select count(*) from crawls") == before
    # the rebuild the message asks for makes the archive crawlable again
    assert blogarchive("dedup", "--rebuild", "--db", str(archive_path), timeout=60).returncode == 0
    assert blogarchive("crawl", url, "--db", str(archive_path), timeout=60).returncode == 0


@coroutine_test
async def test_locked_archive_closes_the_spider_before_any_request(site, archive_path, lock_holder):
    site.reset()
    crawler = get_crawler(BlogSpider, crawl_settings(archive_path))
    await crawler.crawl_async(url=site.url("/jianshu/p/7d3c1a9e5b20"))
    assert crawler.stats.get_value("finish_reason") == "archive_locked"
    assert crawler.stats.get_value("blogarchive/crawl_status") == "locked"
    assert "/jianshu/p/7d3c1a9e5b20" not in site.requests()
    assert not archive_path.exists()


def test_stale_lock_of_a_killed_crawl_is_taken_over(site, archive_path, lock_holder):
    lock_holder.send_signal(signal.SIGKILL)
    lock_holder.wait()
    result = blogarchive("crawl", site.url("/jianshu/p/7d3c1a9e5b20"), "--depth", "0", "--db", str(archive_path))
    assert result.returncode == 0, result.stderr
    assert rows(archive_path, "select count(*) from sightings")[0][0] == 1


@pytest.mark.slow
def test_kill_9_mid_crawl_then_resume_completes_without_duplicates(site, archive_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = [sys.executable, "-m", "blogarchive", "crawl", site.url("/many/"), "--db", str(archive_path),
            "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1"]
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_sightings(proc, archive_path, 4)
    assert proc.poll() is None, "the crawl ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert rows(archive_path, "pragma integrity_check") == [("ok",)]
    partial = rows(archive_path, "select count(*) from sightings")[0][0]
    assert 4 <= partial < 24
    assert rows(archive_path, "select status from crawls") == [("running",)]

    resumed = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert resumed.returncode == 0, resumed.stderr
    assert rows(archive_path, "pragma integrity_check") == [("ok",)]
    urls = [u for (u,) in rows(archive_path, "select url from sightings")]
    assert sorted(urls) == sorted(site.url(f"/many/p/{n}") for n in range(24)), "nothing missing, no duplicate"
    assert rows(archive_path, "select count(*) from texts")[0][0] == 24
    assert rows(archive_path, "select count(*) from texts where body = '' or chars = 0")[0][0] == 0
    assert rows(archive_path, "select count(*) from texts t where not exists "
                              "(select 1 from sightings s where s.text_id = t.id)")[0][0] == 0
    assert rows(archive_path, "select count(*) from texts t where not exists "
                              "(select 1 from text_bands b where b.text_id = t.id)")[0][0] == 0
    assert rows(archive_path, "select status from crawls order by id") == [("interrupted",), ("finished",)]
    assert f"articles archived:            {24 - partial}" in resumed.stdout


def test_unwritable_archive_exits_non_zero(site, tmp_path):
    result = blogarchive("crawl", site.url("/jianshu/p/7d3c1a9e5b20"), "--db", str(tmp_path / "missing" / "a.db"))
    assert result.returncode == 1
    assert "cannot write the archive" in result.stderr


def test_every_request_failing_exits_non_zero(site, tmp_path):
    result = blogarchive("crawl", site.url("/status/404"), site.url("/status/410"), "--depth", "0",
                         "--db", str(tmp_path / "a.db"))
    assert result.returncode == 1
    assert rows(tmp_path / "a.db", "select status from crawls") == [("failed",), ("failed",)]


def test_sites_toml_becomes_jobs(tmp_path):
    from blogarchive.cli_crawl import load_sites

    config = tmp_path / "sites.toml"
    config.write_text(
        '[settings]\nBLOGARCHIVE_CONTACT = "me@example.invalid"\n'
        '[defaults]\nlimit = 10\nrevisit = "12h"\n'
        '[[site]]\nurl = "https://example.org/"\n'
        '[[site]]\nplatform = "jianshu"\nuser = "abc"\nrevisit = 60\nfollow_recommendations = true\n'
        '[[site]]\nplatform = "medium"\nuser = "@x"\nenabled = false\n', encoding="utf-8")
    jobs, settings = load_sites(config)
    assert settings == {"BLOGARCHIVE_CONTACT": "me@example.invalid"}
    assert [(j.spider, j.args) for j in jobs] == [
        ("blog", {"url": "https://example.org/", "limit": "10", "revisit": "43200.0"}),
        ("jianshu", {"user": "abc", "limit": "10", "follow_recommendations": "1", "revisit": "60.0"}),
    ]


@pytest.mark.parametrize(("toml", "message"), [
    ('[[site]]\nurl = "https://a.example/"\nlimt = 5\n', "unknown key(s) limt"),
    ('[[site]]\nplatform = "jianshu"\n', "give url"),
    ('[[site]]\nurl = "https://a.example/"\nrevisit = "soon"\n', "not a duration"),
    ('[site]\nurl = 1\n[oops]\n', "unknown section(s) oops"),
    ('[[site]]\nurl = "https://a.example/"\nsince = "garbage"\n', "is not a date"),
    ('[[site]]\nurl = "https://a.example/"\nlimit = -5\n', "must be 0 or more"),
    ('[[site]]\nplatform = "jiansu"\nuser = "abc"\n', "no platform or spider 'jiansu'"),
])
def test_bad_sites_toml_is_refused_before_crawling(tmp_path, toml, message):
    config = tmp_path / "sites.toml"
    config.write_text(toml, encoding="utf-8")
    result = blogarchive("crawl", "--config", str(config), "--db", str(tmp_path / "a.db"))
    assert result.returncode == 2
    assert message in result.stderr
    assert not (tmp_path / "a.db").exists()


@coroutine_test
async def test_due_revisits_do_not_use_up_the_limit_for_new_articles(site, archive_path):
    base = site.url("/sites/devto/")
    first = get_crawler(load_spider("devto"), crawl_settings(archive_path))
    await first.crawl_async(base_url=base, user="ada", limit="1")
    assert rows(archive_path, "select count(*) from sightings")[0][0] == 1
    await asyncio.sleep(1.1)  # last_seen has a resolution of one second
    second = get_crawler(load_spider("devto"), crawl_settings(archive_path))
    await second.crawl_async(base_url=base, user="ada", limit="1", revisit="0")
    assert second.stats.get_value("blogarchive/revisit/due") == 1
    assert second.stats.get_value("blogarchive/fetch/not_modified") == 1
    # the limit still bought one article that was not archived yet
    assert rows(archive_path, "select count(*) from sightings")[0][0] == 2


@pytest.mark.parametrize("args", [["--since", "garbage"], ["--limit", "-5"], ["--depth", "x"], ["--spider", "nosuch"]])
def test_bad_crawl_options_are_usage_errors(tmp_path, args):
    result = blogarchive("crawl", "https://a.example/", "--db", str(tmp_path / "a.db"), *args)
    assert result.returncode == 2
    assert not (tmp_path / "a.db").exists()


_RUN_JOBS = """
import sys
from blogarchive.runner import run_crawls
result = run_crawls([("blog", {"url": sys.argv[1], "since": "garbage"}),
                     ("blog", {"url": sys.argv[2], "depth": "0"})],
                    {"ARCHIVE_PATH": sys.argv[3], "AUTOTHROTTLE_ENABLED": False})
print([s.get("blogarchive/crawl_status") for s in result.stats], result.failed)
"""


def test_a_job_that_fails_before_crawling_neither_hangs_nor_stops_the_others(site, tmp_path):
    """It used to leave the reactor running forever, holding the archive's lock."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", _RUN_JOBS, site.url("/status/404"), site.url("/jianshu/p/7d3c1a9e5b20"),
         str(tmp_path / "a.db")], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "['failed', 'finished'] True"
    assert rows(tmp_path / "a.db", "select count(*) from texts") == [(1,)]


@pytest.mark.parametrize("arguments", [["blog", "-a", "limit=5"], ["devto", "-a", "since=2024-01-01"]])
def test_scrapy_crawl_with_nothing_to_start_from_is_a_usage_error(arguments, archive_path):
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", *arguments, "-s", f"ARCHIVE_PATH={archive_path}"],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60, check=False)
    assert result.returncode == 2, result.stderr
    assert "needs -a url=URL" in result.stderr
    assert "Traceback" not in result.stderr
    assert not archive_path.exists()


@pytest.mark.parametrize("argument", ["limit=abc", "depth=-1", "since=someday"])
def test_scrapy_crawl_with_a_bad_spider_argument_is_a_usage_error(argument, archive_path):
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "blog", "-a", argument, "-s", f"ARCHIVE_PATH={archive_path}"],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60, check=False)
    assert result.returncode == 2, result.stderr
    assert argument.split("=")[0] in result.stderr
    assert not archive_path.exists()


@pytest.mark.slow
def test_sigterm_during_a_config_run_stops_it_and_starts_no_other_site(site, tmp_path):
    """cron's or systemd's SIGTERM stops the crawl in progress gracefully; the sites after it
    are reported as skipped, not started (a started one would be left "running")."""
    config = tmp_path / "sites.toml"
    config.write_text(
        "[settings]\nAUTOTHROTTLE_ENABLED = false\nCONCURRENT_REQUESTS_PER_DOMAIN = 1\n\n"
        + "".join(f'[[site]]\nurl = "{site.url(path)}"\n\n' for path in ("/many/", "/sites/ghost/", "/")),
        encoding="utf-8",
    )
    db = tmp_path / "a.db"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "blogarchive", "crawl", "--config", str(config), "--db", str(db)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for_sightings(proc, db, 2)
    assert proc.poll() is None, "the first site's crawl ended before the signal"
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, err
    assert rows(db, "select status from crawls") == [("failed",)]
    assert f"{site.url('/sites/ghost/')}: skipped" in out
    assert f"{site.url('/')}: skipped" in out
    assert "ReactorNotRunning" not in err, err
    assert "CRITICAL" not in err, err


@pytest.mark.slow
def test_scrapy_crawl_stopped_by_a_second_signal_exits_1(site, tmp_path):
    """The second Ctrl-C stops at once, before the crawl row can be finished: cron must hear
    that the crawl did not finish (it exited 0)."""
    db = tmp_path / "a.db"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "scrapy", "crawl", "blog", "-a", f"url={site.url('/many/')}", "-s", f"ARCHIVE_PATH={db}",
         "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wait_for_sightings(proc, db, 2)
    assert proc.poll() is None, "the crawl ended before the signals"
    proc.send_signal(signal.SIGINT)
    time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, err[-2000:]


def test_scrapy_crawl_of_a_platform_with_no_address_for_a_user_says_so(archive_path):
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "wechat", "-a", "user=someone", "-s", f"ARCHIVE_PATH={archive_path}"],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60, check=False)
    assert result.returncode == 2, result.stderr
    assert "has no address for a user" in result.stderr


def test_scrapy_crawl_without_stats_exits_0_when_it_succeeds(site, archive_path):
    """With stats switched off nothing shows how a crawl ended: that is no failure."""
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "blog", "-a", f"url={site.url('/jianshu/p/7d3c1a9e5b20')}",
         "-a", "depth=0", "-s", f"ARCHIVE_PATH={archive_path}", "-s", "STATS_CLASS=scrapy.statscollectors.DummyStatsCollector"],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert rows(archive_path, "select count(*) from sightings") == [(1,)]
