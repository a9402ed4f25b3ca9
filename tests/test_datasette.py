"""The Datasette plugin, through Datasette's own test client on a real demo archive."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from datasette.app import Datasette

from archive import Archive, RecommendationRecord
from archive.datasette.metadata import CANNED_QUERIES, TABLE_DESCRIPTIONS
from blogarchive.cli_browse import ensure_plugin_registered
from tests.conftest import run_demo

ROOT = Path(__file__).resolve().parent.parent
XSS_TITLE = '<script>alert("xss")</script><img src=x onerror=alert(1)>'

#: What the dedup stage stores in ``sightings.body_diff`` (see archive/datasette/diffs.py).
CSDN_DIFF = {
    "ops": [
        {"op": "insert", "copy": ["本文转载自简书，版权归原作者所有。"]},
        {"op": "equal", "canonical": ["去年冬天……"], "copy": ["去年冬天……"]},
        {"op": "replace", "canonical": ["读上二十页试试。"], "copy": ["读上三十页试试。"]},
    ]
}


def make_demo_archive(path: Path) -> Path:
    """Crawl the bundled demo site into ``path`` with the real command."""
    result = run_demo(path)
    assert result.returncode == 0, result.stderr[-2000:]
    return path


@pytest.fixture(scope="session")
def archive_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo archive, plus a stored diff for the CSDN copy and a hostile page."""
    path = make_demo_archive(tmp_path_factory.mktemp("datasette") / "archive.db")
    with Archive(path) as archive:
        csdn = archive.db.execute("select id from sightings where platform = 'csdn' and title like '%空地%'")
        archive.update_sighting(csdn.fetchone()[0], body_diff=json.dumps(CSDN_DIFF, ensure_ascii=False))
        wechat = archive.db.execute("select id from sightings where platform = 'wechat'").fetchone()[0]
        archive.update_sighting(wechat, body_diff=json.dumps(["  同一段", "- 读上二十页", "+ 讀上二十頁"]))
        text_id = archive.add_text(
            title=XSS_TITLE,
            body='正文 <b onmouseover="alert(2)">hover</b>\n<script>alert(3)</script>',
            body_html="<script>alert(4)</script>",
            lang="zh",
            content_hash="xss",
            signature=None,
            band_keys=[],
            seen="2024-06-01T00:00:00+00:00",
        )
        sighting = archive.add_sighting(
            text_id,
            url="javascript:alert(5)",
            fetched_at="2024-06-01T00:00:00+00:00",
            relation="original",
            content_hash="xss",
            title=XSS_TITLE,
            author="<i>evil</i>",
            platform="<script>alert(6)</script>",
        )
        archive.set_canonical(text_id, sighting)
        archive.replace_recommendations(
            sighting, [RecommendationRecord(position=0, title=XSS_TITLE, url="javascript:alert(7)")]
        )
    return path


@pytest.fixture(scope="session")
def db_name(archive_path: Path) -> str:
    return archive_path.stem


@pytest.fixture(scope="session")
def datasette(archive_path: Path) -> Datasette:
    ensure_plugin_registered()
    return Datasette([str(archive_path)])


@pytest.fixture(scope="session")
def run() -> Iterator[Callable[[Awaitable[Any]], Any]]:
    """Run a coroutine on an event loop of its own thread.

    Datasette's client is asyncio; the tests' Twisted reactor owns this thread's loop.
    """
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield lambda coro: asyncio.run_coroutine_threadsafe(coro, loop).result(timeout=120)
    loop.call_soon_threadsafe(loop.stop)
    thread.join()
    loop.close()


def query_one(path: Path, sql: str, params: tuple[Any, ...] = ()) -> Any:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql, params).fetchone()[0]


@pytest.fixture(scope="session")
def essay_id(archive_path: Path) -> int:
    return query_one(
        archive_path, "select text_id from sightings where platform = 'jianshu' and title like ?", ("%空地%",)
    )


async def _check_every_canned_query_runs(datasette: Datasette, db_name: str, essay_id: int):
    for name in CANNED_QUERIES:
        page = await datasette.client.get(f"/{db_name}/{name}?text_id={essay_id}&crawl_id=")
        assert page.status_code == 200, name
        data = await datasette.client.get(f"/{db_name}/{name}.json?_shape=objects&text_id={essay_id}&crawl_id=")
        assert data.status_code == 200, name
        assert data.json()["ok"], name
    reposted = (await datasette.client.get(f"/{db_name}/most_reposted.json?_shape=array")).json()
    assert reposted[0]["text_id"] == essay_id
    assert reposted[0]["copies"] == 4
    timeline = (await datasette.client.get(f"/{db_name}/text_timeline.json?_shape=array&text_id={essay_id}")).json()
    assert [row["platform"] for row in timeline] == ["jianshu", "csdn", "cnblogs", "wechat"]
    assert timeline[0]["relation"] == "original"
    reposters = (await datasette.client.get(f"/{db_name}/top_reposters.json?_shape=array")).json()
    csdn = next(row for row in reposters if row["platform"] == "csdn")
    assert csdn["original_authors"] == "林间小径"
    crawls = (await datasette.client.get(f"/{db_name}/crawl_history.json?_shape=array")).json()
    assert crawls[0]["status"] == "finished"
    assert crawls[0]["failures"] == 0
    recs = (await datasette.client.get(f"/{db_name}/top_recommendations.json?_shape=array")).json()
    assert recs[0]["times_shown"] >= 2


