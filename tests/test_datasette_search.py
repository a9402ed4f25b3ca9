"""The search index: query building and triggers, on a real archive file."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from archive import Archive
from archive.fts import SEARCH_TABLE, match_query, spaced

if TYPE_CHECKING:
    from pathlib import Path


def search(archive: Archive, query: str) -> list[int]:
    match = match_query(query)
    if match is None:
        return []
    rows = archive.db.execute(
        f"select rowid from {SEARCH_TABLE} where {SEARCH_TABLE} match ? order by rowid", [match]
    ).fetchall()
    return [r[0] for r in rows]


def add(archive: Archive, title: str, body: str, n: int) -> int:
    return archive.add_text(
        title=title,
        body=body,
        body_html=None,
        lang=None,
        content_hash=f"h{n}",
        signature=None,
        band_keys=[],
        seen="2024-01-01T00:00:00+00:00",
    )


@pytest.fixture
def archive(tmp_path: Path):
    with Archive(tmp_path / "archive.db") as archive:
        yield archive


def test_cjk_characters_are_spaced_into_single_tokens():
    assert spaced("用SQLite存储，好") == " 用 SQLite 存  储 ， 好 "


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("空地", '"空 地"'),
        ("阅读", '("阅 读" OR "閱 讀")'),
        ("paper notebook", '"paper" AND "notebook"'),
        ('"paper notebook"', '"paper notebook"'),
        ("note*", '"note"*'),
        ('say "hi', '"say" AND "hi"'),
        ("NEAR(a b) OR x", '"NEAR(a" AND "b)" AND "OR" AND "x"'),
        ("，。 ", None),
    ],
)
def test_match_query(query: str, expected: str | None):
    assert match_query(query) == expected


def test_new_texts_are_searchable_at_once_by_any_substring(archive: Archive):
    essay = add(archive, "慢读一本书", "去年冬天，我给自己定了一个目标：每个月读完一本纸质书。", 1)
    english = add(archive, "Paper notebooks", "I still keep a paper notebook for mornings.", 2)
    for query in ["纸", "纸质", "纸质书", "一个目标", "紙質書", "慢讀"]:
        assert search(archive, query) == [essay], query
    assert search(archive, "notebook") == [english]
    assert search(archive, "morning") == [english]  # Porter stemming
    assert search(archive, "paper mornings") == [english]
    assert search(archive, "paper 纸") == []
    assert search(archive, "冬季") == []


def test_index_follows_body_replacement_and_sightings(archive: Archive):
    text_id = add(archive, "旧标题", "第一版的正文", 1)
    archive.replace_text_body(
        text_id,
        title="新标题",
        body="第二版的正文",
        body_html=None,
        lang="zh",
        content_hash="h2",
        signature=None,
        band_keys=[],
    )
    assert search(archive, "第一版") == []
    assert search(archive, "第二版") == [text_id]
    assert search(archive, "新标") == [text_id]
    sighting = archive.add_sighting(
        text_id,
        url="https://example.com/a",
        fetched_at="2024-01-02T00:00:00+00:00",
        relation="near",
        content_hash="h3",
        title="【转载】另一个标题",
        author="林间小径",
    )
    assert search(archive, "林间") == [text_id]
    assert search(archive, "转载") == [text_id]
    other = add(archive, "别的", "别的正文", 3)
    archive.update_sighting(sighting, text_id=other)
    assert search(archive, "林间") == [other]
    archive.db.execute("delete from sightings where id = ?", [sighting])
    archive.db.execute("delete from texts where id = ?", [text_id])
    assert search(archive, "林间") == []
    assert search(archive, "第二版") == []


def test_long_bodies_are_indexed_whole(archive: Archive):
    body = "甲" * 1000 + "尾巴在这里" + " tail words"
    text_id = add(archive, None, body, 1)
    assert search(archive, "尾巴") == [text_id]
    assert search(archive, "tail") == [text_id]
    indexed = archive.db.execute(f"select body from {SEARCH_TABLE}").fetchone()[0]
    assert indexed == spaced(body)
