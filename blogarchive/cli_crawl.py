"""Scheduled crawls: the ``sites.toml`` format read by ``blogarchive crawl --config``,
and the rotating log file cron runs write to.

Example::

    [settings]                      # Scrapy settings for every site (optional)
    BLOGARCHIVE_CONTACT = "archive@example.org"

    [defaults]                      # applied to every site that does not say otherwise
    limit = 200                     # articles per site and run (0: no limit)
    revisit = "7d"                  # archived articles are re-checked after this (s, m, h, d)

    [[site]]
    url = "https://example.wordpress.com/"

    [[site]]
    platform = "jianshu"
    user = "a1b2c3d4e5f6"
    limit = 50
    revisit = "1d"

    [[site]]
    platform = "zhihu"
    user = "c_1234567890"
    cookies = "z_c0=..."            # zhihu needs a logged-in session
    enabled = false
"""

from __future__ import annotations

import logging
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Any

from crawler.spiders.base import check_arguments

#: Keys of a ``[[site]]`` table that become spider arguments as they are.
SPIDER_ARGS = ("url", "user", "base_url", "limit", "depth", "since", "follow_recommendations", "cookies")
SITE_KEYS = {*SPIDER_ARGS, "platform", "spider", "revisit", "enabled", "name"}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


class ConfigError(ValueError):
    """A ``sites.toml`` that cannot be used; the message says where and why."""


@dataclass(frozen=True)
class SiteJob:
    """One configured site: the spider to run and its arguments."""

    name: str
    spider: str
    args: dict[str, str]


def parse_duration(value: Any) -> float:
    """Seconds from ``3600``, ``"90m"``, ``"12h"`` or ``"7d"``; raises ``ValueError``."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    match = _DURATION.match(str(value))
    if not match:
        raise ValueError(f"not a duration: {value!r} (use seconds or 30m, 12h, 7d)")
    return float(match.group(1)) * _UNITS[match.group(2)]


def load_sites(path: str | Path) -> tuple[list[SiteJob], dict[str, Any]]:
    """The enabled sites of a ``sites.toml`` as crawl jobs, and its ``[settings]``.

    :raises ConfigError: unreadable TOML, an unknown key, a site with neither ``url``
        nor ``platform`` + ``user``/``base_url``, a bad duration
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    unknown = set(data) - {"settings", "defaults", "site"}
    if unknown:
        raise ConfigError(f"{path}: unknown section(s) {', '.join(sorted(unknown))}")
    defaults = data.get("defaults", {})
    sites = data.get("site", [])
    if not isinstance(sites, list) or not sites:
        raise ConfigError(f"{path}: no [[site]] tables")
    jobs = []
    for number, site in enumerate(sites, 1):
        merged = {**defaults, **site}
        where = f"{path}: site {number}"
        unknown = set(merged) - SITE_KEYS
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        if not merged.get("enabled", True):
            continue
        spider = merged.get("spider") or merged.get("platform") or "blog"
        if not (merged.get("url") or (spider != "blog" and (merged.get("user") or merged.get("base_url")))):
            raise ConfigError(f"{where}: give url = \"...\", or platform = \"...\" with user = \"...\"")
        if spider not in spider_names():
            raise ConfigError(f"{where}: no platform or spider {spider!r} (one of: {', '.join(spider_names())})")
        args = {key: _arg(merged[key]) for key in SPIDER_ARGS if key in merged}
        try:
            check_arguments(args.get("limit"), args.get("depth"), args.get("since"))
        except ValueError as exc:
            raise ConfigError(f"{where}: {exc}") from exc
        if "revisit" in merged:
            try:
                args["revisit"] = str(parse_duration(merged["revisit"]))
            except ValueError as exc:
                raise ConfigError(f"{where}: revisit: {exc}") from exc
        name = merged.get("name") or merged.get("url") or f"{spider}:{merged.get('user') or merged.get('base_url')}"
        jobs.append(SiteJob(name=str(name), spider=str(spider), args=args))
    return jobs, dict(data.get("settings", {}))


@lru_cache(maxsize=1)
def spider_names() -> tuple[str, ...]:
    """Names of the project's spiders: ``blog`` and one per platform."""
    from scrapy.spiderloader import SpiderLoader

    from blogarchive.runner import project_settings

    return tuple(sorted(SpiderLoader.from_settings(project_settings()).list()))


def _arg(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


def log_to_file(path: str | Path, level: str = "INFO", max_bytes: int = 10 * 1024 * 1024, backups: int = 5) -> None:
    """Send all logging to a rotating file (``path``, ``path.1``, ... ``path.<backups>``)."""
    handler = RotatingFileHandler(path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s [%(name)s] %(levelname)s: %(message)s"))
    handler.setLevel(level)
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(min(root.level or logging.WARNING, logging.getLevelName(level)))
