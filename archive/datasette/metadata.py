"""What Datasette shows about an archive: descriptions, table settings, canned queries.

Plain data. Descriptions (``description``, ``columns``) are kept apart from table
settings (sorts, facets, labels, hidden tables) because Datasette 1.0 stores the
first as metadata and the second as configuration.
"""

from __future__ import annotations

from typing import Any

#: Tables whose presence marks a database as a blogarchive archive.
ARCHIVE_TABLES = frozenset({"texts", "sightings", "recommendations", "crawls", "failures"})

TITLE = "blogarchive"
DESCRIPTION = (
    "Articles crawled from blogging platforms. A reposted article is stored once as a text; "
    "every place it was seen is a sighting with its provenance. Open a text's title for its "
    "page: body, who published it where and when, how each copy differs, and what was "
    "recommended beside it."
)

TABLE_DESCRIPTIONS: dict[str, dict[str, Any]] = {
    "texts": {
        "description": "One row per distinct text: reposts of the same article share a row. "
        "Search matches Chinese of any length (one character or more) in simplified "
        "or traditional characters, and English words.",
        "columns": {
            "id": "Text id; /-/blogarchive/<database>/text/<id> is its page.",
            "title": "Title of the canonical copy.",
            "body": "Body text of the stored copy, without sidebars or recommendations.",
            "body_html": "The body as sanitised HTML (shown as text, never rendered).",
            "lang": "Language detected for the body (e.g. zh, en).",
            "chars": "Length of the body in characters.",
            "canonical_sighting_id": "The sighting held to be the original publication.",
            "sighting_count": "How many pages this text was seen on.",
            "first_seen": "When any copy was first fetched (UTC).",
            "last_seen": "When any copy was last fetched (UTC).",
            "content_hash": "Hash of the normalised body: equal for exact copies.",
            "signature": "MinHash signature used to find near-duplicates.",
        },
    },
    "sightings": {
        "description": "One row per URL where a text appeared: who published it, where, when, "
        "and how close it is to the canonical text.",
        "columns": {
            "id": "Sighting id.",
            "text_id": "The text seen here.",
            "url": "URL as requested.",
            "final_url": "URL after redirects.",
            "site": "Host name of the page.",
            "platform": "Blogging platform (jianshu, csdn, cnblogs, wechat, medium, wordpress, ...).",
            "author": "Author named on the page.",
            "title": "Title as shown on this page.",
            "published": "Publication date given by the page.",
            "fetched_at": "When this page was first fetched (UTC).",
            "last_seen": "When this page was last fetched (UTC).",
            "http_status": "HTTP status of the last fetch.",
            "relation": "original, exact (same text), near (small edits) or excerpt (part of it).",
            "similarity": "Estimated Jaccard similarity to the canonical text (1 = same).",
            "containment": "Share of this copy found in the canonical text.",
            "crawl_id": "The crawl that first recorded this page.",
            "content_hash": "Hash of this copy's normalised body.",
            "declared_original": "Original URL the page itself names (转载 notices, canonical links).",
            "etag": "ETag header, for conditional re-fetching.",
            "last_modified": "Last-Modified header, for conditional re-fetching.",
            "lang": "Language of this copy.",
            "chars": "Length of this copy's body in characters.",
            "body_diff": "Paragraph-level differences from the canonical body (JSON).",
        },
    },
    "recommendations": {
        "description": "Promoted stories seen beside an article (推荐阅读, 'More from Medium', related "
        "posts), kept apart from the body.",
        "columns": {
            "id": "Recommendation id.",
            "sighting_id": "The page they were shown on.",
            "position": "Order on the page, from 0.",
            "block": "Heading of the block they were listed under.",
            "title": "Title of the recommended story.",
            "url": "Link to the recommended story.",
            "author": "Author of the recommended story.",
            "snippet": "Teaser text shown with it.",
            "reads": "Read count shown on the page.",
            "comments": "Comment count shown on the page.",
            "likes": "Like count shown on the page.",
        },
    },
    "crawls": {
        "description": "One row per crawl run: spider, arguments, outcome and Scrapy stats.",
        "columns": {
            "id": "Crawl id.",
            "spider": "Spider that ran.",
            "args": "Spider arguments (JSON).",
            "started": "Start time (UTC).",
            "finished": "End time (UTC), empty while running.",
            "status": "running, finished or failed.",
            "stats": "Scrapy and blogarchive stats at the end (JSON).",
        },
    },
    "failures": {
        "description": "Pages that could not be archived, with the stage that failed and why.",
        "columns": {
            "id": "Failure id.",
            "url": "Page URL.",
            "crawl_id": "The crawl that met the failure.",
            "stage": "Where it failed: fetch, blocked, discovery (a listing, feed, sitemap, API or start page), robots, offsite, redirect, config, parse, worker, extract, pipeline or dropped (a pipeline's own drop). Later crawls retry fetch, blocked, worker and pipeline.",
            "requested_as": "What the crawl asked for: article, page (article or listing, decided on the answer), listing, feed, sitemap or api. A failed page is retried as a page, never forced to be an article.",
            "reason": "What went wrong.",
            "http_status": "HTTP status, when there was a response.",
            "at": "When (UTC).",
        },
    },
    "archive_meta": {
        "description": "Settings the archive was built with (MinHash parameters).",
        "columns": {"key": "Setting name.", "value": "Setting value."},
    },
    "text_bands": {"description": "LSH index of text signatures (internal)."},
    "writer_batches": {"description": "The last batch the crawl's writer process committed (internal)."},
    "texts_search": {"description": "Full-text index of texts' titles and bodies (internal, kept by triggers)."},
    "sightings_search": {
        "description": "Full-text index of sightings' titles and authors (internal, kept by triggers)."
    },
}

