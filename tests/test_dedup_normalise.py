"""Normalisation and shingling for fingerprints."""

from __future__ import annotations

import importlib
import re
import unicodedata

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.dedup.normalise import (
    _BOILERPLATE_MARKERS,
    _LATIN_MARKERS,
    LATIN_MARKER_WORDS,
    clean_markup,
    fold,
    holds_marker,
    nfkc,
    normalise,
    strip_boilerplate,
)
from pipelines.dedup.shingles import shingle_hashes, token_ids, tokens
from tests.dedup_texts import ESSAY, POST, csdn_repost, full_width_punctuation, traditional

_SEPARATORS_RE = re.compile(r"[\W_]+")


def test_traditional_and_full_width_copy_normalises_like_the_original():
    assert normalise(full_width_punctuation(traditional(ESSAY))) == normalise(ESSAY)


def test_repost_header_and_ad_footer_are_dropped():
    assert normalise(csdn_repost(ESSAY)) == normalise(ESSAY)


def test_english_attribution_captions_and_read_more_are_dropped():
    copy = (
        "This article was originally published on Medium. Republished with permission.\n"
        "[Image: via Unsplash]\n" + POST + " ... Read more\n"
        "Sponsored: Get 20% off your first order with code READ20.\n"
        "Related posts:\nA short walk\nNotes on tea"
    )
    assert normalise(copy) == normalise(POST)


def test_the_feed_footer_goes_whatever_the_title_and_text_mentioning_it_stays():
    title = "How I learned to stop worrying and love the spiral notebook: a long title, as feeds carry it"
    feed_copy = f"{POST}\nThe post {title} appeared first on Notes From The Coat Pocket."
    assert normalise(feed_copy) == normalise(POST)
    assert normalise(f"{POST} The post {title} appeared first on notes.example.org") == normalise(POST)
    for punctuated in ("Why Rust? A second look", "Rust vs. Go: round two!", "Wait... what; really"):
        assert normalise(f"{POST}\nThe post {punctuated} appeared first on Notes.") == normalise(POST), punctuated
        assert normalise(f"{POST} [&#8230;] The post {punctuated} appeared first on Notes.") == normalise(
            f"{POST} [&#8230;]"), punctuated
    sentence = "Her essay appeared first on the radio, and only years later in the collected edition."
    assert "her essay appeared first on the radio" in normalise(sentence)


def test_closing_copyright_notices_are_boilerplate_and_a_sentence_about_copyright_is_text():
    """Extraction keeps an article's closing notice; the fingerprint must not depend on it."""
    for notice in ("本文为博主原创文章，未经博主允许不得转载。", "未经授权不得转载", "Copyright 2019 Hawaii News Now.",
                   "copyright Inexhibit 2019 - ISSN: 2283-5474", "Copyright © 2024 Jane Doe"):
        assert normalise(f"{POST}\n{notice}") == normalise(POST), notice
    for sentence in ("Copyright law in the European Union has changed a lot since the directive of 2019.",
                     "Copyright 2019 brought the EU directive that changed how platforms treat uploads.",
                     "The Copyright Act of 1976 extended protection to unpublished works.",
                     "我认为本文为原创的判断标准有三条。", "平台规定不得转载的文章很多。"):
        assert normalise(sentence) == _SEPARATORS_RE.sub(" ", fold(sentence)).strip(), sentence
    # a sentence shaped like a feed footer that goes on is text
    assert "by tuesday" in normalise("The post on Rust appeared first on Hacker News. By Tuesday it had readers.")
    assert "appeared first on hacker news and then" in normalise(
        "We met at nine. The post I wrote appeared first on Hacker News and then everywhere, which surprised me a lot.")


def test_read_more_tail_keeps_the_text_of_its_line():
    assert normalise("他说书也是有脾气的……阅读全文") == "他说书也是有脾气的"


def test_markup_left_by_reposting_is_undone():
    cleaned = clean_markup("Par&amp;malat <br>boasts&nbsp;doubled\u200b profits")
    assert cleaned == "Par&malat boasts\xa0doubled profits"
    assert normalise("凤凰科技(Phoe<br>nix)&quot;主导&quot;") == normalise("凤凰科技（Phoenix）“主导”")


