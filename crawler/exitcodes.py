"""Exit codes of crawls, shared by ``scrapy crawl`` and ``blogarchive crawl``."""

EXIT_OK = 0
EXIT_FAILED = 1  # the crawl ran but failed (nothing fetched, archive errors, closed early)
EXIT_USAGE = 2  # bad arguments (click's and Scrapy's own code)
EXIT_LOCKED = 3  # another crawl holds the archive lock
