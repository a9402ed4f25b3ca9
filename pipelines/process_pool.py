"""A process pool driven by the event loop: no threads in the calling process.

Each worker process has a socket of its own; the parent writes tasks to it and reads
results from it in event-loop callbacks (``loop.add_reader``/``add_writer``), so a task
costs the crawl process one pickle, one non-blocking send, one receive and one unpickle.
``concurrent.futures.ProcessPoolExecutor`` spent two to four times that in its feeder
and manager threads, which also took the GIL from the reactor (``python -m bench.pool``:
0.30–0.33 against 0.14–0.23 ms of parent CPU for a 100 KB task and a 47 KB result).

A worker that dies (killed, out of memory, a crash in a C extension) closes its socket:
the parent sees the end of the stream at once, however much of a result was written,
starts a new worker in its place, tries the task it was running again (up to
``retries`` times) and hands the task queued behind it to a live worker. Workers ignore SIGINT (Ctrl-C stops the crawl gracefully, and the
pages in flight finish) and leave when the parent process is gone.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import multiprocessing.util
import os
import pickle
import select
import signal
import socket
import threading
import time
import traceback
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: Modules a forkserver loads once, so each worker it forks starts warm.
PRELOAD = ["pipelines.workers"]
#: Tasks sent ahead to one worker: one running and one waiting in its socket, so a worker
#: never waits for the parent; the rest wait in the parent and go to whichever worker
#: frees up first (a slow page holds up at most one other).
TASKS_AHEAD = 2
#: How long :meth:`ProcessPool.shutdown` waits for a worker to finish its task and exit
#: before killing it.
SHUTDOWN_SECONDS = 60.0
#: How long a pool whose replacement worker could not start waits before trying again.
RESPAWN_SECONDS = 1.0
#: How often a worker without ``os.pidfd_open`` checks that its pool's process lives.
PARENT_POLL_SECONDS = 1.0

_HEADER = 8  # bytes of a frame's length, little-endian
_RECEIVE_CHUNK = 1 << 20

#: The worker's end of its socket, in a worker process (tests write half a frame to it).
_CONNECTION: socket.socket | None = None


class WorkerDied(RuntimeError):
    """A worker process died (killed, out of memory, crashed) while holding the task,
    and the retries allowed are used up."""


class RemoteTraceback(Exception):
    """The traceback of an exception raised in a worker (the ``__cause__`` of the exception
    re-raised in the parent)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class _Exited(Exception):
    """Internal: the worker holding a task died."""


def default_processes() -> int:
    """One worker per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


# -- the worker process ---------------------------------------------------------------------------
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
    """Make this worker exit as soon as process ``parent_pid`` is gone, even in the middle
    of a task (an idle worker also sees its socket close). A worker whose parent was
    killed would otherwise keep the forkserver alive (every child holds its "alive" pipe).
    A worker that cannot watch goes on without watching."""

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
        logger.warning("Worker %(pid)d cannot watch its parent process: %(error)s", {"pid": os.getpid(), "error": exc})


def _frame(payload: bytes) -> bytes:
    return len(payload).to_bytes(_HEADER, "little") + payload


def _dumps(value: Any) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def _answer(ok: bool, value: Any) -> bytes:
    """The frame answering a task: ``(True, result)``, or ``(False, pickled exception,
    formatted traceback)`` (the exception pickled on its own, so that its traceback
    arrives even when the exception does not unpickle). A result or exception that
    does not pickle becomes an error saying so."""
    if ok:
        try:
            return _frame(_dumps((True, value)))
        except Exception as exc:  # noqa: BLE001 - anything pickle raises is reported, not fatal
            ok, value = False, RuntimeError(f"the worker's result could not be pickled: {exc!r}")
    trace = "".join(traceback.format_exception(value))
    if not isinstance(value, Exception) or isinstance(value, StopIteration | StopAsyncIteration):
        # SystemExit or KeyboardInterrupt would stop the crawl's event loop, and asyncio
        # refuses StopIteration in a future: the task failed, that is all
        value = RuntimeError(f"the task raised {value!r}")
    try:
        error = _dumps(value)
    except Exception as exc:  # noqa: BLE001
        error = _dumps(RuntimeError(f"the worker's exception {value!r} could not be pickled: {exc!r}"))
    return _frame(_dumps((False, error, trace)))


def _serve(connection: socket.socket, parent_pid: int, initializer: Callable[..., None] | None,
           initargs: tuple[Any, ...]) -> None:
    """A worker's life: run ``initializer``, then each task read from ``connection``, until
    the parent closes it."""
    global _CONNECTION
    _CONNECTION = connection
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _exit_when_gone(parent_pid)
    if initializer is not None:
        initializer(*initargs)  # an initializer that raises ends the worker: the pool sees a death
    with connection, connection.makefile("rb") as tasks:
        while True:
            try:
                header = tasks.read(_HEADER)
                size = int.from_bytes(header, "little")
                payload = tasks.read(size) if len(header) == _HEADER else b""
            except ConnectionResetError:
                return  # the parent went away (stopped by a signal while starting up)
            if len(header) < _HEADER or len(payload) < size:
                return  # the parent closed the pool
            try:
                fn, args = pickle.loads(payload)  # noqa: S301 - from our own parent
                answer = _answer(True, fn(*args))
            except BaseException as exc:  # noqa: BLE001 - the task failed, the worker goes on
                answer = _answer(False, exc)
            try:
                connection.sendall(answer)
            except (BrokenPipeError, ConnectionResetError):
                return  # the pool shut down while this task ran


# -- the parent's side ----------------------------------------------------------------------------
@dataclass(eq=False)
class _Worker:
    """One worker process and the parent's end of its socket."""

    process: Any
    connection: socket.socket
    #: the tasks sent to it, in order (its results come back in that order): frame, future,
    #: and whether the task may go to another worker if this one dies before starting it
    sent: deque[tuple[bytes, asyncio.Future[Any], bool]] = field(default_factory=deque)
    outgoing: bytearray = field(default_factory=bytearray)
    incoming: bytearray = field(default_factory=bytearray)
    loop: asyncio.AbstractEventLoop | None = None
    writing: bool = False


