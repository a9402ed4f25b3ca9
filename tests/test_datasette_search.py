"""The search index: query building and triggers, on a real archive file."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive import Archive
from archive.fts import CJK_RANGES, SEARCH_TABLE, match_query, search_clause, spaced

if TYPE_CHECKING:
    from pathlib import Path


def search(archive: Archive, query: str) -> list[int]:
    clause, params = search_clause("id", query)
    return [r[0] for r in archive.db.execute(f"select id from texts where {clause} order by id", params).fetchall()]


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
    assert spaced(None) == ""
    assert spaced("plain words") == "plain words"


@given(st.text(alphabet=st.sampled_from("a Z1，。\n😀\u3041\u30ff\u3400\u4e00\u9fff\uf900\U00020000\U0003134f\U00031350"
                                        "\u303f\u4dc0")))
def test_spacing_matches_its_definition(text: str):
    def is_cjk(ch: str) -> bool:
        return any(low <= ord(ch) <= high for low, high in CJK_RANGES)

    assert spaced(text) == "".join(f" {ch} " if is_cjk(ch) else ch for ch in text)
    long = text * 70  # past SHORT_TEXT whenever text is not empty: the other way of spacing
    assert spaced(long) == "".join(f" {ch} " if is_cjk(ch) else ch for ch in long)


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


def test_search_clause_holds_no_query_text():
    clause, params = search_clause("id", 'x"; drop table texts; -- 空地')
    assert "drop" not in clause
    assert "空" not in clause
    assert list(params.values()) == ['"x"";"', '"drop"', '"table"', '"texts;"', '"空 地"']
    assert search_clause("id", "，。") == ("0", {})


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
    assert search(archive, "林间 第二版") == [text_id]  # one term in a sighting, one in the body
    assert search(archive, "林间 第一版") == []
    archive.update_sighting(sighting, author="山中")
    assert search(archive, "林间") == []
    assert search(archive, "山中") == [text_id]
    other = add(archive, "别的", "别的正文", 3)
    archive.update_sighting(sighting, text_id=other)
    assert search(archive, "山中") == [other]
    archive.db.execute("delete from sightings where id = ?", [sighting])
    archive.db.execute("delete from texts where id = ?", [text_id])
    assert search(archive, "山中") == []
    assert search(archive, "第二版") == []
    assert archive.db.execute(f"select count(*) from {SEARCH_TABLE}_docsize").fetchone()[0] == 1  # "别的"


def test_long_bodies_are_indexed_whole(archive: Archive):
    body = "甲" * 1000 + "尾巴在这里" + " tail words"
    text_id = add(archive, None, body, 1)
    assert search(archive, "尾巴") == [text_id]
    assert search(archive, "tail") == [text_id]
    # contentless: the index holds terms only, the text itself is stored once, in texts
    assert archive.db.execute(f"select body from {SEARCH_TABLE}").fetchone()[0] is None


def old_layout_archive(path: Path) -> int:
    """An archive as written before m006: one contentful table with a ``seen_as`` column."""
    with Archive(path) as archive:
        text_id = add(archive, "旧档案", "去年冬天的读书目标", 1)
        archive.add_sighting(text_id, url="https://example.com/a", fetched_at="2024-01-02T00:00:00+00:00",
                             relation="original", content_hash="h1", title="旧档案", author="林间小径")
        db = archive.db
        for table in (SEARCH_TABLE, "sightings_search"):
            db.execute(f"drop table {table}")
        db.execute(f"create virtual table {SEARCH_TABLE} using fts5(title, body, seen_as, tokenize='porter unicode61')")
        db.execute(f"insert into {SEARCH_TABLE}(rowid, title, body, seen_as) values (?, ?, ?, ?)",
                   [text_id, spaced("旧档案"), spaced("去年冬天的读书目标"), spaced("林间小径")])
        db.execute("delete from _sqlite_migrations where name = 'm006_contentless_search_index'")
    return text_id


def test_archive_with_the_earlier_search_layout_is_migrated(tmp_path: Path):
    path = tmp_path / "old.db"
    text_id = old_layout_archive(path)
    with Archive(path) as archive:
        assert search(archive, "读书 林间") == [text_id]
        assert [c[1] for c in archive.db.execute(f"pragma table_info({SEARCH_TABLE})")] == ["title", "body"]


def test_an_old_archive_served_read_only_can_still_be_searched(tmp_path: Path):
    from datasette.app import Datasette

    from blogarchive.cli_browse import ensure_plugin_registered

    ensure_plugin_registered()
    path = tmp_path / "old.db"
    text_id = old_layout_archive(path)

    async def found(query: str) -> list[int]:
        datasette = Datasette(immutables=[str(path)])
        response = await datasette.client.get("/old/texts.json", params={"_search": query, "_shape": "array"})
        assert response.status_code == 200, response.text
        return [row["id"] for row in response.json()]

    with ThreadPoolExecutor(1) as thread:  # Datasette's loop, away from the tests' reactor
        assert thread.submit(asyncio.run, found("读书 林间")).result(timeout=60) == [text_id]
        assert thread.submit(asyncio.run, found("骑行")).result(timeout=60) == []
    with Archive(path) as archive:  # opening it read-write migrates it, as a crawl would
        assert search(archive, "读书 林间") == [text_id]
