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


#: A text of at least this many lines, this share of them short (menu items, not
#: paragraphs), is what trafilatura's fast mode returns when it took a site's navigation
#: for the content; its full mode (which checks against other algorithms) is tried then.
MENU_MIN_LINES = 20
MENU_SHORT_SHARE = 0.6
MENU_SHORT_CHARS = 25
#: ... and this share of its characters in lines that are the text of one of the page's links.
MENU_LINK_SHARE = 0.3


def short_line_share(text: str) -> float:
    """Share of the non-empty lines of ``text`` that are short (menu items, not paragraphs);
    0 for a text of fewer than ``MENU_MIN_LINES`` lines."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) < MENU_MIN_LINES:
        return 0.0
    return sum(1 for line in lines if len(line) <= MENU_SHORT_CHARS) / len(lines)


def _library_content(root: HtmlElement, url: str | None, *, fast: bool) -> tuple[str, HtmlElement | None]:
    try:
        document = trafilatura.bare_extraction(
            root,
            url=url,
            fast=fast,
            include_comments=False,
            with_metadata=False,
            include_tables=True,
            deduplicate=False,
        )
    except Exception:  # noqa: BLE001 - a library failure falls back to the own scorer
        return "", None
    if document is None or document.body is None or not len(document.body):
        return "", None
    html_root = convert_to_html(document.body)
    body = html_root.find("body")
    body = body if body is not None else html_root
    return to_text(body), body


def link_texts(root: HtmlElement) -> set[str]:
    """The text of every link of the page, whitespace collapsed."""
    return {node_text(a) for a in root.iter("a")}


def link_line_share(text: str, links: set[str]) -> float:
    """Share of ``text``, in characters, in lines that are the whole text of one of ``links``."""
    lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    total = sum(map(len, lines))
    if not total:
        return 0.0
    return sum(len(line) for line in lines if line in links) / total


def main_content(root: HtmlElement, url: str | None) -> tuple[str, HtmlElement | None]:
    """``(text, element)`` of the main content; the element is simplified HTML for display.

    trafilatura's fast mode first; when what it found looks like a menu (mostly short
    lines, mostly the page's link texts), its full mode, kept if fewer of its lines are
    link texts (a poem or a list of short lines is not links, and stays as found)."""
    if trafilatura is not None and _COUNT_ELEMENTS(root) <= MAX_LIBRARY_ELEMENTS:
        text, body = _library_content(root, url, fast=True)  # it works on a copy of the tree
        if short_line_share(text) >= MENU_SHORT_SHARE:
            links = link_texts(root)
            share = link_line_share(text, links)
            if share >= MENU_LINK_SHARE:
                full_text, full_body = _library_content(root, url, fast=False)
                if full_text and link_line_share(full_text, links) < share - 0.2:
                    return full_text, full_body
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
    text_len, link_len = text_lengths(root)
    scores: dict[HtmlElement, float] = {}
    for para in root.iter(*_PARAGRAPH_TAGS):
        length = text_len.get(para, 0)
        if length < 10:
            continue
        weight = length * (1 - min(1.0, link_len.get(para, 0) / length))
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


def text_lengths(root: HtmlElement) -> tuple[dict[HtmlElement, int], dict[HtmlElement, int]]:
    """Per element, the length of its text and of the text inside its links, in one
    bottom-up pass (linear, where calling ``text_content()`` per element is quadratic)."""
    text_len: dict[HtmlElement, int] = {}
    link_len: dict[HtmlElement, int] = {}
    for el in reversed(list(root.iter())):
        own = len((el.text or "").strip())
        links = 0
        for child in el:
            own += text_len.get(child, 0) + len((child.tail or "").strip())
            links += link_len.get(child, 0)
        text_len[el] = own
        link_len[el] = own if el.tag == "a" else links
    return text_len, link_len
