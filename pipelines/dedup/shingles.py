"""Tokens and shingles that fit the language: characters for CJK, words elsewhere."""

from __future__ import annotations

import re

#: One CJK character (Han, kana, hangul syllable) per token; a run of other letters
#: and digits per token.
_TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]|[^\W\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af_]+")


def tokens(normalised: str) -> list[str]:
    """Tokens of an already normalised text."""
    return _TOKEN.findall(normalised)


def shingles(toks: list[str], size: int) -> set[str]:
    """The set of ``size``-token shingles (a short text yields its whole token run)."""
    if not toks:
        return set()
    if len(toks) <= size:
        return {" ".join(toks)}
    return {" ".join(toks[i : i + size]) for i in range(len(toks) - size + 1)}
