"""Promoted and related stories as records, cut out of the tree before the body is read.

Two sources: the blocks a platform description names (``RecommendationBlock``), and, on
any page, link lists introduced by a 推荐阅读 / Related posts style heading.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urljoin

from lxml import etree
from lxml.html import HtmlElement

from crawler.platforms.base import Platform, RecommendationBlock
from pipelines.extract.html import HEADING_TAGS, node_text
from pipelines.extract.metadata import clean_author
from pipelines.extract.model import Recommendation
from pipelines.extract.numbers import labelled_counts, parse_count
from pipelines.extract.selectors import PageIndex, select

#: Headings that introduce a block of recommended or related articles (simplified and
#: traditional Chinese, English).
RECOMMENDATION_HEADINGS = re.compile(
    r"^\s*(?:"
    r"(?:推荐|推薦)(?:阅读|閱讀|文章)(?:更多精彩内容)?|文章(?:推荐|推薦)|(?:相关|相關)(?:推荐|推薦|文章|阅读|閱讀|博文|新闻|新聞|"
    r"链接|連結|好文)(?:推荐|推薦)?|(?:热门|熱門)(?:文章|推荐|推薦|阅读|閱讀|博文)|热文推荐|(?:热点|熱點)(?:推荐|排行)|阅读排行榜?|"
    r"猜你(?:喜欢|喜歡|想看)|(?:为|為)(?:您|你)(?:推荐|推薦)|延伸(?:阅读|閱讀)|精彩推荐|编辑推荐|博主推荐|"
    r"(?:作者)?最新文章|更多(?:精彩|文章)|精选文章|大家(?:都在|还在)看|你可能(?:感兴趣的文章|也喜歡|也喜欢)|"
    r"related(?: posts?| articles?| stories| reading| content)?|you (?:might|may) also (?:like|enjoy)|"
    r"recommended(?: for you| reading| stories| posts| articles| from\b.{0,60})?|"
    r"(?:read )?more from\b.{0,60}|more (?:stories|posts|articles)(?: from\b.{0,60})?|read (?:more|next)|"
    r"popular (?:posts?|articles|stories)|most (?:popular|read)(?: posts?| articles| stories)?|"
    r"trending(?: posts| now| on\b.{0,40})?|further reading|similar (?:posts|articles)|keep reading|up next|"
    r"what to read next)\s*(?:[:：]|…|\.\.\.)?\s*$",
    re.IGNORECASE,
)
#: Link texts that are controls, not titles.
_CONTROL_LINKS = re.compile(
    r"^\s*(?:更多|查看更多|更多>+|阅读全文|展开|换一换|see (?:all|more)|view (?:all|more)|more|read more|"
    r"show more|load more)\s*[>»›]*\s*$",
    re.IGNORECASE,
)
#: Elements whose short text may be a block heading.
_HEADING_LIKE = frozenset(["div", "span", "p", "strong", "b", "header", "dt", "em", "a", "label", "legend"])
_MAX_HEADING_CHARS = 60
_MAX_BLOCK_LINKS = 80
#: A block is mostly link text (titles); cards with a short snippet each still pass.
_MIN_LINK_SHARE = 0.3
_MAX_BLOCK_CHARS = 6000
#: ... unless it is cards with an excerpt each: of at most this many characters, together
#: this share of the block's text.
_MAX_CARD_CHARS = 500
_MIN_CARDS_SHARE = 0.7
#: ... and that opens with its heading: at most this many characters of text before it.
_MAX_TEXT_BEFORE_HEADING = 40
#: Words one of which every heading above contains: only text nodes holding one are looked at.
_HINTS = (
    "推荐",
    "推薦",
    "相关",
    "相關",
    "热门",
    "熱門",
    "热点",
    "熱點",
    "热文",
    "猜你",
    "为您",
    "为你",
    "為您",
    "為你",
    "大家",
    "你可能",
    "延伸",
    "精彩",
    "排行",
    "最新",
    "更多",
    "感兴趣",
    "精选",
    "related",
    "recommend",
    "also like",
    "also enjoy",
    "more ",
    "popular",
    "most read",
    "trending",
    "further reading",
    "similar",
    "keep reading",
    "up next",
    "read next",
    "what to read",
    "read more",
)


_HINTED = re.compile("|".join(re.escape(h) for h in _HINTS))
_SHORT_TEXTS = etree.XPath(
    "//body/descendant::text()[string-length(normalize-space(.)) > 1 and string-length(.) < 500]", smart_strings=False
)
_TEXT_NODES = etree.XPath("//text()[. = $value]")


def _hinted_elements(root: HtmlElement) -> list[HtmlElement]:
    """Elements whose own text contains a heading word, in document order.

    Strings are scanned first (cheap); elements are looked up only for the few that match.
    """
    values = dict.fromkeys(
        t
        for t in _SHORT_TEXTS(root)
        if _HINTED.search(t.lower()) and RECOMMENDATION_HEADINGS.match(" ".join(t.split()))
    )
    found: dict[HtmlElement, None] = {}
    for value in values:
        for text in _TEXT_NODES(root, value=value):
            el = text.getparent()
            if text.is_tail and el is not None:
                el = el.getparent()
            if el is not None and isinstance(el.tag, str):
                found[el] = None
    return sorted(found, key=lambda el: el.sourceline or 0)


def text_without(node: HtmlElement, excluded: set[HtmlElement], sep: str = "") -> str:
    """The text of ``node`` leaving out the subtrees in ``excluded``, whitespace collapsed;
    ``sep`` goes between the texts of different elements."""
    if not excluded and not sep:
        return node_text(node)
    parts: list[str] = []

    def walk(el: HtmlElement) -> None:
        if el.text:
            parts.append(el.text)
        for child in el:
            if child not in excluded and isinstance(child.tag, str):
                walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(node)
    return " ".join(sep.join(parts).split())


_RANK = re.compile(r"^\s*\d{1,2}\s*[.、．]\s*(?=\S)")
_TRAILING_COUNT = re.compile(r"\s*[(（]\d+[)）]\s*$")


def clean_item_title(text: str) -> str:
    """A list item's title without a leading rank ("1. ") or a trailing count ("(430)")."""
    return _TRAILING_COUNT.sub("", _RANK.sub("", text)).strip()


