"""Paragraph-level differences between a copy and the stored body, so that every
copy of a text can be reconstructed exactly from the one stored body.

A diff is JSON in the shape the archive's text page reads::

    {"format": "paragraph-diff/1",
     "ops": [{"op": "equal", "at": [0, 4]},
             {"op": "replace", "at": [4, 5], "canonical": ["…"], "copy": ["…"]},
             {"op": "insert", "at": [5, 5], "copy": ["…"]},
             {"op": "delete", "at": [5, 6], "canonical": ["…"]}]}

``at`` is the range of the stored body's paragraphs an op covers; paragraphs are the
text split at line feeds, so joining them with line feeds gives back the exact text.
Unchanged paragraphs are referenced, not repeated; changed ones keep both sides, so
:func:`apply_diff` can check that a diff still fits its body. The diff of a copy
identical to the stored body is ``None``.
"""

from __future__ import annotations

import difflib
import json


def paragraphs(text: str) -> list[str]:
    """``text`` split at ``\n`` (``"\n".join`` gives it back exactly)."""
    return text.split("\n")


FORMAT = "paragraph-diff/1"


def make_diff(base: str, copy: str) -> str | None:
    """What ``copy`` has that ``base`` lacks, as a JSON diff (``None`` when equal)."""
    if base == copy:
        return None
    old, new = paragraphs(base), paragraphs(copy)
    ops: list[dict] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        op: dict = {"op": tag, "at": [i1, i2]}
        if tag in ("replace", "delete"):
            op["canonical"] = old[i1:i2]
        if tag in ("replace", "insert"):
            op["copy"] = new[j1:j2]
        ops.append(op)
    return json.dumps({"format": FORMAT, "ops": ops}, ensure_ascii=False)


def apply_diff(base: str, diff: str | None) -> str:
    """The copy that ``diff`` (from :func:`make_diff` against ``base``) describes.

    Raises ``ValueError`` when ``diff`` is malformed or does not fit ``base``.
    """
    if diff is None:
        return base
    try:
        data = json.loads(diff)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not a body diff: {exc}") from exc
    if isinstance(data, list):
        return _apply_compact(base.splitlines(keepends=True), data)
    old = paragraphs(base)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError("not a body diff: unknown format")
    out: list[str] = []
    for op in data["ops"]:
        start, end = op["at"]
        if not 0 <= start <= end <= len(old):
            raise ValueError(f"body diff does not fit this body: {op!r}")
        if op["op"] == "equal":
            out.extend(old[start:end])
            continue
        if op.get("canonical", []) != old[start:end]:
            raise ValueError(f"body diff does not fit this body: {op['op']} at {op['at']}")
        out.extend(op.get("copy", []))
    return "\n".join(out)


def _apply_compact(old: list[str], ops: list) -> str:
    """The first format (a list of ``[start, end]`` references and literal strings)."""
    out: list[str] = []
    for op in ops:
        if isinstance(op, str):
            out.append(op)
        elif isinstance(op, list) and len(op) == 2 and 0 <= op[0] <= op[1] <= len(old):
            out.extend(old[op[0] : op[1]])
        else:
            raise ValueError(f"body diff does not fit this body: {op!r}")
    return "".join(out)
