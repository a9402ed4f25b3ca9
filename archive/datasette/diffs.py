"""Readable differences between a sighting and its text's canonical body.

``sightings.body_diff`` holds a paragraph-level diff written by the dedup stage.
Its preferred shape is JSON::

    {"ops": [{"op": "equal", "canonical": ["..."], "copy": ["..."]},
             {"op": "replace", "canonical": ["..."], "copy": ["..."]},
             {"op": "insert", "copy": ["..."]}, {"op": "delete", "canonical": ["..."]}]}

but this module reads whatever it finds, so the page degrades instead of failing:
a bare list of such ops, ``[tag, text]`` or ``[tag, old, new]`` lists, ndiff or
unified-diff lines (JSON strings or plain text). Rows come out as plain strings and
flags; the template escapes them.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from typing import Any

_EQUAL = {"equal", "=", " ", "same", "keep", "context", "unchanged"}
_INSERT = {"insert", "+", "add", "added", "inserted", "ins"}
_DELETE = {"delete", "-", "remove", "removed", "deleted", "del"}
_REPLACE = {"replace", "change", "changed", "modify", "modified", "~"}
_OLD_KEYS = ("canonical", "a", "old", "before", "left", "removed", "deleted", "from")
_NEW_KEYS = ("copy", "b", "new", "after", "right", "added", "inserted", "sighting", "to")
_TEXT_KEYS = ("text", "lines", "paragraphs", "value", "content")
_TAG_KEYS = ("op", "tag", "type", "kind", "action", "status")
_LIST_KEYS = ("ops", "diff", "hunks", "changes", "paragraphs", "opcodes", "items")

#: Unchanged paragraphs shown around a change; longer runs are folded.
CONTEXT = 1


@dataclass
class Segment:
    """A piece of a changed paragraph: ``kind`` is equal, insert or delete."""

    kind: str
    text: str


@dataclass
class DiffRow:
    """One paragraph of the diff; ``folded`` rows stand for that many unchanged paragraphs."""

    kind: str  # equal, insert, delete, change, folded
    text: str = ""
    segments: list[Segment] = field(default_factory=list)
    folded: int = 0


def _texts(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [str(v) for v in value if v is not None]
    return [str(value)]


def _first(item: dict[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        if key in item:
            return item[key]
    return None


def _tag(raw: Any) -> str | None:
    tag = str(raw).strip().lower() if raw is not None else ""
    for name, names in (("equal", _EQUAL), ("insert", _INSERT), ("delete", _DELETE), ("replace", _REPLACE)):
        if tag in names:
            return name
    return None


def _ops_from_lines(lines: list[str]) -> list[tuple[str, list[str], list[str]]]:
    ops: list[tuple[str, list[str], list[str]]] = []
    for line in lines:
        if line.startswith(("---", "+++", "@@", "?")):
            continue
        mark = line[:1] if line[:1] in {"+", "-", " "} else ""
        text = line[len(mark) :]
        if mark and text.startswith(" ") and line[:2] in {"+ ", "- ", "  "}:
            text = text[1:]  # ndiff puts a space after the mark
        tag = _tag(mark) or "equal"
        ops.append((tag, [text] if tag != "insert" else [], [text] if tag != "delete" else []))
    return ops


def _ops_from_item(item: Any) -> tuple[str, list[str], list[str]] | None:
    if isinstance(item, dict):
        tag = _tag(_first(item, _TAG_KEYS))
        old, new = _texts(_first(item, _OLD_KEYS)), _texts(_first(item, _NEW_KEYS))
        if not old and not new:
            text = _texts(_first(item, _TEXT_KEYS))
            old = text if tag != "insert" else []
            new = text if tag != "delete" else []
        if tag is None:
            tag = "replace" if old and new and old != new else ("insert" if new and not old else "delete")
            if old == new:
                tag = "equal"
        return tag, old, new
    if isinstance(item, list | tuple) and item:
        tag = _tag(item[0])
        if tag is None:
            return None
        if len(item) >= 3:
            return tag, _texts(item[1]), _texts(item[2])
        text = _texts(item[1]) if len(item) > 1 else []
        return tag, text if tag != "insert" else [], text if tag != "delete" else []
    return None


def parse_ops(raw: str | None) -> list[tuple[str, list[str], list[str]]] | None:
    """``(tag, canonical paragraphs, copy paragraphs)`` from a stored diff, or None."""
    if raw is None or not str(raw).strip():
        return None
    try:
        data = json.loads(raw)
    except (TypeError, ValueError):
        return _ops_from_lines(str(raw).splitlines())
    if isinstance(data, dict):
        data = _first(data, _LIST_KEYS)
    if isinstance(data, str):
        return _ops_from_lines(data.splitlines())
    if not isinstance(data, list):
        return None
    if all(isinstance(item, str) for item in data):
        return _ops_from_lines(data)
    ops = [op for op in (_ops_from_item(item) for item in data) if op is not None]
    return ops or None


def inline_segments(old: str, new: str) -> list[Segment]:
    """Character-level changes from ``old`` to ``new`` (fine for Chinese, readable for English)."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    segments: list[Segment] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            segments.append(Segment("equal", old[i1:i2]))
            continue
        if i2 > i1:
            segments.append(Segment("delete", old[i1:i2]))
        if j2 > j1:
            segments.append(Segment("insert", new[j1:j2]))
    return segments


