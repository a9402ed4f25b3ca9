"""Texts written for the dedup tests: one Chinese essay and one English post, plus
the ways reposting sites change them."""

from __future__ import annotations

from pathlib import Path

import opencc

_FIXTURES = Path(__file__).parent / "fixtures" / "dedup"

ESSAY_TITLE = "巷口的旧书店"
#: A short essay in simplified Chinese, written for these tests.
ESSAY = (_FIXTURES / "essay_zh.txt").read_text(encoding="utf-8").rstrip("\n")
POST_TITLE = "The notebook in my coat pocket"
#: A short English blog post, written for these tests.
POST = (_FIXTURES / "post_en.txt").read_text(encoding="utf-8").rstrip("\n")

_T2S_REVERSE = opencc.OpenCC("s2t")

_HALF_TO_FULL = str.maketrans({",": "，", ".": "。", ":": "：", ";": "；", "!": "！", "?": "？",
                               "(": "（", ")": "）"})
_FULL_TO_HALF = str.maketrans({"，": ",", "。": ".", "：": ":", "；": ";", "！": "!", "？": "?",
                               "（": "(", "）": ")", "、": ","})


def traditional(text: str) -> str:
    """``text`` in traditional characters."""
    return _T2S_REVERSE.convert(text)


def half_width_punctuation(text: str) -> str:
    """Chinese punctuation replaced by ASCII punctuation (what some editors do)."""
    return text.translate(_FULL_TO_HALF)


def full_width_punctuation(text: str) -> str:
    """ASCII punctuation replaced by full-width forms."""
    return text.translate(_HALF_TO_FULL)


def csdn_repost(text: str) -> str:
    """A repost header and an ad footer around ``text``."""
    return (
        "本文转载自简书，原文链接：https://www.jianshu.com/p/0a1b2c3d4e5f\n"
        + text
        + "\n扫描下方二维码，关注公众号，回复“书单”免费领取电子书！\n[二维码]\n长按识别二维码关注我们"
    )


def excerpt(text: str, share: float, tail: str = "……阅读全文") -> str:
    """The first ``share`` of ``text`` followed by a read-more tail."""
    return text[: int(len(text) * share)] + tail


def split_words(text: str, every: int = 3) -> str:
    """``text`` with every ``every``-th word of five letters or more split in two by a
    space, as careless reflowing of a page leaves it ("note book")."""
    words = text.split(" ")
    long_words = [i for i, word in enumerate(words) if len(word) >= 5 and word.isalpha()]
    for i in long_words[::every]:
        words[i] = words[i][:2] + " " + words[i][2:]
    return " ".join(words)
