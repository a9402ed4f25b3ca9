"""How many pairs of posts made from one template the verifier takes for copies.

Each pair shares a standing intro and footer (one to three paragraphs, English or Chinese)
and differs in the post's own text in between: 8 to 45 tokens on one side, from as many to
400 tokens on the other. Different posts: every merge is a false merge. The own texts are
random sentences from a small vocabulary, so pairs of about the same length also share
chance phrases. Usage (from the project root)::

    python bench/template_pairs.py            # the count, then each pair that merges
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipelines.dedup import DedupParams, compare, shingled, verdict  # noqa: E402

PLACES = ["river", "meadow", "school", "market", "station", "garden", "library", "harbour", "village", "bakery", "bridge", "orchard", "museum", "chapel"]
DEEDS = ["opened", "closed", "flooded", "rebuilt", "visited", "painted", "measured", "repaired", "sold", "bought", "moved"]
HAN = "春夏秋冬山水花鸟城市乡村学校工厂医院图书馆博物馆火车站公园河流桥梁道路市场商店饭馆老师学生工人农民医生护士作家画家"
INTRO = {
    "en": "Welcome to the weekly bulletin of the Riverside Community Association. Every week our volunteers write "
    "up what happened in the neighbourhood, what is coming up, and who to contact. Members receive it on Fridays. ",
    "zh": "欢迎阅读本社区每周简报。每周我们的志愿者都会整理社区里发生的事情、即将举行的活动以及联系方式，会员每周五通过邮件收到本简报。",
}
FOOTER = {
    "en": " If you would like to contribute, write to the editor at the association office, or come to the monthly "
    "meeting in the church hall on the first Tuesday. Membership costs five pounds a year, all of it for the summer "
    "fair and the children's reading club. Thank you for reading, and see you next week.",
    "zh": "如果您想投稿，请写信给编辑部，或者参加每月第一个星期二在社区礼堂举行的例会。会费每年五十元，全部用于夏季集市和儿童读书会。感谢阅读，下周见。",
}


def sentence(lang: str, rng: random.Random) -> str:
    if lang == "zh":
        return "".join(rng.choice(HAN) for _ in range(rng.randint(14, 26))) + "。"
    return (f"The {rng.choice(PLACES)} near the {rng.choice(PLACES)} was {rng.choice(DEEDS)} by "
            f"{rng.randint(2, 90)} volunteers from the {rng.choice(PLACES)} last {rng.choice(['spring', 'winter'])}.")


def own_text(lang: str, tokens: int, rng: random.Random) -> str:
    """Sentences up to about ``tokens`` tokens (at least one sentence)."""
    text = ""
    while True:
        more = (text + " " if lang == "en" and text else text) + sentence(lang, rng)
        if text and (len(more.split()) if lang == "en" else len(more)) > tokens:
            return text
        text = more


def pairs() -> list[tuple[tuple[str, int, int, int], str, str]]:
    out = []
    for lang in ("en", "zh"):
        for paragraphs in (1, 2, 3):
            intro, footer = INTRO[lang] * paragraphs, FOOTER[lang] * paragraphs
            for short in (8, 12, 20, 30, 45):
                for long in (short, 2 * short, 80, 200, 400):
                    rng = random.Random(f"{lang}{paragraphs}{short}{long}")
                    a = f"{intro}\n{own_text(lang, short, rng)}\n{footer}"
                    b = f"{intro}\n{own_text(lang, long, rng)}\n{footer}"
                    out.append(((lang, paragraphs, short, long), a, b))
    return out


def main() -> int:
    params = DedupParams()
    merged = []
    all_pairs = pairs()
    for label, a, b in all_pairs:
        relation = verdict(compare(shingled(a, params), shingled(b, params))).relation
        if relation:
            merged.append((label, relation))
    print(f"{len(merged)} of {len(all_pairs)} template pairs merge (each one a false merge)")
    for (lang, paragraphs, short, long), relation in merged:
        print(f"  {lang} intro x{paragraphs}: own text ~{short} against ~{long} tokens -> {relation}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