def rows_from_ops(ops: list[tuple[str, list[str], list[str]]], context: int = CONTEXT) -> list[DiffRow]:
    """Diff rows, pairing replaced paragraphs for inline changes and folding long equal runs."""
    rows: list[DiffRow] = []
    for tag, old, new in ops:
        if tag == "equal":
            rows.extend(DiffRow("equal", text) for text in (old or new))
        elif tag == "insert":
            rows.extend(DiffRow("insert", text) for text in new)
        elif tag == "delete":
            rows.extend(DiffRow("delete", text) for text in old)
        else:
            for i in range(max(len(old), len(new))):
                if i < len(old) and i < len(new):
                    rows.append(DiffRow("change", segments=inline_segments(old[i], new[i])))
                elif i < len(old):
                    rows.append(DiffRow("delete", old[i]))
                else:
                    rows.append(DiffRow("insert", new[i]))
    return _fold(rows, context)


def _fold(rows: list[DiffRow], context: int) -> list[DiffRow]:
    changed = [i for i, row in enumerate(rows) if row.kind != "equal"]
    keep = {j for i in changed for j in range(i - context, i + context + 1)}
    out: list[DiffRow] = []
    run = 0
    for i, row in enumerate(rows):
        if row.kind == "equal" and i not in keep:
            run += 1
            continue
        if run:
            out.append(DiffRow("folded", folded=run))
            run = 0
        out.append(row)
    if run:
        out.append(DiffRow("folded", folded=run))
    return out


def paragraphs(text: str | None) -> list[str]:
    """Non-empty paragraphs of a body (split on line breaks)."""
    return [p.strip() for p in (text or "").splitlines() if p.strip()]


def compute_ops(canonical: str, copy: str) -> list[tuple[str, list[str], list[str]]]:
    """Paragraph-level diff of two bodies with :mod:`difflib`."""
    old, new = paragraphs(canonical), paragraphs(copy)
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    return [(tag, old[i1:i2], new[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes()]


@dataclass
class SightingDiff:
    """What the text page says about one sighting's differences."""

    status: str  # same, diff, unknown
    rows: list[DiffRow] = field(default_factory=list)
    source: str = ""  # stored, computed, hash, relation

    @property
    def changes(self) -> int:
        return sum(1 for row in self.rows if row.kind in {"insert", "delete", "change"})


def sighting_diff(sighting: dict[str, Any], text: dict[str, Any]) -> SightingDiff:
    """The diff to show for ``sighting`` against ``text``'s canonical body.

    Uses the stored ``body_diff`` when readable; else a diff computed with difflib
    when the sighting row carries its own ``body``; else says whether the copy is
    the same text (equal content hash, or an ``exact`` copy) or that no diff was
    recorded.
    """
    ops = parse_ops(sighting.get("body_diff"))
    source = "stored"
    if ops is None and sighting.get("body"):
        ops, source = compute_ops(text.get("body") or "", sighting["body"]), "computed"
    if ops is not None:
        rows = rows_from_ops(ops)
        if not any(row.kind not in {"equal", "folded"} for row in rows):
            return SightingDiff("same", source=source)
        return SightingDiff("diff", rows, source)
    if sighting.get("content_hash") and sighting.get("content_hash") == text.get("content_hash"):
        return SightingDiff("same", source="hash")
    if sighting.get("relation") == "exact":
        return SightingDiff("same", source="relation")
    return SightingDiff("unknown")
