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
import multiprocessing.util
import pickle
import time
import uuid
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TYPE_CHECKING, Any

from archive import Archive
from pipelines.dedup.normalise import t2s_triggers
from pipelines.process_pool import ProcessPool, WorkerDied
from pipelines.recording import record_page

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from pipelines.dedup import DedupParams
    from pipelines.recording import PageRecord, RecordOutcome

logger = logging.getLogger(__name__)


def run_batch(
    archive: Archive,
    jobs: Sequence[Callable[[Archive], Any]],
    before_commit: Callable[[list[Any]], None] | None = None,
) -> list[Any]:
    """Run write ``jobs`` (each called with the archive; for the process writer they must
    pickle: module-level functions, ``partial`` or ``operator.methodcaller``, no lambdas)
    in one transaction; returns each job's result, or the exception it raised (its
    writes rolled back, the others kept). ``before_commit`` is called with the results
    inside the transaction, after the last job.

    The batch first runs without savepoints: a savepoint makes SQLite's FTS5 search
    tables flush their pending terms, and one per page cost about 0.3 ms of a 2 ms
    page. Only if a job fails is the batch rolled back and run again with a savepoint
    per job, so that the failing job alone loses its writes. Jobs are database writes
    and must not depend on running once.

    If the transaction itself is lost (the database is locked or full), nothing of the
    batch is kept and every job gets the exception.
    """
    if archive.in_transaction:  # inside a caller's transaction nothing could be rolled back alone
        return _run_batch_isolated(archive, jobs, before_commit)
    try:
        with archive.atomic():
            results = []
            for job in jobs:
                try:
                    results.append(job(archive))
                except Exception as exc:
                    if not archive.in_transaction:
                        raise
                    raise _JobFailed from exc
            if before_commit is not None:
                before_commit(results)
            return results
    except _JobFailed as failed:
        logger.debug("a write job failed; running its batch again job by job", exc_info=failed.__cause__)
    except Exception as exc:  # noqa: BLE001 - the transaction is lost: every job fails with it
        return [exc] * len(jobs)
    return _run_batch_isolated(archive, jobs, before_commit)


class _JobFailed(Exception):
    """One job of an optimistic batch failed; the batch is rolled back and isolated."""


def _run_batch_isolated(
    archive: Archive,
    jobs: Sequence[Callable[[Archive], Any]],
    before_commit: Callable[[list[Any]], None] | None = None,
) -> list[Any]:
    results: list[Any] = []
    try:
        with archive.atomic():
            for job in jobs:
                try:
                    with archive.savepoint():
                        results.append(job(archive))
                except Exception as exc:  # noqa: BLE001 - reported per page by the caller
                    if not archive.in_transaction:
                        raise
                    results.append(exc)
            if before_commit is not None:
                before_commit(results)
    except Exception as exc:  # noqa: BLE001
        return [exc] * len(jobs)
    return results


def record_pages(
    archive: Archive, pages: Sequence[PageRecord], params: DedupParams, crawl_id: int | None = None
) -> list[RecordOutcome | Exception]:
    """Record ``pages`` in order, in one transaction (see :func:`run_batch`)."""

    return run_batch(archive, [partial(record_page, page=page, params=params, crawl_id=crawl_id) for page in pages])


# -- the writer process ---------------------------------------------------------------------
_CHILD_ARCHIVE: Archive | None = None


def _child_open(path: str, timeout: float) -> None:
    global _CHILD_ARCHIVE
    _CHILD_ARCHIVE = Archive(path, timeout=timeout)
    t2s_triggers()  # built now rather than by the first Chinese body re-fingerprinted here
    # runs when the process exits normally (the pool shut down): checkpoint and close
    multiprocessing.util.Finalize(None, _child_close, exitpriority=10)


