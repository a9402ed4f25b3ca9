"""Orchestration: HTML in, :class:`Extraction` out."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from lxml import etree
from lxml.html import Element, HtmlElement

from crawler.platforms import PLATFORMS, Platform, get_platform, platform_for_url
from pipelines.extract.generic import main_content
from pipelines.extract.html import NOISE_TAGS, node_text, parse_html, sanitised_html, to_text, trim_footer
from pipelines.extract.metadata import (
    clean_author,
    clean_title,
    declared_original,
    declared_source,
    detect_lang,
    first_match,
    forget_metas,
    json_ld,
    meta_content,
    normalise_date,
)
from pipelines.extract.model import Extraction, NoBodyFound
from pipelines.extract.recommendations import cut_generic_recommendations, cut_platform_recommendations
from pipelines.extract.selectors import PageIndex, select

#: A body shorter than this (in characters) is not an article.
MIN_BODY_CHARS = 20


def detect_platform(root: HtmlElement, url: str | None, index: PageIndex | None = None) -> Platform | None:
    """The platform that wrote this page: by host, then generator tag, then markup.

    ``index`` (:class:`PageIndex`) speeds up the markup tests; without it every marker is searched.
    """
    by_host = platform_for_url(url)
    if by_host:
        return by_host
    generator = (meta_content(root, "generator") or "").casefold()
    for platform in PLATFORMS.values():
        if generator and any(generator.startswith(g) for g in platform.generators):
            return platform
    for platform in PLATFORMS.values():
        for marker in platform.markers:
            if select(root, marker, index):
                return platform
    return None


def _drop(root: HtmlElement, selectors: tuple[str, ...], index: PageIndex) -> None:
    for selector in selectors:
        for el in select(root, selector, index):
            if el.getparent() is not None:
                el.drop_tree()


def _strip_noise(root: HtmlElement) -> None:
    """Remove elements that never hold article text (scripts, styles, form controls...)."""
    etree.strip_elements(root, *NOISE_TAGS, with_tail=False)


def _platform_body(root: HtmlElement, platform: Platform | None, index: PageIndex) -> HtmlElement | None:
    if platform is None:
        return None
    for selector in platform.body:
        found = select(root, selector, index)
        if not found:
            continue
        if platform.body_all and len(found) > 1:
            outer = [el for el in found if not any(a in found for a in el.iterancestors())]
            wrapper = Element("div")
            for el in outer:
                wrapper.append(el)
            if len(node_text(wrapper)) >= MIN_BODY_CHARS:
                return wrapper
        elif len(node_text(found[0])) >= MIN_BODY_CHARS:
            return found[0]
    return None


def _published(
    root: HtmlElement, platform: Platform | None, index: PageIndex, ld: list[dict], url: str | None = None
) -> tuple[str | None, str | None]:
    """``(published, updated)``: structured data first, then the platform's own markup,
    then a date printed in the page in the month its URL names."""
    tz = platform.timezone if platform else None
    raws = _published_candidates(root, platform, index, ld)
    first = next((v for v in (normalise_date(raw, tz) for raw in raws) if v), None)
    if first is None:
        first = _date_in_url_month(root, url, tz)
    updated = [meta_content(root, "article:modified_time", "dateModified", "og:updated_time")]
    updated.extend(str(obj.get("dateModified")) for obj in ld if obj.get("dateModified"))
    last = next((v for v in (normalise_date(raw, tz) for raw in updated) if v), None)
    return first, last


def _published_candidates(
    root: HtmlElement, platform: Platform | None, index: PageIndex, ld: list[dict]
) -> Iterator[str | None]:
    """Raw publication dates in order of trust, looked up only until one parses."""
    if platform and platform.published_pattern:
        match = re.search(platform.published_pattern, index.source)
        yield match.group(1) if match else None
    yield meta_content(root, "article:published_time", "datePublished", "pubdate")
    yield from (str(obj.get("datePublished")) for obj in ld if obj.get("datePublished"))
    if platform:
        for selector in platform.published:
            for el in select(root, selector, index):
                value = el.get("datetime") or el.get("content")
                if not value and el.tag == "abbr":
                    value = el.get("title")
                yield value or node_text(el)
    # day-only metas some news sites give: after the platform's own markup, which has the time
    yield meta_content(root, "publishdate", "publish_date", "og:release_date")
    yield from root.xpath("//time/@datetime")


_URL_DATE = re.compile(r"/((?:19|20)\d\d)/(0[1-9]|1[0-2])/(?:(0?[1-9]|[12]\d|3[01])/)?")
#: ``descendant::``, not ``//body//text()``: libxml2 evaluates that predicate in quadratic time
#: on text after inline elements (8,000 paragraphs: 0.25 s against 0.017 s).
_SHORT_TEXTS = etree.XPath("//body/descendant::text()[string-length(normalize-space(.)) >= 6 and string-length(.) < 80]")
#: A class or id word, or a tag, that says "this is the post's date or byline": a date is
#: taken from text only there (a heading, a caption or a body line may hold any date).
_DATE_LIKE = re.compile(
    r"(?:^|[-_])(?:date|time|posted|published|pubdate|byline|meta|timestamp|dateline)(?:$|[-_])", re.IGNORECASE
)
_DATE_TAGS = frozenset({"time", "abbr"})
#: How far above a date's text the date-like element may be (Blogger wraps whole posts
#: in ``div.date-outer``).
_DATE_LIKE_LEVELS = 1
#: A date labelled as a change is no publication date.
_UPDATED = re.compile(r"updat|modif|edited|revised|更新|修改|编辑于", re.IGNORECASE)


def _date_like(el: HtmlElement) -> bool:
    """Whether ``el`` or one of its near ancestors is a date, a byline or a permalink."""
    for node in (el, *el.iterancestors())[: _DATE_LIKE_LEVELS + 1]:
        if node.tag in _DATE_TAGS or "bookmark" in (node.get("rel") or "").split():
            return True
        if any(_DATE_LIKE.search(word) for word in f"{node.get('class', '')} {node.get('id', '')}".split()):
            return True
    return False
#: A class or id word that marks a block of other dates: sidebars, comments, lists of
#: recent or related posts, archives, today's date in a top bar (a word of the name:
#: "right-sidebar", not "theiaStickySidebar").
_OTHER_DATES = re.compile(
    r"(?:^|[-_])(?:sidebar|comments?|related|recent|recommend\w*|popular|trending|latest|archives?|today|"
    r"masthead|top-?bar|navbar)(?:$|[-_])",
    re.IGNORECASE,
)
#: Blocks of running text: a date written in one is the text's, not the post's ("Update, May 22").
_TEXT_BLOCKS = frozenset({"p", "li", "td", "blockquote"})


def _in_page_furniture(el: HtmlElement) -> bool:
    """Whether ``el`` sits in an aside, navigation, the page's footer, a block of other
    dates, or a plain paragraph of text."""
    for node in (el, *el.iterancestors()):
        if node.tag in ("html", "body"):
            return False
        if node.tag in ("aside", "nav") or (node.tag == "footer" and next(node.iterancestors("article"), None) is None):
            return True
        words = f"{node.get('class', '')} {node.get('id', '')}".split()
        if any(_OTHER_DATES.search(word) for word in words):
            return True
        if node.tag in _TEXT_BLOCKS and not words:
            return True
    return False


def _date_in_url_month(root: HtmlElement, url: str | None, tz: str | None) -> str | None:
    """A date printed in the page in the year and month its URL names (``/2017/05/``; within
    a day of the day, when the URL names one): a theme that prints the post's date as plain
    text ("Mai 03, 2017"), in a date, byline or permalink element (:func:`_date_like`).
    Dates in sidebars, comments, lists of other posts and plain paragraphs are left out;
    when the rest name more than one day (today's date in a top bar), None: no date is
    better than a wrong one."""
    named = _URL_DATE.search(urlsplit(url).path) if url else None
    if named is None:
        return None
    year, month, day = named.groups()
    prefix = f"{year}-{month}-"
    found: dict[str, str] = {}
    for text in _SHORT_TEXTS(root):
        if year not in text or _UPDATED.search(text):
            continue
        value = normalise_date(text, tz)
        if not value or not value.startswith(prefix) or (day and abs(int(value[8:10]) - int(day)) > 1):
            continue
        holder = text.getparent()
        if text.is_tail:
            holder = holder.getparent()
        if holder is not None and _date_like(holder) and not _in_page_furniture(holder):
            found.setdefault(value[:10], value)
    return next(iter(found.values())) if len(found) == 1 else None


def _author(root: HtmlElement, platform: Platform | None, index: PageIndex, ld: list[dict]) -> str | None:
    """The first author candidate that is a name (see :func:`clean_author`)."""
    return next(filter(None, map(clean_author, _author_candidates(root, platform, index, ld))), None)


def _author_candidates(
    root: HtmlElement, platform: Platform | None, index: PageIndex, ld: list[dict]
) -> Iterator[str | None]:
    """Raw author names in order of trust: the platform's markup, JSON-LD, then metas
    (``article:author`` is often a profile URL, which :func:`clean_author` refuses)."""
    if platform:
        yield first_match(root, platform.author, index=index)
    for obj in ld:
        author = obj.get("author")
        if isinstance(author, list) and author:
            author = author[0]
        if isinstance(author, dict) and author.get("name"):
            yield str(author["name"])
        elif isinstance(author, str):
            yield author
    for name in ("author", "article:author", "dc.creator"):
        yield meta_content(root, name)


#: How many matches of one title selector are compared with the page's own title.
_TITLE_CANDIDATES = 20


def _agrees(title: str, reference: str) -> bool:
    """Whether a heading and the page's own title name the same article (one holds the other)."""
    a, b = title.casefold(), reference.casefold()
    return a == b or (min(len(a), len(b)) >= 6 and (a in b or b in a))


def _confirms(title: str, reference: str) -> bool:
    """Whether a heading holds the page's own title whole: a stricter :func:`_agrees`,
    for a heading that is to overrule the first match (a site's name is held in the
    page's title, not the other way round)."""
    a, b = title.casefold(), reference.casefold()
    return a == b or (len(b) >= 6 and b in a)


_BARE_TAG = re.compile(r"\w+")


def _platform_title(root: HtmlElement, platform: Platform, index: PageIndex) -> str | None:
    """The first match of the platform's title selectors, unless the page's own title
    (``og:title``, else ``<title>`` without the site's name) disagrees with it and a later
    heading matching a specific selector (not a bare ``h1``, which may be the blog's
    name, nor a meta) is that title: a theme's sidebar widget may use the post title's
    class before the post does."""
    first = reference = None
    for selector in platform.title:
        for el in select(root, selector, index)[:_TITLE_CANDIDATES]:
            text = " ".join(((el.get("content") if el.tag == "meta" else node_text(el)) or "").split())
            if not text:
                continue
            if first is None:
                first, reference = text, _own_title(root)
                if not reference or el.tag == "meta" or _agrees(text, reference):
                    return text
            elif el.tag != "meta" and not _BARE_TAG.fullmatch(selector) and _confirms(text, reference):
                return text
    return first


def _own_title(root: HtmlElement) -> str | None:
    """What the page's head calls it: ``og:title``/``twitter:title``, else ``<title>``."""
    og = meta_content(root, "og:title", "twitter:title")
    return " ".join(og.split()) if og else _document_title(root)


def _document_title(root: HtmlElement) -> str | None:
    """``<title>`` without the site's name (see :func:`clean_title`)."""
    titles = root.xpath("//title")
    return clean_title(node_text(titles[0])) if titles else None


def _title(root: HtmlElement, platform: Platform | None, index: PageIndex) -> str | None:
    if platform:
        found = _platform_title(root, platform, index)
        if found:
            return found
    og = meta_content(root, "og:title", "twitter:title")
    if og:
        return og
    document_title = _document_title(root)
    heads = [text for text in (node_text(h) for h in root.xpath("//h1")) if text]
    # A lone <h1> is the title unless it is the blog's name: then <title> says more.
    if len(heads) == 1:
        head = heads[0]
        if not document_title or document_title in head or head in document_title:
            return head
        return document_title if len(document_title) >= 6 else head
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
        raise NoBodyFound("empty, binary or unparseable document")
    try:
        return _extract(root, html, url, platform)
    finally:
        forget_metas()


def _extract(root: HtmlElement, html: str, url: str | None, platform: str | None) -> Extraction:
    index = PageIndex.of(root, html)
    described = get_platform(platform) or detect_platform(root, url, index)
    ld = json_ld(root)
    _strip_noise(root)
    title = _title(root, described, index)
    author = _author(root, described, index, ld)
    published, updated = _published(root, described, index, ld, url)
    tags = _tags(root)
    source = first_match(root, described.source, index=index) if described else None
    recommendations = cut_platform_recommendations(root, described, url, index)
    node = _platform_body(root, described, index)
    if node is not None and described is not None:
        _drop(node, described.drop, index)
        if described.generic_recommendations:
            recommendations += cut_generic_recommendations(root, url, len(recommendations), keep=node)
        body, display = main_content(root, url) if described.themed else ("", None)
        if len(body) < MIN_BODY_CHARS:
            body, display = to_text(node), node
    else:
        recommendations += cut_generic_recommendations(root, url, len(recommendations))
        body, display = main_content(root, url)
    body = trim_footer(body)
    if len(body) < MIN_BODY_CHARS:  # a page its scripts fill in: the body its structured data carries
        body, display = _structured_body(ld, meta_content(root, "description", "og:description")), None
    if len(body) < MIN_BODY_CHARS:
        raise NoBodyFound(f"no article body found ({len(body)} characters of text)")
    return Extraction(
        body=body,
        title=title,
        author=author,
        published=published,
        updated=updated,
        body_html=sanitised_html(display, in_place=True) if display is not None else None,
        lang=detect_lang(root, body),
        tags=tags,
        declared_original=declared_original(root, body, url),
        declared_source=declared_source(root, body, source),
        platform=described.name if described else None,
        recommendations=tuple(recommendations),
    )


#: JSON-LD types of an article (Article, NewsArticle, BlogPosting, SocialMediaPosting...), not of
#: a comment or a web page, whose ``text`` is something else.
_ARTICLE_TYPE = re.compile(r"Article|Posting")


def _structured_body(ld: list[dict], description: str | None) -> str:
    """The ``articleBody`` (or ``text``) of the page's one JSON-LD article, as text: what a page
    rendered by scripts (an empty ``<div id="root">``) still gives search engines. Nothing when
    the page describes several articles (a listing) or the body is only its description or a
    teaser ending in "…"."""
    articles = [obj for obj in ld if _ARTICLE_TYPE.search(str(obj.get("@type", "")))]
    if len(articles) != 1:
        return ""
    body = next((v for v in (articles[0].get("articleBody"), articles[0].get("text"))
                 if isinstance(v, str) and v.strip()), "")
    if _HTML_TAG.search(body):  # some sites put the body's HTML there
        fragment = parse_html(f"<html><body><div>{body}</div></body></html>")
        body = to_text(fragment.find("body")) if fragment is not None else ""
    else:
        body = "\n\n".join(" ".join(line.split()) for line in body.splitlines() if line.strip())
    summary = " ".join((description or "").split()).rstrip("….").strip()
    flat = " ".join(body.split())
    only_the_summary = bool(summary) and flat.startswith(summary) and len(flat) - len(summary) < MIN_BODY_CHARS
    if not body or only_the_summary or (len(body) < _MIN_STRUCTURED_BODY and body.rstrip().endswith(("…", "...", "[…]"))):
        return ""
    return body


#: An HTML tag in a JSON-LD body ("List<String>" is text).
_HTML_TAG = re.compile(r"</?(?:p|br|div|span|h[1-6]|ul|ol|li|a|strong|em|b|i|img|pre|code|blockquote|figure)\b[^<>]*>",
                       re.IGNORECASE)
#: A JSON-LD body shorter than this that ends in an ellipsis is a teaser.
_MIN_STRUCTURED_BODY = 500


def _tags(root: HtmlElement) -> tuple[str, ...]:
    """Keywords and ``article:tag`` metas; space-separated Chinese keyword lists are split."""
    raw = (meta_content(root, "keywords", "news_keywords") or "").replace("，", ",").replace("、", ",")
    found = [t.strip() for t in raw.split(",") if t.strip()]
    if len(found) == 1 and _CJK_TEXT.search(found[0]) and " " in found[0]:
        found = found[0].split()
    found += [t.strip() for t in root.xpath("//meta[@property='article:tag']/@content") if t.strip()]
    return tuple(dict.fromkeys(found))[:20]


_CJK_TEXT = re.compile(r"[\u3400-\u9fff]")


def site_of(url: str | None) -> str | None:
    """The host of ``url``."""
    return urlsplit(url).hostname if url else None
