"""``blogarchive ingest`` through the dedup path: idempotent, and on the shared corpus."""

from __future__ import annotations

import json
import random
from collections import Counter
from itertools import combinations
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive import Archive
from blogarchive.cli import cli
from blogarchive.ingest import ingest_jsonl
from tests.dedup_texts import ESSAY, POST, csdn_repost, excerpt, traditional


def write_jsonl(path: Path, docs: list[dict]) -> Path:
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    return path


DOCS = [
    {"url": "https://www.jianshu.com/p/1", "text": ESSAY, "published": "2024-01-01T00:00:00"},
    {"url": "https://blog.csdn.net/x/2", "text": csdn_repost(traditional(ESSAY)),
     "published": "2024-01-02T00:00:00"},
    {"url": "https://feed.example/3", "text": excerpt(ESSAY, 0.5), "published": "2024-01-03T00:00:00"},
    {"url": "https://blog.example/4", "text": POST},
]


def test_reingesting_the_same_file_adds_no_texts_and_no_sightings(tmp_path):
    source = write_jsonl(tmp_path / "docs.jsonl", DOCS)
    db = tmp_path / "archive.db"
    first = ingest_jsonl(source, db)
    assert (first.new_texts, first.merged) == (2, 2)
    with Archive(db) as archive:
        before = archive.stats()
    second = ingest_jsonl(source, db)
    with Archive(db) as archive:
        after = archive.stats()
    assert (second.new_texts, second.merged, second.unchanged) == (0, 0, 4)
    assert (after.texts, after.sightings, after.sightings_by_relation) == (
        before.texts, before.sightings, before.sightings_by_relation)


def test_ingest_and_rebuild_report_progress(tmp_path, monkeypatch):
    from blogarchive import ingest
    from pipelines import recording

    monkeypatch.setattr(ingest, "BATCH_LINES", 3)
    monkeypatch.setattr(recording, "PROGRESS_EVERY", 2)
    source = write_jsonl(tmp_path / "docs.jsonl", DOCS + [{"url": f"https://blog.example/x{i}", "text": POST}
                                                          for i in range(3)])
    seen: list[tuple[int, int]] = []
    ingest_jsonl(source, tmp_path / "archive.db", progress=lambda done, total: seen.append((done, total)))
    assert seen == [(3, 7), (6, 7), (7, 7)]
    seen.clear()
    with Archive(tmp_path / "archive.db") as archive:
        recording.rebuild(archive, recording.archive_params(archive, recording.DedupParams()),
                          lambda done, total: seen.append((done, total)))
    assert seen == [(0, 7), (2, 7), (4, 7), (6, 7), (7, 7)]


def test_cli_text_and_rebuild(tmp_path):
    source = write_jsonl(tmp_path / "docs.jsonl", DOCS)
    db = tmp_path / "archive.db"
    runner = CliRunner()
    assert runner.invoke(cli, ["ingest", str(source), "--db", str(db)]).exit_code == 0
    result = runner.invoke(cli, ["dedup", "--rebuild", "--db", str(db), "--threshold", "0.4"])
    assert result.exit_code == 0, result.output
    assert "2 after" in result.output
    with Archive(db) as archive:
        essay = next(t for t in archive.iter_texts() if t["sighting_count"] == 3)
        assert archive.meta()["dedup_threshold"] == "0.4"
    more = write_jsonl(tmp_path / "more.jsonl", [{"url": "https://other.example/5", "text": ESSAY}])
    assert runner.invoke(cli, ["ingest", str(more), "--db", str(db)]).exit_code == 0  # rebuilt params kept
    result = runner.invoke(cli, ["text", str(essay["id"]), "--db", str(db), "--copies"])
    assert result.exit_code == 0, result.output
    assert "[original] https://www.jianshu.com/p/1" in result.output
    assert "[excerpt" in result.output
    assert "本文转载自简书" in result.output  # the CSDN copy, reconstructed
    assert runner.invoke(cli, ["text", "999", "--db", str(db)]).exit_code == 1


def pairwise(truth: dict[str, str], pred: dict[str, int]) -> tuple[float, float]:
    def pairs(labels: dict) -> set[tuple[str, str]]:
        groups: dict = {}
        for key, label in labels.items():
            groups.setdefault(label, []).append(key)
        return {tuple(sorted(p)) for members in groups.values() for p in combinations(members, 2)}

    true_pairs, predicted = pairs(truth), pairs(pred)
    correct = len(true_pairs & predicted)
    return (correct / len(predicted) if predicted else 1.0, correct / len(true_pairs) if true_pairs else 1.0)


@pytest.mark.shared_corpus
@pytest.mark.slow
def test_sample_of_the_shared_repost_corpus(tmp_path, shared_dir):
    corpus = shared_dir / "benchmarks" / "reposts" / "corpus.jsonl"
    if not corpus.exists():
        pytest.skip(f"{corpus} is absent")
    docs = [json.loads(line) for line in corpus.open(encoding="utf-8") if line.strip()]
    clusters = sorted({d["cluster_id"] for d in docs})
    chosen = set(random.Random(7).sample(clusters, len(clusters) // 3))
    sample = [d for d in docs if d["cluster_id"] in chosen]
    assert Counter(d["kind"] for d in sample)["neg_quote"] > 0
    source = write_jsonl(tmp_path / "sample.jsonl", [
        {k: d[k] for k in ("url", "text", "published", "platform")} for d in sample])
    report = ingest_jsonl(source, tmp_path / "archive.db")
    truth = {d["url"]: d["cluster_id"] for d in sample}
    precision, recall = pairwise(truth, report.text_ids)
    assert precision >= 0.995
    assert recall >= 0.9


def test_crawls_and_ingest_fingerprint_with_the_same_parameters():
    from scrapy.settings import Settings

    from crawler import settings as crawl_settings
    from pipelines.dedup import DedupParams
    from pipelines.minhash_dedup import dedup_params

    settings = Settings()
    settings.setmodule(crawl_settings)
    assert dedup_params(settings) == DedupParams()