def test_a_caption_glued_to_the_text_goes_and_the_text_stays():
    # reflowing glues a caption to the sentence after it; the sentence used to go with it
    title, paragraph, rest = ESSAY.split("\n", 2)
    for caption in ("（图片来源网络，侵删）", "▲ 图源：网络", "[Image: via Unsplash]"):
        glued = normalise(f"{title}\n{caption}{paragraph}\n{rest}")
        assert normalise(paragraph)[:30] in glued
        assert normalise(rest) in glued
    # a bracket of text is no caption
    assert "reuters" in normalise("(Reuters) The council said on Tuesday that the bridge would open in spring.")
    assert "1234" in normalise("(1234 copies) A novel about a ferry, a bridge and the village between them.")
    assert "bolivia" in normalise("(Bolivia) The government said on Tuesday that the new road would open.")
    assert "图灵奖得主" in normalise("（图灵奖得主）他在演讲里说，计算机科学的进步来自于一代又一代人的耐心。")
    # a glued repost marker goes alone too
    assert normalise("【转载】" + paragraph) == normalise(paragraph)
    # a caption alone on its line still goes whole, however long
    assert normalise("▲ 图为一九九八年夏天巷口旧书店的老板在门口整理刚收来的旧书\n" + ESSAY) == normalise(ESSAY)


def test_a_sentence_mentioning_a_marker_in_passing_is_text():
    sentence = (
        "那几年他每天晚上都在写稿，后来把这些文章整理成一本小书，"
        "又开了一个公众号，专门介绍城西那几条老街上的小店和手艺人。"
    )
    assert "公众号" in normalise(sentence)
    assert strip_boilerplate(fold(sentence)) == fold(sentence)


def test_tokens_are_characters_for_cjk_and_words_otherwise():
    assert tokens(normalise("用Python写爬虫 is fun")) == ["用", "python", "写", "爬", "虫", "is", "fun"]


def test_shingle_hashes_follow_text_order_and_short_texts_give_one_shingle():
    ids = token_ids(normalise("一二三四五六"))
    hashes = shingle_hashes(ids, 5)
    assert len(hashes) == 2
    assert hashes.dtype == np.uint32
    assert len(shingle_hashes(token_ids("一二"), 5)) == 1
    assert len(shingle_hashes(token_ids(""), 5)) == 0
    # a word never hashes like a character run with the same letters
    assert token_ids("ab")[0] != token_ids("a")[0]


def test_signature_equals_datasketch_updated_shingle_by_shingle():
    from datasketch import MinHash

    from pipelines.dedup import DedupParams
    from pipelines.dedup.fingerprint import signature_of

    params = DedupParams()
    hashes = shingle_hashes(token_ids(normalise(ESSAY)), params.shingle_size)
    one_by_one = MinHash(num_perm=params.num_perm, seed=params.seed, hashfunc=int, scheme=params.scheme)
    for value in hashes.tolist():
        one_by_one.update(value)
    assert np.array_equal(signature_of(hashes, params), one_by_one.hashvalues)


