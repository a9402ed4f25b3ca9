"""CPU work per page, off the reactor: extraction and fingerprint in one call, and the
process pool that runs it on every core.

Scrapy runs spiders and pipelines on one reactor thread, so parsing and MinHash done
in ``process_item`` cap a crawl at one core and stall the downloader.
:func:`process_page` does all the per-page CPU work (one parse, extraction, then
normalisation, shingles and MinHash of the extracted body) in a single call that a
:class:`WorkerPool` runs in another process and the reactor awaits.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from crawler.encoding import decode_html
from pipelines.dedup import fingerprint, shingled
from pipelines.dedup.normalise import t2s_triggers
from pipelines.extract import NoBodyFound, extract_article
from pipelines.process_pool import PRELOAD, ProcessPool, WorkerDied, default_processes

if TYPE_CHECKING:
    from pipelines.dedup import DedupParams, Fingerprint, Shingled
    from pipelines.extract import Extraction

logger = logging.getLogger(__name__)

__all__ = ["PRELOAD", "PageWork", "WorkerDied", "WorkerPool", "default_processes", "process_page"]


@dataclass(frozen=True)
class PageWork:
    """What :func:`process_page` made of one page.

    ``extraction`` is None when the page has no article body; ``rejected`` then says
    why. CPU seconds are measured in the process that did the work.
    """

    extraction: Extraction | None
    fingerprint: Fingerprint | None
    rejected: str | None = None
    #: the encoding the page was decoded with, when it came as bytes
    encoding: str | None = None
    #: the body's shingles, sent along so that verification in the writer need not
    #: normalise the body again
    shingles: Shingled | None = None
    extract_seconds: float = 0.0
    dedup_seconds: float = 0.0


def process_page(
    page: str | bytes,
    url: str | None,
    platform: str | None,
    params: DedupParams | None,
    content_type: str | None = None,
) -> PageWork:
    """Decode one page (when it comes as bytes, with its ``Content-Type``), extract it
    and fingerprint its body (when ``params`` is given).

    A pure function of its arguments, so it gives the same result in a worker process
    as on the reactor thread. Bytes cost less to send to a worker than text, and the
    decoding is done here, off the reactor.
    """
    start = time.thread_time()
    encoding = None
    if isinstance(page, bytes):
        page, encoding = decode_html(page, content_type)
    try:
        extraction = extract_article(page, url=url, platform=platform)
    except NoBodyFound as exc:
        return PageWork(None, None, rejected=str(exc), encoding=encoding, extract_seconds=time.thread_time() - start)
    extracted = time.thread_time()
    fp = fingerprint(extraction.body, params) if params is not None else None
    return PageWork(
        extraction,
        fp,
        encoding=encoding,
        extract_seconds=extracted - start,
        dedup_seconds=time.thread_time() - extracted,
        shingles=shingled(extraction.body, params) if params is not None else None,  # cached by fingerprint()
    )


def _warm_up(params: DedupParams | None) -> None:
    """Worker initialiser: load what the first page would otherwise pay for (parser,
    script converter, MinHash permutations)."""
    html = (
        "<html><head><title>w</title></head><body><article><p>" + "warm up text " * 20 + "</p></article></body></html>"
    )
    process_page(html, None, None, params)
    t2s_triggers()  # an English page never needs the traditional-character table; build it now


class WorkerPool(ProcessPool):
    """The pool that runs :func:`process_page`: a :class:`~pipelines.process_pool.ProcessPool`
    whose workers warm up (parser, script converter, MinHash permutations) for the
    ``params`` given to :meth:`start`, unless an ``initializer`` is given."""

    async def start(self, params: DedupParams | None = None) -> None:
        """Start every worker, warmed up for ``params``, without blocking the event loop."""
        if self._initializer is None:
            self._initializer, self._initargs = _warm_up, (params,)
        await super().start()
