"""The page of one text: canonical body, provenance, differences, recommendations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from archive.datasette.diffs import paragraphs, sighting_diff

if TYPE_CHECKING:
    from datasette.database import Database

#: Original first, then copies by date, as ``Archive.sightings_of`` orders them.
SIGHTINGS_SQL = (
    "select * from sightings where text_id = :id "
    "order by id != :canonical, relation != 'original', coalesce(published, fetched_at), id"
)
RECOMMENDATIONS_SQL = (
    "select * from recommendations where sighting_id in "
    "(select id from sightings where text_id = :id) order by sighting_id, position"
)


def safe_href(url: str | None) -> str | None:
    """``url`` if it is an http(s) link, else None: crawled ``javascript:`` links stay text."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in {"http", "https"} else None


async def text_context(db: Database, text_id: int) -> dict[str, Any] | None:
    """Everything the text page shows, or None when there is no such text."""
    rows = (await db.execute("select * from texts where id = :id", {"id": text_id})).rows
    if not rows:
        return None
    text = dict(rows[0])
    params = {"id": text_id, "canonical": text.get("canonical_sighting_id") or -1}
    sightings = [dict(r) for r in (await db.execute(SIGHTINGS_SQL, params)).rows]
    recommendations = [dict(r) for r in (await db.execute(RECOMMENDATIONS_SQL, params)).rows]
    by_sighting: dict[int, list[dict[str, Any]]] = {}
    for rec in recommendations:
        rec["href"] = safe_href(rec.get("url"))
        by_sighting.setdefault(rec["sighting_id"], []).append(rec)
    for sighting in sightings:
        sighting["href"] = safe_href(sighting.get("final_url") or sighting.get("url"))
        sighting["is_canonical"] = sighting["id"] == text.get("canonical_sighting_id")
        sighting["diff"] = sighting_diff(sighting, text)
        sighting["recommendations"] = by_sighting.get(sighting["id"], [])
    return {
        "text": text,
        "paragraphs": paragraphs(text.get("body")),
        "sightings": sightings,
        "recommendation_count": len(recommendations),
    }
