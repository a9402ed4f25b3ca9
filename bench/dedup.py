"""Near-duplicate detection: quality on the repost corpus, speed, and scale.

Usage (from the project root)::

    python bench/dedup.py                      # everything, scale up to 100,000 texts
    python bench/dedup.py --only corpus
    python bench/dedup.py --only scale --scale 1000000

Sections:

- ``corpus``: feeds the labelled repost corpus through ``blogarchive ingest`` and
  scores it with the shared scorer (pairwise P/R/F1 and ARI, by language and kind),
  next to plain MinHashLSH (datasketch defaults on character 5-grams, threshold 0.5).
- ``speed``: docs/s of 3,000-character Chinese texts through normalise → MinHash →
  LSH query → insert, ours (SQLite band index) against datasketch defaults (SHA-1,
  128 permutations, in-memory ``MinHashLSH``), in the same run, on one core.
- ``scale``: a synthetic archive (signatures and bands inserted directly) grown to
  10k, 100k, … texts: LSH lookup latency at each size, then the time and peak memory
  of a fresh process that opens the archive and deduplicates one more page.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from archive import Archive  # noqa: E402
from blogarchive.ingest import ingest_jsonl  # noqa: E402
from pipelines.dedup import DedupParams, fingerprint, normalise  # noqa: E402
from pipelines.extract import Extraction  # noqa: E402
from pipelines.recording import PageRecord, copy_text, fingerprint_params, record_page  # noqa: E402

SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "benchmarks" / "reposts" / "corpus.jsonl"
SCORER = SHARED / "tools" / "score_dedup.py"


def load_corpus(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


# -- corpus -------------------------------------------------------------------------------


def plain_minhash_predictions(docs: list[dict]) -> dict[str, str]:
    """The README's baseline: MinHashLSH on character 5-grams, threshold 0.5, online."""
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    cluster: dict[str, str] = {}
    order: dict[str, int] = {}
    for doc in docs:
        text = doc["text"]
        minhash = MinHash(num_perm=128)
        minhash.update_batch({text[i : i + 5].encode("utf-8") for i in range(max(1, len(text) - 4))})
        hits = lsh.query(minhash)  # a set's order, which changes from run to run: take the earliest
        cluster[doc["id"]] = cluster[min(hits, key=order.__getitem__)] if hits else doc["id"]
        order[doc["id"]] = len(order)
        lsh.insert(doc["id"], minhash)
    return cluster


def score(predictions: dict, path: Path, corpus: Path, scorer: Path) -> str:
    with path.open("w", encoding="utf-8") as out:
        for doc_id, cluster in predictions.items():
            out.write(json.dumps({"id": doc_id, "cluster": cluster}) + "\n")
    result = subprocess.run(
        [sys.executable, str(scorer), str(corpus), str(path), "--by", "lang", "--by", "kind"],
        capture_output=True, text=True, check=True,
    )
    return result.stdout.strip()


def bench_corpus(corpus: Path, scorer: Path, work: Path) -> None:
    print(f"== corpus: {corpus}")
    docs = load_corpus(corpus)
    source = work / "corpus_input.jsonl"
    with source.open("w", encoding="utf-8") as out:
        for doc in docs:
            fields = {k: doc[k] for k in ("url", "text", "published", "platform") if doc.get(k)}
            out.write(json.dumps(fields, ensure_ascii=False) + "\n")
    db = work / "corpus.db"
    started = time.perf_counter()
    report = ingest_jsonl(source, db)
    elapsed = time.perf_counter() - started
    print(f"blogarchive ingest: {report.read} docs in {elapsed:.1f} s, {report.new_texts} texts, "
          f"{report.merged} merged, {len(report.errors)} errors")
    by_url = {doc["url"]: doc for doc in docs}
    with Archive(db) as archive:
        print(f"sightings by relation: {archive.stats().sightings_by_relation}")
        right = wrong = excerpt_bodies = lost = 0
        for text in archive.iter_texts():
            sightings = archive.sightings_of(text["id"])
            labelled = [s for s in sightings if by_url[s["url"]].get("original")]
            canonical = next(s for s in sightings if s["id"] == text["canonical_sighting_id"])
            if labelled:
                right, wrong = (right + 1, wrong) if canonical in labelled else (right, wrong + 1)
            kinds = [any(t.startswith("excerpt") for t in by_url[s["url"]]["transforms"]) for s in sightings]
            source = [k for s, k in zip(sightings, kinds, strict=True)
                      if by_url[s["url"]]["text"].strip() == text["body"]]
            excerpt_bodies += bool(source and source[0] and not all(kinds))
            lost += sum(copy_text(text["body"], s) != by_url[s["url"]]["text"].strip() for s in sightings)
    print(f"original chosen right in {right} of {right + wrong} texts holding the labelled original; "
          f"stored body an excerpt while a full copy exists: {excerpt_bodies}; "
          f"copies not reconstructed exactly: {lost}")
    ours = {doc["id"]: report.text_ids[doc["url"]] for doc in docs}
    print(score(ours, work / "pred_ours.jsonl", corpus, scorer))
    print("-- plain MinHashLSH (char 5-grams, threshold 0.5, datasketch defaults):")
    print(score(plain_minhash_predictions(docs), work / "pred_plain.jsonl", corpus, scorer).splitlines()[-1])


