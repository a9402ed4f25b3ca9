"""Shared fixtures: the mock site (a real HTTP server in a subprocess), archives in
tmp_path, the shared material beside the project, and crawls in the test reactor."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"

# Tests never go through a proxy, whatever the machine's environment says.
for _name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
    os.environ.pop(_name, None)


class MockSite:
    """A running ``tests.mocksite`` process."""

    def __init__(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.mocksite"], stdout=subprocess.PIPE, env=env, cwd=ROOT
        )
        assert self.proc.stdout is not None
        self.base = self.proc.stdout.readline().decode().strip()
        if not self.base.startswith("http://"):
            raise RuntimeError("mock site did not start")

    def url(self, path: str = "/") -> str:
        return self.base + "/" + path.lstrip("/")

    def requests(self) -> list[str]:
        with urllib.request.urlopen(self.url("/-/requests")) as response:
            return json.loads(response.read())

    def reset(self) -> None:
        urllib.request.urlopen(self.url("/-/reset")).read()

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


@pytest.fixture(scope="session")
def site():
    server = MockSite()
    yield server
    server.stop()


@pytest.fixture
def archive_path(tmp_path: Path) -> Path:
    return tmp_path / "archive.db"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared/ is not present")
    return SHARED


#: Settings for crawls against the local test server: no throttling delays.
TEST_SETTINGS: dict[str, Any] = {
    "AUTOTHROTTLE_ENABLED": False,
    "LOG_LEVEL": "INFO",
    "RETRY_TIMES": 2,
    "DOWNLOAD_DELAY": 0,
}


def crawl_settings(archive_path: Path, **extra: Any) -> dict[str, Any]:
    """The project's settings for a test crawl into ``archive_path``."""
    import crawler.settings as project

    settings = {name: getattr(project, name) for name in dir(project) if name.isupper()}
    settings.update(TEST_SETTINGS, ARCHIVE_PATH=str(archive_path), **extra)
    return settings


def run_demo(db: Path) -> subprocess.CompletedProcess:
    """``blogarchive demo --db db`` with the real command, as a user runs it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "blogarchive", "demo", "--db", str(db)],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=300, check=False,
    )

