"""Verification of LSH candidates and the merge decision. Precision first: a false
merge loses a text.

Two copies of one text agree almost everywhere, in order; two different texts that
share a long header and footer, a quotation or stock phrases agree only in those
blocks and disagree in a long stretch in between. So verification looks at *where*
the texts agree, not only how much:

- **coverage** of a text: the share of its tokens that lie inside some shingle also
  found in the other text. One changed character uncovers one token (its neighbours
  stay covered by shingles on either side), so coverage is robust to noise, unlike
  Jaccard, where one changed character removes ``k`` shingles.
- **inner gap** of a text: the longest run of uncovered tokens that has covered
  tokens on both sides. Extra text at the start or end (an unrecognised header or ad
  footer, the missing rest of an excerpt) is not an inner gap; a different body
  between a shared header and footer, or around a shared quotation, is.
- **substitution**: where the shorter text has text of its own (an inner gap of a few
  words or more), how much more text of its own the longer one has in that place. A copy
  adds or drops text (an ad, a caption, a sentence) or edits a few words in place; two
  posts made from one template each have their own text in the same place. So the longer
  text's excess counts as a gap of the shorter one: a line of its own where the other has
  a long paragraph is as much evidence of a different text as the paragraph.

Relations: ``near`` when both texts are mostly covered; ``excerpt`` when the shorter
one is mostly covered and the longer one only in one contiguous stretch.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache, lru_cache

import numpy as np

from pipelines.dedup.fingerprint import Shingled
from pipelines.dedup.normalise import cleaned
from pipelines.dedup.shingles import tokens


@dataclass(frozen=True)
class Similarity:
    """How two texts overlap (see the module docstring)."""

    jaccard: float  # exact Jaccard of the two shingle sets
    containment: float  # share of the shorter text's shingles found in the longer one
    coverage_new: float
    coverage_stored: float
    gap_new: int
    gap_stored: int
    tokens_new: int
    tokens_stored: int
    substitution: int = 0  # how much more text the longer has of its own in a gap of the shorter

    @property
    def shorter_is_new(self) -> bool:
        return self.tokens_new <= self.tokens_stored

    @property
    def shorter_coverage(self) -> float:
        """The coverage of the shorter text (the new one on a tie)."""
        return self.coverage_new if self.shorter_is_new else self.coverage_stored

    @property
    def longer_coverage(self) -> float:
        return self.coverage_stored if self.shorter_is_new else self.coverage_new


@dataclass(frozen=True)
class Verdict:
    """How a new text relates to a stored one: ``near``, ``excerpt`` or None (different)."""

    relation: str | None
    similarity: float
    containment: float


#: The shorter text must have at least this share of its tokens covered.
MIN_COVERAGE = 0.8
#: Both texts covered at least this much: near-duplicates (else the shorter is an excerpt).
NEAR_COVERAGE = 0.8
#: The longest inner gap allowed, as a share of the text's tokens ...
MAX_GAP_SHARE = 0.1
#: ... but never less than this many tokens (a dropped or edited sentence).
MIN_GAP_TOKENS = 12
#: The shorter text must hold at least this many tokens to be evidence of a copy.
MIN_TOKENS = 20
#: A gap of the shorter text is text of its own, not noise, from this many uncovered
#: tokens (a changed word uncovers itself and up to a shingle's width less one of the
#: words between it and a cut: one edit on each side of a dropped passage can uncover 10,
#: and such a copy is then split; a line of its own is more often 8–12 words, and a false
#: merge loses a text).
MIN_OWN_TOKENS = 8
#: Shingles around a gap's bounds that must go on as in the shorter text for a pair of
#: bound occurrences to be the gap's place.
_CONTEXT_SHINGLES = 2
#: Pairs of bound occurrences tried per gap, the closest first.
_PLACES_TRIED = 8


def _member(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """``np.isin(values, sorted_set)`` for a sorted array of distinct values."""
    if len(sorted_set) == 0:
        return np.zeros(len(values), dtype=bool)
    where = np.searchsorted(sorted_set, values)
    where[where == len(sorted_set)] = 0
    return sorted_set[where] == values


def _width(text: Shingled) -> int:
    """Tokens per shingle (a text shorter than a shingle is one shingle)."""
    return text.tokens - len(text.hashes) + 1


def _covered(text: Shingled, other: np.ndarray) -> np.ndarray:
    """Which of ``text``'s tokens lie in a shingle found in ``other`` (sorted unique hashes)."""
    found = _member(text.hashes, other)
    return np.convolve(found.astype(np.int32), np.ones(_width(text), dtype=np.int32))[: text.tokens] > 0


