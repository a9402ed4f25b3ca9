"""Hand an archive's descriptions and table settings to Datasette 0.65 or 1.0.

Datasette 0.65 reads both from its metadata dictionary; 1.0 keeps descriptions in
its internal database (``set_resource_metadata`` and friends), table settings in
its configuration and canned queries as stored queries (``add_query``). On 0.65,
values the user passed with ``--metadata`` win; on 1.0 the archive's descriptions
and settings are applied at startup, after the user's.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import TYPE_CHECKING, Any

from datasette.utils import tilde_encode
from sqlite_utils import Database as SqliteUtilsDatabase

from archive import fts
from archive.datasette import metadata
from archive.migrations import migrate as migrate_schema

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    from datasette.app import Datasette

_KNOWN = "_blogarchive_databases"
_SEARCHABLE = "_blogarchive_searchable"


async def is_archive(datasette: Datasette, database: str) -> bool:
    """Whether ``database`` has the archive's tables (remembered per instance)."""
    known: dict[str, bool] = datasette.__dict__.setdefault(_KNOWN, {})
    if database not in known:
        try:
            db = datasette.get_database(database)
        except KeyError:
            return False
        tables = set(await db.table_names())
        known[database] = tables >= metadata.ARCHIVE_TABLES
    return known[database]


async def search_layout(datasette: Datasette, database: str) -> str | None:
    """``"current"`` when the archive has today's search index, ``"single"`` for the
    one-table index of archives made before migration m006 (still searchable when
    served read-only), None without any."""
    known: dict[str, str | None] = datasette.__dict__.setdefault(_SEARCHABLE, {})
    if known.get(database) != "current":
        tables = set(await datasette.get_database(database).table_names())
        if tables >= {fts.SEARCH_TABLE, fts.SIGHTINGS_SEARCH_TABLE}:
            known[database] = "current"
        else:
            known[database] = "single" if fts.SEARCH_TABLE in tables else None
    return known[database]


async def has_search(datasette: Datasette, database: str) -> bool:
    """Whether the archive has today's search index (archives made before it may not)."""
    return await search_layout(datasette, database) == "current"


async def migrate(datasette: Datasette, database: str) -> None:
    """Bring an older archive's schema up to date (adds the search index), when writable.

    The same migrations run whenever the crawler opens the archive; a read-only or
    immutable database is left as it is and served without search.
    """
    db = datasette.get_database(database)
    if await has_search(datasette, database) or not db.is_mutable:
        return

    def apply_migrations(conn: sqlite3.Connection) -> None:
        fts.register(conn)
        migrate_schema(SqliteUtilsDatabase(conn))

    try:
        await db.execute_write_fn(apply_migrations, block=True)
    except sqlite3.Error as exc:
        logger.warning("blogarchive: cannot add the search index to %s: %s", database, exc)
    datasette.__dict__.get(_SEARCHABLE, {}).pop(database, None)


def is_known_archive(datasette: Datasette, database: str) -> bool:
    """Like :func:`is_archive` for code that cannot await: false until checked once."""
    return bool(datasette.__dict__.get(_KNOWN, {}).get(database))


async def archive_databases(datasette: Datasette) -> list[str]:
    """Names of the open databases that are archives, in the order Datasette lists them."""
    return [name for name in list(datasette.databases) if await is_archive(datasette, name)]


def text_page_path(datasette: Datasette, database: str, text_id: Any) -> str:
    """URL path of a text's page."""
    return datasette.urls.path(f"/-/blogarchive/{tilde_encode(database)}/text/{text_id}")


def _under(ours: dict[str, Any], theirs: dict[str, Any]) -> dict[str, Any]:
    """``theirs`` merged over ``ours``: keys the user set are kept."""
    merged = dict(ours)
    for key, value in theirs.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _under(merged[key], value)
        else:
            merged[key] = value
    return merged


async def apply(datasette: Datasette, database: str) -> None:
    """Give Datasette the archive's descriptions and table settings for ``database``."""
    if hasattr(datasette, "set_resource_metadata"):
        await _apply_1x(datasette, database)
        return
    local = datasette._metadata_local
    databases = local.setdefault("databases", {})
    databases[database] = _under(metadata.database_metadata(), databases.get(database) or {})
    local.setdefault("title", metadata.TITLE)


async def _apply_1x(datasette: Datasette, database: str) -> None:
    config = datasette.config if isinstance(getattr(datasette, "config", None), dict) else {}
    databases = config.setdefault("databases", {})
    mine = {"tables": metadata.TABLE_SETTINGS}
    databases[database] = _under(mine, databases.get(database) or {})
    if hasattr(datasette, "config"):
        datasette.config = config
    await datasette.set_database_metadata(database, "description", metadata.DESCRIPTION)
    for table, info in metadata.TABLE_DESCRIPTIONS.items():
        if "description" in info:
            await datasette.set_resource_metadata(database, table, "description", info["description"])
        for column, text in info.get("columns", {}).items():
            await datasette.set_column_metadata(database, table, column, "description", text)
    if hasattr(datasette, "add_query"):  # 1.0a with stored queries: no canned_queries hook
        for name, query in metadata.CANNED_QUERIES.items():
            await datasette.add_query(
                database, name, query["sql"], title=query["title"], description=query["description"]
            )


async def ensure_can_view(datasette: Datasette, actor: Any, database: str) -> None:
    """Raise Forbidden unless ``actor`` may see the archive's ``texts`` table."""
    if hasattr(datasette, "ensure_permissions"):  # 0.65
        await datasette.ensure_permissions(
            actor, [("view-table", (database, "texts")), ("view-database", database), "view-instance"]
        )
        return
    from datasette.resources import TableResource  # 1.0 alphas
    from datasette.utils.asgi import Forbidden

    if not await datasette.allowed(
        action="view-table", resource=TableResource(database, "texts"), actor=actor
    ):
        raise Forbidden("You do not have permission to view this table")
