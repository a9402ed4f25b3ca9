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


def select(node: HtmlElement, selector: str | None, names: frozenset[str] | None = None) -> list[HtmlElement]:
    """Elements below (or at) ``node`` matching ``selector``, in document order; [] when invalid.

    ``names`` (from :func:`names_in_tree`) lets selectors needing absent classes or ids skip the search.
    """
    if not selector or (names is not None and not may_match(selector, names)):
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


_NAMES = re.compile(r"([.#])((?:[\w-]|\\.)+)")


def names_in_tree(root: HtmlElement) -> frozenset[str]:
    """Every ``.class`` and ``#id`` used in the tree, to skip selectors that cannot match."""
    names = {"." + c for value in _CLASSES(root) for c in value.split()}
    names.update("#" + value for value in _IDS(root))
    return frozenset(names)


_CLASSES = etree.XPath("//@class")
_IDS = etree.XPath("//@id")


@lru_cache(maxsize=2048)
def _required(selector: str) -> tuple[frozenset[str], ...]:
    """For each comma-separated alternative, the classes and ids it needs (outside brackets)."""
    alternatives = []
    for part in selector.split(","):
        bare = re.sub(r"\[[^\]]*\]|\([^)]*\)", "", part)
        alternatives.append(frozenset(f"{kind}{name}" for kind, name in _NAMES.findall(bare)))
    return tuple(alternatives)


def may_match(selector: str, names: frozenset[str]) -> bool:
    """False when no alternative of ``selector`` can match a tree using only ``names``."""
    return any(required <= names for required in _required(selector))
