"""Items the spiders yield. Pipelines read them through ``ItemAdapter``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def _left_out(_value: object) -> None:
    """Feed exports leave this field out (``null``): the raw page (bytes, or the decoded
    page in ``WORKERS_MODE = "inline"``) and shingle arrays are for the pipelines, and
    JSON cannot hold bytes."""
    return


def _as_dict(value: Any) -> Any:
    """A pipeline object (extraction, fingerprint) as its plain-data form, for exports."""
    return value.as_dict() if hasattr(value, "as_dict") else value


@dataclass
class ArticlePage:
    """One fetched article page, before extraction.

    The spider passes the page on as fetched (``body``, with its ``content-type`` in
    ``headers``): decoding belongs with extraction, off the reactor. Pipelines fill
    ``encoding`` and ``extraction`` (a ``pipelines.extract.Extraction``) and
    ``fingerprint`` (a ``pipelines.dedup.Fingerprint``) as it moves along, and the
    store pipeline ``archived`` (its text, sighting, relation and similarity); ``html``
    is the decoded page when something already decoded it (it is decoded from ``body``
    otherwise).

    Feed exports (``scrapy crawl … -o items.jsonl``) write the extraction and
    fingerprint as plain data and leave ``body``, ``html`` and ``shingles`` out (field
    serializers).
    """

    url: str
    final_url: str
    platform: str | None
    http_status: int
    fetched_at: str
    body: bytes = field(default=b"", metadata={"serializer": _left_out})
    html: str | None = field(default=None, metadata={"serializer": _left_out})
    encoding: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    extraction: Any = field(default=None, metadata={"serializer": _as_dict})
    fingerprint: Any = field(default=None, metadata={"serializer": _as_dict})
    #: a pipelines.dedup.Shingled of the body, when a worker made one
    shingles: Any = field(default=None, metadata={"serializer": _left_out})
    #: where the store pipeline put the page: ``text_id``, ``sighting_id``, ``relation``,
    #: ``similarity``, ``new_text``, ``unchanged``
    archived: dict[str, Any] | None = None


@dataclass
class PageFailure:
    """A page that could not be fetched or archived; it is recorded in ``failures``."""

    url: str
    stage: str
    reason: str
    http_status: int | None = None
    #: what the crawl asked for: ``article``, ``page`` (article or listing, decided on the
    #: answer), ``listing``, ``feed``, ``sitemap`` or ``api``; None when not a request
    requested_as: str | None = None


@dataclass
class NotModified:
    """An archived article that answered a conditional request with 304: nothing to
    extract, only its sighting's ``last_seen`` moves."""

    url: str
    fetched_at: str
