"""The SQLite archive: schema, migrations and a small typed API over sqlite-utils.

This package is the only code that touches SQLite. It knows nothing of crawling:
it stores texts, sightings, recommendations, crawls and failures.
"""

from __future__ import annotations

from archive.api import (
    Archive,
    ArchiveStats,
    CandidateText,
    FingerprintMismatch,
    FingerprintParams,
    RecommendationRecord,
    SightingRecord,
)
from archive.lock import ArchiveLock, ArchiveLocked

__all__ = [
    "Archive",
    "ArchiveLock",
    "ArchiveLocked",
    "ArchiveStats",
    "CandidateText",
    "FingerprintMismatch",
    "FingerprintParams",
    "RecommendationRecord",
    "SightingRecord",
]
