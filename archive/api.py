"""A small typed API over the archive file.

Example::

    with Archive("archive.db") as archive:
        print(archive.stats())

Every multi-row write goes through :meth:`Archive.atomic`, so a crash leaves either
all of a page or none of it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlite_utils import Database

from archive import fts
from archive.migrations import migrate

#: How many candidate texts one band lookup may return; a band shared by more texts
#: than this is boilerplate, not evidence of a repost.
MAX_CANDIDATES = 50


def utc_now() -> str:
    """The current time as an ISO 8601 string in UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class FingerprintParams:
    """The parameters a stored signature was made with; signatures made with other
    parameters must never be compared."""

    num_perm: int
    seed: int
    shingle_size: int
    scheme: str
    bands: int
    rows: int
    normaliser: str

    def as_meta(self) -> dict[str, str]:
        return {f"minhash_{k}": str(v) for k, v in asdict(self).items()}


class FingerprintMismatch(ValueError):
    """The archive's texts were fingerprinted with other parameters or another normaliser
    version: ``blogarchive dedup --rebuild`` re-clusters it with the current ones."""


#: Failure stages whose cause may be gone next time, so later crawls ask for the page again:
#: a network error or HTTP status, a challenge page, a worker process that died (out of
#: memory, a crash), an archive error (a full disk).
RETRIED_STAGES = ("fetch", "blocked", "worker", "pipeline")


@dataclass(frozen=True)
class CandidateText:
    """A stored text that a new page may be a copy of."""

    id: int
    title: str | None
    body: str
    chars: int
    content_hash: str
    signature: bytes | None
    canonical_sighting_id: int | None
    canonical_url: str | None
    canonical_published: str | None
    canonical_fetched_at: str | None
    canonical_relation: str | None
    canonical_content_hash: str | None = None


@dataclass(frozen=True)
class SightingRecord:
    """One place a text was seen."""

    id: int
    text_id: int
    url: str
    final_url: str | None
    content_hash: str
    relation: str
    etag: str | None
    last_modified: str | None
    last_seen: str


@dataclass(frozen=True)
class RecommendationRecord:
    """One promoted story seen beside an article."""

    position: int
    title: str
    block: str | None = None
    url: str | None = None
    author: str | None = None
    snippet: str | None = None
    reads: int | None = None
    comments: int | None = None
    likes: int | None = None


@dataclass(frozen=True)
class ArchiveStats:
    """Counts of what the archive holds."""

    texts: int
    sightings: int
    sightings_by_relation: dict[str, int] = field(default_factory=dict)
    sites: int = 0
    recommendations: int = 0
    crawls: int = 0
    failures: int = 0


