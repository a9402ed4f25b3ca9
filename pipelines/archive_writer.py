"""Batched archive writes: one transaction per batch, one writer, decisions in order.

:func:`record_pages` records several pages in one transaction, each inside its own
savepoint, by calling :func:`pipelines.recording.record_page` for each in turn: a
page sees every page recorded before it, in the same batch or earlier, exactly as if
each had its own transaction. :class:`ArchiveWriter` feeds it from the store pipeline
(group commit: whatever queued up while the previous batch was written becomes the
next batch, so batches grow with load and add no delay when idle).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from pipelines.recording import record_page

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from archive import Archive
    from pipelines.dedup import DedupParams
    from pipelines.recording import PageRecord, RecordOutcome

logger = logging.getLogger(__name__)


def run_batch(archive: Archive, jobs: Sequence[Callable[[], Any]]) -> list[Any]:
    """Run write ``jobs`` in one transaction, each in a savepoint; returns each job's
    result, or the exception it raised (its writes rolled back, the others kept).

    If the transaction itself is lost (the database is locked or full), nothing of the
    batch is kept and every job gets the exception.
    """
    results: list[Any] = []
    try:
        with archive.atomic():
            for job in jobs:
                try:
                    with archive.savepoint():
                        results.append(job())
                except Exception as exc:  # noqa: BLE001 - reported per page by the caller
                    if not archive.in_transaction:
                        raise
                    results.append(exc)
    except Exception as exc:  # noqa: BLE001
        return [exc] * len(jobs)
    return results


def record_pages(
    archive: Archive, pages: Sequence[PageRecord], params: DedupParams, crawl_id: int | None = None
) -> list[RecordOutcome | Exception]:
    """Record ``pages`` in order, in one transaction (see :func:`run_batch`)."""

    def job(page: PageRecord) -> Callable[[], RecordOutcome]:
        return lambda: record_page(archive, page, params, crawl_id)

    return run_batch(archive, [job(page) for page in pages])


class ArchiveWriter:
    """The single writer of an archive during a crawl.

    Jobs run in the order they were submitted; the writer takes up to ``batch_size``
    queued jobs at a time and runs them in one transaction.

    :param archive: the open archive (its connection must allow use from another
        thread, as :class:`archive.Archive` does)
    :param batch_size: most jobs per transaction
    :param threaded: write in one dedicated thread (SQLite releases the GIL while it
        works) instead of on the reactor thread
    """

    def __init__(self, archive: Archive, *, batch_size: int = 100, threaded: bool = True) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.archive = archive
        self.batch_size = batch_size
        self.threaded = threaded
        self.batches = 0
        self.cpu_seconds = 0.0
        self._pending: deque[tuple[Callable[[], Any], asyncio.Future[Any]]] = deque()
        self._busy = False
        self._idle: asyncio.Future[None] | None = None
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="archive-writer") if threaded else None

    def submit(self, job: Callable[[], Any]) -> asyncio.Future[Any]:
        """Queue ``job`` (a callable doing archive writes); the future gets its result
        or the exception it raised, once its batch is committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._pending.append((job, future))
        self._kick(loop)
        return future

    def _kick(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._busy:
            return
        if not self._pending:
            if self._idle is not None and not self._idle.done():
                self._idle.set_result(None)
            return
        batch = [self._pending.popleft() for _ in range(min(self.batch_size, len(self._pending)))]
        self._busy = True
        if self._thread is not None:
            done = self._thread.submit(self._write, [job for job, _ in batch])
            done.add_done_callback(lambda f: loop.call_soon_threadsafe(self._finish, loop, batch, f.result()))
        else:
            loop.call_soon(lambda: self._finish(loop, batch, self._write([job for job, _ in batch])))

    def _write(self, jobs: list[Callable[[], Any]]) -> tuple[list[Any], float]:
        start = time.thread_time()
        results = run_batch(self.archive, jobs)
        return results, time.thread_time() - start

    def _finish(
        self,
        loop: asyncio.AbstractEventLoop,
        batch: list[tuple[Callable[[], Any], asyncio.Future[Any]]],
        outcome: tuple[list[Any], float],
    ) -> None:
        results, seconds = outcome
        self.batches += 1
        self.cpu_seconds += seconds
        self._busy = False
        for (_, future), result in zip(batch, results, strict=True):
            if future.done():  # cancelled by a shutdown
                continue
            if isinstance(result, Exception):
                future.set_exception(result)
            else:
                future.set_result(result)
        self._kick(loop)

    async def drain(self) -> None:
        """Wait until every queued job is committed."""
        while self._busy or self._pending:
            if self._idle is None or self._idle.done():
                self._idle = asyncio.get_running_loop().create_future()
            await self._idle

    def close(self) -> None:
        """Stop the writer thread (call :meth:`drain` first)."""
        if self._thread is not None:
            self._thread.shutdown(wait=True)
            self._thread = None