def test_signatures_from_reused_minhashes_do_not_leak_between_texts_or_threads():
    from concurrent.futures import ThreadPoolExecutor

    from datasketch import MinHash

    from pipelines.dedup import DedupParams
    from pipelines.dedup.fingerprint import signature_of

    params = DedupParams()
    texts = [ESSAY, POST, ESSAY[: len(ESSAY) // 3], POST[::-1], "短文"] * 8

    def fresh(text: str) -> np.ndarray:
        minhash = MinHash(num_perm=params.num_perm, seed=params.seed, hashfunc=int, scheme=params.scheme)
        minhash.update_batch(shingle_hashes(token_ids(normalise(text)), params.shingle_size).tolist())
        return minhash.hashvalues

    def reused(text: str) -> np.ndarray:
        return signature_of(shingle_hashes(token_ids(normalise(text)), params.shingle_size), params)

    expected = [fresh(text) for text in texts]
    first = reused(ESSAY)
    assert all(np.array_equal(reused(text), want) for text, want in zip(texts, expected, strict=True))
    assert np.array_equal(first, expected[0])  # a returned signature is never refilled later
    with ThreadPoolExecutor(4) as pool:
        assert all(np.array_equal(got, want) for got, want in zip(pool.map(reused, texts), expected, strict=True))


@settings(deadline=None)  # no timing in tests: the machine may be busy
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
def test_fast_nfkc_equals_unicodedata(text):
    assert nfkc(text) == unicodedata.normalize("NFKC", text)


def test_fast_nfkc_on_full_width_and_combining_marks():
    for text in ("Ａ\u0301ｂｃ，１２３……\u3000\xa0", traditional(ESSAY)):
        assert nfkc(text) == unicodedata.normalize("NFKC", text)


def test_fast_nfkc_normalises_line_by_line_like_the_whole_text():
    lines = ("Ａ\u0301ｂｃ﹐²", "\u0301\u0323e", "e\u0323\u0301", "ﬁ ①㈱㌔ ᄀ\u1161\u11a8", "가\u11a8", "", "中文，ＬＴ")
    for first in lines:
        for second in lines:
            for text in (first + "\n" + second, first + "\n\n" + second + "\n"):
                assert nfkc(text) == unicodedata.normalize("NFKC", text)


@settings(deadline=None)  # no timing in tests: the machine may be busy
@given(st.lists(st.text(alphabet=st.characters(codec="utf-8"), max_size=12) | st.just("\n"), max_size=12).map("".join))
def test_fast_nfkc_equals_unicodedata_on_many_lines(text):
    assert nfkc(text) == unicodedata.normalize("NFKC", text)


@settings(deadline=None)  # no timing in tests: the machine may be busy
@given(st.lists(st.integers(min_value=0, max_value=2**32 - 1), max_size=50))
def test_sorted_unique_equals_numpy_unique(values):
    from pipelines.dedup.fingerprint import sorted_unique

    array = np.array(values, dtype=np.uint32)
    assert np.array_equal(sorted_unique(array), np.unique(array))


#: Texts whose separators, scripts and widths are easy to get wrong.
TRICKY = (
    "", " ", "_", "__a__b_", "，。！", "a", "你好", "Hello, World! 你好，世界！", "ＡＢＣ１２３ｘｙｚ，ｍｉｘ",
    "１,２３４.５６ v2.0 a1b2 3.14", "emoji 😀🎉 test 中文😀字👍🏽", "zero\u200bwidth\u200d中\u200b文\ufeff\u2060",
    "繁體中文測試，這是一個後來的發展。", "Straße İstanbul ΣΑΣ ﬁ", "①②③ Ⅻ ㈱ ㌔ ¼ ²", "한국어 日本語の テキスト・カタカナー゛",
    "𠀀𠀁𪚥 rare cjk", "Café naïve e\u0301", "a_b__c--d  e\n\nf\tg\r\nh", "x" * 70 + " y", "\u3000全角\u3000空格…",
    "用Python写爬虫 is fun", ESSAY, POST, csdn_repost(ESSAY), traditional(ESSAY),
)


def _check_tokenise_equals_normalised_path(text: str) -> None:
    from pipelines.dedup.shingles import tokenise

    normalised = normalise(text)
    fast = tokenise(strip_boilerplate(fold(text)))
    assert np.array_equal(fast.ids, token_ids(normalised))
    assert fast.letters == normalised.replace(" ", "")


def test_tokenise_skips_separators_like_normalise_collapses_them():
    from pipelines.dedup.shingles import tokenise

    for text in TRICKY:
        _check_tokenise_equals_normalised_path(text)
    # a lone surrogate (from broken JSON escapes) is a separator, as in normalise
    assert tokenise("lone \ud800中").letters == "lone中"
    assert np.array_equal(tokenise("lone \ud800中").ids, token_ids("lone 中"))


@settings(deadline=None)  # no timing in tests: the machine may be busy
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=80) | st.sampled_from(TRICKY))
def test_tokenise_equals_token_ids_of_normalised_text(text):
    _check_tokenise_equals_normalised_path(text)


