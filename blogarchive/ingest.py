"""``blogarchive ingest``: documents that were not crawled, through the same path."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from itertools import islice
from pathlib import Path

from archive import Archive, ArchiveLock
from archive.api import utc_now
from crawler.spiders._discovery import parse_date
from pipelines.dedup import DedupParams, fingerprint
from pipelines.extract import Extraction, NoBodyFound, extract_article
from pipelines.recording import PageRecord, archive_params, fingerprint_params, record_page


@dataclass
class IngestReport:
    read: int = 0
    new_texts: int = 0
    merged: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    text_ids: dict[str, int] = field(default_factory=dict)


def extraction_from_document(doc: dict) -> Extraction:
    """An :class:`Extraction` for one JSONL document (``html`` is extracted, ``text`` kept)."""
    if doc.get("html"):
        extracted = extract_article(str(doc["html"]), url=doc.get("url"), platform=doc.get("platform"))
        return Extraction(**{**extracted.__dict__,
                             "title": doc.get("title") or extracted.title,
                             "author": doc.get("author") or extracted.author,
                             "published": doc.get("published") or extracted.published})
    text = str(doc.get("text") or "").strip()
    if not text:
        raise NoBodyFound("empty text")
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in text.split("\n\n"))
    return Extraction(body=text, title=doc.get("title"), author=doc.get("author"),
                      published=doc.get("published"), body_html=paragraphs,
                      platform=doc.get("platform"))


#: Fields of a document that must be strings when present.
_TEXT_FIELDS = ("url", "text", "html", "title", "author", "published", "platform")


def _check_document(doc: object) -> None:
    """Refuse what would be stored wrongly: a line that is not an object, a missing
    ``url``, a body that is neither ``text`` nor ``html``, a field that is not a string,
    a ``published`` that is not a date (the earliest published copy becomes the
    original, so a bogus date would pick it).

    :raises ValueError: saying what is wrong
    """
    if not isinstance(doc, dict) or not isinstance(doc.get("url"), str) or not doc["url"]:
        raise ValueError("needs an object with a 'url' string")
    for name in _TEXT_FIELDS:
        if doc.get(name) is not None and not isinstance(doc[name], str):
            raise ValueError(f"'{name}' must be a string, not {type(doc[name]).__name__}")
    if not (doc.get("text") or doc.get("html")):
        raise ValueError("needs 'text' or 'html'")
    if doc.get("published") and parse_date(doc["published"]) is None:
        raise ValueError(f"'published' is not a date: {doc['published'][:40]!r}")


#: Lines written per transaction (each page is still atomic on its own).
BATCH_LINES = 200


def _ingest_line(
    archive: Archive, number: int, line: str, params: DedupParams, crawl_id: int, report: IngestReport
) -> None:
    if not line.strip():
        return
    report.read += 1
    try:
        doc = json.loads(line)
        _check_document(doc)
        extraction = extraction_from_document(doc)
        page = PageRecord(
            url=doc["url"],
            fetched_at=utc_now(),
            extraction=extraction,
            fingerprint=fingerprint(extraction.body, params),
            platform=doc.get("platform"),
        )
        # a line that fails to write (a stray surrogate, say) loses only its own writes
        with archive.savepoint():
            outcome = record_page(archive, page, params, crawl_id)
    except (ValueError, NoBodyFound, sqlite3.Error) as exc:
        report.errors.append((number, str(exc)))
        return
    report.text_ids[doc["url"]] = outcome.text_id
    if outcome.unchanged:
        report.unchanged += 1
    elif outcome.new_text:
        report.new_texts += 1
    else:
        report.merged += 1


def count_lines(path: Path) -> int:
    """Lines in ``path`` (a last line without a newline counts), read in binary chunks."""
    lines, last = 0, b"\n"
    with path.open("rb") as data:
        while chunk := data.read(1 << 20):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (last != b"\n")


def ingest_jsonl(
    path: Path,
    db_path: Path,
    params: DedupParams | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> IngestReport:
    """Read ``path`` (JSON Lines) into the archive at ``db_path``.

    Without ``params``, the defaults with the LSH threshold the archive was last
    rebuilt with (see :func:`~pipelines.recording.archive_params`). ``progress`` is
    called with (lines done, lines in all) after each committed batch.
    """
    report = IngestReport()
    with ArchiveLock(db_path), Archive(db_path) as archive:
        params = params or archive_params(archive, DedupParams())
        archive.check_fingerprint_params(fingerprint_params(params))
        crawl_id = archive.start_crawl("ingest", {"file": str(path)})
        total = count_lines(path) if progress is not None else 0
        with path.open(encoding="utf-8", errors="replace") as lines:
            numbered = enumerate(lines, start=1)
            while batch := list(islice(numbered, BATCH_LINES)):
                # one transaction per batch: a crash loses at most one batch, and
                # ingesting again is idempotent
                with archive.atomic():
                    for number, line in batch:
                        _ingest_line(archive, number, line, params, crawl_id, report)
                if progress is not None:
                    progress(batch[-1][0], max(total, batch[-1][0]))
        archive.finish_crawl(crawl_id, "finished" if not report.errors else "finished_with_errors",
                             {"read": report.read, "new_texts": report.new_texts,
                              "merged": report.merged, "skipped": len(report.errors)})
    return report
