"""Record one page in the archive: resolve it against stored texts, then write.

The store pipeline and ``blogarchive ingest`` both call :func:`record_page`, so a
crawl and an import give identical archives for identical input;
``blogarchive dedup --rebuild`` calls :func:`rebuild` and goes through the same
matching and resolution.

Every sighting keeps ``body_diff``: what its copy has that the stored body lacks
(:mod:`pipelines.dedup.bodydiff`), so :func:`copy_text` reconstructs each copy
exactly, also after the stored body switched to another copy.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from archive import Archive, CandidateText, FingerprintParams, RecommendationRecord
from pipelines.dedup import DedupParams, Fingerprint, compare, fingerprint, fingerprint_of, shingled, verdict
from pipelines.dedup.bodydiff import apply_diff, make_diff
from pipelines.dedup.canonical import FULLER_RATIO, Copy, choose_body, choose_original
from pipelines.dedup.fingerprint import NORMALISER_VERSION, Shingled, mostly_latin, rejoined
from pipelines.dedup.verify import MIN_TOKENS, Similarity, Verdict, figures_disagree, relation_of_copies
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
    #: the body's shingles when they were computed elsewhere (a worker): verification
    #: uses them instead of normalising the body again
    shingles: Shingled | None = None


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
        normaliser=f"{NORMALISER_VERSION}/head{params.head_tokens}",
    )


def archive_params(archive: Archive, default: DedupParams) -> DedupParams:
    """``default`` with the LSH threshold the archive was last (re)built with, so that
    ``blogarchive ingest`` keeps working after ``dedup --rebuild --threshold X``."""
    threshold = archive.meta().get("dedup_threshold")
    return replace(default, threshold=float(threshold)) if threshold else default


#: Shingles of bodies fingerprinted in another process, by (body, shingle size).
_KNOWN_SHINGLES: OrderedDict[tuple[str, int], Shingled] = OrderedDict()
_KNOWN_SHINGLES_MAX = 64
_KNOWN_SHINGLES_LOCK = threading.Lock()


def remember_shingles(body: str, params: DedupParams, shingles: Shingled) -> None:
    """Let verification use ``shingles`` for ``body`` (computed by a worker process)
    instead of normalising it again; the last few dozen bodies are kept."""
    with _KNOWN_SHINGLES_LOCK:
        _KNOWN_SHINGLES[(body, params.shingle_size)] = shingles
        _KNOWN_SHINGLES.move_to_end((body, params.shingle_size))
        while len(_KNOWN_SHINGLES) > _KNOWN_SHINGLES_MAX:
            _KNOWN_SHINGLES.popitem(last=False)


def _shingles_of(text: str, params: DedupParams) -> Shingled:
    with _KNOWN_SHINGLES_LOCK:
        known = _KNOWN_SHINGLES.get((text, params.shingle_size))
    return known if known is not None else shingled(text, params)


def _verified(
    body: str, new: Shingled, other_body: str, other: Shingled, params: DedupParams
) -> tuple[Similarity, Verdict]:
    """How ``body`` relates to ``other_body`` by their word shingles; for Latin-script
    texts the words do not call near copies, again after rejoining the words that
    reflowing split in either (:func:`~pipelines.dedup.fingerprint.rejoined`): each
    split breaks every word shingle around it, so a copy split in every other word
    looked like a different text, or like an excerpt. The same rules decide. Texts
    whose words agree but whose figures do not are told apart
    (:func:`~pipelines.dedup.verify.figures_disagree`)."""
    similarity, decision = _verified_words(body, new, other_body, other, params)
    if decision.relation is not None and figures_disagree(body, other_body):
        return similarity, Verdict(None, decision.similarity, decision.containment)
    return similarity, decision


def _verified_words(
    body: str, new: Shingled, other_body: str, other: Shingled, params: DedupParams
) -> tuple[Similarity, Verdict]:
    similarity = compare(new, other)
    decision = verdict(similarity)
    if decision.relation == "near" or not (mostly_latin(body) and mostly_latin(other_body)):
        return similarity, decision
    new_joined, other_joined = rejoined(body, other_body, params), rejoined(other_body, body, params)
    if new_joined is None and other_joined is None:
        return similarity, decision
    again = compare(new_joined or new, other_joined or other)
    second = verdict(again)
    if second.relation is None or (decision.relation is not None and second.relation != "near"):
        return similarity, decision
    return again, second


@dataclass(frozen=True)
class Match:
    text: CandidateText
    relation: str
    similarity: float
    containment: float
    text_tokens: int  # tokens of the stored body (0 when unknown: the exact path)


def find_match(
    archive: Archive, body: str, fp: Fingerprint, params: DedupParams, among: set[int] | None = None
) -> Match | None:
    """The stored text ``body`` is a copy of, verified on exact shingle overlap.

    Exact fast path first (same normalised hash as a stored body or any copy), then
    LSH candidates from the band index, each verified (:func:`verdict`); the best
    verified candidate wins. Bodies too short to be evidence never merge. ``among``
    restricts the candidates to those text ids (a rebuild in progress).
    """
    if fp.token_count < MIN_TOKENS:
        return None
    exact = [t for t in archive.texts_by_content_hash(fp.content_hash) if among is None or t.id in among]
    if exact:
        text = exact[0]
        if text.content_hash == fp.content_hash:
            return Match(text, "exact", 1.0, 1.0, fp.token_count)
        # equal to another copy of the text, not to its stored body: relate it to the body
        new, stored = _shingles_of(body, params), _shingles_of(text.body, params)
        similarity, decision = _verified(body, new, text.body, stored, params)
        relation = _relation_to_stored_body(similarity, decision.relation)
        return Match(text, relation, similarity.jaccard, similarity.containment, stored.tokens)
    if not fp.band_keys:
        return None
    candidates = [t for t in archive.texts_by_band_keys(fp.band_keys) if among is None or t.id in among]
    if not candidates:
        return None
    new = _shingles_of(body, params)
    best: tuple[tuple[float, float], Match] | None = None
    for candidate in candidates:
        stored = _shingles_of(candidate.body, params)
        similarity, decision = _verified(body, new, candidate.body, stored, params)
        if decision.relation is None or not _overlaps_the_original(archive, candidate, body, new, params):
            continue
        rank = (min(similarity.coverage_new, similarity.coverage_stored), similarity.jaccard)
        if best is None or rank > best[0]:
            match = Match(candidate, decision.relation, decision.similarity, decision.containment, stored.tokens)
            best = (rank, match)
    return best[1] if best else None


#: Share of the shorter of a new page and the original's copy that they must share (see
#: :func:`_overlaps_the_original`).
MIN_ORIGINAL_OVERLAP = 0.5


def _overlaps_the_original(
    archive: Archive, text: CandidateText, body: str, new: Shingled, params: DedupParams
) -> bool:
    """Whether a page verified against ``text``'s stored body shares at least half (of the
    shorter of the two) with its original's copy too. Checked only when a fuller copy replaced
    the original's as the stored body: such a copy may hold more than the text (a digest or a
    home page carrying the original and another post in full), and that other post, an excerpt
    of it, shares nothing with the original. An overlap, not a verification: the original may
    be a teaser, and a full copy's edits and the teaser's own differences add up."""
    if text.canonical_sighting_id is None or text.canonical_content_hash in (None, text.content_hash):
        return True
    row = archive.sighting(text.canonical_sighting_id)
    if row is None or row["text_id"] != text.id:
        return True  # no original to compare with (a text whose sighting moved to another text)
    try:
        original = copy_text(text.body, row)
    except ValueError:  # a diff that does not fit the body: no original to compare with
        return True
    return compare(new, _shingles_of(original, params)).shorter_coverage >= MIN_ORIGINAL_OVERLAP


def _recommendations(extraction: Extraction) -> list[RecommendationRecord]:
    return [
        RecommendationRecord(
            position=r.position, title=r.title, block=r.block, url=r.url, author=r.author,
            snippet=r.snippet, reads=r.reads, comments=r.comments, likes=r.likes,
        )
        for r in extraction.recommendations
    ]


def copy_text(body: str, sighting: dict[str, Any]) -> str:
    """The exact text of one sighting's copy, from its text's stored ``body``."""
    return apply_diff(body, sighting.get("body_diff"))


def _relation_to_body(
    copy_text: str, copy: Shingled, copy_hash: str, body_text: str, body: Shingled, body_hash: str,
    params: DedupParams,
) -> dict[str, Any]:
    if copy_hash == body_hash:
        return {"relation": "exact", "similarity": 1.0, "containment": 1.0}
    similarity, decision = _verified(copy_text, copy, body_text, body, params)
    relation = _relation_to_stored_body(similarity, decision.relation)
    return {"relation": relation, "similarity": round(similarity.jaccard, 4),
            "containment": round(similarity.containment, 4)}


def _relation_to_stored_body(similarity: Similarity, relation: str | None) -> str:
    """A copy's relation to its text's stored body, given the verdict's ``relation``:
    without one (the copy joined through another copy, or by an equal hash) ``near`` or
    ``excerpt`` by how much of the longer text is covered; a copy fuller than the body is
    ``near``, never an excerpt (the stored body is the excerpt then)."""
    relation = relation or relation_of_copies(similarity)
    return "near" if relation == "excerpt" and not similarity.shorter_is_new else relation


def resolve_text(
    archive: Archive, text_id: int, params: DedupParams, known: dict[int, Fingerprint] | None = None
) -> int:
    """Choose the original and the stored body of ``text_id`` among all its copies,
    switch the stored body if needed (rewriting every diff), and refresh each
    sighting's relation, similarity and containment. Returns the original's id.
    ``known``: fingerprints already computed, by sighting id (the page being recorded)."""
    text = archive.text(text_id)
    if text is None:
        raise ValueError(f"no text {text_id}")
    rows = archive.sightings_of(text_id)
    if not rows:
        return 0
    body = text["body"]
    texts = {row["id"]: copy_text(body, row) for row in rows}
    shingles = {sid: _shingles_of(copy, params) for sid, copy in texts.items()}
    copies = [
        Copy(id=row["id"], url=row["url"], final_url=row["final_url"], published=row["published"],
             fetched_at=row["fetched_at"], declared_original=row["declared_original"],
             tokens=shingles[row["id"]].tokens)
        for row in rows
    ]
    original = choose_original(copies)
    source = choose_body(copies, original)
    new_body = texts[source.id]
    body_hash = text["content_hash"]
    if new_body != body:
        body_fp = (known or {}).get(source.id) or fingerprint_of(shingles[source.id], params)
        body_hash = body_fp.content_hash
        source_row = next(row for row in rows if row["id"] == source.id)
        archive.replace_text_body(
            text_id, title=source_row["title"] or text["title"], body=new_body,
            body_html=text["body_html"] if source.id == text.get("canonical_sighting_id") else None,
            lang=source_row["lang"] or text["lang"], content_hash=body_fp.content_hash,
            signature=body_fp.signature, band_keys=body_fp.band_keys,
        )
    body_shingles = shingles[source.id]
    for row in rows:
        sid = row["id"]
        columns = _relation_to_body(
            texts[sid], shingles[sid], row["content_hash"], new_body, body_shingles, body_hash, params
        )
        if sid == original.id:
            columns["relation"] = "original"
        columns["body_diff"] = make_diff(new_body, texts[sid])
        changed = {k: v for k, v in columns.items() if row.get(k) != v}
        if changed:
            archive.update_sighting(sid, **changed)
    if text.get("canonical_sighting_id") != original.id:
        archive.set_canonical(text_id, original.id)
    return original.id


def _changes_original_or_body(archive: Archive, match: Match, fp: Fingerprint, sighting_id: int) -> bool:
    """Whether a new copy of ``match.text`` may change its original or stored body; if
    not, the copy's own relation and diff (already written) are all that changes, and
    the other copies need not be looked at again."""
    if match.relation == "excerpt" and fp.token_count > match.text_tokens:
        return True  # the new copy is the fuller one
    if match.relation != "exact" and fp.token_count > match.text_tokens:
        # the stored body is replaced by a fuller copy only (see choose_body): by more than
        # FULLER_RATIO while it is the original's own, by any margin once it is a fuller copy
        body_is_originals = match.text.canonical_content_hash == match.text.content_hash
        if not body_is_originals or fp.token_count > match.text_tokens * FULLER_RATIO:
            return True
    copies = [
        Copy(id=row["id"], url=row["url"], final_url=row["final_url"], published=row["published"],
             fetched_at=row["fetched_at"], declared_original=row["declared_original"])
        for row in archive.sightings_of(match.text.id)
    ]
    return choose_original(copies).id != match.text.canonical_sighting_id


def record_page(
    archive: Archive, page: PageRecord, params: DedupParams, crawl_id: int | None = None
) -> RecordOutcome:
    """Resolve ``page`` against the archive and write it, all in one transaction."""
    extraction = page.extraction
    fp = page.fingerprint
    if page.shingles is not None:
        remember_shingles(extraction.body, params, page.shingles)
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
        match = find_match(archive, extraction.body, fp, params)
        previous_text = existing.text_id if existing is not None else None
        if match is None:
            text_id = archive.add_text(
                title=extraction.title, body=extraction.body, body_html=extraction.body_html,
                lang=extraction.lang, content_hash=fp.content_hash, signature=fp.signature,
                band_keys=fp.band_keys, seen=page.fetched_at,
            )
            columns.update(relation="original", similarity=1.0, containment=1.0, body_diff=None)
        else:
            text_id = match.text.id
            columns.update(relation=match.relation, similarity=round(match.similarity, 4),
                           containment=round(match.containment, 4),
                           body_diff=make_diff(match.text.body, extraction.body))
        if existing is not None:
            sighting_id = existing.id
            archive.update_sighting(sighting_id, text_id=text_id, **columns)
        else:
            sighting_id = archive.add_sighting(text_id, **columns)
        if match is None:
            archive.set_canonical(text_id, sighting_id)
        elif existing is not None or _changes_original_or_body(archive, match, fp, sighting_id):
            # a re-fetched copy that changed may be the original or the stored body's source
            resolve_text(archive, text_id, params, known={sighting_id: fp})
        if previous_text is not None and previous_text != text_id and archive.sightings_of(previous_text):
            resolve_text(archive, previous_text, params)
        relation = archive.db.execute("select relation, similarity from sightings where id = ?",
                                      [sighting_id]).fetchone()
        count = archive.replace_recommendations(sighting_id, recommendations)
    return RecordOutcome(text_id, sighting_id, relation[0], relation[1], new_text=match is None,
                         new_sighting=existing is None, unchanged=False, recommendations=count)


@dataclass
class RebuildReport:
    """What :func:`rebuild` did."""

    sightings: int = 0
    texts_before: int = 0
    texts_after: int = 0


#: How often :func:`rebuild` reports its progress, in sightings.
PROGRESS_EVERY = 100


def rebuild(
    archive: Archive, params: DedupParams, progress: Callable[[int, int], None] | None = None
) -> RebuildReport:
    """Re-cluster the whole archive from stored data (no refetch), in one transaction.

    Every copy is reconstructed from its text's body and diff, fingerprinted with
    ``params`` and matched again, earliest published first, against the texts built
    so far; the band index and the recorded parameters are replaced. ``progress`` is
    called with (sightings done, sightings in all) every ``PROGRESS_EVERY`` sightings
    and at the end.
    """
    report = RebuildReport()
    with archive.atomic():
        old_texts = [row["id"] for row in archive.db.query("select id from texts")]
        report.texts_before = len(old_texts)
        rows = list(archive.iter_sightings_chronological())
        archive.clear_band_index()
        archive.set_fingerprint_params(fingerprint_params(params))
        archive.set_meta("dedup_threshold", repr(params.threshold))
        new_texts: set[int] = set()
        for row in rows:
            if progress is not None and report.sightings % PROGRESS_EVERY == 0:
                progress(report.sightings, len(rows))
            report.sightings += 1
            copy = copy_text(row["text_body"], row)
            fp = fingerprint(copy, params)
            match = find_match(archive, copy, fp, params, among=new_texts)
            if match is None:
                text_id = archive.add_text(
                    title=row["title"], body=copy,
                    body_html=row["text_body_html"] if copy == row["text_body"] else None,
                    lang=row["lang"], content_hash=fp.content_hash, signature=fp.signature,
                    band_keys=fp.band_keys, seen=row["fetched_at"],
                )
                new_texts.add(text_id)
                archive.update_sighting(row["id"], text_id=text_id, relation="original", similarity=1.0,
                                        containment=1.0, body_diff=None, content_hash=fp.content_hash)
                archive.set_canonical(text_id, row["id"])
            else:
                archive.update_sighting(row["id"], text_id=match.text.id, relation=match.relation,
                                        similarity=match.similarity, containment=match.containment,
                                        body_diff=make_diff(match.text.body, copy),
                                        content_hash=fp.content_hash)
                resolve_text(archive, match.text.id, params, known={row["id"]: fp})
        archive.delete_texts_without_sightings(old_texts)
        report.texts_after = len(new_texts)
        if progress is not None:
            progress(report.sightings, len(rows))
    return report
