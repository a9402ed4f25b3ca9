"""``blogarchive browse``: the command, and the text page in a real browser."""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from click.testing import CliRunner

from blogarchive.cli import cli
from tests.conftest import ROOT, run_demo


def test_browse_is_a_blogarchive_command():
    result = CliRunner().invoke(cli, ["browse", "--help"])
    assert result.exit_code == 0
    assert "Datasette" in result.output
    assert "--port" in result.output


def test_browse_refuses_a_missing_archive(tmp_path: Path):
    result = CliRunner().invoke(cli, ["browse", "--db", str(tmp_path / "missing.db")])
    assert result.exit_code == 2
    assert "does not exist" in result.output


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, server: subprocess.Popen, attempts: int = 300) -> None:
    """Poll ``url`` until it answers 200; fail if the server exits first."""
    for _ in range(attempts):
        if server.poll() is not None:
            raise AssertionError(f"server exited with {server.returncode}: {server.stderr.read()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} never answered")


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def plugin_installed() -> bool:
    """Whether the package's ``datasette`` entry point is installed (``pip install -e .``)."""
    return any(ep.value == "archive.datasette" for ep in entry_points(group="datasette"))


def server_command(db: Path, port: int) -> list[str]:
    """Plain ``datasette serve`` when the entry point is installed, else ``blogarchive browse``
    (which registers the plugin itself, for a source tree that was not installed)."""
    if plugin_installed():
        return [sys.executable, "-m", "datasette", "serve", str(db), "--port", str(port)]
    return [sys.executable, "-m", "blogarchive", "browse", "--db", str(db), "--port", str(port)]


@pytest.mark.browser
@pytest.mark.skipif(chromium() is None, reason="chromium is not installed (.ci/install-chromium)")
def test_text_page_in_headless_chromium(tmp_path: Path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        env.pop(name, None)
    db = tmp_path / "archive.db"
    assert run_demo(db).returncode == 0
    with sqlite3.connect(db) as conn:
        essay = conn.execute("select text_id from sightings where platform = 'csdn' and title like '%空地%'")
        text_id = essay.fetchone()[0]
        platforms = [r[0] for r in conn.execute("select platform from sightings where text_id = ?", [text_id])]
    port = free_port()
    server = subprocess.Popen(
        server_command(db, port),
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/-/versions.json", server)
        url = f"{base}/-/blogarchive/archive/text/{text_id}"
        browser = [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
        ]
        dom = subprocess.run(
            [*browser, "--dump-dom", url], capture_output=True, text=True, timeout=120, check=True
        ).stdout
        assert dom.count('class="ba-sighting"') == 4
        for platform in platforms:
            assert f'<span class="ba-platform">{platform}</span>' in dom
        assert "Differences from the canonical text" in dom
        shot = tmp_path / "text-page.png"
        subprocess.run(
            [*browser, f"--screenshot={shot}", "--window-size=1280,2000", url],
            capture_output=True,
            timeout=120,
            check=True,
        )
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    finally:
        server.terminate()
        server.wait(timeout=30)
        server.stdout.close()
        server.stderr.close()
