"""The ``blogarchive`` command."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

import click
from click.core import ParameterSource

from blogarchive import __version__
from blogarchive.cli_browse import browse
from blogarchive.options import DB_OPTION, progress_bar
from blogarchive.runner import EXIT_FAILED, EXIT_LOCKED, CrawlResult, run_crawls


@click.group()
@click.version_option(__version__, prog_name="blogarchive")
def cli() -> None:
    """Crawl blogging platforms and keep a deduplicating archive of what they publish.

    A reposted text is stored once; every place it was seen is kept as a sighting
    with its provenance. Browse the archive with 'blogarchive browse' (Datasette).
    """


def _print_summary(db_path: Path, result: CrawlResult | None) -> None:
    from archive import Archive

    with Archive(db_path) as archive:
        stats = archive.stats()
    if result is not None:
        click.echo(f"pages fetched:                {result.total('response_received_count')}")
        click.echo(f"articles archived:            {result.total('blogarchive/archive/pages')}")
        click.echo(f"new texts kept:               {result.total('blogarchive/archive/texts_added')}")
        click.echo(f"sightings merged into texts:  {result.total('blogarchive/archive/sightings_merged')}")
        click.echo(f"unchanged since last crawl:   {result.total('blogarchive/archive/unchanged')}")
        click.echo(f"recommendations separated:    {result.total('blogarchive/archive/recommendations')}")
        click.echo(f"failures recorded:            {result.total('blogarchive/archive/failures')}")
        click.echo(f"not modified (304):           {result.total('blogarchive/archive/not_modified')}")
        click.echo(f"articles not due for revisit: {result.total('blogarchive/revisit/not_due')}")
        click.echo(f"blocked (challenge, captcha): {result.total('blogarchive/blocked/total')}")
        if len(result.stats) > 1:
            for crawl_stats in result.stats:
                click.echo(f"  {crawl_stats.get('blogarchive/site', '?')}: "
                           f"{crawl_stats.get('blogarchive/crawl_status', 'failed')}, "
                           f"{crawl_stats.get('blogarchive/archive/pages', 0)} articles, "
                           f"{crawl_stats.get('blogarchive/archive/texts_added', 0)} new texts, "
                           f"{crawl_stats.get('blogarchive/fetch/not_modified', 0)} not modified, "
                           f"{crawl_stats.get('blogarchive/archive/failures', 0)} failures")
    click.echo(
        f"archive {db_path}: {stats.texts} texts, {stats.sightings} sightings "
        f"({', '.join(f'{k} {v}' for k, v in stats.sightings_by_relation.items()) or 'none'}), "
        f"{stats.recommendations} recommendations, {stats.failures} failures"
    )


def _checked_since(value: str | None) -> str | None:
    """``--since`` as given, once it parses as a date (the spider's own check)."""
    from crawler.spiders.base import check_arguments

    if value:
        try:
            check_arguments(since=value)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from exc
    return value


def _crawl(jobs: list[tuple[str, dict]], db_path: Path, overrides: dict | None = None) -> CrawlResult:
    from archive import ArchiveLock, ArchiveLocked

    settings = {"ARCHIVE_PATH": str(db_path), **(overrides or {})}
    try:
        with ArchiveLock(db_path):
            return run_crawls(jobs, settings)
    except ArchiveLocked as exc:
        click.echo(f"blogarchive: {exc}", err=True)
        sys.exit(EXIT_LOCKED)
    except OSError as exc:  # the archive's directory is missing or not writable
        click.echo(f"blogarchive: cannot write the archive {db_path}: {exc}", err=True)
        sys.exit(EXIT_FAILED)


#: The demo site's host name; it resolves nowhere, the demo server proxies it.
DEMO_HOST = "demo.blogarchive.localhost"


@cli.command()
@DB_OPTION
@click.option("--port", type=click.IntRange(0, 65535), default=0, help="Port for the demo site (default: a free one).")
def demo(db_path: Path, port: int) -> None:
    """Crawl the bundled offline demo site into an archive and print a summary.

    Starts a real HTTP server on 127.0.0.1 serving pages written in the styles of
    jianshu, CSDN, cnblogs, WeChat, Medium and WordPress (one Chinese essay reposted
    four times, an English post reposted once, a GBK page, unrelated articles), then
    crawls it with the real spiders and pipelines. Running it twice leaves the same
    archive.

    Exit codes: 0 success, 1 the crawl failed or --port is taken, 3 another crawl
    holds the archive.

    \b
    Example:
        blogarchive demo --db archive.db
        datasette archive.db
    """
    import os

    from blogarchive.siteserver import SiteServer, demo_site_root

    try:
        server = SiteServer(demo_site_root(), port=port, virtual_host=DEMO_HOST)
    except OSError as exc:
        click.echo(f"blogarchive: cannot serve the demo site on port {port}: {exc.strerror or exc}", err=True)
        sys.exit(EXIT_FAILED)
    with server:
        click.echo(f"demo site {server.base_url}/ served by {server.address}", err=True)
        # The server answers as a proxy for DEMO_HOST: stable URLs whatever the port.
        os.environ["http_proxy"] = server.address
        os.environ.pop("no_proxy", None)
        os.environ.pop("NO_PROXY", None)
        result = _crawl(
            [("blog", {"url": server.url("/"), "depth": "3"})],
            db_path,
            {"AUTOTHROTTLE_ENABLED": False, "LOG_LEVEL": "WARNING"},
        )
    _print_summary(db_path, result)
    click.echo(f"browse it with: datasette {db_path}")
    if result.failed:
        sys.exit(EXIT_FAILED)


@cli.command()
@click.argument("urls", nargs=-1)
@DB_OPTION
@click.option("--config", "config", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A sites.toml: crawl every enabled site in it, one after the other, in this process.")
@click.option("--spider", default="blog", show_default=True,
              help="Spider for the URLs (a platform name or 'blog').")
@click.option("--limit", type=click.IntRange(min=0), default=0,
              help="Stop after this many articles per URL (0: no limit).")
@click.option("--depth", type=click.IntRange(min=0), default=2, show_default=True,
              help="How many links deep to follow from each URL.")
@click.option("--since", callback=lambda _ctx, _param, value: _checked_since(value),
              help="Skip listed articles published before this date (YYYY-MM-DD).")
@click.option("--log-file", type=click.Path(dir_okay=False, path_type=Path),
              help="Log to this file instead of stderr, rotated at 10 MB with 5 old files kept.")
@click.option("-s", "--set", "sets", multiple=True, metavar="NAME=VALUE", help="Override a Scrapy setting.")
def crawl(urls: tuple[str, ...], db_path: Path, config: Path | None, spider: str, limit: int, depth: int,
          since: str | None, log_file: Path | None, sets: tuple[str, ...]) -> None:
    """Crawl article or blog URLs, or every site of a sites.toml, and archive what is found.

    Archived articles are fetched again only after their revisit interval, then with a
    conditional request; listings stop at articles already archived. One crawl at a
    time per archive.

    --spider, --limit, --depth and --since apply to the URLs given here; the sites of
    --config take theirs from the file ([defaults] and each [[site]]).

    Exit codes: 0 success, 1 a crawl failed (e.g. nothing could be fetched or the
    archive could not be written), 2 bad usage, 3 another crawl holds the archive.

    \b
    Example:
        blogarchive crawl https://example.wordpress.com/ --db archive.db --limit 50
        blogarchive crawl --config sites.toml --db archive.db --log-file crawl.log
    """
    from blogarchive.cli_crawl import ConfigError, load_sites, log_to_file, spider_names

    if not urls and config is None:
        raise click.UsageError("give URLs to crawl or --config sites.toml")
    if not urls:
        given = [f"--{name}" for name in ("spider", "limit", "depth", "since")
                 if click.get_current_context().get_parameter_source(name) == ParameterSource.COMMANDLINE]
        if given:
            verb = "applies" if len(given) == 1 else "apply"
            raise click.UsageError(f"{', '.join(given)} {verb} to URLs given on the command line; for the sites "
                                   "of --config set them in its [defaults] or per [[site]]")
    if urls and spider not in spider_names():
        raise click.BadParameter(f"no spider {spider!r} (one of: {', '.join(spider_names())})", param_hint="--spider")
    overrides: dict = {}
    jobs = [(spider, {"url": url, "limit": str(limit), "depth": str(depth), **({"since": since} if since else {})})
            for url in urls]
    if config is not None:
        try:
            site_jobs, config_settings = load_sites(config)
        except ConfigError as exc:
            raise click.BadParameter(str(exc), param_hint="--config") from exc
        overrides.update(config_settings)
        jobs += [(job.spider, job.args) for job in site_jobs]
    for item in sets:
        name, _, value = item.partition("=")
        if not name or not _:
            raise click.BadParameter(f"expected NAME=VALUE, got {item!r}", param_hint="--set")
        overrides[name] = value
    if log_file is not None:
        if not log_file.parent.is_dir():
            raise click.BadParameter(f"directory {log_file.parent} does not exist", param_hint="--log-file")
        log_to_file(log_file, level=str(overrides.get("LOG_LEVEL", "INFO")))
        overrides["LOG_ENABLED"] = False
    result = _crawl(jobs, db_path, overrides)
    _print_summary(db_path, result)
    if result.failed:
        sys.exit(EXIT_FAILED)


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--url", help="The page's original URL (resolves links, picks the platform).")
@click.option("--platform", help="Force a platform description (e.g. jianshu, csdn, wordpress).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
def extract(file: Path, url: str | None, platform: str | None, as_json: bool) -> None:
    """Extract one saved page: title, author, dates, body and recommendations.

    \b
    Example:
        blogarchive extract saved.html --url https://www.jianshu.com/p/abc --json
    """
    from crawler.encoding import decode_html
    from crawler.platforms import PLATFORMS
    from pipelines.extract import NoBodyFound, extract_article

    if platform is not None and platform not in PLATFORMS:
        raise click.BadParameter(f"no platform {platform!r} (one of: {', '.join(sorted(PLATFORMS))})",
                                 param_hint="--platform")
    html, _ = decode_html(file.read_bytes())
    try:
        result = extract_article(html, url=url, platform=platform)
    except NoBodyFound as exc:
        click.echo(f"blogarchive: {file}: {exc}", err=True)
        sys.exit(EXIT_FAILED)
    if as_json:
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=1))
        return
    click.echo(f"title:     {result.title or ''}")
    click.echo(f"author:    {result.author or ''}")
    click.echo(f"published: {result.published or ''}")
    click.echo(f"platform:  {result.platform or 'generic'}")
    if result.declared_original:
        click.echo(f"original:  {result.declared_original}")
    click.echo("")
    click.echo(result.body)
    if result.recommendations:
        click.echo("\nrecommendations:")
        for rec in result.recommendations:
            click.echo(f"  [{rec.block or ''}] {rec.title}  {rec.url or ''}")


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@DB_OPTION
def ingest(file: Path, db_path: Path) -> None:
    """Import documents that were not crawled, through the same dedup and archive path.

    FILE is JSON Lines: each line an object with "url" and either "text" or "html",
    optionally "title", "author", "published", "platform". Malformed lines are
    reported with their line number and skipped; the rest still land.

    Exit codes: 0 success, 1 a line was skipped or the archive could not be written,
    3 a crawl holds the archive.

    \b
    Example:
        blogarchive ingest posts.jsonl --db archive.db
    """
    from archive import ArchiveLocked, FingerprintMismatch
    from blogarchive.ingest import ingest_jsonl

    if not db_path.parent.is_dir():
        raise click.BadParameter(f"directory {db_path.parent} does not exist", param_hint="--db")
    try:
        with progress_bar(f"Importing {file.name}") as progress:
            report = ingest_jsonl(file, db_path, progress=progress)
    except ArchiveLocked as exc:
        click.echo(f"blogarchive: {exc}", err=True)
        sys.exit(EXIT_LOCKED)
    except FingerprintMismatch as exc:
        click.echo(f"blogarchive: {exc}", err=True)
        sys.exit(EXIT_FAILED)
    for line_number, reason in report.errors:
        click.echo(f"{file}:{line_number}: skipped: {reason}", err=True)
    click.echo(
        f"{report.read} lines read: {report.new_texts} new texts, {report.merged} merged into "
        f"existing texts, {report.unchanged} unchanged, {len(report.errors)} skipped"
    )
    _print_summary(db_path, None)
    if report.errors:
        sys.exit(EXIT_FAILED)


@cli.command()
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def stats(db_path: Path, as_json: bool) -> None:
    """Counts of texts, sightings by relation, sites, recommendations, crawls, failures.

    \b
    Example:
        blogarchive stats --db archive.db
    """
    from archive import Archive

    if not db_path.exists():
        raise click.BadParameter(f"{db_path} does not exist", param_hint="--db")
    with Archive(db_path) as archive:
        counts = archive.stats()
    if as_json:
        click.echo(json.dumps(asdict(counts), ensure_ascii=False))
        return
    click.echo(f"texts:            {counts.texts}")
    click.echo(f"sightings:        {counts.sightings}")
    for relation, n in counts.sightings_by_relation.items():
        click.echo(f"  {relation + ':':<15} {n}")
    click.echo(f"sites:            {counts.sites}")
    click.echo(f"recommendations:  {counts.recommendations}")
    click.echo(f"crawls:           {counts.crawls}")
    click.echo(f"failures:         {counts.failures}")


from blogarchive import cli_dedup  # noqa: E402

cli.add_command(cli_dedup.dedup)
cli.add_command(cli_dedup.text)
cli.add_command(browse)


def main() -> None:
    """The ``blogarchive`` command: a file that is not an archive (or is damaged) is
    reported in one line, not a traceback."""
    import sqlite3

    try:
        cli()
    except sqlite3.DatabaseError as exc:
        if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
            click.echo(f"blogarchive: the archive is busy: {exc} (another process is writing it; try again)", err=True)
        elif "readonly" in str(exc) or "read-only" in str(exc):
            click.echo(f"blogarchive: cannot write the archive: {exc} (check the file's and its directory's "
                       "permissions)", err=True)
        elif isinstance(exc, sqlite3.OperationalError) and "disk" in str(exc):
            click.echo(f"blogarchive: cannot write the archive: {exc}", err=True)
        else:
            click.echo(f"blogarchive: cannot read the archive: {exc} (is --db a blogarchive archive?)", err=True)
        sys.exit(EXIT_FAILED)
