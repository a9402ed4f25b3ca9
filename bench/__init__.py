"""Benchmarks: ``python -m bench.crawl`` (see bench/RESULTS.md)."""
