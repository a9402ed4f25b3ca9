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
    with ArchiveLock(path):
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
