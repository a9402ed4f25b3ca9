"""Full-text search over texts that works for Chinese as well as for English.

SQLite's ``unicode61`` tokenizer makes one token of a run of letters, and Chinese
has no spaces, so a whole sentence would be one token; ``trigram`` finds nothing
for queries under three characters. The index here holds each text with every Han
or kana character spaced out into a token of its own, next to the ordinary words,
in an FTS5 table using ``porter unicode61``. A Chinese query becomes a phrase of
single characters, which matches any substring of one character or more; English
words are indexed and searched as usual (with Porter stemming).

The index is kept in sync by triggers that call the SQL function
``blogarchive_spaced`` (:func:`register`): splitting in Python costs well under a
millisecond per text, where the earlier pure-SQL splitting (a recursive CTE per
character) cost about 7 ms per insert and halved crawl throughput. A writer must
therefore register the function: the archive API and the Datasette plugin do; a bare
``sqlite3`` shell can read and search, but inserting a text there fails with "no
such function" instead of leaving the index out of date. Queries are built in Python by :func:`match_query`, which also
adds the simplified and traditional spellings of a Chinese query.
"""

from __future__ import annotations

import re
import sqlite3
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database

#: The FTS5 table; its rowid is ``texts.id``.
SEARCH_TABLE = "texts_search"

#: Code point ranges spaced into one-character tokens: kana, CJK Extension A,
#: CJK Unified Ideographs, compatibility ideographs, Extensions B and later.
CJK_RANGES: tuple[tuple[int, int], ...] = (
    (0x3040, 0x30FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x3134F),
)

_CJK_CLASS = "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in CJK_RANGES)
_CJK_RE = re.compile(f"([{_CJK_CLASS}])")
_TERM_RE = re.compile(r'"([^"]*)"?|(\S+)')


def has_cjk(text: str) -> bool:
    """Whether ``text`` holds a character that is indexed as a token of its own."""
    return bool(_CJK_RE.search(text))


@lru_cache(maxsize=1)
def _spacing_table() -> dict[int, str]:
    # str.translate runs in C: several times faster than a regular expression with a
    # replacement template, which dominated the cost of indexing a text
    return {code: f" {chr(code)} " for lo, hi in CJK_RANGES for code in range(lo, hi + 1)}


def spaced(text: str | None) -> str:
    """``text`` with each Han or kana character surrounded by spaces, as indexed."""
    return (text or "").translate(_spacing_table())


#: The SQL function the triggers call to space out CJK characters (see :func:`register`).
SPACED_FUNCTION = "blogarchive_spaced"


def register(conn: sqlite3.Connection) -> None:
    """Make :func:`spaced` callable from SQL on ``conn``.

    Every connection that writes ``texts`` or ``sightings`` needs it: the archive
    registers it when it opens the file, the Datasette plugin in ``prepare_connection``.
    """
    conn.create_function(SPACED_FUNCTION, 1, spaced, deterministic=True)


def spaced_sql(expr: str) -> str:
    """An SQL expression equal to :func:`spaced` of the SQL expression ``expr``."""
    return f"{SPACED_FUNCTION}({expr})"


def seen_as_sql(text_id_expr: str) -> str:
    """SQL for the indexed titles and authors of every sighting of a text."""
    return spaced_sql(
        "(select group_concat(v, char(10)) from (select title as v from sightings "
        f"where text_id = {text_id_expr} union select author from sightings "
        f"where text_id = {text_id_expr}))"
    )


def _row_sql(text_id_expr: str, title_expr: str, body_expr: str) -> str:
    return (
        f"insert into {SEARCH_TABLE}(rowid, title, body, seen_as) values ({text_id_expr}, "
        f"{spaced_sql(title_expr)}, {spaced_sql(body_expr)}, {seen_as_sql(text_id_expr)});"
    )


def _seen_as_update_sql(text_id_expr: str) -> str:
    return f"update {SEARCH_TABLE} set seen_as = {seen_as_sql(text_id_expr)} where rowid = {text_id_expr};"