# -- speed --------------------------------------------------------------------------------


def chinese_documents(corpus: Path | None, count: int, chars: int, seed: int = 1) -> list[str]:
    """``count`` distinct Chinese texts of about ``chars`` characters.

    Shuffled sentences of the corpus's Chinese texts (boilerplate sentences left out),
    one paragraph per sentence, with one character in ten replaced by another common
    one: a few thousand sentences reused by thousands of documents would otherwise
    make every document a partial copy of many others, which real articles are not.
    Without the corpus, sentences of random common characters.

    Only the corpus's texts in simplified characters give sentences (an article is
    written in one script, and its traditional-character reposts would otherwise put a
    few traditional sentences into every document); a text is simplified when OpenCC
    ``t2s`` changes at most 1 % of its characters (著名 → 着名 is such a change).
    :func:`traditional_documents` gives the same documents in traditional characters.
    """
    from pipelines.dedup.normalise import _t2s, fold, is_boilerplate_line

    def simplified(text: str) -> bool:
        changed = sum(a != b for a, b in zip(text, _t2s().convert(text), strict=False))
        return changed <= 0.01 * len(text)

    rng = random.Random(seed)
    sentences: list[str] = []
    if corpus is not None and corpus.exists():
        for doc in load_corpus(corpus):
            if doc["lang"] == "zh" and simplified(doc["text"]):
                sentences.extend(
                    s + "。" for s in doc["text"].replace("\n", "").split("。")
                    if len(s) > 8 and not is_boilerplate_line(fold(s))
                )
    common = sorted({ch for sentence in sentences for ch in sentence if "\u4e00" <= ch <= "\u9fff"})
    if len(sentences) < 200:
        common = [chr(c) for c in range(0x4E00, 0x4E00 + 2500)]
        sentences = ["".join(rng.choice(common) for _ in range(rng.randint(15, 45))) + "。"
                     for _ in range(5000)]
    docs = []
    for _ in range(count):
        parts, size = [], 0
        while size < chars:
            sentence = "".join(rng.choice(common) if "\u4e00" <= ch <= "\u9fff" and rng.random() < 0.1 else ch
                               for ch in rng.choice(sentences))
            parts.append(sentence)
            size += len(sentence)
        docs.append("\n".join(parts)[:chars])
    return docs


def traditional_documents(docs: list[str]) -> list[str]:
    """``docs`` in traditional characters (OpenCC ``s2t``), as Taiwanese and Hong Kong
    sites and many reposts write them: the one case that pays for the t2s conversion."""
    import opencc

    converter = opencc.OpenCC("s2t")
    return [converter.convert(doc) for doc in docs]


def settle() -> None:
    """Start a timed run on a quiet machine: the previous run's garbage collected and its
    written pages flushed to disk (the kernel would otherwise write them back during
    this run)."""
    gc.collect()
    os.sync()


def drop_search_triggers(archive: Archive) -> list[str]:
    """Remove the full-text search triggers from a scratch archive, to time the dedup
    stage without the search index's cost (never done to a real archive)."""
    names = [row[0] for row in archive.db.execute(
        "select name from sqlite_master where type = 'trigger' and name like '%search%'").fetchall()]
    for name in names:
        archive.db.execute(f"drop trigger {name}")
    return names