def _child_write(jobs: list[Callable[[Archive], Any]], token: str | None = None) -> tuple[list[Any], float]:
    """Run a batch in the writer process. With a ``token``, the batch's results are kept
    in the archive in the same transaction, so that running the batch again (the pool
    retries it when this process dies, which may happen after COMMIT but before the
    results reach the crawl) reports those results instead of writing everything twice."""
    archive = _CHILD_ARCHIVE
    assert archive is not None
    start = time.thread_time()
    if token is not None:
        committed = archive.committed_batch(token)
        if committed is not None:
            logger.warning("A batch of %(n)d pages was committed by a writer process that died before "
                           "reporting it; reporting its results", {"n": len(jobs)})
            return pickle.loads(committed), time.thread_time() - start  # noqa: S301 - our own row, our token
    # raising in before_commit would roll the batch back: _remember_batch only logs
    remember = None if token is None else partial(_remember_batch, archive, token)
    results = run_batch(archive, jobs, remember)
    return results, time.thread_time() - start


def _remember_batch(archive: Archive, token: str, results: list[Any]) -> None:
    try:
        blob = pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - a result that does not pickle cannot be reported either
        logger.warning("The results of a batch do not pickle; if the writer dies before reporting them, "
                       "the batch is written again", exc_info=True)
        return
    archive.remember_batch(token, blob)


def _child_close() -> None:
    global _CHILD_ARCHIVE
    if _CHILD_ARCHIVE is not None:
        _CHILD_ARCHIVE.close()
        _CHILD_ARCHIVE = None


class WriterStopped(RuntimeError):
    """The writer was stopped (the crawl shut down) before a job's batch was written."""


