"""blogarchive: crawl blogging platforms and keep a deduplicating archive.

This package holds the command-line tool and the bundled offline demo site; the
work is done by ``crawler``, ``pipelines`` and ``archive``.
"""

__version__ = "0.1.0"