TABLE_SETTINGS: dict[str, dict[str, Any]] = {
    "texts": {"label_column": "title", "sort_desc": "sighting_count", "facets": ["lang"]},
    "sightings": {
        "label_column": "title",
        "sort_desc": "fetched_at",
        "facets": ["platform", "site", "author", "relation", "lang", "crawl_id"],
    },
    "recommendations": {
        "label_column": "title",
        "sort": "sighting_id",
        "facets": ["block", "author"],
    },
    "crawls": {"label_column": "started", "sort_desc": "started", "facets": ["spider", "status"]},
    "failures": {"sort_desc": "at", "facets": ["stage", "crawl_id", "http_status"]},
    "text_bands": {"hidden": True},
    "writer_batches": {"hidden": True},
    "texts_search": {"hidden": True},
    "sightings_search": {"hidden": True},
}

CANNED_QUERIES: dict[str, dict[str, Any]] = {
    "most_reposted": {
        "title": "Most reposted texts",
        "description": "Texts seen on more than one page, most copies first.",
        "sql": """select
  t.id as text_id,
  t.title,
  count(s.id) as copies,
  count(distinct s.site) as sites,
  group_concat(distinct s.platform) as platforms,
  min(coalesce(s.published, s.fetched_at)) as first_published,
  o.url as original_url
from texts t
join sightings s on s.text_id = t.id
left join sightings o on o.id = t.canonical_sighting_id
group by t.id
having count(s.id) > 1
order by copies desc, first_published
limit 200""",
    },
    "text_timeline": {
        "title": "Sightings of one text, on a timeline",
        "description": "Who posted the text, when and where, how (relation) and how closely.",
        "sql": """select
  coalesce(s.published, s.fetched_at) as "when",
  s.relation,
  s.platform,
  s.site,
  s.author,
  s.title,
  round(s.similarity, 3) as similarity,
  round(s.containment, 3) as containment,
  s.url,
  s.declared_original,
  s.fetched_at,
  s.id as sighting_id
from sightings s
where s.text_id = :text_id
order by coalesce(s.published, s.fetched_at), s.relation != 'original', s.id""",
    },
    "top_reposters": {
        "title": "Sites that repost the most, and from whom",
        "description": "Copies that are not the original, by site and platform, with the "
        "authors and platforms of the originals they copied.",
        "sql": """select
  r.site,
  r.platform,
  count(*) as reposts,
  count(distinct r.text_id) as texts,
  group_concat(distinct r.author) as reposted_by,
  group_concat(distinct o.author) as original_authors,
  group_concat(distinct o.platform) as original_platforms
from sightings r
join texts t on t.id = r.text_id
left join sightings o on o.id = t.canonical_sighting_id
where r.relation != 'original'
group by r.site, r.platform
order by reposts desc, r.site
limit 200""",
    },
    "top_recommendations": {
        "title": "Recommendations seen most often",
        "description": "Promoted stories by how many pages showed them.",
        "sql": """select
  r.title,
  r.url,
  r.author,
  count(*) as times_shown,
  count(distinct s.text_id) as beside_texts,
  group_concat(distinct s.platform) as platforms,
  group_concat(distinct r.block) as blocks,
  max(r.reads) as max_reads
from recommendations r
join sightings s on s.id = r.sighting_id
group by coalesce(r.url, r.title)
order by times_shown desc, r.title
limit 200""",
    },
    "crawl_history": {
        "title": "Crawl history with failures",
        "description": "Each crawl run, newest first: what it fetched, what it added and what failed.",
        "sql": """select
  c.id as crawl_id,
  c.spider,
  json_extract(c.args, '$.url') as url,
  c.started,
  c.finished,
  c.status,
  json_extract(c.stats, '$.response_received_count') as pages_fetched,
  json_extract(c.stats, '$."blogarchive/archive/texts_added"') as texts_added,
  (select count(*) from sightings s where s.crawl_id = c.id) as sightings_recorded,
  (select count(*) from failures f where f.crawl_id = c.id) as failures,
  (select group_concat(stage || ': ' || n, ', ')
     from (select stage, count(*) as n from failures f where f.crawl_id = c.id group by stage)
  ) as failures_by_stage
from crawls c
order by c.started desc
limit 500""",
    },
    "crawl_failures": {
        "title": "Failures of a crawl",
        "description": "Pages a crawl could not archive (leave crawl_id empty for all crawls).",
        "sql": """select f.at, f.crawl_id, f.stage, f.http_status, f.url, f.reason
from failures f
where :crawl_id = '' or f.crawl_id = :crawl_id
order by f.at desc
limit 1000""",
    },
}


def database_metadata() -> dict[str, Any]:
    """Metadata for one archive database in Datasette 0.65's ``metadata.json`` shape."""
    tables = {
        name: {**TABLE_DESCRIPTIONS.get(name, {}), **TABLE_SETTINGS.get(name, {})}
        for name in TABLE_DESCRIPTIONS.keys() | TABLE_SETTINGS.keys()
    }
    return {"description": DESCRIPTION, "tables": tables}
