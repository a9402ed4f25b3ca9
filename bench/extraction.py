"""Score the project's extractor and trafilatura on the AEB benchmark in one run.

Usage: ``python bench/extraction.py [AEB_DIR] [--limit N]``; AEB_DIR defaults to
``../shared/benchmarks/aeb`` beside the project root. The metric is the one of
``../shared/tools/score_extraction.py`` (imported from there, not copied). Both
extractors run in this process, one page at a time on one core, over pages already
decompressed in memory, alternating page by page, so the pages/s figures and their ratio
are comparable even on a busy machine. trafilatura runs as its published benchmark figure
was measured: ``extract(html, url, include_comments=False)``.
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


EXTRACTORS: dict[str, Callable[[str, str], str]] = {"project": project_body, "trafilatura": trafilatura_body}


def run(pages: list[tuple[str, str, str, str]], names: list[str], repeat: int) -> tuple[dict, dict]:
    """Predictions and seconds per extractor. Extractors alternate page by page (first one
    first on even pages, last one first on odd pages) and each page's time is the fastest of
    ``repeat`` runs, so background load affects both sides alike."""
    preds: dict[str, dict[str, str]] = {name: {} for name in names}
    seconds = dict.fromkeys(names, 0.0)
    for index, (key, markup, url, _) in enumerate(pages):
        order = names if index % 2 == 0 else names[::-1]
        best = dict.fromkeys(names, float("inf"))
        for _ in range(repeat):
            for name in order:
                start = time.perf_counter()
                preds[name][key] = EXTRACTORS[name](markup, url)
                best[name] = min(best[name], time.perf_counter() - start)
        for name in names:
            seconds[name] += best[name]
    return preds, seconds


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("aeb", type=Path, nargs="?", default=SHARED / "benchmarks" / "aeb")
    ap.add_argument("--limit", type=int)
    ap.add_argument("--tokenizer", choices=["mixed", "aeb"], default="mixed")
    ap.add_argument("--only", choices=sorted(EXTRACTORS))
    ap.add_argument("--repeat", type=int, default=3, help="runs per page; the fastest counts (3)")
    args = ap.parse_args(argv)
    scorer = _scorer()
    pages = load_pages(args.aeb, args.limit)
    names = [args.only] if args.only else list(EXTRACTORS)
    for name in names:  # warm up imports and caches
        EXTRACTORS[name](pages[0][1], pages[0][2])
    preds, seconds = run(pages, names, args.repeat)
    speed = {}
    for name in names:
        counts = [scorer.page_counts(truth, preds[name][key], args.tokenizer) for key, _, _, truth in pages]
        metrics = scorer.aggregate(counts)
        speed[name] = len(pages) / seconds[name]
        print(f"{name:12s} F1 {metrics['f1']:.3f}  P {metrics['precision']:.3f}  R {metrics['recall']:.3f}  "
              f"{speed[name]:6.1f} pages/s  ({len(pages)} pages, one core)")
    if len(speed) == 2:
        print(f"speed ratio project/trafilatura {speed['project'] / speed['trafilatura']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
