"""Normalisation for fingerprints. The stored body stays as extracted; only the
fingerprint sees this form."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

#: Lines that reposting sites add around a text: attribution, source links, ads,
#: QR-code captions, "read more" tails. They are dropped before shingling.
BOILERPLATE_LINE = re.compile(
    r"^\s*(?:"
    r"本文(?:转载|转自|来自|来源)|转载(?:自|于|请注明|须知)|转自|原文(?:链接|地址|出处|标题)|文章来源|来源\s*[:：]|出处\s*[:：]|"
    r"作者\s*[:：]|编辑\s*[:：]|责任编辑|声明\s*[:：]|免责声明|版权(?:声明|归)|©|著作权归|"
    r"(?:长按|扫描|扫码|识别)(?:下方|上方)?二维码|关注(?:我们|公众号)|点击(?:阅读原文|关注|下方)|阅读原文|阅读全文|"
    r"originally (?:published|posted)|this (?:article|post) (?:was )?(?:originally )?(?:published|appeared)|"
    r"source\s*:|read more|continue reading|subscribe (?:to|for)|follow us|sponsored|advertisement"
    r")",
    re.IGNORECASE,
)

#: Everything that is neither a letter nor a digit separates tokens.
_SEPARATORS = re.compile(r"[\W_]+", re.UNICODE)


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def strip_boilerplate(text: str) -> str:
    """Drop repost attribution, ad and QR-code lines (short lines only)."""
    kept = [line for line in text.splitlines() if not (len(line) < 200 and BOILERPLATE_LINE.match(line))]
    return "\n".join(kept)


def normalise(text: str) -> str:
    """NFKC, case folding, traditional→simplified Chinese, boilerplate lines removed,
    punctuation and whitespace collapsed to single spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = strip_boilerplate(text)
    text = _t2s().convert(text).casefold()
    return " ".join(_SEPARATORS.split(text)).strip()