def _detach(worker: _Worker) -> None:
    """Stop watching ``worker``'s connection and close it (the worker then reads the end
    of its tasks)."""
    fd = worker.connection.fileno()  # -1 once closed
    if worker.loop is not None and fd != -1:
        worker.loop.remove_reader(fd)
        if worker.writing:
            worker.loop.remove_writer(fd)
    worker.writing = False
    worker.connection.close()


def _cancel(future: asyncio.Future[Any]) -> None:
    try:
        future.cancel()
    except RuntimeError:  # its event loop is closed (the interpreter is exiting)
        pass


def _stop(workers: list[_Worker], waiting: deque[tuple[bytes, asyncio.Future[Any]]], name: str) -> None:
    """Stop ``workers``: each finishes the task it is running and exits (killed after
    ``SHUTDOWN_SECONDS``); what waits is cancelled. Also run at interpreter exit, before
    multiprocessing terminates daemonic children, so that a writer always closes cleanly."""
    stopping = list(workers)
    workers.clear()
    for worker in stopping:
        _detach(worker)
    for _, future in waiting:
        _cancel(future)
    waiting.clear()
    deadline = time.monotonic() + SHUTDOWN_SECONDS
    for worker in stopping:
        for _, future, _ in worker.sent:
            _cancel(future)
        worker.sent.clear()
        worker.process.join(max(0.0, deadline - time.monotonic()))
        if worker.process.exitcode is None:
            logger.warning("%(name)s %(pid)d did not exit; killing it", {"name": name.capitalize(), "pid": worker.process.pid})
            worker.process.kill()
            worker.process.join(5.0)


