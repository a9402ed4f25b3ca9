"""Texts written for the dedup tests: one Chinese essay and one English post, plus
the ways reposting sites change them."""

from __future__ import annotations

import opencc

ESSAY_TITLE = "巷口的旧书店"
ESSAY = """巷口的旧书店
我家楼下的巷口有一间旧书店，店面不大，只放得下六排木头书架。老板姓周，六十多岁，每天早上八点准时拉开卷帘门，先烧一壶水，再把昨天收来的旧书一本一本擦干净。
小时候我常在放学以后钻进店里，蹲在最里面那排书架前面看连环画。周老板从不赶人，只是偶尔提醒一句：翻书的时候手要干净，书也是有脾气的。
后来我去外地读书，回来的次数越来越少。每次路过巷口，看见那盏昏黄的灯还亮着，心里就觉得踏实。去年冬天再回去，店门上贴了一张纸，说房租涨了，月底就要搬走。
搬家那天我去帮忙。几千本书装了一百多个纸箱，周老板把每一箱都写上编号，说等找到新地方，还要按原来的顺序摆回去。我问他为什么不干脆在网上卖，他笑着说，书要让人摸得到，才算活着。
现在那间店搬到了城西的一条小街上，比原来还小一些。我偶尔坐很久的公交车过去，买一本并不急着读的书，和周老板聊几句天。城市变得很快，好在还有一些地方，愿意慢一点。"""

POST_TITLE = "Why I still keep a paper notebook"
POST = """Why I still keep a paper notebook
Every few years someone tells me that paper notebooks are finished, and every few years I buy another one anyway. The habit started in my first job, when a manager noticed that I forgot half of what was said in meetings and handed me a cheap spiral pad from the supply cupboard.
Writing by hand is slow, and that is the point. When I cannot copy everything down, I have to decide what matters while the conversation is still going on. The notes are shorter than anything I would type, but I remember them better, and they rarely need cleaning up afterwards.
A notebook also has no notifications. It does not offer to summarise itself, it never runs out of battery on a train, and nobody has ever asked me to update it before I could open it. When the page is full I turn it over and carry on.
I do keep a digital copy of the things that have to be searchable, such as phone numbers and the dates of appointments. Everything else stays on paper, stacked in a drawer with the year written on the spine. Once in a while I read an old one from start to finish, and it tells me more about that year than any photo album could."""

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
