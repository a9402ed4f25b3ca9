"""CSS selection with compiled, cached XPath (cssselect translation is the slow part)."""

from __future__ import annotations

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


def select(node: HtmlElement, selector: str | None) -> list[HtmlElement]:
    """Elements below (or at) ``node`` matching ``selector``, in document order; [] when invalid."""
    if not selector:
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