#: Pieces of lines for boilerplate texts: markers, captions, credits, headings, line
#: breaks of every kind, and plain sentences.
BOILERPLATE_PIECES = (
    "本文转载自公众号", "来源", ":", "|", "作者", "\n", "\r\n", "\u2028", "\x85", "\n\n  \n", "  ", "▲", "▲ 图源:网络",
    "[image: x]", "(图)", "【转载】", "source:", "photo :", "推荐阅读", "related posts:", "read more", "……阅读全文",
    "这是正文的一句话，讲的是城西老街上的小店。", "the river was high that spring.", "短句。", "\t", "。",
)


@settings(deadline=None)  # no timing in tests: the machine may be busy
@given(st.lists(st.sampled_from(BOILERPLATE_PIECES) | st.text(max_size=12), max_size=25).map("".join))
def test_line_openings_found_by_line_breaks_like_by_multiline_search(text):
    normalise_module = importlib.import_module("pipelines.dedup.normalise")
    assert normalise_module._opens_a_line(text) == bool(normalise_module._LINE_OPENINGS.search(text))


#: The definition of sentence breaks that ``_sentences`` implements faster.
SENTENCE_SPLIT = re.compile(r"(?<=[。！？!?；;])|(?<=\.)\s+|(?=[▲△▼►▶])")
SENTENCE_PIECES = ("。", "!", "?", ";", "；", ".", ". ", ".\u3000\t ", "..", "▲", "△▼", "►▶", " ", "a", "中文", "\u2028", "..▲")


@settings(deadline=None)  # no timing in tests: the machine may be busy
@given(st.lists(st.sampled_from(SENTENCE_PIECES) | st.text(max_size=6), max_size=20).map("".join))
def test_sentences_are_the_pieces_of_the_sentence_split(line):
    normalise_module = importlib.import_module("pipelines.dedup.normalise")
    assert [s for s in normalise_module._sentences(line) if s] == [s for s in SENTENCE_SPLIT.split(line) if s]


@settings(deadline=None)  # no timing in tests: the machine may be busy
@given(
    st.lists(st.sampled_from(("……阅读全文", "(阅读原文)", "read more", "read the full article", " … ", "→", "x" * 30, "正文", " " * 9, ".....…»»»"))
             | st.text(max_size=8), max_size=10).map("".join)
)
def test_tail_phrase_check_only_skips_sentences_without_a_tail(sentence):
    normalise_module = importlib.import_module("pipelines.dedup.normalise")
    window = max(0, len(sentence) - normalise_module._TAIL_WINDOW)
    expected = sentence[:window] + normalise_module._TAIL.sub("", sentence[window:])
    assert normalise_module._strip_tail(sentence) == expected


def _strip_boilerplate_reference(text: str) -> str:
    """:func:`strip_boilerplate` as first written: every line tested in full, sentences
    split by a zero-width regex, the tail regex tried on every sentence (each rid of a
    caption glued to its start, a later rule)."""
    module = importlib.import_module("pipelines.dedup.normalise")
    if not (module._BOILERPLATE_MARKERS.search(text) or "▲" in text or module._LINE_OPENINGS.search(text)):
        return text
    lines = [line for line in text.splitlines() if line.strip()]
    for i in range(len(lines) - 1, -1, -1):
        if module._LIST_HEADING.match(lines[i]) and all(len(rest) <= module.MAX_LIST_LINE for rest in lines[i:]):
            lines = lines[:i]
            break
    kept = []
    for line in lines:
        if not (
            module._BOILERPLATE_MARKERS.search(line)
            or line.lstrip()[:1] in "[(【〔<{▲△▼►▶"
            or "▲" in line
            or module._CREDIT_LABEL.match(line)
        ):
            kept.append(line)
            continue
        tails = []
        for sentence in map(module._without_glued_caption, SENTENCE_SPLIT.split(line)):
            window = max(0, len(sentence) - module._TAIL_WINDOW)
            tails.append(sentence[:window] + module._TAIL.sub("", sentence[window:]))
        if stripped := " ".join(s for s in tails if s.strip() and not module.is_boilerplate_line(s)):
            kept.append(stripped)
    return "\n".join(kept)


