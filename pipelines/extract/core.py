"""Orchestration: HTML in, :class:`Extraction` out."""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from crawler.platforms import PLATFORMS, Platform, get_platform, platform_for_url
from pipelines.extract.html import NOISE_TAGS, node_text, parse_html, sanitised_html, to_text
from pipelines.extract.metadata import (
    clean_title,
    declared_original,
    detect_lang,
    first_match,
    json_ld,
    meta_content,
    normalise_date,
)
from pipelines.extract.model import Extraction, NoBodyFound
from pipelines.extract.recommendations import cut_generic_recommendations, cut_platform_recommendations

#: A body shorter than this (in characters) is not an article.
MIN_BODY_CHARS = 20

_BOILERPLATE = re.compile(
    r"comment|share|sharing|social|sidebar|footer|header|related|recommend|nav|menu|breadcrumb|"
    r"advert|\bads?\b|banner|popup|subscribe|newsletter|copyright|widget|cookie|login|signup",
    re.IGNORECASE,
)
_PARAGRAPH_TAGS = ("p", "pre", "blockquote", "h2", "h3", "h4", "li", "td")


def detect_platform(root: HtmlElement, url: str | None) -> Platform | None:
    """The platform that wrote this page: by host, then generator tag, then markup."""
    by_host = platform_for_url(url)
    if by_host:
        return by_host
    generator = (meta_content(root, "generator") or "").casefold()
    for platform in PLATFORMS.values():
        if generator and any(generator.startswith(g) for g in platform.generators):
            return platform
    for platform in PLATFORMS.values():
        for marker in platform.markers:
            try:
                if root.cssselect(marker):
                    return platform
            except Exception:  # noqa: BLE001 - bad selector in a description
                continue
    return None


def _drop(root: HtmlElement, selectors: tuple[str, ...]) -> None:
    for selector in selectors:
        try:
            found = root.cssselect(selector)
        except Exception:  # noqa: BLE001
            continue
        for el in found:
            if el.getparent() is not None:
                el.drop_tree()


def _strip_noise(root: HtmlElement) -> None:
    for el in list(root.iter(*NOISE_TAGS)):
        if el.getparent() is not None:
            el.drop_tree()


def _platform_body(root: HtmlElement, platform: Platform | None) -> HtmlElement | None:
    if platform is None:
        return None
    for selector in platform.body:
        try:
            found = root.cssselect(selector)
        except Exception:  # noqa: BLE001
            continue
        if found and len(node_text(found[0])) >= MIN_BODY_CHARS:
            return found[0]
    return None


def _generic_body(root: HtmlElement) -> HtmlElement | None:
    """The element holding most paragraph text with few links (a readability-style score)."""
    for el in list(root.iter("nav", "header", "footer", "aside")):
        if el.getparent() is not None:
            el.drop_tree()
    for el in list(root.iter()):
        if not isinstance(el.tag, str) or el.getparent() is None or el.tag in ("body", "html"):
            continue
        marks = f"{el.get('class', '')} {el.get('id', '')}"
        if marks.strip() and _BOILERPLATE.search(marks) and not re.search(
            r"article|content|post|entry|main|body", marks, re.IGNORECASE
        ):
            el.drop_tree()
    scores: dict[HtmlElement, float] = {}
    for para in root.iter(*_PARAGRAPH_TAGS):
        text = node_text(para)
        if len(text) < 10:
            continue
        link_chars = sum(len(node_text(a)) for a in para.iter("a"))
        weight = len(text) * (1 - min(1.0, link_chars / max(1, len(text))))
        parent = para.getparent()
        if parent is None:
            continue
        scores[parent] = scores.get(parent, 0.0) + weight
        grand = parent.getparent()
        if grand is not None:
            scores[grand] = scores.get(grand, 0.0) + weight / 2
    if not scores:
        body = root.find("body")
        return body if body is not None else root
    return max(scores, key=scores.__getitem__)


def _published(root: HtmlElement, platform: Platform | None) -> str | None:
    candidates: list[str | None] = []
    if platform:
        for selector in platform.published:
            try:
                for el in root.cssselect(selector):
                    candidates.append(el.get("datetime") or el.get("content") or node_text(el))
            except Exception:  # noqa: BLE001
                continue
    candidates.append(meta_content(root, "article:published_time", "datePublished", "pubdate"))
    candidates.extend(str(obj.get("datePublished")) for obj in json_ld(root) if obj.get("datePublished"))
    candidates.extend(root.xpath("//time/@datetime"))
    for raw in candidates:
        value = normalise_date(raw)
        if value:
            return value
    return None


def _author(root: HtmlElement, platform: Platform | None) -> str | None:
    if platform:
        found = first_match(root, platform.author)
        if found:
            return found
    for obj in json_ld(root):
        author = obj.get("author")
        if isinstance(author, list) and author:
            author = author[0]
        if isinstance(author, dict) and author.get("name"):
            return str(author["name"])
        if isinstance(author, str) and author:
            return author
    return meta_content(root, "author", "article:author", "dc.creator")


def _title(root: HtmlElement, platform: Platform | None) -> str | None:
    if platform:
        found = first_match(root, platform.title)
        if found:
            return found
    og = meta_content(root, "og:title", "twitter:title")
    if og:
        return og
    titles = root.xpath("//title")
    document_title = clean_title(node_text(titles[0])) if titles else None
    heads = [node_text(h) for h in root.xpath("//h1")]
    heads = [h for h in heads if h]
    # A lone <h1> is the title unless it is the blog's name: then <title> says more.
    if (
        len(heads) == 1
        and (not document_title or heads[0] in (node_text(titles[0]) if titles else ""))
        and (not document_title or document_title in heads[0] or heads[0] not in document_title)
    ):
        return heads[0]
    return document_title or (heads[0] if heads else None)


def extract_article(html: str, url: str | None = None, platform: str | None = None) -> Extraction:
    """Extract the main body, metadata and recommendations of one article page.

    :param html: the decoded page
    :param url: where the page was fetched (resolves relative links, picks a platform)
    :param platform: a platform name from ``crawler.platforms``; detected when omitted
    :raises NoBodyFound: when the page holds no article body
    """
    root = parse_html(html)
    if root is None:
        raise NoBodyFound("empty or unparseable document")
    described = get_platform(platform) or detect_platform(root, url)
    title = _title(root, described)
    author = _author(root, described)
    published = _published(root, described)
    tags = tuple(dict.fromkeys(t for t in (meta_content(root, "keywords") or "").replace("，", ",").split(",") if t.strip()))[:20]
    _strip_noise(root)
    recommendations = cut_platform_recommendations(root, described, url)
    recommendations += cut_generic_recommendations(root, url, len(recommendations))
    node = _platform_body(root, described)
    if node is not None and described is not None:
        _drop(node, described.drop)
    else:
        node = _generic_body(root)
    body = to_text(node) if node is not None else ""
    if len(body) < MIN_BODY_CHARS:
        raise NoBodyFound(f"no article body found ({len(body)} characters of text)")
    if title and body.startswith(title + "\n"):
        body = body[len(title):].lstrip()
    return Extraction(
        body=body,
        title=title,
        author=author,
        published=published,
        body_html=sanitised_html(node),
        lang=detect_lang(root, body),
        tags=tuple(t.strip() for t in tags),
        declared_original=declared_original(root, body, url),
        platform=described.name if described else None,
        recommendations=tuple(recommendations),
    )