def _first_with_text(node: HtmlElement, selector: str | None, index: PageIndex | None = None) -> HtmlElement | None:
    """The first element with text matching ``selector``, trying its comma-separated
    alternatives in the order written (the first is the preferred one)."""
    for alternative in (selector or "").split(","):
        for el in select(node, alternative.strip(), index):
            if node_text(el):
                return el
    return None


def _text_of(node: HtmlElement, selector: str | None, index: PageIndex | None = None) -> str | None:
    for el in select(node, selector, index):
        text = node_text(el)
        if text:
            return text
    return None


def _link_of(
    el: HtmlElement, item: HtmlElement, selector: str | None, base_url: str | None, index: PageIndex | None = None
) -> str | None:
    """The URL of an item: its title link, an enclosing link, then the block's url selector
    (searched only when the links before it give none)."""

    def candidates() -> Iterator[HtmlElement]:
        if el.tag == "a":
            yield el
        yield from el.iterancestors("a")
        yield from el.iterdescendants("a")
        yield from select(item, selector, index)

    for a in candidates():
        href = (a.get("href") or "").strip()
        if href and not href.startswith(("javascript:", "#")):
            return urljoin(base_url or "", href)
    return None


def _items(container: HtmlElement, selector: str, index: PageIndex | None = None) -> list[HtmlElement]:
    """Items of a block, leaving out items nested in an earlier item."""
    found = select(container, selector, index)
    kept: list[HtmlElement] = []
    taken: set[HtmlElement] = set()
    for item in found:
        if item is container and len(found) > 1:
            continue
        if any(anc in taken for anc in item.iterancestors()):
            continue
        kept.append(item)
        taken.add(item)
    return kept


def _from_block(
    container: HtmlElement, block: RecommendationBlock, base_url: str | None, start: int,
    index: PageIndex | None = None,
) -> list[Recommendation]:
    """Records of one block's items. ``index`` lets selectors for names the page never
    uses (a platform's count or author classes) skip their search in every item."""
    heading = _text_of(container, block.heading_selector, index) or block.heading
    records: list[Recommendation] = []
    for item in _items(container, block.item, index):
        excluded = set(select(item, block.exclude, index)) if block.exclude else set()
        found = _first_with_text(item, block.title, index)
        title_el = found if found is not None else item
        title = text_without(title_el, excluded)
        if block.strip_rank:
            title = clean_item_title(title)
        if not title or (heading and title == heading):
            continue
        counts = {
            "reads": parse_count(_text_of(item, block.reads, index)),
            "comments": parse_count(_text_of(item, block.comments, index)),
            "likes": parse_count(_text_of(item, block.likes, index)),
        }
        if None in counts.values():
            _fill_counts(counts, text_without(item, {title_el}, sep=" "), block.trailing_count)
        records.append(
            Recommendation(
                title=title,
                url=_link_of(title_el, item, block.url, base_url, index),
                block=heading,
                position=start + len(records),
                author=_text_of(item, block.author, index),
                snippet=_text_of(item, block.snippet, index),
                **counts,
            )
        )
    return records


