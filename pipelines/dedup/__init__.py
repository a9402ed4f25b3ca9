"""Near-duplicate detection: pure functions over text (no Scrapy, no database).

normalise → shingle → MinHash → LSH band keys (:mod:`fingerprint`), then exact
verification of candidates (:mod:`verify`).
"""

from __future__ import annotations

from pipelines.dedup.fingerprint import (
    DedupParams,
    Fingerprint,
    Shingled,
    content_hash,
    fingerprint,
    fingerprint_of,
    mostly_latin,
    rejoined,
    shingled,
)
from pipelines.dedup.normalise import normalise
from pipelines.dedup.verify import Similarity, Verdict, compare, verdict

__all__ = [
    "DedupParams",
    "Fingerprint",
    "Similarity",
    "Verdict",
    "compare",
    "content_hash",
    "fingerprint",
    "fingerprint_of",
    "mostly_latin",
    "normalise",
    "rejoined",
    "Shingled",
    "shingled",
    "verdict",
]
