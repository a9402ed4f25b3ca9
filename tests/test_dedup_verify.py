"""Verification of candidates: copies merge, texts that only share blocks do not."""

from __future__ import annotations

import random

from pipelines.dedup import DedupParams, compare, fingerprint, mostly_latin, rejoined, shingled, verdict
from tests.dedup_texts import (
    ESSAY,
    POST,
    csdn_repost,
    excerpt,
    half_width_punctuation,
    split_words,
    traditional,
)

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


def rejoined_relation(a: str, b: str) -> str | None:
    """The relation once the words split in either text are rejoined (as recording does)."""
    joined_a, joined_b = rejoined(a, b, PARAMS), rejoined(b, a, PARAMS)
    return verdict(compare(joined_a or shingled(a, PARAMS), joined_b or shingled(b, PARAMS))).relation


#: An English body of the same length as POST's, on another subject.
OTHER_POST = (
    "Our street got a new bakery this spring, in the shop that used to sell mobile phone cases. "
    "The owner gets up at four, and by seven there is a queue of people on their way to the station. "
    "She bakes one kind of loaf on weekdays and three on Saturdays, and when they are gone the door is locked. "
    "Nobody seems to mind. The queue has become the place where neighbours who never spoke now swap news "
    "about the school, the roadworks and whose cat has been sleeping in whose garden. "
    "I asked her once why she does not bake more, and she said that then she would have to hire someone, "
    "and then she would have to talk to that person instead of to us."
)


def test_words_split_by_reflowing_are_rejoined_from_the_other_text():
    split = split_words(POST.replace("cheap spiral pad", "cheap spiral notepad"), every=2)
    assert relation(split, POST) is None  # half its word shingles are broken
    assert rejoined_relation(split, POST) == "near"
    assert rejoined_relation(POST, split) == "near"
    assert rejoined_relation(excerpt(split, 0.5, " ... Read more"), POST) == "excerpt"
    assert rejoined(POST, OTHER_POST, PARAMS) is None  # nothing to rejoin between different texts
    assert mostly_latin(POST)
    assert not mostly_latin(ESSAY)  # Chinese is shingled by character: nothing is split


def test_rejoining_does_not_make_texts_built_from_one_template_copies():
    intro = ("Results service. These are the provisional figures published by the returning officers overnight, "
             "compiled by our data team from the official declarations in each constituency of the county. ")

    def results(seed: int) -> str:  # a number every four or five words
        rng = random.Random(seed)
        return intro + " ".join(
            f"Constituency number {i}: turnout approximately {rng.randint(40, 80)} percent, conservative "
            f"candidate received {rng.randint(1000, 30000)} votes, labour candidate received "
            f"{rng.randint(1000, 30000)} votes, liberal democrat candidate received {rng.randint(1000, 9000)} votes."
            for i in range(1, 13)
        )

    assert relation(results(1), results(2)) is None
    assert rejoined_relation(results(1), results(2)) is None


def test_rejoining_does_not_make_texts_that_share_blocks_copies():
    header = "\n".join(f"Home News Sport Culture Section {i} Subscribe Sign in Search the archive" for i in range(6))
    footer = "\n".join(f"More stories number {i}: small things and large ones from city life, read {i}k times"
                       for i in range(8))
    assert rejoined_relation(f"{header}\n{POST}\n{footer}", f"{header}\n{OTHER_POST}\n{footer}") is None
    opening = "Habits are powerful things, and as the old saying goes, the devil is in the details.\n"
    quote = 'As someone once wrote: "' + " ".join(POST.splitlines()[2:4]) + '"\n'
    closing = "\nThose are my rough thoughts on the matter; comments and corrections are welcome."
    mine = ("This spring I started to learn to cook, and the first time I fried greens I used far too much salt. "
            "Since then I write down how much of everything goes in, and slowly I have found the measure.")
    assert rejoined_relation(opening + mine + quote + closing, opening + OTHER_POST + quote + closing) is None
    assert rejoined_relation(POST, OTHER_POST) is None


#: A club's standing text, the same in every weekly post (about 150 words) ...
CLUB_INTRO = (
    "Welcome to the weekly letter of the Riverside Walking Club. We are a group of neighbours who have walked "
    "together every Saturday morning since the footbridge reopened, and anyone is welcome to join us at the "
    "war memorial at nine o'clock, whatever the weather. Walks last about three hours and end at a cafe or a "
    "pub, where those who want to stay for lunch can. Bring water, sensible shoes and a waterproof; dogs on "
    "leads are welcome on most routes. Each week one member chooses the route and writes a few lines about it "
    "for this letter, which goes out to members by email on Thursday evening."
)
#: ... and its footer (about 60 words).
CLUB_FOOTER = (
    "If you would like to lead a walk, write to the secretary or speak to any of us on Saturday. Membership "
    "costs ten pounds a year, and all of it goes towards the first aid kit, the maps and the summer coach "
    "trip to the coast. Thank you for reading, and see you at the memorial."
)
#: One week's own text is a single line; the other week's is a long paragraph.
SHORT_ROUTE = "This week: the canal towpath to Hadley Lock, led by Ruth."
LONG_ROUTE = (
    "This week Tom leads us up the old drove road to Castle Hill, the walk he has been promising since the "
    "spring. We leave the memorial by the lane behind the church, cross the railway at the level crossing "
    "and climb steadily through the beech woods, where the bluebells should still be out. At the top there "
    "is a trig point and, on a clear day, a view over three counties and the estuary. Tom says the descent "
    "is steep and muddy after rain, so poles are a good idea. We come back along the river meadows and "
    "finish at the Red Lion, which has promised to keep the back room free for us. Those who would rather "
    "skip the climb can meet us at the meadows gate at eleven."
)


