"""Record one page in the archive: resolve it against stored texts, then write.

The store pipeline and ``blogarchive ingest`` both call :func:`record_page`, so a
crawl and an import give identical archives for identical input.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from archive import Archive, CandidateText, FingerprintParams, RecommendationRecord
from pipelines.dedup import DedupParams, Fingerprint, compare, shingled, verdict
from pipelines.dedup.fingerprint import NORMALISER_VERSION
from pipelines.extract import Extraction


@dataclass(frozen=True)
class PageRecord:
    """Everything known about one copy of a text."""

    url: str
    fetched_at: str
    extraction: Extraction
    fingerprint: Fingerprint
    final_url: str | None = None
    platform: str | None = None
    http_status: int | None = None
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class RecordOutcome:
    """What :func:`record_page` did."""

    text_id: int
    sighting_id: int
    relation: str
    similarity: float | None
    new_text: bool
    new_sighting: bool
    unchanged: bool
    recommendations: int


def fingerprint_params(params: DedupParams) -> FingerprintParams:
    """The archive's record of the dedup parameters."""
    b, r = params.bands
    return FingerprintParams(
        num_perm=params.num_perm,
        seed=params.seed,
        shingle_size=params.shingle_size,
        scheme=params.scheme,
        bands=b,
        rows=r,
        normaliser=NORMALISER_VERSION,
    )


@dataclass(frozen=True)
class Match:
    text: CandidateText
    relation: str
    similarity: float
    containment: float
    new_is_fuller: bool


def find_match(archive: Archive, page: PageRecord, params: DedupParams) -> Match | None:
    """The stored text ``page`` is a copy of, verified on exact shingle overlap."""
    fp = page.fingerprint
    exact = archive.texts_by_content_hash(fp.content_hash)
    if exact:
        return Match(exact[0], "exact", 1.0, 1.0, False)
    if not fp.band_keys:
        return None
    candidates = archive.texts_by_band_keys(fp.band_keys)
    if not candidates:
        return None
    new = shingled(page.extraction.body, params)
    best: Match | None = None
    for candidate in candidates:
        stored = shingled(candidate.body, params)
        similarity = compare(new, stored)
        decision = verdict(similarity)
        if decision.relation is None:
            continue
        match = Match(
            candidate,
            decision.relation,
            decision.similarity,
            decision.containment,
            new_is_fuller=new.tokens > stored.tokens * 1.2,
        )
        if best is None or (match.similarity, match.containment) > (best.similarity, best.containment):
            best = match
    return best


def _recommendations(extraction: Extraction) -> list[RecommendationRecord]:
    return [
        RecommendationRecord(
            position=r.position, title=r.title, block=r.block, url=r.url, author=r.author,
            snippet=r.snippet, reads=r.reads, comments=r.comments, likes=r.likes,
        )
        for r in extraction.recommendations
    ]


def _is_earlier(page: PageRecord, canonical: CandidateText) -> bool:
    """True when ``page`` should replace the stored original."""
    declared = page.extraction.declared_original
    if declared and canonical.canonical_url and _same(declared, canonical.canonical_url):
        return False
    mine = page.extraction.published
    theirs = canonical.canonical_published
    if mine and theirs:
        return mine[:19] < theirs[:19]
    return False


def _same(a: str, b: str) -> bool:
    def key(u: str) -> str:
        parts = urlsplit(u)
        return f"{(parts.hostname or '').removeprefix('www.')}{parts.path.rstrip('/')}"

    return key(a) == key(b)


def record_page(
    archive: Archive, page: PageRecord, params: DedupParams, crawl_id: int | None = None
) -> RecordOutcome:
    """Resolve ``page`` against the archive and write it, all in one transaction."""
    extraction = page.extraction
    fp = page.fingerprint
    recommendations = _recommendations(extraction)
    with archive.atomic():
        existing = archive.sighting_by_url(page.url)
        if existing is not None and existing.content_hash == fp.content_hash:
            archive.update_sighting(
                existing.id,
                last_seen=page.fetched_at,
                crawl_id=crawl_id,
                http_status=page.http_status,
                etag=page.etag,
                last_modified=page.last_modified,
            )
            count = archive.replace_recommendations(existing.id, recommendations)
            return RecordOutcome(existing.text_id, existing.id, existing.relation, None,
                                 new_text=False, new_sighting=False, unchanged=True,
                                 recommendations=count)

        columns = {
            "url": page.url,
            "final_url": page.final_url or page.url,
            "platform": page.platform or extraction.platform,
            "author": extraction.author,
            "title": extraction.title,
            "published": extraction.published,
            "fetched_at": page.fetched_at,
            "last_seen": page.fetched_at,
            "http_status": page.http_status,
            "crawl_id": crawl_id,
            "content_hash": fp.content_hash,
            "declared_original": extraction.declared_original,
            "etag": page.etag,
            "last_modified": page.last_modified,
            "lang": extraction.lang,
            "chars": len(extraction.body),
        }
        match = find_match(archive, page, params)
        new_text = match is None
        if match is None:
            text_id = archive.add_text(
                title=extraction.title, body=extraction.body, body_html=extraction.body_html,
                lang=extraction.lang, content_hash=fp.content_hash, signature=fp.signature,
                band_keys=fp.band_keys, seen=page.fetched_at,
            )
            relation, similarity = "original", 1.0
        else:
            text_id = match.text.id
            relation, similarity = match.relation, match.similarity
            if match.new_is_fuller:
                archive.replace_text_body(
                    text_id, title=extraction.title, body=extraction.body,
                    body_html=extraction.body_html, lang=extraction.lang,
                    content_hash=fp.content_hash, signature=fp.signature, band_keys=fp.band_keys,
                )
        columns.update(relation=relation, similarity=similarity,
                       containment=match.containment if match else 1.0)
        if existing is not None:
            sighting_id = existing.id
            archive.update_sighting(sighting_id, text_id=text_id, **columns)
        else:
            sighting_id = archive.add_sighting(text_id, **columns)
        if match is None:
            archive.set_canonical(text_id, sighting_id)
        elif match.relation != "excerpt" and _is_earlier(page, match.text):
            previous = match.text.canonical_sighting_id
            if previous is not None:
                archive.update_sighting(previous, relation=match.relation, similarity=match.similarity)
            archive.update_sighting(sighting_id, relation="original", similarity=1.0)
            archive.set_canonical(text_id, sighting_id)
            relation = "original"
        count = archive.replace_recommendations(sighting_id, recommendations)
    return RecordOutcome(text_id, sighting_id, relation, similarity, new_text=new_text,
                         new_sighting=existing is None, unchanged=False, recommendations=count)
