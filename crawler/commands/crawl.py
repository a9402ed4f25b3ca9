"""``scrapy crawl`` with exit codes cron can act on.

Scrapy's own ``crawl`` exits 0 after most failures (scrapy #1231, #4175). This one
runs the same crawl, then sets the exit code from the archive pipeline's verdict:
0 finished, 1 failed (nothing fetched, archive errors, closed early), 2 a usage error
(an unknown option, a ``-a limit``, ``depth`` or ``since`` that is not a number or a
date), 3 the archive was locked by another crawl: the codes of ``blogarchive crawl``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from crawler.exitcodes import EXIT_FAILED, EXIT_LOCKED
from crawler.spiders.base import check_arguments

if TYPE_CHECKING:
    import argparse


class Command(ScrapyCrawlCommand):
    def short_desc(self) -> str:
        return "Run a spider of the project; exit 1 when the crawl failed, 3 when the archive is locked"

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name")
        spargs = opts.spargs
        try:  # a bad -a limit/depth/since is a usage error (exit 2), found before anything starts
            check_arguments(spargs.get("limit"), spargs.get("depth"), spargs.get("since"))
        except ValueError as exc:
            raise UsageError(f"-a {exc}") from None
        assert self.crawler_process
        try:  # the spider's own checks (nothing to start from, a user its platform has no address for)
            self.crawler_process.spider_loader.load(args[0])(**spargs)
        except KeyError:
            raise UsageError(f"no spider {args[0]!r}") from None
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = EXIT_FAILED
            return
        stats = crawler.stats.get_stats() if crawler.stats else {}
        status = stats.get("blogarchive/crawl_status")
        if status == "locked":
            self.exitcode = EXIT_LOCKED
        elif status is not None and status != "finished":
            self.exitcode = EXIT_FAILED
        elif status is None and stats.get("finish_reason") != "finished" and _archives(crawler):
            self.exitcode = EXIT_FAILED  # stopped before it could finish (a signal while starting, a second one)


def _archives(crawler: Any) -> bool:
    """Whether ``crawler`` writes the archive and keeps stats that would show its end."""
    pipelines = crawler.settings.getdict("ITEM_PIPELINES")
    uses_store = any(str(p).endswith("ArchiveStorePipeline") and v is not None for p, v in pipelines.items())
    return uses_store and type(crawler.stats).__name__ != "DummyStatsCollector"