_TRAILING_NUMBER = re.compile(r"(\d+(?:[.,]\d+)*\s*(?:万|千|k|w)?)\s*$", re.IGNORECASE)


def _fill_counts(counts: dict[str, int | None], text: str, trailing: str | None) -> None:
    """Counts the block's selectors did not find, read from labelled numbers in the item's text;
    ``trailing`` names the count a platform shows as a bare last number (next to an icon)."""
    for kind, value in labelled_counts(text).items():
        if counts[kind] is None:
            counts[kind] = value
    if trailing and counts.get(trailing) is None:
        match = _TRAILING_NUMBER.search(text)
        if match:
            counts[trailing] = parse_count(match.group(1))


def cut_platform_recommendations(
    root: HtmlElement, platform: Platform | None, base_url: str | None, index: PageIndex | None = None
) -> list[Recommendation]:
    """Records from the platform's known blocks; the blocks are removed from ``root``."""
    records: list[Recommendation] = []
    if platform is None:
        return records
    cut: set[HtmlElement] = set()
    for block in platform.recommendations:
        for container in select(root, block.container, index):
            if container.getparent() is None or any(a in cut for a in container.iterancestors()):
                continue  # gone with a block cut before
            if block.heading_match and not re.search(
                block.heading_match, _text_of(container, block.heading_selector, index) or "", re.IGNORECASE
            ):
                continue
            found = _from_block(container, block, base_url, len(records), index)
            if not found:  # a theme's variant of the block: its items are not where the description says
                heading = next((el for el in select(container, block.heading_selector, index)
                                if node_text(el) and not _HOLDS_LINK(el) and not _linked(el, container)), None)
                label = node_text(heading).rstrip(":：").strip() if heading is not None else block.heading
                found = _generic_records(container, heading, label, base_url, len(records))
            records.extend(found)
            cut.add(container)
            container.drop_tree()
    return records


def _short_text(el: HtmlElement) -> str | None:
    """The text of a small element (itself and its children), or None when it is not small."""
    if len(el) > 2 or (el.text and len(el.text) > 8 * _MAX_HEADING_CHARS):
        return None
    parts = [el.text or ""]
    for child in el:
        if len(child) > 1:
            return None
        parts.append(child.text or "")
        parts.append(child.tail or "")
    text = " ".join("".join(parts).split())
    return text if 0 < len(text) <= _MAX_HEADING_CHARS else None


def _block_for(heading: HtmlElement, keep: HtmlElement | None) -> HtmlElement | None:
    """The nearest ancestor of ``heading`` that holds a list of links (not the article)."""
    node = heading
    for _ in range(4):
        parent = node.getparent()
        if parent is None or parent.tag in ("body", "html"):
            return None
        if keep is not None and (parent is keep or _contains(parent, keep)):
            return None
        links = [a for a in parent.iter("a") if a.get("href") and not _inside(a, heading)]
        if len(links) >= 2:
            if len(links) > _MAX_BLOCK_LINKS:
                return None
            text = node_text(parent)
            link_chars = sum(len(node_text(a)) for a in links)
            if len(text) > _MAX_BLOCK_CHARS:
                return None
            if link_chars < _MIN_LINK_SHARE * len(text) and not (
                _opens_with(parent, heading) and _holds_cards(parent, heading, len(text))
            ):
                return None  # prose with a few links
            return parent
        node = parent
    return None


def _opens_with(block: HtmlElement, heading: HtmlElement) -> bool:
    """Whether ``heading`` is the first text of ``block`` (give or take a label's worth): a
    block of cards under a heading, not an article whose later section has one."""
    before = 0
    for el in block.iter():  # document order: what is met before the heading precedes it
        if el is heading:
            return True
        if not isinstance(el.tag, str):
            continue
        if el.tag != "a" and not _linked(el, block):  # links before it (navigation, tags) are no prose
            before += len((el.text or "").strip())  # an ancestor's own text precedes the heading too
        if el is not block and not _inside(heading, el) and not _linked(el, block):
            before += len((el.tail or "").strip())  # an element wholly before it, tail and all
        if before > _MAX_TEXT_BEFORE_HEADING:
            return False
    return False


