"""Near-duplicate detection: pure functions over text (no Scrapy, no database).

normalise → shingle → MinHash → LSH band keys (:mod:`fingerprint`), then exact
verification of candidates (:mod:`verify`).
"""

from __future__ import annotations

from pipelines.dedup.fingerprint import DedupParams, Fingerprint, content_hash, fingerprint
from pipelines.dedup.normalise import normalise
from pipelines.dedup.verify import Shingled, Similarity, Verdict, compare, shingled, verdict

__all__ = [
    "DedupParams",
    "Fingerprint",
    "Similarity",
    "Verdict",
    "compare",
    "content_hash",
    "fingerprint",
    "normalise",
    "Shingled",
    "shingled",
    "verdict",
]
