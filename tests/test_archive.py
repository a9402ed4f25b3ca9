"""The archive API on real SQLite files."""

from __future__ import annotations

import sqlite3

import pytest

from archive import Archive, ArchiveLock, ArchiveLocked, FingerprintParams

PARAMS = FingerprintParams(num_perm=128, seed=1, shingle_size=5, scheme="affine32", bands=25, rows=5, normaliser="1")


def test_new_archive_has_contract_tables_and_wal(archive_path):
    with Archive(archive_path) as archive:
        assert archive.integrity_check() == "ok"
    with sqlite3.connect(archive_path) as conn:
        tables = {r[0] for r in conn.execute("select name from sqlite_master where type='table'")}
        assert {"texts", "sightings", "recommendations", "crawls", "failures"} <= tables
        assert conn.execute("pragma journal_mode").fetchone()[0] == "wal"
        columns = {r[1] for r in conn.execute("pragma table_info(sightings)")}
        assert {"relation", "similarity", "crawl_id", "final_url", "site", "last_seen"} <= columns


def test_reopening_applies_no_migration_twice(archive_path):
    Archive(archive_path).close()
    with Archive(archive_path) as archive:
        applied = [r["name"] for r in archive.db.query("select name from _sqlite_migrations")]
    assert len(applied) == len(set(applied))


def test_fingerprint_params_are_recorded_and_enforced(archive_path):
    with Archive(archive_path) as archive:
        archive.check_fingerprint_params(PARAMS)
        archive.check_fingerprint_params(PARAMS)
        other = FingerprintParams(**{**PARAMS.__dict__, "scheme": "legacy"})
        with pytest.raises(ValueError, match="other MinHash parameters"):
            archive.check_fingerprint_params(other)
        assert archive.meta()["minhash_scheme"] == "affine32"


def test_text_and_sighting_round_trip(archive_path):
    with Archive(archive_path) as archive:
        text_id = archive.add_text(
            title="T",
            body="body text",
            body_html=None,
            lang="en",
            content_hash="h1",
            signature=b"\x00" * 8,
            band_keys=[1, 2],
            seen="2024-01-01",
        )
        sid = archive.add_sighting(
            text_id,
            url="http://a.example/p/1",
            fetched_at="2024-01-01T00:00:00",
            relation="original",
            content_hash="h1",
        )
        archive.set_canonical(text_id, sid)
        assert archive.sighting_by_url("http://a.example/p/1").text_id == text_id
        assert [c.id for c in archive.texts_by_content_hash("h1")] == [text_id]
        assert [c.id for c in archive.texts_by_band_keys([2, 99])] == [text_id]
        stats = archive.stats()
    assert (stats.texts, stats.sightings, stats.sites) == (1, 1, 1)
    assert stats.sightings_by_relation == {"original": 1}


def _text_with_bad_sighting(archive: Archive) -> None:
    with archive.atomic():
        text_id = archive.add_text(
            title="T", body="b", body_html=None, lang=None, content_hash="h", signature=None, band_keys=[5], seen="2024"
        )
        archive.add_sighting(text_id, url="u", fetched_at="2024", relation="bogus", content_hash="h")


def test_failed_transaction_leaves_nothing(archive_path):
    with Archive(archive_path) as archive:
        with pytest.raises(sqlite3.IntegrityError):
            _text_with_bad_sighting(archive)
        assert archive.stats().texts == 0
        assert archive.texts_by_band_keys([5]) == []