def run_ours(
    docs: list[str], db: Path, params: DedupParams, per_transaction: int = 1, search_index: bool = True
) -> tuple[float, float]:
    """normalise → MinHash → band lookup → insert text and bands, committing every
    ``per_transaction`` docs (1 like a crawl, more like ``blogarchive ingest``)."""
    with Archive(db) as archive:
        archive.check_fingerprint_params(fingerprint_params(params))
        if not search_index:
            drop_search_triggers(archive)
        settle()
        started, cpu = time.perf_counter(), time.process_time()
        for low in range(0, len(docs), per_transaction):
            with archive.atomic():
                for i, doc in enumerate(docs[low : low + per_transaction], start=low):
                    fp = fingerprint(doc, params)
                    with archive.atomic():
                        archive.texts_by_band_keys(fp.band_keys)
                        archive.add_text(title=None, body=doc, body_html=None, lang="zh",
                                         content_hash=fp.content_hash, signature=fp.signature,
                                         band_keys=fp.band_keys, seen=f"{i}")
        return time.perf_counter() - started, time.process_time() - cpu


def run_fingerprint_only(docs: list[str], params: DedupParams) -> tuple[float, float]:
    settle()
    started, cpu = time.perf_counter(), time.process_time()
    for doc in docs:
        fingerprint(doc, params)
    return time.perf_counter() - started, time.process_time() - cpu


def run_record_page(docs: list[str], db: Path, params: DedupParams) -> tuple[float, float]:
    with Archive(db) as archive:
        archive.check_fingerprint_params(fingerprint_params(params))
        settle()
        started, cpu = time.perf_counter(), time.process_time()
        for i, doc in enumerate(docs):
            page = PageRecord(url=f"https://bench.example/{i}", fetched_at="2024-01-01T00:00:00+00:00",
                              extraction=Extraction(body=doc), fingerprint=fingerprint(doc, params))
            record_page(archive, page, params)
        return time.perf_counter() - started, time.process_time() - cpu


def run_datasketch_defaults(docs: list[str]) -> tuple[float, float]:
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH()
    settle()
    started, cpu = time.perf_counter(), time.process_time()
    for i, doc in enumerate(docs):
        text = normalise(doc).replace(" ", "")
        minhash = MinHash()
        minhash.update_batch({text[j : j + 5].encode("utf-8") for j in range(max(1, len(text) - 4))})
        lsh.query(minhash)
        lsh.insert(i, minhash)
    return time.perf_counter() - started, time.process_time() - cpu


def bench_hash_functions(docs: list[str], params: DedupParams) -> None:
    from datasketch.hashfunc import sha1_hash32

    from pipelines.dedup.shingles import shingle_hashes, token_ids

    normalised = [normalise(doc) for doc in docs]
    started = time.perf_counter()
    for text in normalised:
        shingle_hashes(token_ids(text), params.shingle_size)
    ours = time.perf_counter() - started
    started = time.perf_counter()
    for text in normalised:
        compact = text.replace(" ", "")
        [sha1_hash32(compact[j : j + 5].encode("utf-8")) for j in range(max(1, len(compact) - 4))]
    sha1 = time.perf_counter() - started
    n = len(docs)
    print(f"shingle hashing only: ours {1000 * ours / n:.3f} ms/doc, SHA-1 (datasketch default) "
          f"{1000 * sha1 / n:.3f} ms/doc: {sha1 / ours:.1f}x faster")


