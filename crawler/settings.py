"""Scrapy settings for blogarchive. Every project setting is listed in docs/reference.md."""

BOT_NAME = "blogarchive"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
COMMANDS_MODULE = "crawler.commands"  # `scrapy crawl` with exit codes for cron

# -- politeness ---------------------------------------------------------------
BLOGARCHIVE_CONTACT = ""  # an e-mail or URL appended to the User-Agent: set it
USER_AGENT = "blogarchive/0.1 (+https://pypi.org/project/blogarchive/)"
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
BLOGARCHIVE_RETRY_BACKOFF = 1.0  # first wait before a retry without Retry-After, doubled each time
BLOGARCHIVE_RETRY_BACKOFF_MAX = 60.0
BLOGARCHIVE_RETRY_AFTER_MAX = 300.0  # a longer Retry-After gives up until the next run
COOKIES_ENABLED = False  # sessions are sent explicitly, only to platforms that need them
BLOGARCHIVE_COOKIES: dict[str, str] = {}  # platform name -> Cookie header (zhihu)

# -- incremental crawls -------------------------------------------------------
BLOGARCHIVE_REVISIT_ENABLED = True
BLOGARCHIVE_REVISIT_AFTER = 7 * 86400  # seconds before an archived article is fetched again
BLOGARCHIVE_STOP_AT_SEEN = True  # listings stop paginating at archived articles
BLOGARCHIVE_RETRY_FAILURES = True  # re-request pages that failed in earlier crawls
BLOGARCHIVE_RETRY_FAILURES_MAX = 5
BLOGARCHIVE_RETRY_FAILURES_DAYS = 30

# Scrapy's filter, but a redirect back into its own chain (a cookie set, then the same
# page) is let through instead of dropped with its article; loops end at REDIRECT_MAX_TIMES.
DUPEFILTER_CLASS = "crawler.dupefilters.RedirectAwareDupeFilter"
REDIRECT_MAX_TIMES = 10

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.useragent.UserAgentMiddleware": None,
    "crawler.middlewares.ContactUserAgentMiddleware": 500,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.RetryAfterMiddleware": 550,
    "crawler.middlewares.ArchiveRevisitMiddleware": 560,
    "crawler.middlewares.OffsiteRedirectMiddleware": 650,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.middlewares.MetaRefreshMiddleware": 580,
}
SPIDER_MIDDLEWARES = {
    "crawler.middlewares.RequeueMiddleware": 950,
    # last to see the spider's output, so first to see its exceptions
    "crawler.middlewares.ParseFailureMiddleware": 990,
}
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"

# -- pipelines ----------------------------------------------------------------
ITEM_PIPELINES = {
    "pipelines.main_body.MainBodyPipeline": 100,
    "pipelines.minhash_dedup.MinHashDedupPipeline": 200,
    "pipelines.archive_store.ArchiveStorePipeline": 300,
}
EXTRACT_ENABLED = True
DEDUP_ENABLED = True
DEDUP_NUM_PERM = 64
DEDUP_SEED = 1
DEDUP_SHINGLE_SIZE = 5
DEDUP_THRESHOLD = 0.3
ARCHIVE_PATH = "archive.db"
ARCHIVE_TIMEOUT = 60.0

# -- speed (docs/speed.md) -----------------------------------------------------
# Extraction and fingerprints run in worker processes, one per core ("inline" runs
# them on the reactor thread, for tests and debugging).
WORKERS_MODE = "pool"
WORKERS_PROCESSES = 0  # 0: one per core
WORKERS_START_METHOD = "forkserver"  # or "spawn"; never fork a running reactor
WORKERS_RETRIES = 1  # more tries (on another worker) for a page whose worker died running it
# One writer commits queued pages in batches: one transaction per batch.
ARCHIVE_BATCH_SIZE = 100
# "process": a writer process with its own connection, so recording takes no CPU (and
# no GIL) from the crawl process: 7 % more pages/s than "thread" on 2 cores (bench/RESULTS.md).
ARCHIVE_WRITER = "process"  # or "thread", "reactor"
# Scrapy starts CONCURRENT_ITEMS asyncio tasks for every response's output; at the
# default 100 that costs the reactor ~1.5 ms per article page (one item each).
CONCURRENT_ITEMS = 8

FEED_EXPORT_ENCODING = "utf-8"
