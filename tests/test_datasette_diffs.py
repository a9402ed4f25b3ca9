"""Reading stored body diffs in the shapes the text page accepts."""

from __future__ import annotations

import json

from archive.datasette.diffs import parse_ops, rows_from_ops, sighting_diff

TEXT = {"body": "第一段\n第二段\n第三段\n第四段\n第五段", "content_hash": "c"}


def kinds(raw: str | None, **sighting: object) -> list[str]:
    diff = sighting_diff({"body_diff": raw, **sighting}, TEXT)
    return [row.kind for row in diff.rows] if diff.status == "diff" else [diff.status]


def test_json_ops_with_replace_become_inline_changes():
    raw = json.dumps({"ops": [{"op": "replace", "canonical": ["读上二十页"], "copy": ["读上三十页"]}]})
    (row,) = sighting_diff({"body_diff": raw}, TEXT).rows
    assert row.kind == "change"
    assert [(s.kind, s.text) for s in row.segments] == [
        ("equal", "读上"), ("delete", "二"), ("insert", "三"), ("equal", "十页"),
    ]  # fmt: skip


def test_other_shapes_are_read():
    assert kinds(json.dumps([["+", "新的一段"], ["-", "删掉的"]])) == ["insert", "delete"]
    assert kinds(json.dumps([["replace", ["旧"], ["新"]]])) == ["change"]
    assert kinds(json.dumps(["  同", "- 旧", "+ 新"])) == ["equal", "delete", "insert"]
    assert kinds("--- a\n+++ b\n@@ -1 +1 @@\n-old line\n+new line\n") == ["delete", "insert"]
    assert kinds(json.dumps([{"type": "added", "text": "尾注"}])) == ["insert"]


def test_unreadable_or_empty_diffs_degrade():
    assert kinds(None) == ["unknown"]
    assert kinds("") == ["unknown"]
    assert kinds(json.dumps({"unexpected": 1})) == ["unknown"]
    assert kinds(json.dumps([{"op": "equal", "text": "第一段"}])) == ["same"]
    assert kinds(None, content_hash="c") == ["same"]
    assert kinds(None, relation="exact") == ["same"]


def test_diff_is_computed_when_the_copy_body_is_there():
    body = "第一段\n第二段\n第三段改\n第四段\n第五段\n转载自简书"
    diff = sighting_diff({"body_diff": None, "body": body}, TEXT)
    assert diff.source == "computed"
    assert [row.kind for row in diff.rows] == ["folded", "equal", "change", "equal", "equal", "insert"]


def test_long_unchanged_runs_are_folded():
    ops = [("equal", [f"p{i}" for i in range(10)], [f"p{i}" for i in range(10)]), ("insert", [], ["new"])]
    rows = rows_from_ops(ops)
    assert [(r.kind, r.folded) for r in rows] == [("folded", 9), ("equal", 0), ("insert", 0)]
    assert parse_ops("not json at all") == [("equal", ["not json at all"], ["not json at all"])]
