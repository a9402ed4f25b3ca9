"""Normalisation for fingerprints. The stored body stays as extracted; only the
fingerprint sees this form.

Steps, in order: leftover markup (HTML entities, literal tags, zero-width and other
format characters) → NFKC (full-width → half-width, compatibility forms) →
traditional → simplified Chinese (OpenCC ``t2s``) → case folding → repost boilerplate
lines dropped → every run of punctuation and whitespace becomes one space.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

import numpy as np
import opencc

#: Lines that reposting sites add around a text: attribution and source links, ads,
#: subscription prompts, QR-code and image captions, "read more" tails. Matched after
#: NFKC, t2s and case folding (so one lower-case spelling covers full-width,
#: traditional and capitalised variants). No alternative is anchored, which lets the
#: regex engine skip positions by first character (14x faster on Chinese text).
_OTHER_MARKERS = (
    r"本文(?:转载|转自|来自|来源|首发|已获授权)|转载(?:自|于|请|须|需|务必)|【转载】|\[转载\]|转自|"
    r"原文(?:链接|地址|出处|标题)|文章来源|来源\s*[:|]|出处\s*[:|]|"
    r"作者\s*[:|]|编辑\s*[:|]|责任编辑|责编|声明\s*[:|]|免责声明|版权(?:声明|归|所有)|著作权归|"
    r"不得转载(?=[。！!，,；;]|$)|本文(?:为|系)(?:博主)?原创(?:文章)?(?=[。！!，,；;]|$)|"
    r"侵权|侵删|图片来[源自]|图源|图\s*[:|]|"
    r"二维码|公众号|关注我们|设为星标|点击(?:上方|下方|阅读原文|关注|蓝字)|阅读原文|阅读全文|"
    r"免费领取|未完待续|查看全文|展开全文"
)
_LATIN_MARKERS = (
    r"to be continued|read full|"
    r"originally (?:published|posted|appeared)|republished with|cross-?posted|reposted from|"
    r"this (?:article|post|story) (?:was |first )?(?:originally )?(?:published|appeared|posted)|"
    r"read more|continue reading|read the full|subscribe|newsletter|follow us|sponsored|advertisement|"
    r"promo code|with code|all rights reserved|"
    # a notice's shape: "Copyright ©/(c) …", "Copyright 2019 Some Name.", "copyright Name 2019 - …"
    r"copyright\s*(?:©|\(c\)|c\b)|copyright\s+(?:\d{4}(?:\s*[-–]\s*\d{4})?(?:\s+\S+){1,5}|\S+\s+\d{4}\b.{0,40})\s*\.?\s*$"
)
_BOILERPLATE_MARKERS = re.compile(_OTHER_MARKERS + "|" + _LATIN_MARKERS + "|©")
#: Words one of which every match of :data:`_LATIN_MARKERS` holds (a test checks it): a
#: text without any skips that search, which is slow on English text (most positions
#: start with a letter some marker starts with).
LATIN_MARKER_WORDS = (
    "to be continued", "read full", "originally published", "originally posted", "originally appeared",
    "republished with", "cross-posted", "crossposted", "reposted from", "this article", "this post",
    "this story", "read more", "continue reading", "read the full", "subscribe", "newsletter", "follow us",
    "sponsored", "advertisement", "promo code", "with code", "all rights reserved", "copyright",
)
_OTHER_MARKERS_RE = re.compile(_OTHER_MARKERS + "|©")
_LATIN_MARKERS_RE = re.compile(_LATIN_MARKERS)


def holds_marker(text: str) -> bool:
    """``bool(_BOILERPLATE_MARKERS.search(text))``, several times faster on English text:
    the Latin markers are searched only in a text holding one of their words."""
    if _OTHER_MARKERS_RE.search(text):
        return True
    return any(word in text for word in LATIN_MARKER_WORDS) and bool(_LATIN_MARKERS_RE.search(text))


#: A label that opens a credit line ("Source: …", "Photo: …").
_CREDIT_LABEL = re.compile(r"\s*(?:source|via|credit|photo|image)\s*:")

#: A line that is only a bracketed caption or placeholder: ``[Image: …]``, ``(image)``,
#: ``[二维码]``, ``▲ 图源…``.
_CAPTION_LINE = re.compile(r"^\s*(?:[\[(【〔<{][^\])】〕>}]{0,80}[\])】〕>}]|[▲△▼►▶]\s*.{0,30})\s*$")

#: A line that opens a trailing list of promoted links ("推荐阅读", "Related posts:").
_LIST_HEADING = re.compile(
    r"^\s*(?:推荐阅读|相关阅读|相关推荐|相关文章|猜你喜欢|热门推荐|延伸阅读|更多精彩|往期(?:精彩|回顾|推荐)|"
    r"related (?:posts|articles|stories|reading)|recommended (?:for you|reading|from)|you may also like|"
    r"more from|read next|further reading)",
)

#: The phrases of "read more" tails.
_TAIL_PHRASE = re.compile(
    r"阅读全文|阅读原文|查看全文|展开全文|未完待续|"
    r"read (?:the )?(?:more|full (?:article|story|post))|continue reading|to be continued"
)
#: "Read more" tails that end an excerpt's last line; only the phrase is dropped.
_TAIL = re.compile(
    r"\s*(?:\.{2,}|…+|——+)?\s*[(\[【]?\s*(?:" + _TAIL_PHRASE.pattern + r")\s*[)\]】]?\s*(?:[.…>»→]+)?\s*$",
)

#: Where sentences (or caption marks) inside a line meet; reflowed reposts glue
#: boilerplate to text. A line is cut after ``。！？!?；;``, at the spaces after a full
#: stop, and before a triangle: the pieces of ``re.split(r"(?<=[。！？!?；;])|(?<=\.)\s+|(?=[▲△▼►▶])",
#: line)``, found much faster because every break starts with one of a few characters.
_SENTENCE_BREAK = re.compile(r"[。！？!?；;]|\.\s+|[▲△▼►▶]")
_TRIANGLES = frozenset("▲△▼►▶")

#: Sentences longer than this are text, whatever words they contain.
MAX_BOILERPLATE_LINE = 120
#: The line WordPress feeds (and Yoast's feed footer) close every post with, "The post
#: <title> appeared first on <site>.", which copies made from a feed keep: its marker
#: comes after the title, so it is matched as a whole sentence, titles of any length.
_FEED_FOOTER_WORDS = "appeared first on"
#: A site's name holds no sentence break and no comma: "… appeared first on Hacker News. By
#: Tuesday …" is text.
_FEED_FOOTER_TEXT = r"\s*the post\s.{1,300}?\sappeared first on\s\S(?:(?![.!?]\s)[^,;，；]){0,80}$"
_FEED_FOOTER = re.compile(_FEED_FOOTER_TEXT)
#: The same footer closing a line whose title holds sentence punctuation ("Why Rust? ..."),
#: or after an excerpt's "[…]": cut before the line is split into sentences.
_FEED_FOOTER_IN_LINE = re.compile(r"(?:^|(?<=[.!?…\]]))" + _FEED_FOOTER_TEXT)
#: A marker counts only this close to the start of a sentence (or anywhere in a
#: sentence no longer than ``MAX_SHORT_LINE``): an attribution or ad announces itself.
MARKER_WITHIN = 12
MAX_SHORT_LINE = 24
#: A trailing list is dropped only if every line under its heading is this short.
MAX_LIST_LINE = 80

#: Zero-width, bidi and other format characters (Unicode category Cf) plus soft hyphens.
_FORMAT_CHARS = re.compile(r"[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")
_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]{0,200})?/?>")

#: Everything that is neither a letter nor a digit separates tokens.
_SEPARATORS = re.compile(r"[\W_]+", re.UNICODE)


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


#: Characters that OpenCC ``t2s`` phrases hold although ``t2s`` leaves each of them
#: alone as a single character (深沈 → 深沉, 打坏 → 打坯, 甦醒 → 苏醒, 明瞭 → 明了): every
#: dictionary entry that changes text holds one of these or a character that ``t2s``
#: converts on its own. A test checks this against the installed dictionaries.
T2S_PHRASE_CHARACTERS = "沈藉覆坏瞭哩甦衹"

#: Blocks probed for characters that ``t2s`` converts on its own: CJK radicals,
#: symbols and ideographs (extension A, the basic block, compatibility ideographs and
#: forms, extensions B–H). A test checks that they hold every dictionary key.
_T2S_PROBED_BLOCKS = ((0x2E80, 0xA000), (0xF900, 0xFB00), (0xFE30, 0xFE50), (0x20000, 0x323B0))


#: Ideographic description operators (⿰, ⿱, …, and U+31EF): OpenCC copies the sequence
#: each one opens unchanged, and that sequence may run across a line break.
_IDS_BLOCK, _IDS_EXTRA = (0x2FF0, 0x3000), 0x31EF


def _ids_operators(codes: np.ndarray) -> np.ndarray:
    """Which of ``codes`` are ideographic description operators."""
    return ((codes >= _IDS_BLOCK[0]) & (codes < _IDS_BLOCK[1])) | (codes == _IDS_EXTRA)


@lru_cache(maxsize=1)
def t2s_triggers() -> np.ndarray:
    """A boolean table over code points: True for a character in whose presence
    ``t2s`` may change a text. Found once per process by converting every probed
    character on its own line (about 40 ms), plus :data:`T2S_PHRASE_CHARACTERS`. The
    last entry is False and stands for every code point above the table."""
    points = np.concatenate([np.arange(low, high, dtype=np.uint32) for low, high in _T2S_PROBED_BLOCKS])
    points = points[~_ids_operators(points)].tolist()
    converted = _t2s().convert("\n".join(map(chr, points))).split("\n")
    table = np.zeros(_T2S_PROBED_BLOCKS[-1][1] + 1, dtype=bool)
    if len(converted) != len(points):  # a dictionary that rewrites line breaks: no shortcut
        table[:-1] = True
        return table
    table[[point for point, out in zip(points, converted, strict=True) if out != chr(point)]] = True
    table[[ord(ch) for ch in T2S_PHRASE_CHARACTERS]] = True
    table[:-1] |= _ids_operators(np.arange(len(table) - 1, dtype=np.uint32))
    return table


#: Above this share of lines to convert, one call for the whole text is cheaper.
_T2S_WHOLE_TEXT_SHARE = 0.5


def to_simplified(text: str) -> str:
    """OpenCC ``t2s`` of ``text``, converting only the lines that hold a character
    ``t2s`` could change (most simplified Chinese has none, English never does).

    Exact: the conversion rewrites dictionary matches only, no dictionary entry holds
    a line break, and an entry that changes text holds a trigger character (tested
    against the installed dictionaries), so no other line can change. A text with an
    ideographic description operator is converted whole: the sequence it opens, which
    OpenCC leaves as it is, may span lines.
    """
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if not codes.size or codes.max() < _T2S_PROBED_BLOCKS[0][0]:
        return text
    triggered = np.flatnonzero(t2s_triggers().take(codes, mode="clip"))
    if not triggered.size:
        return text
    breaks = np.flatnonzero(codes == 10)
    lines_to_convert = np.unique(np.searchsorted(breaks, triggered))
    whole = len(lines_to_convert) > _T2S_WHOLE_TEXT_SHARE * (len(breaks) + 1)
    if whole or _ids_operators(codes[triggered]).any():
        return _t2s().convert(text)
    lines = text.split("\n")
    converter = _t2s()
    for index in lines_to_convert.tolist():
        lines[index] = converter.convert(lines[index])
    return "\n".join(lines)


def clean_markup(text: str) -> str:
    """Undo what careless reposting leaves in a body: HTML entities (also double-escaped
    ones), literal tags such as ``<br>``, and invisible format characters."""
    if "&" in text:
        text = html.unescape(html.unescape(text))
    if "<" in text:
        text = _TAG.sub("", text)
    return _FORMAT_CHARS.sub("", text)


#: Markers are matched only where they could start within ``MARKER_WITHIN``.
_LONGEST_MARKER = 40
_TAIL_WINDOW = 48


def _sentences(line: str) -> Iterator[str]:
    """The sentences of ``line`` (see :data:`_SENTENCE_BREAK`); some may be empty."""
    start = 0
    for found in _SENTENCE_BREAK.finditer(line):
        mark = found.start()
        if line[mark] in _TRIANGLES:
            yield line[start:mark]
            start = mark
        else:
            yield line[start : mark + 1]
            start = found.end()
    yield line[start:]


def _strip_tail(sentence: str) -> str:
    """``sentence`` without a trailing "read more" phrase (only its end is searched)."""
    if not _TAIL_PHRASE.search(sentence, max(0, len(sentence) - _TAIL_WINDOW)):
        return sentence
    if len(sentence) <= _TAIL_WINDOW:
        return _TAIL.sub("", sentence)
    cut = len(sentence) - _TAIL_WINDOW
    return sentence[:cut] + _TAIL.sub("", sentence[cut:])


#: A caption's bracket or triangle, or a credit label, opening a line.
_CAPTION_OR_CREDIT = re.compile(r"\s*(?:[\[(【〔<{▲△▼►▶]|" + _CREDIT_LABEL.pattern.removeprefix("\\s*") + ")")


def _may_hold_boilerplate(line: str) -> bool:
    """Cheap test that lets most lines of text skip sentence splitting: every tail
    phrase is also a marker, and captions open with a bracket or a triangle."""
    return bool(
        _BOILERPLATE_MARKERS.search(line) or "▲" in line or _CAPTION_OR_CREDIT.match(line) or _FEED_FOOTER_WORDS in line
    )


_LINE_OPENINGS = re.compile(
    r"(?m)^\s*(?:[\[(【〔<{▲△▼►▶]|" + _CREDIT_LABEL.pattern.removeprefix("\\s*") + "|"
    + _LIST_HEADING.pattern.removeprefix("^\\s*") + ")"
)


#: :data:`_LINE_OPENINGS` after a line break: the literal ``"\n"`` lets the regex
#: engine jump from line break to line break instead of trying every position.
_AFTER_LINE_BREAK = re.compile("\n" + _LINE_OPENINGS.pattern.removeprefix("(?m)^"))


def _opens_a_line(text: str) -> bool:
    """``_LINE_OPENINGS.search(text)``, four times faster on long texts."""
    return bool(_LINE_OPENINGS.match(text) or _AFTER_LINE_BREAK.search(text))


def _may_hold_boilerplate_anywhere(text: str) -> bool:
    """One pass over the whole text that lets a clean text skip the line loop."""
    return bool(holds_marker(text) or "▲" in text or _FEED_FOOTER_WORDS in text or _opens_a_line(text))


def _is_feed_footer(sentence: str) -> bool:
    return _FEED_FOOTER_WORDS in sentence and bool(_FEED_FOOTER.match(sentence))


def is_boilerplate_line(line: str) -> bool:
    """True for a short attribution, ad, subscription, QR-code or caption line or
    sentence. ``line`` must already be folded (see :func:`fold`)."""
    if len(line) > MAX_BOILERPLATE_LINE:
        return _is_feed_footer(line)
    if _CAPTION_LINE.match(line) or _CREDIT_LABEL.match(line):
        return True
    if len(line) <= MAX_SHORT_LINE:
        return bool(_BOILERPLATE_MARKERS.search(line))
    marker = _BOILERPLATE_MARKERS.search(line, 0, MARKER_WITHIN + _LONGEST_MARKER)
    return (marker is not None and marker.start() <= MARKER_WITHIN) or _is_feed_footer(line)


def _trailing_list_start(lines: list[str]) -> int:
    """Where a trailing list of short lines under a "related posts" heading starts in
    ``lines`` (``len(lines)`` when there is none)."""
    for i in range(len(lines) - 1, -1, -1):
        if len(lines[i]) > MAX_LIST_LINE:  # every heading above it has this line under it
            break
        if _LIST_HEADING.match(lines[i]):
            return i
    return len(lines)


#: A caption glued to the start of a sentence by reflowing: a bracketed one
#: ("(图片来源网络,侵删)战栗游戏…"), or a triangle with its credit label ("▲ 图源:网络跑马地…",
#: where the credit's end cannot be told from the text's start).
_GLUED_CAPTION = re.compile(
    r"\s*(?:[\[(【〔<{]([^\])】〕>}]{0,80})[\])】〕>}]|[▲△▼►▶]\s*(?:(?:图源|图片来[源自]|图|photo|image|source)\s*[:|]?)?)"
)
#: Words that make a bracketed phrase a caption or a credit rather than text ("(Reuters)",
#: "[1]", "(1,234 copies)", "(Bolivia)", "(open source)", "（图灵奖得主）", "<书名>" are text).
_CAPTION_WORDS = re.compile(
    r"图片|图源|配图|图\s*[:/]|摄影|摄\s*[:/]|\b(?:image|photo|picture|pic)s?\b|\b(?:credit|source)s?\s*:|"
    r"\bvia\b|\bcourtesy\b"
)


def _without_glued_caption(sentence: str) -> str:
    """``sentence`` without a caption glued to its start when text follows it (more than
    a short line's worth): the caption goes, the text stays. A bracket goes only when it
    is empty or names a picture, a credit or a repost marker. A sentence that may be only
    a caption (:data:`_CAPTION_LINE`) is left whole, for :func:`is_boilerplate_line` to drop."""
    found = _GLUED_CAPTION.match(sentence)
    if found is None or len(sentence) - found.end() <= MAX_SHORT_LINE or _CAPTION_LINE.match(sentence):
        return sentence
    inside = found.group(1)
    if inside and inside.strip() and not (_CAPTION_WORDS.search(inside) or holds_marker(found.group())):
        return sentence
    return sentence[found.end():]


def strip_boilerplate(text: str) -> str:
    """Drop repost boilerplate lines, and a trailing list of short lines under a
    "related posts" heading. ``text`` must already be folded (see :func:`fold`).
    Paragraph breaks (blank lines) stay: the figures check ends sentences at them."""
    if not _may_hold_boilerplate_anywhere(text):
        return text
    lines = text.splitlines()
    filled = [i for i, line in enumerate(lines) if line.strip()]
    end = _trailing_list_start([lines[i] for i in filled])
    kept: list[str] = []
    for line in lines[: filled[end] if end < len(filled) else len(lines)]:
        if not line.strip():
            if kept and kept[-1]:
                kept.append("")
            continue
        if not _may_hold_boilerplate(line):
            kept.append(line)
            continue
        if _FEED_FOOTER_WORDS in line:
            line = _FEED_FOOTER_IN_LINE.sub("", line)
        sentences = (_strip_tail(_without_glued_caption(s)) for s in _sentences(line))
        text = " ".join(s for s in sentences if s.strip() and not is_boilerplate_line(s))
        if text:
            kept.append(text)
    while kept and not kept[-1]:
        kept.pop()
    return "\n".join(kept)


#: The NFKC images of the compatibility characters common in Chinese text (full-width
#: punctuation, the ideographic space, the ellipsis, no-break space). Replacing them
#: first lets most texts pass the quick NFKC check and skip the slow full
#: normalisation; the result is the same as NFKC of the original.
_COMMON_COMPAT = (
    *((chr(ord(ch) + 0xFEE0), ch) for ch in "!\"#%&'()*+,-./:;<=>?@[]^_{|}~"),
    ("\u3000", " "), ("\u2026", "..."), ("\xa0", " "),
)


def nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, faster on typical Chinese text.

    What the common replacements leave is normalised line by line, and only the lines
    that need it: a line break is a normalisation boundary (a starter that composes
    with nothing), so NFKC of the whole equals NFKC of its lines joined.
    """
    for compat, plain in _COMMON_COMPAT:
        if compat in text:
            text = text.replace(compat, plain)
    if unicodedata.is_normalized("NFKC", text):
        return text
    return "\n".join(
        line if unicodedata.is_normalized("NFKC", line) else unicodedata.normalize("NFKC", line)
        for line in text.split("\n")
    )


def fold(text: str) -> str:
    """Markup cleaned, NFKC, traditional→simplified and case-folded; lines kept."""
    return to_simplified(nfkc(clean_markup(text))).casefold()


@lru_cache(maxsize=8)  # a page and its candidates: rejoining and the figures check both read it
def cleaned(text: str) -> str:
    """``text`` folded (:func:`fold`) with its boilerplate lines removed: what fingerprints
    and verification read."""
    return strip_boilerplate(fold(text))


def normalise(text: str) -> str:
    """The fingerprint form of a body: :func:`cleaned` (uncached), punctuation and whitespace
    collapsed to single spaces."""
    return _SEPARATORS.sub(" ", strip_boilerplate(fold(text))).strip()