def install(db: Database) -> None:
    """Create the search table and its triggers, and index every text.

    Idempotent: drops and recreates them, so a later migration can call it again
    after the splitting rules change.
    """
    for name in (
        "texts_search_ai",
        "texts_search_au",
        "texts_search_ad",
        "sightings_search_ai",
        "sightings_search_au",
        "sightings_search_ad",
    ):
        db.execute(f"drop trigger if exists {name}")
    db.execute(f"drop table if exists {SEARCH_TABLE}")
    db.execute(
        f"create virtual table {SEARCH_TABLE} using fts5(title, body, seen_as, tokenize = 'porter unicode61')"
    )
    db.execute(
        f"create trigger texts_search_ai after insert on texts begin "
        f"{_row_sql('new.id', 'new.title', 'new.body')} end"
    )
    db.execute(
        f"create trigger texts_search_au after update of title, body on texts begin "
        f"delete from {SEARCH_TABLE} where rowid = old.id; "
        f"{_row_sql('new.id', 'new.title', 'new.body')} end"
    )
    db.execute(
        f"create trigger texts_search_ad after delete on texts begin "
        f"delete from {SEARCH_TABLE} where rowid = old.id; end"
    )
    db.execute(
        f"create trigger sightings_search_ai after insert on sightings begin "
        f"{_seen_as_update_sql('new.text_id')} end"
    )
    db.execute(
        f"create trigger sightings_search_au after update of title, author, text_id on sightings begin "
        f"{_seen_as_update_sql('old.text_id')} {_seen_as_update_sql('new.text_id')} end"
    )
    db.execute(
        f"create trigger sightings_search_ad after delete on sightings begin "
        f"{_seen_as_update_sql('old.text_id')} end"
    )
    rebuild(db)


def rebuild(db: Database) -> None:
    """Index every text again from ``texts`` and ``sightings``."""
    db.execute(f"delete from {SEARCH_TABLE}")
    db.execute(
        f"insert into {SEARCH_TABLE}(rowid, title, body, seen_as) select t.id, "
        f"{spaced_sql('t.title')}, {spaced_sql('t.body')}, {seen_as_sql('t.id')} from texts t"
    )


@lru_cache(maxsize=4)
def _converter(config: str):  # noqa: ANN202 - opencc has no type hints
    import opencc

    return opencc.OpenCC(config)


def spellings(term: str) -> list[str]:
    """``term`` as typed, in simplified and in traditional characters (distinct)."""
    if not has_cjk(term):
        return [term]
    found = [term]
    for config in ("t2s", "s2t"):
        variant = _converter(config).convert(term)
        if variant not in found:
            found.append(variant)
    return found


def _phrase(term: str) -> str:
    return '"' + " ".join(spaced(term).split()).replace('"', '""') + '"'


def match_query(query: str) -> str | None:
    """An FTS5 ``MATCH`` expression for a query typed in a search box.

    Terms separated by spaces must all match; ``"quoted words"`` match as a phrase;
    a Chinese term matches wherever its characters appear in that order, whether
    written in simplified or traditional characters; a trailing ``*`` on a word
    matches words starting with it. No FTS5 operator is interpreted, so any input
    is safe. Returns None when the query holds nothing searchable.
    """
    parts = []
    for quoted, bare in _TERM_RE.findall(query or ""):
        term = quoted if quoted else bare
        prefix = not quoted and term.endswith("*") and not has_cjk(term)
        term = term.rstrip("*") if prefix else term
        if not re.search(r"\w", term):
            continue
        alternatives = [_phrase(spelling) for spelling in spellings(term)]
        expr = alternatives[0] if len(alternatives) == 1 else "(" + " OR ".join(alternatives) + ")"
        parts.append(expr + ("*" if prefix else ""))
    return " AND ".join(parts) or None


def search_clause(id_column: str, param: str) -> str:
    """A ``where`` clause selecting rows whose ``id_column`` is a text matching ``:param``."""
    return f"{id_column} in (select rowid from {SEARCH_TABLE} where {SEARCH_TABLE} match :{param})"
