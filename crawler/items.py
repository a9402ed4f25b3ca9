"""Items the spiders yield. Pipelines read them through ``ItemAdapter``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ArticlePage:
    """One fetched article page, before extraction.

    The spider passes the page on as fetched (``body``, with its ``content-type`` in
    ``headers``): decoding belongs with extraction, off the reactor. Pipelines fill
    ``encoding`` and ``extraction`` (a ``pipelines.extract.Extraction``) and
    ``fingerprint`` (a ``pipelines.dedup.Fingerprint``) as it moves along; ``html`` is
    the decoded page when something already decoded it (it is decoded from ``body``
    otherwise).
    """

    url: str
    final_url: str
    platform: str | None
    http_status: int
    fetched_at: str
    body: bytes = b""
    html: str | None = None
    encoding: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    extraction: Any = None
    fingerprint: Any = None
    shingles: Any = None  # a pipelines.dedup.Shingled of the body, when a worker made one


@dataclass
class PageFailure:
    """A page that could not be fetched or archived; it is recorded in ``failures``."""

    url: str
    stage: str
    reason: str
    http_status: int | None = None


@dataclass
class NotModified:
    """An archived article that answered a conditional request with 304: nothing to
    extract, only its sighting's ``last_seen`` moves."""

    url: str
    fetched_at: str
