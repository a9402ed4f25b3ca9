"""CSS selection with compiled, cached XPath (cssselect translation is the slow part)."""

from __future__ import annotations

import re
from dataclasses import dataclass
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


def select(node: HtmlElement, selector: str | None, index: PageIndex | None = None) -> list[HtmlElement]:
    """Elements below (or at) ``node`` matching ``selector``, in document order; [] when invalid.

    ``index`` (:class:`PageIndex`) lets selectors needing absent classes, ids or attribute values
    skip the tree search.
    """
    if not selector or (index is not None and not may_match(selector, index)):
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
_CLASSES = etree.XPath("//@class", smart_strings=False)
_IDS = etree.XPath("//@id", smart_strings=False)


@dataclass(frozen=True)
class PageIndex:
    """What a page uses, to skip selectors that cannot match without searching the tree:
    its class and id names, and its source for quoted attribute values."""

    names: frozenset[str]
    source: str

    @classmethod
    def of(cls, root: HtmlElement, source: str) -> PageIndex:
        names = set(" ".join(_CLASSES(root)).split())
        names.update(_IDS(root))
        return cls(frozenset(names), source)


@lru_cache(maxsize=2048)
def _required(selector: str) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    """For each comma-separated alternative: the classes/ids it needs, and the quoted
    attribute values that must occur in the page source."""
    alternatives = []
    for part in selector.split(","):
        literals = tuple(v for _, v in _QUOTED.findall(part) if v and "\\" not in v)
        bare = re.sub(r"\[[^\]]*\]|\([^)]*\)", "", part)
        alternatives.append((tuple(dict.fromkeys(_NAMES.findall(bare))), literals))
    return tuple(alternatives)


def may_match(selector: str, index: PageIndex) -> bool:
    """False when no alternative of ``selector`` can match the indexed page."""
    return any(
        all(n in index.names for n in names) and all(lit in index.source for lit in literals)
        for names, literals in _required(selector)
    )
