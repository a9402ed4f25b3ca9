"""Datasette hooks that turn an archive into a purpose-built application.

Loaded through the ``datasette`` entry point, so ``datasette archive.db`` is
enough. Every hook used here exists in Datasette 0.65 and in the 1.0 alphas;
there is no ``get_metadata`` hook (gone in 1.0): :func:`startup` hands the
descriptions and table settings to Datasette (see :mod:`archive.datasette.setup`).
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from datasette import hookimpl
from datasette.filters import FilterArguments
from datasette.utils import tilde_decode
from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup

from archive import fts
from archive.datasette import metadata, setup
from archive.datasette.textpage import text_context

if TYPE_CHECKING:
    from datasette.app import Datasette
    from datasette.utils.asgi import Request


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    """Writers through Datasette keep the search index in sync too (see ``archive.fts``)."""
    fts.register(conn)


@hookimpl
def startup(datasette: Datasette) -> Any:
    async def inner() -> None:
        for name in await setup.archive_databases(datasette):
            await setup.migrate(datasette, name)
            await setup.apply(datasette, name)

    return inner


@hookimpl
def canned_queries(datasette: Datasette, database: str) -> Any:
    async def inner() -> dict[str, Any]:
        if not await setup.is_archive(datasette, database):
            return {}
        return {name: dict(query) for name, query in metadata.CANNED_QUERIES.items()}

    return inner


# trylast: Datasette's own search hook runs first and says the table has no search
# (its FTS table is not the kind Datasette detects); the context returned here wins.
@hookimpl(trylast=True)
def filters_from_request(request: Request, database: str, table: str, datasette: Datasette) -> Any:
    if table not in {"texts", "sightings"}:
        return None

    async def inner() -> FilterArguments | None:
        if not await setup.is_archive(datasette, database):
            return None
        layout = await setup.search_layout(datasette, database)
        if layout is None:
            return None
        extra: dict[str, Any] = {"supports_search": True}
        query = request.args.get("_search", "")
        if not query.strip():
            return FilterArguments([], extra_context=extra)
        extra["search"] = query
        column = "id" if table == "texts" else "text_id"
        if layout == "current":
            clause, params = fts.search_clause(column, query)
        else:
            clause, params = fts.single_table_search_clause(column, query)
        return FilterArguments([clause], params, [f'search matches "{query}"'], extra)

    return inner


@hookimpl
def render_cell(
    row: Any, value: Any, column: str, table: str | None, database: str, datasette: Datasette
) -> Any:
    if value is None or not setup.is_known_archive(datasette, database):
        return None
    if table == "texts" and column == "title":
        href = setup.text_page_path(datasette, database, row["id"])
        return Markup('<a href="{}">{}</a>').format(href, value)
    if table is None and column == "text_id" and isinstance(value, int):
        return Markup('<a href="{}">{}</a>').format(setup.text_page_path(datasette, database, value), value)
    if table == "texts" and column == "canonical_sighting_id":
        href = datasette.urls.row(database, "sightings", str(value))
        return Markup('<a href="{}">{}</a>').format(href, value)
    return None


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [
        (r"^/-/blogarchive/(?P<database>[^/]+)/text/(?P<text_id>\d+)$", text_page),
        (r"^/-/blogarchive/text/(?P<text_id>\d+)$", text_page),
    ]


async def text_page(datasette: Datasette, request: Request) -> Response:
    """``/-/blogarchive/<database>/text/<id>``: one text, its copies and their differences."""
    encoded = request.url_vars.get("database")
    if encoded is None:
        archives = await setup.archive_databases(datasette)
        if not archives:
            raise NotFound("No blogarchive database is open")
        database = archives[0]
    else:
        database = tilde_decode(encoded)
        if database not in datasette.databases or not await setup.is_archive(datasette, database):
            raise NotFound(f"No archive called {database}")
    await setup.ensure_can_view(datasette, request.actor, database)
    context = await text_context(datasette.get_database(database), int(request.url_vars["text_id"]))
    if context is None:
        raise NotFound("No such text")
    html = await datasette.render_template(
        "blogarchive_text.html", {**context, "database": database}, request=request
    )
    return Response.html(html)
