"""Parsing, cleaning and serialising HTML trees (lxml)."""

from __future__ import annotations

import re
from copy import deepcopy

import numpy as np
from lxml import etree, html
from lxml.html import HtmlElement

#: Pages larger than this are cut before parsing; no article needs more.
MAX_HTML_CHARS = 8_000_000

#: Elements that never hold article text.
NOISE_TAGS = (
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "svg",
    "canvas",
    "button",
    "select",
    "input",
    "textarea",
    "object",
    "embed",
)

BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "section",
        "article",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "pre",
        "blockquote",
        "table",
        "tr",
        "br",
        "hr",
        "figure",
        "figcaption",
        "header",
        "footer",
        "aside",
        "nav",
        "dl",
        "dt",
        "dd",
        "main",
    ]
)
HEADING_TAGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6"])

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


#: Share of control or replacement characters above which text is binary data, not a page.
MAX_BINARY_SHARE = 0.05
_BINARYISH = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd]")


def looks_binary(markup: str) -> bool:
    """True when the start of ``markup`` is mostly not text (an image, an archive...)."""
    sample = markup[:8192]
    return bool(sample) and len(_BINARYISH.findall(sample)) > MAX_BINARY_SHARE * len(sample)


def without_control_characters(markup: str) -> str:
    """``markup`` without C0 control characters other than tab, newline and carriage
    return (lxml refuses them). Checked with numpy first: most pages have none, and the
    check costs a fifth of a regular-expression search over a 100 KB page (one comparison
    over the page, the rest over its few characters below 32)."""
    codes = np.frombuffer(markup.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    low = codes[codes < 32]
    if not np.count_nonzero((low != 9) & (low != 10) & (low != 13)):
        return markup
    return _CONTROL.sub("", markup)


def parse_html(markup: str) -> HtmlElement | None:
    """Parse ``markup`` into a tree, or None when there is nothing to parse (empty or binary)."""
    if not markup or not markup.strip() or looks_binary(markup):
        return None
    markup = without_control_characters(markup[:MAX_HTML_CHARS])
    if markup.lstrip().startswith("<?xml"):
        markup = re.sub(r"^\s*<\?xml[^>]*>", "", markup)
    try:
        root, too_deep = _parse(markup, huge_tree=False)
        if too_deep:
            # libxml2 stops reading at 256 levels and drops the rest of the page: read it
            # again with its 2,048-level limit, else without the tags that nest, and lift
            # what lies deeper than MAX_DEPTH so that tree walks stay shallow
            root, too_deep = _parse(markup, huge_tree=True)
            if too_deep:
                root, _ = _parse(_NESTING_TAGS.sub(_unnested, markup), huge_tree=True)
            flatten_below(root, MAX_DEPTH)
    except (etree.ParserError, ValueError):
        return None
    return root


#: Depth below which :func:`parse_html` lifts the elements of a page nested deeper than
#: libxml2's default limit (256) into their ancestor at this depth.
MAX_DEPTH = 128
#: Tags whose nesting holds no text of its own; a page nested past 2,048 levels is read
#: without them (block ones become line breaks).
_NESTING_TAGS = re.compile(
    r"</?(?:(div|section|article|main|aside|header|footer|table|tbody|thead|tr|td|th|center|blockquote)"
    r"|span|font|b|i|u|em|strong|small|big|a)\b[^>]*>",
    re.IGNORECASE,
)


def _unnested(match: re.Match[str]) -> str:
    return "<br>" if match.group(1) else ""


def _parse(markup: str, *, huge_tree: bool) -> tuple[HtmlElement, bool]:
    """The tree, and whether libxml2 stopped at its nesting limit (losing the rest)."""
    parser = html.HTMLParser(remove_comments=True, remove_pis=True, huge_tree=huge_tree)
    root = html.document_fromstring(markup, parser=parser)
    last = parser.error_log.last_error
    return root, last is not None and "Excessive depth" in last.message


def flatten_below(root: HtmlElement, depth: int) -> int:
    """Lift every element nested deeper than ``depth`` levels (the root is level 1) that
    has children of its own: its tag goes, its text and children stay in place
    (``drop_tag``), and block elements leave a line break. Text and order are kept;
    recursive tree walks stay within ``depth``. Returns how many tags went."""
    dropped = 0
    for anchor in etree.XPath("/*" + "/*" * (depth - 1))(root):
        for element in list(anchor.iterdescendants()):
            if len(element) and isinstance(element.tag, str):
                if element.tag in BLOCK_TAGS:
                    element.addprevious(html.Element("br"))
                element.drop_tag()
                dropped += 1
    return dropped


def node_text(node: HtmlElement) -> str:
    """All text below ``node``, whitespace collapsed."""
    return " ".join(node.text_content().split())


def to_text(node: HtmlElement) -> str:
    """Readable plain text: paragraphs, headings, list items and code blocks on their own
    lines, separated by blank lines; code blocks keep their line breaks and indentation."""
    parts: list[str] = []
    code: list[str] = []

    def walk(el: HtmlElement) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in NOISE_TAGS:
            pass
        elif tag == "pre":
            code.append("".join(el.itertext()).strip("\n"))
            parts.append(f"\n\n\x00{len(code) - 1}\x00\n\n")
        else:
            block = tag in BLOCK_TAGS
            if block:
                parts.append("\n\n" if tag != "br" else "\n")
            elif tag in ("td", "th"):
                parts.append(" ")
            if el.text:
                parts.append(el.text)
            for child in el:
                walk(child)
            if block and tag != "br":
                parts.append("\n\n")
        if el.tail and el is not node:
            parts.append(el.tail)

    walk(node)
    paragraphs: list[str] = []
    for chunk in re.split(r"\n{2,}", "".join(parts)):
        marker = _CODE_MARK.fullmatch(chunk.strip())
        if marker:
            block = "\n".join(line.rstrip() for line in code[int(marker.group(1))].split("\n"))
            if block.strip():
                paragraphs.append(block)
            continue
        text = "\n".join(" ".join(line.split()) for line in chunk.split("\n") if line.strip())
        if text:
            paragraphs.append(text)
    return "\n\n".join(paragraphs)


#: Paragraphs that close an article without being part of it: a sharing widget's prompt.
#: Copyright and reposting notices stay: inside the article's element they are what its
#: author wrote last (labelled pages and AEB's ground truth keep them), and dedup's
#: normaliser ignores them anyway.
_FOOTER = re.compile(r"^\s*(?:share this\b|like this:|分享到)", re.IGNORECASE)


def trim_footer(text: str) -> str:
    """``text`` without trailing short paragraphs that are share prompts."""
    paragraphs = text.split("\n\n")
    while len(paragraphs) > 1 and len(paragraphs[-1]) < 300 and _FOOTER.match(paragraphs[-1]):
        paragraphs.pop()
    return "\n\n".join(paragraphs)


_CODE_MARK = re.compile("\x00(\\d+)\x00")


_ALLOWED_TAGS = frozenset(
    [
        "p",
        "br",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "li",
        "pre",
        "code",
        "blockquote",
        "em",
        "strong",
        "b",
        "i",
        "u",
        "s",
        "a",
        "img",
        "figure",
        "figcaption",
        "table",
        "thead",
        "tbody",
        "tr",
        "td",
        "th",
        "hr",
        "sup",
        "sub",
        "span",
        "div",
        "section",
        "article",
        "dl",
        "dt",
        "dd",
    ]
)
_ALLOWED_ATTRS = {
    "a": ("href", "title"),
    "img": ("src", "alt", "title", "width", "height"),
    "td": ("colspan", "rowspan"),
    "th": ("colspan", "rowspan"),
}


def sanitised_html(node: etree._Element, in_place: bool = False) -> str:
    """A display copy of ``node``: no scripts, event handlers, styles or remote resources
    other than images; links only to http(s) or the same site.

    :param in_place: clean ``node`` itself instead of a copy (when the caller owns the tree)
    """
    clean = node if in_place else deepcopy(node)
    etree.strip_elements(clean, *NOISE_TAGS, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    unwanted = {el.tag for el in clean.iter() if el is not clean and el.tag not in _ALLOWED_TAGS}
    if unwanted:
        etree.strip_tags(clean, *unwanted)
    for el in clean.iter():
        allowed = _ALLOWED_ATTRS.get(el.tag, ())
        for name, value in list(el.attrib.items()):
            if name not in allowed or (name in ("href", "src") and not _SAFE_URL.match(value)):
                del el.attrib[name]
    if clean.tag not in _ALLOWED_TAGS:
        clean.tag = "div"
        clean.attrib.clear()
    return etree.tostring(clean, encoding="unicode", method="html", with_tail=False)


_SAFE_URL = re.compile(r"\s*(?:https?://|/(?!/))", re.IGNORECASE)
