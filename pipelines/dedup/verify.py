"""Verification of LSH candidates and the merge decision. Precision first: a false
merge loses a text."""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.dedup.fingerprint import DedupParams
from pipelines.dedup.normalise import normalise
from pipelines.dedup.shingles import shingles, tokens


@dataclass(frozen=True)
class Similarity:
    """Exact shingle-set overlap of two texts."""

    jaccard: float
    containment: float  # share of the shorter text's shingles found in the longer one
    shorter_is_new: bool


@dataclass(frozen=True)
class Verdict:
    """How a new text relates to a stored one: ``near``, ``excerpt`` or None (different)."""

    relation: str | None
    similarity: float
    containment: float


#: Jaccard above which two texts are the same text (near-duplicates).
NEAR_THRESHOLD = 0.6
#: Containment above which a shorter text is an excerpt of a longer one.
EXCERPT_CONTAINMENT = 0.85
#: An excerpt must hold at least this many shingles to count as evidence.
MIN_EXCERPT_SHINGLES = 30


def shingle_set(text: str, params: DedupParams) -> set[str]:
    return shingles(tokens(normalise(text)), params.shingle_size)


def compare(new: set[str], stored: set[str]) -> Similarity:
    if not new or not stored:
        return Similarity(0.0, 0.0, len(new) <= len(stored))
    shared = len(new & stored)
    shorter = min(len(new), len(stored))
    return Similarity(
        jaccard=shared / len(new | stored),
        containment=shared / shorter,
        shorter_is_new=len(new) <= len(stored),
    )


def verdict(similarity: Similarity, new_size: int, stored_size: int) -> Verdict:
    """Decide the relation from exact overlaps."""
    if similarity.jaccard >= NEAR_THRESHOLD:
        return Verdict("near", similarity.jaccard, similarity.containment)
    if (
        similarity.containment >= EXCERPT_CONTAINMENT
        and min(new_size, stored_size) >= MIN_EXCERPT_SHINGLES
    ):
        return Verdict("excerpt", similarity.jaccard, similarity.containment)
    return Verdict(None, similarity.jaccard, similarity.containment)
