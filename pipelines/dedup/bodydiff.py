"""Paragraph-level differences between a copy and the stored body, so that every
copy of a text can be reconstructed exactly from the one stored body.

A diff is JSON: a list whose items are either ``[start, end]`` (take the stored
body's paragraphs ``start:end``) or a string (literal text of the copy). Paragraphs
are lines with their line endings, so joining them gives back the exact text. The
diff of a copy identical to the stored body is ``None``.
"""

from __future__ import annotations

import difflib
import json


def paragraphs(text: str) -> list[str]:
    """``text`` split into lines, each keeping its line ending."""
    return text.splitlines(keepends=True)


def make_diff(base: str, copy: str) -> str | None:
    """What ``copy`` has that ``base`` lacks, as a JSON diff (``None`` when equal)."""
    if base == copy:
        return None
    old, new = paragraphs(base), paragraphs(copy)
    ops: list[list[int] | str] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            ops.append([i1, i2])
        elif j2 > j1:
            literal = "".join(new[j1:j2])
            if ops and isinstance(ops[-1], str):
                ops[-1] += literal
            else:
                ops.append(literal)
    return json.dumps(ops, ensure_ascii=False)


def apply_diff(base: str, diff: str | None) -> str:
    """The copy that ``diff`` (from :func:`make_diff` against ``base``) describes.

    Raises ``ValueError`` when ``diff`` is malformed or does not fit ``base``.
    """
    if diff is None:
        return base
    try:
        ops = json.loads(diff)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not a body diff: {exc}") from exc
    old = paragraphs(base)
    out: list[str] = []
    for op in ops:
        if isinstance(op, str):
            out.append(op)
        elif isinstance(op, list) and len(op) == 2 and 0 <= op[0] <= op[1] <= len(old):
            out.extend(old[op[0] : op[1]])
        else:
            raise ValueError(f"body diff does not fit this body: {op!r}")
    return "".join(out)
