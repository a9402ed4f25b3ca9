"""The ``blogarchive browse`` command: Datasette on the archive, plugin included."""

from __future__ import annotations

from pathlib import Path

import click

from blogarchive.options import DB_OPTION


def ensure_plugin_registered() -> None:
    """Register the Datasette plugin when the package's entry point is not installed
    (running from a source tree)."""
    from datasette.plugins import pm

    import archive.datasette as plugin

    if not pm.is_registered(plugin) and pm.get_plugin("blogarchive") is None:
        pm.register(plugin, name="blogarchive")


@click.command()
@DB_OPTION
@click.option("--port", type=int, default=8001, show_default=True, help="Port to listen on (0: a free one).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--open", "open_browser", is_flag=True, help="Open the archive in a web browser.")
def browse(db_path: Path, port: int, host: str, open_browser: bool) -> None:
    """Browse the archive with Datasette: texts, sightings, search, canned queries.

    The archive is opened read-write (not immutable) so a crawl running from cron
    can keep adding to it; new texts are searchable as soon as they are committed.
    Brings an older archive's schema up to date first (e.g. adds the search index).

    \b
    Example:
        blogarchive browse --db archive.db --port 8001
    """
    from datasette.cli import cli as datasette_cli

    from archive import Archive

    if not db_path.exists():
        raise click.BadParameter(f"{db_path} does not exist", param_hint="--db")
    with Archive(db_path):
        pass  # applies pending migrations
    ensure_plugin_registered()
    args = ["serve", str(db_path), "--host", host, "--port", str(port)]
    if open_browser:
        args.append("--open")
    datasette_cli.main(args=args, prog_name="blogarchive browse")
