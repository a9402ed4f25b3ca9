"""Tokens and shingles that fit the language: one token per CJK character, one per
word elsewhere, both in mixed text.

Shingles are kept as 32-bit hashes in text order (not as strings): MinHash needs
only the hashes, and verification needs the order to tell where two texts agree.
"""

from __future__ import annotations

import re

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


def _is_cjk(codes: np.ndarray) -> np.ndarray:
    mask = np.zeros(len(codes), dtype=bool)
    for low, high in _CJK_RANGES:
        mask |= (codes >= low) & (codes <= high)
    return mask


def token_ids(normalised: str) -> np.ndarray:
    """One 64-bit id per token of a normalised text: the code point of a CJK
    character, a polynomial hash of a word (always above every code point).

    Vectorised over the text's code points: ``normalised`` has single spaces between
    runs of letters and digits (see :func:`~pipelines.dedup.normalise.normalise`).
    """
    if not normalised:
        return np.zeros(0, dtype=np.uint64)
    codes = np.frombuffer(normalised.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    space = codes == 32
    cjk = _is_cjk(codes)
    word = ~space & ~cjk
    previous_word = np.concatenate(([False], word[:-1]))
    starts = cjk | (word & ~previous_word)
    token_of = np.cumsum(starts) - 1  # token index of every character
    keep = ~space
    start_index = np.flatnonzero(starts)
    position = np.arange(len(codes)) - start_index[np.maximum(token_of, 0)]
    weights = _CHAR_MULTIPLIERS[np.minimum(position, len(_CHAR_MULTIPLIERS) - 1)]
    contributions = np.where(keep, codes * weights, np.uint64(0))
    ids = np.add.reduceat(contributions, start_index) if len(start_index) else np.zeros(0, np.uint64)
    is_word = word[start_index]
    ids[is_word] = _fmix64(ids[is_word]) | _WORD_BASE
    ids[~is_word] = codes[start_index[~is_word]]
    return ids


def _fmix64(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xFF51AFD7ED558CCD)
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xC4CEB9FE1A85EC53)
    return h ^ (h >> np.uint64(33))


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
    acc = np.zeros(count, dtype=np.uint64)
    for j in range(width):
        acc += ids[j : j + count] * _POSITION_MULTIPLIERS[j]
    return (_fmix64(acc) >> np.uint64(32)).astype(np.uint32)


def shingles(toks: list[str], size: int) -> set[str]:
    """The set of ``size``-token shingles as strings (for inspection and tests)."""
    if not toks:
        return set()
    if len(toks) <= size:
        return {" ".join(toks)}
    return {" ".join(toks[i : i + size]) for i in range(len(toks) - size + 1)}
