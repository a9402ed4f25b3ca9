"""What a task costs the calling process: ``ProcessPool`` against ``ProcessPoolExecutor``.

Sends N tasks of a page-sized payload (100 KB of bytes) to two worker processes that
answer at once with a result the size of a pickled page (47 KB), 16 in flight, and prints
the parent's CPU time (all its threads) and wall time per task for each pool, then the
ratio. The workers do no work, so the figures are the pool's own overhead: what the
crawl process pays per page on top of Scrapy.

Example::

    python -m bench.pool --tasks 5000
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor

from pipelines.process_pool import ProcessPool

PAGE = os.urandom(100_000)
RESULT = os.urandom(47_000)


def answer(page: bytes) -> bytes:
    """The worker side: answer at once."""
    return RESULT


async def _drive(submit, tasks: int, in_flight: int = 16) -> tuple[float, float]:
    limit = asyncio.Semaphore(in_flight)

    async def one() -> None:
        async with limit:
            await submit()

    await asyncio.gather(*(one() for _ in range(20)))  # warm
    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.gather(*(one() for _ in range(tasks)))
    return (time.process_time() - cpu) / tasks, (time.perf_counter() - wall) / tasks


async def _executor(tasks: int) -> tuple[float, float]:
    executor = ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("forkserver"))
    try:
        return await _drive(lambda: asyncio.wrap_future(executor.submit(answer, PAGE)), tasks)
    finally:
        executor.shutdown()


async def _pool(tasks: int) -> tuple[float, float]:
    pool = ProcessPool(2)
    await pool.start()
    try:
        return await _drive(lambda: pool.run(answer, PAGE), tasks)
    finally:
        pool.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, default=5000)
    args = parser.parse_args()
    executor_cpu, executor_wall = asyncio.run(_executor(args.tasks))
    pool_cpu, pool_wall = asyncio.run(_pool(args.tasks))
    print(f"ProcessPoolExecutor  parent CPU {1000 * executor_cpu:.3f} ms/task  wall {1000 * executor_wall:.3f} ms/task")
    print(f"ProcessPool          parent CPU {1000 * pool_cpu:.3f} ms/task  wall {1000 * pool_wall:.3f} ms/task")
    print(f"executor/pool parent CPU ratio {executor_cpu / pool_cpu:.2f}")


if __name__ == "__main__":
    main()