def test_posts_of_one_template_are_no_copies_when_one_has_little_text_of_its_own():
    # the short post is 95 % the template, and its own line is a gap short enough for a
    # copy's edit: the long post's own paragraph in the same place tells them apart, also
    # when that paragraph quotes the template (the meeting place, the club's name)
    short_post = f"{CLUB_INTRO}\n{SHORT_ROUTE}\n{CLUB_FOOTER}"
    long_post = f"{CLUB_INTRO}\n{LONG_ROUTE}\n{CLUB_FOOTER}"
    assert relation(short_post, long_post) is None
    assert relation(long_post, short_post) is None
    quoting = LONG_ROUTE.replace("We leave the memorial", "As always we meet at the war memorial at nine o'clock, whatever the weather, and leave")
    assert relation(short_post, f"{CLUB_INTRO}\n{quoting}\n{CLUB_FOOTER}") is None
    # in Chinese, where each character is a token
    intro, footer = ESSAY.splitlines()[1], ESSAY.splitlines()[5]
    own_line = "本周活动：周六上午九点在巷口集合。"
    assert relation(f"{intro}\n{own_line}\n{footer}", f"{intro}\n{ESSAY.splitlines()[3]}\n{footer}") is None


def test_copies_that_add_drop_or_edit_text_in_one_place_still_merge():
    paragraphs = POST.splitlines()
    # a dropped paragraph with an edited word beside the cut; an ad where a sentence was
    # reworded; a sentence rewritten as another of about the same length
    dropped = "\n".join([*paragraphs[:2], paragraphs[2].replace("rarely need", "seldom need"), *paragraphs[4:]])
    assert relation(dropped, POST) is not None
    ad = "Sponsored: try our new stationery subscription box, delivered every month, first box free for readers."
    edited = POST.replace("When the page is full I turn it over and carry on.", f"When a page fills up I turn it.\n{ad}")
    assert relation(edited, POST) == "near"
    rewritten = POST.replace(
        "It does not offer to summarise itself, it never runs out of battery on a train,",
        "It will not try to summarise itself for me, its battery cannot die halfway through a journey,",
    )
    assert relation(rewritten, POST) == "near"
    lines = ESSAY.splitlines()
    assert relation("\n".join([*lines[:3], lines[3].replace("月底就要", "月底便要"), *lines[5:]]), ESSAY) is not None


def test_scattered_edits_and_a_phrase_found_elsewhere_do_not_make_a_substitution():
    paragraphs = POST.splitlines()
    # two single words changed a few words apart just before a dropped paragraph: no
    # sentence of the copy's own, however the clean words between them are counted
    edited = paragraphs[2].replace("I remember them", "I recall them").replace("need cleaning", "need tidying")
    assert relation("\n".join([*paragraphs[:2], edited, *paragraphs[4:]]), POST) is not None
    # a reworded sentence ending in a phrase the text uses again further on ("in a drawer
    # with the year"): its place is where the reworded sentence is, not at the repeat,
    # so the paragraph the copy dropped in between is not counted against it
    original = POST + "\nEvery notebook ends up in a drawer with the year written on the spine, like the others."
    reworded = original.replace(
        "It does not offer to summarise itself,",
        "It never sends me a reminder about anything, and it keeps its pages in a drawer with the year",
    ).replace(paragraphs[4] + "\n", "")
    assert relation(reworded, original) is not None



def test_the_other_post_quoting_the_footer_still_tells_template_posts_apart():
    # the long post's own paragraph quotes the footer's fee sentence: its right bound is
    # found inside the paragraph too, with other text before it than the template's
    quoted = LONG_ROUTE + " As the footer says, membership costs ten pounds a year, and all of it goes towards the first aid kit."
    assert relation(f"{CLUB_INTRO}\n{SHORT_ROUTE}\n{CLUB_FOOTER}", f"{CLUB_INTRO}\n{quoted}\n{CLUB_FOOTER}") is None



def test_figures_too_long_for_a_decimal_context_are_compared_without_a_crash():
    from pipelines.dedup.verify import _same_figure

    assert not _same_figure("340282366920938463463374607431768211456", "340282366920938463463374607431768211455")
    assert _same_figure("53.09", "53.1")
    assert _same_figure("53.03", "53")
    assert not _same_figure("0.5", "1")
