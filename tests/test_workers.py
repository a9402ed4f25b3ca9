"""Per-page work function, worker pool and batched writer, without a crawl."""

from __future__ import annotations

import asyncio
import os
import select
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from operator import methodcaller
from pathlib import Path

import pytest

from archive import Archive
from pipelines.archive_writer import ArchiveWriter, record_pages, run_batch
from pipelines.dedup import DedupParams, fingerprint
from pipelines.extract import extract_article
from pipelines.recording import PageRecord, fingerprint_params
from pipelines.workers import WorkerDied, WorkerPool, process_page
from tests.conftest import ROOT
from tests.utils import coroutine_test

DEMO = ROOT / "blogarchive" / "demo_site"
JIANSHU = DEMO / "jianshu" / "p" / "7d3c1a9e5b20.html"
PARAMS = DedupParams()


def demo_html(path: Path = JIANSHU) -> str:
    return path.read_text(encoding="utf-8")


def page_record(url: str, html: str) -> PageRecord:
    work = process_page(html, url, None, PARAMS)
    assert work.extraction is not None
    assert work.fingerprint is not None
    return PageRecord(
        url=url,
        fetched_at="2026-01-01T00:00:00+00:00",
        extraction=work.extraction,
        fingerprint=work.fingerprint,
        http_status=200,
    )


def open_archive(path: Path) -> Archive:
    archive = Archive(path)
    archive.check_fingerprint_params(fingerprint_params(PARAMS))
    return archive


# -- process_page ------------------------------------------------------------------------------------
def test_process_page_gives_what_the_two_pipelines_give_inline():
    html = demo_html()
    work = process_page(html, "https://www.jianshu.com/p/7d3c1a9e5b20", None, PARAMS)
    expected = extract_article(html, url="https://www.jianshu.com/p/7d3c1a9e5b20")
    assert work.extraction == expected
    assert work.fingerprint == fingerprint(expected.body, PARAMS)
    assert work.rejected is None
    assert work.extract_seconds > 0


def test_process_page_decodes_fetched_bytes_like_the_spider_did():
    from crawler.encoding import decode_html

    gbk = demo_html().replace('charset="utf-8"', 'charset="gbk"').encode("gbk", errors="replace")
    for content_type in ("text/html; charset=utf-8", None):  # a wrong header, no header
        work = process_page(gbk, "https://www.jianshu.com/p/7d3c1a9e5b20", None, PARAMS, content_type)
        text, encoding = decode_html(gbk, content_type)
        assert work.encoding == encoding == "gb18030"
        assert work.extraction == process_page(text, "https://www.jianshu.com/p/7d3c1a9e5b20", None, PARAMS).extraction
        assert work.extraction is not None
        assert "\ufffd" not in work.extraction.body


def test_process_page_reports_a_page_without_body():
    work = process_page("<html><body><p>hi</p></body></html>", None, None, PARAMS)
    assert work.extraction is None
    assert work.fingerprint is None
    assert "no article body" in (work.rejected or "")


def test_process_page_without_params_skips_the_fingerprint():
    work = process_page(demo_html(), None, None, None)
    assert work.extraction is not None
    assert work.fingerprint is None


# -- the pool ----------------------------------------------------------------------------------------
@asynccontextmanager
async def started_pool(processes: int, retries: int = 1, params: DedupParams | None = None) -> AsyncIterator[WorkerPool]:
    """A started :class:`WorkerPool`, shut down on leaving."""
    pool = WorkerPool(processes, retries=retries)
    await pool.start(params)
    try:
        yield pool
    finally:
        pool.shutdown()


def die() -> None:
    """Runs in a worker: the worker dies as if killed by the OOM killer."""
    os.kill(os.getpid(), signal.SIGKILL)


def die_once(marker: str) -> str:
    """Runs in a worker: kills its worker the first time, succeeds afterwards."""
    if not Path(marker).exists():
        Path(marker).touch()
        die()
    return "done"


def die_halfway_through_a_result(marker: str) -> str:
    """Runs in a worker: the first time, writes the start of a large result to its
    connection and dies, as a worker killed while sending a large result does; succeeds
    afterwards."""
    if Path(marker).exists():
        return "done"
    Path(marker).touch()
    from pipelines import process_pool

    assert process_pool._CONNECTION is not None
    process_pool._CONNECTION.sendall((1_000_000).to_bytes(8, "little") + b"half a result")
    os.kill(os.getpid(), signal.SIGKILL)
    return "unreachable"