def _without_blank_lines(text: str) -> str:
    """The first implementation dropped blank lines (unless it returned the text as it
    was); the paragraph breaks kept since are checked on their own."""
    return "\n".join(line for line in text.split("\n") if line)


def test_strip_boilerplate_equals_the_first_implementation_on_reposts():
    openings = "正文。\n  [image: x]\n\u3000source : y\n\t(图)\n 【广告】\n\u2028▲ 图源:网络\n  photo: z"
    for text in (*TRICKY, csdn_repost(ESSAY), POST + "\nRelated posts:\nA\nB", "正文\n推荐阅读\n短\n" + "长" * 90, openings):
        folded = fold(text)
        assert _without_blank_lines(strip_boilerplate(folded)) == _without_blank_lines(_strip_boilerplate_reference(folded))


@settings(deadline=None, max_examples=300)  # no timing in tests: the machine may be busy
@given(st.lists(st.sampled_from(BOILERPLATE_PIECES + SENTENCE_PIECES) | st.text(max_size=10), max_size=30).map("".join))
def test_strip_boilerplate_equals_the_first_implementation(text):
    assert _without_blank_lines(strip_boilerplate(text)) == _without_blank_lines(_strip_boilerplate_reference(text))


#: Pieces whose only line boundary is "\n" (the usual text), with markers, captions and
#: credits split by line breaks and blank lines.
NEWLINE_PIECES = tuple(
    piece for piece in BOILERPLATE_PIECES + SENTENCE_PIECES + ("来源\n:", "\n \n[图]", "source\n:", "\n\t(", "图\n|", "▲\n")
    if not re.search("[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]", piece)
)


@settings(deadline=None, max_examples=500)
@given(st.lists(st.sampled_from(NEWLINE_PIECES) | st.text(alphabet="来源图作者: |\n [(▲a", max_size=8), max_size=40)
       .map("".join))
def test_strip_boilerplate_on_newline_texts_equals_the_first_implementation(text):
    assert _without_blank_lines(strip_boilerplate(text)) == _without_blank_lines(_strip_boilerplate_reference(text))


def test_strip_boilerplate_keeps_paragraph_breaks_once():
    text = fold("第一段正文内容\n\n\n来源：某公众号\n\n第二段正文内容\n \n第三段\n\n关注我们的公众号\n\n")
    assert strip_boilerplate(text) == "第一段正文内容\n\n第二段正文内容\n\n第三段"


# -- the t2s shortcut -----------------------------------------------------------------------


def _t2s_dictionaries() -> list[list[tuple[str, str]]]:
    """Every dictionary of the installed OpenCC ``t2s`` configuration as (key, first
    value) pairs, dumped with the ``opencc_dict`` tool that ships with the package."""
    import json
    import shutil
    import subprocess
    import tempfile
    from pathlib import Path

    import opencc
    import pytest

    clib = Path(opencc.__file__).parent / "clib"
    tool = clib / "bin" / "opencc_dict"
    config = clib / "share" / "opencc" / "t2s.json"
    if not (tool.exists() and config.exists()) and shutil.which("opencc_dict") is None:
        pytest.skip("OpenCC's opencc_dict tool is not installed")
    files = re.findall(r'"file"\s*:\s*"([^"]+)"', json.dumps(json.loads(config.read_text("utf-8"))))
    assert files, "t2s.json names no dictionary"
    dictionaries = []
    with tempfile.TemporaryDirectory() as scratch:
        for name in files:
            dumped = Path(scratch) / (name + ".txt")
            subprocess.run([str(tool), "-i", str(config.parent / name), "-o", str(dumped), "-f", "ocd2", "-t", "text"],
                           check=True, capture_output=True)
            pairs = []
            for line in dumped.read_text("utf-8").splitlines():
                key, values = line.split("\t")
                pairs.append((key, values.split(" ")[0]))
            dictionaries.append(pairs)
    return dictionaries


