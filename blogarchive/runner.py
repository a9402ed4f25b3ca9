"""Run crawls from the command line with the project's settings, and turn their stats
into exit codes cron can act on."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import Any

# the exit codes of ``blogarchive crawl`` and ``blogarchive demo`` (shared with ``scrapy crawl``)
from crawler.exitcodes import EXIT_FAILED, EXIT_LOCKED, EXIT_OK, EXIT_USAGE  # noqa: F401 - re-exported

logger = logging.getLogger(__name__)


@dataclass
class CrawlResult:
    """Stats of one or more crawls run in one process."""

    stats: list[dict[str, Any]] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(s.get("blogarchive/crawl_status") != "finished" for s in self.stats) or not self.stats

    def total(self, key: str) -> int:
        return sum(int(s.get(key, 0) or 0) for s in self.stats)


def project_settings(overrides: dict[str, Any] | None = None):  # noqa: ANN201 - Settings
    """The project's Scrapy settings, found from anywhere (not only beside scrapy.cfg)."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def _stats_of(crawler: Any) -> Any:
    """The crawler's stats collector, or None when its spider never got that far
    (Scrapy raises instead of returning None then)."""
    try:
        return crawler.stats
    except (AttributeError, RuntimeError):
        return None


def _site_of(name: str, kwargs: dict[str, Any]) -> str:
    """How a job is named in logs and the summary: its URL, else spider and user."""
    return kwargs.get("url") or f"{name}:{kwargs.get('user') or kwargs.get('base_url')}"


def _was_shut_down(crawler: Any) -> bool:
    """Whether ``crawler``'s crawl was stopped by Ctrl-C or SIGTERM (Scrapy's ``shutdown``)."""
    stats = _stats_of(crawler)
    return stats is not None and stats.get_value("finish_reason") == "shutdown"


def _stop_reactor() -> None:
    from twisted.internet import reactor
    from twisted.internet.error import ReactorNotRunning

    try:
        reactor.stop()
    except ReactorNotRunning:  # Scrapy stopped it already (Ctrl-C, SIGTERM)
        pass


def run_crawls(jobs: list[tuple[str, dict[str, Any]]], overrides: dict[str, Any] | None = None) -> CrawlResult:
    """Run ``(spider name, spider arguments)`` jobs one after the other in this process."""
    from scrapy.crawler import CrawlerProcess
    from twisted.internet import defer

    settings = project_settings(overrides)
    if settings.get("TWISTED_REACTOR"):
        # Scrapy installs it with the first crawler, unless that crawler's spider fails
        # to start; every later job would then fail for want of a reactor
        from scrapy.utils.reactor import install_reactor

        install_reactor(settings["TWISTED_REACTOR"], settings.get("ASYNCIO_EVENT_LOOP"))
    process = CrawlerProcess(settings)
    result = CrawlResult()
    crawlers = []
    failed: list[dict[str, Any]] = []
    errors: list[Any] = []
    started: set[int] = set()  # positions of the jobs begun (or failed at once)

    @defer.inlineCallbacks
    def run_all():  # noqa: ANN202 - a Deferred
        try:
            for position, (name, kwargs) in enumerate(jobs):
                site = _site_of(name, kwargs)
                if any(_was_shut_down(c) for _, c in crawlers):
                    break  # Ctrl-C or SIGTERM stopped a crawl: the sites after it are not started
                started.add(position)
                try:
                    crawler = process.create_crawler(name)
                except KeyError as exc:  # an unknown spider name: the other sites still run
                    logger.error("%(site)s: %(error)s", {"site": site, "error": exc})
                    failed.append({"blogarchive/site": site, "blogarchive/crawl_status": "failed"})
                    continue
                crawlers.append((site, crawler))
                try:
                    yield process.crawl(crawler, **kwargs)
                except Exception as exc:  # noqa: BLE001 - one broken site must not stop the others
                    logger.error("%(site)s: crawl failed: %(error)s", {"site": site, "error": exc})
                    stats = _stats_of(crawler)
                    if stats is not None:
                        stats.set_value("blogarchive/crawl_status", "failed")
        except Exception as exc:  # noqa: BLE001 - reported after the reactor stops
            errors.append(exc)
        finally:
            process.stop()
            from twisted.internet import reactor

            # also when every job failed before the reactor started: it would run forever
            reactor.callLater(0, _stop_reactor)

    run_all()
    process.start(stop_after_crawl=False)
    for site, crawler in crawlers:
        stats_collector = _stats_of(crawler)
        stats = dict(stats_collector.get_stats()) if stats_collector is not None else {}
        stats.setdefault("blogarchive/crawl_status", "failed")  # a crawl that never started
        stats["blogarchive/site"] = site
        result.stats.append(stats)
    result.stats.extend(failed)
    # a signal stopped the run (a crawl in progress, or the reactor itself while a site was
    # starting): the sites never begun are reported, not left out
    skipped = [_site_of(name, kwargs) for position, (name, kwargs) in enumerate(jobs) if position not in started]
    if skipped:
        logger.warning("Stopped by a signal: %(n)d site(s) not crawled", {"n": len(skipped)})
    result.stats.extend({"blogarchive/site": site, "blogarchive/crawl_status": "skipped"} for site in skipped)
    if errors:
        raise errors[0]
    return result