class ProcessPool:
    """Worker processes awaited from the event loop, each replaced when it dies.

    :param processes: worker processes (one per core is right for CPU-bound pages)
    :param start_method: ``forkserver`` (default, workers fork from a clean, preloaded
        server) or ``spawn``; never ``fork``, which would copy the running reactor
    :param retries: how often a task whose worker died is tried again on a new worker
    :param initializer: run in every new worker with ``initargs``, before its first task
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
        self._initializer = initializer
        self._initargs = initargs
        self.name = name
        #: the live workers (one list for the pool's life: the exit finalizer holds it)
        self._workers: list[_Worker] = []
        #: tasks waiting for a worker: (frame, future)
        self._waiting: deque[tuple[bytes, asyncio.Future[Any]]] = deque()
        self._open = False
        self._respawn: asyncio.TimerHandle | None = None
        self._finalizer: multiprocessing.util.Finalize | None = None

    def open(self) -> None:
        """Start the worker processes (they run ``initializer`` before their first task)."""
        if self._open:
            return
        self._open = True
        # at interpreter exit without shutdown() (a crash), close the workers before
        # multiprocessing terminates its daemonic children
        self._finalizer = multiprocessing.util.Finalize(
            self, _stop, args=(self._workers, self._waiting, self.name), exitpriority=10
        )
        try:
            for _ in range(self.processes):
                self._workers.append(self._spawn())
        except BaseException:
            self.shutdown()
            raise

    async def start(self) -> None:
        """Start every worker and wait until each has run its initializer."""
        self.open()
        await asyncio.gather(*(self._call_on(worker, os.getpid) for worker in list(self._workers)))

    def _spawn(self) -> _Worker:
        ours, theirs = socket.socketpair()
        try:
            process = self._context.Process(
                target=_serve, args=(theirs, os.getpid(), self._initializer, self._initargs),
                name=self.name, daemon=True,
            )
            process.start()
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()  # the worker has its own copy now; the stream ends when it dies
        ours.setblocking(False)
        return _Worker(process, ours)

    def _attach(self, worker: _Worker, loop: asyncio.AbstractEventLoop) -> None:
        if worker.loop is None:
            worker.loop = loop
            loop.add_reader(worker.connection.fileno(), self._on_readable, worker)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(*args)`` in a worker and await its result without blocking the event loop.

        ``fn`` and its arguments must pickle (``fn`` a module-level function); an exception
        ``fn`` raises is raised here, with the worker's traceback as its ``__cause__``.
        A task whose worker dies while running it is tried again, up to ``retries``
        times; one that was only queued behind it goes to another worker, and that is
        not counted as a try.

        :raises WorkerDied: when the worker died on every attempt
        """
        frame = _frame(_dumps((fn, args)))
        for attempt in range(self.retries + 1):
            try:
                return await self._submit(frame)
            except _Exited as exc:
                if attempt == self.retries:
                    raise WorkerDied(f"{self.name} died ({exc})") from None
        raise AssertionError("unreachable")

    async def _call_on(self, worker: _Worker, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` on that very worker (no retry)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._attach(worker, loop)
        self._send(worker, _frame(_dumps((fn, args))), future, movable=False)
        try:
            return await future
        except _Exited as exc:
            raise WorkerDied(f"{self.name} died ({exc})") from None

    def _submit(self, frame: bytes) -> asyncio.Future[Any]:
        if not self._open:
            raise RuntimeError("run() before start() or after shutdown()")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._waiting.append((frame, future))
        self._dispatch(loop)
        return future

    def _dispatch(self, loop: asyncio.AbstractEventLoop) -> None:
        """Hand waiting tasks to the workers with the fewest tasks, up to ``TASKS_AHEAD`` each."""
        while self._waiting:
            worker = min(self._workers, key=lambda w: len(w.sent), default=None)
            if worker is None or len(worker.sent) >= TASKS_AHEAD:
                return
            frame, future = self._waiting.popleft()
            if future.done():  # cancelled while it waited
                continue
            self._attach(worker, loop)
            self._send(worker, frame, future, movable=True)

    def _send(self, worker: _Worker, frame: bytes, future: asyncio.Future[Any], *, movable: bool) -> None:
        worker.sent.append((frame, future, movable))
        worker.outgoing += frame
        if not worker.writing:
            self._on_writable(worker)

    def _on_writable(self, worker: _Worker) -> None:
        try:
            sent = worker.connection.send(worker.outgoing)
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError:  # the worker is gone (EPIPE, ECONNRESET)
            self._died(worker)
            return
        del worker.outgoing[:sent]
        assert worker.loop is not None
        if worker.outgoing and not worker.writing:
            worker.writing = True
            worker.loop.add_writer(worker.connection.fileno(), self._on_writable, worker)
        elif not worker.outgoing and worker.writing:
            worker.writing = False
            worker.loop.remove_writer(worker.connection.fileno())

    def _on_readable(self, worker: _Worker) -> None:
        try:
            data = worker.connection.recv(_RECEIVE_CHUNK)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._died(worker)
            return
        incoming = worker.incoming
        incoming += data
        while len(incoming) >= _HEADER:
            size = int.from_bytes(incoming[:_HEADER], "little")
            if len(incoming) < _HEADER + size:
                break
            payload = bytes(incoming[_HEADER:_HEADER + size])
            del incoming[:_HEADER + size]
            _, future, _ = worker.sent.popleft()
            _resolve(future, payload)
        assert worker.loop is not None
        self._dispatch(worker.loop)

    def _died(self, worker: _Worker) -> None:
        """``worker`` is gone: its first task (the one it ran) fails, and its callers try
        again; tasks queued behind it go back to the front of the queue; a new worker
        takes its place."""
        if worker not in self._workers:  # already handled, or the pool shut down
            return
        self._workers.remove(worker)
        _detach(worker)
        process = worker.process
        process.join(0.05)
        if process.exitcode is None:  # not reaped yet, or it closed its end and lives on
            process.kill()
            process.join(1.0)
        how = f"exit code {process.exitcode}" if process.exitcode is not None else "it closed its connection"
        exited = _Exited(f"pid {process.pid}, {how}")
        if worker.sent:
            _, first, _ = worker.sent.popleft()
            if not first.done():
                first.set_exception(exited)
        for frame, future, movable in reversed(worker.sent):
            if future.done():
                continue
            if movable:
                self._waiting.appendleft((frame, future))
            else:
                future.set_exception(exited)
        worker.sent.clear()
        if self._open:
            self.restarts += 1
            logger.warning("%(name)s %(pid)s died (%(how)s); starting a new one (restart %(n)d)",
                           {"name": self.name.capitalize(), "pid": process.pid, "how": how, "n": self.restarts})
            self._replace(worker.loop)
        if worker.loop is not None:  # the tasks put back go to the live workers, replaced or not
            self._dispatch(worker.loop)

    def _replace(self, loop: asyncio.AbstractEventLoop | None) -> bool:
        """Start a worker in place of a dead one. When that fails (fork refused right
        after an out-of-memory kill, no file descriptors left), try again every
        ``RESPAWN_SECONDS``; while no worker is left, the waiting tasks fail (their
        callers try again or give up) instead of waiting for ever."""
        try:
            worker = self._spawn()
        except Exception as exc:  # noqa: BLE001 - whatever stops a process from starting
            logger.error("Cannot start a new %(name)s: %(error)s; trying again in %(s).0f s",
                         {"name": self.name, "error": exc, "s": RESPAWN_SECONDS})
            if not self._workers:
                failed = _Exited(f"no {self.name} could be started: {exc!r}")
                while self._waiting:
                    _, future = self._waiting.popleft()
                    if not future.done():
                        future.set_exception(failed)
            if loop is not None and self._respawn is None:
                self._respawn = loop.call_later(RESPAWN_SECONDS, self._respawn_missing, loop)
            return False
        self._workers.append(worker)
        return True

    def _respawn_missing(self, loop: asyncio.AbstractEventLoop) -> None:
        self._respawn = None
        while self._open and len(self._workers) < self.processes and self._replace(loop):
            pass
        self._dispatch(loop)

    def pids(self) -> list[int]:
        """Pids of the running workers (for diagnostics and tests)."""
        return sorted(w.process.pid for w in self._workers if w.process.pid is not None)

    def shutdown(self) -> None:
        """Stop the workers: each finishes the task it is running, then exits (killed after
        ``SHUTDOWN_SECONDS``); tasks not yet done are cancelled."""
        self._open = False
        if self._respawn is not None:
            self._respawn.cancel()
            self._respawn = None
        if self._finalizer is not None:
            self._finalizer()  # runs _stop, once
            self._finalizer = None


def _resolve(future: asyncio.Future[Any], payload: bytes) -> None:
    """Settle ``future`` with a worker's answer; never raises (the frames after it must
    be read too)."""
    if future.done():  # its caller was cancelled; the worker finished the task anyway
        return
    try:
        answer = pickle.loads(payload)  # noqa: S301 - from our own worker
        if answer[0]:
            future.set_result(answer[1])
            return
        _, error, trace = answer
        try:
            exc = pickle.loads(error)  # noqa: S301
        except Exception as unpickling:  # noqa: BLE001 - e.g. an exception class that does not unpickle
            exc = RuntimeError(f"the worker's exception could not be unpickled: {unpickling!r}")
        exc.__cause__ = RemoteTraceback(trace)  # the worker sent an Exception asyncio accepts
        future.set_exception(exc)
    except Exception as exc:  # noqa: BLE001 - a damaged answer fails its task alone
        if not future.done():
            future.set_exception(RuntimeError(f"the worker's answer could not be read: {exc!r}"))
