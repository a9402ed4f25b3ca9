"""Verification of candidates: copies merge, texts that only share blocks do not."""

from __future__ import annotations

from pipelines.dedup import DedupParams, compare, fingerprint, shingled, verdict
from tests.dedup_texts import ESSAY, POST, csdn_repost, excerpt, half_width_punctuation, traditional

PARAMS = DedupParams()


def relation(a: str, b: str) -> str | None:
    return verdict(compare(shingled(a, PARAMS), shingled(b, PARAMS))).relation


def test_edited_copy_is_a_near_duplicate():
    edited = POST.replace("cheap spiral pad", "cheap spiral notepad").replace(
        " It does not offer to summarise itself,", ""
    )
    assert relation(edited, POST) == "near"
    assert relation(half_width_punctuation(traditional(ESSAY)), ESSAY) == "near"


def test_excerpt_ending_in_read_more_is_an_excerpt_either_way_round():
    short = excerpt(csdn_repost(ESSAY), 0.4)
    assert relation(short, ESSAY) == "excerpt"
    assert relation(ESSAY, short) == "excerpt"


def test_shared_header_and_footer_do_not_make_texts_copies():
    header = "\n".join(f"导航 首页 专题 下载 第{i}栏 会员中心 搜索文章 登录注册" for i in range(6))
    footer = "\n".join(f"推荐文章第{i}篇：城市生活里的各种小事和大事，阅读{i}千次" for i in range(8))
    other = (
        "我们单位的食堂最近换了承包商，菜的味道变了不少。以前每周三有红烧肉，现在改成了清蒸鱼。"
        "同事们议论了好几天，最后大家发现，其实吃什么并不重要，重要的是中午能有一个小时坐下来说说话。"
    )
    a = f"{header}\n{ESSAY.splitlines()[1]}\n{footer}"
    b = f"{header}\n{other}\n{footer}"
    assert relation(a, b) is None


def test_shared_quotation_and_stock_phrases_do_not_make_texts_copies():
    opening = "习惯的力量是巨大的，正如一句老话所说，细节决定成败。\n"
    quote = "正如有人所说：“" + "".join(ESSAY.splitlines()[2:4]) + "”\n"
    closing = "\n以上是我的一些粗浅看法，欢迎大家批评指正。"
    mine = (
        "今年春天我开始学着做饭，第一次炒青菜就放多了盐。后来我每天记下用了多少调料，慢慢找到了分寸。"
        "做饭和写字一样，都需要耐心，也都需要在失败以后再试一次。"
    )
    theirs = (
        "我们小区门口新开了一家自行车修理铺，师傅是从外地来的，手艺很好，收费也便宜。"
        "每天傍晚都有很多人排队，大家一边等一边聊天，倒像是一个小小的广场。"
    )
    assert relation(opening + mine + quote + closing, opening + theirs + quote + closing) is None


def test_unrelated_texts_do_not_match_and_short_texts_are_no_evidence():
    assert relation(ESSAY, POST) is None
    assert relation("谢谢大家", "谢谢大家") is None


def test_fingerprints_of_copies_share_bands():
    a = fingerprint(ESSAY, PARAMS)
    b = fingerprint(csdn_repost(traditional(ESSAY)), PARAMS)
    c = fingerprint(excerpt(ESSAY, 0.35), PARAMS)
    assert a.content_hash == b.content_hash
    assert set(a.band_keys) & set(c.band_keys)
    assert len(a.signature) == 4 * PARAMS.num_perm
