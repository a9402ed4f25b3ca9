"""Score the project's extractor and trafilatura on the AEB benchmark in one run.

Usage: ``python bench/extraction.py [AEB_DIR] [--limit N]``; AEB_DIR defaults to
``../shared/benchmarks/aeb`` beside the project root. The metric is the one of
``../shared/tools/score_extraction.py`` (imported from there, not copied). Both
extractors run in this process, one page at a time on one core, over pages already
decompressed in memory, so the pages/s figures and their ratio are comparable.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))

from pipelines.extract import NoBodyFound, extract_article  # noqa: E402


def _scorer():
    spec = importlib.util.spec_from_file_location("score_extraction", SHARED / "tools" / "score_extraction.py")
    if spec is None or spec.loader is None:
        raise SystemExit(f"{SHARED}/tools/score_extraction.py not found")
    module = importlib.util.module_from_spec(spec)
    sys.modules["score_extraction"] = module
    spec.loader.exec_module(module)
    return module


def load_pages(root: Path, limit: int | None) -> list[tuple[str, str, str, str]]:
    """``(id, html, url, truth)`` for each benchmark page."""
    truth = json.loads((root / "ground-truth.json").read_text("utf8"))
    pages = []
    for key in sorted(truth)[:limit]:
        markup = gzip.decompress((root / "html" / f"{key}.html.gz").read_bytes()).decode("utf8", "replace")
        pages.append((key, markup, truth[key].get("url") or "", truth[key].get("articleBody") or ""))
    return pages


def project_body(markup: str, url: str) -> str:
    try:
        return extract_article(markup, url=url or None).body
    except NoBodyFound:
        return ""


def trafilatura_body(markup: str, url: str) -> str:
    import trafilatura

    return trafilatura.extract(markup, url=url or None, include_comments=False) or ""


def run(extractor: Callable[[str, str], str], pages: list[tuple[str, str, str, str]]) -> tuple[dict, float]:
    """Predictions by page id and the pages per second."""
    preds: dict[str, str] = {}
    start = time.perf_counter()
    for key, markup, url, _ in pages:
        preds[key] = extractor(markup, url)
    return preds, len(pages) / (time.perf_counter() - start)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("aeb", type=Path, nargs="?", default=SHARED / "benchmarks" / "aeb")
    ap.add_argument("--limit", type=int)
    ap.add_argument("--tokenizer", choices=["mixed", "aeb"], default="mixed")
    ap.add_argument("--only", choices=["project", "trafilatura"])
    args = ap.parse_args(argv)
    scorer = _scorer()
    pages = load_pages(args.aeb, args.limit)
    results = {}
    for name, extractor in (("project", project_body), ("trafilatura", trafilatura_body)):
        if args.only and args.only != name:
            continue
        extractor(pages[0][1], pages[0][2])  # warm up imports
        preds, speed = run(extractor, pages)
        counts = [scorer.page_counts(truth, preds[key], args.tokenizer) for key, _, _, truth in pages]
        metrics = scorer.aggregate(counts)
        results[name] = speed
        print(f"{name:12s} F1 {metrics['f1']:.3f}  P {metrics['precision']:.3f}  R {metrics['recall']:.3f}  "
              f"{speed:6.1f} pages/s  ({len(pages)} pages)")
    if len(results) == 2:
        print(f"speed ratio project/trafilatura {results['project'] / results['trafilatura']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