def test_every_canned_query_runs(
    run: Callable[[Awaitable[Any]], Any], datasette: Datasette, db_name: str, essay_id: int
):
    run(_check_every_canned_query_runs(datasette, db_name, essay_id))


async def _check_every_table_and_column_is_described(datasette: Datasette, archive_path: Path, db_name: str):
    await datasette.invoke_startup()
    with sqlite3.connect(archive_path) as conn:
        for table in ("texts", "sightings", "recommendations", "crawls", "failures", "archive_meta"):
            columns = [row[1] for row in conn.execute(f"pragma table_info({table})")]
            page = await datasette.client.get(f"/{db_name}/{table}")
            assert page.status_code == 200
            assert TABLE_DESCRIPTIONS[table]["description"].split(" (")[0].split(".")[0] in page.text
            for column in columns:
                assert TABLE_DESCRIPTIONS[table]["columns"][column], (table, column)


def test_every_table_and_column_is_described(
    run: Callable[[Awaitable[Any]], Any], datasette: Datasette, archive_path: Path, db_name: str
):
    run(_check_every_table_and_column_is_described(datasette, archive_path, db_name))


async def _check_facets_sorts_and_labels(datasette: Datasette, archive_path: Path, db_name: str, essay_id: int):
    data = (await datasette.client.get(f"/{db_name}/sightings.json?_labels=on&text_id={essay_id}")).json()
    assert set(data["facet_results"]) >= {"platform", "site", "author", "relation", "lang", "crawl_id"}
    assert "sorted by fetched_at descending" in data["human_description_en"]
    labels = {row["text_id"]["label"] for row in data["rows"]}
    title = query_one(archive_path, "select title from texts where id = ?", (essay_id,))
    assert labels == {title}
    assert "空地" in title
    texts = await datasette.client.get(f"/{db_name}/texts")
    assert f'/-/blogarchive/{db_name}/text/{essay_id}"' in texts.text
    assert (await datasette.client.get(f"/{db_name}/text_bands")).status_code == 200
    database_page = await datasette.client.get(f"/{db_name}")
    assert "text_bands" not in database_page.text.split("hidden table")[0]


def test_facets_sorts_and_labels(
    run: Callable[[Awaitable[Any]], Any], datasette: Datasette, archive_path: Path, db_name: str, essay_id: int
):
    run(_check_facets_sorts_and_labels(datasette, archive_path, db_name, essay_id))


async def _check_text_page_shows_every_sighting_and_its_differences(
    datasette: Datasette, archive_path: Path, db_name: str, essay_id: int
):
    page = await datasette.client.get(f"/-/blogarchive/{db_name}/text/{essay_id}")
    assert page.status_code == 200
    html = page.text
    with sqlite3.connect(archive_path) as conn:
        urls = [r[0] for r in conn.execute("select url from sightings where text_id = ?", [essay_id])]
    assert len(urls) == 4
    for url in urls:
        assert f'href="{url}"' in html
    assert html.count('class="ba-sighting"') == 4
    # original first
    assert html.index("林间小径") < html.index("weixin_4471") < html.index("書房夜話")
    # the stored paragraph diff of the CSDN copy, with an inline change
    assert "+ 本文转载自简书，版权归原作者所有。" in html
    assert "读上<del>二</del><ins>三</ins>十页试试。" in html
    # a diff stored as ndiff lines
    assert "− 读上二十页" in html
    assert "+ 讀上二十頁" in html
    # an exact copy without a stored diff
    with sqlite3.connect(archive_path) as conn:
        exact_without_diff = conn.execute(
            "select count(*) from sightings s join texts t on t.id = s.text_id where s.text_id = ? "
            "and s.id != t.canonical_sighting_id and s.relation = 'exact' and s.body_diff is null",
            [essay_id],
        ).fetchone()[0]
    assert html.count("Same text as the canonical one") >= exact_without_diff
    assert html.count('class="ba-diff-heading"') == 3  # every copy but the canonical one
    # recommendations around it, kept apart from the body
    assert "如何在三十岁前学会理财" in html
    assert html.index("如何在三十岁前学会理财") > html.index('id="recommendations"')
    short = await datasette.client.get(f"/-/blogarchive/text/{essay_id}")
    assert short.status_code == 200
    assert (await datasette.client.get(f"/-/blogarchive/{db_name}/text/999999")).status_code == 404
    assert (await datasette.client.get("/-/blogarchive/nosuchdb/text/1")).status_code == 404


