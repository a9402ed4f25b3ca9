"""The Scrapy project: settings, items, platform descriptions, spiders and middlewares."""
