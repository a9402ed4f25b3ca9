"""Item pipelines and the pure logic they call.

``pipelines.extract`` and ``pipelines.dedup`` are plain functions over strings (no
Scrapy, no database). ``main_body``, ``minhash_dedup`` and ``archive_store`` are the
thin Scrapy adapters, enabled in that order.
"""