def test_lock_refuses_a_second_holder(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "a.db"
    path.touch()
    link = tmp_path / "link.db"  # the same archive through a symlink takes the same lock
    link.symlink_to(path)
    with ArchiveLock(link):
        code = (
            "import sys; from archive import ArchiveLock, ArchiveLocked\n"
            f"try:\n    ArchiveLock({str(path)!r}).acquire()\nexcept ArchiveLocked:\n    sys.exit(3)\n"
        )
        result = subprocess.run([sys.executable, "-c", code], check=False)
        assert result.returncode == 3
    # released: a new process gets it
    result = subprocess.run([sys.executable, "-c", code], check=False)
    assert result.returncode == 0
    with ArchiveLock(path), ArchiveLock(path):  # re-entrant in one process
        pass
    assert not isinstance(ArchiveLocked("x"), ValueError)


def test_band_index_migrates_to_a_covering_key(archive_path):
    """m007 moves an older archive's band rows (duplicates folded, rows of texts that no
    longer exist dropped) into the keyed table, and a band lookup then reads only that
    table's key."""
    from sqlite_utils import Database

    from archive import fts
    from archive.migrations import migrations

    old = Database(archive_path)
    fts.register(old.conn)
    migrations.apply(old, stop_before="m007_covering_band_index")
    old.execute("insert into texts(id, body, chars, first_seen, last_seen, content_hash) values (1, 'a', 1, 's', 's', 'h1')")
    old.execute("insert into texts(id, body, chars, first_seen, last_seen, content_hash) values (2, 'b', 1, 's', 's', 'h2')")
    old.conn.executemany(  # text 99 was deleted by hand (foreign keys off): its row points nowhere
        "insert into text_bands(band_key, text_id) values (?, ?)", [(7, 1), (7, 1), (8, 1), (7, 2), (7, 99)]
    )
    old.conn.commit()
    old.close()

    with Archive(archive_path) as archive:
        rows = archive.db.execute("select band_key, text_id from text_bands order by 1, 2").fetchall()
        assert rows == [(7, 1), (7, 2), (8, 1)]
        assert [c.id for c in archive.texts_by_band_keys([7, 8])] == [1, 2]
        sql = archive.db.execute("select sql from sqlite_master where name = 'text_bands'").fetchone()[0]
        assert "WITHOUT ROWID" in sql.upper()
        plan = " ".join(r[3] for r in archive.db.execute(
            "explain query plan select text_id from text_bands where band_key in (7, 8)"
        ).fetchall())
        assert "PRIMARY KEY" in plan
        archive.add_text(title=None, body="c", body_html=None, lang=None, content_hash="h3", signature=None,
                         band_keys=[9, 9, 7], seen="s")  # a repeated key is stored once
        assert archive.db.execute("select count(*) from text_bands where band_key = 9").fetchone()[0] == 1
        assert archive.integrity_check() == "ok"


_OPEN_AND_COUNT = """
import sys
from archive import Archive
with Archive(sys.argv[1]) as archive:
    print(archive.db.execute("select count(*) from text_bands").fetchone()[0])
"""


def test_two_processes_opening_an_archive_that_needs_a_long_migration_both_succeed(archive_path):
    """The second waits for the first's migration instead of failing on it."""
    import subprocess
    import sys

    from sqlite_utils import Database

    from archive import fts
    from archive.migrations import migrations
    from tests.conftest import ROOT

    old = Database(archive_path)
    fts.register(old.conn)
    migrations.apply(old, stop_before="m007_covering_band_index")
    old.conn.execute("begin")
    old.conn.executemany("insert into texts(id, body, chars, first_seen, last_seen, content_hash) "
                         "values (?, 'x', 1, 's', 's', ?)", [(i, str(i)) for i in range(1, 20_001)])
    old.conn.executemany("insert into text_bands(band_key, text_id) values (?, ?)",
                         [(i * 7919 + j, i) for i in range(1, 20_001) for j in range(42)])
    old.conn.execute("commit")
    old.close()
    env = {"PYTHONPATH": str(ROOT), "PATH": ""}
    openers = [subprocess.Popen([sys.executable, "-c", _OPEN_AND_COUNT, str(archive_path)], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outcomes = [opener.communicate(timeout=120) for opener in openers]
    assert [opener.returncode for opener in openers] == [0, 0], [err[-800:] for _, err in outcomes]
    assert [out.strip() for out, _ in outcomes] == ["840000", "840000"]
    with Archive(archive_path) as archive:
        names = [r[0] for r in archive.db.execute("select name from _sqlite_migrations").fetchall()]
    assert names.count("m007_covering_band_index") == 1