class ArchiveWriter:
    """The single writer of an archive during a crawl.

    Jobs run in the order they were submitted; the writer takes up to ``batch_size``
    queued jobs at a time and runs them in one transaction.

    :param archive: the open archive (its connection must allow use from another
        thread, as :class:`archive.Archive` does)
    :param batch_size: most jobs per transaction
    :param mode: ``thread``: one dedicated thread (SQLite releases the GIL while it
        works, the Python part of recording does not); ``process``: one dedicated process
        with its own connection, so recording takes no CPU from the reactor's process
        (if it dies, a new one runs the batch again, then its pages one by one, so that
        a page that kills it fails alone; a batch it had committed before dying is
        not run again, its recorded results are reported); ``reactor``: on the reactor thread
    """

    def __init__(self, archive: Archive, *, batch_size: int = 100, mode: str = "thread") -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        if mode not in ("thread", "process", "reactor"):
            raise ValueError(f"writer mode must be 'thread', 'process' or 'reactor', not {mode!r}")
        self.archive = archive
        self.batch_size = batch_size
        self.mode = mode
        self.batches = 0
        self.cpu_seconds = 0.0
        self._pending: deque[tuple[Callable[[Archive], Any], asyncio.Future[Any]]] = deque()
        self._busy = False
        self._task: asyncio.Task[None] | None = None  # the running process batch (asyncio keeps only weak references)
        self._idle: asyncio.Future[None] | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._process: ProcessPool | None = None
        if mode == "thread":
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="archive-writer")
        elif mode == "process":
            self._process = ProcessPool(
                1, initializer=_child_open, initargs=(str(archive.path), archive.timeout),
                name="archive writer process",
            )
            self._process.open()

    def submit(self, job: Callable[[Archive], Any]) -> asyncio.Future[Any]:
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
        jobs = [job for job, _ in batch]
        if self._process is not None:
            self._task = loop.create_task(self._write_in_process(loop, batch, jobs))
        elif self._executor is not None:
            done = self._executor.submit(self._write, jobs)
            done.add_done_callback(lambda f: loop.call_soon_threadsafe(self._finish, loop, batch, self._outcome(f, jobs)))
        else:
            loop.call_soon(lambda: self._finish(loop, batch, self._write([job for job, _ in batch])))

    @staticmethod
    def _outcome(done: Any, jobs: list[Any]) -> tuple[list[Any], float]:
        error = done.exception()
        if error is not None:  # the writer thread could not run the batch: every job failed
            return [error] * len(jobs), 0.0
        return done.result()

    async def _write_in_process(
        self,
        loop: asyncio.AbstractEventLoop,
        batch: list[tuple[Callable[[Archive], Any], asyncio.Future[Any]]],
        jobs: list[Callable[[Archive], Any]],
    ) -> None:
        """Run ``jobs`` in the writer process. If it dies on the batch (the pool already
        retried it once on a new process), the batch is reported from its recorded
        results if it committed, else each job runs alone (the dead transaction was
        rolled back), so that one page that kills the writer fails by itself."""
        assert self._process is not None
        outcome: tuple[list[Any], float] = ([WriterStopped("the archive writer stopped")] * len(jobs), 0.0)
        try:
            outcome = await self._run_in_process(jobs)
        except WorkerDied as died:
            outcome = ([died], 0.0) if len(jobs) == 1 else await self._write_one_by_one(jobs)
        except Exception as exc:  # noqa: BLE001 - e.g. a job that does not pickle: the batch fails
            outcome = ([exc] * len(jobs), 0.0)
        finally:  # also when cancelled: every future is resolved, and drain() does not hang
            self._finish(loop, batch, outcome)

    async def _run_in_process(self, jobs: list[Callable[[Archive], Any]]) -> tuple[list[Any], float]:
        """``jobs`` as one batch in the writer process, under a fresh token (see
        :func:`_child_write`). When the process dies on every try, the results are read
        here if the batch committed all the same; else :class:`WorkerDied` is raised."""
        assert self._process is not None
        token = uuid.uuid4().hex
        try:
            return await self._process.run(_child_write, jobs, token)
        except WorkerDied:
            committed = self.archive.committed_batch(token)
            if committed is None:
                raise
            logger.warning("The archive writer process died after committing a batch of %(n)d pages; "
                           "reporting its recorded results", {"n": len(jobs)})
            return pickle.loads(committed), 0.0  # noqa: S301 - our own row, under our fresh token

    async def _write_one_by_one(self, jobs: list[Callable[[Archive], Any]]) -> tuple[list[Any], float]:
        """Each job in a writer process of its own turn. Two deaths in a row mean the
        writer cannot run at all (the archive does not open, say): the rest then fail
        without starting two processes each."""
        assert self._process is not None
        logger.warning("The archive writer process died on a batch of %(n)d pages; writing them one by one",
                       {"n": len(jobs)})
        results: list[Any] = []
        seconds = 0.0
        deaths_in_a_row = 0
        for job in jobs:
            if deaths_in_a_row >= 2:
                results.append(WorkerDied("the archive writer process keeps dying; page not written"))
                continue
            try:
                (result,), spent = await self._run_in_process([job])
                deaths_in_a_row = 0
            except WorkerDied as exc:
                result, spent = exc, 0.0
                deaths_in_a_row += 1
            except Exception as exc:  # noqa: BLE001 - it fails alone
                result, spent = exc, 0.0
            results.append(result)
            seconds += spent
        return results, seconds

    def _write(self, jobs: list[Callable[[Archive], Any]]) -> tuple[list[Any], float]:
        start = time.thread_time()
        results = run_batch(self.archive, jobs)
        return results, time.thread_time() - start

    def _finish(
        self,
        loop: asyncio.AbstractEventLoop,
        batch: list[tuple[Callable[[Archive], Any], asyncio.Future[Any]]],
        outcome: tuple[list[Any], float],
    ) -> None:
        results, seconds = outcome
        self.batches += 1
        self.cpu_seconds += seconds
        self._busy = False
        for (_, future), result in zip(batch, results, strict=True):
            if future.done():  # cancelled by a shutdown
                continue
            if isinstance(result, StopIteration | StopAsyncIteration):  # asyncio refuses these in a future
                future.set_exception(RuntimeError(f"the write raised {result!r}"))
            elif isinstance(result, Exception):
                future.set_exception(result)
            else:
                future.set_result(result)
        self._kick(loop)

    def pids(self) -> list[int]:
        """The writer process's pid (``process`` mode), for diagnostics and benchmarks."""
        return self._process.pids() if self._process is not None else []

    async def drain(self) -> None:
        """Wait until every queued job is committed."""
        while self._busy or self._pending:
            if self._idle is None or self._idle.done():
                self._idle = asyncio.get_running_loop().create_future()
            await self._idle

    def close(self) -> None:
        """Stop the writer thread or process (call :meth:`drain` first)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
        if self._process is not None:
            self._process.shutdown()  # the process closes its archive as it exits
            self._process = None
