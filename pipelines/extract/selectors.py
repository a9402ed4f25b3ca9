"""CSS selection with compiled, cached XPath (cssselect translation is the slow part)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from cssselect import HTMLTranslator, SelectorError
from lxml import etree
from lxml.html import HtmlElement

_TRANSLATOR = HTMLTranslator()
_PREFIX = "descendant-or-self::"


@lru_cache(maxsize=2048)
def compiled(selector: str) -> etree.XPath | None:
    """The XPath for a CSS ``selector`` (relative to the node it is applied to), or None if invalid."""
    try:
        return etree.XPath(_TRANSLATOR.css_to_xpath(selector, prefix=_PREFIX))
    except (SelectorError, etree.XPathSyntaxError, ValueError):
        return None


@lru_cache(maxsize=2048)
def _alternative_xpaths(selector: str) -> tuple[str, ...] | None:
    """The XPath of each comma-separated part of ``selector`` (as :func:`_required` splits it),
    or None unless the selector's XPath is exactly their union (a comma inside brackets, quotes
    or parentheses makes a part invalid or the union different)."""
    try:
        parts = tuple(_TRANSLATOR.css_to_xpath(part, prefix=_PREFIX) for part in selector.split(","))
        whole = _TRANSLATOR.css_to_xpath(selector, prefix=_PREFIX)
    except (SelectorError, ValueError):
        return None
    return parts if " | ".join(parts) == whole else None


@lru_cache(maxsize=4096)
def _union(xpaths: tuple[str, ...]) -> etree.XPath:
    return etree.XPath(" | ".join(xpaths))


def _narrowed(selector: str, index: PageIndex) -> etree.XPath | None:
    """The XPath of the alternatives of ``selector`` that may match the indexed page (the
    others match nothing, so the union of these finds the same elements), or None when none may.
    Decided once per page and selector (a recommendation block applies its selectors to every item)."""
    try:
        return index.narrowed[selector]
    except KeyError:
        xpath = index.narrowed[selector] = _narrowing(selector, index)
        return xpath


def _narrowing(selector: str, index: PageIndex) -> etree.XPath | None:
    possible = [_possible(names, literals, index) for names, literals in _required(selector)]
    if not any(possible):
        return None
    parts = _alternative_xpaths(selector)
    if parts is None or all(possible):
        return compiled(selector)
    return _union(tuple(xpath for xpath, keep in zip(parts, possible, strict=True) if keep))


def select(node: HtmlElement, selector: str | None, index: PageIndex | None = None) -> list[HtmlElement]:
    """Elements below (or at) ``node`` matching ``selector``, in document order; [] when invalid.

    ``index`` (:class:`PageIndex`) lets selectors needing absent classes, ids or attribute values
    skip the tree search, and alternatives needing them (``.a, .b``) drop out of it.
    """
    if not selector:
        return []
    xpath = compiled(selector) if index is None else _narrowed(selector, index)
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
_ATTRIBUTE = re.compile(r"\[\s*([\w-]+)")
_CLASSES = etree.XPath("//@class", smart_strings=False)
_IDS = etree.XPath("//@id", smart_strings=False)


@dataclass(frozen=True)
class PageIndex:
    """What a page uses, to skip selectors that cannot match without searching the tree:
    its class and id names, and its source for quoted attribute values; ``narrowed`` caches,
    per selector, the XPath of the alternatives that may match."""

    names: frozenset[str]
    source: str
    narrowed: dict[str, etree.XPath | None] = field(default_factory=dict, compare=False, repr=False)

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
        literals += tuple(name for name in _ATTRIBUTE.findall(part) if name.startswith(("data-", "aria-")))
        bare = re.sub(r"\[[^\]]*\]|\([^)]*\)", "", part)
        alternatives.append((tuple(dict.fromkeys(_NAMES.findall(bare))), literals))
    return tuple(alternatives)


def _possible(names: tuple[str, ...], literals: tuple[str, ...], index: PageIndex) -> bool:
    """Whether an alternative needing ``names`` and ``literals`` (see :func:`_required`) may match."""
    return all(n in index.names for n in names) and all(lit in index.source for lit in literals)


def may_match(selector: str, index: PageIndex) -> bool:
    """False when no alternative of ``selector`` can match the indexed page."""
    return any(_possible(names, literals, index) for names, literals in _required(selector))
