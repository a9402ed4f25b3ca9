"""CPU work per page, off the reactor: extraction and fingerprint in one call, and the
process pool that runs it on every core.

Scrapy runs spiders and pipelines on one reactor thread, so parsing and MinHash done
in ``process_item`` cap a crawl at one core and stall the downloader.
:func:`process_page` does all the per-page CPU work (one parse, extraction, then
normalisation, shingles and MinHash of the extracted body) in a single call that a
:class:`WorkerPool` runs in another process and the reactor awaits.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import select
import threading
import time
import weakref
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from crawler.encoding import decode_html
from pipelines.dedup import fingerprint, shingled
from pipelines.dedup.normalise import t2s_triggers
from pipelines.extract import NoBodyFound, extract_article

if TYPE_CHECKING:
    from collections.abc import Callable

    from pipelines.dedup import DedupParams, Fingerprint, Shingled
    from pipelines.extract import Extraction

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: Modules a forkserver loads once, so each worker it forks starts warm.
PRELOAD = ["pipelines.workers"]


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


def _pid() -> int:
    return os.getpid()


#: How often a worker without ``os.pidfd_open`` checks that its pool's process lives.
PARENT_POLL_SECONDS = 1.0


def _gone(pid: int) -> bool:
    """Whether process ``pid`` has exited (no such process, or a zombie nobody reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's (the pid was reused)
        return False
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[0] in (b"Z", b"X")
    except (OSError, IndexError):
        return False


def _exit_when_gone(parent_pid: int) -> None:
    """Make this worker exit as soon as process ``parent_pid`` (the one whose pool it
    serves) is gone. ``ProcessPoolExecutor`` workers whose parent was killed (``kill -9``,
    the OOM killer) otherwise wait for work forever, and keep the forkserver alive too
    (every child holds its "alive" pipe): each killed crawl would leave ~350 MB of idle
    processes behind. A worker that cannot watch goes on without watching."""

    def watch() -> None:
        try:  # Linux 5.3+: a pidfd is readable once the process exits
            poller = select.poll()
            poller.register(os.pidfd_open(parent_pid), select.POLLIN)
            poller.poll()
        except (AttributeError, OSError, ValueError):
            pass
        while not _gone(parent_pid):  # also confirms what the pidfd said
            time.sleep(PARENT_POLL_SECONDS)
        os._exit(1)

    try:
        threading.Thread(target=watch, name="parent-watch", daemon=True).start()
    except RuntimeError as exc:  # no thread to spare (a pids limit): work without the watch
        logger.warning("Worker %(pid)d cannot watch its crawl process: %(error)s", {"pid": os.getpid(), "error": exc})


def _start_worker(parent_pid: int, initializer: Callable[..., None] | None, initargs: tuple[Any, ...]) -> None:
    """Every worker's initialiser: watch the pool's process, then run ``initializer``."""
    _exit_when_gone(parent_pid)
    if initializer is not None:
        initializer(*initargs)


class WorkerDied(RuntimeError):
    """A worker process died (killed, out of memory, crashed) while holding the page,
    and the retries allowed by ``WORKERS_RETRIES`` are used up."""


#: How often a page waiting for its worker checks that the workers are alive, and how
#: long a dead worker may go unnoticed by the pool before the watchdog steps in.
WATCHDOG_SECONDS = 1.0
WATCHDOG_GRACE = 2.0


def _unstick_if_a_worker_died(executor: ProcessPoolExecutor) -> None:
    """Make ``executor`` notice a worker killed while it was sending a result.

    ``ProcessPoolExecutor`` reads every result from one pipe that all workers share. A
    worker killed halfway through writing a result (the OOM killer, ``kill -9``) leaves
    half a message there, and the pool's manager thread then waits for the rest forever:
    the pool never reports the death and the crawl hangs. When a worker has been dead
    for ``WATCHDOG_GRACE`` seconds and the pool still is not broken, this closes the
    parent's end of that pipe and kills the other workers, which hold it open too; the
    manager thread's read then ends, the pool breaks,
    and :meth:`WorkerPool.run` retries on a new pool as for any other death. (It uses
    the executor's private attributes, checked defensively: CPython 3.11–3.13.)
    """
    processes = getattr(executor, "_processes", None) or {}
    dead = [p for p in list(processes.values()) if p.exitcode is not None]
    if not dead or getattr(executor, "_broken", False) or getattr(executor, "_shutdown_thread", False):
        _DEAD_SINCE.pop(executor, None)
        return
    since = _DEAD_SINCE.setdefault(executor, time.monotonic())
    if time.monotonic() - since < WATCHDOG_GRACE:
        return
    writer = getattr(getattr(executor, "_result_queue", None), "_writer", None)
    if writer is not None and not writer.closed:
        logger.warning(
            "Worker process %(pid)d died while sending a result; breaking the pool so its pages are retried",
            {"pid": dead[0].pid},
        )
        writer.close()
        # the read ends only when no live worker holds the pipe either (their pages are retried)
        for process in list(processes.values()):
            if process.exitcode is None:
                process.kill()


#: When each executor was first seen with a dead worker (see _unstick_if_a_worker_died).
_DEAD_SINCE: weakref.WeakKeyDictionary[ProcessPoolExecutor, float] = weakref.WeakKeyDictionary()


def default_processes() -> int:
    """One worker per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class WorkerPool:
    """A process pool awaited from the reactor, replaced when a worker dies.

    :param processes: worker processes (one per core is right for CPU-bound pages)
    :param start_method: ``forkserver`` (default, workers fork from a clean, preloaded
        server) or ``spawn``; never ``fork``, which would copy the running reactor
    :param retries: how often a page whose worker died is tried again on a new pool
    :param initializer: run in every new worker with ``initargs`` (default: warm up
        extraction and fingerprints for the ``params`` given to :meth:`start`)
    :param name: what a worker is called in logs
    """

    def __init__(
        self,
        processes: int,
        start_method: str = "forkserver",
        retries: int = 1,
        *,
        initializer: Callable[..., None] | None = None,
        initargs: tuple[Any, ...] = (),
        name: str = "worker process",
    ) -> None:
        if processes < 1:
            raise ValueError("processes must be at least 1")
        if start_method not in ("forkserver", "spawn"):
            raise ValueError(f"start_method must be 'forkserver' or 'spawn', not {start_method!r}")
        if retries < 0:
            raise ValueError("retries must not be negative")
        self.processes = processes
        self.start_method = start_method
        self.retries = retries
        self.restarts = 0
        self._context = multiprocessing.get_context(start_method)
        if start_method == "forkserver":
            self._context.set_forkserver_preload(PRELOAD)
        self._executor: ProcessPoolExecutor | None = None
        self._initializer = initializer
        self._initargs = initargs
        self.name = name

    def open(self, params: DedupParams | None = None) -> None:
        """Create the pool; its workers start with the first task (see :meth:`start`)."""
        if self._initializer is None:
            self._initializer, self._initargs = _warm_up, (params,)
        self._executor = self._new_executor()

    async def start(self, params: DedupParams | None = None) -> None:
        """Start every worker now, each warmed up for ``params``, without blocking the reactor."""
        self.open(params)
        assert self._executor is not None
        # one task per worker makes the executor start them all now rather than on demand
        await asyncio.gather(*(asyncio.wrap_future(self._executor.submit(_pid)) for _ in range(self.processes)))

    def _new_executor(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.processes, mp_context=self._context, initializer=_start_worker,
            initargs=(os.getpid(), self._initializer, self._initargs),
        )

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        """Swap a broken executor for a fresh one (once, however many pages saw it break)."""
        if self._executor is not broken:
            return
        self.restarts += 1
        logger.warning("%(name)s died; starting a new one (restart %(n)d)",
                       {"name": self.name.capitalize(), "n": self.restarts})
        broken.shutdown(wait=False, cancel_futures=True)
        self._executor = self._new_executor()

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(*args)`` in a worker and await the result without blocking the reactor.

        :raises WorkerDied: when the worker died on every attempt
        """
        for attempt in range(self.retries + 1):
            executor = self._executor
            if executor is None:
                raise RuntimeError("WorkerPool.run() before start() or after shutdown()")
            try:
                return await self._result(executor, asyncio.wrap_future(executor.submit(fn, *args)))
            except BrokenProcessPool as exc:
                self._replace(executor)
                if attempt == self.retries:
                    raise WorkerDied(f"{self.name} died ({exc})") from exc
        raise AssertionError("unreachable")

    async def _result(self, executor: ProcessPoolExecutor, future: asyncio.Future[T]) -> T:
        """``future``'s result, watching for a worker that died without the pool noticing."""
        try:
            while True:
                done, _ = await asyncio.wait({future}, timeout=WATCHDOG_SECONDS)
                if done:
                    return future.result()
                _unstick_if_a_worker_died(executor)
        except asyncio.CancelledError:
            future.cancel()  # as awaiting the future itself would
            raise

    def pids(self) -> list[int]:
        """Pids of the running workers (for diagnostics and tests)."""
        processes = getattr(self._executor, "_processes", None) or {}
        return sorted(processes)

    def shutdown(self) -> None:
        """Stop the workers; pages still queued are cancelled."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
