"""``blogarchive dedup`` and ``blogarchive text``: near-duplicate chores on an archive."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from blogarchive.options import DB_OPTION, progress_bar


def _open(db_path: Path):  # noqa: ANN202 - the Archive import stays lazy
    from archive import Archive

    if not db_path.exists():
        raise click.BadParameter(f"{db_path} does not exist", param_hint="--db")
    return Archive(db_path)


@click.command()
@DB_OPTION
@click.option("--rebuild", is_flag=True, required=True, help="Re-cluster every stored copy.")
@click.option("--threshold", type=click.FloatRange(0.05, 0.95), default=None,
              help="LSH candidate threshold (Jaccard) to rebuild the band index with.")
def dedup(db_path: Path, rebuild: bool, threshold: float | None) -> None:
    """Re-cluster the whole archive from stored data, without fetching anything.

    Every copy is reconstructed from its text's body and diff, fingerprinted again
    and matched again, earliest published first. Use it after changing dedup
    parameters (the archive refuses signatures made with other ones).

    Exit codes: 0 success, 1 the archive could not be read or written, 3 a crawl
    holds the archive.

    \b
    Example:
        blogarchive dedup --rebuild --db archive.db --threshold 0.3
    """
    from dataclasses import replace

    from archive import ArchiveLock, ArchiveLocked
    from blogarchive.runner import EXIT_LOCKED
    from pipelines.dedup import DedupParams
    from pipelines.recording import rebuild as rebuild_archive

    params = DedupParams() if threshold is None else replace(DedupParams(), threshold=threshold)
    if not db_path.exists():  # before the lock, which would leave its file beside nothing
        raise click.BadParameter(f"{db_path} does not exist", param_hint="--db")
    try:
        with ArchiveLock(db_path), _open(db_path) as archive:
            with progress_bar("Re-clustering") as progress:
                report = rebuild_archive(archive, params, progress)
            stats = archive.stats()
    except ArchiveLocked as exc:
        click.echo(f"blogarchive: {exc}", err=True)
        sys.exit(EXIT_LOCKED)
    click.echo(
        f"{report.sightings} sightings re-clustered: {report.texts_before} texts before, "
        f"{report.texts_after} after "
        f"({', '.join(f'{k} {v}' for k, v in stats.sightings_by_relation.items()) or 'none'})"
    )


@click.command()
@click.argument("text_id", type=click.IntRange(min=1, max=2**63 - 1))
@DB_OPTION
@click.option("--copies", is_flag=True, help="Also print each copy's full text.")
def text(text_id: int, db_path: Path, copies: bool) -> None:
    """Print one text with all its sightings (original first).

    \b
    Example:
        blogarchive text 42 --db archive.db
    """
    from pipelines.recording import copy_text

    with _open(db_path) as archive:
        row = archive.text(text_id)
        if row is None:
            click.echo(f"blogarchive: no text {text_id}", err=True)
            sys.exit(1)
        sightings = archive.sightings_of(text_id)
    click.echo(f"text {row['id']}: {row['title'] or '(untitled)'}")
    click.echo(f"{row['chars']} chars, {row['lang'] or 'lang ?'}, {len(sightings)} sightings, "
               f"first seen {row['first_seen']}, last seen {row['last_seen']}")
    click.echo("")
    click.echo(row["body"])
    click.echo("")
    click.echo("sightings:")
    for s in sightings:
        score = "" if s["relation"] == "original" else (
            f" similarity {s['similarity']:.2f}" + (
                f" containment {s['containment']:.2f}" if s["relation"] == "excerpt" else ""))
        marker = "*" if s["id"] == row["canonical_sighting_id"] else " "
        differs = " (differs)" if s["body_diff"] else ""
        click.echo(f" {marker} [{s['relation']}{score}] {s['url']}  published {s['published'] or '?'}  "
                   f"fetched {s['fetched_at']}{differs}")
        if s["declared_original"]:
            click.echo(f"     declares original: {s['declared_original']}")
        if copies and s["body_diff"]:
            click.echo("")
            click.echo(copy_text(row["body"], s))
            click.echo("")
