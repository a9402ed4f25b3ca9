"""The Datasette plugin shipped with blogarchive (entry point ``archive.datasette``).

Datasette loads the hooks below from this package, and finds the page templates
in ``templates/`` beside it.
"""

from archive.datasette.plugin import (
    canned_queries,
    filters_from_request,
    register_routes,
    render_cell,
    startup,
)

__all__ = ["canned_queries", "filters_from_request", "register_routes", "render_cell", "startup"]