def test_text_page_shows_every_sighting_and_its_differences(
    run: Callable[[Awaitable[Any]], Any],
    datasette: Datasette,
    archive_path: Path,
    db_name: str,
    essay_id: int,
):
    run(_check_text_page_shows_every_sighting_and_its_differences(datasette, archive_path, db_name, essay_id))


async def search(datasette: Datasette, db_name: str, query: str, table: str = "texts") -> set[int]:
    response = await datasette.client.get(
        f"/{db_name}/{table}.json",
        params={"_search": query, "_shape": "array", "_col": "text_id" if table == "sightings" else "id"},
    )
    assert response.status_code == 200, response.text
    return {row["text_id"] if table == "sightings" else row["id"] for row in response.json()}


async def _check_chinese_search_finds_substrings_of_any_length(datasette: Datasette, db_name: str, essay_id: int):
    for query in ["塊", "空地", "給自己留", "给自己留", "慢读一本书", "是給自己留的一塊空地", "林间小径"]:
        assert essay_id in await search(datasette, db_name, query), query
    cycling = await search(datasette, db_name, "骑行")
    assert cycling
    assert essay_id not in cycling
    assert await search(datasette, db_name, "空地 骑行") == set()
    # the recommendation chrome (推荐阅读) was not archived as part of the essay
    assert essay_id not in await search(datasette, db_name, "推荐阅读")
    assert essay_id in await search(datasette, db_name, "空地", table="sightings")
    page = await datasette.client.get(f"/{db_name}/texts", params={"_search": "空地"})
    assert 'name="_search" value="空地"' in page.text
    assert "1 row" in page.text


def test_chinese_search_finds_substrings_of_any_length(
    run: Callable[[Awaitable[Any]], Any], datasette: Datasette, db_name: str, essay_id: int
):
    run(_check_chinese_search_finds_substrings_of_any_length(datasette, db_name, essay_id))


async def _check_english_search(datasette: Datasette, db_name: str, archive_path: Path):
    notebook = query_one(archive_path, "select id from texts where title like ?", ("%Paper Notebook%",))
    bakery = query_one(archive_path, "select id from texts where title like ?", ("%Bakery%",))
    assert await search(datasette, db_name, "notebook") == {notebook}
    assert await search(datasette, db_name, "Paper NOTEBOOK") == {notebook}
    assert bakery in await search(datasette, db_name, "morning")  # title says "Mornings"
    assert await search(datasette, db_name, '"paper notebook"') == {notebook}
    assert await search(datasette, db_name, "notebook bakery") == set()
    assert notebook in await search(datasette, db_name, "noteb*")
    assert await search(datasette, db_name, 'NEAR( "unbalanced') == set()


def test_english_search(run: Callable[[Awaitable[Any]], Any], datasette: Datasette, db_name: str, archive_path: Path):
    run(_check_english_search(datasette, db_name, archive_path))


async def _check_crawled_html_renders_inert(datasette: Datasette, archive_path: Path, db_name: str):
    text_id = query_one(archive_path, "select id from texts where content_hash = 'xss'")
    pages = [
        f"/-/blogarchive/{db_name}/text/{text_id}",
        f"/{db_name}/texts",
        f"/{db_name}/texts/{text_id}",
        f"/{db_name}/sightings",
        f"/{db_name}/recommendations",
        f"/{db_name}/text_timeline?text_id={text_id}",
        f"/{db_name}/top_recommendations",
    ]
    for path in pages:
        html = (await datasette.client.get(path)).text
        assert "<script>alert" not in html, path
        assert "<img src=x" not in html, path
        assert "<b onmouseover" not in html, path
        assert 'href="javascript:' not in html, path
        assert "<i>evil</i>" not in html, path
    page = (await datasette.client.get(pages[0])).text
    assert "&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;" in page
    assert "javascript:alert(5)" in page  # shown as text, not linked


def test_crawled_html_renders_inert(
    run: Callable[[Awaitable[Any]], Any], datasette: Datasette, archive_path: Path, db_name: str
):
    run(_check_crawled_html_renders_inert(datasette, archive_path, db_name))


async def _check_text_page_respects_permissions(archive_path: Path, db_name: str, essay_id: int):
    private = Datasette([str(archive_path)], metadata={"databases": {db_name: {"allow": {"id": "root"}}}})
    path = f"/-/blogarchive/{db_name}/text/{essay_id}"
    assert (await private.client.get(path)).status_code == 403
    root = {"ds_actor": private.sign({"a": {"id": "root"}}, "actor")}
    assert (await private.client.get(path, cookies=root)).status_code == 200


def test_text_page_respects_permissions(
    run: Callable[[Awaitable[Any]], Any], archive_path: Path, db_name: str, essay_id: int
):
    ensure_plugin_registered()
    run(_check_text_page_respects_permissions(archive_path, db_name, essay_id))