def bench_speed(corpus: Path | None, count: int, work: Path) -> None:
    params = DedupParams()
    docs = chinese_documents(corpus, count, 3000)
    print(f"== speed: {count} Chinese docs of 3,000 chars, one thread, num_perm={params.num_perm}, "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    run_ours(docs[:50], work / "warmup.db", params)
    per_doc = run_ours(docs, work / "speed_ours.db", params)
    batched = run_ours(docs, work / "speed_ours_batched.db", params, per_transaction=200)
    batched_bare = run_ours(docs, work / "speed_ours_bare.db", params, per_transaction=200, search_index=False)
    per_doc_bare = run_ours(docs, work / "speed_ours_bare1.db", params, search_index=False)
    default = run_datasketch_defaults(docs)
    fingerprint_only = run_fingerprint_only(docs, params)
    traditional = traditional_documents(docs)
    traditional_bare = run_ours(traditional, work / "speed_ours_traditional.db", params, per_transaction=200,
                                search_index=False)
    traditional_fingerprint_only = run_fingerprint_only(traditional, params)
    full = run_record_page(docs, work / "speed_record.db", params)

    def rate(times: tuple[float, float]) -> str:
        return f"{count / times[0]:7,.0f} docs/s wall, {count / times[1]:7,.0f} docs/s CPU"

    def ratio(times: tuple[float, float]) -> str:
        return f"{default[0] / times[0]:.1f}x defaults wall, {default[1] / times[1]:.1f}x CPU"

    print(f"datasketch defaults (SHA-1, 128 perms, in-memory MinHashLSH): {rate(default)}")
    print("  ours on the archive as it is (texts_search kept in sync by SQL triggers on insert):")
    print(f"ours, SQLite band index, 200 docs per transaction (ingest):   {rate(batched)} = {ratio(batched)}")
    print(f"ours, SQLite band index, one transaction per doc (crawl):     {rate(per_doc)} = {ratio(per_doc)}")
    print("  the same without the full-text search triggers (dedup's own cost):")
    print(f"ours, 200 docs per transaction, no search index:               {rate(batched_bare)} = "
          f"{ratio(batched_bare)}")
    print(f"ours, one transaction per doc, no search index:                {rate(per_doc_bare)} = "
          f"{ratio(per_doc_bare)}")
    print(f"ours, normalise + MinHash + band keys only (no database):     {rate(fingerprint_only)}")
    print(f"full record_page per doc (exact path, verification, sighting): {rate(full)}")
    print("  the same texts in traditional characters (every one pays for OpenCC t2s):")
    print(f"traditional, 200 docs per transaction, no search index:       {rate(traditional_bare)} = "
          f"{ratio(traditional_bare)}")
    print(f"traditional, normalise + MinHash + band keys only:             {rate(traditional_fingerprint_only)}")
    bench_hash_functions(docs[: min(count, 500)], params)


# -- scale --------------------------------------------------------------------------------


def grow_synthetic(db: Path, start: int, stop: int, params: DedupParams, rng: random.Random) -> None:
    """Insert texts ``start..stop-1`` with random signatures and band keys (what real
    ones look like to the index), plus one sighting each."""
    b, _ = params.bands
    bands_per_text = 2 * b  # whole-text and head bands
    with Archive(db) as archive:
        conn = archive.db.conn
        conn.execute("PRAGMA cache_size=-1000000")
        conn.execute("DROP INDEX IF EXISTS idx_text_bands_text")  # rebuilt once at the end
        batch = 20_000
        for low in range(start, stop, batch):
            high = min(stop, low + batch)
            conn.execute("BEGIN")
            conn.executemany(
                "insert into texts(id, title, body, lang, chars, first_seen, last_seen, content_hash, "
                "signature, sighting_count, canonical_sighting_id) values (?, ?, ?, 'zh', ?, ?, ?, ?, ?, 1, ?)",
                [(i, f"t{i}", f"synthetic text {i}", 18, "2024-01-01", "2024-01-01",
                  hashlib.blake2b(str(i).encode(), digest_size=16).hexdigest(), rng.randbytes(4 * params.num_perm), i)
                 for i in range(low + 1, high + 1)],
            )
            conn.executemany(
                "insert into sightings(id, text_id, url, final_url, site, fetched_at, last_seen, relation, "
                "content_hash) values (?, ?, ?, ?, 'synthetic.example', '2024-01-01', '2024-01-01', 'original', ?)",
                [(i, i, f"https://synthetic.example/{i}", f"https://synthetic.example/{i}",
                  hashlib.blake2b(str(i).encode(), digest_size=16).hexdigest()) for i in range(low + 1, high + 1)],
            )
            conn.executemany(  # in key order: the band table is a b-tree on (band_key, text_id)
                "insert or ignore into text_bands(band_key, text_id) values (?, ?)",
                sorted((rng.getrandbits(64) - (1 << 63), i)
                       for i in range(low + 1, high + 1) for _ in range(bands_per_text)),
            )
            conn.execute("COMMIT")
        conn.execute("CREATE INDEX idx_text_bands_text ON text_bands(text_id)")
        conn.execute("ANALYZE")


def lookup_latency(db: Path, queries: list, params: DedupParams) -> tuple[float, float, int]:
    with Archive(db) as archive:
        times, found = [], 0
        for fp in queries:
            started = time.perf_counter()
            found += len(archive.texts_by_band_keys(fp.band_keys))
            times.append(time.perf_counter() - started)
    times.sort()
    return 1000 * statistics.median(times), 1000 * times[int(0.95 * (len(times) - 1))], found


def peak_rss_mib() -> float:
    """This process's peak resident set (``VmHWM``; unlike ``ru_maxrss`` it is not
    inherited from the parent across fork and exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def open_and_dedup_one(db: Path) -> None:
    """Run in a fresh process: open the archive, dedup one more page, print JSON."""
    baseline = peak_rss_mib()
    params = DedupParams()
    doc = chinese_documents(CORPUS, 1, 3000, seed=99)[0]
    started = time.perf_counter()
    with Archive(db) as archive:
        archive.check_fingerprint_params(fingerprint_params(params))
        opened = time.perf_counter() - started
        page = PageRecord(url=f"https://new.example/{time.time_ns()}", fetched_at="2024-06-01T00:00:00+00:00",
                          extraction=Extraction(body=doc), fingerprint=fingerprint(doc, params))
        outcome = record_page(archive, page, params)
    total = time.perf_counter() - started
    print(json.dumps({"open_s": opened, "open_and_dedup_s": total, "peak_rss_mib": peak_rss_mib(),
                      "baseline_rss_mib": baseline, "new_text": outcome.new_text}))


def bench_scale(corpus: Path | None, target: int, work: Path) -> None:
    params = DedupParams()
    print(f"== scale: synthetic archive up to {target:,} texts ({2 * params.bands[0]} band rows per text)")
    db = work / "scale.db"
    rng = random.Random(5)
    docs = chinese_documents(corpus, 300, 3000, seed=3)
    real = docs[:100]
    with Archive(db) as archive:
        archive.check_fingerprint_params(fingerprint_params(params))
        for i, doc in enumerate(real):
            page = PageRecord(url=f"https://real.example/{i}", fetched_at="2024-01-01T00:00:00+00:00",
                              extraction=Extraction(body=doc), fingerprint=fingerprint(doc, params))
            record_page(archive, page, params)
    misses = [fingerprint(doc, params) for doc in docs[100:]]
    hits = [fingerprint(doc[:1500] + "\n本文转载自某网站", params) for doc in real]
    size, checkpoints = len(real), [n for n in (10_000, 100_000, 1_000_000, 10_000_000) if n <= target]
    if target not in checkpoints:
        checkpoints.append(target)
    for checkpoint in checkpoints:
        started = time.perf_counter()
        grow_synthetic(db, size, checkpoint, params, rng)
        built = time.perf_counter() - started
        size = checkpoint
        miss_median, miss_p95, _ = lookup_latency(db, misses, params)
        hit_median, hit_p95, found = lookup_latency(db, hits, params)
        print(f"{size:>10,} texts (grown in {built:.0f} s, file {db.stat().st_size / 2**30:.2f} GiB): "
              f"lookup new doc median {miss_median:.2f} ms p95 {miss_p95:.2f} ms; "
              f"lookup of a copy median {hit_median:.2f} ms p95 {hit_p95:.2f} ms ({found} candidates)")
    result = subprocess.run([sys.executable, __file__, "--open-one", str(db)],
                            capture_output=True, text=True, check=True)
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    print(f"fresh process, {size:,} texts: open {figures['open_s']:.3f} s, open + dedup one page "
          f"{figures['open_and_dedup_s']:.3f} s, peak RSS {figures['peak_rss_mib']:.0f} MiB "
          f"(of which {figures['baseline_rss_mib']:.0f} MiB is the interpreter and imports)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--scorer", type=Path, default=SCORER)
    parser.add_argument("--only", default="corpus,speed,scale", help="comma-separated sections")
    parser.add_argument("--docs", type=int, default=2000, help="documents for the speed section")
    parser.add_argument("--scale", type=int, default=100_000, help="largest synthetic archive")
    parser.add_argument("--workdir", type=Path, default=None, help="keep files here (default: a temp dir)")
    parser.add_argument("--open-one", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.open_one:
        open_and_dedup_one(args.open_one)
        return
    sections = set(args.only.split(","))
    corpus = args.corpus if args.corpus.exists() else None
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        work = Path(tmp)
        if "corpus" in sections:
            if corpus is None or not args.scorer.exists():
                print(f"== corpus: {args.corpus} or {args.scorer} is absent, skipped")
            else:
                bench_corpus(corpus, args.scorer, work)
        if "speed" in sections:
            bench_speed(corpus, args.docs, work)
        if "scale" in sections:
            bench_scale(corpus, args.scale, work)


if __name__ == "__main__":
    main()
