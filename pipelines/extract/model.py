"""What extraction returns."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


class NoBodyFound(ValueError):
    """The page has no article body (empty, binary, an index page, a challenge...)."""


@dataclass(frozen=True)
class Recommendation:
    """One promoted or related story listed beside or below an article."""

    title: str
    url: str | None = None
    block: str | None = None
    position: int = 0
    author: str | None = None
    snippet: str | None = None
    reads: int | None = None
    comments: int | None = None
    likes: int | None = None


@dataclass(frozen=True)
class Extraction:
    """The article found in one page: body, metadata and the recommendations beside it."""

    body: str
    title: str | None = None
    author: str | None = None
    published: str | None = None
    updated: str | None = None
    body_html: str | None = None
    lang: str | None = None
    tags: tuple[str, ...] = ()
    declared_original: str | None = None
    declared_source: str | None = None  # the outlet a repost names ("来源：澎湃新闻"), when it names one
    platform: str | None = None
    recommendations: tuple[Recommendation, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["tags"] = list(self.tags)
        data["recommendations"] = [asdict(r) for r in self.recommendations]
        return data
