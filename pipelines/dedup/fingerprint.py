"""MinHash signatures (datasketch) and LSH band keys for the persistent index."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

import numpy as np
import xxhash
from datasketch import MinHash, MinHashLSH

from pipelines.dedup.normalise import cleaned, fold, strip_boilerplate
from pipelines.dedup.shingles import shingle_hashes, tokenise, tokens

#: Bumped whenever normalisation or tokenisation changes what a signature means.
NORMALISER_VERSION = "5"


@dataclass(frozen=True)
class DedupParams:
    """MinHash and LSH parameters.

    Args:
        num_perm: permutations per signature; every signature in one archive shares it.
        seed: datasketch's permutation seed.
        shingle_size: tokens per shingle (characters for CJK, words otherwise).
        threshold: LSH candidate threshold (Jaccard); verification decides merges.
        head_tokens: tokens in a text's *head*, which gets its own band keys so that an
            excerpt (a text's beginning, "… read more") finds the full text even though
            their whole-text Jaccard is only the excerpt's share of the length.
    """

    num_perm: int = 64
    seed: int = 1
    shingle_size: int = 5
    threshold: float = 0.3
    scheme: str = "affine32"
    head_tokens: int = 64

    @property
    def bands(self) -> tuple[int, int]:
        """``(b, r)``: datasketch's optimal band layout for ``threshold`` and ``num_perm``."""
        return _band_layout(self.threshold, self.num_perm)


@lru_cache(maxsize=16)
def _band_layout(threshold: float, num_perm: int) -> tuple[int, int]:
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return lsh.b, lsh.r


def _prehashed(value: np.ndarray) -> np.ndarray:
    """datasketch ``hashfunc`` for shingles that are already 32-bit hashes.

    :func:`signature_of` hands datasketch one item, the whole array of shingle hashes;
    ``MinHash.update_batch`` turns its hash outputs into one array of shape (n, 1), so
    the permutations run vectorised without a Python call per shingle. A test checks
    that this equals updating shingle by shingle (datasketch is pinned below 3).
    """
    return value


#: Shingle hashes per ``update_batch`` call.
_CHUNK = 1024


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """``np.unique`` for a 1-d array, by sorting (several times faster for our sizes)."""
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


@lru_cache(maxsize=8)
def _template(num_perm: int, seed: int, scheme: str) -> MinHash:
    return MinHash(num_perm=num_perm, seed=seed, hashfunc=_prehashed, scheme=scheme)


#: One MinHash per thread and parameters, refilled for every signature: constructing a
#: MinHash validates its permutations, a tenth of a short signature's cost.
_SCRATCH = threading.local()


def _scratch_minhash(num_perm: int, seed: int, scheme: str) -> MinHash:
    minhashes = _SCRATCH.__dict__.setdefault("minhashes", {})
    key = (num_perm, seed, scheme)
    if key not in minhashes:
        template = _template(num_perm, seed, scheme)
        minhashes[key] = MinHash(
            num_perm=num_perm, seed=seed, hashfunc=_prehashed, permutations=template.permutations, scheme=scheme
        )
    return minhashes[key]


@dataclass(frozen=True)
class Shingled:
    """A text as its shingle hashes in text order, with its normalised hash."""

    hashes: np.ndarray
    tokens: int
    content_hash: str

    @cached_property
    def unique(self) -> np.ndarray:
        """The distinct shingle hashes, sorted."""
        return sorted_unique(self.hashes)


@lru_cache(maxsize=256)
def shingled(text: str, params: DedupParams) -> Shingled:
    """Normalise and shingle ``text``. Cached: a page's body is fingerprinted and then
    verified, and a stored body is a candidate for many pages.

    The same as shingling :func:`~pipelines.dedup.normalise.normalise`'s form, without
    its collapsing of separators: :func:`~pipelines.dedup.shingles.tokenise` skips them.
    """
    tokens = tokenise(strip_boilerplate(fold(text)))  # not cleaned(): its cache is for the rare paths
    return Shingled(shingle_hashes(tokens.ids, params.shingle_size), len(tokens.ids), _digest(tokens.letters))


#: A text is "Latin-script" when this share of its first characters are below U+0250.
_LATIN_END = 0x250
_MIN_LATIN_SHARE = 0.5
_LATIN_SAMPLE = 4000


def mostly_latin(text: str) -> bool:
    """Whether ``text`` (its first few thousand characters) is written mostly in the
    Latin script, where words are separated by spaces."""
    codes = np.frombuffer(text[:_LATIN_SAMPLE].encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return bool(len(codes)) and np.count_nonzero(codes < _LATIN_END) >= _MIN_LATIN_SHARE * len(codes)


@lru_cache(maxsize=8)  # a page and its candidates; a long body's tokens take megabytes
def word_tokens(text: str) -> tuple[str, ...]:
    """The tokens ``text`` is shingled from (folded, boilerplate stripped); the last few are cached."""
    return tuple(tokens(cleaned(text)))


#: Most pieces a split word is rejoined from ("immig ra tion").
_MAX_PIECES = 3


def rejoined(text: str, other: str, params: DedupParams) -> Shingled | None:
    """``text`` shingled after rejoining the words that reflowing split apart, or None
    when it has none.

    Adjacent tokens are rejoined when together they spell a word of ``other`` that
    they are not all words of ``other`` on their own ("immig" "ration" → "immigration",
    "t" "o" → "to"). Verification then compares word shingles as usual, so this finds
    a copy whose words were split without loosening what counts as a copy.
    """
    mine, vocabulary = word_tokens(text), frozenset(word_tokens(other))
    out: list[str] = []
    i = 0
    while i < len(mine):
        for width in range(_MAX_PIECES, 1, -1):
            pieces = mine[i : i + width]
            word = "".join(pieces)
            if len(pieces) == width and word in vocabulary and not all(p in vocabulary for p in pieces):
                out.append(word)
                i += width
                break
        else:
            out.append(mine[i])
            i += 1
    if len(out) == len(mine):
        return None
    joined = tokenise(" ".join(out))
    return Shingled(shingle_hashes(joined.ids, params.shingle_size), len(joined.ids), _digest(joined.letters))


@dataclass(frozen=True)
class Fingerprint:
    """What dedup needs of one body: exact hash, MinHash signature and LSH band keys."""

    content_hash: str
    signature: bytes
    band_keys: tuple[int, ...]
    token_count: int

    def as_dict(self) -> dict[str, Any]:
        """Plain data (the signature in hex), e.g. for feed exports."""
        return {
            "content_hash": self.content_hash,
            "signature": self.signature.hex(),
            "band_keys": list(self.band_keys),
            "token_count": self.token_count,
        }


def content_hash(normalised: str) -> str:
    """Hash of the normalised text: equal for copies that differ only in boilerplate,
    punctuation, width, case or script."""
    return _digest(normalised.replace(" ", ""))


def _digest(letters: str) -> str:
    """The content hash of a normalised text's letters and digits (spaces dropped)."""
    return hashlib.blake2b(letters.encode("utf-8"), digest_size=16).hexdigest()


def signature_of(hashes: np.ndarray, params: DedupParams, *, distinct: bool = False) -> np.ndarray:
    """MinHash signature (datasketch, ``params.scheme``) of a text's shingle hashes.

    ``distinct`` says that ``hashes`` need no deduplication first: they are distinct,
    or few enough that sorting them costs more than the repeats (a repeated hash never
    changes a minimum, so the signature is the same either way).
    """
    minhash = _scratch_minhash(params.num_perm, params.seed, params.scheme)
    minhash.hashvalues = _template(params.num_perm, params.seed, params.scheme).hashvalues.copy()
    unique = hashes if distinct else sorted_unique(hashes)
    for start in range(0, len(unique), _CHUNK):
        # chunks keep datasketch's (n, num_perm) temporaries small: 3-4x faster than one
        # large batch, which pays for fresh pages on every call
        minhash.update_batch([unique[start : start + _CHUNK]])
    return minhash.hashvalues


@lru_cache(maxsize=16)
def _band_slices(bands: int, rows: int, itemsize: int, namespace: int) -> tuple[tuple[int, int, int], ...]:
    """``(start, stop, seed)`` of every band in a signature's bytes."""
    width = rows * itemsize
    return tuple((band * width, (band + 1) * width, band + namespace * bands) for band in range(bands))


def band_keys(hashvalues: np.ndarray, params: DedupParams, *, namespace: int = 0) -> tuple[int, ...]:
    """One signed 64-bit key per LSH band (band index and ``namespace`` mixed in), for an
    indexed table. Namespace 0 holds whole-text bands, 1 head bands."""
    data = hashvalues.tobytes()
    return tuple(
        xxhash.xxh64_intdigest(data[start:stop], seed=seed) - (1 << 63)
        for start, stop, seed in _band_slices(*params.bands, hashvalues.itemsize, namespace)
    )


def all_band_keys(
    unique: np.ndarray, hashes: np.ndarray, token_count: int, params: DedupParams
) -> tuple[np.ndarray, tuple[int, ...]]:
    """The whole-text signature (of the sorted distinct shingle hashes ``unique``), and
    its band keys followed by those of the head (the first shingles of ``hashes``)."""
    hashvalues = signature_of(unique, params, distinct=True)
    if token_count == 0:
        return hashvalues, ()
    head_shingles = max(1, params.head_tokens - params.shingle_size + 1)
    head = hashvalues if len(hashes) <= head_shingles else signature_of(hashes[:head_shingles], params, distinct=True)
    return hashvalues, band_keys(hashvalues, params) + band_keys(head, params, namespace=1)


def fingerprint(text: str, params: DedupParams) -> Fingerprint:
    """Normalise ``text``, shingle it and compute its MinHash signature and band keys."""
    return fingerprint_of(shingled(text, params), params)


def fingerprint_of(text_shingles: Shingled, params: DedupParams) -> Fingerprint:
    """The fingerprint of a text already shingled with ``params`` (see :func:`shingled`)."""
    hashvalues, keys = all_band_keys(text_shingles.unique, text_shingles.hashes, text_shingles.tokens, params)
    return Fingerprint(
        content_hash=text_shingles.content_hash,
        signature=hashvalues.astype("<u4").tobytes(),
        band_keys=keys,
        token_count=text_shingles.tokens,
    )