def _inner_gaps(covered: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Starts and ends of the runs of uncovered tokens with covered tokens on both sides."""
    where = np.flatnonzero(covered)
    if len(where) == 0:
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
    inner = covered[where[0] : where[-1] + 1]
    edges = np.flatnonzero(np.diff(np.concatenate(([1], inner.astype(np.int8), [1])))) + where[0]
    return edges[::2], edges[1::2]


def _coverage(covered: np.ndarray) -> tuple[float, int]:
    """Share of covered tokens, and the longest inner gap in tokens."""
    if len(covered) == 0:
        return 0.0, 0
    starts, ends = _inner_gaps(covered)
    return float(covered.mean()), int((ends - starts).max()) if len(starts) else 0


def _without_islands(covered: np.ndarray, shorter_than: int) -> np.ndarray:
    """``covered`` without the covered runs of fewer than ``shorter_than`` tokens between
    uncovered ones: a shingle or two that two different texts share by chance ("volunteers
    from the"), not shared text."""
    solid = covered.copy()
    starts, ends = _inner_gaps(~covered)
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        if end - start < shorter_than:
            solid[start:end] = False
    return solid


def _substitution(short: Shingled, short_covered: np.ndarray, long: Shingled, long_covered: np.ndarray) -> int:
    """How much more text ``long`` has of its own than ``short`` in one place where ``short``
    has at least ``MIN_OWN_TOKENS`` uncovered tokens: the most, over those inner gaps of
    ``short``, of the uncovered tokens ``long`` has between the two shingles that bound the
    gap, less the gap's length (0 when ``long`` never has more, or has no place for it).

    A bound may occur more than once in ``long``. Each left occurrence is paired with the
    next right one, the closest pairs first, and a pair is the gap's place if nothing
    shared lies between (at most two shingles' width), or if less is shared than not and
    the shared text goes on around the bounds as in ``short`` (the two shingles before the
    left bound and after the right one). A bound repeated further on spans mostly shared
    text, or has other text around it; a post quoting the template in its own paragraph
    spans a little shared text, and its bounds sit in context. The pair with the fewest
    uncovered tokens counts. Chance islands of one or two shingles split no gap.
    """
    width = _width(short)
    if width != _width(long):
        return 0
    island = width + 2
    long_uncovered = np.concatenate(([0], np.cumsum(~_without_islands(long_covered, island))))
    short_uncovered = np.concatenate(([0], np.cumsum(~short_covered)))
    starts, ends = _inner_gaps(_without_islands(short_covered, island))
    own = (short_uncovered[ends] - short_uncovered[starts]) >= MIN_OWN_TOKENS
    if not own.any():
        return 0
    order = np.argsort(long.hashes, kind="stable")  # positions of equal hashes stay in text order
    ordered = long.hashes[order]

    def positions(value: int) -> np.ndarray:
        value = ordered.dtype.type(value)  # another dtype would make searchsorted copy the array
        return order[np.searchsorted(ordered, value, "left") : np.searchsorted(ordered, value, "right")]

    def in_context(left: int, right: int, start: int, end: int) -> bool:
        for step in range(1, _CONTEXT_SHINGLES + 1):
            after, before = end + step, start - width - step
            if after < len(short.hashes) and (right + step >= len(long.hashes)
                                              or short.hashes[after] != long.hashes[right + step]):
                return False
            if before >= 0 and (left - step < 0 or short.hashes[before] != long.hashes[left - step]):
                return False
        return True

    @cache  # a repetitive text has the same bounds around many gaps
    def closest_pairs(left: int, right: int) -> list[tuple[int, int]]:
        lefts, rights = positions(left), positions(right)
        following = np.searchsorted(rights, lefts, side="right")
        paired = following < len(rights)
        lefts, rights = lefts[paired], rights[following[paired]]
        closest = np.argsort(rights - lefts, kind="stable")[:_PLACES_TRIED]
        return list(zip(lefts[closest].tolist(), rights[closest].tolist(), strict=True))

    longest = 0
    for start, end in zip(starts[own].tolist(), ends[own].tolist(), strict=True):
        in_place = []
        for left, right in closest_pairs(int(short.hashes[start - width]), int(short.hashes[end])):
            begin = min(left + width, right)
            theirs = int(long_uncovered[right] - long_uncovered[begin])
            shared = right - begin - theirs
            if shared <= 2 * width or (shared <= theirs and in_context(left, right, start, end)):
                in_place.append(theirs)
        if in_place:
            longest = max(longest, min(in_place) - (end - start))
    return longest


def compare(new: Shingled, stored: Shingled) -> Similarity:
    """Exact overlap of two shingled texts."""
    if new.tokens == 0 or stored.tokens == 0:
        return Similarity(0.0, 0.0, 0.0, 0.0, 0, 0, new.tokens, stored.tokens)
    a, b = new.unique, stored.unique
    shared = int(_member(a, b).sum())
    covered_new, covered_stored = _covered(new, b), _covered(stored, a)
    coverage_new, gap_new = _coverage(covered_new)
    coverage_stored, gap_stored = _coverage(covered_stored)
    if new.tokens <= stored.tokens:
        short_coverage, pair = coverage_new, (new, covered_new, stored, covered_stored)
    else:
        short_coverage, pair = coverage_stored, (stored, covered_stored, new, covered_new)
    # measured only where it can matter: a shorter text covered enough to be a copy
    substitution = _substitution(*pair) if short_coverage >= MIN_COVERAGE else 0
    return Similarity(
        jaccard=shared / (len(a) + len(b) - shared),
        containment=shared / min(len(a), len(b)),
        coverage_new=coverage_new,
        coverage_stored=coverage_stored,
        gap_new=gap_new,
        gap_stored=gap_stored,
        tokens_new=new.tokens,
        tokens_stored=stored.tokens,
        substitution=substitution,
    )


def gap_allowed(tokens: int) -> int:
    """The longest inner gap a copy of a ``tokens``-token text may have."""
    return max(MIN_GAP_TOKENS, int(MAX_GAP_SHARE * tokens))


def verdict(similarity: Similarity) -> Verdict:
    """Decide the relation from where the two texts agree."""
    s = similarity
    short_gap, short_tokens = (s.gap_new, s.tokens_new) if s.shorter_is_new else (s.gap_stored, s.tokens_stored)
    same = (
        short_tokens >= MIN_TOKENS
        and s.shorter_coverage >= MIN_COVERAGE
        and max(short_gap, s.substitution) <= gap_allowed(short_tokens)
    )
    if not same:
        return Verdict(None, s.jaccard, s.containment)
    return Verdict(relation_of_copies(s), s.jaccard, s.containment)


def relation_of_copies(similarity: Similarity) -> str:
    """The relation of two texts known to be copies of one text: ``near`` when the longer
    is covered too, else ``excerpt`` (what :func:`verdict` says once they are the same)."""
    return "near" if similarity.longer_coverage >= NEAR_COVERAGE else "excerpt"


#: Two texts from one template must disagree in the figures of at least this many
#: sentences, and this share of the sentences with figures of the text with fewer ...
MIN_DIFFERING_SENTENCES = 4
DIFFERING_SENTENCES_SHARE = 0.25
#: ... or, in a short one (a notice: a date, a time, a place in a sentence or two; at most
#: ``MAX_NOTICE_TOKENS`` tokens), in at least this many of the places both give a figure in
#: prose, and this share of them. (In a longer text a few figures are details a repost
#: may have rounded or an update changed, not its substance.)
MIN_DIFFERING_SLOTS = 3
DIFFERING_SLOTS_SHARE = 0.5
MAX_NOTICE_TOKENS = 200
#: A sentence is prose, not a counter line ("3456 views · 78 likes"), while under this
#: share of its tokens are figures.
MAX_PROSE_FIGURE_SHARE = 1 / 3

_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")
_THOUSANDS = re.compile(r",(?=\d{3}(?:\D|$))")
#: Sentences end at their punctuation and at blank lines, not at a single line break
#: (reflowing moves those, and a stacked counter block is one sentence, not four).
_SENTENCE_END = re.compile(r"\n\s*\n|[。！？!?；;]|(?<!\d)\.(?=\s|$)")
#: Sentences with fewer words than this (a counter, a list number) are not compared.
MIN_SENTENCE_WORDS = 5
_MARK = "figuremark"


def _figure_value(figure: str) -> str:
    """A figure as a value: thousands separators and leading zeros do not count (in each
    part of a dotted date, "01.03.2024" is "1.3.2024"; a decimal keeps its fraction)."""
    parts = _THOUSANDS.sub("", figure).split(".")
    if len(parts) > 2:
        return ".".join(part.lstrip("0") or "0" for part in parts)
    return ".".join([parts[0].lstrip("0") or "0", *parts[1:]])


@lru_cache(maxsize=8)  # a page and its candidates
def figure_slots(text: str) -> dict[tuple[tuple[str, ...], tuple[str, ...]], list[tuple[str, int, bool]]]:
    """The figures of ``text`` (folded, boilerplate stripped) by the words around them:
    ``(two tokens before, two after) -> [(value, sentence number, in prose), ...]``, in
    sentences of at least ``MIN_SENTENCE_WORDS`` words; a sentence is prose while under
    ``MAX_PROSE_FIGURE_SHARE`` of its tokens are figures. Cached: do not modify the result."""
    slots: dict[tuple[tuple[str, ...], tuple[str, ...]], list[tuple[str, int, bool]]] = defaultdict(list)
    for number, sentence in enumerate(_SENTENCE_END.split(cleaned(text))):
        values = [_figure_value(m) for m in _FIGURE.findall(sentence)]
        if not values:
            continue
        words = [w if w != _MARK else "#" for w in tokens(_FIGURE.sub(f" {_MARK} ", sentence))]
        if sum(1 for w in words if w != "#") < MIN_SENTENCE_WORDS:
            continue
        prose = len(values) < MAX_PROSE_FIGURE_SHARE * len(words)
        marks = iter(values)
        for i, word in enumerate(words):
            if word == "#":
                place = (tuple(words[max(0, i - 2) : i]), tuple(words[i + 1 : i + 3]))
                value = next(marks, "")
                if any(w != "#" for w in place[0] + place[1]):  # a figure among words, not alone
                    slots[place].append((value, number, prose))
    return dict(slots)


def _same_figure(value: str, other: str) -> bool:
    """Whether two figure values are one, the more precise rounded to the other's decimals
    ("53.09" and "53.1", "1.4850" and "1.49", "53.03" and "53")."""
    if value == other:
        return True
    try:
        a, b = Decimal(value), Decimal(other)
    except InvalidOperation:
        return False
    places = min(-a.as_tuple().exponent, -b.as_tuple().exponent)
    if places < 0 or (places == 0 and min(abs(a), abs(b)) < 10):  # "0.5" is not "1"
        return False
    quantum = Decimal(1).scaleb(-places)
    try:
        return a.quantize(quantum, ROUND_HALF_UP) == b.quantize(quantum, ROUND_HALF_UP)
    except InvalidOperation:  # more digits than a decimal context holds: compared as written
        return False


def figures_disagree(text: str, other: str) -> bool:
    """Whether two texts whose words agree carry different figures in the same places:
    the same template filled in twice (results, reports, statistics), not one text copied.

    Word shingles cannot tell them apart when the figures are sparse: each one uncovers a
    single token, so the texts look like copies with a few edits. A figure counts as
    differing only where both texts have a figure between the same words (a counter line
    only one copy carries does not count), written the same way or not ("1,000" is
    "1000"), and the differences must be spread over several sentences (two copies'
    view counts differ in one line). Copies keep their figures; an excerpt's are among
    its original's; boilerplate (a repost's date line) is not compared. A short notice
    (a date, a time and a place in a sentence or two) differs when most of the figures
    both give in the same places of prose differ (a figure rounded is the same), at least
    ``MIN_DIFFERING_SLOTS``.
    """
    if min(len(_FIGURE.findall(text)), len(_FIGURE.findall(other))) < MIN_DIFFERING_SLOTS:
        return False  # too few figures to differ in enough places (a cheap upper bound)
    mine, theirs = figure_slots(text), figure_slots(other)
    if sum(map(len, mine.values())) > sum(map(len, theirs.values())):
        mine, theirs = theirs, mine
    with_figures = {sentence for found in mine.values() for _, sentence, _ in found}
    differing: set[int] = set()
    compared = differing_in_prose = 0
    notice = min(len(tokens(cleaned(text))), len(tokens(cleaned(other)))) <= MAX_NOTICE_TOKENS
    for place, found in mine.items():
        if place not in theirs:
            continue
        left = Counter(value for value, _, _ in theirs[place])
        left_in_prose = [value for value, _, prose in theirs[place] if prose] if notice else []
        for value, sentence, prose in found:
            if prose and left_in_prose:
                compared += 1
                same = next((i for i, theirs_value in enumerate(left_in_prose) if _same_figure(value, theirs_value)), None)
                if same is None:
                    differing_in_prose += 1
                else:
                    del left_in_prose[same]
            if left[value] > 0:
                left[value] -= 1
            else:
                differing.add(sentence)
    by_sentences = (len(differing) >= MIN_DIFFERING_SENTENCES
                    and len(differing) >= DIFFERING_SENTENCES_SHARE * len(with_figures))
    by_places = differing_in_prose >= MIN_DIFFERING_SLOTS and differing_in_prose >= DIFFERING_SLOTS_SHARE * compared
    return by_sentences or by_places
