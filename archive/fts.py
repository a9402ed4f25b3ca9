"""Full-text search over texts that works for Chinese as well as for English.

SQLite's ``unicode61`` tokenizer makes one token of a run of letters, and Chinese
has no spaces, so a whole sentence would be one token; ``trigram`` finds nothing
for queries under three characters. The index here holds each text with every Han
or kana character spaced out into a token of its own, next to the ordinary words,
in an FTS5 table using ``porter unicode61``. A Chinese query becomes a phrase of
single characters, which matches any substring of one character or more; English
words are indexed and searched as usual (with Porter stemming).

Two contentless FTS5 tables (``content=''``: the text is already in ``texts``, so
the index holds only its terms) index texts' titles and bodies and sightings'
titles and authors; a search term may be found in either, all terms must be. A
sighting is indexed on its own, so adding one never re-indexes its text's body
(that update re-tokenised the whole body twice and cost more than the insert).

Triggers keep both tables in sync by calling the SQL function
``blogarchive_spaced`` (:func:`register`); splitting in Python costs well under a
millisecond per text (:func:`spaced`). A writer must therefore register the function: the archive
API and the Datasette plugin do; a bare ``sqlite3`` shell can read and search, but
inserting a text there fails with "no such function" instead of leaving the index
out of date. Queries are built in Python by :func:`match_terms`, which also adds
the simplified and traditional spellings of a Chinese query.
"""

from __future__ import annotations

import re
import sqlite3
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sqlite_utils import Database

#: The FTS5 table of texts' titles and bodies; its rowid is ``texts.id``.
SEARCH_TABLE = "texts_search"
#: The FTS5 table of sightings' titles and authors; its rowid is ``sightings.id``.
SIGHTINGS_SEARCH_TABLE = "sightings_search"

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


_SPACE = np.uint32(ord(" "))


def _is_spaced_out(codes: np.ndarray) -> np.ndarray:
    mask = np.zeros(len(codes), dtype=bool)
    for low, high in CJK_RANGES:
        mask |= (codes >= low) & (codes <= high)
    return mask


#: Below this length a regular expression spaces a text out faster than numpy (a title,
#: an author: 2–7 µs against 20–40 µs); above it numpy wins (a 4,000-character body:
#: 58 µs against 2.8 ms).
SHORT_TEXT = 64


def spaced(text: str | None) -> str:
    """``text`` with each Han or kana character surrounded by spaces, as indexed.

    Vectorised over the text's code points (numpy): seven times faster than
    ``str.translate`` with a table, which made splitting half the cost of indexing.
    """
    if not text:
        return ""
    if len(text) < SHORT_TEXT:
        return _CJK_RE.sub(r" \1 ", text)
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    cjk = _is_spaced_out(codes)
    if not cjk.any():
        return text
    width = 1 + 2 * cjk.astype(np.intp)  # " 字 " or the character alone
    starts = np.cumsum(width) - width
    out = np.full(int(starts[-1] + width[-1]), _SPACE, dtype=np.uint32)
    out[starts + cjk] = codes
    return out.tobytes().decode("utf-32-le")


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


def _index_sql(table: str, rowid: str, columns: dict[str, str], *, delete: bool = False) -> str:
    """SQL that indexes a row's ``columns`` (SQL expressions) in ``table``, or with
    ``delete`` removes it: a contentless table forgets a row only when given exactly the
    values it indexed, so both go through the same spacing."""
    names = ", ".join(columns)
    values = ", ".join(spaced_sql(expr) for expr in columns.values())
    if delete:
        return f"insert into {table}({table}, rowid, {names}) values ('delete', {rowid}, {values});"
    return f"insert into {table}(rowid, {names}) values ({rowid}, {values});"


#: Each search table: the table it indexes, and its columns.
_INDEXED: dict[str, tuple[str, tuple[str, ...]]] = {
    SEARCH_TABLE: ("texts", ("title", "body")),
    SIGHTINGS_SEARCH_TABLE: ("sightings", ("title", "author")),
}

#: Triggers of earlier versions of the index, dropped by :func:`install`.
_OLD_TRIGGERS = (
    "texts_search_ai",
    "texts_search_au",
    "texts_search_ad",
    "sightings_search_ai",
    "sightings_search_au",
    "sightings_search_ad",
)