def test_every_t2s_entry_that_changes_text_holds_a_trigger_character():
    from pipelines.dedup.normalise import t2s_triggers

    triggers = t2s_triggers()
    dictionaries = _t2s_dictionaries()
    changing = [key for pairs in dictionaries for key, value in pairs if key != value]
    assert len(changing) > 4000  # the dump really holds the character and phrase tables
    missed = [key for key in changing if not any(ord(ch) < len(triggers) and triggers[ord(ch)] for ch in key)]
    assert missed == []


def test_t2s_shortcut_gives_the_conversion_of_every_text():
    from pipelines.dedup.normalise import _t2s, to_simplified

    texts = [
        ESSAY, POST, traditional(ESSAY), "打坏了一个碗", "他深沈地说", "甦醒", "一目瞭然", "回覆邮件", "英哩",
        "Plain English text, nothing to convert.", "", "乾隆年间", "\ufa0e\uf900 compatibility ideographs",
        # an ideographic description sequence, which OpenCC leaves alone, may span lines
        "⿰\n體", "前言\n⿰體\n後記", "前言\n⿰\n體\n后记\n一\n二\n三", "⿲\n\n體\n國\n", "一\n二\n三\n四\n⿰體",
    ]
    for text in texts:
        assert to_simplified(text) == _t2s().convert(text)
    assert to_simplified("打坏了") == "打坯了"  # a phrase of simplified characters that t2s rewrites


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("的一是了我不人在他有这个上们来到时大地为子中你说生国年着就那和要她出也得里后自以会家可下而过天去能对小多然于心学么之都好看起发当没成只如事把还用第样道想作种开美总从无情己面最女但现前些所同日手又行意动方期它头经长儿回位分爱老因很给名法间斯知世什两次使身者被高已亲其进此话常与活正感見兩個説時國為於與發乾覆坏沈藉瞭哩甦衹⿰⿱⿲\u31ef\ufe00 \n，。"), max_size=60))
def test_t2s_shortcut_equals_the_conversion(text):
    from pipelines.dedup.normalise import _t2s, to_simplified

    assert to_simplified(text) == _t2s().convert(text)


def _literal_prefixes(items: list) -> tuple[set[str], bool]:
    """The literal texts a parsed regular expression (``re._parser``) may begin with, read
    up to its first part that is not a literal, an alternative of literals or an optional
    one; and whether the whole expression was read."""
    from re import _constants as sre

    prefixes = {""}
    for op, arg in items:
        if op is sre.LITERAL:
            found, complete = {chr(arg)}, True
        elif op is sre.SUBPATTERN:
            found, complete = _literal_prefixes(arg[-1].data)
        elif op is sre.BRANCH:
            read = [_literal_prefixes(branch.data) for branch in arg[1]]
            found, complete = set().union(*(r[0] for r in read)), all(r[1] for r in read)
        elif op is sre.MAX_REPEAT and arg[:2] == (0, 1):
            inner, complete = _literal_prefixes(arg[2].data)
            found = inner | {""} if complete else {""}
        else:
            return prefixes, False
        prefixes = {p + f for p in prefixes for f in found}
        if not complete:
            return prefixes, False
    return prefixes, True


def test_every_latin_marker_holds_a_marker_word():
    import re._parser

    prefixes, _ = _literal_prefixes(re._parser.parse(_LATIN_MARKERS).data)
    assert len(prefixes) > 20
    for prefix in prefixes:  # every match begins with one of these
        assert any(word in prefix for word in LATIN_MARKER_WORDS), prefix


@given(st.lists(st.sampled_from([*LATIN_MARKER_WORDS, "已经", "作者:", "©", "read", "cross-", "this ", " ", "x", "\n"])))
def test_holds_marker_is_the_marker_search(parts: list[str]):
    text = "".join(parts)
    assert holds_marker(text) == bool(_BOILERPLATE_MARKERS.search(text))
