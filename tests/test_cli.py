"""The ``blogarchive`` command: help, extract, ingest, stats, exit codes."""

from __future__ import annotations

import json
import sqlite3

import pytest
from click.testing import CliRunner

from blogarchive.cli import cli
from blogarchive.siteserver import demo_site_root

COMMANDS = sorted(cli.commands)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_explains_itself(command):
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert len(cli.commands[command].help or "") > 40
    assert "Example" in result.output or command in ("browse",)


def test_extract_json_separates_recommendations():
    page = demo_site_root() / "jianshu/p/7d3c1a9e5b20.html"
    result = CliRunner().invoke(cli, ["extract", str(page), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["title"] == "慢读一本书，是给自己留的一块空地"
    assert data["body"].startswith("去年冬天")
    assert data["body"].rstrip().endswith("读上二十页试试。")
    assert [r["title"] for r in data["recommendations"]][0] == "如何在三十岁前学会理财"
    assert all({"title", "url"} <= set(r) for r in data["recommendations"])
    assert data["author"] == "林间小径"


def test_extract_reports_no_body(tmp_path):
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"<html><body><nav><a href='/'>home</a></nav></body></html>")
    result = CliRunner().invoke(cli, ["extract", str(empty)])
    assert result.exit_code == 1
    assert "no article body" in result.output


def test_ingest_skips_malformed_lines_and_keeps_the_rest(tmp_path):
    db = tmp_path / "a.db"
    text = "The quick brown fox jumps over the lazy dog near the river bank every morning. " * 5
    lines = [
        json.dumps({"url": "http://a.example/1", "text": text, "title": "Fox"}),
        "{not json",
        json.dumps({"url": "http://b.example/1", "text": "Originally published at http://a.example/1\n\n" + text}),
        json.dumps({"text": "no url"}),
        json.dumps(
            {
                "url": "http://c.example/1",
                "html": "<html><body><article><p>"
                + "A different article about birds and the estuary at low tide. " * 5
                + "</p></article></body></html>",
            }
        ),
    ]
    bad_types = [  # lines 6-9: each would have been stored wrongly or crashed the batch
        json.dumps({"url": "http://d.example/1", "text": text, "title": {"an": "object"}}),
        json.dumps({"url": "http://d.example/2", "text": ["a", "list"]}),
        json.dumps({"url": "http://d.example/3", "text": text, "published": "yesterday-ish"}),
        '{"url": "http://d.example/4", "text": "A lone surrogate \\ud800 in an otherwise fine text. ' + text + '"}',
    ]
    lines += bad_types
    source = tmp_path / "docs.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["ingest", str(source), "--db", str(db)])
    assert result.exit_code == 1
    for number in (2, 4, 6, 7, 8, 9):
        assert f"{source}:{number}: skipped" in result.output
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from texts").fetchone()[0] == 2
        assert conn.execute("select count(*) from sightings").fetchone()[0] == 3
    with sqlite3.connect(db) as conn:
        assert conn.execute("select status from crawls").fetchall() == [("finished_with_errors",)]
    again = CliRunner().invoke(cli, ["ingest", str(source), "--db", str(db)])
    assert "3 unchanged" in again.output
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from sightings").fetchone()[0] == 3


def test_stats_reports_counts(tmp_path):
    db = tmp_path / "a.db"
    source = tmp_path / "one.jsonl"
    source.write_text(json.dumps({"url": "http://a.example/x", "text": "hello world " * 20}) + "\n")
    assert CliRunner().invoke(cli, ["ingest", str(source), "--db", str(db)]).exit_code == 0
    result = CliRunner().invoke(cli, ["stats", "--db", str(db), "--json"])
    assert json.loads(result.output)["texts"] == 1


def test_ingest_into_an_archive_fingerprinted_otherwise_says_to_rebuild(tmp_path):
    import sqlite3

    db = tmp_path / "a.db"
    source = tmp_path / "one.jsonl"
    source.write_text(json.dumps({"url": "http://a.example/x", "text": "hello world " * 20}) + "\n")
    assert CliRunner().invoke(cli, ["ingest", str(source), "--db", str(db)]).exit_code == 0
    with sqlite3.connect(db) as conn:  # as an archive made by an older normaliser
        conn.execute("update archive_meta set value = '3/head64' where key = 'minhash_normaliser'")
    result = CliRunner().invoke(cli, ["ingest", str(source), "--db", str(db)])
    assert result.exit_code == 1
    assert "blogarchive dedup --rebuild" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert CliRunner().invoke(cli, ["dedup", "--rebuild", "--db", str(db)]).exit_code == 0
    assert CliRunner().invoke(cli, ["ingest", str(source), "--db", str(db)]).exit_code == 0


def test_stats_on_missing_archive_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(cli, ["stats", "--db", str(tmp_path / "missing.db")])
    assert result.exit_code == 2


def test_a_file_that_is_not_an_archive_is_reported_in_one_line(tmp_path):
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    junk = tmp_path / "junk.db"
    junk.write_bytes(bytes(range(256)) * 20)
    for args in (["stats"], ["text", "1"]):
        done = subprocess.run([sys.executable, "-m", "blogarchive", *args, "--db", str(junk)], capture_output=True,
                              text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)
        assert done.returncode == 1
        assert "cannot read the archive: file is not a database" in done.stderr
        assert "Traceback" not in done.stderr


def test_bad_arguments_are_usage_errors_that_leave_nothing_behind(tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<html><body><article><p>" + "Some text. " * 40 + "</p></article></body></html>")
    runner = CliRunner()
    assert runner.invoke(cli, ["text", "99999999999999999999999", "--db", str(tmp_path / "a.db")]).exit_code == 2
    assert runner.invoke(cli, ["extract", str(page), "--platform", "nosuch"]).exit_code == 2
    missing = tmp_path / "missing.db"
    assert runner.invoke(cli, ["dedup", "--rebuild", "--db", str(missing)]).exit_code == 2
    assert not (tmp_path / "missing.db.lock").exists()
    log = tmp_path / "no" / "such" / "dir" / "crawl.log"
    result = runner.invoke(cli, ["crawl", "https://a.example/", "--db", str(tmp_path / "a.db"), "--log-file", str(log)])
    assert result.exit_code == 2
    assert not (tmp_path / "a.db").exists()


def test_crawl_options_for_urls_are_refused_with_only_a_config(tmp_path):
    """--limit and its kin apply to URLs on the command line; with only --config they were
    silently ignored (a --limit 3 run archived 60 articles)."""
    config = tmp_path / "sites.toml"
    config.write_text('[[site]]\nurl = "http://127.0.0.1:9/"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["crawl", "--config", str(config), "--limit", "3", "--depth", "0",
                                      "--db", str(tmp_path / "a.db")])
    assert result.exit_code == 2
    assert "--limit, --depth apply to URLs given on the command line" in result.output
    assert not (tmp_path / "a.db").exists()


def test_demo_on_a_taken_port_says_so_in_one_line(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["demo", "--port", str(port), "--db", str(tmp_path / "a.db")])
    assert result.exit_code == 1
    assert f"cannot serve the demo site on port {port}" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not (tmp_path / "a.db").exists()
