"""Options shared by the ``blogarchive`` commands."""

from __future__ import annotations

from pathlib import Path

import click

DB_OPTION = click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("archive.db"),
    show_default=True,
    help="The SQLite archive file (created by crawls and imports when missing).",
)
