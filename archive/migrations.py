"""Schema of the archive, as sqlite-utils migrations applied on open.

Table and column names of ``texts``, ``sightings``, ``recommendations``, ``crawls``
and ``failures`` are a public contract (Datasette queries, user scripts): add
columns in new migration steps, never rename.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlite_utils.migrations import Migrations

if TYPE_CHECKING:
    from sqlite_utils import Database

migrations = Migrations("blogarchive")


def migrate(db: Database) -> None:
    """Apply pending migrations, one process at a time.

    They run in one transaction that takes SQLite's write lock before it reads what is
    pending, so a second process that opens the file meanwhile waits (up to its busy
    timeout) and then finds nothing left to do, instead of running a migration the
    first one just committed (``m007`` takes about 12 s per 100,000 texts). All pending
    migrations commit together or not at all.
    """
    if not migrations.pending(db):
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        migrations.apply(db)  # each migration nests as a savepoint
    except BaseException:
        db.conn.rollback()
        raise
    db.execute("COMMIT")


@migrations()
def m001_initial(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE archive_meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        )"""
    )
    db.execute(
        """
        CREATE TABLE crawls (
            id INTEGER PRIMARY KEY,
            spider TEXT NOT NULL,
            args TEXT,
            started TEXT NOT NULL,
            finished TEXT,
            status TEXT NOT NULL DEFAULT 'running',
            stats TEXT
        )"""
    )
    db.execute(
        """
        CREATE TABLE texts (
            id INTEGER PRIMARY KEY,
            title TEXT,
            body TEXT NOT NULL,
            body_html TEXT,
            lang TEXT,
            chars INTEGER NOT NULL,
            canonical_sighting_id INTEGER,
            sighting_count INTEGER NOT NULL DEFAULT 0,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            signature BLOB
        )"""
    )
    db.execute("CREATE INDEX idx_texts_content_hash ON texts(content_hash)")
    db.execute(
        """
        CREATE TABLE text_bands (
            band_key INTEGER NOT NULL,
            text_id INTEGER NOT NULL REFERENCES texts(id)
        )"""
    )
    db.execute("CREATE INDEX idx_text_bands_key ON text_bands(band_key)")
    db.execute("CREATE INDEX idx_text_bands_text ON text_bands(text_id)")
    db.execute(
        """
        CREATE TABLE sightings (
            id INTEGER PRIMARY KEY,
            text_id INTEGER NOT NULL REFERENCES texts(id),
            url TEXT NOT NULL UNIQUE,
            final_url TEXT,
            site TEXT,
            platform TEXT,
            author TEXT,
            title TEXT,
            published TEXT,
            fetched_at TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            http_status INTEGER,
            relation TEXT NOT NULL CHECK (relation IN ('original', 'exact', 'near', 'excerpt')),
            similarity REAL,
            containment REAL,
            crawl_id INTEGER REFERENCES crawls(id),
            content_hash TEXT NOT NULL,
            declared_original TEXT,
            etag TEXT,
            last_modified TEXT,
            lang TEXT,
            chars INTEGER,
            body_diff TEXT
        )"""
    )
    db.execute("CREATE INDEX idx_sightings_text ON sightings(text_id)")
    db.execute("CREATE INDEX idx_sightings_final_url ON sightings(final_url)")
    db.execute("CREATE INDEX idx_sightings_site ON sightings(site)")
    db.execute(
        """
        CREATE TABLE recommendations (
            id INTEGER PRIMARY KEY,
            sighting_id INTEGER NOT NULL REFERENCES sightings(id),
            position INTEGER NOT NULL,
            block TEXT,
            title TEXT NOT NULL,
            url TEXT,
            author TEXT,
            snippet TEXT,
            reads INTEGER,
            comments INTEGER,
            likes INTEGER
        )"""
    )
    db.execute("CREATE INDEX idx_recommendations_sighting ON recommendations(sighting_id)")
    db.execute("CREATE INDEX idx_recommendations_url ON recommendations(url)")
    db.execute(
        """
        CREATE TABLE failures (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL,
            crawl_id INTEGER REFERENCES crawls(id),
            stage TEXT NOT NULL,
            reason TEXT NOT NULL,
            http_status INTEGER,
            at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX idx_failures_url ON failures(url)")


@migrations()
def m002_dedup_sighting_hash_index(db: Database) -> None:
    """The exact-duplicate fast path looks sightings up by normalised content hash."""
    db.execute("CREATE INDEX IF NOT EXISTS idx_sightings_content_hash ON sightings(content_hash)")


@migrations()
def m004_search_index(db: Database) -> None:
    """Full-text search over texts (``texts_search``), kept in sync by triggers."""
    from archive import fts

    fts.install(db)


@migrations()
def m005_search_index_python_splitting(db: Database) -> None:
    """Search triggers that split CJK text with ``blogarchive_spaced`` instead of SQL."""
    from archive import fts

    fts.install(db)


@migrations()
def m006_contentless_search_index(db: Database) -> None:
    """Contentless search tables, sightings indexed on their own (``sightings_search``)."""
    from archive import fts

    fts.install(db)


@migrations()
def m007_covering_band_index(db: Database) -> None:
    """``text_bands`` keyed by ``(band_key, text_id)`` in a ``WITHOUT ROWID`` table.

    A band lookup then reads that one b-tree, which holds the text ids, instead of an
    index on ``band_key`` plus a table row per match; and a band row costs one b-tree
    insert plus the ``text_id`` index (kept for deletes) instead of three.
    """
    db.execute(
        """
        CREATE TABLE text_bands_new (
            band_key INTEGER NOT NULL,
            text_id INTEGER NOT NULL REFERENCES texts(id),
            PRIMARY KEY (band_key, text_id)
        ) WITHOUT ROWID"""
    )
    # rows of texts deleted by hand (foreign keys off) would fail the copy: they point nowhere
    db.execute(
        "INSERT OR IGNORE INTO text_bands_new(band_key, text_id) "
        "SELECT band_key, text_id FROM text_bands WHERE text_id IN (SELECT id FROM texts) "
        "ORDER BY band_key, text_id"
    )
    db.execute("DROP TABLE text_bands")
    db.execute("ALTER TABLE text_bands_new RENAME TO text_bands")
    db.execute("CREATE INDEX idx_text_bands_text ON text_bands(text_id)")


@migrations()
def m008_writer_batches(db: Database) -> None:
    """The last batch a writer process committed, by token, with its pickled results:
    a writer killed after COMMIT but before reporting is not re-run (see
    ``pipelines.archive_writer``)."""
    db.execute("CREATE TABLE writer_batches (token TEXT PRIMARY KEY, results BLOB NOT NULL)")


@migrations()
def m009_failures_requested_as(db: Database) -> None:
    """What each failed URL was asked for as (``article``, ``page``, ``listing``, ...), so
    that a later crawl retries a page whose kind was open as a page, not as an article."""
    db.execute("ALTER TABLE failures ADD COLUMN requested_as TEXT")
