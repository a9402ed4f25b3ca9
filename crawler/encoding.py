"""Decode fetched HTML to text, trusting the bytes over a wrong declaration.

Scrapy trusts the HTTP header: a GBK page served as ``charset=utf-8`` decodes to
replacement characters, and a UTF-8 page whose ``<meta>`` says gb2312 decodes to
mojibake without a single error (gb18030 accepts almost any byte pair). So
:func:`decode_html` checks the bytes themselves:

1. a byte-order mark decides;
2. bytes that are (almost all) valid UTF-8 with non-ASCII text are UTF-8, whatever the
   declarations say (other encodings of real text are practically never valid UTF-8), and
   a few invalid bytes do not change that;
3. otherwise every candidate (header, ``<meta>``, then common CJK and Western encodings)
   is decoded and scored: decoding errors, for Chinese/Japanese/Korean output how
   much of it is made of everyday characters (mojibake is made of rare ones) and, for
   Korean, whether it has spaces between words (Chinese read as Korean has none), for other
   text how much of its non-ASCII is in runs that are not Cyrillic words (a multi-byte or
   Cyrillic page read as cp1252 gives runs of accented letters); the declared encodings
   win ties, and cp1252 wins its ties with cp1251.
"""

from __future__ import annotations

import codecs
import re

from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, resolve_encoding

#: Tried after the declared encodings; gb18030 is a superset of gbk/gb2312.
FALLBACK_ENCODINGS = ("gb18030", "big5", "shift_jis", "euc-kr", "cp1252", "cp1251")

REPLACEMENT = "\ufffd"

#: Bytes looked at when judging an encoding (the whole page is decoded with the winner).
SAMPLE_BYTES = 256 * 1024

#: UTF-8 wins when at most this share of its non-ASCII characters, or this many bytes, are
#: decoding errors.
UTF8_ERROR_SHARE = 0.02
UTF8_STRAY_BYTES = 3

#: How much worse (see ``_badness``) a declared encoding may read than the best candidate.
DECLARED_MARGIN = 0.15

#: The most frequent Chinese characters, simplified and traditional forms; real Chinese
#: text is mostly made of them, text decoded with the wrong CJK codec hardly at all.
COMMON_HAN = frozenset(
    "的一是不了在人有我他这這个個们們中来來上大为為和国國地到以说說时時要就出会會可也你对對生能而子那"
    "得于於着著下自之年过過发發后後作里裡用道行所然家种種事成方多经經么麼去法学學如都同现現当當没沒动動"
    "面起看定天分还還进進好小部其些主样樣理心她本前开開但因只从從想实實日者意无無力它与與长長把机機十民"
    "第公此已工使情明性知全三又关關点點正业業外将將两兩高间間由问問很最重并並物手应應向头頭文体體政美相"
    "见見被利什二等产產或新己制身果加西月话話合回特代内內信表化老给給世位次度门門任常先海通教儿兒原东東"
    "声聲提立及比员員解水名真论論处處走义義各入几幾口认認条條平系气氣题題活更别別打女变變四神总總何电電"
    "数數安少报報才结結反受目太量再感建务務做接必场場件计計管期市直资資命山金指许許统統区區保至队隊形社"
    "便空决決治展马馬科司五基眼书書非则則听聽白却卻界达達光放强強即像难難且权權思王象完设設式色路记記南"
    "品住告类類求据據程北边邊死张張该該交规規万萬取拉格望觉覺术術领領共确確传傳师師观觀清今切院让讓识識"
)

_HAN = re.compile(r"[\u3400-\u9fff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_KANA = re.compile(r"[\u3040-\u30ff]")
#: Hangul syllables and Han characters with no space between them for longer than a
#: Korean word runs.
_UNSPACED_KOREAN_RUN = re.compile(r"[\uac00-\ud7af\u3400-\u9fff]{10,}")
_ODD = re.compile(r"[\u0370-\u052f\u2500-\u257f\u0100-\u024f]")
_HALFWIDTH_KANA = re.compile(r"[\uff61-\uff9f]")
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]{3,}")
#: A Cyrillic word as written: capitalised, lower case or all capitals (a wrong single-byte
#: table gives letters of both cases in any order, and symbols).
_CYRILLIC_WORD = re.compile(r"[\u0400-\u042f\u0490]?[\u0430-\u045f\u0491]+|[\u0400-\u042f\u0490]+")
#: A Latin and a Cyrillic letter side by side.
_MIXED_SCRIPT = re.compile(r"[A-Za-z](?=[\u0400-\u04ff])|[\u0400-\u04ff](?=[A-Za-z])")
#: What may stand between Cyrillic words inside a run of non-ASCII characters.
_RUN_PUNCTUATION = re.compile(r"[\s\u00a0\u00ab\u00bb\u2013\u2014\u2018-\u201e\u2026\u2116]+")
_C1 = re.compile(r"[\x80-\x9f]")
_UTF8_NAMES = frozenset(["utf-8", "utf8"])


def _codec(name: str | None) -> str | None:
    """The canonical Python codec name for an HTML/HTTP charset label, or None."""
    if not name:
        return None
    resolved = resolve_encoding(name) or name
    try:
        return codecs.lookup(resolved).name
    except LookupError:
        return None