@coroutine_test
async def test_pool_result_equals_inline_result():
    async with started_pool(2, retries=0, params=PARAMS) as pool:
        assert len(pool.pids()) == 2
        html = demo_html()
        work = await pool.run(process_page, html, "https://www.jianshu.com/p/7d3c1a9e5b20", None, PARAMS)
        assert work.extraction == extract_article(html, url="https://www.jianshu.com/p/7d3c1a9e5b20")


@coroutine_test
async def test_pool_retries_a_task_whose_worker_died_on_a_new_pool(tmp_path):
    async with started_pool(1, retries=1) as pool:
        before = pool.pids()
        assert await pool.run(die_once, str(tmp_path / "marker")) == "done"
        assert pool.restarts == 1
        assert pool.pids() != before


@pytest.mark.parametrize("processes", [1, 2])
@coroutine_test
async def test_a_worker_killed_while_sending_a_result_does_not_hang_the_pool(tmp_path, processes):
    async with started_pool(processes, retries=1) as pool:
        result = await asyncio.wait_for(pool.run(die_halfway_through_a_result, str(tmp_path / "marker")), 60)
        assert result == "done"
        assert pool.restarts == 1


@coroutine_test
async def test_pool_gives_up_after_its_retries():
    async with started_pool(1, retries=1) as pool:
        with pytest.raises(WorkerDied):
            await pool.run(die)
        assert pool.restarts == 2
        # the pool still works for the next page
        assert (await pool.run(process_page, demo_html(), None, None, None)).extraction is not None


def pid_when(marker: str | None = None) -> int:
    """Runs in a worker: waits until ``marker`` exists (when given), then returns its pid."""
    while marker is not None and not Path(marker).exists():
        time.sleep(0.01)
    return os.getpid()


class _Unpicklable:
    def __reduce__(self) -> tuple:
        raise TypeError("not today")


def unpicklable_result() -> _Unpicklable:
    return _Unpicklable()


@coroutine_test
async def test_an_exception_in_a_task_is_raised_with_the_workers_traceback_and_the_worker_lives():
    async with started_pool(1, retries=0) as pool:
        before = pool.pids()
        with pytest.raises(ValueError, match="invalid literal") as raised:
            await pool.run(int, "not a number")
        assert "invalid literal" in str(raised.value.__cause__)  # the worker's traceback
        with pytest.raises(RuntimeError, match="could not be pickled"):
            await pool.run(unpicklable_result)
        assert await pool.run(pid_when) == before[0]
        assert pool.restarts == 0


@coroutine_test
async def test_a_slow_task_holds_up_at_most_one_other(tmp_path):
    """Tasks wait in the parent and go to whichever worker is free: a slow page does not
    hold up the pages behind it (one may already be queued to its worker)."""
    marker = tmp_path / "go"
    async with started_pool(2, retries=0) as pool:
        try:
            slow = asyncio.ensure_future(pool.run(pid_when, str(marker)))
            await asyncio.sleep(0)
            quick = [asyncio.ensure_future(pool.run(pid_when)) for _ in range(6)]
            deadline = time.monotonic() + 60
            while sum(q.done() for q in quick) < 5 and time.monotonic() < deadline:
                await asyncio.wait([q for q in quick if not q.done()], timeout=1, return_when=asyncio.FIRST_COMPLETED)
            assert sum(q.done() for q in quick) >= 5, "the free worker did not take the tasks behind the slow one"
            assert not slow.done()
            marker.touch()
            slow_pid = await slow
            pids = [await q for q in quick]
            assert pids.count(slow_pid) <= 1
        finally:
            marker.touch()


@coroutine_test
async def test_a_cancelled_task_does_not_shift_the_results_of_the_next(tmp_path):
    marker = tmp_path / "go"
    async with started_pool(1, retries=0) as pool:
        try:
            waiting = asyncio.ensure_future(pool.run(pid_when, str(marker)))
            await asyncio.sleep(0.2)
            waiting.cancel()
            following = asyncio.ensure_future(pool.run(int, "7"))
            marker.touch()
            assert await asyncio.wait_for(following, 60) == 7
            assert waiting.cancelled()
        finally:
            marker.touch()


