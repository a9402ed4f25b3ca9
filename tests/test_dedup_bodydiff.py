"""Paragraph diffs reconstruct every copy exactly."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.dedup.bodydiff import apply_diff, make_diff
from tests.dedup_texts import ESSAY, csdn_repost, traditional

lines = st.lists(st.sampled_from(["一", "二\n", "three\r\n", "", "\n", "四五六\n", "x"]), max_size=12)


@settings(deadline=None)  # no timing in tests: the machine may be busy
@given(lines, lines)
def test_any_copy_is_reconstructed_exactly(base, copy):
    base_text, copy_text = "".join(base), "".join(copy)
    assert apply_diff(base_text, make_diff(base_text, copy_text)) == copy_text


def test_identical_copy_needs_no_diff_and_a_repost_stores_only_what_differs():
    assert make_diff(ESSAY, ESSAY) is None
    repost = csdn_repost(ESSAY)
    diff = make_diff(ESSAY, repost)
    assert apply_diff(ESSAY, diff) == repost
    assert all(paragraph not in diff for paragraph in ESSAY.split("\n"))  # only the additions
    assert apply_diff(ESSAY, make_diff(ESSAY, traditional(ESSAY))) == traditional(ESSAY)


def test_diffs_of_the_first_format_still_apply():
    assert apply_diff("a\nb\n", '[[0, 1], "x\\n"]') == "a\nx\n"


def test_a_diff_that_does_not_fit_the_body_is_refused():
    with pytest.raises(ValueError, match="does not fit"):
        apply_diff("one line", "[[0, 5]]")
    diff = make_diff("a\nb\nc\n", "a\nB\nc\n")
    with pytest.raises(ValueError, match="does not fit"):
        apply_diff("a\nx\nc\n", diff)


def test_the_archive_text_page_reads_the_diff():
    from archive.datasette.diffs import sighting_diff

    lines = ESSAY.replace("周老板", "老周", 1).split("\n")
    copy = "\n".join([*lines[:4], "（编者按：本文有删节）", *lines[4:]])
    shown = sighting_diff({"body_diff": make_diff(ESSAY, copy)}, {"body": ESSAY})
    assert shown.status == "diff"
    assert shown.changes == 2  # one changed paragraph, one inserted
