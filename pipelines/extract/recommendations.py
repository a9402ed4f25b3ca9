"""Promoted and related stories as records, cut out of the tree before the body is read."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from lxml.html import HtmlElement

from crawler.platforms.base import Platform, RecommendationBlock
from pipelines.extract.html import HEADING_TAGS, node_text
from pipelines.extract.model import Recommendation
from pipelines.extract.numbers import parse_count

#: Headings that introduce a block of recommended or related articles.
RECOMMENDATION_HEADINGS = re.compile(
    r"^\s*(推荐阅读|相关推荐|相关文章|相关阅读|热门文章|热门推荐|猜你喜欢|为您推荐|为你推荐|延伸阅读|"
    r"精彩推荐|阅读排行|编辑推荐|最新文章|作者最新文章|更多精彩|"
    r"related posts?|related articles?|related stories|related reading|you might also like|"
    r"you may also like|recommended( for you| reading| stories| posts)?|more from\b.*|"
    r"read (more|next)|popular posts?|more stories|further reading)\s*[:：]?\s*$",
    re.IGNORECASE,
)


def _select(node: HtmlElement, selector: str | None) -> list[HtmlElement]:
    if not selector:
        return []
    try:
        return node.cssselect(selector)
    except Exception:  # noqa: BLE001 - a bad selector in a description must not crash extraction
        return []


def _text_of(node: HtmlElement, selector: str | None) -> str | None:
    for el in _select(node, selector):
        text = node_text(el)
        if text:
            return text
    return None


def _href_of(node: HtmlElement, selector: str | None, base_url: str | None) -> str | None:
    candidates = [node] if node.tag == "a" else []
    candidates += _select(node, selector)
    for el in candidates:
        href = el.get("href")
        if el.tag != "a":
            inner = el.xpath(".//a[@href]")
            href = href or (inner[0].get("href") if inner else None)
        if href and not href.startswith(("javascript:", "#")):
            return urljoin(base_url or "", href.strip())
    return None


def _from_block(
    container: HtmlElement, block: RecommendationBlock, base_url: str | None, start: int
) -> list[Recommendation]:
    heading = _text_of(container, block.heading_selector) or block.heading
    records: list[Recommendation] = []
    for item in _select(container, block.item):
        title = _text_of(item, block.title) or (node_text(item) if item.tag == "a" else None)
        if not title:
            continue
        records.append(
            Recommendation(
                title=title,
                url=_href_of(item, block.url, base_url),
                block=heading,
                position=start + len(records),
                author=_text_of(item, block.author),
                snippet=_text_of(item, block.snippet),
                reads=parse_count(_text_of(item, block.reads)),
                comments=parse_count(_text_of(item, block.comments)),
                likes=parse_count(_text_of(item, block.likes)),
            )
        )
    return records


def cut_platform_recommendations(
    root: HtmlElement, platform: Platform | None, base_url: str | None
) -> list[Recommendation]:
    """Records from the platform's known blocks; the blocks are removed from ``root``."""
    records: list[Recommendation] = []
    if platform is None:
        return records
    for block in platform.recommendations:
        for container in _select(root, block.container):
            records.extend(_from_block(container, block, base_url, len(records)))
            container.drop_tree()
    return records


def _link_list_after(heading: HtmlElement) -> HtmlElement | None:
    """The element holding the links a heading introduces (its next sibling or parent)."""
    sibling = heading.getnext()
    if sibling is not None and len(sibling.xpath(".//a[@href]")) >= 2:
        return sibling
    parent = heading.getparent()
    if parent is not None and len(parent.xpath(".//a[@href]")) >= 2 and len(node_text(parent)) < 4000:
        return parent
    return None


def cut_generic_recommendations(root: HtmlElement, base_url: str | None, start: int) -> list[Recommendation]:
    """Blocks introduced by a 推荐阅读 / Related posts style heading, on any site."""
    records: list[Recommendation] = []
    candidates = [el for el in root.iter() if isinstance(el.tag, str)
                  and (el.tag in HEADING_TAGS or el.tag in ("strong", "b", "span", "div", "p"))]
    for heading in candidates:
        if heading.getparent() is None or len(heading) > 2:
            continue
        text = node_text(heading)
        if not text or len(text) > 40 or not RECOMMENDATION_HEADINGS.match(text):
            continue
        container = _link_list_after(heading)
        if container is None:
            continue
        for link in container.xpath(".//a[@href]"):
            title = node_text(link)
            if len(title) < 4 or RECOMMENDATION_HEADINGS.match(title):
                continue
            records.append(
                Recommendation(
                    title=title,
                    url=urljoin(base_url or "", link.get("href", "").strip()),
                    block=text.rstrip(":："),
                    position=start + len(records),
                )
            )
        if container is heading.getparent():
            container.drop_tree()
        else:
            container.drop_tree()
            heading.drop_tree()
    return records