@coroutine_test
async def test_workers_ignore_ctrl_c(tmp_path):
    """Ctrl-C reaches every process of the terminal's group; the crawl stops gracefully
    and its workers must finish the pages in flight rather than fail them."""
    marker = tmp_path / "go"
    async with started_pool(1, retries=0) as pool:
        try:
            running = asyncio.ensure_future(pool.run(pid_when, str(marker)))
            await asyncio.sleep(0.2)
            (pid,) = pool.pids()
            os.kill(pid, signal.SIGINT)
            await asyncio.sleep(0.2)
            marker.touch()
            assert await asyncio.wait_for(running, 60) == pid
            assert pool.restarts == 0
        finally:
            marker.touch()


def stop_iteration() -> None:
    raise StopIteration


@coroutine_test
async def test_a_task_raising_stop_iteration_fails_alone_and_the_next_result_still_arrives():
    async with started_pool(1, retries=0) as pool:
        first = asyncio.ensure_future(pool.run(stop_iteration))
        second = asyncio.ensure_future(pool.run(int, "42"))
        with pytest.raises(RuntimeError, match="StopIteration"):
            await asyncio.wait_for(first, 60)
        assert await asyncio.wait_for(second, 60) == 42


@coroutine_test
async def test_a_task_queued_behind_one_that_kills_the_worker_runs_on_the_new_worker():
    """Only the task the worker was running is blamed for its death."""
    async with started_pool(1, retries=1) as pool:
        killer = asyncio.ensure_future(pool.run(die))
        innocent = asyncio.ensure_future(pool.run(int, "3"))
        assert await asyncio.wait_for(innocent, 60) == 3
        with pytest.raises(WorkerDied):
            await asyncio.wait_for(killer, 60)


@coroutine_test
async def test_a_pool_whose_replacement_cannot_start_fails_what_waits_then_recovers(monkeypatch):
    from pipelines import process_pool

    monkeypatch.setattr(process_pool, "RESPAWN_SECONDS", 0.2)
    async with started_pool(1, retries=1) as pool:
        spawn = pool._spawn
        refusals = [OSError(11, "fork refused"), OSError(11, "fork refused")]

        def refuse_twice():  # the fork after an out-of-memory kill fails, then works again
            if refusals:
                raise refusals.pop()
            return spawn()

        monkeypatch.setattr(pool, "_spawn", refuse_twice)
        with pytest.raises(WorkerDied):
            await asyncio.wait_for(pool.run(die), 60)
        assert await asyncio.wait_for(pool.run(int, "5"), 60) == 5
        assert not refusals
        assert len(pool.pids()) == 1


def die_after(seconds: float) -> None:
    time.sleep(seconds)
    os._exit(3)