class Archive:
    """The archive file: texts, sightings, recommendations, crawls, failures.

    :param path: the SQLite file; created with the current schema when missing
    :param timeout: seconds to wait for another writer before failing
    """

    def __init__(self, path: str | Path, *, timeout: float = 60.0) -> None:
        self.path = Path(path)
        self.timeout = timeout
        if self.path.parent and not self.path.parent.exists():
            raise ValueError(f"directory of archive {self.path} does not exist")
        conn = sqlite3.connect(str(self.path), timeout=timeout, check_same_thread=False)
        fts.register(conn)
        self.db = Database(conn)
        try:
            self.db.enable_wal()
            self.db.execute("PRAGMA foreign_keys=ON")
            self.db.execute("PRAGMA synchronous=NORMAL")
            migrate(self.db)
        except BaseException:
            conn.close()
            raise

    # -- lifecycle ---------------------------------------------------------------
    def close(self) -> None:
        """Close the connection (commits nothing that is not committed)."""
        self.db.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def atomic(self) -> Iterator[Archive]:
        """One transaction around several writes.

        Inside an open transaction this adds nothing: an error propagates to the
        outermost block, which rolls everything back. Use :meth:`savepoint` where a
        caller catches an error and goes on with the transaction.
        """
        if self.db.conn.in_transaction:
            yield self
            return
        with self.db.atomic():
            yield self

    @contextmanager
    def savepoint(self) -> Iterator[Archive]:
        """A block that can fail alone: a savepoint inside a transaction (else a
        transaction of its own), rolled back on error while the outer writes stay."""
        with self.db.atomic():
            yield self

    @property
    def in_transaction(self) -> bool:
        """True while a transaction is open (batch writers check it after a failed page)."""
        return self.db.conn.in_transaction

    def integrity_check(self) -> str:
        """SQLite's ``PRAGMA integrity_check`` result (``"ok"`` when healthy)."""
        return self.db.execute("PRAGMA integrity_check").fetchone()[0]

    # -- parameters --------------------------------------------------------------
    def meta(self) -> dict[str, str]:
        return dict(self.db.execute("select key, value from archive_meta").fetchall())

    def check_fingerprint_params(self, params: FingerprintParams) -> None:
        """Record ``params`` on first use; raise :class:`FingerprintMismatch` if the archive
        was built with different ones (run ``blogarchive dedup --rebuild`` to change them)."""
        wanted = params.as_meta()
        stored = {k: v for k, v in self.meta().items() if k.startswith("minhash_")}
        if not stored:
            with self.atomic():
                for key, value in wanted.items():
                    self.db.execute(
                        "insert or replace into archive_meta(key, value) values (?, ?)", [key, value]
                    )
            return
        if stored != wanted:
            diff = {k: (stored.get(k), v) for k, v in wanted.items() if stored.get(k) != v}
            raise FingerprintMismatch(
                f"archive {self.path} was fingerprinted with other MinHash parameters or normaliser version "
                f"(stored, wanted): {diff}; run 'blogarchive dedup --rebuild' to re-cluster"
            )

    def set_fingerprint_params(self, params: FingerprintParams) -> None:
        """Overwrite the recorded parameters (only for a full rebuild)."""
        with self.atomic():
            for key, value in params.as_meta().items():
                self.db.execute(
                    "insert or replace into archive_meta(key, value) values (?, ?)", [key, value]
                )

    def set_meta(self, key: str, value: str) -> None:
        """Record one ``archive_meta`` value (e.g. ``dedup_threshold``)."""
        with self.atomic():
            self.db.execute("insert or replace into archive_meta(key, value) values (?, ?)", [key, value])

    # -- crawls and failures -----------------------------------------------------
    def start_crawl(self, spider: str, args: dict[str, Any] | None = None) -> int:
        """Record the start of a crawl run and return its id."""
        with self.atomic():
            cur = self.db.execute(
                "insert into crawls(spider, args, started, status) values (?, ?, ?, 'running')",
                [spider, json.dumps(args or {}, ensure_ascii=False, default=str), utc_now()],
            )
        return int(cur.lastrowid)

    def mark_interrupted_crawls(self) -> int:
        """Mark crawls still ``running`` as ``interrupted``: call it holding the archive lock,
        when no other crawl can be running (their process was killed). Returns how many."""
        with self.atomic():
            cur = self.db.execute("update crawls set status = 'interrupted' where status = 'running'")
        return cur.rowcount

    def finish_crawl(self, crawl_id: int, status: str, stats: dict[str, Any]) -> None:
        """Record how a crawl ended and its stats."""
        with self.atomic():
            self.db.execute(
                "update crawls set finished = ?, status = ?, stats = ? where id = ?",
                [utc_now(), status, json.dumps(stats, ensure_ascii=False, default=str), crawl_id],
            )

    def add_failure(
        self,
        url: str,
        stage: str,
        reason: str,
        *,
        crawl_id: int | None = None,
        http_status: int | None = None,
        requested_as: str | None = None,
    ) -> int:
        """Record a page that could not be archived (``requested_as``: see
        :class:`crawler.items.PageFailure`)."""
        with self.atomic():
            cur = self.db.execute(
                "insert into failures(url, crawl_id, stage, reason, http_status, at, requested_as) "
                "values (?, ?, ?, ?, ?, ?, ?)",
                [url, crawl_id, stage, reason[:2000], http_status, utc_now(), requested_as],
            )
        return int(cur.lastrowid)

    def remember_batch(self, token: str, results: bytes) -> None:
        """Record, in the current transaction, that the batch ``token`` commits with
        ``results`` (opaque to the archive); only the latest batch is kept."""
        self.db.execute("delete from writer_batches")
        self.db.execute("insert into writer_batches(token, results) values (?, ?)", [token, results])

    def committed_batch(self, token: str) -> bytes | None:
        """The results recorded by :meth:`remember_batch` if batch ``token`` committed."""
        row = self.db.execute("select results from writer_batches where token = ?", [token]).fetchone()
        return row[0] if row else None

    # -- lookups -----------------------------------------------------------------
    def sighting_by_url(self, url: str) -> SightingRecord | None:
        """The sighting recorded for ``url`` (as requested or as finally fetched)."""
        row = self.db.execute(
            "select id, text_id, url, final_url, content_hash, relation, etag, last_modified, "
            "last_seen from sightings where url = ? or final_url = ? limit 1",
            [url, url],
        ).fetchone()
        return SightingRecord(*row) if row else None

    @staticmethod
    def _same_site(site: dict[str, Any], table: str = "crawls") -> tuple[str, list[Any]]:
        """SQL matching crawls whose ``args`` have these values (JSON null for None)."""
        for key in site:
            if not key.isidentifier():
                raise ValueError(f"not an argument name: {key!r}")
        where = " and ".join(f"json_extract({table}.args, '$.{key}') is ?" for key in site) or "1"
        return where, list(site.values())

    def previous_crawl_status(self, spider: str, site: dict[str, Any], before: int | None = None) -> str | None:
        """How the last crawl of ``spider`` for the same site ended (``finished``,
        ``failed``, ``interrupted``, or ``running`` when it was killed), or None if there
        was none.

        :param site: the spider arguments that name the site, e.g. ``{"url": ..., "user": None}``;
            other arguments (``limit``, ``revisit``...) may differ
        :param before: only crawls with a smaller id (leave out the current one)
        """
        where, params = self._same_site(site)
        row = self.db.execute(
            f"select status from crawls where spider = ? and id < ? and {where} order by id desc limit 1",
            [spider, before or 2**62, *params],
        ).fetchone()
        return row[0] if row else None

    def touch_sighting(self, url: str, seen: str) -> bool:
        """Record that an archived page was seen unchanged (a 304): moves ``last_seen`` of its
        sighting and text. Returns False when no sighting has that URL."""
        sighting = self.sighting_by_url(url)
        if sighting is None:
            return False
        self.update_sighting(sighting.id, last_seen=max(seen, sighting.last_seen))
        return True

    def due_for_revisit(self, spider: str, site: dict[str, Any], before: str, limit: int = 0) -> list[str]:
        """URLs archived by crawls of ``spider`` for this site (see
        :meth:`previous_crawl_status`) and last seen before ``before`` (ISO 8601), least
        recently seen first: the articles to check again."""
        where, params = self._same_site(site, "c")
        rows = self.db.execute(
            "select s.url from sightings s join crawls c on c.id = s.crawl_id "
            f"where c.spider = ? and s.last_seen < ? and {where} order by s.last_seen, s.id"
            + (f" limit {int(limit)}" if limit else ""),
            [spider, before, *params],
        ).fetchall()
        return [url for (url,) in rows]

    def failed_urls(self, hosts: Iterable[str], *, stages: Iterable[str] = RETRIED_STAGES,
                    since: str | None = None, max_attempts: int = 5) -> list[tuple[str, str]]:
        """``(url, requested_as)`` of the URLs on ``hosts`` that failed at one of ``stages``
        (after ``since``), were never archived since, and failed fewer than ``max_attempts``
        times since then: the pages to retry (a network error or a challenge page may be
        gone next time), with what the latest of those failures was asked for as
        (``article`` for failures recorded before that was kept). ``stages``: the ones whose
        cause may be gone next time (:data:`RETRIED_STAGES`); a URL whose latest failure is at
        another stage (a retry that found no article body) is not retried. A page that keeps failing
        is asked for again as its oldest failures leave the window, about ``max_attempts``
        times per window."""
        hosts = list(hosts)
        stages = list(stages)
        if not hosts or not stages:
            return []
        in_stages = f"stage in ({','.join('?' * len(stages))})"
        rows = self.db.execute(
            "select url, count(*) as attempts, "
            "(select coalesce(f.requested_as, 'article') from failures f where f.url = failures.url "
            f" and f.{in_stages} and f.at >= ? order by f.at desc, f.id desc limit 1) "
            f"from failures where {in_stages} "
            "and at >= ? and url not in (select url from sightings) "
            "and url not in (select final_url from sightings where final_url is not null) "
            "group by url having attempts < ? "
            # its latest failure must be one of those (once per URL, here): a retry that failed
            # otherwise (no article body, a parse error) is not asked for again and again
            "and (select f.stage from failures f where f.url = failures.url "
            f" order by f.at desc, f.id desc limit 1) in ({','.join('?' * len(stages))}) "
            "order by max(at) desc",
            [*stages, since or "", *stages, since or "", max_attempts, *stages],
        ).fetchall()
        wanted = {h.lower() for h in hosts}
        return [(url, kind) for url, _, kind in rows if (urlsplit(url).hostname or "").lower() in wanted]

    def _candidates_where(self, where: str, params: Iterable[Any]) -> list[CandidateText]:
        sql = (
            "select t.id, t.title, t.body, t.chars, t.content_hash, t.signature, "
            "t.canonical_sighting_id, s.url, s.published, s.fetched_at, s.relation, s.content_hash "
            "from texts t left join sightings s on s.id = t.canonical_sighting_id "
            f"where {where}"
        )
        return [CandidateText(*row) for row in self.db.execute(sql, list(params)).fetchall()]

    def texts_by_content_hash(self, content_hash: str) -> list[CandidateText]:
        """Texts whose canonical body, or any copy, normalises to ``content_hash``."""
        return self._candidates_where(
            "t.id in (select id from texts where content_hash = ? "
            "union select text_id from sightings where content_hash = ?)",
            [content_hash, content_hash],
        )

    def texts_by_band_keys(self, band_keys: Iterable[int]) -> list[CandidateText]:
        """Texts that share at least one LSH band with a signature, most shared first."""
        keys = list(band_keys)
        if not keys:
            return []
        marks = ",".join("?" * len(keys))
        rows = self.db.execute(
            f"select text_id, count(*) as n from text_bands where band_key in ({marks}) "
            f"group by text_id order by n desc limit {MAX_CANDIDATES}",
            keys,
        ).fetchall()
        if not rows:
            return []
        ids = [r[0] for r in rows]
        order = {text_id: i for i, text_id in enumerate(ids)}
        found = self._candidates_where(f"t.id in ({','.join('?' * len(ids))})", ids)
        return sorted(found, key=lambda c: order[c.id])

    def text(self, text_id: int) -> dict[str, Any] | None:
        """One text row as a dict."""
        rows = self._dicts("select * from texts where id = ?", [text_id])
        return rows[0] if rows else None

    def sightings_of(self, text_id: int) -> list[dict[str, Any]]:
        """All sightings of a text, original first, then by date."""
        return self._dicts(
            "select * from sightings where text_id = ? order by relation != 'original', "
            "coalesce(published, fetched_at), id",
            [text_id],
        )

    def sighting(self, sighting_id: int) -> dict[str, Any] | None:
        """One sighting row as a dict."""
        rows = self._dicts("select * from sightings where id = ?", [sighting_id])
        return rows[0] if rows else None

    def recommendations_of(self, sighting_id: int) -> list[dict[str, Any]]:
        return self._dicts("select * from recommendations where sighting_id = ? order by position", [sighting_id])

    def _dicts(self, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
        # not db.query(): it wraps each statement in a savepoint, and every savepoint
        # makes the FTS5 search tables flush their pending terms as a new segment
        cursor = self.db.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def iter_texts(self) -> Iterator[dict[str, Any]]:
        yield from self.db.query("select * from texts order by id")

    def iter_sightings_chronological(self) -> Iterator[dict[str, Any]]:
        """Every sighting with its text's stored body, earliest published (then fetched)
        first: the order in which ``dedup --rebuild`` re-clusters the archive."""
        yield from self.db.query(
            "select s.*, t.body as text_body, t.body_html as text_body_html "
            "from sightings s join texts t on t.id = s.text_id "
            "order by s.published is null, substr(s.published, 1, 19), s.fetched_at, s.id"
        )

    # -- writes ------------------------------------------------------------------
    def add_text(
        self,
        *,
        title: str | None,
        body: str,
        body_html: str | None,
        lang: str | None,
        content_hash: str,
        signature: bytes | None,
        band_keys: Iterable[int],
        seen: str,
    ) -> int:
        """Store a new distinct text and its LSH bands; returns its id."""
        with self.atomic():
            cur = self.db.execute(
                "insert into texts(title, body, body_html, lang, chars, first_seen, last_seen, "
                "content_hash, signature) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [title, body, body_html, lang, len(body), seen, seen, content_hash, signature],
            )
            text_id = int(cur.lastrowid)
            self.db.conn.executemany(
                "insert or ignore into text_bands(band_key, text_id) values (?, ?)",
                [(key, text_id) for key in band_keys],
            )
        return text_id

    def replace_text_body(
        self,
        text_id: int,
        *,
        title: str | None,
        body: str,
        body_html: str | None,
        lang: str | None,
        content_hash: str,
        signature: bytes | None,
        band_keys: Iterable[int],
    ) -> None:
        """Make another copy's body the stored one (a fuller or earlier copy was found)."""
        with self.atomic():
            self.db.execute(
                "update texts set title = ?, body = ?, body_html = ?, lang = ?, chars = ?, "
                "content_hash = ?, signature = ? where id = ?",
                [title, body, body_html, lang, len(body), content_hash, signature, text_id],
            )
            self.db.execute("delete from text_bands where text_id = ?", [text_id])
            self.db.conn.executemany(
                "insert or ignore into text_bands(band_key, text_id) values (?, ?)",
                [(key, text_id) for key in band_keys],
            )

    def add_sighting(self, text_id: int, **columns: Any) -> int:
        """Record one place ``text_id`` was seen; ``columns`` are ``sightings`` columns."""
        columns = dict(columns)
        url = columns["url"]
        columns.setdefault("site", urlsplit(columns.get("final_url") or url).hostname)
        columns.setdefault("last_seen", columns["fetched_at"])
        names = ["text_id", *columns]
        with self.atomic():
            cur = self.db.execute(
                f"insert into sightings({', '.join(names)}) values ({', '.join('?' * len(names))})",
                [text_id, *columns.values()],
            )
            sighting_id = int(cur.lastrowid)
            self._refresh_text(text_id, columns["last_seen"])
        return sighting_id

    def update_sighting(self, sighting_id: int, **columns: Any) -> None:
        """Change columns of a sighting (e.g. ``last_seen``, ``relation``, ``text_id``)."""
        if not columns:
            return
        with self.atomic():
            old = self.db.execute(
                "select text_id from sightings where id = ?", [sighting_id]
            ).fetchone()
            assignments = ", ".join(f"{name} = ?" for name in columns)
            self.db.execute(
                f"update sightings set {assignments} where id = ?",
                [*columns.values(), sighting_id],
            )
            new_text = columns.get("text_id")
            if old and new_text is not None and new_text != old[0]:
                self._refresh_text(old[0], None)
            self._refresh_text(new_text or (old[0] if old else None), columns.get("last_seen"))

    def clear_band_index(self) -> None:
        """Empty the LSH band table (only for a full rebuild, inside one transaction)."""
        self.db.execute("delete from text_bands")

    def delete_texts_without_sightings(self, text_ids: Iterable[int]) -> int:
        """Delete those of ``text_ids`` that no sighting refers to; returns how many."""
        deleted = 0
        with self.atomic():
            for text_id in text_ids:
                if self.db.execute("select 1 from sightings where text_id = ? limit 1", [text_id]).fetchone():
                    continue
                self.db.execute("delete from text_bands where text_id = ?", [text_id])
                self.db.execute("delete from texts where id = ?", [text_id])
                deleted += 1
        return deleted

    def set_canonical(self, text_id: int, sighting_id: int) -> None:
        """Make ``sighting_id`` the original of ``text_id``."""
        with self.atomic():
            self.db.execute(
                "update texts set canonical_sighting_id = ? where id = ?", [sighting_id, text_id]
            )

    def _refresh_text(self, text_id: int | None, seen: str | None) -> None:
        if text_id is None:
            return
        self.db.execute(
            "update texts set sighting_count = (select count(*) from sightings where text_id = ?), "
            "last_seen = max(last_seen, coalesce(?, last_seen)) where id = ?",
            [text_id, seen, text_id],
        )

    def replace_recommendations(
        self, sighting_id: int, records: Iterable[RecommendationRecord]
    ) -> int:
        """Store the recommendations seen beside a sighting, replacing earlier ones."""
        rows = [
            (sighting_id, r.position, r.block, r.title, r.url, r.author, r.snippet,
             r.reads, r.comments, r.likes)
            for r in records
        ]
        with self.atomic():
            self.db.execute("delete from recommendations where sighting_id = ?", [sighting_id])
            self.db.conn.executemany(
                "insert into recommendations(sighting_id, position, block, title, url, author, "
                "snippet, reads, comments, likes) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
        return len(rows)

    # -- reporting ---------------------------------------------------------------
    def stats(self) -> ArchiveStats:
        """Counts of texts, sightings by relation, sites, recommendations, crawls, failures."""

        def count(sql: str) -> int:
            return int(self.db.execute(sql).fetchone()[0])

        by_relation = {
            relation: n
            for relation, n in self.db.execute(
                "select relation, count(*) from sightings group by relation order by relation"
            ).fetchall()
        }
        return ArchiveStats(
            texts=count("select count(*) from texts"),
            sightings=count("select count(*) from sightings"),
            sightings_by_relation=by_relation,
            sites=count("select count(distinct site) from sightings"),
            recommendations=count("select count(*) from recommendations"),
            crawls=count("select count(*) from crawls"),
            failures=count("select count(*) from failures"),
        )