def _bom(body: bytes) -> str | None:
    for mark, name in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if body.startswith(mark):
            return name
    return None


def _mostly_utf8(sample: bytes) -> bool:
    """True when the non-ASCII bytes of ``sample`` are (almost all) valid UTF-8 sequences:
    at most a few stray bytes, and fewer errors than well-formed characters."""
    text = sample.decode("utf-8", errors="replace")
    errors = text.count(REPLACEMENT)
    valid = len(text) - len(text.encode("ascii", errors="ignore")) - errors
    return valid > errors and errors <= max(UTF8_STRAY_BYTES, UTF8_ERROR_SHARE * valid)


def _badness(text: str, *, declared: bool = False) -> float:
    """Lower is better: decoding errors and control characters, plus how implausible the
    text is for its script (Chinese made of rare characters, Korean full of Han characters,
    Japanese with half-width katakana, Western text with runs of accented letters)."""
    if not text:
        return 1.0
    score = (
        20
        * (text.count(REPLACEMENT) + len(_C1.findall(text)) + len(_HALFWIDTH_KANA.findall(text)))
        / len(text)
    )
    han = _HAN.findall(text)
    hangul = len(_HANGUL.findall(text))
    kana = len(_KANA.findall(text))
    cjk = len(han) + hangul + kana
    if cjk >= 20:
        # Symbols from other scripts (Cyrillic, Greek, box drawing...) between CJK characters
        # are the signature of the wrong double-byte table.
        score += 5 * len(_ODD.findall(text)) / cjk
        if hangul > cjk / 2:
            # Korean writes spaces between words; Chinese read with the Korean table
            # gives long unbroken runs of syllables and Han characters.
            long_runs = sum(map(len, _UNSPACED_KOREAN_RUN.findall(text)))
            return score + len(han) / cjk + long_runs / (hangul + len(han))
        common = sum(1 for ch in han if ch in COMMON_HAN) / len(han) if han else 0.0
        if kana > cjk / 4:
            return score + (1 - common) / 2
        return score + 1 - common
    non_ascii = len(text) - len(text.encode("ascii", errors="ignore"))
    if len(han) >= 4 and sum(1 for ch in han if ch in COMMON_HAN) < len(han) / 4:
        # A few Han characters, hardly any of them everyday ones, in otherwise Western
        # text: a Chinese table read accented letters in pairs ("Köln" -> "K鰈n").
        score += len(han) / non_ascii
    if non_ascii >= 20 and not declared:
        # Cyrillic letters inside Latin words: a Central European or Japanese page read
        # with the Cyrillic table ("Pшнliљ", "ѓO"). Not held against a declared encoding
        # (a cp1251 page may say "iPhoneы", or hide Latin look-alikes in its words), nor
        # against a short text.
        score += len(_MIXED_SCRIPT.findall(text)) / non_ascii
    if non_ascii >= 20:
        # Western text has its accented letters alone inside words; a multi-byte encoding
        # read one byte per character gives runs of them. Cyrillic text is made of such
        # runs, but of well-formed words.
        in_runs = sum(len(run) for run in _NON_ASCII_RUN.findall(text) if not _cyrillic_words(run))
        score += in_runs / non_ascii
    return score


def _cyrillic_words(run: str) -> bool:
    """Whether a run of non-ASCII characters is Cyrillic words (and punctuation between them)."""
    words = [w for w in _RUN_PUNCTUATION.split(run) if w]
    return bool(words) and all(_CYRILLIC_WORD.fullmatch(w) for w in words)


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode ``body`` and return ``(text, encoding)``.

    :param body: the raw response body
    :param content_type: the ``Content-Type`` header value, if any
    """
    if not body:
        return "", "utf-8"
    bom = _bom(body)
    if bom:
        return body[len(codecs.BOM_UTF8) if bom == "utf-8" else 2 :].decode(bom, errors="replace"), bom
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if not text.isascii():  # wholly valid UTF-8 with non-ASCII text (step 2), 5x cheaper
            return text, "utf-8"
    sample = body[:SAMPLE_BYTES]
    if _mostly_utf8(sample):
        return body.decode("utf-8", errors="replace"), "utf-8"
    declared = [
        _codec(http_content_type_encoding(content_type or "")),
        _codec(html_body_declared_encoding(body)),
    ]
    candidates = list(dict.fromkeys(c for c in (*declared, *map(_codec, FALLBACK_ENCODINGS)) if c))
    if all(b < 128 for b in sample):
        # Plain ASCII: every ASCII-compatible declaration gives the same text.
        name = next((c for c in declared if c and c not in ("utf-16-le", "utf-16-be", "utf-16")), "utf-8")
        return body.decode(name, errors="replace"), name
    scores: dict[str, float] = {}
    for name in candidates:
        if name in _UTF8_NAMES or name.startswith("utf-16"):
            continue
        try:
            scores[name] = _badness(sample.decode(name, errors="replace"), declared=name in declared)
        except (LookupError, ValueError):
            continue
    if not scores:
        return body.decode("utf-8", errors="replace"), "utf-8"
    best = min(scores, key=scores.__getitem__)
    # A declared encoding keeps the page unless another reads it clearly better.
    for name in declared:
        if name in scores and scores[name] <= scores[best] + DECLARED_MARGIN:
            best = name
            break
    return body.decode(best, errors="replace"), best
