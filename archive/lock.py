"""One crawl at a time per archive: an advisory lock file beside the archive.

``fcntl.flock`` locks die with the process that holds them, so a lock left by a
killed run (``kill -9``) is free again at once: the next run detects it as stale and
takes it over.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO


class ArchiveLocked(RuntimeError):
    """Another process is writing this archive."""


class ArchiveLock:
    """An exclusive, non-blocking lock on ``<archive>.lock``.

    Re-entrant within one process, so the CLI and the pipelines it starts can both
    take it.

    :param archive_path: the archive file the lock guards
    """

    _held: dict[Path, tuple[IO[str], int]] = {}

    def __init__(self, archive_path: str | Path) -> None:
        # beside the file itself: an archive opened through a symlink must take the same lock
        archive = Path(archive_path).resolve()
        self.path = archive.with_name(archive.name + ".lock")

    def acquire(self) -> None:
        """Take the lock, or raise :class:`ArchiveLocked` naming the holder."""
        held = self._held.get(self.path)
        if held:
            self._held[self.path] = (held[0], held[1] + 1)
            return
        handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise ArchiveLocked(
                f"archive is locked by another crawl (pid {holder}); lock file {self.path}"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._held[self.path] = (handle, 1)

    @property
    def held(self) -> bool:
        """True when this process holds the lock (components use the archive only then)."""
        return self.path in self._held

    def release(self) -> None:
        held = self._held.get(self.path)
        if not held:
            return
        handle, count = held
        if count > 1:
            self._held[self.path] = (handle, count - 1)
            return
        del self._held[self.path]
        handle.seek(0)
        handle.truncate()
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()

    def __enter__(self) -> ArchiveLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
