"""Decode fetched HTML to text, trusting the bytes over a wrong declaration.

Scrapy trusts the HTTP header: a GBK page served as ``charset=utf-8`` decodes to
replacement characters with no fallback. :func:`decode_html` follows w3lib's order
(BOM, header, ``<meta>``, detection) and then checks the result: when a declared
charset leaves many replacement characters it tries the other declaration and the
common Chinese encodings, and keeps the cleanest decode.
"""

from __future__ import annotations

import codecs

from w3lib.encoding import html_body_declared_encoding, html_to_unicode, resolve_encoding

#: Encodings tried when the declared one fails; gb18030 is a superset of gbk/gb2312.
FALLBACK_ENCODINGS = ("utf-8", "gb18030", "big5", "shift_jis", "euc-kr", "cp1252")

REPLACEMENT = "\ufffd"


def _bad_chars(text: str) -> int:
    return text.count(REPLACEMENT)


def _decode(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding, errors="replace")
    except (LookupError, TypeError):
        return None


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode ``body`` and return ``(text, encoding)``.

    :param body: the raw response body
    :param content_type: the ``Content-Type`` header value, if any
    """
    header = content_type or ""
    encoding, text = html_to_unicode(header, body)
    bad = _bad_chars(text)
    if bad == 0 or bad < len(text) / 10_000:
        return text, encoding
    tried = {resolve_encoding(encoding) or encoding}
    candidates: list[str] = []
    declared = html_body_declared_encoding(body)
    if declared:
        candidates.append(declared)
    candidates.extend(FALLBACK_ENCODINGS)
    best_text, best_encoding, best_bad = text, encoding, bad
    for name in candidates:
        resolved = resolve_encoding(name) or name
        try:
            resolved = codecs.lookup(resolved).name
        except LookupError:
            continue
        if resolved in tried:
            continue
        tried.add(resolved)
        decoded = _decode(body, resolved)
        if decoded is None:
            continue
        score = _bad_chars(decoded)
        if score < best_bad:
            best_text, best_encoding, best_bad = decoded, resolved, score
            if score == 0:
                break
    return best_text, best_encoding
