"""End to end: ``blogarchive demo`` crawls the bundled site through the real spiders and
pipelines into a real SQLite file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.conftest import run_demo

ESSAY = "慢读一本书，是给自己留的一块空地"
RECOMMENDED = ["如何在三十岁前学会理财", "一个人的旅行：大理七日", "我为什么放弃了短视频"]


def counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        return {
            t: conn.execute(f"select count(*) from {t}").fetchone()[0]
            for t in ("texts", "sightings", "recommendations", "failures", "text_bands")
        }


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("demo") / "archive.db"
    first = run_demo(db)
    assert first.returncode == 0, first.stderr
    assert "new texts kept:" in first.stdout
    return db


def query(db: Path, sql: str, *params):
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def test_reposted_essay_is_one_text_with_its_sightings(demo_db):
    texts = query(
        demo_db,
        "select distinct text_id from sightings where title like ? or title like ?",
        f"%{ESSAY}%",
        "%慢讀一本書%",
    )
    assert len(texts) == 1
    sightings = dict(query(demo_db, "select platform, relation from sightings where text_id = ?", texts[0][0]))
    assert sightings["jianshu"] == "original"
    assert sightings["csdn"] in ("exact", "near")
    assert sightings["cnblogs"] in ("exact", "near")
    assert len(sightings) >= 3


def test_jianshu_recommendations_are_records_not_body(demo_db):
    recs = [
        r[0]
        for r in query(
            demo_db,
            "select r.title from recommendations r join sightings s "
            "on s.id = r.sighting_id where s.platform = 'jianshu' and s.title = ?",
            ESSAY,
        )
    ]
    assert recs[:3] == RECOMMENDED
    counted = query(demo_db, "select reads, likes from recommendations where title = ?", RECOMMENDED[0])
    assert counted[0] == (12408, 12000)
    bodies = " ".join(r[0] for r in query(demo_db, "select body from texts"))
    for title in RECOMMENDED:
        assert title not in bodies
    assert "著作权归作者所有" not in bodies


def test_gbk_page_decodes(demo_db):
    ((title, body),) = query(
        demo_db, "select t.title, t.body from texts t join sightings s on s.text_id = t.id where s.url like '%/sina/%'"
    )
    assert title == "冬天的腌菜坛子"
    assert "外婆" in body
    assert "\ufffd" not in body


def test_english_repost_merges_with_medium_original(demo_db):
    rows = dict(
        query(demo_db, "select platform, relation from sightings where title = ?", "Why I Still Keep a Paper Notebook")
    )
    assert rows == {"medium": "original", "wordpress": "near"}


def test_second_run_adds_no_rows(demo_db):
    before = counts(demo_db)
    again = run_demo(demo_db)
    assert again.returncode == 0, again.stderr
    assert counts(demo_db) == before
    with sqlite3.connect(demo_db) as conn:
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
