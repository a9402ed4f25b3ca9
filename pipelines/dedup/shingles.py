"""Tokens and shingles that fit the language: one token per CJK character, one per
word elsewhere, both in mixed text.

Shingles are kept as 32-bit hashes in text order (not as strings): MinHash needs
only the hashes, and verification needs the order to tell where two texts agree.
"""

from __future__ import annotations

import re
from functools import cache
from typing import NamedTuple

import numpy as np

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\U00020000-\U0002fa1f"
#: A run of CJK characters, or a run of other letters and digits (one word).
_RUN = re.compile(rf"[{_CJK}]+|[^\W{_CJK}_]+")
_CJK_CHAR = re.compile(rf"[{_CJK}]")
_CJK_RANGES = (
    (0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0xAC00, 0xD7AF),
    (0x20000, 0x2FA1F),
)

#: Odd 64-bit multipliers, one per position in a shingle (fixed: they define the hashes
#: stored in an archive, see ``NORMALISER_VERSION``).
_POSITION_MULTIPLIERS = np.array(
    [
        0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93,
        0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53, 0x94D049BB133111EB, 0xBF58476D1CE4E5B9,
        0x2545F4914F6CDD1D, 0x8CB92BA72F3D8DD7, 0xA0761D6478BD642F, 0xE7037ED1A0B428DB,
    ],
    dtype=np.uint64,
)
#: Word tokens get ids above every code point, so a word never collides with a character.
_WORD_BASE = np.uint64(1 << 32)


def _splitmix64(count: int, seed: int) -> np.ndarray:
    """``count`` odd 64-bit constants from SplitMix64 (fixed, platform-independent)."""
    out, state, mask = [], seed, (1 << 64) - 1
    for _ in range(count):
        state = (state + 0x9E3779B97F4A7C15) & mask
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        out.append((z ^ (z >> 31)) | 1)
    return np.array(out, dtype=np.uint64)


#: Per-position multipliers for word hashes (part of what stored hashes mean, see
#: ``NORMALISER_VERSION``); letters past the 64th of a word share the last one.
_CHAR_MULTIPLIERS = _splitmix64(64, seed=2024)


def tokens(normalised: str) -> list[str]:
    """Tokens of an already normalised text (for display and tests; hashing uses
    :func:`token_ids`)."""
    out: list[str] = []
    for run in _RUN.findall(normalised):
        if _CJK_CHAR.match(run):
            out.extend(run)
        else:
            out.append(run)
    return out


#: Runs of letters and digits: the complement of what
#: :func:`~pipelines.dedup.normalise.normalise` turns into spaces (``[\W_]``).
_LETTERS = re.compile(r"[^\W_]+")
_SEPARATOR, _WORD, _CJK_CLASS = 0, 1, 2
_LAST_POSITION = len(_CHAR_MULTIPLIERS) - 1


@cache
def _classes() -> np.ndarray:
    """The token class of every code point: separator (neither letter nor digit), word
    letter, or CJK character. Built once per process (about 40 ms, 1.1 MB)."""
    every = np.arange(0x110000, dtype=np.uint32).tobytes().decode("utf-32-le", "surrogatepass")
    classes = np.zeros(0x110000, dtype=np.uint8)
    for run in _LETTERS.finditer(every):
        classes[run.start() : run.end()] = _WORD
    for low, high in _CJK_RANGES:
        span = classes[low : high + 1]
        span[span == _WORD] = _CJK_CLASS
    return classes


class Tokens(NamedTuple):
    """A text's token ids (see :func:`token_ids`) and its letters and digits in order,
    separators dropped (what :func:`~pipelines.dedup.fingerprint.content_hash` hashes)."""

    ids: np.ndarray
    letters: str


def tokenise(text: str) -> Tokens:
    """Token ids and letters of ``text`` in one vectorised pass over its code points.

    Anything that is neither a letter nor a digit separates tokens, so ``text`` need
    not have its separators collapsed: the result is the same for ``text`` and for
    :func:`~pipelines.dedup.normalise.normalise`'s form of it.
    """
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    classes = _classes().take(codes)
    kept = classes.astype(bool)
    letters = codes[kept]
    word = classes == _WORD
    if not word.any():
        return Tokens(letters.astype(np.uint64), letters.tobytes().decode("utf-32-le"))
    # a token starts at every CJK character and at a word letter that follows no other
    starts = classes == _CJK_CLASS
    starts[0] |= word[0]
    starts[1:] |= word[1:] > word[:-1]
    first = starts[kept]
    ids = letters[first].astype(np.uint64)
    word_codes = codes[word].astype(np.uint64)
    word_starts = starts[word]
    index = np.arange(len(word_codes))
    position = index - np.maximum.accumulate(np.where(word_starts, index, 0))
    np.minimum(position, _LAST_POSITION, out=position)
    word_codes *= _CHAR_MULTIPLIERS[position]
    sums = np.add.reduceat(word_codes, np.flatnonzero(word_starts))
    ids[classes[kept][first] == _WORD] = _fmix64(sums) | _WORD_BASE
    return Tokens(ids, letters.tobytes().decode("utf-32-le"))


def token_ids(text: str) -> np.ndarray:
    """One 64-bit id per token of ``text``: the code point of a CJK character, a
    polynomial hash of a word (always above every code point). See :func:`tokenise`."""
    return tokenise(text).ids


_SHIFT_32, _SHIFT_33 = np.uint64(32), np.uint64(33)
_FMIX_1, _FMIX_2 = np.uint64(0xFF51AFD7ED558CCD), np.uint64(0xC4CEB9FE1A85EC53)


def _fmix64(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser, applied to ``h`` in place (and returned)."""
    shifted = h >> _SHIFT_33
    h ^= shifted
    h *= _FMIX_1
    np.right_shift(h, _SHIFT_33, out=shifted)
    h ^= shifted
    h *= _FMIX_2
    np.right_shift(h, _SHIFT_33, out=shifted)
    h ^= shifted
    return h


def shingle_hashes(ids: np.ndarray, size: int) -> np.ndarray:
    """32-bit hashes of every ``size``-token window, in text order.

    A text shorter than ``size`` tokens yields one shingle of all its tokens.

    Args:
        ids: token ids from :func:`token_ids`.
        size: tokens per shingle (at most 12).
    """
    n = len(ids)
    if n == 0:
        return np.zeros(0, dtype=np.uint32)
    width = min(size, n)
    count = n - width + 1
    acc = ids[:count] * _POSITION_MULTIPLIERS[0]
    term = np.empty_like(acc)
    for j in range(1, width):
        acc += np.multiply(ids[j : j + count], _POSITION_MULTIPLIERS[j], out=term)
    acc = _fmix64(acc)
    acc >>= _SHIFT_32
    return acc.astype(np.uint32)


def shingles(toks: list[str], size: int) -> set[str]:
    """The set of ``size``-token shingles as strings (for inspection and tests)."""
    if not toks:
        return set()
    if len(toks) <= size:
        return {" ".join(toks)}
    return {" ".join(toks[i : i + size]) for i in range(len(toks) - size + 1)}
