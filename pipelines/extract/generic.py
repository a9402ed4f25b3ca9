"""The body of a page no platform description matches.

First choice: trafilatura's main-content extractor (fast mode, no comments) run on the
tree already parsed for the other steps; when it finds nothing, or the tree is huge, a
readability-style score picks the element holding most paragraph text with few links.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml.html import HtmlElement

from pipelines.extract.html import node_text, to_text

try:  # pragma: no cover - exercised whenever trafilatura is installed (a declared dependency)
    import trafilatura
    from trafilatura.htmlprocessing import convert_to_html
except ImportError:  # pragma: no cover
    trafilatura = None

_BOILERPLATE = re.compile(
    r"comment|share|sharing|social|sidebar|footer|header|related|recommend|nav|menu|breadcrumb|"
    r"advert|\bads?\b|banner|popup|subscribe|newsletter|copyright|widget|cookie|login|signup",
    re.IGNORECASE,
)
_CONTENTISH = re.compile(r"article|content|post|entry|main|body", re.IGNORECASE)
_PARAGRAPH_TAGS = ("p", "pre", "blockquote", "h2", "h3", "h4", "li", "td")

#: Above this many elements trafilatura's extraction slows down more than linearly (seconds
#: per page); such trees go to the own linear scorer.
MAX_LIBRARY_ELEMENTS = 30_000
_COUNT_ELEMENTS = etree.XPath("count(//*)")


def main_content(root: HtmlElement, url: str | None) -> tuple[str, HtmlElement | None]:
    """``(text, element)`` of the main content; the element is simplified HTML for display."""
    if trafilatura is not None and _COUNT_ELEMENTS(root) <= MAX_LIBRARY_ELEMENTS:
        try:
            document = trafilatura.bare_extraction(
                root, url=url, fast=True, include_comments=False, with_metadata=False,
                include_tables=True, deduplicate=False,
            )
        except Exception:  # noqa: BLE001 - a library failure falls back to the own scorer
            document = None
        if document is not None and document.body is not None and len(document.body):
            html_root = convert_to_html(document.body)
            body = html_root.find("body")
            body = body if body is not None else html_root
            text = to_text(body)
            if text:
                return text, body
    node = densest_block(root)
    if node is None:
        return "", None
    return to_text(node), node


def densest_block(root: HtmlElement) -> HtmlElement | None:
    """The element holding most paragraph text with few links (a readability-style score).

    Boilerplate-looking elements (by class/id) are removed from ``root`` first.
    """
    for el in list(root.iter("nav", "header", "footer", "aside")):
        if el.getparent() is not None:
            el.drop_tree()
    for el in list(root.iter()):
        if not isinstance(el.tag, str) or el.getparent() is None or el.tag in ("body", "html"):
            continue
        marks = f"{el.get('class', '')} {el.get('id', '')}"
        if marks.strip() and _BOILERPLATE.search(marks) and not _CONTENTISH.search(marks):
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