def _holds_cards(block: HtmlElement, heading: HtmlElement, chars: int) -> bool:
    """Whether ``block`` (``chars`` of text) is mostly cards, each a linked title with a
    short excerpt: at least two, none longer than ``_MAX_CARD_CHARS``, together
    ``_MIN_CARDS_SHARE`` of the block's text. Such a block has little link text."""
    heads = _headed_links(block, heading, external=True)
    if len(heads) < 2:
        return False
    cards = _cards(heads, block)
    lengths = [len(node_text(card)) for card in cards]
    return (max(lengths) <= _MAX_CARD_CHARS and sum(lengths) >= _MIN_CARDS_SHARE * chars
            and all(_looks_like_a_card(card) for card in cards))


#: Class and id words of a card (or of an element in it): sections of an article have none.
_CARD_WORDS = re.compile(r"card|post|related|entry|item|teaser|story|preview|thumb|excerpt|summary", re.IGNORECASE)


def _looks_like_a_card(card: HtmlElement) -> bool:
    """A card shows a picture or is marked up as one (``article``, a class such as
    ``related-card``, ``entry-title``, ``post-excerpt``); a section of an article (pandoc's
    ``section.level3``, Sphinx's ``div.section``) is neither."""
    return card.tag == "article" or any(
        el.tag == "img" or (isinstance(el.tag, str) and _CARD_WORDS.search(f"{el.get('class', '')} {el.get('id', '')}"))
        for el in card.iter()
    )


def _inside(el: HtmlElement, ancestor: HtmlElement) -> bool:
    return el is ancestor or any(a is ancestor for a in el.iterancestors())


def _contains(parent: HtmlElement, node: HtmlElement) -> bool:
    return any(a is parent for a in node.iterancestors())


def _linked(el: HtmlElement, block: HtmlElement, *, external: bool = False) -> bool:
    """True when ``el`` sits inside a link within ``block`` (``external``: to another page)."""
    for anc in el.iterancestors():
        if anc is block:
            return False
        if anc.tag == "a" and anc.get("href") and not (external and anc.get("href", "").startswith("#")):
            return True
    return False


def _headed_links(block: HtmlElement, heading: HtmlElement | None, *, external: bool = False) -> list[HtmlElement]:
    """Headings in ``block`` that hold or sit in a link (the titles of cards), besides
    ``heading``; ``external``: only links to another page (not ``#fragment`` anchors)."""
    holds_link = _HOLDS_PAGE_LINK if external else _HOLDS_LINK
    return [
        h
        for h in block.iter(*HEADING_TAGS)
        if (heading is None or (not _inside(h, heading) and not _inside(heading, h)))
        and (holds_link(h) or _linked(h, block, external=external))
    ]


_HOLDS_LINK = etree.XPath("boolean(.//a[@href])")
_HOLDS_PAGE_LINK = etree.XPath("boolean(.//a[@href and not(starts-with(@href, '#'))])")


def _titles(block: HtmlElement, heading: HtmlElement | None) -> list[tuple[str, HtmlElement]]:
    """``(title, element)`` of each item: headed cards when the block has them (any title
    a card shows, short ones too: "Focaccia", "Why Rust?"), else its links that look like
    story titles (not menu entries)."""
    heads = _headed_links(block, heading)
    if len(heads) >= 2:
        texts = [node_text(h) for h in heads]
        links = [_link_of(h, block, None, None) for h in heads]
        # a category or kicker over every card repeats with one link; posts sharing a title do not
        repeated = {t for t in texts if texts.count(t) > 1
                    and len({link for text, link in zip(texts, links, strict=True) if text == t}) == 1}
        titles = [(t, h) for t, h in zip(texts, heads, strict=True) if is_card_title(t) and t not in repeated]
        if len(titles) >= 2:
            return titles
    found: list[tuple[str, HtmlElement]] = []
    for a in block.iter("a"):
        if (heading is not None and _inside(a, heading)) or not a.get("href"):
            continue
        title = node_text(a)
        if looks_like_title(title) and not RECOMMENDATION_HEADINGS.match(title):
            found.append((title, a))
    return found


_NOT_TITLES = re.compile(
    r"^\s*(?:previous|next|prev|older|newer)\s+(?:article|post|story|entry)\b|^\s*(?:上一篇|下一篇|上一页|下一页)",
    re.IGNORECASE,
)
_HAN_CHAR = re.compile(r"[\u3400-\u9fff]")


