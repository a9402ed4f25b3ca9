"""CSS selection with compiled, cached XPath (cssselect translation is the slow part)."""

from __future__ import annotations

import re
from functools import lru_cache

from cssselect import HTMLTranslator, SelectorError
from lxml import etree
from lxml.html import HtmlElement

_TRANSLATOR = HTMLTranslator()


@lru_cache(maxsize=2048)
def compiled(selector: str) -> etree.XPath | None:
    """The XPath for a CSS ``selector`` (relative to the node it is applied to), or None if invalid."""
    try:
        return etree.XPath(_TRANSLATOR.css_to_xpath(selector, prefix="descendant-or-self::"))
    except (SelectorError, etree.XPathSyntaxError, ValueError):
        return None


def select(node: HtmlElement, selector: str | None, source: str | None = None) -> list[HtmlElement]:
    """Elements below (or at) ``node`` matching ``selector``, in document order; [] when invalid.

    ``source`` (the page's markup) lets selectors needing absent classes, ids or attribute values
    skip the tree search.
    """
    if not selector or (source is not None and not may_match(selector, source)):
        return []
    xpath = compiled(selector)
    if xpath is None:
        return []
    try:
        return [el for el in xpath(node) if isinstance(el.tag, str)]
    except etree.XPathEvalError:
        return []


def select_first(node: HtmlElement, selectors: tuple[str, ...]) -> HtmlElement | None:
    """The first element matching the first selector of ``selectors`` that matches."""
    for selector in selectors:
        found = select(node, selector)
        if found:
            return found[0]
    return None


_NAMES = re.compile(r"[.#]([\w-]+)")
_QUOTED = re.compile(r"""\[[^\]=]*=\s*(['"])(.*?)\1\s*\]""")


@lru_cache(maxsize=2048)
def _required(selector: str) -> tuple[tuple[str, ...], ...]:
    """For each comma-separated alternative, the literal strings (classes, ids, quoted attribute
    values) that must occur in a page's source for it to match."""
    alternatives = []
    for part in selector.split(","):
        needed = [value for _, value in _QUOTED.findall(part) if value and "\\" not in value]
        bare = re.sub(r"\[[^\]]*\]|\([^)]*\)", "", part)
        needed.extend(_NAMES.findall(bare))
        alternatives.append(tuple(dict.fromkeys(needed)))
    return tuple(alternatives)


def may_match(selector: str, source: str) -> bool:
    """False when no alternative of ``selector`` can match a page whose source is ``source``
    (a substring test per literal, far cheaper than a tree search)."""
    return any(all(literal in source for literal in needed) for needed in _required(selector))