def nap(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


@coroutine_test
async def test_a_task_put_back_goes_to_a_live_worker_when_no_replacement_starts(monkeypatch):
    def refuse():
        raise OSError(11, "fork refused")

    async with started_pool(2, retries=0) as pool:
        monkeypatch.setattr(pool, "_spawn", refuse)
        dying = asyncio.ensure_future(pool.run(die_after, 0.5))
        other = asyncio.ensure_future(pool.run(nap, 0.1))
        await asyncio.sleep(0)
        behind = asyncio.ensure_future(pool.run(nap, 0.2))  # queued behind the dying task
        await asyncio.sleep(0)
        with pytest.raises(WorkerDied):
            await asyncio.wait_for(dying, 60)
        assert await asyncio.wait_for(other, 60) == 0.1
        assert await asyncio.wait_for(behind, 30) == 0.2


class _DoesNotUnpickle(Exception):
    def __init__(self, message: str, code: int) -> None:  # pickle calls it with the message alone
        super().__init__(message)
        self.code = code


def raise_what_does_not_unpickle() -> None:
    raise _DoesNotUnpickle("odd", 7)


@coroutine_test
async def test_an_exception_that_does_not_unpickle_keeps_the_workers_traceback():
    async with started_pool(1, retries=0) as pool:
        with pytest.raises(RuntimeError, match="could not be unpickled") as raised:
            await pool.run(raise_what_does_not_unpickle)
        assert "raise_what_does_not_unpickle" in str(raised.value.__cause__)


_EXIT_WITHOUT_SHUTDOWN = """
import asyncio, multiprocessing.util, sys
from pathlib import Path
from pipelines.process_pool import ProcessPool

def mark_on_exit(path):
    multiprocessing.util.Finalize(None, Path(path).touch, exitpriority=10)

if __name__ == "__main__":
    pool = ProcessPool(1, initializer=mark_on_exit, initargs=(sys.argv[1],))
    asyncio.run(pool.start())
    # no shutdown(): a crawl that crashed
"""


def test_a_process_exiting_without_shutdown_lets_its_workers_close_cleanly(tmp_path):
    """The writer process checkpoints the archive in a finalizer; multiprocessing would
    SIGTERM a daemonic worker at exit, and the finalizer would never run."""
    script = tmp_path / "crash.py"
    script.write_text(_EXIT_WITHOUT_SHUTDOWN)
    marker = tmp_path / "closed cleanly"
    subprocess.run([sys.executable, str(script), str(marker)], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                   timeout=120, check=True)
    assert marker.exists()


_POOL_OWNER = """
import asyncio, multiprocessing.forkserver, sys, time
from pipelines.workers import WorkerPool

async def main():
    pool = WorkerPool(2)
    await pool.start()
    server = multiprocessing.forkserver._forkserver._forkserver_pid
    print(" ".join(map(str, [*pool.pids(), server])), flush=True)
    time.sleep(600)

if __name__ == "__main__":
    asyncio.run(main())
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as status:
            return not any(line.startswith("State:") and "Z" in line for line in status)
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_and_forkserver_exit_when_the_crawl_process_is_killed(tmp_path):
    script = tmp_path / "owner.py"
    script.write_text(_POOL_OWNER)
    owner = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True, cwd=ROOT,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
    pids: list[int] = []
    try:
        assert owner.stdout is not None
        ready, _, _ = select.select([owner.stdout], [], [], 60)
        assert ready, "the pool did not start"
        pids = [int(pid) for pid in owner.stdout.readline().split()]
        assert len(pids) == 3
        assert all(_alive(pid) for pid in pids)
        owner.send_signal(signal.SIGKILL)
        owner.wait()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(_alive(pid) for pid in pids):
            time.sleep(0.05)
        assert [pid for pid in pids if _alive(pid)] == [], "workers (and the forkserver) outlived the crawl"
    finally:
        owner.kill()
        owner.wait()
        for pid in pids:  # never leave them behind, whatever failed
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_pool_refuses_fork():
    with pytest.raises(ValueError, match="forkserver"):
        WorkerPool(1, start_method="fork")


# -- batches -----------------------------------------------------------------------------------------
def test_a_page_sees_the_pages_before_it_in_the_same_batch(tmp_path):
    html = demo_html()
    pages = [page_record(f"https://copy{i}.example.org/p/1", html) for i in range(3)]
    with open_archive(tmp_path / "a.db") as archive:
        outcomes = record_pages(archive, pages, PARAMS)
        assert [o.relation for o in outcomes] == ["original", "exact", "exact"]
        assert len({o.text_id for o in outcomes}) == 1
        assert archive.stats().texts == 1


def test_a_batch_inside_an_open_transaction_still_rolls_back_a_failing_page_alone(tmp_path):
    with open_archive(tmp_path / "a.db") as archive:

        def broken(archive):
            archive.add_failure("https://half.example.org/", "fetch", "written, then rolled back")
            raise sqlite3.IntegrityError("simulated constraint failure")

        with archive.atomic():
            results = run_batch(archive, [methodcaller("add_failure", "https://a.example.org/", "fetch", "x"), broken])
        assert isinstance(results[1], sqlite3.IntegrityError)
        assert [r[0] for r in archive.db.execute("select url from failures")] == ["https://a.example.org/"]


def test_a_failing_page_is_rolled_back_alone(tmp_path):
    with open_archive(tmp_path / "a.db") as archive:

        def add(url: str):
            return methodcaller("add_failure", url, "fetch", "HTTP 404")

        def broken(archive):
            archive.add_failure("https://half.example.org/", "fetch", "written, then rolled back")
            raise sqlite3.IntegrityError("simulated constraint failure")

        results = run_batch(archive, [add("https://a.example.org/"), broken, add("https://b.example.org/")])
        assert isinstance(results[1], sqlite3.IntegrityError)
        urls = [r["url"] for r in archive.db.query("select url from failures order by id")]
        assert urls == ["https://a.example.org/", "https://b.example.org/"]
        assert archive.integrity_check() == "ok"


def _kill_the_writer(archive: Archive) -> None:
    """A write job that kills the process running it (as the OOM killer would)."""
    archive.add_failure("https://killer.example.org/", "fetch", "never committed")
    os._exit(9)


@coroutine_test
async def test_a_page_that_kills_the_writer_process_fails_alone(tmp_path, caplog):
    with open_archive(tmp_path / "a.db") as archive:
        writer = ArchiveWriter(archive, batch_size=10, mode="process")
        try:
            first = writer.submit(methodcaller("add_failure", "https://first.example.org/", "fetch", "x"))
            await first  # the writer is idle: a goes alone, the two behind it queue up as one batch
            batch = [
                writer.submit(methodcaller("add_failure", "https://a.example.org/", "fetch", "x")),
                writer.submit(_kill_the_writer),
                writer.submit(methodcaller("add_failure", "https://b.example.org/", "fetch", "x")),
            ]
            results = await asyncio.gather(*batch, return_exceptions=True)
            after = await writer.submit(methodcaller("add_failure", "https://after.example.org/", "fetch", "x"))
            await writer.drain()
        finally:
            writer.close()
        assert isinstance(results[1], WorkerDied)
        assert [type(result) for result in (results[0], results[2], after)] == [int, int, int]
        urls = [r["url"] for r in archive.db.query("select url from failures order by id")]
        assert urls == ["https://first.example.org/", "https://a.example.org/", "https://b.example.org/",
                        "https://after.example.org/"]
        assert archive.integrity_check() == "ok"
    assert "writing them one by one" in caplog.text


class _DiesWhenReported:
    """A write result whose sending kills the writer process, ``times`` times in all (the
    file ``marker`` counts the deaths): the batch has committed, its results never reach
    the crawl."""

    def __init__(self, marker: str, times: int) -> None:
        self.marker, self.times = marker, times

    def __reduce__(self) -> tuple:
        from pipelines import archive_writer

        archive = archive_writer._CHILD_ARCHIVE
        marker = Path(self.marker)
        deaths = int(marker.read_text()) if marker.exists() else 0
        if archive is not None and not archive.in_transaction and deaths < self.times:
            marker.write_text(str(deaths + 1))
            os._exit(9)
        return (_DiesWhenReported, (self.marker, self.times))


def _write_then_die_when_reported(archive: Archive, marker: str, times: int) -> _DiesWhenReported:
    archive.add_failure("https://reported.example.org/", "fetch", "committed once")
    return _DiesWhenReported(marker, times)


@pytest.mark.parametrize("deaths", [1, 2])
@coroutine_test
async def test_a_batch_committed_by_a_writer_that_died_before_reporting_is_not_written_twice(tmp_path, deaths):
    """One death: the pool's retry finds the batch's token and reports the recorded
    results. Two (the retry dies too): the crawl process reads them from the archive."""
    marker = tmp_path / "deaths"
    with open_archive(tmp_path / "a.db") as archive:
        writer = ArchiveWriter(archive, batch_size=10, mode="process")
        try:
            await writer.submit(methodcaller("add_failure", "https://first.example.org/", "fetch", "x"))
            batch = [
                writer.submit(methodcaller("add_failure", "https://a.example.org/", "fetch", "x")),
                writer.submit(partial(_write_then_die_when_reported, marker=str(marker), times=deaths)),
                writer.submit(methodcaller("add_failure", "https://b.example.org/", "fetch", "x")),
            ]
            results = await asyncio.gather(*batch, return_exceptions=True)
            await writer.drain()
        finally:
            writer.close()
        assert int(marker.read_text()) == deaths  # the writer did die after the commit
        assert [type(r) for r in results] == [int, _DiesWhenReported, int]
        urls = [r["url"] for r in archive.db.query("select url from failures order by id")]
        assert urls == ["https://first.example.org/", "https://a.example.org/", "https://reported.example.org/",
                        "https://b.example.org/"]
        assert results[0] == archive.db.execute(
            "select id from failures where url = 'https://a.example.org/'").fetchone()[0]


@pytest.mark.parametrize("mode", ["thread", "process", "reactor"])
@coroutine_test
async def test_writer_commits_in_order_and_batches_what_queues_up(tmp_path, mode):
    with open_archive(tmp_path / "a.db") as archive:
        writer = ArchiveWriter(archive, batch_size=3, mode=mode)
        try:
            futures = [
                writer.submit(methodcaller("add_failure", f"https://x.example.org/{i}", "fetch", "x"))
                for i in range(7)
            ]
            ids = await asyncio.gather(*futures)
            await writer.drain()
        finally:
            writer.close()
        assert ids == sorted(ids)
        # the first job starts alone; the six queued behind it go three per transaction
        assert writer.batches == 3
        assert archive.stats().failures == 7
