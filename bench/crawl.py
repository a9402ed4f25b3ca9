"""Crawl benchmark: the fetch ceiling, the pipeline on the reactor thread, the pipeline as shipped.

Starts a generated blog site (:mod:`bench.sitegen`) on 127.0.0.1 in its own process,
then crawls it three ways, each in a fresh process and into a fresh archive:

- ``ceiling``: Scrapy and the ``blog`` spider with no item pipelines (what fetching costs);
- ``inline``: the full pipeline with all work on the reactor thread
  (``WORKERS_MODE=inline``, ``ARCHIVE_BATCH_SIZE=1``, ``ARCHIVE_WRITER=reactor``: the
  behaviour before the worker pool);
- ``full``: the full pipeline with the project's settings (worker pool, batched writer).

It prints pages/s, CPU seconds per page by stage, peak memory, and as its last line
``ceiling_pps A inline_pps B full_pps C full/ceiling R1 full/inline R2``.

``--memory-check`` instead crawls a 2,000-page and a 20,000-page site with the shipped
pipeline and compares the crawl process's peak memory.

Example::

    python -m bench.crawl                   # 5,000 pages
    python -m bench.crawl --pages 500 --modes full
    python -m bench.crawl --memory-check
    python -m bench.crawl --modes full --set WORKERS_PROCESSES=2   # any Scrapy setting
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MODES = ("ceiling", "inline", "full")

#: Settings every benchmark crawl shares: no politeness delays against our own server.
BENCH_SETTINGS: dict[str, Any] = {
    "ROBOTSTXT_OBEY": False,
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS": 64,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 64,
    "LOG_LEVEL": "WARNING",
    "TELNETCONSOLE_ENABLED": False,
    "HTTPCACHE_ENABLED": False,
}

MODE_SETTINGS: dict[str, dict[str, Any]] = {
    "ceiling": {"ITEM_PIPELINES": {}},
    "inline": {"WORKERS_MODE": "inline", "ARCHIVE_BATCH_SIZE": 1, "ARCHIVE_WRITER": "reactor"},
    "full": {},
}


# -- the site ------------------------------------------------------------------------------
class Site:
    """``python -m bench.sitegen`` in its own process."""

    def __init__(self, pages: int, seed: int) -> None:
        self.pages = pages
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.sitegen", "--pages", str(pages), "--seed", str(seed)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            cwd=ROOT,
            text=True,
        )
        assert self.proc.stdout is not None
        self.url = self.proc.stdout.readline().strip()
        self.summary = self.proc.stdout.readline().strip()
        if not self.url.startswith("http://"):
            raise RuntimeError("bench site did not start")

    def cpu_seconds(self) -> float:
        """CPU time the server process has used so far."""
        with open(f"/proc/{self.proc.pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


# -- one crawl, in a child process ------------------------------------------------------------------
def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _process_cpu(pid: int) -> float:
    """CPU seconds used so far by process ``pid`` (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _peak_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_crawl(mode: str, url: str, archive: str, pages: int, extra: dict[str, Any]) -> dict[str, Any]:
    """Crawl ``url`` in this process with the settings of ``mode``; return measurements."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    from bench.sitegen import listing_pages
    from pipelines.archive_store import ArchiveStorePipeline
    from pipelines.main_body import MainBodyPipeline

    settings = get_project_settings()
    for key, value in {**BENCH_SETTINGS, "ARCHIVE_PATH": archive, **MODE_SETTINGS[mode], **extra}.items():
        settings.set(key, value, priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler("blog")
    marks: dict[str, float] = {}
    worker_peaks: list[int] = []
    writer: dict[str, float] = {}

    def opened() -> None:
        marks["start"], marks["cpu_start"] = time.perf_counter(), _cpu()

    def closed() -> None:
        marks["end"], marks["cpu_end"] = time.perf_counter(), _cpu()
        scraper = crawler.engine.scraper if crawler.engine else None
        for component in getattr(getattr(scraper, "itemproc", None), "middlewares", ()):
            if isinstance(component, MainBodyPipeline) and component.pool is not None:
                worker_peaks.extend(_peak_kb(pid) for pid in component.pool.pids())
            if isinstance(component, ArchiveStorePipeline) and component.writer is not None:
                for pid in component.writer.pids():  # a writer process (ARCHIVE_WRITER=process)
                    writer["cpu"] = writer.get("cpu", 0.0) + _process_cpu(pid)
                    writer["peak_kb"] = max(writer.get("peak_kb", 0), _peak_kb(pid))

    # connected before the pipelines connect theirs, so this runs before the pool stops
    crawler.signals.connect(opened, signal=signals.spider_opened)
    crawler.signals.connect(closed, signal=signals.spider_closed)
    process.crawl(crawler, url=url + "/index.html", depth=str(listing_pages(pages) + 1))
    process.start()
    stats = crawler.stats.get_stats()
    archived = stats.get("blogarchive/archive/pages") if mode != "ceiling" else stats.get("item_scraped_count")
    pages = int(archived or 0)
    seconds = marks["end"] - marks["start"]
    return {
        "mode": mode,
        "pages": pages,
        "seconds": seconds,
        "pps": pages / seconds if seconds else 0.0,
        "main_cpu": marks["cpu_end"] - marks["cpu_start"],
        "extract_cpu": float(stats.get("blogarchive/extract/cpu_seconds", 0.0)),
        "dedup_cpu": float(stats.get("blogarchive/dedup/cpu_seconds", 0.0)),
        "store_cpu": float(stats.get("blogarchive/archive/cpu_seconds", 0.0)),
        "batches": stats.get("blogarchive/archive/batches"),
        "failures": stats.get("blogarchive/archive/failures", 0),
        "fetch_failed": stats.get("blogarchive/fetch/failed", 0),
        "finish_reason": stats.get("finish_reason"),
        "depth_max": stats.get("request_depth_max"),
        "responses": stats.get("downloader/response_count", 0),
        "texts_added": stats.get("blogarchive/archive/texts_added", 0),
        "merged": stats.get("blogarchive/archive/sightings_merged", 0),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "worker_peak_rss_mb": max(worker_peaks, default=0) / 1024,
        # a writer process's whole CPU time (recording plus receiving pages), when there is one
        "writer_process_cpu": writer.get("cpu"),
        "writer_peak_rss_mb": writer.get("peak_kb", 0) / 1024,
        "workers": len(worker_peaks),
    }


def machine_busy() -> float:
    """CPU seconds all processes on this machine have used (from /proc/stat)."""
    with open("/proc/stat") as handle:
        fields = [int(v) for v in handle.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def crawl_in_child(mode: str, site: Site, workdir: Path, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run :func:`run_crawl` in a fresh interpreter (a reactor cannot be restarted)."""
    archive = workdir / f"{mode}-{time.monotonic_ns()}.db"
    out = workdir / f"{mode}.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server_cpu, busy = site.cpu_seconds(), machine_busy()
    command = [
        sys.executable,
        "-m",
        "bench.crawl",
        "--child",
        mode,
        "--url",
        site.url,
        "--pages",
        str(site.pages),
        "--archive",
        str(archive),
        "--out",
        str(out),
        "--extra",
        json.dumps(extra or {}),
    ]
    started = time.perf_counter()
    subprocess.run(command, check=True, env=env, cwd=ROOT)
    result = json.loads(out.read_text())
    result["server_cpu"] = site.cpu_seconds() - server_cpu
    result["machine_cpu"] = machine_busy() - busy
    result["wall"] = time.perf_counter() - started
    result["expected"] = site.pages
    return result


# -- reporting ---------------------------------------------------------------------------------------
def machine() -> str:
    versions = ", ".join(
        f"{name} {metadata.version(name)}"
        for name in ("scrapy", "twisted", "lxml", "datasketch", "numpy", "xxhash", "sqlite-utils", "opencc")
    )
    import sqlite3

    return (
        f"{os.cpu_count()} cores ({len(os.sched_getaffinity(0))} usable), {platform.machine()}, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}; {versions}"
    )


def stage_cpu(result: dict[str, Any]) -> dict[str, float]:
    """CPU milliseconds per page by stage. ``fetch`` is the crawl process's own CPU
    (Scrapy, the spider, pipeline glue) minus what the stages did in it."""
    pages = max(1, result["pages"])
    writer_process = result.get("writer_process_cpu")
    in_main = (result["store_cpu"] if writer_process is None else 0.0) + (
        result["extract_cpu"] + result["dedup_cpu"] if result["mode"] == "inline" else 0.0
    )
    return {
        "fetch": 1000 * (result["main_cpu"] - in_main) / pages,
        "extract": 1000 * result["extract_cpu"] / pages,
        "dedup": 1000 * result["dedup_cpu"] / pages,
        "store": 1000 * (result["store_cpu"] if writer_process is None else writer_process) / pages,
        "server": 1000 * result["server_cpu"] / pages,
    }


def others_load(result: dict[str, Any]) -> float:
    """Average cores used by processes other than the crawl and the site server during the
    whole child run (this machine is shared; a busy neighbour slows every mode)."""
    ours = result["main_cpu"] + result["server_cpu"] + (result.get("writer_process_cpu") or 0.0)
    if result["mode"] == "full":
        ours += result["extract_cpu"] + result["dedup_cpu"]
    return max(0.0, (result["machine_cpu"] - ours) / max(1e-9, result["wall"]))


def print_table(results: list[dict[str, Any]]) -> None:
    header = (
        f"{'mode':8} {'pages':>6} {'secs':>7} {'pages/s':>8} | CPU ms/page: {'fetch':>6} {'extract':>7} "
        f"{'dedup':>6} {'store':>6} {'(server)':>8} | {'peak MB':>7} {'worker MB':>9} {'batches':>7} | "
        f"{'others':>6}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        cpu = stage_cpu(r)
        print(
            f"{r['mode']:8} {r['pages']:>6} {r['seconds']:>7.1f} {r['pps']:>8.1f} | {'':12} {cpu['fetch']:>6.2f} "
            f"{cpu['extract']:>7.2f} {cpu['dedup']:>6.2f} {cpu['store']:>6.2f} {cpu['server']:>8.2f} | "
            f"{r['peak_rss_mb']:>7.0f} {r['worker_peak_rss_mb']:>9.0f} {r['batches'] or '-':>7} | "
            f"{others_load(r):>6.2f}"
        )
    for r in results:
        if r.get("writer_process_cpu") is not None:
            print(f"{r['mode']}: the writer was a process (peak {r['writer_peak_rss_mb']:.0f} MB)")
    for r in results:
        if r["pages"] != r["expected"]:
            print(
                f"!! {r['mode']}: archived {r['pages']} of {r['expected']} pages (failures {r['failures']}, "
                f"fetch failures {r['fetch_failed']}, deepest request {r['depth_max']}, {r['finish_reason']})"
            )
    print(
        "CPU ms/page is CPU time per archived page: fetch = the crawl process (Scrapy, spider, glue) "
        "minus the stages it ran itself; extract/dedup ran in workers in 'full' mode; store = recording "
        "(the whole writer process, receiving pages included, when there is one); others = cores "
        "used by unrelated processes on the machine during the crawl (process-wide, includes startup)."
    )


def _setting(item: str) -> tuple[str, Any]:
    name, _, raw = item.partition("=")
    try:
        return name, json.loads(raw)
    except json.JSONDecodeError:
        return name, raw


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=5000, help="article pages on the generated site")
    parser.add_argument("--seed", type=int, default=7, help="seed of the generated site")
    parser.add_argument("--modes", default=",".join(MODES), help="comma-separated subset of ceiling,inline,full")
    parser.add_argument("--memory-check", action="store_true", help="peak memory of 2,000 vs 20,000 pages")
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE",
        help="a Scrapy setting for every crawl (JSON value, else a string), e.g. --set WORKERS_PROCESSES=2",
    )
    parser.add_argument("--child", choices=MODES, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--archive", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--extra", default="{}", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        result = run_crawl(args.child, args.url, args.archive, args.pages, json.loads(args.extra))
        Path(args.out).write_text(json.dumps(result))
        return

    extra = dict(_setting(item) for item in args.set)
    print(f"machine: {machine()}" + (f"; settings {extra}" if extra else ""), flush=True)
    with tempfile.TemporaryDirectory(prefix="blogarchive-bench-") as tmp:
        workdir = Path(tmp)
        if args.memory_check:
            peaks, writer_peaks = [], []
            for pages in (2000, 20000):
                site = Site(pages, args.seed)
                print(f"site: {site.summary}", flush=True)
                try:
                    result = crawl_in_child("full", site, workdir, extra)
                finally:
                    site.stop()
                print_table([result])
                peaks.append(result["peak_rss_mb"])
                writer_peaks.append(result.get("writer_peak_rss_mb") or 0.0)
            if all(writer_peaks):
                print(f"writer process: peak_mb_2000 {writer_peaks[0]:.0f} peak_mb_20000 {writer_peaks[1]:.0f} "
                      f"ratio {writer_peaks[1] / writer_peaks[0]:.2f}")
            print(f"peak_mb_2000 {peaks[0]:.0f} peak_mb_20000 {peaks[1]:.0f} ratio {peaks[1] / peaks[0]:.2f}")
            return
        site = Site(args.pages, args.seed)
        print(f"site: {site.summary} at {site.url}", flush=True)
        results = []
        try:
            for mode in args.modes.split(","):
                results.append(crawl_in_child(mode, site, workdir, {**extra, **MODE_SETTINGS[mode]}))
                print(f"{mode}: {results[-1]['pps']:.1f} pages/s", flush=True)
        finally:
            site.stop()
        print_table(results)
        cores = len(os.sched_getaffinity(0))
        for r in results:
            cpu = stage_cpu(r)
            total = sum(cpu.values())
            # the crawl process is one thread in ceiling and inline modes; in full mode the
            # workers, the writer, the crawl process and the server share every core
            bound = cores * 1000 / total if r["mode"] == "full" else 1000 / (total - cpu["server"])
            print(f"{r['mode']}: {total:.1f} CPU ms per page in all processes; CPU bound ~{bound:.0f} pages/s")
        pps = {r["mode"]: r["pps"] for r in results}
        if all(m in pps for m in MODES):
            a, b, c = pps["ceiling"], pps["inline"], pps["full"]
            print(
                f"ceiling_pps {a:.1f} inline_pps {b:.1f} full_pps {c:.1f} full/ceiling {c / a:.2f} full/inline {c / b:.2f}"
            )


if __name__ == "__main__":
    main()