def is_card_title(text: str) -> bool:
    """True for the title of a card (a heading with a link): any text but a control, a
    previous/next link or a block heading."""
    return bool(text) and not (
        _CONTROL_LINKS.match(text) or _NOT_TITLES.match(text) or RECOMMENDATION_HEADINGS.match(text)
    )


def looks_like_title(text: str) -> bool:
    """True for text shaped like a story title, not a menu entry, a name or a control:
    at least five Chinese characters, or at least three words."""
    if not text or _CONTROL_LINKS.match(text) or _NOT_TITLES.match(text):
        return False
    if len(_HAN_CHAR.findall(text)) >= 5:
        return True
    return len(text.split()) >= 3


_AUTHOR_CLASS = re.compile(r"author|byline|user-?name|nickname|creator|writer", re.IGNORECASE)


def _card_details(card: HtmlElement, title_el: HtmlElement) -> tuple[str | None, str | None]:
    """``(author, snippet)`` shown on an item's card: an element marked as the author (by
    class or ``rel=author``), and the first paragraph of 20+ characters besides the title."""
    author = snippet = None
    for el in card.iter():
        if el is title_el or _inside(el, title_el) or not isinstance(el.tag, str):
            continue
        marks = f"{el.get('class', '')} {el.get('rel', '')} {el.get('itemprop', '')}"
        if author is None and _AUTHOR_CLASS.search(marks):
            author = clean_author(node_text(el))
        elif snippet is None and el.tag in ("p", "div") and len(el) == 0:
            text = node_text(el)
            if len(text) >= 20 and not labelled_counts(text)["reads"]:
                snippet = text
    return author, snippet


def _cards(titles: list[HtmlElement], block: HtmlElement) -> list[HtmlElement]:
    """For each title element, the largest element inside ``block`` that holds no other title
    (the item's card, where its counts are shown)."""
    chains = []
    for el in titles:
        chain = [el]
        for anc in el.iterancestors():
            if anc is block:
                break
            chain.append(anc)
        chains.append(chain)
    shared: dict[HtmlElement, int] = {}
    for chain in chains:
        for anc in chain:
            shared[anc] = shared.get(anc, 0) + 1
    return [next((a for a in reversed(chain) if shared[a] == 1), chain[0]) for chain in chains]


def cut_generic_recommendations(
    root: HtmlElement, base_url: str | None, start: int, keep: HtmlElement | None = None
) -> list[Recommendation]:
    """Blocks introduced by a 推荐阅读 / Related posts style heading, on any site.

    Blocks are removed from ``root``; ``keep`` (the article body, when known) is never
    treated as or inside a block.
    """
    records: list[Recommendation] = []
    candidates: list[HtmlElement] = []
    for el in _hinted_elements(root):
        if el.tag not in HEADING_TAGS and el.tag not in _HEADING_LIKE:
            el = el.getparent()
        if el is not None and (not candidates or candidates[-1] is not el):
            candidates.append(el)
    for heading in candidates:
        text = _short_text(heading)
        if not text or not RECOMMENDATION_HEADINGS.match(text):
            continue
        if heading.tag == "a" or any(a.tag == "a" for a in heading.iterancestors()):
            continue  # a link saying "Read more…" or "More from us" is a control, not a heading
        if heading.getparent() is None or (keep is not None and _contains(keep, heading)):
            continue
        if next(iter(reversed(list(heading.iterancestors()))), None) is not root:
            continue  # inside a block already cut
        block = _block_for(heading, keep)
        if block is None:
            continue
        found = _generic_records(block, heading, text.rstrip(":：").strip(), base_url, start + len(records))
        if len(found) < 2:
            continue  # a heading over a menu or a single link: not a block of stories
        records.extend(found)
        block.drop_tree()
    return records


def _generic_records(
    block: HtmlElement, heading: HtmlElement | None, label: str | None, base_url: str | None, start: int
) -> list[Recommendation]:
    """Records of a block read without a platform's selectors: its card titles or title-like
    links (:func:`_titles`), with what each card shows besides its title."""
    titles = _titles(block, heading)
    cards = _cards([el for _, el in titles], block)
    records = []
    for (title, el), card in zip(titles, cards, strict=True):
        rest = text_without(card, {el}, sep=" ") if card is not el else ""
        counts = labelled_counts(rest)
        author, snippet = _card_details(card, el) if card is not el else (None, None)
        records.append(
            Recommendation(
                title=title,
                url=_link_of(el, block, None, base_url),
                block=label,
                position=start + len(records),
                author=author,
                snippet=snippet,
                reads=counts["reads"],
                comments=counts["comments"],
                likes=counts["likes"],
            )
        )
    return records