def install(db: Database) -> None:
    """Create the search tables and their triggers, and index every text and sighting.

    Idempotent: drops and recreates them, so a later migration can call it again
    after the splitting rules change.
    """
    for name in _OLD_TRIGGERS:
        db.execute(f"drop trigger if exists {name}")
    for search_table, (source, columns) in _INDEXED.items():
        db.execute(f"drop table if exists {search_table}")
        db.execute(
            f"create virtual table {search_table} using fts5({', '.join(columns)}, content = '', "
            "tokenize = 'porter unicode61')"
        )
        new = {column: f"new.{column}" for column in columns}
        old = {column: f"old.{column}" for column in columns}
        watched = ", ".join(columns)
        db.execute(
            f"create trigger {search_table}_ai after insert on {source} begin "
            f"{_index_sql(search_table, 'new.id', new)} end"
        )
        db.execute(
            f"create trigger {search_table}_au after update of {watched} on {source} begin "
            f"{_index_sql(search_table, 'old.id', old, delete=True)} {_index_sql(search_table, 'new.id', new)} end"
        )
        db.execute(
            f"create trigger {search_table}_ad after delete on {source} begin "
            f"{_index_sql(search_table, 'old.id', old, delete=True)} end"
        )
    rebuild(db)


def rebuild(db: Database) -> None:
    """Index every text and sighting again."""
    for search_table, (source, columns) in _INDEXED.items():
        db.execute(f"insert into {search_table}({search_table}) values ('delete-all')")
        db.execute(
            f"insert into {search_table}(rowid, {', '.join(columns)}) select id, "
            f"{', '.join(spaced_sql(column) for column in columns)} from {source}"
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


def match_terms(query: str) -> list[str]:
    """One FTS5 ``MATCH`` expression per term of a query typed in a search box.

    Terms are separated by spaces; ``"quoted words"`` match as a phrase; a Chinese
    term matches wherever its characters appear in that order, whether written in
    simplified or traditional characters; a trailing ``*`` on a word matches words
    starting with it. No FTS5 operator is interpreted, so any input is safe. Empty
    when the query holds nothing searchable.
    """
    terms = []
    for quoted, bare in _TERM_RE.findall(query or ""):
        term = quoted if quoted else bare
        prefix = not quoted and term.endswith("*") and not has_cjk(term)
        term = term.rstrip("*") if prefix else term
        if not re.search(r"\w", term):
            continue
        alternatives = [_phrase(spelling) for spelling in spellings(term)]
        expr = alternatives[0] if len(alternatives) == 1 else "(" + " OR ".join(alternatives) + ")"
        terms.append(expr + ("*" if prefix else ""))
    return terms


def match_query(query: str) -> str | None:
    """The whole query as one ``MATCH`` expression (every term must match), or None."""
    return " AND ".join(match_terms(query)) or None


def single_table_search_clause(id_column: str, query: str) -> tuple[str, dict[str, str]]:
    """:func:`search_clause` for an archive made before migration m006 and served
    read-only: one table held each text with its sightings' titles and authors."""
    match = match_query(query)
    if match is None:
        return "0", {}
    clause = f"{id_column} in (select rowid from {SEARCH_TABLE} where {SEARCH_TABLE} match :blogarchive_search)"
    return clause, {"blogarchive_search": match}


def search_clause(id_column: str, query: str, param_prefix: str = "blogarchive_search") -> tuple[str, dict[str, str]]:
    """A ``where`` clause, and its parameters, selecting rows whose ``id_column`` is a
    text matching ``query``: every term must be found in the text's title or body or
    in the title or author of one of its sightings. ``("0", {})`` when the query holds
    nothing searchable.
    """
    clauses, params = [], {}
    for i, term in enumerate(match_terms(query)):
        param = f"{param_prefix}_{i}"
        params[param] = term
        clauses.append(
            f"{id_column} in (select rowid from {SEARCH_TABLE} where {SEARCH_TABLE} match :{param} "
            f"union select text_id from sightings where id in (select rowid from {SIGHTINGS_SEARCH_TABLE} "
            f"where {SIGHTINGS_SEARCH_TABLE} match :{param}))"
        )
    return (" and ".join(clauses), params) if clauses else ("0", {})
